"""Training datasets named by a card: metadata, Hub dataset links, "trained on X" phrases, training-data sections and tables.

A name in prose becomes a dataset id only when the registry knows it
(:func:`ptmvet.cardinfo.known.dataset_id`); names it does not know are dropped,
so that precision stays high. Places that list datasets by construction (the
data column of a training-data table, a "Sources" row) match names more
loosely: any known id with the same letters, "corpus"/"dataset" suffixes and
subtitles dropped; a Sources item the registry does not know is kept by name
only when the name itself says it is a corpus, treebank or dataset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ptmvet.cardinfo import _gate
from ptmvet.cardinfo.claims import markdown_tables, metric_id
from ptmvet.cardinfo.known import DATASET_ALIASES, dataset_id, dataset_ids, norm


def _fast(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` for lower-cased text (:func:`_gate.finditer` leads it with a look-ahead on its first letters)."""
    return re.compile(rx.pattern, rx.flags & ~re.IGNORECASE)


def _finditer(rx: re.Pattern[str], fast: re.Pattern[str], text: str, low: str) -> list[tuple[str, str, int]]:
    """(whole match, group 1, start) in the original text, found on its lower-cased copy when lengths agree."""
    if len(low) == len(text):
        return [(text[m.start() : m.end()], text[m.start(1) : m.end(1)], m.start()) for m in _gate.finditer(fast, low)]
    return [(m.group(0), m.group(1), m.start()) for m in _gate.finditer(rx, text)]


@lru_cache(maxsize=1)
def _well_known_lower() -> frozenset[str]:
    """Dataset ids that name well-known corpora (the alias table's targets), lower case."""
    return frozenset(d.lower() for d in DATASET_ALIASES.values())

