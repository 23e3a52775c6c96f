"""Claims from the command line and from a claims file.

``--claim`` syntax (docs/claims-file.md)::

    DATASET[:CONFIG][/SPLIT]:METRIC=VALUE      e.g.  stsb:spearman=82.03
                                                     glue:sst2/validation:accuracy=91.3
                                                     mteb/stsbenchmark-sts/test:spearman=0.8203

The last ``:`` before ``=`` separates the metric; a ``/`` part is the split
only when it is a split name (train, validation, dev, test, ...), so dataset
ids with an owner (``mteb/stsbenchmark-sts``) still parse. A ``TASK@`` prefix
names the task (``sentence-similarity@stsb:spearman=82.03``).

A claims file is YAML: ``{version: 1, claims: [...]}`` or a ``model-index``
document (see docs/claims-file.md for every key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ptmvet.card import Claim, claims_from_model_index, to_float
from ptmvet.errors import InputError, UsageError
from ptmvet.evaluate.datasets import SPLIT_ALIASES

_SPLIT_WORDS = {a for aliases in SPLIT_ALIASES.values() for a in aliases}
CLAIM_KEYS = {"task", "dataset", "dataset_name", "config", "split", "metric", "metric_config", "value", "data", "columns", "name", "source"}


@dataclass(frozen=True)
class ClaimSpec:
    """A claim plus where its data lives and how its columns are named (user claims only)."""

    claim: Claim
    data: Path | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    #: When ``data`` is only part of the claimed split, what part: the measurement is then
    #: indicative and the claim not-verifiable (a subset is not a like-for-like check).
    subset: str | None = None


def _is_split(word: str) -> bool:
    w = word.lower()
    return w in _SPLIT_WORDS or bool(re.fullmatch(r"(train|test|validation|dev)([_\-.][\w\-.]+|\[.*\])", w))


def parse_claim(text: str) -> Claim:
    """Parse ``[TASK@]DATASET[:CONFIG][/SPLIT]:METRIC=VALUE``; raises UsageError with the syntax."""
    syntax = "expected [TASK@]DATASET[:CONFIG][/SPLIT]:METRIC=VALUE, e.g. stsb:spearman=82.03"
    left, eq, raw = text.strip().rpartition("=")
    if not eq or not left or not raw.strip():
        raise UsageError(f"bad --claim {text!r}: {syntax}")
    value = to_float(raw)
    if value is None:
        raise UsageError(f"bad --claim {text!r}: value {raw!r} is not a number")
    task = None
    if "@" in left:
        task, left = left.split("@", 1)
        task = task.strip() or None
    ds_part, colon, metric = left.rpartition(":")
    if not colon or not ds_part or not metric.strip():
        raise UsageError(f"bad --claim {text!r}: {syntax}")
    split = config = None
    head, slash, tail = ds_part.rpartition("/")
    if slash and head and _is_split(tail):
        split, ds_part = tail, head
    dataset, colon, cfg = ds_part.partition(":")
    if colon:
        config = cfg.strip() or None
    if not dataset.strip():
        raise UsageError(f"bad --claim {text!r}: no dataset")
    return Claim(
        task_type=task,
        dataset_name=dataset.strip(),
        dataset_type=dataset.strip(),
        dataset_config=config,
        dataset_split=split,
        metric_type=metric.strip(),
        value=value,
        raw_value=raw.strip(),
        source="cli",
    )


def load_claims_file(path: Path) -> list[ClaimSpec]:
    """Read a claims YAML file (``version: 1`` schema or a ``model-index`` document)."""
    try:
        doc = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read claims file {path}: {exc}", path=str(path)) from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML ({' '.join(str(exc).split())[:200]})") from exc
    if isinstance(doc, Mapping) and ("model-index" in doc or "model_index" in doc):
        claims, errors = claims_from_model_index(doc.get("model-index", doc.get("model_index")), source="user")
        if errors and not claims:
            raise UsageError(f"{path}: {errors[0]}")
        return [ClaimSpec(c) for c in claims]
    if not isinstance(doc, Mapping) or not isinstance(doc.get("claims"), list):
        raise UsageError(f"{path}: a claims file is a mapping with a 'claims' list (see docs/claims-file.md)")
    version = doc.get("version", 1)
    if version != 1:
        raise UsageError(f"{path}: unsupported claims file version {version!r} (this ptmvet reads version 1)")
    out: list[ClaimSpec] = []
    for i, item in enumerate(doc["claims"], start=1):
        where = f"{path}: claim {i}"
        if not isinstance(item, Mapping):
            raise UsageError(f"{where} is not a mapping")
        unknown = set(map(str, item)) - CLAIM_KEYS
        if unknown:
            raise UsageError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(CLAIM_KEYS)})")
        for key in ("dataset", "metric", "value"):
            if item.get(key) in (None, ""):
                raise UsageError(f"{where}: '{key}' is required")
        value = to_float(item["value"])
        if value is None:
            raise UsageError(f"{where}: value {item['value']!r} is not a number")
        columns = item.get("columns") or {}
        if not isinstance(columns, Mapping):
            raise UsageError(f"{where}: 'columns' must map roles to column names")
        data = item.get("data")
        data_path = (path.parent / str(data)).resolve() if data else None
        claim = Claim(
            task_type=_opt(item.get("task")),
            dataset_name=_opt(item.get("dataset_name")) or str(item["dataset"]),
            dataset_type=str(item["dataset"]),
            dataset_config=_opt(item.get("config")),
            dataset_split=_opt(item.get("split")),
            metric_type=str(item["metric"]),
            metric_config=_opt(item.get("metric_config")),
            value=value,
            raw_value=item["value"] if isinstance(item["value"], (int, float, str)) else None,
            source=_opt(item.get("source")) or "user",
            model_name=_opt(item.get("name")),
        )
        out.append(ClaimSpec(claim, data_path, {str(k): str(v) for k, v in columns.items()}))
    return out


def _opt(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None
