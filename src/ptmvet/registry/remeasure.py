"""Batch re-measurement: the claims of every mined model whose weights are at hand, on local data.

``ptmvet audit --db DB --reproduce --data-dir DIR`` takes each model of the store
that has machine-readable claims, looks for its weights in the local Hugging Face
cache (never the network), keeps the claims that match a file or folder of
``DIR`` (dataset, config and split, as ``reproduce --data-dir`` matches them), and
re-measures them with :func:`ptmvet.evaluate.runner.reproduce`. Jobs are one model
each and run on a local process pool or Ray; with GPUs each worker owns one device
(one model per device at a time), on CPUs each worker gets an equal share of the
cores. Results go to the ``measurements`` table; the study's re-measurement table
(:func:`ptmvet.registry.study.remeasurement`) reads them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ptmvet.card import Claim
from ptmvet.errors import DependencyMissing, UsageError
from ptmvet.progress import Progress
from ptmvet.registry.store import Store

COLUMNS = ("run_id", "model_id", "revision", "snapshot", "ordinal", "task", "dataset", "split", "metric", "claimed", "measured",
           "ci_low", "ci_high", "n", "verdict", "reason", "gap_points", "subset", "data_path", "data_sha256", "device",
           "rows_per_second", "seconds")


@dataclass(frozen=True)
class Job:
    """One model to re-measure: where its weights are and the claims that have local data."""

    model_id: str
    revision: str
    snapshot: str
    path: str
    claims: tuple[tuple[int, Claim], ...]


@dataclass
class RemeasureStats:
    """What one re-measurement run did (the denominators of the study's table)."""

    run_id: int
    engine: str
    workers: int
    devices: tuple[str, ...]
    models_with_claims: int = 0
    not_in_cache: int = 0
    no_local_data: int = 0
    models_measured: int = 0
    claims_measured: int = 0
    seconds: float = 0.0
    verdicts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "engine": self.engine, "workers": self.workers, "devices": list(self.devices),
                "models_with_claims": self.models_with_claims, "not_in_cache": self.not_in_cache,
                "no_local_data": self.no_local_data, "models_measured": self.models_measured,
                "claims_measured": self.claims_measured, "seconds": round(self.seconds, 3), "verdicts": dict(self.verdicts)}


def _has_weights(folder: Path) -> bool:
    return any(folder.glob("*.safetensors")) or any(folder.glob("*.skops")) or any(folder.glob("*.bin"))


def plan(store: Store, data_dir: Path, *, limit: int | None = None) -> tuple[list[Job], int, int, int]:
    """(jobs, models with claims, not in the HF cache, without local data for any claim)."""
    from ptmvet.errors import Error
    from ptmvet.evaluate.datasets import match_claim
    from ptmvet.sources.hf_cache import resolve

    rows = store.con.execute(
        """SELECT c.model_id, m.revision, c.ordinal, c.task_type, c.dataset, c.dataset_split, c.metric, c.value
           FROM claims c JOIN models m USING (model_id) ORDER BY c.model_id, c.ordinal""").fetchall()
    by_model: dict[str, tuple[str, list[tuple[int, Claim]]]] = {}
    for model_id, revision, ordinal, task, dataset, split, metric, value in rows:
        claim = Claim(task_type=task, dataset_name=dataset, dataset_type=dataset, dataset_split=split, metric_type=metric,
                      value=value, source="model-index")
        by_model.setdefault(model_id, (revision, []))[1].append((int(ordinal), claim))
    jobs: list[Job] = []
    not_cached = no_data = 0
    for model_id, (revision, claims) in by_model.items():
        if limit is not None and len(jobs) >= limit:
            break
        try:
            snap = resolve(model_id)
        except Error:
            not_cached += 1
            continue
        if not _has_weights(snap.path):
            not_cached += 1
            continue
        matched = tuple((o, c) for o, c in claims if match_claim(c, data_dir)[0] is not None)
        if not matched:
            no_data += 1
            continue
        jobs.append(Job(model_id, revision, snap.revision, str(snap.path), matched))
    return jobs, len(by_model), not_cached, no_data


