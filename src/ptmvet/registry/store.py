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
SCHEMA_VERSION = 9

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
)


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
