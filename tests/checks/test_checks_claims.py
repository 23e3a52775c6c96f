"""VET8xx checks on built measurements (measuring itself is tested in tests/evaluate)."""

from __future__ import annotations

from ptmvet.card import Claim
from ptmvet.checks.claims import claims_measurable
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.evidence import Evidence, Target
from ptmvet.evidence.measurement import Measurement, Unverifiable

T = Target(name="m", source="local")


def _m(verdict: str, cause: Unverifiable | None = None, reason: str | None = None) -> Measurement:
    claim = Claim(task_type="text-classification", dataset_name="x", dataset_type="x", metric_type="accuracy", value=90.0)
    return Measurement(claim=claim, task=None, dataset="x", split=None, metric="accuracy", claimed=90.0, verdict=verdict, cause=cause, reason=reason)  # type: ignore[arg-type]


def test_vet803_sorts_unmeasurable_claims_by_cause_not_by_message() -> None:
    # The reason text mentions "unsupported metric", but the cause says the data was missing: not the package's fault.
    missing = _m("not-verifiable", Unverifiable.NO_DATA, "no data: unsupported metric folder not found")
    (f,) = run_check(claims_measurable, Evidence(target=T, measurements=(missing,)))
    assert f.outcome is Outcome.SKIPPED
    refused = _m("not-verifiable", Unverifiable.REFUSED_WEIGHTS, "only pickled weights")
    (f,) = run_check(claims_measurable, Evidence(target=T, measurements=(refused,)))
    assert f.outcome is Outcome.FAIL and "only pickled weights" in f.message
