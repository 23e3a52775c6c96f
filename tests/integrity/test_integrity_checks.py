"""VET6xx checks on built evidence, and the enricher end to end on real folders."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from ptmvet.checks.integrity import hashes_match, lfs_pointers_resolved, revision_pinned, signature_valid
from ptmvet.checks.interface import Check, Finding, Outcome
from ptmvet.enrich.integrity import integrity_enricher
from ptmvet.evidence import Evidence, ExpectedHash, FileEntry, IntegrityInfo, LfsPointer, Target
from ptmvet.integrity.signing import sign_model
from ptmvet.pipeline import VetOptions, vet_evidence
from ptmvet.sources.local import collect_folder


def _one(c: Check, ev: Evidence) -> Finding:
    findings = list(c.fn(ev))
    assert len(findings) == 1
    return findings[0]


T = Target(name="m", source="local")


def test_vet601_registry_and_cache_digests() -> None:
    files = (FileEntry("model.safetensors", 10, True, registry_sha256="a" * 64, registry_size=10), FileEntry("config.json", 2, True))
    ok = Evidence(target=T, files=files, integrity=IntegrityInfo(hashes={"model.safetensors": "a" * 64, "config.json": "c" * 64}))
    assert _one(hashes_match, ok).outcome is Outcome.PASS
    bad = Evidence(target=T, files=files, integrity=IntegrityInfo(hashes={"model.safetensors": "b" * 64}))
    f = _one(hashes_match, bad)
    assert f.outcome is Outcome.FAIL and "model.safetensors" in f.evidence[0]
    cache = Evidence(
        target=T,
        files=(FileEntry("w.bin", 5, True),),
        integrity=IntegrityInfo(hashes={"w.bin": "d" * 64}, expected={"w.bin": ExpectedHash("e" * 64, None, "hf-cache-blob")}),
    )
    assert "hf-cache-blob" in _one(hashes_match, cache).evidence[0]
    unknown = Evidence(target=T, files=(FileEntry("config.json", 2, True),), integrity=IntegrityInfo(hashes={"config.json": "c" * 64}))
    assert _one(hashes_match, unknown).outcome is Outcome.SKIPPED
    assert _one(hashes_match, Evidence(target=T)).outcome is Outcome.SKIPPED


def test_vet602_on_the_real_lfs_pointer_mirror(corpora: Path) -> None:
    ev = collect_folder(corpora / "hf-model-repos-github-mirrors" / "distilbert-base-uncased-finetuned-sst-2-english")
    f = _one(lfs_pointers_resolved, ev)
    assert f.outcome is Outcome.FAIL and f.message.startswith("weights missing")
    assert "pytorch_model.bin" in f.evidence[0] and "267,844,284 bytes" in f.evidence[0]
    clean = Evidence(target=T, files=(FileEntry("model.safetensors", 10, True),))
    assert _one(lfs_pointers_resolved, clean).outcome is Outcome.PASS


def test_vet602_pointer_oid_against_registry() -> None:
    ptr = LfsPointer(oid="a" * 64, size=99)
    ev = Evidence(target=T, files=(FileEntry("model.bin", 130, True, lfs_pointer=ptr, registry_sha256="b" * 64),), integrity=IntegrityInfo())
    assert _one(hashes_match, ev).outcome is Outcome.FAIL


@pytest.mark.parametrize(
    "target, outcome",
    [
        (Target(name="o/m", source="hub", repo_id="o/m", revision="a" * 40, requested_revision="a" * 40), Outcome.PASS),
        (Target(name="o/m", source="hub", repo_id="o/m", revision="a" * 40, requested_revision="main"), Outcome.FAIL),
        (Target(name="o/m", source="hf-cache", repo_id="o/m", revision=None, requested_revision="v1"), Outcome.FAIL),
        (Target(name="m", source="local"), Outcome.NOT_APPLICABLE),
    ],
)
def test_vet604(target: Target, outcome: Outcome) -> None:
    assert _one(revision_pinned, Evidence(target=target)).outcome is outcome


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


def test_signature_check_skips_without_integrity_data() -> None:
    assert _one(signature_valid, Evidence(target=T)).outcome is Outcome.SKIPPED
