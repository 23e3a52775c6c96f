"""Real model cards from the February 2022 dump in ../shared/corpora, for tests that read many."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest


def cards_2022(corpora: Path, *, every: int, count: int, offset: int = 0, max_chars: int | None = None) -> list[str]:
    """``count`` card texts: the archive members at ``offset``, ``offset + every``, ... (skips when the dump is absent)."""
    tarball = corpora / "hf-model-infos-cards-2022-02-saranscript" / "model_cards.tar.gz"
    if not tarball.is_file():
        pytest.skip("2022 card dump not present")
    texts: list[str] = []
    with tarfile.open(tarball) as tf:
        for i, m in enumerate(tf):
            fh = tf.extractfile(m) if m.isfile() and i % every == offset else None
            if fh is not None:
                texts.append(fh.read().decode("utf-8", "replace")[:max_chars])
            if len(texts) >= count:
                break
    return texts
