"""VET6xx checks on built evidence (the integrity enricher is tested in tests/integrity)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptmvet.checks.integrity import hashes_match, lfs_pointers_resolved, revision_pinned, signature_valid
from ptmvet.checks.interface import Check, Finding, Outcome
from ptmvet.evidence import Evidence, ExpectedHash, FileEntry, IntegrityInfo, LfsPointer, Target
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


def test_signature_check_skips_without_integrity_data() -> None:
    assert _one(signature_valid, Evidence(target=T)).outcome is Outcome.SKIPPED
