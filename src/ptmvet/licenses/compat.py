"""Verdicts built on the classification table.

* :func:`use_verdict`: may the model be used for the intended use
  (commercial, research, internal), and with which duties.
* :func:`inheritance`: does a derived model's licence keep its ancestor's
  restrictions, or does it relicense them away.
* :func:`compatibility`: may material under one licence be reused in a work
  distributed under another (the question of the Linux Foundation table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ptmvet.evidence.licenses import IntendedUse
from ptmvet.licenses.classify import Commercial, Copyleft, Family, LicenseClass

__all__ = ["Compat", "CompatVerdict", "Inheritance", "IntendedUse", "Status", "UseVerdict", "compatibility", "inheritance", "use_verdict"]


class Status(StrEnum):
    OK = "ok"
    CONFLICT = "conflict"
    REVIEW = "review"  # cannot be decided from the licence ids: a human must read the terms


@dataclass(frozen=True)
class UseVerdict:
    """Whether one licence permits the intended use."""

    status: Status
    reasons: tuple[str, ...] = ()  # why not (or why review)
    duties: tuple[str, ...] = ()  # what the reuser must do if it is used

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "reasons": list(self.reasons), "duties": list(self.duties)}


def use_verdict(c: LicenseClass, use: IntendedUse) -> UseVerdict:
    """May a model under licence ``c`` be used for ``use``?"""
    reasons: list[str] = []
    duties: list[str] = []
    if c.review and c.family is Family.UNKNOWN:
        return UseVerdict(Status.REVIEW, (f"{c.key}: the licence terms are not identified ({c.note or 'needs review'})",))
    if use is not IntendedUse.RESEARCH:
        if c.commercial is Commercial.NO:
            why = "non-commercial licence" if not c.research_only else "research-only licence"
            scope = "even inside an organisation" if use is IntendedUse.INTERNAL else "in a product or service"
            reasons.append(f"{c.key}: {why}; {use.value} use is not allowed {scope}")
        elif c.research_only:
            reasons.append(f"{c.key}: research-only licence")
        elif c.commercial is Commercial.UNKNOWN:
            return UseVerdict(Status.REVIEW, (f"{c.key}: whether commercial use is allowed is not stated",))
        elif c.commercial is Commercial.CONDITIONAL:
            duties.append(f"commercial use only under the licence's conditions ({c.note or 'see the licence'})")
    if c.use_restrictions:
        duties.append("respect the use-based restrictions (acceptable-use policy) and pass them on to your users")
    if c.no_derivatives:
        duties.append("do not share modified versions (no derivatives)")
    if c.copyleft is not Copyleft.NONE and use is IntendedUse.COMMERCIAL:
        scope = {
            Copyleft.WEAK: "share changes to the licensed files under the same licence when distributing",
            Copyleft.STRONG: "distribute derived works only under the same licence, with source",
            Copyleft.NETWORK: "offer the source of derived works also to users who reach it over a network",
        }[c.copyleft]
        duties.append(scope)
    if c.attribution and use is not IntendedUse.INTERNAL:
        duties.append("keep the copyright and licence notices (attribution)")
    if c.carries_terms and use is not IntendedUse.INTERNAL:
        duties.append(f"ship a copy of the {c.key} terms with anything you redistribute")
    if reasons:
        return UseVerdict(Status.CONFLICT, tuple(reasons), tuple(duties))
    if c.review:
        return UseVerdict(Status.REVIEW, (f"{c.key}: {c.note or 'family id without the exact licence'}",), tuple(duties))
    return UseVerdict(Status.OK, (), tuple(duties))


#: Restrictions whose loss in a derived licence is a real conflict (vs. attribution only).
SERIOUS = ("non-commercial", "research-only", "use-restrictions", "no-derivatives", "copyleft", "terms")


@dataclass(frozen=True)
class Inheritance:
    """How a derived model's licence relates to one ancestor's."""

    status: Status
    dropped: tuple[str, ...] = ()  # restrictions of the ancestor the derived licence no longer carries
    reason: str = ""

    @property
    def serious(self) -> bool:
        return any(d.startswith(SERIOUS) for d in self.dropped)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "dropped": list(self.dropped), "reason": self.reason}


def inheritance(ancestor: LicenseClass, child: LicenseClass) -> Inheritance:
    """Does ``child`` (the derived model's licence) keep ``ancestor``'s restrictions?

    A derived model may add restrictions but not remove them: a fine-tune of a
    non-commercial base declared MIT grants rights its author never had.
    """
    if ancestor.key == child.key:
        return Inheritance(Status.OK, reason="same licence")
    if child.family is Family.UNKNOWN:
        return Inheritance(Status.REVIEW, reason=f"the derived licence ({child.key}) is not identified")
    if ancestor.family is Family.UNKNOWN:
        return Inheritance(Status.REVIEW, reason=f"the ancestor's licence ({ancestor.key}) is not identified")
    dropped: list[str] = []
    if ancestor.commercial is Commercial.NO and child.commercial in (Commercial.YES, Commercial.CONDITIONAL):
        dropped.append("non-commercial")
    if ancestor.research_only and not child.research_only:
        dropped.append("research-only")
    if ancestor.use_restrictions and not child.use_restrictions:
        dropped.append("use-restrictions")
    if child.copyleft.rank < ancestor.copyleft.rank:
        dropped.append(f"copyleft-{ancestor.copyleft.value}")
    if ancestor.no_derivatives:
        dropped.append("no-derivatives")
    if ancestor.carries_terms and child.key != ancestor.key:
        dropped.append(f"terms:{ancestor.key}")
    if ancestor.attribution and not child.attribution:
        dropped.append("attribution")
    if not dropped:
        return Inheritance(Status.OK, reason=f"{child.key} keeps the restrictions of {ancestor.key}")
    return Inheritance(Status.CONFLICT, tuple(dropped), f"{child.key} drops {', '.join(dropped)} of {ancestor.key}")


class Compat(StrEnum):
    COMPATIBLE = "compatible"
    INCOMPATIBLE = "incompatible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CompatVerdict:
    verdict: Compat
    reason: str
    kind: str = field(default="")  # short machine key of the rule that decided

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict.value, "reason": self.reason, "kind": self.kind}


_GPL3_FAMILY = frozenset({"GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only", "AGPL-3.0-or-later"})
_GPL2_FAMILY = frozenset({"GPL-2.0-only", "GPL-2.0-or-later"})
#: Copyleft licence -> the outbound licences a work containing it may be distributed under.
_COPYLEFT_TARGETS: dict[str, frozenset[str]] = {
    "GPL-3.0-only": _GPL3_FAMILY,
    "GPL-3.0-or-later": _GPL3_FAMILY,
    "AGPL-3.0-only": _GPL3_FAMILY,  # GPLv3 s.13 / AGPLv3 s.13 allow combining the two
    "AGPL-3.0-or-later": _GPL3_FAMILY,
    "GPL-2.0-only": _GPL2_FAMILY,
    "GPL-2.0-or-later": _GPL2_FAMILY | {"GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only", "AGPL-3.0-or-later"},
    "CC-BY-SA-4.0": frozenset({"CC-BY-SA-4.0", "GPL-3.0-only", "GPL-3.0-or-later"}),  # CC's one-way compatibility
    "CC-BY-SA-3.0": frozenset({"CC-BY-SA-3.0", "CC-BY-SA-4.0"}),
    "EUPL-1.1": frozenset({"EUPL-1.1", "GPL-2.0-only", "GPL-2.0-or-later", "OSL-3.0", "CPL-1.0", "EPL-1.0"}),
    "OSL-3.0": frozenset({"OSL-3.0"}),
    "CDLA-Sharing-1.0": frozenset({"CDLA-Sharing-1.0"}),
    "ODbL-1.0": frozenset({"ODbL-1.0"}),
    "GFDL-1.3-only": frozenset({"GFDL-1.3-only", "CC-BY-SA-3.0"}),
}


def compatibility(upstream: LicenseClass, downstream: LicenseClass | None) -> CompatVerdict:
    """May material under ``upstream`` be reused in a work distributed under ``downstream``?

    ``downstream`` None means the work declares no licence (all rights reserved).
    """
    if upstream.family is Family.UNKNOWN:
        return CompatVerdict(Compat.UNKNOWN, f"{upstream.key}: upstream terms not identified", "upstream-unknown")
    if downstream is not None and downstream.family is Family.UNKNOWN:
        return CompatVerdict(Compat.UNKNOWN, f"{downstream.key}: downstream terms not identified", "downstream-unknown")
    down_key = downstream.key if downstream else "no licence"
    if downstream is not None and upstream.key == downstream.key:
        return CompatVerdict(Compat.COMPATIBLE, "same licence", "identical")
    if upstream.no_derivatives:
        return CompatVerdict(Compat.INCOMPATIBLE, f"{upstream.key} allows no derivative works", "no-derivatives")
    if upstream.commercial is Commercial.NO:
        if downstream is None or downstream.commercial is Commercial.NO:
            return CompatVerdict(Compat.COMPATIBLE, "non-commercial terms are kept downstream", "nc-kept")
        return CompatVerdict(Compat.INCOMPATIBLE, f"{down_key} grants commercial use that {upstream.key} forbids", "nc-dropped")
    if upstream.use_restrictions or upstream.carries_terms:
        if downstream is not None and (downstream.key == upstream.key or (downstream.use_restrictions and upstream.family is Family.RAIL and downstream.family is Family.RAIL)):
            return CompatVerdict(Compat.COMPATIBLE, "use restrictions are carried downstream", "rail-kept")
        if downstream is None:
            return CompatVerdict(Compat.UNKNOWN, f"{upstream.key}: use restrictions must be passed on; the work declares no licence", "rail-unlicensed")
        return CompatVerdict(Compat.INCOMPATIBLE, f"{upstream.key}'s use-based restrictions must be passed on; {down_key} does not carry them", "rail-dropped")
    if upstream.copyleft in (Copyleft.STRONG, Copyleft.NETWORK):
        targets = _COPYLEFT_TARGETS.get(upstream.key)
        if downstream is None:
            return CompatVerdict(Compat.INCOMPATIBLE, f"{upstream.key}: derived works must be distributed under it; the work declares no licence", "copyleft-unlicensed")
        if targets is None:
            return CompatVerdict(Compat.UNKNOWN, f"{upstream.key}: copyleft without a known list of compatible licences", "copyleft-unlisted")
        if downstream.key in targets:
            return CompatVerdict(Compat.COMPATIBLE, f"{down_key} satisfies {upstream.key}'s copyleft", "copyleft-kept")
        return CompatVerdict(Compat.INCOMPATIBLE, f"{upstream.key} requires derived works under a compatible copyleft licence; {down_key} is not one", "copyleft-dropped")
    if upstream.copyleft is Copyleft.WEAK:
        return CompatVerdict(Compat.COMPATIBLE, f"{upstream.key} is file/library-level copyleft: the larger work may use another licence", "weak-copyleft")
    # Permissive / public domain upstream.
    if upstream.key == "Apache-2.0" and downstream is not None and downstream.key == "GPL-2.0-only":
        return CompatVerdict(Compat.INCOMPATIBLE, "Apache-2.0's patent terms are incompatible with GPL-2.0-only (FSF)", "apache-gpl2")
    return CompatVerdict(Compat.COMPATIBLE, f"{upstream.key} is permissive", "permissive")
