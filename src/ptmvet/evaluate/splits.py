"""Known sizes of the common datasets' splits: is a local file the whole split or a sample of it?

The table (``data/split_sizes.csv``) lists the rows of the published splits of
common evaluation sets. A measurement on fewer rows than the claimed split has
is on a sample: its value is shown as an indication, never as a verdict on the
claim. ``--split-size N`` gives the size when the table does not know the set.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ptmvet.evaluate.datasets import SPLIT_ALIASES, _aliases, _norm

TABLE = Path(__file__).resolve().parent.parent / "data" / "split_sizes.csv"


@dataclass(frozen=True)
class SplitSize:
    dataset: str
    config: str | None
    split: str
    rows: int


@functools.cache
def table() -> tuple[SplitSize, ...]:
    """The rows of ``data/split_sizes.csv``."""
    with TABLE.open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    return tuple(SplitSize(r["dataset"], r["config"] or None, r["split"], int(r["rows"])) for r in csv.DictReader(lines))


def canonical_split(split: str | None) -> str | None:
    """``dev`` -> ``validation``, ``testing`` -> ``test``; other names (``validation_matched``) as given, lower-cased."""
    if not split:
        return None
    s = split.strip().lower()
    return next((k for k, aliases in SPLIT_ALIASES.items() if s in aliases), s)


def known_split_size(names: Iterable[str | None], config: str | None, split: str | None) -> SplitSize | None:
    """The published size of ``split`` of the dataset called any of ``names`` (config-aware), or None."""
    want_split = canonical_split(split)
    if want_split is None:
        return None
    wanted: set[str] = set()
    for n in (*names, config):
        if n:
            wanted |= _aliases(n)
    cfg = _norm(config) if config else None
    hits: list[SplitSize] = []
    for row in table():
        if not (_aliases(row.dataset) & wanted) or canonical_split(row.split) != want_split:
            continue
        if cfg is not None and row.config is not None and _norm(row.config) != cfg:
            continue
        hits.append(row)
    exact = [r for r in hits if cfg is not None and r.config is not None and _norm(r.config) == cfg]
    if exact:
        return exact[0]
    if len({r.rows for r in hits}) == 1:
        return hits[0]
    return None  # unknown, or several configs of different sizes and the claim names none


def subset_note(rows: int, size: int, *, name: str, split: str | None, source: str) -> str:
    """How a sample is described in a measurement."""
    where = f"{name} {split}" if split else name
    return f"a sample: {rows:,} of the {size:,} rows of {where} ({source})"