_DS_LINK = re.compile(r"huggingface\.co/datasets/([A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?)", re.I)
_TRAINED_ON = re.compile(
    r"\b(?:(?:pre-?|further |continued |fine-?|instruction[- ])?train(?:ed|ing)|fine-?tuned|finetuned|distilled|adapted)"
    r"(?:\s+(?:\S+\s+){0,6}?)?\s*(?:on|using|with)\s+(?:the\s+|a\s+|an\s+)?(?:following\s+)?"
    r"([^\n.;:]{2,160})",
    re.I,
)
#: "a cleaned version of OSCAR", "a subset of the C4 dataset", "UPOS tags from (UD_Bulgarian-BTB)"
_PART_OF = re.compile(r"\b(?:version|subset|portion|part|sample|dump|split|copy) of (?:the )?([^\n.;:]{2,100})", re.I)
#: Key-value rows naming the data: "| **Sources** | [Universal Dependencies v2.5](...) |"
_SOURCE_ROW = re.compile(r"^\s*\|\s*\**(?:sources?|training data|datasets?|corpus|corpora)\**\s*\|\s*(.+?)\s*\|?\s*$", re.I | re.M)
_SPLIT_NAMES = re.compile(r",\s*|\s+and\s+|\s+&\s+|\s+plus\s+|\s*\+\s*|\s+as well as\s+|\s*\(\s*|\s*\)\s*", re.I)
_NEGATED = re.compile(r"\b(?:not|never|n't|without|nor)\b(?:\s+\S+){0,3}\s*$", re.I)
#: "should be fine-tuned on a downstream task, like emotion recognition": advice to the reader, not history
_ADVISED = re.compile(r"\b(?:should|can|could|may|might|must|needs? to|has to|have to|is meant to|is intended to)\s+(?:also\s+|first\s+)?be\s*$", re.I)
_TRIM_AFTER = re.compile(
    r"\s+(?:dataset|datasets|corpus|corpora|data|benchmark|task|for|with|to|which|that|using|in order|by|from|in|at|as|consisting|containing|of|\(|\[|https?:).*$",
    re.I,
)
#: "…, aka LFW": the name after it is the dataset's short name
_ALSO_KNOWN = re.compile(r"^\s*(?:aka|a\.k\.a\.?|also known as|i\.e\.|namely)\s+", re.I)
#: "AMI-IHM", "VCTK-Corpus": an upper-case dataset name with a variant or part after a hyphen
_VARIANT = re.compile(r"^([A-Z][A-Z0-9]{2,})-[A-Za-z0-9-]+$")
#: "fine-tuned on the [FRENK dataset](…)": a linked, capitalised name the card itself calls a dataset
_TRAINED_ON_NAMED = re.compile(
    r"\b(?i:trained|fine-?tuned|finetuned)\s+(?:\w+\s+){0,3}?on\s+(?:the\s+)?\[([A-Z][\w.-]*(?:\s+[A-Z0-9][\w.-]*){0,3})\s+(?:dataset|corpus|corpora|treebank)\]\("
)
#: "we used a classifier trained on X": another model's training data
_OTHER_MODEL = re.compile(r"\b(?:a|an|another|other)\s+(?:[\w-]+\s+){0,2}(?:model|classifier|network|tagger)s?\s*$", re.I)
_MD_LINK = re.compile(r"\[([^\]]{1,120})\]\(([^)\s]{1,300})\)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.{1,200})$", re.M)
#: Words that follow "trained on" without naming a dataset (some are also dataset ids on the Hub).
_NOT_DATA = frozenset(
    {"none", "unknown", "unkown", "null", "an unknown dataset", "custom", "own", "private", "this", "it", "top", "our", "my",
     "tweets", "tweet", "lyrics", "text", "texts", "data", "dataset", "corpus", "news", "reviews", "books", "google", "colab",
     "gpu", "gpus", "tpu", "tpus", "v100", "a100", "kaggle", "english", "the", "a", "an", "all", "both", "each", "several",
     "various", "multiple", "large", "small", "raw", "labeled", "labelled", "unlabeled", "public", "internal"}
)  # fmt: skip
_DATASET_LINE = re.compile(r"^\s*[*-]\s*datasets?\s*:\s*([\w./-]+)\s*$", re.M | re.I)
_TAKEN_FROM = re.compile(r"\b(?:data|corpus|corpora|dataset)\s+(?:was|were|is|are)\s+(?:\w+\s+)?(?:taken|collected|drawn|sourced|obtained|derived)\s+from\s+(?:the\s+)?([^\n.;:()]{2,80})", re.I)
_TRAINED_ON_LOW = _fast(_TRAINED_ON)
_TAKEN_FROM_LOW = _fast(_TAKEN_FROM)
_PART_OF_LOW = _fast(_PART_OF)


@dataclass(frozen=True)
class DatasetMention:
    """A dataset the card names, as an id when known, and where it was read."""

    id: str
    source: str  # front-matter, card-link, card-text, card-table, training-section
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "evidence": self.evidence}


def _candidates(phrase: str) -> Iterable[str]:
    """Names in a phrase after "trained on": each item of a list, the longest prefix first."""
    phrase = _MD_LINK.sub(lambda m: m.group(1), phrase)
    for part in _SPLIT_NAMES.split(phrase):
        part = _ALSO_KNOWN.sub("", part)
        whole = part.strip().strip(" `*_\"'").split()
        if 1 < len(whole) <= 3:
            yield " ".join(whole)  # "Books Corpus" before it is trimmed to "Books"
        part = _TRIM_AFTER.sub("", part.strip()).strip(" `*_\"'")
        words = part.split()
        for n in range(min(len(words), 4), 0, -1):
            yield " ".join(words[:n])


def resolve_all(phrase: str) -> list[str]:
    """Every known dataset a list phrase names ("JRC-ACQUIS, EUROPARL, and DCEP")."""
    out: list[str] = []
    for part in _SPLIT_NAMES.split(_MD_LINK.sub(lambda m: m.group(1), phrase)):
        ds = resolve(part)
        if ds and ds not in out:
            out.append(ds)
    return out


