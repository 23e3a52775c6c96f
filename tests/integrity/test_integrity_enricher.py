"""The integrity enricher end to end on real folders: hashes, manifests, HF cache blobs, signatures feeding VET601/VET603."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ptmvet.checks.integrity import hashes_match
from ptmvet.checks.interface import Check, Finding, Outcome
from ptmvet.enrich.integrity import integrity_enricher
from ptmvet.evidence import Evidence
from ptmvet.integrity.signing import sign_model
from ptmvet.pipeline import VetOptions, vet_evidence
from ptmvet.sources.local import collect_folder


def _one(c: Check, ev: Evidence) -> Finding:
    findings = list(c.fn(ev))
    assert len(findings) == 1
    return findings[0]


def _vet(folder: Path, **extra: Any) -> dict[str, Finding]:
    ev = collect_folder(folder)
    report = vet_evidence(ev, VetOptions(checks=("VET601", "VET602", "VET603", "VET604", "VET605"), deep_scan=False, **extra))
    return {f.check_id: f for f in report.findings}


def test_enricher_and_signature_end_to_end(package: Path, keys: Any, other_keys: Any) -> None:
    found = _vet(package)
    assert found["VET603"].outcome is Outcome.FAIL and "no model signature" in found["VET603"].message
    assert found["VET602"].outcome is Outcome.PASS
    sign_model(package, key=keys.private)
    found = _vet(package)
    assert found["VET603"].outcome is Outcome.SKIPPED and "not authenticated" in found["VET603"].message
    assert _vet(package, signature_key=Path(keys.public))["VET603"].outcome is Outcome.PASS
    assert _vet(package, signature_key=Path(other_keys.public))["VET603"].outcome is Outcome.FAIL
    (package / "config.json").write_text("{}")
    f = _vet(package)["VET603"]
    assert f.outcome is Outcome.FAIL and f.details["mismatched"] == ["config.json"]


def test_enricher_hashes_and_manifest_expectation(package: Path, tmp_path: Path) -> None:
    from ptmvet.integrity.manifest import build_manifest, write_manifest

    man = tmp_path / "m.json"
    write_manifest(build_manifest(package), man)
    ev = integrity_enricher(collect_folder(package), VetOptions(manifest=man), None)
    assert ev.integrity is not None
    assert ev.integrity.hashes["config.json"] == hashlib.sha256((package / "config.json").read_bytes()).hexdigest()
    assert len(ev.integrity.hashes) == 4
    assert ev.integrity.bytes_hashed == sum(p.stat().st_size for p in package.rglob("*") if p.is_file())
    assert _one(hashes_match, ev).outcome is Outcome.PASS
    (package / "config.json").write_text("{}")
    ev = integrity_enricher(collect_folder(package), VetOptions(manifest=man), None)
    assert _one(hashes_match, ev).outcome is Outcome.FAIL
    ev = integrity_enricher(collect_folder(package), VetOptions(hash_files=False), None)
    assert ev.integrity is not None and ev.integrity.hashes == {}


def test_hf_cache_blob_names_are_expected_digests(tmp_path: Path) -> None:
    data = b"weights" * 100
    sha = hashlib.sha256(data).hexdigest()
    repo = tmp_path / "models--o--m"
    (repo / "blobs").mkdir(parents=True)
    (repo / "blobs" / sha).write_bytes(data)
    snap = repo / "snapshots" / ("c" * 40)
    snap.mkdir(parents=True)
    (snap / "model.safetensors").symlink_to(Path("..") / ".." / "blobs" / sha)
    ev = integrity_enricher(collect_folder(snap), VetOptions(), None)
    assert _one(hashes_match, ev).outcome is Outcome.PASS
    (repo / "blobs" / sha).write_bytes(data + b"!")  # the cache blob was modified in place
    ev = integrity_enricher(collect_folder(snap), VetOptions(), None)
    assert _one(hashes_match, ev).outcome is Outcome.FAIL


def test_signature_not_examined_without_hashing_says_so(package: Path, keys: Any, tmp_path: Path) -> None:
    sign_model(package, key=keys.private)
    f = _vet(package, hash_files=False, signature_key=Path(keys.public))["VET603"]
    assert f.outcome is Outcome.SKIPPED
    assert "not examined" in f.message and "0 digests" not in f.message and "no trusted key" not in f.message
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key\n")
    f = _vet(package, signature_key=bad)["VET603"]
    assert f.outcome is Outcome.SKIPPED and "bad.pem" in f.message and "no trusted key or CA was given" not in f.message