# ---------------------------------------------------------------- workers

_DEVICE: str | None = None


def _init_worker(devices: Any, threads: int) -> None:
    global _DEVICE
    _DEVICE = devices.get() if devices is not None else "cpu"
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))


def measure_job(job: Job, data_dir: str, *, device: str | None = None, resamples: int = 1000, threads: int | None = None,
                allow_pickle: bool = False) -> list[tuple[Any, ...]]:
    """Re-measure one model's claims; rows for ``measurements`` without the run id."""
    from ptmvet.evaluate.metrics import METRICS
    from ptmvet.evaluate.runner import ReproduceOptions, reproduce
    from ptmvet.evaluate.tasks.interface import RunOptions

    dev = device or _DEVICE or "cpu"
    opts = ReproduceOptions(resamples=resamples, run=RunOptions(device=dev, threads=threads, allow_pickle=allow_pickle))
    t0 = time.perf_counter()
    ms = reproduce(Path(job.path), [c for _, c in job.claims], data_dir=Path(data_dir), options=opts, revision=job.snapshot)
    seconds = time.perf_counter() - t0
    out: list[tuple[Any, ...]] = []
    for (ordinal, _), m in zip(job.claims, ms, strict=True):
        gap = None
        spec = METRICS.get(m.metric or "")
        if spec is not None and spec.bounded and m.measured is not None and m.claimed is not None:
            diff = m.claimed - m.measured if spec.higher_is_better else m.measured - m.claimed
            gap = diff * (100.0 / m.scale)
        prov = m.provenance or {}
        out.append((job.model_id, job.revision, job.snapshot, ordinal, m.task, m.dataset, m.split, m.metric, m.claimed, m.measured,
                    m.ci_low, m.ci_high, m.n, str(getattr(m.verdict, "value", m.verdict)), m.reason, gap, m.subset is not None, m.data_path,
                    prov.get("data_sha256"), prov.get("device", dev), prov.get("rows_per_second"), round(seconds, 3)))
    return out


def _local(jobs: Sequence[Job], data_dir: str, devices: Sequence[str], *, workers: int, resamples: int, allow_pickle: bool,
           ) -> Iterator[list[tuple[Any, ...]]]:
    cpus = os.cpu_count() or 1
    threads = max(1, cpus // max(1, workers))
    if workers <= 1:
        for j in jobs:
            yield measure_job(j, data_dir, device=devices[0], resamples=resamples, threads=threads, allow_pickle=allow_pickle)
        return
    ctx = get_context("forkserver")  # never fork a process that holds DuckDB's threads
    manager = ctx.Manager()
    queue = manager.Queue()
    for i in range(workers):
        queue.put(devices[i % len(devices)])  # each worker takes one device for its life
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(queue, threads)) as pool:
        pending: list[Future[list[tuple[Any, ...]]]] = [
            pool.submit(measure_job, j, data_dir, resamples=resamples, threads=threads, allow_pickle=allow_pickle) for j in jobs]
        for fut in pending:
            yield fut.result()
    manager.shutdown()


@dataclass(frozen=True)
class RayPlacement:
    """How each re-measurement task is placed on Ray: the resources it asks for and the device it names."""

    num_gpus: int
    num_cpus: int
    device: str


def ray_placement(devices: Sequence[str]) -> RayPlacement:
    """One model per device: a task on GPUs asks Ray for one whole GPU and names it ``cuda``.

    Ray sets ``CUDA_VISIBLE_DEVICES`` to the GPU it granted, so inside the task ``cuda`` is that
    GPU and no two tasks share one; on CPUs a task takes one CPU of the pool.
    """
    if any(d.startswith("cuda") for d in devices):
        return RayPlacement(num_gpus=1, num_cpus=1, device="cuda")
    return RayPlacement(num_gpus=0, num_cpus=1, device=devices[0] if devices else "cpu")