def resolve(phrase: str) -> str | None:
    """The first known dataset id among the names a phrase holds.

    "GLUE MNLI" is the ``glue`` dataset (MNLI is its config), not MultiNLI.
    """
    for cand in _candidates(phrase):
        if cand.lower() in _NOT_DATA or len(norm(cand)) < 2:
            continue
        if re.match(r"\(?UD_[A-Z]", cand):
            return "universal_dependencies"  # a Universal Dependencies treebank (UD_Bulgarian-BTB)
        first = cand.split()[0].lower()
        if first in ("glue", "superglue", "super_glue") and len(cand.split()) > 1:
            return "glue" if first == "glue" else "super_glue"
        ds = dataset_id(cand)
        if ds and ds.lower() not in _NOT_DATA:
            if "/" in ds and ds.lower() != cand.lower():
                # "MS MARCO passage" matched only by its letters to someone's derived copy
                # (Tevatron/msmarco-passage): a well-known corpus named by its first words wins
                wider = _well_known_prefix(cand)
                if wider:
                    return wider
            return ds
    for cand in _candidates(phrase):
        if _VARIANT.match(cand):
            parts = cand.split("-")  # the longest known name first: "PAWS-X-fr" is PAWS-X, not PAWS
            for k in range(len(parts) - 1, 0, -1):
                ds = dataset_id("-".join(parts[:k]))
                if ds and ds.lower() not in _NOT_DATA:
                    return ds
    return None


def _well_known_prefix(name: str) -> str | None:
    words = name.split()
    for n in range(len(words) - 1, 0, -1):
        key = norm(" ".join(words[:n]))
        if key in DATASET_ALIASES:
            return DATASET_ALIASES[key]
    return None


#: A table column that lists the data: "Dataset", "Training data", "Corpus", "Data source"
_DATA_COLUMN = re.compile(
    r"^(?:(?:training|train|fine-?tuning|pre-?training|source)\s+)?(?:datasets?|data\s*sets?|data|corpus|corpora|data\s*sources?)(?:\s+names?)?$", re.I
)
#: Headings above a table of results: its dataset column names evaluation data, not training data
_EVAL_HEADING = re.compile(r"\b(?:eval\w*|results?|benchmarks?|performance|scores?|accuracy|metrics?|leaderboard|comparison)\b", re.I)
_MODEL_COLUMN = re.compile(r"^(?:models?|checkpoints?|variants?|model names?|versions?)$", re.I)
_DECIMAL = re.compile(r"^\s*[*_]*\s*-?\d*\.\d+\s*%?|^\s*\d+(?:\.\d+)?\s*%")
_CELL_NAME_END = re.compile(r"\s*(?::|\s-\s|\s\u2013\s).*$")
#: Words that end a dataset's name without being part of its id ("TIGER Corpus", "the CodeSearchNet dataset")
_NAME_SUFFIX = re.compile(r"(?:[\s_-]+(?:corpus|corpora|dataset|datasets|data\s*set|data))+$", re.I)
#: A Sources/training-data item the registry does not know, still a dataset by its own name ("TIGER Corpus")
_NAMED_CORPUS = re.compile(r"^[A-Z][\w.-]*(?:\s+[A-Z0-9][\w.-]*){0,3}\s+(?:Corpus|Corpora|Treebank|Dataset)$")
#: "Natural Questions (NQ)": the abbreviation in parentheses is the same dataset, not a second one
_ABBREV = re.compile(r"\s*\([A-Z][A-Z0-9-]{1,7}\)")
_BR = re.compile(r"<br\s*/?>", re.I)


@lru_cache(maxsize=1)
def _by_short_name() -> dict[str, str]:
    """norm(name without owner) -> the most popular known id of that name, at any popularity."""
    best: dict[str, tuple[int, str]] = {}
    for ds, pop in dataset_ids().items():
        key = norm(ds.rsplit("/", 1)[-1])
        if len(key) >= 3 and (key not in best or (pop, ds) > best[key]):
            best[key] = (pop, ds)
    return {k: v[1] for k, v in best.items()}


