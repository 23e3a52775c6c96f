"""The result of re-measuring one claim (light: no numpy or torch import).

:class:`Measurement` is what the ``measure`` enricher stores in
``Evidence.measurements`` and what VET8xx checks read; ``to_dict`` is the JSON
form in the report and in ``ptmvet reproduce``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ptmvet.card import Claim


@dataclass(frozen=True)
class Measurement:
    """One claim, re-measured (or why it could not be).

    ``claimed``, ``measured``, ``ci_low``, ``ci_high`` and ``tolerance`` are on
    the claim's own scale (``scale`` is 100 when the claim is a percentage of a
    metric bounded by 1). ``verdict`` is consistent, overstated, understated or
    not-verifiable; ``reason`` says why a claim is not verifiable. A measurement on a
    subset of the claimed split (``subset`` says which part) keeps its measured value and
    interval as an indication, with the verdict not-verifiable.
    """

    claim: Claim
    task: str | None
    dataset: str | None
    split: str | None
    metric: str | None  # canonical metric name (metrics.METRICS key)
    claimed: float | None
    verdict: str
    measured: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int = 0
    tolerance: float | None = None
    scale: float = 1.0
    reason: str | None = None
    config: str | None = None
    data_path: str | None = None
    label_map: Mapping[str, Any] | None = None
    permutation: Mapping[str, Any] | None = None
    alternative: float | None = None  # the metric under the suggested relabelling, claim scale
    notes: tuple[str, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)
    subset: str | None = None  # the data is only this part of the claimed split: indicative, not-verifiable

    @property
    def label_map_suspect(self) -> bool:
        return bool(self.permutation and self.permutation.get("suspect"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "dataset": self.dataset,
            "config": self.config,
            "split": self.split,
            "metric": self.metric,
            "claimed_metric": self.claim.metric,
            "claimed": self.claimed,
            "measured": self.measured,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
            "verdict": self.verdict,
            "reason": self.reason,
            "tolerance": self.tolerance,
            "scale": "percent" if self.scale == 100.0 else "fraction",
            "source": self.claim.source,
            "data_path": self.data_path,
            "label_map": dict(self.label_map) if self.label_map else None,
            "permutation": dict(self.permutation) if self.permutation else None,
            "alternative": self.alternative,
            "notes": list(self.notes),
            "subset": self.subset is not None,
            "subset_note": self.subset,
            "provenance": dict(self.provenance),
        }
