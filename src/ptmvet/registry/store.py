"""The registry store: a DuckDB file with a versioned schema.

The schema lives in ``migrations/NNNN_name.sql``; :func:`open_store` applies
the ones a database lacks, in order, and records each in ``schema_migrations``.
Every table is documented in ``docs/registry.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ptmvet._version import __version__
from ptmvet.errors import DependencyMissing, InputError

#: The schema version this code writes (the highest migration number).
SCHEMA_VERSION = 11

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

try:
    import duckdb
except ImportError:  # pragma: no cover - exercised only without the extra
    duckdb = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Migration:
    """One schema step."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with ptmvet, in version order."""
    found: list[Migration] = []
    for entry in resources.files("ptmvet.registry").joinpath("migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


class Store:
    """An open registry database. Use :func:`open_store`."""

    def __init__(self, con: Any, path: str) -> None:
        self.con = con
        self.path = path

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One atomic unit: everything in it is committed together or not at all."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def schema_version(self) -> int:
        row = _first(self.con.execute("SELECT max(version) FROM schema_migrations").fetchall())
        return int(row[0]) if row and row[0] is not None else 0

    # -- runs and cursors ----------------------------------------------------------
    def start_run(self, kind: str, source: str, params: Mapping[str, Any]) -> tuple[int, bool]:
        """Open a run, or resume the unfinished one with the same kind, source and params.

        Returns ``(run_id, resumed)``.
        """
        params_json = json.dumps(params, sort_keys=True, default=str)
        row = self.con.execute(
            "SELECT run_id FROM runs WHERE kind = ? AND source = ? AND params = ? AND status = 'running' "
            "ORDER BY run_id DESC LIMIT 1",
            [kind, source, params_json],
        ).fetchall()
        row = _first(row)
        if row:
            return int(row[0]), True
        with self.transaction() as con:
            run_id = int(con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchall()[0][0])
            con.execute(
                "INSERT INTO runs (run_id, kind, source, params, status, started_at, tool_version) "
                "VALUES (?, ?, ?, ?, 'running', ?, ?)",
                [run_id, kind, source, params_json, _now(), __version__],
            )
        return run_id, False

    def finish_run(self, run_id: int, stats: Mapping[str, Any]) -> None:
        self.con.execute(
            "UPDATE runs SET status = 'done', finished_at = ?, stats = ? WHERE run_id = ?",
            [_now(), json.dumps(stats, sort_keys=True, default=str), run_id],
        )

    def cursor(self, run_id: int, input_key: str) -> tuple[int, str | None]:
        """How many records of ``input_key`` this run has committed, and the last key."""
        row = _first(
            self.con.execute(
                "SELECT position, last_key FROM cursors WHERE run_id = ? AND input = ?", [run_id, input_key]
            ).fetchall()
        )
        return (int(row[0]), row[1]) if row else (0, None)

    def set_cursor(self, con: Any, run_id: int, input_key: str, position: int, last_key: str | None) -> None:
        """Advance a cursor; call inside the transaction that commits the records."""
        con.execute(
            "INSERT OR REPLACE INTO cursors (run_id, input, position, last_key, updated_at) VALUES (?, ?, ?, ?, ?)",
            [run_id, input_key, position, last_key, _now()],
        )

    def latest_run(self, kind: str) -> int | None:
        row = self.con.execute(
            "SELECT max(run_id) FROM runs WHERE kind = ? AND status = 'done'", [kind]
        ).fetchall()
        row = _first(row)
        return int(row[0]) if row and row[0] is not None else None

    # -- snapshots -----------------------------------------------------------------
    def snapshots(self) -> list[Snapshot]:
        """Every finished snapshot (a mine run that read model records), oldest first."""
        frozen = {int(r[0]) for r in self.con.execute("SELECT snapshot FROM snapshots").fetchall()}
        return [
            Snapshot(int(r[0]), str(r[1]), str(r[2]), None if r[3] is None else str(r[3]), int(r[0]) in frozen)
            for r in self.con.execute(_SNAPSHOT_RUNS).fetchall()
        ]

    def begin_snapshot(self, run_id: int) -> int | None:
        """Keep the previous snapshot before run ``run_id`` changes the live tables; returns its id when copied now.

        Called by every mine run that reads model records, resumed ones included (the
        copy is one transaction, done once). The previous snapshot's models are those
        its run saw; its cards, claims, card licences and bases and git history are
        every live row of those tables, which are then emptied for the new snapshot.
        """
        before = [s for s in self.snapshots() if s.run_id < run_id]
        if not before or before[-1].frozen:
            return None
        prev = before[-1].run_id
        with self.transaction() as con:
            con.execute("INSERT INTO snapshot_models SELECT $p, * FROM models WHERE last_run = $p", {"p": prev})
            con.execute(
                "INSERT INTO snapshot_files SELECT $p, * FROM files WHERE model_id IN "
                "(SELECT model_id FROM models WHERE last_run = $p)",
                {"p": prev},
            )
            for t in SNAPSHOT_TABLES[2:]:
                con.execute(f"INSERT INTO snapshot_{t} SELECT $p, * FROM {t}", {"p": prev})  # noqa: S608 - fixed names
                con.execute(f"DELETE FROM {t}")  # noqa: S608 - fixed names
            n = con.execute("SELECT count(*) FROM snapshot_models WHERE snapshot = ?", [prev]).fetchall()[0][0]
            con.execute("INSERT INTO snapshots VALUES (?, ?, ?)", [prev, _now(), n])
        return prev

    @contextmanager
    def at_snapshot(self, snapshot: int | None = None) -> Iterator[Snapshot | None]:
        """Read the snapshot tables as they were at ``snapshot`` (None: the latest) until the block ends.

        Temporary views named like the live tables stand in for them on this
        connection, so every query reads the snapshot unchanged: a kept snapshot from
        its ``snapshot_<table>`` rows, the latest from the live tables (its models:
        those the run saw). Yields None, and changes nothing, when the database holds
        no snapshot (only git history, or an interrupted first run).
        """
        snaps = self.snapshots()
        if not snaps:
            if snapshot is not None:
                raise InputError(f"{self.path}: no snapshot {snapshot}: the database holds no finished mine run",
                                 path=self.path)
            yield None
            return
        ids = [s.run_id for s in snaps]
        want = ids[-1] if snapshot is None else snapshot
        if want not in ids:
            raise InputError(
                f"{self.path}: no snapshot {want} (snapshots: {', '.join(map(str, ids))})",
                path=self.path, hint="`ptmvet study --db DB --list-snapshots` lists them",
            )
        snap = snaps[ids.index(want)]
        cat = '"' + str(self.con.execute("SELECT current_database()").fetchall()[0][0]).replace('"', '""') + '"'
        views: dict[str, str] = {}
        if snap.frozen:
            for t in SNAPSHOT_TABLES:
                views[t] = f"SELECT * EXCLUDE (snapshot) FROM {cat}.main.snapshot_{t} WHERE snapshot = {want}"  # noqa: S608 - ints, fixed names
            later = [i for i in ids if i > want]
            if later:  # the runs of its time (the audits and re-measurements made on it)
                views["runs"] = f"SELECT * FROM {cat}.main.runs WHERE run_id < {later[0]}"  # noqa: S608
        elif want == ids[-1]:
            seen = f"SELECT * FROM {cat}.main.models WHERE last_run = {want}"  # noqa: S608 - an int
            views["models"] = seen
            views["files"] = f"SELECT * FROM {cat}.main.files WHERE model_id IN (SELECT model_id FROM ({seen}))"  # noqa: S608
        else:
            raise InputError(
                f"{self.path}: snapshot {want} was not kept (a later run replaced it before schema 10 kept snapshots)",
                path=self.path,
            )
        try:
            for name, sql in views.items():
                self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
            yield snap
        finally:
            for name in views:
                self.con.execute(f"DROP VIEW IF EXISTS temp.main.{name}")

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise InputError(f"unknown table {table!r}")
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # noqa: S608 - checked name


#: Every data table of the schema (for dumps, tests and docs).
TABLES = (
    "runs",
    "cursors",
    "ingest_errors",
    "models",
    "revisions",
    "tags",
    "files",
    "licences",
    "lineage",
    "cards",
    "card_sections",
    "claims",
    "commits",
    "git_repos",
    "check_results",
    "scores",
    "snapshots",
    "snapshot_models",
    "snapshot_files",
    "snapshot_cards",
    "snapshot_card_sections",
    "snapshot_claims",
    "snapshot_licence_rows",
    "snapshot_lineage_rows",
    "snapshot_git_repos",
    "snapshot_commits",
)


#: Tables whose rows belong to one snapshot: kept as ``snapshot_<name>`` when the next one begins.
#: The first two hold the registry's current state (a snapshot is the models its run saw);
#: the others are emptied for the next snapshot once kept.
SNAPSHOT_TABLES = ("models", "files", "cards", "card_sections", "claims", "licence_rows", "lineage_rows", "git_repos", "commits")

# A snapshot is a finished mine run that read model records: a Hub listing, or dumps
# (a run given cards only, or git repositories, adds to the snapshot before it).
_SNAPSHOT_RUNS = """SELECT run_id, source, started_at, finished_at FROM runs
WHERE kind = 'mine' AND status = 'done'
  AND (source = 'hub' OR (source = 'dump' AND coalesce(json_array_length(params, '$.inputs'), 0) > 0))
ORDER BY run_id"""


@dataclass(frozen=True)
class Snapshot:
    """One snapshot of the registry: the state a mine run left."""

    run_id: int
    source: str  # 'dump' | 'hub'
    started_at: str
    finished_at: str | None
    frozen: bool  # a later snapshot has begun; its rows are in the snapshot_* tables

    @property
    def label(self) -> str:
        return f"snapshot {self.run_id} ({self.source}, mined {self.started_at[:19]})"


def _first(rows: list[Any]) -> Any:
    """The first row or None (DuckDB keeps a result open until it is fully fetched)."""
    return rows[0] if rows else None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def open_store(path: str | Path, *, read_only: bool = False, threads: int | None = None) -> Store:
    """Open (creating and migrating when needed) the registry database at ``path``."""
    if duckdb is None:
        raise DependencyMissing("duckdb", "the registry store")
    target = str(path)
    if read_only and not Path(target).is_file():
        raise InputError(f"{target}: no registry database here", path=target, hint="run `ptmvet mine` first")
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.Error as exc:
        raise InputError(f"{target}: cannot open the registry database: {exc}", path=target) from exc
    # The library never prints: DuckDB would draw a progress bar on stdout for long queries.
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    store = Store(con, target)
    if not read_only:
        _migrate(con)
    elif store.schema_version() > SCHEMA_VERSION:
        raise InputError(
            f"{target}: schema version {store.schema_version()} is newer than this ptmvet ({SCHEMA_VERSION})",
            path=target,
            hint="upgrade ptmvet",
        )
    return store


def _migrate(con: Any) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {int(r[0]) for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    newest = max(done, default=0)
    if newest > SCHEMA_VERSION:
        raise InputError(f"database schema version {newest} is newer than this ptmvet ({SCHEMA_VERSION})")
    for m in migrations():
        if m.version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [m.version, m.name, _now()])
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