def _resolve_listed(name: str) -> str | None:
    """A name in a place that lists datasets (a table's dataset column, a Sources row) as a known id.

    The place already says that the name is a dataset, so a name the prose rules
    would not trust alone ("GOOAQ", "Sentence Compression") may match a known id
    of any popularity by its letters, with "corpus"/"dataset" and a subtitle
    after a colon dropped.
    """
    name = _CELL_NAME_END.sub("", name.strip()).strip(" `*_\"'")
    if not name or name.lower() in _NOT_DATA:
        return None
    ds = resolve(name)
    if ds:
        return ds
    for variant in (name, _NAME_SUFFIX.sub("", name)):
        key = norm(variant)
        if len(key) >= 3 and not key.isdigit() and variant.lower() not in _NOT_DATA:
            found = DATASET_ALIASES.get(key) or _by_short_name().get(key)
            if found:
                return found
    return None


def _cell_names(cell: str) -> list[str]:
    """The names one table cell holds: its link texts when it has links, else its text, split at lists."""
    links = [m.group(1) for m in _MD_LINK.finditer(cell)]
    text = _ABBREV.sub("", " , ".join(links) if links else cell)
    return [p for p in (x.strip() for x in _SPLIT_NAMES.split(text)) if p]


def _header_cell(cell: str) -> str:
    """A header cell's text: link texts for links, emphasis and code marks dropped."""
    return _MD_LINK.sub(lambda m: m.group(1), cell).strip(" *_`")


def _names_metric(header: str) -> bool:
    """Whether a table header names a metric, whole or by one of its words ("Test Accuracy")."""
    return bool(header) and bool(metric_id(header) or any(metric_id(w) for w in header.split()))


def _table_datasets(prose: str) -> Iterable[tuple[str, str]]:
    """(id, row) for each known dataset in the data column of a table that lists training data.

    A table with a "Dataset" column and metric columns (or under a results
    heading, or with decimal scores) lists evaluation data, and is left alone.
    """
    for rows, heading in markdown_tables(prose, with_headings=True):
        header = [_header_cell(h) for h in rows[0]]
        col = next((i for i, h in enumerate(header) if _DATA_COLUMN.match(h)), None)
        if col is None or len(rows) < 2:
            continue
        if _EVAL_HEADING.search(heading) and not re.search(r"\btrain", heading, re.I):
            continue
        if any(_names_metric(h) for i, h in enumerate(header) if i != col):
            continue
        body = rows[1:]
        if len(body) > 1 and any(_MODEL_COLUMN.match(h) for i, h in enumerate(header) if i != col):
            continue  # one row per model (base, large, ...): the data of the card's own model is not told apart
        if any(sum(1 for r in body if i < len(r) and _DECIMAL.match(r[i])) * 2 >= len(body) for i in range(len(header)) if i != col):
            continue  # a column of scores: results, not the training mix
        for r in body:
            if col >= len(r) or not r[col]:
                continue
            for name in _cell_names(r[col]):
                ds = _resolve_listed(name)
                if ds:
                    yield ds, " | ".join(c for c in r if c)[:120]


def _in_results_table(text: str, line_start: int) -> bool:
    """Whether the table row starting at ``line_start`` belongs to a table whose header names a metric."""
    start = line_start
    while start > 0:
        prev = text.rfind("\n", 0, start - 1) + 1
        if "|" not in text[prev : start - 1]:
            break
        start = prev
    header = text[start : text.find("\n", start) if "\n" in text[start:] else len(text)]
    return any(_names_metric(_header_cell(c)) for c in header.strip().strip("|").split("|"))


def _source_items(row: str) -> Iterable[tuple[str | None, str]]:
    """(id or None, name) for each item of a Sources row ("[TIGER Corpus](…) (authors)<br />[WikiNER](…)")."""
    for item in _BR.split(row):
        link = _MD_LINK.search(item)
        name = link.group(1) if link else re.sub(r"\s*\(.*$", "", item)
        name = name.strip(" `*_\"'")
        if not name:
            continue
        found = resolve_all(name) if ("(" in name or "+" in name or "," in name) else []
        if found:
            for one in found:
                yield one, name
            continue
        known = _resolve_listed(name)
        if known:
            yield known, name
        elif _NAMED_CORPUS.match(name):
            yield None, name


