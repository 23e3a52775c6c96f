"""The check axis: metadata, outcomes and findings.

A check is a pure function ``Evidence -> Iterable[Finding]`` plus its
:class:`CheckMeta`. It never reads files, talks to the network or prints.
When the evidence it needs is absent it yields a *skipped* finding with the
reason; :func:`run_check` turns an exception into an *error* finding for that
check only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ptmvet.evidence import Evidence


class Outcome(StrEnum):
    """The result variants of a check. Nothing is squashed into a bool."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    SKIPPED = "skipped"
    ERROR = "error"

    @property
    def assessed(self) -> bool:
        """Whether this outcome says something about the model (counts in scores)."""
        return self in (Outcome.PASS, Outcome.FAIL)


class Severity(StrEnum):
    """How much a failure of the check matters for reuse."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> int:
        """Weight of the check in its attribute score."""
        return _WEIGHTS[self]

    @property
    def rank(self) -> int:
        """Ordering key, INFO lowest."""
        return _RANKS[self]


#: Looked up, not recomputed: the policy ranks every failing finding of every vet.
_RANKS = {s: i for i, s in enumerate(Severity)}
_WEIGHTS = {
    Severity.INFO: 1,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 5,
}


class Attribute(StrEnum):
    """The reuse attributes a report scores (ICSE'23 PTM-reuse study, Table I)."""

    PROVENANCE = "provenance"
    REPRODUCIBILITY = "reproducibility"
    PORTABILITY = "portability"
    DOCUMENTATION = "documentation"
    LICENSE = "license"
    INTEGRITY = "integrity"
    SAFETY = "safety"
    CLAIMS = "claims"
    MAINTENANCE = "maintenance"


class Need(StrEnum):
    """What a check needs from the evidence to say anything."""

    CARD = "card"
    FILES = "files"
    WEIGHTS = "weights"
    REGISTRY = "registry"
    GIT = "git"
    NETWORK = "network"
    DATA = "data"


@dataclass(frozen=True)
class CheckMeta:
    """The stable identity and documentation of one check."""

    id: str
    slug: str
    attribute: Attribute
    severity: Severity
    summary: str
    remedy: str
    needs: frozenset[Need] = frozenset()
    since: str = "0.1.0"
    #: Weight of the check in its attribute score when it is not its severity's weight
    #: (the documentation score weighs checks by what readers value; docs/scores.md).
    score_weight: float | None = None

    @property
    def doc_path(self) -> str:
        """Repository-relative path of the check's doc page."""
        return f"docs/checks/{self.id}.md"

    def finding(
        self,
        outcome: Outcome,
        message: str,
        *,
        evidence: Iterable[str] = (),
        remedy: str | None = None,
        severity: Severity | None = None,
        details: Mapping[str, Any] | None = None,
        paths: Iterable[str] = (),
        credit: float = 1.0,
    ) -> Finding:
        """Build a finding of this check; ``paths`` are the package files it is about.

        ``credit`` (0..1) is the share of the check's score weight a pass earns: a
        pass on weaker evidence earns part of it.
        """
        sev = severity or self.severity
        weight: float = sev.weight
        if self.score_weight is not None:
            # a failure reported at a lower severity than the check's own weighs less, in proportion
            weight = self.score_weight * sev.weight / self.severity.weight
        # Every field, set in one step: the frozen dataclass's own __init__ sets them one by one
        # through object.__setattr__, 5x slower, and a vet builds a finding per check.
        found = object.__new__(Finding)
        object.__setattr__(found, "__dict__", {
            "check_id": self.id,
            "slug": self.slug,
            "attribute": self.attribute,
            "severity": sev,
            "outcome": outcome,
            "message": message,
            "evidence": tuple(evidence),
            "remedy": (remedy if remedy is not None else self.remedy) if outcome is Outcome.FAIL else "",
            "details": dict(details) if details else {},
            "paths": tuple(paths),
            "weight": weight,
            "credit": min(1.0, max(0.0, credit)),
        })  # fmt: skip
        return found

    def passed(self, message: str, **kw: Any) -> Finding:
        """A passing finding."""
        return self.finding(Outcome.PASS, message, **kw)

    def failed(self, message: str, **kw: Any) -> Finding:
        """A failing finding; the remedy defaults to the check's own."""
        return self.finding(Outcome.FAIL, message, **kw)

    def skipped(self, reason: str, **kw: Any) -> Finding:
        """The check could not run: the evidence it needs is missing."""
        return self.finding(Outcome.SKIPPED, reason, **kw)

    def not_applicable(self, reason: str, **kw: Any) -> Finding:
        """The check does not apply to this model."""
        return self.finding(Outcome.NOT_APPLICABLE, reason, **kw)


@dataclass(frozen=True)
class Finding:
    """What one check concluded, with the evidence it saw and a remedy."""

    check_id: str
    slug: str
    attribute: Attribute
    severity: Severity
    outcome: Outcome
    message: str
    evidence: tuple[str, ...] = ()
    remedy: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    paths: tuple[str, ...] = ()  # package-relative files the finding is about (SARIF locations); empty: the card
    #: Weight in the attribute score (None: the severity's weight) and the share of it a pass earns.
    weight: float | None = None
    credit: float = 1.0

    @property
    def score_weight(self) -> float:
        """The weight this finding carries in its attribute score."""
        return self.weight if self.weight is not None else float(self.severity.weight)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (see schemas/report.schema.json)."""
        return {
            "check_id": self.check_id,
            "slug": self.slug,
            "attribute": self.attribute.value,
            "severity": self.severity.value,
            "outcome": self.outcome.value,
            "message": self.message,
            "evidence": list(self.evidence),
            "remedy": self.remedy,
            "details": dict(self.details),
            "paths": list(self.paths),
        }


CheckFn = Callable[["Evidence"], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    """A check: metadata plus the pure function that runs it."""

    meta: CheckMeta
    fn: CheckFn


def check(meta: CheckMeta) -> Callable[[CheckFn], Check]:
    """Decorator that pairs a function with its metadata (no registration)."""

    def wrap(fn: CheckFn) -> Check:
        return Check(meta=meta, fn=fn)

    return wrap


def run_check(c: Check, evidence: Evidence) -> list[Finding]:
    """Run one check; a crash becomes an ERROR finding for this check only."""
    try:
        out = list(c.fn(evidence))
    except Exception as exc:  # noqa: BLE001 - one check's bug must not stop the run
        return [c.meta.finding(Outcome.ERROR, f"check crashed: {type(exc).__name__}: {exc}")]
    if not out:
        return [c.meta.finding(Outcome.ERROR, "check produced no finding")]
    return out
