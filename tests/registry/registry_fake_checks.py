"""Small deterministic checks for the registry engine tests (imported by name in workers)."""

from __future__ import annotations

from collections.abc import Iterator

from ptmvet.checks.interface import Attribute, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence

M1 = CheckMeta("VET991", "fake-pipeline-tag", Attribute.DOCUMENTATION, Severity.LOW, "pipeline tag", "add one",
               frozenset({Need.REGISTRY}))
M2 = CheckMeta("VET992", "fake-card-claims", Attribute.CLAIMS, Severity.MEDIUM, "claims", "add model-index",
               frozenset({Need.CARD}))
M3 = CheckMeta("VET993", "fake-weights-safe", Attribute.SAFETY, Severity.HIGH, "safe formats", "use safetensors",
               frozenset({Need.FILES}))


@check(M1)
def pipeline_tag(ev: Evidence) -> Iterator[Finding]:
    r = ev.registry
    yield M1.passed("tagged") if r and r.pipeline_tag else M1.failed("no pipeline tag")


@check(M2)
def card_claims(ev: Evidence) -> Iterator[Finding]:
    if ev.card is None:
        yield M2.skipped("no card")
        return
    yield M2.passed(f"{len(ev.claims)} claims") if ev.claims else M2.failed("no claims")


@check(M3)
def weights_safe(ev: Evidence) -> Iterator[Finding]:
    weights = ev.weight_files
    if not weights:
        yield M3.not_applicable("no weights")
        return
    for f in weights:
        yield (M3.passed if f.weight_format == "safetensors" else M3.failed)(f.path)


CHECKS = (pipeline_tag, card_claims, weights_safe)
