"""The demo's subset measurement is indicative (not-verifiable, value kept), and the check path stays light."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from ptmvet.card import Claim
from ptmvet.checks import claims as claim_checks
from ptmvet.checks.interface import Attribute, Outcome, run_check
from ptmvet.evaluate import DEMO_SUBSET, demo_data, demo_specs
from ptmvet.evaluate.claims import ClaimSpec
from ptmvet.evaluate.runner import ReproduceOptions, reproduce
from ptmvet.evidence import Evidence, Target


def test_demo_specs_use_the_card_claim_or_the_published_one() -> None:
    (spec,) = demo_specs()
    assert spec.data == demo_data() and spec.subset == DEMO_SUBSET
    assert spec.claim.value == pytest.approx(82.03) and spec.claim.metric == "spearman" and spec.claim.source == "published"
    card = Claim(task_type="sentence-similarity", dataset_name="STS Benchmark", dataset_type="mteb/stsbenchmark-sts",
                 metric_type="cosine_spearman", value=81.0, dataset_split="test")
    other = Claim(task_type="text-classification", dataset_name="SST-2", dataset_type="sst2", metric_type="accuracy", value=90.0)
    (spec,) = demo_specs([card, other])
    assert spec.claim is card and spec.subset == DEMO_SUBSET


def test_subset_measurement_keeps_the_value_and_is_not_verifiable(tmp_path: Path) -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from skops.io import dump

    x, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(x[::2, :1], y[::2])
    dump(model, tmp_path / "m.skops")
    data = tmp_path / "test.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["f", "label"])
        w.writerows([float(a[0]), int(t)] for a, t in zip(x[1::2], y[1::2], strict=True))
    ref = float(accuracy_score(y[1::2], model.predict(x[1::2, :1]))) * 100
    claim = Claim(task_type="tabular-classification", dataset_name="iris", dataset_type="iris", metric_type="accuracy", value=ref + 20)
    (m,) = reproduce(tmp_path / "m.skops", [ClaimSpec(claim, data=data, subset="75 of 150 rows")], options=ReproduceOptions(resamples=200))
    assert m.verdict == "not-verifiable" and m.measured == pytest.approx(ref) and m.ci_low is not None
    assert m.reason is not None and m.reason.startswith("data is a subset of the claimed split (75 of 150 rows): measured")
    assert m.to_dict()["subset"] is True and any("overstated verdict it would give is indicative" in n for n in m.notes)
    ev = Evidence(target=Target(name="iris", source="local"), measurements=(m,))
    (f801,) = run_check(claim_checks.claims_reproduced, ev)
    assert f801.outcome is Outcome.SKIPPED and "not verifiable like-for-like" in f801.message
    assert f"measured {m.measured:.4g}" in f801.message and "75 of 150 rows" in f801.message
    (f803,) = run_check(claim_checks.claims_measurable, ev)
    assert f803.outcome is Outcome.PASS


def test_check_path_imports_no_numpy_torch_or_transformers() -> None:
    code = (
        "import sys; import ptmvet.pipeline, ptmvet.checks.claims, ptmvet.evaluate.runner, ptmvet.cli.check;"
        "from ptmvet.pipeline import enrichers; enrichers();"
        "print(sorted(m for m in ('numpy', 'torch', 'transformers', 'scipy', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    assert out == "[]"


@pytest.mark.slow
def test_demo_report_shows_the_indicative_measurement(minilm_path: Path) -> None:
    from ptmvet.formats import render
    from ptmvet.pipeline import VetOptions, vet

    report = vet(minilm_path, VetOptions(offline=True, demo=True))
    (m,) = report.measurements
    assert m.verdict.value == "not-verifiable" and m.subset is not None and m.n == 375
    assert m.measured is not None and m.reason is not None and m.reason.startswith("data is a subset of the claimed split")
    (f801,) = [f for f in report.findings if f.check_id == "VET801"]
    assert f801.outcome is Outcome.SKIPPED and f"measured {m.measured:.4g}" in f801.message
    # Nothing was verified like-for-like: the claims score must not read as a full 10.
    assert report.scores[Attribute.CLAIMS] != 10.0
    html = render(report, "html")
    assert "data is a subset of the claimed split" in html
