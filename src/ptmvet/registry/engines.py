"""Audits at scale: the metadata-level checks over every model of the store.

Each model row becomes an :class:`~ptmvet.evidence.Evidence` (registry info,
tags, the siblings with their registry sha256, the card, the revision), and the
checks run through :func:`ptmvet.pipeline.run_checks`. Checks that need local
files say *skipped*. Work is cut into batches and run by an *engine*:

- ``local``: a process pool on this machine (default);
- ``ray``: a Ray runtime (an existing one, or a local one started here).

The database is only touched by the calling process: it streams batches out,
collects results as they come back and writes them in batches, so engines give
identical rows whatever the order in which batches finish.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from importlib import import_module
from multiprocessing import get_context
from typing import Any

from ptmvet._version import __version__
from ptmvet.card import parse_card
from ptmvet.checks.interface import Check
from ptmvet.errors import DependencyMissing, UsageError
from ptmvet.evidence import Evidence, FileEntry, RegistryInfo, Target
from ptmvet.progress import Progress
from ptmvet.registry.store import Store

#: Models per task sent to a worker.
AUDIT_BATCH = 500


class Engine(StrEnum):
    """Where audit batches run."""

    LOCAL = "local"
    RAY = "ray"


@dataclass
class AuditStats:
    """What one audit run did."""

    run_id: int
    engine: str
    workers: int
    models: int
    findings: int
    seconds: float
    resumed: bool = False
    #: What this run left out (checks not run under ``--checks``), in words; each model's
    #: scores count the checks not run as skipped misses, and the run is not a full vetting.
    not_vetted: tuple[str, ...] = ()

    @property
    def throughput(self) -> float:
        """Models per second."""
        return self.models / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "engine": self.engine,
            "workers": self.workers,
            "models": self.models,
            "findings": self.findings,
            "seconds": round(self.seconds, 3),
            "models_per_second": round(self.throughput, 1),
            "resumed": self.resumed,
            "not_vetted": list(self.not_vetted),
        }


# ----------------------------------------------------------------------------------
# Row -> Evidence (runs in workers)
# ----------------------------------------------------------------------------------

_ROW_SQL = """
SELECT m.model_id, m.revision, m.sha, m.author, m.downloads, m.downloads_all_time, m.likes,
       m.last_modified, m.created_at, m.gated, m.private, m.disabled, m.pipeline_tag, m.library_name,
       m.card_data, m.used_storage, m.n_files,
       list_sort(list_filter(m.tags, lambda t: t IS NOT NULL)) AS tags, f.files, c.text AS card
FROM models m
LEFT JOIN (SELECT model_id, list(struct_pack(path := path, size := size, sha256 := sha256, blob_id := blob_id)
                                 ORDER BY path) AS files
           FROM files GROUP BY model_id) f USING (model_id)
