"""``ptmvet check --data-dir``: the measure enricher fills Evidence.measurements and the report section."""

from __future__ import annotations

import csv
from pathlib import Path

from ptmvet.checks.interface import Outcome
from ptmvet.pipeline import VetOptions, vet


def test_vet_with_data_dir_remeasures_card_claims(tmp_path: Path) -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from skops.io import dump

    x, y = load_iris(return_X_y=True)
    x = x[:, :1]
    model = LogisticRegression(max_iter=500).fit(x[::2], y[::2])
    acc = float(accuracy_score(y[1::2], model.predict(x[1::2])))
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    dump(model, pkg / "model.skops")
    (pkg / "README.md").write_text(
        "---\nlicense: mit\nmodel-index:\n- name: iris-lr\n  results:\n  - task: {type: tabular-classification}\n"
        f"    dataset: {{type: iris, name: Iris, split: test}}\n    metrics: [{{type: accuracy, value: {acc + 0.2:.4f}}}]\n---\n# iris\n"
    )
    data = tmp_path / "eval" / "iris"
    data.mkdir(parents=True)
    with (data / "test.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sepal_length", "label"])
        w.writerows([float(a[0]), int(t)] for a, t in zip(x[1::2], y[1::2], strict=True))
    report = vet(pkg, VetOptions(data_dir=tmp_path / "eval", offline=True))
    (m,) = report.measurements
    assert m.verdict.value == "overstated" and m.n == 75
    assert m.measured is not None and abs(m.measured - acc) < 1e-9
    vet801 = [f for f in report.findings if f.check_id == "VET801"]
    assert [f.outcome for f in vet801] == [Outcome.FAIL]
