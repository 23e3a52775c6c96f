"""Recall and false positives on the peers' own test expectations (tests/scan/peer_corpora.py).

The corpus is built from the pinned sdists that ``make testdata`` fetches; without
them (offline, fresh clone) these tests skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.scan.peer_corpora import CACHE, PINS, Sample, build, sdist

from ptmvet.scan import Verdict, scan_file


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Sample]:
    if not all(sdist(n).exists() for n in PINS):
        pytest.skip(f"peer sdists not fetched into {CACHE} (run `make testdata`)")
    return build(tmp_path_factory.mktemp("peer-corpus"))


def _flagged(path: Path) -> bool:
    """Whether the default gate of `ptmvet scan` fails on the file."""
    return scan_file(path).verdict.rank >= Verdict.UNKNOWN.rank


def test_corpus_covers_every_peer(corpus: list[Sample]) -> None:
    sources = {s.source for s in corpus if s.label == "malicious"}
    assert sources == set(PINS)
    assert sum(s.label == "benign" for s in corpus) >= 30


def test_every_malicious_sample_is_caught(corpus: list[Sample]) -> None:
    missed = [str(s.path) for s in corpus if s.label == "malicious" and not _flagged(s.path)]
    assert missed == []


def test_no_false_positive(corpus: list[Sample]) -> None:
    flagged = [str(s.path) for s in corpus if s.label == "benign" and _flagged(s.path)]
    assert flagged == []


def test_pickle_gadgets_are_dangerous_not_just_unknown(corpus: list[Sample]) -> None:
    # the denylist names the peers' gadgets: they read "dangerous", not merely "not on the allowlist"
    weak = [
        str(s.path)
        for s in corpus
        if s.label == "malicious" and s.kind == "pickle" and scan_file(s.path).verdict is not Verdict.DANGEROUS
    ]
    assert weak == []
