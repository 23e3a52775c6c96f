"""Every check family fails when it should, on tiny evidence built here (no ../shared corpora needed).

One case per module of ``ptmvet.checks``: evidence that must make the named
check FAIL. A family added to the registry without a case here fails
``test_every_family_has_a_fail_case``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from vetkit import make_evidence

from ptmvet.card import Claim
from ptmvet.checks import REGISTRY
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.evidence import Evidence, FileEntry, IntegrityInfo, RegistryInfo, Target
from ptmvet.evidence.measurement import ClaimVerdict, Measurement
from ptmvet.evidence.scan import GlobalImport, ScanReport, ScanVerdict


def _provenance() -> Evidence:
    return make_evidence("# model\n\nSome words.\n")


def _reproducibility() -> Evidence:
    return make_evidence("# model\n\nSome words.\n")


def _portability() -> Evidence:
    return make_evidence("# model\n", files=["pytorch_model.bin", "config.json"], configs={"config.json": {}})


def _documentation() -> Evidence:
    return make_evidence(None, files=["config.json"])


def _license() -> Evidence:
    return make_evidence("---\nlicense: cc-by-nc-4.0\n---\n# model\n")  # commercial use (the default) is not allowed


def _integrity() -> Evidence:
    target = Target(name="o/m", source="hub", repo_id="o/m", revision="a" * 40, requested_revision="main")
    return make_evidence("# model\n", target=target)


def _package() -> Evidence:
    return make_evidence("# model\n", files=["config.json"])  # no weight file at all


def _safety() -> Evidence:
    bad = GlobalImport("os", "system", ScanVerdict.DANGEROUS, "runs a shell command")
    report = ScanReport(path="pytorch_model.bin", format="pickle", verdict=ScanVerdict.DANGEROUS, globals=(bad,))
    files = (FileEntry(path="pytorch_model.bin", size=100, local=True),)
    return Evidence(target=Target(name="m", source="local", local_path="/x/m"), files=files, scan=(report,), integrity=IntegrityInfo())


def _claims() -> Evidence:
    claim = Claim(task_type="text-classification", dataset_name="sst2", dataset_type="glue", metric_type="accuracy", value=95.0)
    m = Measurement(
        claim=claim, task="text-classification", dataset="glue", split="validation", metric="accuracy", claimed=95.0,
        verdict=ClaimVerdict.OVERSTATED, measured=80.0, ci_low=78.0, ci_high=82.0, n=872, tolerance=2.0, scale=100.0,
    )  # fmt: skip
    return make_evidence("# model\n", measurements=(m,))


def _maintenance() -> Evidence:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    reg = RegistryInfo(source="dump", repo_id="o/m", downloads=0, likes=0, last_modified=datetime(2020, 1, 1, tzinfo=UTC), observed_at=now)
    return make_evidence("# model\n", registry=reg)


#: family module -> (check that must fail, evidence builder)
CASES: dict[str, tuple[str, Callable[[], Evidence]]] = {
    "provenance": ("VET101", _provenance),
    "reproducibility": ("VET201", _reproducibility),
    "portability": ("VET301", _portability),
    "documentation": ("VET401", _documentation),
    "license": ("VET503", _license),
    "integrity": ("VET604", _integrity),
    "package": ("VET606", _package),
    "safety": ("VET701", _safety),
    "claims": ("VET801", _claims),
    "maintenance": ("VET901", _maintenance),
}


def test_every_family_has_a_fail_case() -> None:
    families = {c.fn.__module__.rsplit(".", 1)[-1] for c in REGISTRY}
    assert len(families) >= 9
    assert families <= set(CASES), f"no FAIL case for {sorted(families - set(CASES))}"


@pytest.mark.parametrize("family", sorted(CASES))
def test_family_fails_on_bad_evidence(family: str) -> None:
    check_id, build = CASES[family]
    (check,) = [c for c in REGISTRY if c.meta.id == check_id]
    findings = list(run_check(check, build()))
    assert findings and all(f.check_id == check_id for f in findings)
    assert Outcome.FAIL in {f.outcome for f in findings}, [f"{f.outcome}: {f.message}" for f in findings]