LEFT JOIN cards c USING (model_id)
WHERE NOT EXISTS (SELECT 1 FROM audited a WHERE a.model_id = m.model_id AND a.revision = m.revision)
ORDER BY m.model_id
"""

_ROW_KEYS = (
    "model_id", "revision", "sha", "author", "downloads", "downloads_all_time", "likes", "last_modified",
    "created_at", "gated", "private", "disabled", "pipeline_tag", "library_name", "card_data", "used_storage",
    "n_files", "tags", "files", "card",
)  # fmt: skip


def _gated(value: str | None) -> bool | str | None:
    if value is None or value == "null":
        return None
    if value in ("false", "true"):
        return value == "true"
    return value


def evidence_from_row(row: dict[str, Any]) -> Evidence:
    """The Evidence a registry row supports: registry facts, siblings, card; no local files."""
    card_data: Any = None
    if row.get("card_data"):
        try:
            card_data = json.loads(row["card_data"])
        except ValueError:
            card_data = None
    registry = RegistryInfo(
        source="dump",
        repo_id=row["model_id"],
        sha=row.get("sha"),
        author=row.get("author"),
        downloads=row.get("downloads"),
        downloads_all_time=row.get("downloads_all_time"),
        likes=row.get("likes"),
        last_modified=_dt(row.get("last_modified")),
        created_at=_dt(row.get("created_at")),
        gated=_gated(row.get("gated")),
        private=row.get("private"),
        disabled=row.get("disabled"),
        pipeline_tag=row.get("pipeline_tag"),
        library_name=row.get("library_name"),
        tags=tuple(row.get("tags") or ()),
        card_data=card_data if isinstance(card_data, dict) else None,
        used_storage=row.get("used_storage"),
        observed_at=_dt(row.get("observed_at")),
    )
    files = tuple(
        FileEntry(
            path=f["path"],
            size=f.get("size"),
            local=False,
            registry_sha256=f.get("sha256"),
            registry_size=f.get("size"),
            blob_id=f.get("blob_id"),
        )
        for f in (row.get("files") or ())
    )
    card = parse_card(row["card"]) if row.get("card") is not None else None
    target = Target(name=row["model_id"], source="registry", repo_id=row["model_id"], revision=row.get("sha"))
    return Evidence(target=target, files=files, card=card, registry=registry)


def _dt(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def load_checks(spec: str | None) -> tuple[Check, ...]:
    """The checks named by ``spec``: None for ptmvet's REGISTRY, or ``"module:ATTR"``.

    Workers receive this string, not the checks: a check pairs metadata with a
    function, and functions travel between processes only by import name.
    """
    if spec is None:
        from ptmvet.checks import REGISTRY

        return REGISTRY
    module, _, attr = spec.partition(":")
    try:
        value = getattr(import_module(module), attr or "CHECKS")
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"cannot load checks {spec!r}: {exc}") from exc
    return tuple(value)


def audit_batch(rows: list[dict[str, Any]], checks: str | None = None) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Run the checks over a batch of rows: (finding rows, score rows), without run ids."""
    from ptmvet.pipeline import not_run_findings, run_checks
    from ptmvet.report import score_findings

    use = load_checks(checks)
    ran = {c.meta.id for c in use}
    # The registered checks this run left out weigh as misses (as `check --only` does); the
    # same for every row, so built once per batch.
    not_run = not_run_findings(ran, f"this audit ran only the checks of {checks} (--checks)")
    results: list[tuple[Any, ...]] = []
    scores: list[tuple[Any, ...]] = []
    for row in rows:
        evidence = evidence_from_row(row)
        findings = run_checks(evidence, use) + not_run
        seen: dict[str, int] = {}
        for f in findings:
            n = seen.get(f.check_id, 0)
            seen[f.check_id] = n + 1
            results.append(
                (row["model_id"], row["revision"], f.check_id, n, f.outcome.value, f.severity.value,
                 f.attribute.value, f.message)
            )  # fmt: skip
        for attr, score in score_findings(findings).items():
            scores.append((row["model_id"], row["revision"], attr.value, score))
    return results, scores


# ----------------------------------------------------------------------------------
# Engines
# ----------------------------------------------------------------------------------

BatchResult = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _local_results(batches: Iterator[list[dict[str, Any]]], workers: int, checks: str | None) -> Iterator[BatchResult]:
    if workers <= 1:
        for b in batches:
            yield audit_batch(b, checks)
        return
    # forkserver: never fork a process that holds DuckDB's threads.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver")) as pool:
        pending: list[Future[BatchResult]] = []
        for b in batches:
            pending.append(pool.submit(audit_batch, b, checks))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()


def _ray_results(batches: Iterator[list[dict[str, Any]]], workers: int, checks: str | None) -> Iterator[BatchResult]:
    try:
        import ray
    except ImportError as exc:
        raise DependencyMissing("ray", "audits with --engine ray") from exc
    started = False
    if not ray.is_initialized():
        # Workers import checks by module name: give them the driver's import path.
        path = os.pathsep.join(p for p in sys.path if p)
        ray.init(
            num_cpus=workers,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
            runtime_env={"env_vars": {"PYTHONPATH": path}},
        )
        started = True
    try:
        task = ray.remote(audit_batch)
        pending: list[Any] = []
        for b in batches:
            pending.append(task.remote(b, checks))
            if len(pending) >= 2 * workers:
                done, pending = ray.wait(pending, num_returns=1)
                yield ray.get(done[0])
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
    finally:
        if started:
            ray.shutdown()


