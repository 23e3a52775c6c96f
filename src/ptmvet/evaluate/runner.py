"""Re-measure claims: claim -> task runner x dataset x metric x bootstrap -> Measurement.

Claims that share a model task and a data file are measured with one pass
over the data; every metric of the group is computed from the same kept
predictions. A claim that cannot be measured becomes a ``not-verifiable``
measurement with the reason (no data, unsupported task or metric, refused
weights), never an exception.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ptmvet.card import Claim
from ptmvet.errors import Error
from ptmvet.evaluate.claims import ClaimSpec
from ptmvet.evaluate.tasks.interface import RunOptions
from ptmvet.evidence.measurement import ClaimVerdict, Measurement, Unverifiable
from ptmvet.progress import Progress


@dataclass(frozen=True, kw_only=True)
class ReproduceOptions:
    """Options of a re-measurement. ``tolerance`` is in the claim's own units (1.0 = one point of 91.3)."""

    resamples: int = 1000
    confidence: float = 0.95
    seed: int = 0
    tolerance: float | None = None
    task: str | None = None
    split: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    run: RunOptions = field(default_factory=RunOptions)
    #: Rows of the claimed split, when the table of known split sizes does not have it:
    #: data with fewer rows is measured as a sample.
    split_size: int | None = None

    @classmethod
    def default(cls) -> ReproduceOptions:
        return cls()


def _revision(model_path: Path) -> str | None:
    parts = model_path.resolve().parts
    if "snapshots" in parts:
        i = parts.index("snapshots")
        if i + 1 < len(parts):
            return parts[i + 1]
    head = model_path / ".git" / "HEAD"
    try:
        ref = head.read_text("utf-8").strip()
        if ref.startswith("ref: "):
            return (model_path / ".git" / ref[5:]).read_text("utf-8").strip()
        return ref or None
    except OSError:
        return None


def _not_verifiable(spec: ClaimSpec, cause: Unverifiable, reason: str, *, task: str | None = None, metric: str | None = None, data: Path | None = None) -> Measurement:
    c = spec.claim
    return Measurement(
        claim=c,
        task=task or c.task_type,
        dataset=c.dataset,
        split=c.dataset_split,
        config=c.dataset_config,
        metric=metric or c.metric,
        claimed=c.value,
        verdict=ClaimVerdict.NOT_VERIFIABLE,
        cause=cause,
        reason=reason,
        data_path=str(data) if data else None,
    )


def reproduce(
    model_path: Path | str,
    claims: Sequence[Claim | ClaimSpec],
    *,
    data: Path | str | None = None,
    data_dir: Path | str | None = None,
    options: ReproduceOptions | None = None,
    progress: Progress | None = None,
    revision: str | None = None,
) -> list[Measurement]:
    """Measure each claim on local data; one Measurement per claim, in order."""
    from ptmvet.evaluate import datasets as dsm
    from ptmvet.evaluate.metrics import METRICS, canonical_metric
    from ptmvet.evaluate.tasks.interface import canonical_task, infer_task
    from ptmvet.evaluate.tasks.table import RUNNERS

    options = options or ReproduceOptions.default()
    model_path = Path(model_path)
    specs = [c if isinstance(c, ClaimSpec) else ClaimSpec(c) for c in claims]
    model_task = infer_task(model_path)
    results: list[Measurement | None] = [None] * len(specs)
    groups: dict[tuple[str, str, str | None, str | None, tuple[tuple[str, str], ...]], list[tuple[int, ClaimSpec, str]]] = {}
    for i, spec in enumerate(specs):
        c = spec.claim
        task = canonical_task(options.task) or canonical_task(c.task_type) or model_task
        if task is None:
            results[i] = _not_verifiable(spec, Unverifiable.UNSUPPORTED_TASK, "unsupported task: neither the claim nor the model names a task ptmvet can run")
            continue
        if task not in RUNNERS:
            results[i] = _not_verifiable(spec, Unverifiable.UNSUPPORTED_TASK, f"unsupported task {c.task_type!r}", task=task)
            continue
        metric = canonical_metric(c.metric, c.metric_config, task=task)
        if metric is None:
            results[i] = _not_verifiable(spec, Unverifiable.UNSUPPORTED_METRIC, f"unsupported metric {c.metric!r}", task=task)
            continue
        if task.startswith("tabular"):
            task = "tabular-regression" if METRICS[metric].kind == "values" else "tabular-classification"
        if METRICS[metric].kind not in RUNNERS[task].kinds:
            results[i] = _not_verifiable(spec, Unverifiable.METRIC_MISMATCH, f"metric {metric} does not apply to {task}", task=task, metric=metric)
            continue
        if c.value is None:
            results[i] = _not_verifiable(spec, Unverifiable.NO_VALUE, "the claim has no numeric value", task=task, metric=metric)
            continue
        path: Path | None = spec.data or (Path(data) if data else None)
        if path is None and data_dir is not None:
            path, why = dsm.match_claim(c, Path(data_dir))
            if path is None:
                results[i] = _not_verifiable(spec, Unverifiable.NO_DATA, f"no data: {why}", task=task, metric=metric)
                continue
        source = str(path) if path is not None else (c.dataset or "")
        if path is None:
            cached = dsm.find_cached_dataset(source, config=c.dataset_config, split=options.split or c.dataset_split) if source else None
            if cached is None:
                results[i] = _not_verifiable(spec, Unverifiable.NO_DATA, f"no data: {c.dataset!r} is not in the local HF cache; pass --data or --data-dir", task=task, metric=metric)
                continue
        split = options.split or c.dataset_split
        cols = tuple(sorted({**options.columns, **spec.columns}.items()))
        groups.setdefault((task, source, split, c.dataset_config, cols), []).append((i, spec, metric))
    for (task, source, split, config, cols), members in groups.items():
        for i, m in zip((i for i, _, _ in members), _measure_group(
                model_path,
                task,
                source=source,
                split=split,
                config=config,
                columns=dict(cols),
                members=members,
                options=options,
                progress=progress,
                revision=revision,
            ), strict=True):
            results[i] = m
    return [m for m in results if m is not None]


