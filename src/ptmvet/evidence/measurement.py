"""The result of re-measuring one claim (light: no numpy or torch import).

:class:`Measurement` is what the ``measure`` enricher stores in
``Evidence.measurements`` and what VET8xx checks read; ``to_dict`` is the JSON
form in the report and in ``ptmvet reproduce``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ptmvet.card import Claim


class ClaimVerdict(StrEnum):
    """What a re-measurement says about a claim (``ptmvet.evaluate.stats.judge``)."""

    CONSISTENT = "consistent"
    OVERSTATED = "overstated"
    UNDERSTATED = "understated"
    NOT_VERIFIABLE = "not-verifiable"
    #: The labels were matched by order and another one-to-one mapping fits the predictions far
    #: better: neither the measured value nor the claim can be judged until the map is settled.
    LABEL_MAP_SUSPECT = "label-map-suspect"


class Unverifiable(StrEnum):
    """Why a claim is not verifiable. :attr:`package_fault` tells the package's doing from missing data."""

    NO_DATA = "no-data"  # no local data matched the claim (the user's to supply)
    UNSUPPORTED_TASK = "unsupported-task"
    UNSUPPORTED_METRIC = "unsupported-metric"
    METRIC_MISMATCH = "metric-mismatch"  # the metric does not apply to the task
    NO_VALUE = "no-value"  # the claim has no numeric value
    REFUSED_WEIGHTS = "refused-weights"  # only weights that would run code on load
    MISSING_WEIGHTS = "missing-weights"  # no weights to load (absent, or Git LFS pointers only)
    MEASUREMENT_FAILED = "measurement-failed"  # data or model could not be run
    UNDEFINED_METRIC = "undefined-metric"  # the metric is undefined on this data
    SUBSET = "subset"  # the data is only part of the claimed split

    @property
    def package_fault(self) -> bool:
        """Whether the package makes the claim unmeasurable (not the user's missing data)."""
        return self in _PACKAGE_FAULTS


_PACKAGE_FAULTS = frozenset(
    {Unverifiable.UNSUPPORTED_TASK, Unverifiable.UNSUPPORTED_METRIC, Unverifiable.METRIC_MISMATCH, Unverifiable.NO_VALUE, Unverifiable.REFUSED_WEIGHTS,
     Unverifiable.MISSING_WEIGHTS}
)


@dataclass(frozen=True)
class Measurement:
    """One claim, re-measured (or why it could not be).

    ``claimed``, ``measured``, ``ci_low``, ``ci_high`` and ``tolerance`` are on
    the claim's own scale (``scale`` is 100 when the claim is a percentage of a
    metric bounded by 1). ``verdict`` is consistent, overstated, understated or
    not-verifiable; ``cause`` (an enum) and ``reason`` (text) say why a claim is not verifiable. A measurement on a
    subset of the claimed split (``subset`` says which part) keeps its measured value and
    interval as an indication, with the verdict not-verifiable.
    """

    claim: Claim
    task: str | None
    dataset: str | None
    split: str | None
    metric: str | None  # canonical metric name (metrics.METRICS key)
    claimed: float | None
    verdict: ClaimVerdict
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
    cause: Unverifiable | None = None  # why the verdict is not-verifiable

    def __post_init__(self) -> None:
        # A verdict given as text must be one of the enum's values; anything else is a bug, not a silent default.
        if not isinstance(self.verdict, ClaimVerdict):
            object.__setattr__(self, "verdict", ClaimVerdict(self.verdict))
        if self.cause is not None and not isinstance(self.cause, Unverifiable):
            object.__setattr__(self, "cause", Unverifiable(self.cause))
        if self.cause is None and self.verdict is ClaimVerdict.NOT_VERIFIABLE and self.subset is not None:
            object.__setattr__(self, "cause", Unverifiable.SUBSET)

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
            "verdict": self.verdict.value,
            "cause": self.cause.value if self.cause else None,
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
