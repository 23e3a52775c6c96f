"""VET6xx checks on built evidence (the integrity enricher is tested in tests/integrity)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ptmvet.checks.integrity import (
    commits_signed,
    hashes_match,
    lfs_pointers_resolved,
    revision_pinned,
    signature_valid,
)
from ptmvet.checks.interface import Check, Finding, Outcome, Severity
from ptmvet.evidence import (
    Evidence,
    ExpectedHash,
    FileEntry,
    GitCommit,
    GitInfo,
    IntegrityInfo,
    LfsPointer,
    SignatureStatus,
    Target,
)
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


def _sig(**kw: Any) -> Evidence:
    status = SignatureStatus(path="model.sig", **kw)
    return Evidence(target=T, files=(FileEntry("model.safetensors", 10, True),), integrity=IntegrityInfo(signature=status))


def test_vet603_signature_states() -> None:
    assert _one(signature_valid, Evidence(target=T, files=(FileEntry("w.bin", 5, True),), integrity=IntegrityInfo())).outcome is Outcome.FAIL
    assert _one(signature_valid, Evidence(target=T, integrity=IntegrityInfo())).outcome is Outcome.SKIPPED  # nothing local to look in
    ok = _one(signature_valid, _sig(verified=True, method="key", digests_match=True, signed_files=3))
    assert ok.outcome is Outcome.PASS and ok.details["signed_files"] == 3
    # Digests agree but nobody vouched for the key: not a pass, and not a failure of the package either.
    assert _one(signature_valid, _sig(verified=None, digests_match=True)).outcome is Outcome.SKIPPED
    bad = _one(signature_valid, _sig(verified=None, digests_match=False, mismatched=("config.json",)))
    assert bad.outcome is Outcome.FAIL and bad.severity is Severity.HIGH and "differs: config.json" in bad.evidence
    assert _one(signature_valid, _sig(verified=False, message="wrong key")).outcome is Outcome.FAIL


def test_vet603_anchor_given_but_unusable_does_not_ask_for_one() -> None:
    # A key was given but could not be used: the finding says why, not "give a key".
    unusable = _one(signature_valid, _sig(verified=None, digests_match=True, anchor_given=True, message="could not verify: bad PEM"))
    assert unusable.outcome is Outcome.SKIPPED and "bad PEM" in unusable.message and "--key" not in unusable.message
    none = _one(signature_valid, _sig(verified=None, digests_match=True, message="signature parsed; not authenticated"))
    assert none.outcome is Outcome.SKIPPED and "no trusted key or CA was given" in none.message


def _history(*statuses: str, **kw: Any) -> Evidence:
    commits = tuple(GitCommit(sha=f"{i:040x}", author="Dev", author_email="d@example.org", date="2026-01-01", subject=f"c{i}", signature=s) for i, s in enumerate(statuses))
    return Evidence(target=Target(name="r", source="git"), git=GitInfo(head=commits[0].sha if commits else None, branch="main", remote_url=None, commits=commits, **kw))


def test_vet605_commit_signatures() -> None:
    f = _one(commits_signed, _history("G", "N"))
    assert f.outcome is Outcome.PASS and f.details["by_status"] == {"G": 1, "N": 1}
    bad = _one(commits_signed, _history("G", "B"))
    assert bad.outcome is Outcome.FAIL and bad.severity is Severity.HIGH and "bad or revoked" in bad.message
    shallow = _one(commits_signed, _history("N", shallow=True))
    assert shallow.outcome is Outcome.FAIL and "shallow clone" in shallow.message
    assert _one(commits_signed, _history()).outcome is Outcome.SKIPPED
    assert _one(commits_signed, _history("G", error="not a readable git repository")).outcome is Outcome.SKIPPED
    assert _one(commits_signed, Evidence(target=T)).outcome is Outcome.SKIPPED