def _measure_group(
    model_path: Path,
    task: str,
    *,
    source: str,
    split: str | None,
    config: str | None,
    columns: dict[str, str],
    members: list[tuple[int, ClaimSpec, str]],
    options: ReproduceOptions,
    progress: Progress | None,
    revision: str | None,
) -> list[Measurement]:
    from ptmvet.evaluate import datasets as dsm
    from ptmvet.evaluate import stats
    from ptmvet.evaluate.metrics import METRICS
    from ptmvet.evaluate.tasks.interface import runner_for

    started = datetime.now(UTC)
    t0 = time.perf_counter()
    try:
        from ptmvet.evaluate.tasks.interface import resolve_run_options

        run_opts = resolve_run_options(options.run, model_path)
        ds = dsm.open_dataset(source, split=split, config=config)
        colmap = dsm.infer_columns(ds, task, columns)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ptmvet-hash") as pool:
            data_hash = pool.submit(ds.sha256)  # hashed while the model runs
            out = runner_for(task).run(model_path, ds, colmap, run_opts, progress)
            data_sha = data_hash.result()
            weight_files = dict(out.weight_files)
    except Error as exc:
        from ptmvet.evaluate.tasks.interface import MissingWeights, RefusedWeights

        if isinstance(exc, RefusedWeights):
            kind, unverifiable = "refused weights", Unverifiable.REFUSED_WEIGHTS
        elif isinstance(exc, MissingWeights):
            kind, unverifiable = "missing weights", Unverifiable.MISSING_WEIGHTS
        else:
            kind, unverifiable = "could not measure", Unverifiable.MEASUREMENT_FAILED
        why = f"{kind}: {exc}" + (f" ({exc.hint})" if exc.hint else "")
        return [_not_verifiable(spec, unverifiable, why, task=task, metric=metric, data=Path(source)) for _, spec, metric in members]
    provenance = {
        "model_path": str(model_path),
        "model_revision": revision or _revision(model_path),
        "weight_files": weight_files,
        "data_file": str(ds.path),
        "data_format": ds.format,
        "data_sha256": data_sha,
        "rows": out.rows,
        "columns": dict(colmap.roles),
        "libraries": dict(out.libraries),
        "device": run_opts.device,
        "batch_size": run_opts.batch_size,
        "seed": options.seed,
        "resamples": options.resamples,
        "confidence": options.confidence,
        "inference_seconds": round(out.seconds, 3),
        "rows_per_second": round(out.rows / out.seconds, 1) if out.seconds > 0 else None,
        "started_at": started.isoformat(),
    }
    results: list[Measurement] = []
    for _, spec, metric in members:
        c = spec.claim
        subset = spec.subset or _sample_of_split(c, ds.split, out.rows, options)
        mspec = METRICS[metric]
        claimed = float(c.value or 0.0)
        scale = stats.claim_scale(claimed, mspec)
        kept = out.predictions if out.predictions.kind == mspec.kind else out.scores
        if kept is None:
            results.append(_not_verifiable(spec, Unverifiable.MEASUREMENT_FAILED, f"the {task} runner keeps no predictions for {metric}", task=task, metric=metric, data=ds.path))
            continue
        interval = stats.bootstrap(mspec, kept, resamples=options.resamples, confidence=options.confidence, seed=options.seed)
        min_tol = options.tolerance / scale if options.tolerance is not None else None
        verdict, tol = stats.judge(claimed / scale, interval, mspec, min_tolerance=min_tol)
        alternative = None
        if out.alternative is not None and out.alternative.kind == mspec.kind:
            alternative = float(mspec.compute(out.alternative, None)) * scale
        undefined = verdict is ClaimVerdict.NOT_VERIFIABLE
        reason = "the metric is undefined on this data" if undefined else None
        cause: Unverifiable | None = Unverifiable.UNDEFINED_METRIC if undefined else None
        notes = out.notes
        if c.dataset_split is None and ds.split:
            notes = (*notes, f"the claim names no split: measured on {ds.split} ({ds.path.name})")
        by_order = out.label_map is not None and out.label_map.method != "names"
        if alternative is not None and out.permutation is not None and out.permutation.suspect and by_order:
            assert out.label_map is not None
            swaps = ", ".join(f"{a} -> {b}" for a, b in out.permutation.suggested.items())
            verdict = ClaimVerdict.LABEL_MAP_SUSPECT
            reason = (f"labels matched by {out.label_map.method} give {interval.value * scale:.4g}; the mapping that fits the "
                      f"predictions ({swaps}) gives {alternative:.4g}; claimed {claimed:g}: settle the label map "
                      "(--column, a ClassLabel, or id2label) before judging the claim")
        if subset is not None:
            # Part of a split is not the split: the value is indicative, the claim is not verified either way.
            notes = (*notes, f"subset: {subset}; the {verdict.value} verdict it would give is indicative only")
            verdict = ClaimVerdict.NOT_VERIFIABLE
            cause = Unverifiable.SUBSET
            reason = (f"data is a subset of the claimed split ({subset}): measured {interval.value * scale:.4g} "
                      f"(95% CI {interval.low * scale:.4g}-{interval.high * scale:.4g}, n={out.rows}), indicative only")
        results.append(
            Measurement(
                claim=c,
                task=task,
                dataset=c.dataset,
                split=c.dataset_split or ds.split,
                config=c.dataset_config,
                metric=metric,
                claimed=c.value,
                verdict=verdict,
                cause=cause,
                measured=_r(interval.value * scale),
                ci_low=_r(interval.low * scale),
                ci_high=_r(interval.high * scale),
                n=kept.n,
                tolerance=_r(tol * scale),
                scale=scale,
                reason=reason,
                data_path=str(ds.path),
                label_map=out.label_map.to_dict() if out.label_map else None,
                permutation=out.permutation.to_dict() if out.permutation else None,
                alternative=_r(alternative) if alternative is not None else None,
                notes=notes,
                provenance={**provenance, "duration_seconds": round(time.perf_counter() - t0, 3)},
                subset=subset,
            )
        )
    return results


def _sample_of_split(c: Claim, data_split: str | None, rows: int, options: ReproduceOptions) -> str | None:
    """Why the data is a sample of the claimed split (fewer rows than it has), or None."""
    from ptmvet.evaluate.splits import known_split_size, subset_note

    split = options.split or c.dataset_split or data_split
    name = c.dataset_name or c.dataset_type or "the dataset"
    if options.split_size is not None:
        size, source = options.split_size, "--split-size"
    else:
        known = known_split_size((c.dataset_type, c.dataset_name), c.dataset_config, split)
        if known is None:
            return None
        size, source = known.rows, "known split size"
    return subset_note(rows, size, name=name, split=split, source=source) if 0 < rows < size else None


def _r(x: float) -> float | None:
    return round(x, 6) if math.isfinite(x) else None