def find_datasets(metadata: Mapping[str, Any], prose: str, training_sections: Iterable[str] = ()) -> tuple[DatasetMention, ...]:
    """Every dataset the card names, in order of strength; ids not repeated."""
    out: list[DatasetMention] = []
    seen: set[str] = set()

    def add(ds: str | None, source: str, evidence: str) -> None:
        if ds and norm(ds) not in seen and ds.lower() not in _NOT_DATA:
            seen.add(norm(ds))
            known = dataset_id(ds)  # "librispeech" declared and "librispeech_asr" in prose are one dataset
            if known:
                seen.add(norm(known))
            out.append(DatasetMention(ds, source, evidence))

    raw = metadata.get("datasets")
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    for v in values:
        if isinstance(v, str) and v.strip():
            words = v.split()
            # ids have no spaces: "dcep europarl jrc-acquis" is three datasets when each word is one
            parts = [dataset_id(w) for w in words] if len(words) > 1 else []
            if parts and all(parts):
                for w in words:
                    add(w, "front-matter", f"datasets: {v.strip()}")
            else:
                add(v.strip(), "front-matter", f"datasets: {v.strip()}")
    for m in _gate.finditer(_DS_LINK, prose):
        line_start = prose.rfind("\n", 0, m.start()) + 1
        line = prose[line_start : prose.find("\n", m.end()) if "\n" in prose[m.end() :] else len(prose)]
        if re.search(r"\b(bias|evaluat|benchmark|recommend|see also|compare)", line, re.I) and not re.search(r"\btrain|fine-?tun", line, re.I):
            continue  # a dataset recommended for probing or evaluation, not training data
        if "|" in line and _in_results_table(prose, line_start):
            continue  # a row of a results table: the dataset the model was scored on
        add(m.group(1).rstrip("."), "card-link", m.group(0))
    plain = _MD_LINK.sub(lambda x: x.group(1), prose) if "](" in prose else prose
    low = plain.lower()
    for whole, group, start in _finditer(_TRAINED_ON, _TRAINED_ON_LOW, plain, low):
        before = plain[max(0, start - 40) : start]
        if _NEGATED.search(before) or _ADVISED.search(before) or re.match(r"\s*any part of", group, re.I):
            continue  # "the model was not trained on any part of Wikipedia", "it should be fine-tuned on X"
        for ds in resolve_all(group):
            add(ds, "card-text", " ".join(whole.split())[:120])
    if "](" in prose:
        for m in _gate.finditer(_TRAINED_ON_NAMED, prose):
            name = m.group(1)
            before = prose[max(0, m.start() - 40) : m.start()]
            if name.lower() not in _NOT_DATA and not _NEGATED.search(before) and not _OTHER_MODEL.search(before):
                add(resolve(name) or name, "card-text", " ".join(m.group(0).split())[:120])
    well_known = _well_known_lower()
    for whole, group, start in _finditer(_PART_OF, _PART_OF_LOW, plain, low):
        if _NEGATED.search(plain[max(0, start - 60) : start]) or re.search(r"\bany\s*$", plain[max(0, start - 10) : start]):
            continue
        for ds in resolve_all(group):
            if ds.lower() in well_known:  # "a version of X" counts only for well-known corpora
                add(ds, "card-text", " ".join(whole.split())[:120])
    if "|" in prose:
        for m in _SOURCE_ROW.finditer(prose):
            for item, name in _source_items(m.group(1)):
                add(item or name, "card-table", " ".join(m.group(0).split())[:120])
        for listed, row in _table_datasets(prose):
            add(listed, "card-table", row)
    for whole, group, _ in _finditer(_TAKEN_FROM, _TAKEN_FROM_LOW, plain, low):
        add(resolve(group), "card-text", " ".join(whole.split())[:120])
    for m in _gate.finditer(_DATASET_LINE, prose):
        add(resolve(m.group(1)), "card-text", m.group(0).strip())
    for text in training_sections:
        for b in _BULLET.finditer(text):
            item = b.group(1)
            link = _MD_LINK.search(item)
            add(resolve(link.group(1) if link else item.split(":")[0]), "training-section", item.strip()[:120])
    return tuple(out)