def _insert(con: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    import pyarrow as pa

    data = list(zip(*rows, strict=True))
    arrow = pa.table({c: pa.array(list(v)) for c, v in zip(columns, data, strict=True)})
    con.register("audit_rows", arrow)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM audit_rows")  # noqa: S608 - internal names
    finally:
        con.unregister("audit_rows")


def run_audit(
    store: Store,
    *,
    engine: Engine | str = Engine.LOCAL,
    workers: int | None = None,
    batch_size: int = AUDIT_BATCH,
    rerun: bool = False,
    checks: str | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> AuditStats:
    """Audit every model whose current revision has no results for this check set yet.

    ``checks`` names the checks (see :func:`load_checks`; default: every registered
    check). ``rerun`` audits every model again. A killed audit resumes (same run id) and
    skips the models it already wrote.
    """
    import time

    from ptmvet.pipeline import checks_left_out

    try:
        engine = Engine(engine)
    except ValueError as exc:
        raise UsageError(f"unknown engine {engine!r} (choose local or ray)") from exc
    use = load_checks(checks)
    workers = max(1, workers or os.cpu_count() or 1)
    check_ids = sorted({c.meta.id for c in use})
    params = {"checks": check_ids, "version": __version__, "rerun": rerun, "limit": limit}
    run_id, resumed = store.start_run("audit", "db", params)
    con = store.con
    # Temp tables belong to one connection: the reader owns the work list.
    reader = con.cursor()
    reader.execute(
        """CREATE OR REPLACE TEMP TABLE audited AS
        SELECT DISTINCT r.model_id, r.revision FROM check_results r JOIN runs u USING (run_id)
        WHERE u.run_id = $run OR ($skip_done AND u.kind = 'audit' AND u.status = 'done'
              AND json_extract_string(u.params, '$.version') = $version
              AND (json_extract(u.params, '$.checks'))::VARCHAR = $checks)""",
        {"run": run_id, "skip_done": not rerun, "version": __version__, "checks": json.dumps(check_ids, separators=(",", ":"))},
    )
    total = int(reader.execute("SELECT count(*) FROM models m WHERE NOT EXISTS "
                            "(SELECT 1 FROM audited a WHERE a.model_id = m.model_id AND a.revision = m.revision)")
                .fetchall()[0][0])
    if limit is not None:
        total = min(total, limit)
    # Ages ("not modified for N days") are measured against the snapshot's newest
    # modification, not the clock, so two audits of the same data agree exactly.
    observed_at = reader.execute("SELECT max(last_modified) FROM models").fetchall()[0][0]
    reader.execute(_ROW_SQL + (f" LIMIT {int(limit)}" if limit is not None else ""))

    def batches() -> Iterator[list[dict[str, Any]]]:
        while True:
            chunk = reader.fetchmany(batch_size)
            if not chunk:
                return
            yield [dict(zip(_ROW_KEYS, r, strict=True), observed_at=observed_at) for r in chunk]

    start = time.perf_counter()
    models = findings = 0
    if total == 0:  # nothing to do: do not start a pool or a Ray runtime
        results: Iterator[BatchResult] = iter(())
    elif engine is Engine.RAY:
        results = _ray_results(batches(), workers, checks)
    else:
        results = _local_results(batches(), workers, checks)
    buf_r: list[tuple[Any, ...]] = []
    buf_s: list[tuple[Any, ...]] = []
    flush_every = max(batch_size * 4, 2000)

    def flush() -> None:
        with store.transaction():
            _insert(con, "check_results",
                    ("run_id", "model_id", "revision", "check_id", "ordinal", "outcome", "severity", "attribute", "message"),
                    [(run_id, *r) for r in buf_r])
            _insert(con, "scores", ("run_id", "model_id", "revision", "attribute", "score"), [(run_id, *s) for s in buf_s])
        buf_r.clear()
        buf_s.clear()

    try:
        for res, sc in results:
            buf_r.extend(res)
            buf_s.extend(sc)
            models += len({r[0] for r in sc}) if sc else len({r[0] for r in res})
            findings += len(res)
            if len(buf_s) >= flush_every * 9 or len(buf_r) >= flush_every * 20:
                flush()
            if progress:
                progress(models, total, engine.value)
        flush()
    finally:
        reader.close()
    seconds = time.perf_counter() - start
    gap = checks_left_out(check_ids, f"--checks {checks}")
    stats = AuditStats(run_id, engine.value, workers, models, findings, seconds, resumed,
                       (f"{gap}; the others count as skipped misses in every score",) if gap else ())
    store.finish_run(run_id, stats.to_dict())
    return stats


def audit_digest(store: Store, run_id: int) -> str:
    """A digest of one audit run's findings and scores, independent of write order."""
    h = hashlib.sha256()
    for row in store.con.execute(
        "SELECT model_id, revision, check_id, ordinal, outcome, severity, attribute, message FROM check_results "
        "WHERE run_id = ? ORDER BY model_id, revision, check_id, ordinal",
        [run_id],
    ).fetchall():
        h.update(repr(row).encode())
    for row in store.con.execute(
        "SELECT model_id, revision, attribute, score FROM scores WHERE run_id = ? ORDER BY model_id, revision, attribute",
        [run_id],
    ).fetchall():
        h.update(repr(row).encode())
    return h.hexdigest()
