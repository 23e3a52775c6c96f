"""`ptmvet audit --reproduce`: re-measure a small registry's claims from the HF cache, and the study's table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from ptmvet.cli import main
from ptmvet.registry.remeasure import run_remeasure
from ptmvet.registry.store import open_store
from ptmvet.registry.study import compute_study, remeasurement


def _cached_model(hub: Path, repo: str, model_file: Path, sha: str) -> None:
    folder = hub / ("models--" + repo.replace("/", "--"))
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(sha)
    snap = folder / "snapshots" / sha
    snap.mkdir(parents=True)
    (snap / "model.skops").write_bytes(model_file.read_bytes())


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, float]:
    pytest.importorskip("skops")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from skops.io import dump

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    y = (x[:, 0] + rng.normal(scale=0.5, size=300) > 0).astype(int)
    model = LogisticRegression().fit(x[:150], y[:150])
    dump(model, tmp_path / "m.skops")
    acc = 100 * float(accuracy_score(y[150:], model.predict(x[150:])))
    data = tmp_path / "data" / "toyset"
    data.mkdir(parents=True)
    with (data / "test.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["f0", "f1", "label"])
        w.writerows([*r, int(t)] for r, t in zip(x[150:].tolist(), y[150:], strict=True))
    (data / "LICENSE.txt").write_text("not data\n")
    hub = tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(hub))
    for i, repo in enumerate(("org/good", "org/inflated", "org/no-data")):
        _cached_model(hub, repo, tmp_path / "m.skops", f"{i}" * 40)
    db = tmp_path / "r.duckdb"
    models = [("org/good", acc, "toyset"), ("org/inflated", min(acc + 8, 99.5), "toyset"), ("org/not-cached", acc, "toyset"),
              ("org/no-data", acc, "elsewhere")]
    with open_store(db) as s:
        for i, (mid, value, ds) in enumerate(models):
            s.con.execute("INSERT INTO models (model_id, revision, has_model_index, fingerprint, source, first_run, last_run, changed_run) "
                          "VALUES (?, ?, true, 1, 'test', 1, 1, 1)", [mid, f"r{i}"])
            s.con.execute("INSERT INTO claims VALUES (?, 0, 'tabular-classification', ?, 'test', 'accuracy', ?, false, 'model-index')",
                          [mid, ds, round(value, 2)])
        s.con.execute("INSERT INTO claims VALUES ('org/good', 1, 'tabular-classification', 'toyset', 'test', 'f1', 0.5, false, 'model-index')")
    return db, tmp_path / "data", acc


def test_remeasure_a_small_registry(registry: tuple[Path, Path, float]) -> None:
    db, data_dir, acc = registry
    with open_store(db) as s:
        assert remeasurement(s).measured is False
        stats = run_remeasure(s, data_dir, device="cpu", resamples=100)
        assert (stats.models_with_claims, stats.not_in_cache, stats.no_local_data, stats.models_measured) == (4, 1, 1, 2)
        assert stats.claims_measured == 3 and stats.devices == ("cpu",)
        rows = s.con.execute("SELECT model_id, ordinal, metric, verdict, measured, gap_points, device, snapshot, rows_per_second "
                             "FROM measurements ORDER BY model_id, ordinal").fetchall()
    good_acc, good_f1, inflated = rows
    assert good_acc[:4] == ("org/good", 0, "accuracy", "consistent") and good_acc[4] == pytest.approx(acc)
    assert abs(good_acc[5]) < 0.01 and good_acc[6] == "cpu" and good_acc[7] == "0" * 40 and good_acc[8] > 0
    assert good_f1[2] == "f1" and good_f1[3] == "understated"  # 0.5 claimed, the model does better
    assert inflated[3] == "overstated" and inflated[5] == pytest.approx(min(acc + 8, 99.5) - acc, abs=0.01)
    with open_store(db, read_only=True) as s:
        table = next(t for t in compute_study(s).tables if t.name == "remeasurement")
    assert table.measured
    by_task = {r[0]: r for r in table.rows}
    assert by_task["tabular-classification"][1:] == (3, 3, 2, pytest.approx(2 / 3, abs=1e-4), 2, pytest.approx(2 / 3, abs=1e-4), 0, 0)
    assert by_task["all"][1] == 3


@pytest.mark.slow  # two forkserver workers each import torch and scikit-learn before their first model
def test_local_pool_gives_the_same_rows(registry: tuple[Path, Path, float]) -> None:
    db, data_dir, _ = registry
    with open_store(db) as s:
        run_remeasure(s, data_dir, device="cpu", resamples=50)
        run_remeasure(s, data_dir, device="cpu", resamples=50, workers=2)
        got = s.con.execute("SELECT run_id, model_id, ordinal, verdict, measured, ci_low, ci_high FROM measurements ORDER BY ALL").fetchall()
    runs = sorted({r[0] for r in got})
    assert len(runs) == 2
    first, second = ([r[1:] for r in got if r[0] == run] for run in runs)
    assert first == second and len(first) == 3


_ROWS = ("SELECT model_id, revision, snapshot, ordinal, task, dataset, split, metric, claimed, measured, ci_low, ci_high, n, verdict, "
         "reason, gap_points, subset, data_sha256, device FROM measurements WHERE run_id = ? ORDER BY model_id, ordinal")


@pytest.mark.slow  # a local Ray runtime starts (a few seconds) and its worker imports torch and scikit-learn
def test_ray_engine_writes_the_same_measurements_as_the_local_pool(registry: tuple[Path, Path, float],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray")
    # Ray keeps the first session's auth token in the process and looks for it under HOME, which every test
    # changes: a second token-auth runtime in this process (another test's) would wait for its GCS forever.
    # This local, single-user runtime runs without token auth, so the two never meet.
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    db, data_dir, _ = registry
    with open_store(db) as s:
        local = run_remeasure(s, data_dir, device="cpu", resamples=50)
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
        try:
            on_ray = run_remeasure(s, data_dir, engine="ray", device="cpu", resamples=50)
            assert ray.is_initialized()  # a runtime it did not start is left running
        finally:
            ray.shutdown()
        assert (on_ray.engine, on_ray.models_measured, on_ray.claims_measured) == ("ray", 2, 3)
        assert on_ray.verdicts == local.verdicts == {"consistent": 1, "understated": 1, "overstated": 1}
        want = s.con.execute(_ROWS, [local.run_id]).fetchall()
        got = s.con.execute(_ROWS, [on_ray.run_id]).fetchall()
    assert len(want) == 3 and got == want


def test_ray_places_one_model_per_gpu() -> None:
    from ptmvet.registry.remeasure import RayPlacement, ray_placement

    assert ray_placement(("cuda:0", "cuda:1")) == RayPlacement(num_gpus=1, num_cpus=1, device="cuda")
    assert ray_placement(("cuda",)) == RayPlacement(num_gpus=1, num_cpus=1, device="cuda")
    assert ray_placement(("cpu",)) == RayPlacement(num_gpus=0, num_cpus=1, device="cpu")
    assert ray_placement(("mps",)).device == "mps" and ray_placement(("mps",)).num_gpus == 0


def test_ray_engine_asks_ray_for_one_gpu_per_task_when_cuda_is_present(registry: tuple[Path, Path, float],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The placement reaches Ray: with CUDA present each task asks for num_gpus=1 and names the device it is granted."""
    import sys
    import types

    import ptmvet.registry.remeasure as rm

    asked: list[dict[str, int]] = []
    ran: list[str] = []

    class _Task:
        def __init__(self, fn: object) -> None:
            self.fn = fn

        def remote(self, job: rm.Job, data_dir: str, *, device: str, **kw: object) -> list[tuple[object, ...]]:
            ran.append(device)
            return [(job.model_id, 0)]

    fake = types.ModuleType("ray")
    state = {"up": False}
    fake.is_initialized = lambda: state["up"]  # type: ignore[attr-defined]
    fake.init = lambda **kw: state.update(up=True)  # type: ignore[attr-defined]
    fake.shutdown = lambda: state.update(up=False)  # type: ignore[attr-defined]
    fake.get = lambda ref: ref  # type: ignore[attr-defined]

    def remote(**kw: int) -> object:
        asked.append(kw)
        return _Task

    fake.remote = remote  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ray", fake)
    jobs = [rm.Job("org/a", "r", "s", "/nowhere", ()), rm.Job("org/b", "r", "s", "/nowhere", ())]
    out = list(rm._ray(jobs, "/data", ("cuda:0", "cuda:1"), workers=2, resamples=10, allow_pickle=False))
    assert asked == [{"num_gpus": 1, "num_cpus": 1}] and ran == ["cuda", "cuda"] and len(out) == 2
    assert state["up"] is False  # the runtime it started is shut down
    asked.clear()
    ran.clear()
    list(rm._ray(jobs[:1], "/data", ("cpu",), workers=1, resamples=10, allow_pickle=False))
    assert asked == [{"num_gpus": 0, "num_cpus": 1}] and ran == ["cpu"]


def test_audit_reproduce_command(registry: tuple[Path, Path, float], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, data_dir, _ = registry
    assert main(["audit", "--db", str(db), "--reproduce", "--data-dir", str(data_dir), "--device", "cpu", "--resamples", "20",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "src" / "ptmvet" / "schemas" / "remeasure.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["claims_measured"] == 3 and doc["verdicts"] == {"consistent": 1, "understated": 1, "overstated": 1}
    assert main(["audit", "--db", str(db), "--reproduce"]) == 2
    assert "--data-dir" in capsys.readouterr().err
    assert main(["study", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "SCORED" in out
