"""Reconcile a model's ``id2label`` with the labels of the evaluation data.

A wrong label map is the commonest false discrepancy: a model whose config
says ``LABEL_0``/``LABEL_1`` evaluated on ``negative``/``positive`` data, or a
config whose names are in another order than the training labels. The map is
built explicitly (:func:`build_label_map`) and reported; after the run,
:func:`check_permutation` looks for a relabelling that fits far better
(Hungarian assignment on the confusion matrix).

"Far better" means: the best one-to-one relabelling raises accuracy by at
least ``min_gain`` (10 points) on at least 20 rows. The measurement itself
always uses the declared map; the better one is only reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

_GENERIC = re.compile(r"^(label[_ ]?)?\d+$", re.I)
#: Spellings that mean the same class.
SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"negative", "neg", "bad", "no"}),
    frozenset({"positive", "pos", "good", "yes"}),
    frozenset({"neutral", "neu"}),
    frozenset({"entailment", "entails", "entail"}),
    frozenset({"contradiction", "contradicts", "contra"}),
    frozenset({"notentailment", "nonentailment"}),
    frozenset({"equivalent", "paraphrase"}),
    frozenset({"notequivalent", "notparaphrase", "nonparaphrase"}),
)
MIN_GAIN = 0.10
MIN_ROWS = 20


def _key(name: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(name).lower())


def _same(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    return ka == kb or any(ka in g and kb in g for g in SYNONYMS)


def is_generic(names: Sequence[str]) -> bool:
    """Whether model label names carry no meaning (``LABEL_0``, ``0``)."""
    return all(_GENERIC.match(str(n).strip()) for n in names)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.0+)?\s*", value):
        return int(float(value))
    return None


@dataclass(frozen=True)
class LabelMap:
    """How data labels are turned into the model's class indices, and why."""

    model_labels: tuple[str, ...]  # id2label in id order
    mapping: Mapping[str, int]  # data label (as text) -> model class id
    method: str  # names | index | assumed-order | classes
    notes: tuple[str, ...] = ()
    data_label_names: tuple[str, ...] | None = None

    @property
    def n_classes(self) -> int:
        return len(self.model_labels)

    def encode(self, value: Any) -> int:
        """The model class id of one data label; ``n_classes`` when it maps to none."""
        if self.data_label_names is not None:
            i = _as_int(value)
            if i is not None and 0 <= i < len(self.data_label_names):
                value = self.data_label_names[i]
        hit = self.mapping.get(str(value).strip())
        if hit is None:
            i = _as_int(value)
            hit = self.mapping.get(str(i)) if i is not None else None
        return self.n_classes if hit is None else hit

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "mapping": {k: self.model_labels[v] for k, v in self.mapping.items()},
            "model_labels": list(self.model_labels),
            "notes": list(self.notes),
        }


def build_label_map(
    id2label: Mapping[int, str] | Sequence[str],
    data_values: Iterable[Any],
    data_label_names: Sequence[str] | None = None,
) -> LabelMap:
    """Map data labels (a sample of values plus ClassLabel names, if any) onto model class ids."""
    if isinstance(id2label, Mapping):
        model = tuple(str(id2label[k]) for k in sorted(id2label, key=int))
    else:
        model = tuple(str(x) for x in id2label)
    names = tuple(data_label_names) if data_label_names else None
    values = [v for v in data_values if v is not None and str(v).strip() != ""]
    ints = [_as_int(v) for v in values]
    all_int = bool(values) and all(i is not None for i in ints)
    if names is not None:
        data_keys = list(names)
    elif all_int:
        data_keys = [str(i) for i in sorted({i for i in ints if i is not None})]
    else:
        data_keys = sorted({str(v).strip() for v in values})
    notes: list[str] = []
    generic = is_generic(model)
    mapping: dict[str, int] = {}
    if not generic and (names is not None or not all_int):
        for k in data_keys:
            hit = next((i for i, m in enumerate(model) if _same(k, m)), None)
            if hit is not None:
                mapping[k] = hit
        if len(mapping) == len(data_keys):
            return LabelMap(model, mapping, "names", (), names)
        missing = [k for k in data_keys if k not in mapping]
        notes.append(f"data labels {missing[:5]} match no model label {list(model)[:8]}")
        if names is not None:
            mapping = {k: i for i, k in enumerate(names) if i < len(model)}
            notes.append("fell back to the data's label index order")
            return LabelMap(model, mapping, "index", tuple(notes), names)
    if names is not None:
        mapping = {k: i for i, k in enumerate(names) if i < len(model)}
        if generic:
            notes.append(f"model labels are generic ({', '.join(model[:3])}...): data label i taken as {model[0][:-1] if model else ''}i")
        return LabelMap(model, mapping, "index", tuple(notes), names)
    if all_int:
        mapping = {k: int(k) for k in data_keys if 0 <= int(k) < len(model)}
        if not generic:
            notes.append("data labels are integers: taken as model class ids")
        return LabelMap(model, mapping, "index", tuple(notes), None)
    if generic:
        mapping = {k: i for i, k in enumerate(data_keys) if i < len(model)}
        notes.append(f"model labels are generic: data labels assigned in sorted order {data_keys[: len(model)]}")
        return LabelMap(model, mapping, "assumed-order", tuple(notes), None)
    mapping = {k: i for i, k in enumerate(data_keys) if i < len(model)}
    notes.append("no data label matches a model label: data labels assigned in sorted order")
    return LabelMap(model, mapping, "assumed-order", tuple(notes), None)


@dataclass(frozen=True)
class PermutationCheck:
    """Whether another one-to-one relabelling fits the predictions far better."""

    used_accuracy: float
    best_accuracy: float
    suspect: bool
    suggested: Mapping[str, str]  # model label declared -> model label that fits (only when suspect)
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "used_accuracy": self.used_accuracy,
            "best_accuracy": self.best_accuracy,
            "suspect": self.suspect,
            "suggested": dict(self.suggested),
            "n": self.n,
        }


def check_permutation(cm: npt.NDArray[np.int64], model_labels: Sequence[str], *, min_gain: float = MIN_GAIN) -> PermutationCheck:
    """Hungarian assignment on a ``[true, pred]`` confusion matrix (rows beyond the model's classes ignored)."""
    from scipy.optimize import linear_sum_assignment

    k = len(model_labels)
    sub = np.asarray(cm, dtype=np.int64)[:k, :k]
    n = int(np.asarray(cm).sum())
    if n == 0:
        return PermutationCheck(float("nan"), float("nan"), False, {}, 0)
    used = float(np.trace(sub)) / n
    rows, cols = linear_sum_assignment(-sub)
    best = float(sub[rows, cols].sum()) / n
    suspect = n >= MIN_ROWS and best - used >= min_gain
    suggested = {model_labels[int(c)]: model_labels[int(r)] for r, c in zip(rows, cols, strict=True) if r != c} if suspect else {}
    return PermutationCheck(used, best, suspect, suggested, n)
