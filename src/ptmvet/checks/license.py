"""Licence checks (VET5xx): what the licence allows, for the intended use, through the lineage.

VET306 asks whether a licence is declared at all; these checks read it:
its SPDX identity (VET501), whether the card's places agree (VET502), whether
it permits the intended use (VET503), whether it keeps the restrictions of
the base models it derives from (VET504), whether the training data's
licences allow the intended use (VET505), and whether the lineage could be
followed to its roots (VET506). The intended use and the lineage come from
the licence enricher (``ptmvet.enrich.licenses``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence
from ptmvet.evidence.licenses import IntendedUse
from ptmvet.licenses.classify import Family, describe
from ptmvet.licenses.compat import Status, inheritance, use_verdict
from ptmvet.licenses.detect import LicenseDetection, detect
from ptmvet.licenses.verdict import assess


def _use(ev: Evidence) -> IntendedUse:
    return ev.intended_use  # an enum: Evidence refuses a bad value


def _sources(d: LicenseDetection) -> list[str]:
    return [f"{x.source} ({x.where}): {x.license.raw} -> {x.license.spdx}" for x in d.all]


# --- VET501 -----------------------------------------------------------------

IDENTIFIED = CheckMeta(
    id="VET501",
    slug="license-identified",
    attribute=Attribute.LICENSE,
    severity=Severity.MEDIUM,
    summary="The declared licence maps to an SPDX id or a known LicenseRef whose terms ptmvet can classify.",
    remedy="Declare a licence id from the Hub's list (or an SPDX id); for `license: other`, ship the licence text as LICENSE and set `license_name`.",
    needs=frozenset({Need.CARD}),
)


@check(IDENTIFIED)
def license_identified(ev: Evidence) -> Iterator[Finding]:
    meta = IDENTIFIED
    lic = assess(ev)
    d, primary, klass = lic.detection, lic.primary, lic.klass
    if primary is None or klass is None:
        yield meta.skipped("no licence is declared anywhere (VET306 reports it)")
        return
    details: dict[str, Any] = {"spdx": primary.spdx, "hub_id": primary.hub_id, "class": klass.to_dict(), "sources": [x.to_dict() for x in d.all]}
    if d.unrecognized_files:
        details["unrecognized_files"] = list(d.unrecognized_files)
    if not primary.recognized:
        yield meta.failed(f"licence {primary.raw!r} is neither a Hub licence id nor an SPDX expression", evidence=_sources(d), details=details)
    elif klass.family is Family.UNKNOWN:
        extra = ""
        if d.unrecognized_files:
            extra = f"; licence text in {', '.join(d.unrecognized_files)} matches no known licence"
        yield meta.failed(
            f"licence {primary.raw!r} ({primary.spdx}) does not say which terms apply{extra}: a human must read them",
            evidence=_sources(d),
            details=details,
        )
    elif klass.review:
        yield meta.failed(f"{primary.raw!r} names a licence family ({klass.note}); the exact licence is not identified", evidence=_sources(d), severity=Severity.LOW, details=details)
    else:
        yield meta.passed(f"licence {primary.raw!r} is {primary.spdx}: {describe(klass)}", evidence=_sources(d), details=details)


# --- VET502 -----------------------------------------------------------------

CONSISTENT = CheckMeta(
    id="VET502",
    slug="license-sources-agree",
    attribute=Attribute.LICENSE,
    severity=Severity.MEDIUM,
    summary="The card metadata, the LICENSE file and the card text name the same licence.",
    remedy="Make the card metadata `license`, the shipped LICENSE file and the card's License section state the same licence (or explain why the code and the weights differ).",
    needs=frozenset({Need.CARD, Need.FILES}),
)


@check(CONSISTENT)
def license_sources_agree(ev: Evidence) -> Iterator[Finding]:
    meta = CONSISTENT
    d = detect(ev)
    places = {x.source for x in d.all if x.specific}
    details = d.to_dict()
    if len(places) < 2:
        yield meta.not_applicable(f"the licence is stated in {len(places)} place(s) only; nothing to compare", evidence=_sources(d), details=details)
    elif d.disagreements:
        yield meta.failed("; ".join(d.disagreements), evidence=_sources(d), details=details)
    else:
        yield meta.passed(f"{len(places)} places agree on the licence ({', '.join(sorted(places))})", evidence=_sources(d), details=details)


# --- VET503 -----------------------------------------------------------------

PERMITS_USE = CheckMeta(
    id="VET503",
    slug="license-permits-use",
    attribute=Attribute.LICENSE,
    severity=Severity.HIGH,
    summary="The licence permits the intended use (commercial, research or internal; `ptmvet check --use`).",
    remedy="Pick a model whose licence allows your use, obtain a separate licence from the authors, or narrow your use (e.g. research only).",
    needs=frozenset({Need.CARD}),
)


@check(PERMITS_USE)
def license_permits_use(ev: Evidence) -> Iterator[Finding]:
    meta = PERMITS_USE
    lic = assess(ev)
    use, primary, klass, verdict = lic.intended_use, lic.primary, lic.klass, lic.use
    if primary is None or klass is None or verdict is None:
        yield meta.failed(f"no licence: nothing grants {use.value} use (all rights reserved)", details={"intended_use": use.value})
        return
    details = {"intended_use": use.value, "spdx": primary.spdx, "class": klass.to_dict(), "verdict": verdict.to_dict(), "source": klass.source}
    evidence = [f"intended use: {use.value}", f"licence: {primary.spdx} ({describe(klass)})", *(f"duty: {x}" for x in verdict.duties)]
    if verdict.status is Status.CONFLICT:
        yield meta.failed(f"{use.value} use is not allowed: " + "; ".join(verdict.reasons), evidence=evidence, details=details)
    elif verdict.status is Status.REVIEW:
        yield meta.failed(
            f"whether {use.value} use is allowed cannot be decided: " + "; ".join(verdict.reasons),
            evidence=evidence,
            severity=Severity.MEDIUM,
            remedy="Have someone read the licence terms (LICENSE file or license_link) before reuse.",
            details=details,
        )
    else:
        duties = f"; duties: {'; '.join(verdict.duties)}" if verdict.duties else ""
        yield meta.passed(f"{primary.spdx} permits {use.value} use{duties}", evidence=evidence, details=details)


# --- VET504 -----------------------------------------------------------------

LINEAGE_KEPT = CheckMeta(
    id="VET504",
    slug="lineage-license-kept",
    attribute=Attribute.LICENSE,
    severity=Severity.HIGH,
    summary="The model's licence keeps the restrictions of every base model it derives from (no relicensing away non-commercial, use-based or copyleft terms).",
    remedy="Declare the base model's licence (or a compatible, equally restrictive one) and ship its terms; a derivative cannot grant rights its base never gave.",
    needs=frozenset({Need.CARD, Need.REGISTRY}),
)


@check(LINEAGE_KEPT)
def lineage_license_kept(ev: Evidence) -> Iterator[Finding]:
    meta = LINEAGE_KEPT
    lin = ev.lineage
    if lin is None:
        yield meta.skipped("lineage was not looked up (no licence enrichment in this run)")
        return
    if lin.skipped:
        yield meta.skipped(lin.skipped, details=lin.to_section())
        return
    if not lin.edges:
        yield meta.not_applicable("the model declares no base model", details=lin.to_section())
        return
    root = lin.nodes[0]
    mine = [c for c in lin.conflicts if c.child.lower() == root.id.lower()]
    upstream = [c for c in lin.conflicts if c.child.lower() != root.id.lower()]
    details = lin.to_section()
    evidence = [f"{n.id}: {n.license or 'no licence'} ({n.spdx})" + ("" if n.found else " [not found]") for n in lin.nodes]
    if mine:
        serious = [c for c in mine if c.serious]
        shown = serious or mine
        msg = "; ".join(f"{c.child_license} drops {', '.join(c.dropped)} of {c.ancestor} ({c.ancestor_license})" for c in shown[:4])
        yield meta.failed(msg, evidence=evidence, severity=Severity.HIGH if serious else Severity.LOW, details=details)
        return
    checked = [n for n in lin.ancestors if n.found]
    comparable = [n for n in checked if inheritance(n.klass, root.klass).status is Status.OK]
    if not comparable:
        why = "no ancestor was found" if not checked else "the licences of the model and its ancestors are not identified"
        yield meta.skipped(f"cannot compare licences along the lineage: {why}", evidence=evidence, details=details)
        return
    note = f"; {len(upstream)} conflict(s) higher up the chain" if upstream else ""
    unverified = len(lin.ancestors) - len(comparable)
    note += f"; {unverified} ancestor(s) not verifiable" if unverified else ""
    yield meta.passed(f"{root.spdx} keeps the restrictions of {len(comparable)} ancestor(s){note}", evidence=evidence, details=details)


# --- VET505 -----------------------------------------------------------------

DATA_LICENSE = CheckMeta(
    id="VET505",
    slug="training-data-license",
    attribute=Attribute.LICENSE,
    severity=Severity.MEDIUM,
    summary="The licences of the declared training datasets allow the intended use.",
    remedy="Check the training datasets' terms for your use; prefer models trained on data whose licence allows it, or document the permission you rely on.",
    needs=frozenset({Need.CARD, Need.REGISTRY}),
)


@check(DATA_LICENSE)
def training_data_license(ev: Evidence) -> Iterator[Finding]:
    meta = DATA_LICENSE
    use = _use(ev)
    lin = ev.lineage
    datasets = lin.datasets if lin is not None else ()
    if lin is None:
        yield meta.skipped("dataset licences were not looked up (no licence enrichment in this run)")
        return
    if not datasets:
        if lin.skipped and ev.card is not None and ev.card.meta_list("datasets"):
            yield meta.skipped(lin.skipped)
        else:
            yield meta.not_applicable("the model declares no training datasets")
        return
    if not lin.datasets_resolved:
        yield meta.skipped("dataset licences could not be looked up: " + ("; ".join(lin.unresolved) or "no registry data"))
        return
    details = {"intended_use": use.value, "datasets": [x.to_dict() for x in datasets]}
    bad: list[str] = []
    review: list[str] = []
    ok: list[str] = []
    for ds in datasets:
        if ds.klass is None:
            review.append(f"{ds.id}: " + ("not found" if not ds.found else "no licence declared"))
            continue
        verdict = use_verdict(ds.klass, use)
        if verdict.status is Status.CONFLICT:
            bad.append(f"{ds.id} ({ds.spdx}): " + "; ".join(verdict.reasons))
        elif verdict.status is Status.REVIEW:
            review.append(f"{ds.id} ({ds.spdx}): terms not identified")
        else:
            ok.append(f"{ds.id} ({ds.spdx})")
    evidence = [f"intended use: {use.value}", *bad, *review, *ok]
    if bad:
        yield meta.failed(
            f"{len(bad)} training dataset(s) restrict {use.value} use (whether a dataset licence reaches a model trained on it is unsettled: review): " + "; ".join(bad[:3]),
            evidence=evidence,
            details=details,
        )
    elif not ok:
        yield meta.skipped(f"no dataset licence could be identified ({len(review)} dataset(s))", evidence=evidence, details=details)
    else:
        rest = f"; {len(review)} not identified" if review else ""
        yield meta.passed(f"{len(ok)} training dataset licence(s) allow {use.value} use{rest}", evidence=evidence, details=details)


# --- VET506 -----------------------------------------------------------------

LINEAGE_RESOLVED = CheckMeta(
    id="VET506",
    slug="lineage-resolved",
    attribute=Attribute.LICENSE,
    severity=Severity.LOW,
    summary="The base-model chain can be followed to its roots: every ancestor exists and there is no cycle.",
    remedy="Point `base_model` at the exact repository id of each parent (not a renamed, deleted or self-referencing id).",
    needs=frozenset({Need.CARD, Need.REGISTRY}),
)


@check(LINEAGE_RESOLVED)
def lineage_resolved(ev: Evidence) -> Iterator[Finding]:
    meta = LINEAGE_RESOLVED
    lin = ev.lineage
    if lin is None:
        yield meta.skipped("lineage was not looked up (no licence enrichment in this run)")
        return
    if lin.skipped:
        yield meta.skipped(lin.skipped)
        return
    if not lin.edges:
        yield meta.not_applicable("the model declares no base model")
        return
    details = lin.to_section()
    if lin.unresolved:
        yield meta.skipped("registry look-ups failed: " + "; ".join(lin.unresolved[-2:]), details=details)
        return
    problems: list[str] = []
    for cyc in lin.cycles:
        problems.append("cycle: " + " -> ".join((*cyc, cyc[0])))
    if lin.missing:
        problems.append(f"{len(lin.missing)} ancestor(s) not found in {lin.source}: {', '.join(lin.missing[:5])}")
    if lin.truncated:
        problems.append("the chain is longer than ptmvet follows (truncated)")
    if problems:
        yield meta.failed("; ".join(problems), details=details)
        return
    depth = max((n.depth for n in lin.nodes), default=0)
    moved = "".join(f"; {named} was found as {found} (renamed on the Hub)" for named, found in lin.renamed[:3])
    yield meta.passed(f"{len(lin.ancestors)} ancestor(s) found in {lin.source}, {depth} hop(s) deep{moved}", details=details)


CHECKS: tuple[Check, ...] = (license_identified, license_sources_agree, license_permits_use, lineage_license_kept, training_data_license, lineage_resolved)
