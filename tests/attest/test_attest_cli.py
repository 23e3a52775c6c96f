"""The commands end to end on a tiny package: gate --stage, attest, verify-attestation, and the trail they leave."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from attestkit import STAGED

from ptmvet.cli import main
from ptmvet.trail import default_log_path, read, verify


def test_gate_stage_reports_the_stage_and_logs_the_decision(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["gate", str(package), "--policy", str(STAGED), "--stage", "pilot", "--format", "json", "--no-scan"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["stage"] == "pilot"  # no claims re-measured, no data schema checked
    unmet = {r["requirement"] for r in out["requirements"] if not r["met"]}
    assert {"claims-remeasured", "schema-fit"} <= unmet
    (rec,) = read()
    assert default_log_path().is_relative_to(os.environ["XDG_STATE_HOME"])
    assert (rec.command, rec.stage, rec.verdict, rec.model) == ("gate", "pilot", "fail", str(package))
    assert rec.weights_digest and rec.report_digest and rec.policy_digest == out["policy"]["digest"]["sha256"]
    assert main(["gate", str(package), "--no-log", "--no-scan"]) in (0, 1)
    assert len(read()) == 1
    assert main(["gate", str(package), "--policy", str(STAGED), "--stage", "nope"]) == 2


def test_attest_then_verify_and_tamper(package: Path, vetter, reviewer, mallory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    att = tmp_path / "pkg.vetting.json"
    log = tmp_path / "audit.jsonl"
    code = main(["attest", str(package), "--policy", "research", "--key", str(vetter.private), "-o", str(att), "--log", str(log)])
    assert code == 0 and att.is_file()
    verdict = json.loads(base64.b64decode(json.loads(att.read_text())["payload"]))["predicate"]["verdict"]
    assert verdict == "pass"
    # An attestation never vouches for files that were not scanned.
    unscanned = tmp_path / "unscanned.vetting.json"
    assert main(["attest", str(package), "--policy", "research", "--key", str(vetter.private), "-o", str(unscanned), "--log", str(log), "--no-scan"]) == 1
    assert json.loads(base64.b64decode(json.loads(unscanned.read_text())["payload"]))["predicate"]["verdict"] == "fail"
    rec = read(path=log)[-1]
    assert rec.command == "attest" and rec.attestation_digest
    capsys.readouterr()
    want = 0
    assert main(["verify-attestation", str(package), "-a", str(att), "--key", str(vetter.public)]) == want
    assert main(["verify-attestation", str(package), "-a", str(att), "--key", str(mallory.public)]) == 4
    assert main(["attest", str(package), "--add-signature", str(att), "--key", str(reviewer.private), "--log", str(log)]) == 0
    assert main(["verify-attestation", str(package), "-a", str(att), "--key", str(vetter.public), "--key", str(reviewer.public),
                 "--signers", "2", "--format", "json"]) == want
    assert len(read(path=log)) == 3 and verify(path=log).count == 3
    capsys.readouterr()
    (package / "model.safetensors").write_bytes(b"swapped weights")
    assert main(["verify-attestation", str(package), "-a", str(att), "--key", str(vetter.public), "--format", "json"]) == 4
    out = json.loads(capsys.readouterr().out)
    assert out["changed"] == ["model.safetensors"]
    assert main(["attest", str(package), "--add-signature", str(att), "--key", str(mallory.private), "--log", str(log)]) == 4
    assert main(["verify-attestation", str(package), "-a", str(tmp_path / "absent.json"), "--key", str(vetter.public)]) == 3
    assert main(["verify-attestation", str(package), "-a", str(att)]) == 2
    assert main(["verify-attestation", str(package), "-a", str(att), "--key", str(vetter.public), "--max-age", "soon"]) == 2


def test_json_outputs_match_their_schemas(package: Path, vetter, mallory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    from ptmvet.formats import schema

    def check(name: str, argv: list[str], code: int) -> dict:
        assert main(argv) == code
        doc = json.loads(capsys.readouterr().out)
        jsonschema.Draft202012Validator(schema(name)).validate(doc)
        return doc

    att, log = tmp_path / "a.json", tmp_path / "audit.jsonl"
    common = ["--log", str(log), "--format", "json"]
    doc = check("attest", ["attest", str(package), "--policy", "research", "--key", str(vetter.private), "-o", str(att), *common], 0)
    assert doc["verdict"] == "pass" and doc["files"] == 4
    ok = check("verify-attestation", ["verify-attestation", str(package), "-a", str(att), "--key", str(vetter.public), "--format", "json"], 0)
    assert ok["ok"] and ok["signers"][0]["kind"] == "key"
    bad = check("verify-attestation", ["verify-attestation", str(package), "-a", str(att), "--key", str(mallory.public), "--format", "json"], 4)
    assert bad["reason"] == "key-mismatch"
    shown = check("trail", ["log", "show", *common], 0)
    assert [r["command"] for r in shown["records"]] == ["attest"]
    assert check("trail-verify", ["log", "verify", *common], 0)["records"] == 1
    log.write_text(log.read_text().replace('"research"', '"strict"'))
    assert check("trail-verify", ["log", "verify", *common], 4)["record"] == 1


def test_attestation_inside_the_folder_and_a_duckdb_trail(package: Path, vetter, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("duckdb")
    db = tmp_path / "trail.duckdb"
    att = package / "model.vetting.json"  # travels with the package; not one of its own subjects
    assert main(["attest", str(package), "--policy", "research", "--key", str(vetter.private), "-o", str(att), "--db", str(db)]) == 0
    subjects = json.loads(base64.b64decode(json.loads(att.read_text())["payload"]))["subject"]
    assert "model.vetting.json" not in {s["name"] for s in subjects} and len(subjects) == 4
    assert main(["verify-attestation", str(package), "-a", str(att), "--key", str(vetter.public)]) == 0
    assert main(["gate", str(package), "--policy", "research", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["log", "show", "--db", str(db), "--format", "json"]) == 0
    assert [r["command"] for r in json.loads(capsys.readouterr().out)["records"]] == ["attest", "gate"]
    assert main(["log", "verify", "--db", str(db)]) == 0
    assert not default_log_path().exists()  # --db replaces the JSON Lines file


def test_pinned_cache_model_gets_through_limited_and_is_verified_by_reference(
    package: Path, vetter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """org/name@<commit> from the HF cache: revision pinned, hashes checked, and verify-attestation takes the same reference."""
    import hashlib

    sha = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hf" / "hub" / "models--org--tiny"
    (repo / "blobs").mkdir(parents=True)
    for f in sorted(p for p in package.rglob("*") if p.is_file()):  # the cache's layout: snapshot links into blobs named by sha256
        blob = repo / "blobs" / hashlib.sha256(f.read_bytes()).hexdigest()
        blob.write_bytes(f.read_bytes())
        link = repo / "snapshots" / sha / f.relative_to(package)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(sha)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    ref = f"org/tiny@{sha}"
    policy = tmp_path / "team.yaml"
    policy.write_text("version: 2\nextends: research\nstages:\n  - name: pilot\n  - name: limited\n    requires: [revision-pinned, hashes-verified]\n")
    att = tmp_path / "tiny.vetting.json"
    assert main(["attest", ref, "--policy", str(policy), "--stage", "limited", "--key", str(vetter.private), "-o", str(att), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["verdict"], doc["stage"], doc["files"]) == ("pass", "limited", 4)
    predicate = json.loads(base64.b64decode(json.loads(att.read_text())["payload"]))["predicate"]
    assert predicate["model"]["revision"] == sha and predicate["model"]["pinned"] is True
    assert {r["requirement"]: r["met"] for r in predicate["requirements"]} == {"revision-pinned": True, "hashes-verified": True}
    assert main(["verify-attestation", ref, "-a", str(att), "--key", str(vetter.public), "--policy", str(policy), "--require-stage", "pilot"]) == 0
    blob = (repo / "snapshots" / sha / "config.json").resolve()
    blob.write_text("{}\n")  # the bytes under the cache changed after vetting
    assert main(["verify-attestation", ref, "-a", str(att), "--key", str(vetter.public)]) == 4
    rec = read()[-1]
    assert (rec.repo_id, rec.revision, rec.stage) == ("org/tiny", sha, "limited")