def _ray(jobs: Sequence[Job], data_dir: str, devices: Sequence[str], *, workers: int, resamples: int, allow_pickle: bool,
         ) -> Iterator[list[tuple[Any, ...]]]:
    try:
        import ray
    except ImportError as exc:
        raise DependencyMissing("ray", "re-measurement with --engine ray") from exc
    import sys

    place = ray_placement(devices)
    started = False
    if not ray.is_initialized():
        path = os.pathsep.join(p for p in sys.path if p)
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env={"env_vars": {"PYTHONPATH": path}})
        started = True
    try:
        task: Any = ray.remote(num_gpus=place.num_gpus, num_cpus=place.num_cpus)(measure_job)
        refs = [task.remote(j, data_dir, device=place.device, resamples=resamples, allow_pickle=allow_pickle) for j in jobs]
        for r in refs:
            yield ray.get(r)
    finally:
        if started:
            ray.shutdown()


def devices_for(device: str) -> tuple[str, ...]:
    """The devices a run uses: every visible GPU for cuda/auto with GPUs, else the one named."""
    from ptmvet.evaluate.tasks.interface import resolve_device

    dev = resolve_device(device)
    if dev == "cuda":
        import torch

        return tuple(f"cuda:{i}" for i in range(torch.cuda.device_count())) or ("cuda",)
    return (dev,)


def run_remeasure(
    store: Store,
    data_dir: Path,
    *,
    engine: str = "local",
    workers: int | None = None,
    device: str = "auto",
    resamples: int = 1000,
    limit: int | None = None,
    allow_pickle: bool = False,
    progress: Progress | None = None,
) -> RemeasureStats:
    """Re-measure every model with cached weights and local data for a claim; rows into ``measurements``."""
    from ptmvet.registry.engines import _insert

    if engine not in ("local", "ray"):
        raise UsageError(f"unknown engine {engine!r} (choose local or ray)")
    devs = devices_for(device)
    gpu = devs[0].startswith("cuda")
    # One model per device on GPUs; on a CPU, one worker unless told otherwise (a model already uses every core).
    n_workers = max(1, workers or (len(devs) if gpu else 1))
    if gpu:
        n_workers = min(n_workers, len(devs))
    run_id, resumed = store.start_run("remeasure", f"data:{data_dir}", {"device": device, "resamples": resamples, "limit": limit})
    stats = RemeasureStats(run_id, engine, n_workers, devs)
    t0 = time.perf_counter()
    jobs, stats.models_with_claims, stats.not_in_cache, stats.no_local_data = plan(store, data_dir, limit=limit)
    if resumed:  # an interrupted run: the models it wrote are done
        done = {r[0] for r in store.con.execute("SELECT DISTINCT model_id FROM measurements WHERE run_id = ?", [run_id]).fetchall()}
        jobs = [j for j in jobs if j.model_id not in done]
    results = (_ray(jobs, str(data_dir), devs, workers=n_workers, resamples=resamples, allow_pickle=allow_pickle)
               if engine == "ray" else
               _local(jobs, str(data_dir), devs, workers=n_workers, resamples=resamples, allow_pickle=allow_pickle))
    for i, rows in enumerate(results, start=1):
        with store.transaction():
            _insert(store.con, "measurements", COLUMNS, [(run_id, *r) for r in rows])
        stats.models_measured += 1
        stats.claims_measured += len(rows)
        for r in rows:
            stats.verdicts[r[13]] = stats.verdicts.get(r[13], 0) + 1
        if progress:
            progress(i, len(jobs), "re-measuring")
    stats.seconds = time.perf_counter() - t0
    store.finish_run(run_id, stats.to_dict())
    return stats


__all__ = ["Job", "RayPlacement", "RemeasureStats", "devices_for", "measure_job", "plan", "ray_placement", "run_remeasure"]
