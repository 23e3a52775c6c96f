"""Training datasets named by a card: metadata, Hub dataset links, "trained on X" phrases, training-data sections.

A name in prose becomes a dataset id only when the registry knows it
(:func:`ptmvet.cardinfo.known.dataset_id`); names it does not know are dropped,
so that precision stays high.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ptmvet.cardinfo.known import dataset_id, norm

_DS_LINK = re.compile(r"huggingface\.co/datasets/([A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?)", re.I)
_TRAINED_ON = re.compile(
    r"\b(?:(?:pre-?|further |continued |fine-?|instruction[- ])?train(?:ed|ing)|fine-?tuned|finetuned|distilled|adapted)"
    r"(?:\s+(?:\S+\s+){0,6}?)?\s*(?:on|using|with)\s+(?:the\s+|a\s+|an\s+)?(?:following\s+)?"
    r"([^\n.;:()]{2,120})",
    re.I,
)
_SPLIT_NAMES = re.compile(r",\s*|\s+and\s+|\s+&\s+|\s+plus\s+|\s*\+\s*|\s+as well as\s+", re.I)
_TRIM_AFTER = re.compile(
    r"\s+(?:dataset|datasets|corpus|corpora|data|benchmark|task|for|with|to|which|that|using|in order|by|from|in|at|as|consisting|containing|of|\(|\[|https?:).*$",
    re.I,
)
_MD_LINK = re.compile(r"\[([^\]]{1,120})\]\(([^)\s]{1,300})\)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.{1,200})$", re.M)
_NOT_DATA = frozenset({"none", "unknown", "null", "an unknown dataset", "custom", "own", "private", "this", "it", "top", "our"})


@dataclass(frozen=True)
class DatasetMention:
    """A dataset the card names, as an id when known, and where it was read."""

    id: str
    source: str  # front-matter, card-link, card-text, training-section
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "evidence": self.evidence}


def _candidates(phrase: str) -> Iterable[str]:
    """Names in a phrase after "trained on": each item of a list, the longest prefix first."""
    phrase = _MD_LINK.sub(lambda m: m.group(1), phrase)
    for part in _SPLIT_NAMES.split(phrase):
        part = _TRIM_AFTER.sub("", part.strip()).strip(" `*_\"'")
        words = part.split()
        for n in range(min(len(words), 4), 0, -1):
            yield " ".join(words[:n])


def resolve(phrase: str) -> str | None:
    """The first known dataset id among the names a phrase holds."""
    for cand in _candidates(phrase):
        if cand.lower() in _NOT_DATA or len(norm(cand)) < 2:
            continue
        ds = dataset_id(cand)
        if ds:
            return ds
    return None


def find_datasets(metadata: Mapping[str, Any], prose: str, training_sections: Iterable[str] = ()) -> tuple[DatasetMention, ...]:
    """Every dataset the card names, in order of strength; ids not repeated."""
    out: list[DatasetMention] = []
    seen: set[str] = set()

    def add(ds: str | None, source: str, evidence: str) -> None:
        if ds and norm(ds) not in seen and ds.lower() not in _NOT_DATA:
            seen.add(norm(ds))
            out.append(DatasetMention(ds, source, evidence))

    raw = metadata.get("datasets")
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    for v in values:
        if isinstance(v, str) and v.strip():
            add(v.strip(), "front-matter", f"datasets: {v.strip()}")
    for m in _DS_LINK.finditer(prose):
        line_start = prose.rfind("\n", 0, m.start()) + 1
        line = prose[line_start : prose.find("\n", m.end()) if "\n" in prose[m.end() :] else len(prose)]
        if re.search(r"\b(bias|evaluat|benchmark|recommend|see also|compare)", line, re.I) and not re.search(r"\btrain|fine-?tun", line, re.I):
            continue  # a dataset recommended for probing or evaluation, not training data
        add(m.group(1).rstrip("."), "card-link", m.group(0))
    for m in _TRAINED_ON.finditer(_MD_LINK.sub(lambda x: x.group(1), prose)):
        add(resolve(m.group(1)), "card-text", " ".join(m.group(0).split())[:120])
    for text in training_sections:
        for b in _BULLET.finditer(text):
            item = b.group(1)
            link = _MD_LINK.search(item)
            add(resolve(link.group(1) if link else item.split(":")[0]), "training-section", item.strip()[:120])
    return tuple(out)
