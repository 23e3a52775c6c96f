"""The audit trail: who vetted which exact files, under which policy, with what verdict.

Every ``gate`` and ``attest`` appends one :class:`TrailRecord` to an append-only
log: a JSON Lines file (default ``$XDG_STATE_HOME/ptmvet/audit.jsonl``, or
``$PTMVET_AUDIT_LOG``) or, with ``--db``, a DuckDB table. Each record carries
the SHA-256 of the record before it (``prev``) and its own (``hash``, over its
canonical JSON without ``hash``), so that editing or deleting a record breaks
the chain. A *head* (``audit.jsonl.head`` beside the file, a table in DuckDB)
holds the count and the last hash, so that cutting records off the end is
detected too; for assurance against whoever can rewrite both, keep the head
elsewhere and pass it to ``log verify --expect-head``.

    append(TrailRecord.new(...), path=default_log_path())
    verify(path)              # raises TrailBroken naming the first bad record
    for r in read(path, model="org/name", since=date(2026, 12, 1)): ...
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ptmvet.atomic import write_atomic
from ptmvet.errors import InputError, IntegrityError

TRAIL_VERSION = 1
#: ``prev`` of the first record.
GENESIS = "0" * 64
ENV_LOG = "PTMVET_AUDIT_LOG"
TABLE = "ptmvet_audit_log"
HEAD_TABLE = "ptmvet_audit_head"
#: Files whose bytes are the model's weights, for the weights digest.
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".gguf", ".onnx", ".h5", ".msgpack", ".pkl", ".joblib", ".skops", ".npz")


class TrailBroken(IntegrityError):
    """The audit trail was edited, reordered or cut: a record's hash or link does not match."""

    def __init__(self, message: str, *, where: str, index: int | None) -> None:
        super().__init__(message, hint="the trail is not the one ptmvet wrote; restore it from a copy and find out who changed it")
        self.where = where
        self.index = index


def default_log_path() -> Path:
    """``$PTMVET_AUDIT_LOG``, else ``audit.jsonl`` in the user's state directory (XDG)."""
    env = os.environ.get(ENV_LOG)
    if env:
        return Path(env)
    state = os.environ.get("XDG_STATE_HOME")
    if state:
        base = Path(state)
    elif os.name == "nt":  # pragma: no cover - Windows
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path.home() / ".local" / "state"
    return base / "ptmvet" / "audit.jsonl"


def _canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest_of(data: Mapping[str, Any]) -> str:
    """sha256 of a JSON object's canonical form (sorted keys, no spaces)."""
    return hashlib.sha256(_canonical(data)).hexdigest()


def weights_digest(files: Mapping[str, str]) -> str | None:
    """One sha256 over the weight files' paths and digests (None when there is none)."""
    weights = sorted((p, d) for p, d in files.items() if p.lower().endswith(WEIGHT_SUFFIXES))
    if not weights:
        return None
    return hashlib.sha256("".join(f"{d}  {p}\n" for p, d in weights).encode("utf-8")).hexdigest()


def weights_digest_of(root: Path) -> str | None:
    """:func:`weights_digest` of a package folder, hashing only its weight files."""
    from ptmvet.integrity.manifest import hash_file
    from ptmvet.sources.local import walk

    files: dict[str, str] = {}
    for rel, p in walk(Path(root), []):
        if rel.lower().endswith(WEIGHT_SUFFIXES):
            try:
                files[rel] = hash_file(p)[0]
            except OSError as exc:
                raise InputError(f"{p}: cannot read ({exc.strerror or exc})", path=str(p)) from exc
    return weights_digest(files)


@dataclass(frozen=True, kw_only=True)
class TrailRecord:
    """One vetting decision. ``hash`` and ``prev`` are filled in by :func:`append`."""

    time: str
    command: str  # "gate" or "attest"
    user: str
    host: str
    model: str  # the reference as given
    repo_id: str | None
    revision: str | None
    weights_digest: str | None
    policy: str
    policy_digest: str
    stage: str | None
    verdict: str  # "pass" or "fail"
    waivers: tuple[Mapping[str, str], ...] = ()
    report_digest: str | None = None
    attestation_digest: str | None = None
    tool_version: str = ""
    seq: int = 0
    prev: str = GENESIS
    hash: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, *, command: str, model: str, verdict: str, policy: str, policy_digest: str, **kw: Any) -> TrailRecord:
        """A record stamped with the current time, user and host."""
        from ptmvet._version import __version__

        return cls(
            time=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            command=command,
            user=_user(),
            host=socket.gethostname(),
            model=model,
            verdict=verdict,
            policy=policy,
            policy_digest=policy_digest,
            repo_id=kw.pop("repo_id", None),
            revision=kw.pop("revision", None),
            weights_digest=kw.pop("weights_digest", None),
            stage=kw.pop("stage", None),
            tool_version=__version__,
            **kw,
        )

    def body(self) -> dict[str, Any]:
        """The hashed content: everything but ``hash``."""
        return {
            "trail_version": TRAIL_VERSION,
            "seq": self.seq,
            "prev": self.prev,
            "time": self.time,
            "command": self.command,
            "user": self.user,
            "host": self.host,
            "model": self.model,
            "repo_id": self.repo_id,
            "revision": self.revision,
            "weights_digest": self.weights_digest,
            "policy": self.policy,
            "policy_digest": self.policy_digest,
            "stage": self.stage,
            "verdict": self.verdict,
            "waivers": [dict(w) for w in self.waivers],
            "report_digest": self.report_digest,
            "attestation_digest": self.attestation_digest,
            "tool_version": self.tool_version,
            "extra": dict(self.extra),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrailRecord:
        return cls(
            seq=int(data["seq"]),
            prev=str(data["prev"]),
            hash=str(data.get("hash", "")),
            time=str(data["time"]),
            command=str(data["command"]),
            user=str(data["user"]),
            host=str(data["host"]),
            model=str(data["model"]),
            repo_id=data.get("repo_id"),
            revision=data.get("revision"),
            weights_digest=data.get("weights_digest"),
            policy=str(data["policy"]),
            policy_digest=str(data["policy_digest"]),
            stage=data.get("stage"),
            verdict=str(data["verdict"]),
            waivers=tuple(data.get("waivers") or ()),
            report_digest=data.get("report_digest"),
            attestation_digest=data.get("attestation_digest"),
            tool_version=str(data.get("tool_version", "")),
            extra=dict(data.get("extra") or {}),
        )

    def matches(self, model: str | None, since: date | None) -> bool:
        if model is not None and model not in {self.model, self.repo_id} and not self.model.rstrip("/").endswith("/" + model):
            return False
        return since is None or self.time[:10] >= since.isoformat()


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no passwd entry in some containers
        return os.environ.get("USER") or "unknown"


@dataclass(frozen=True)
class Head:
    """How many records the trail holds and the hash of the last one."""

    count: int
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"trail_version": TRAIL_VERSION, "count": self.count, "hash": self.hash}


class _JsonlStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.head_path = self.path.with_name(self.path.name + ".head")

    def where(self) -> str:
        return str(self.path)

    def records(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        if not self.path.exists():
            return
        try:
            fh = self.path.open("rb")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read the audit trail ({exc.strerror or exc})", path=str(self.path)) from exc
        with fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line.decode("utf-8"))
                except ValueError as exc:  # UnicodeDecodeError is a ValueError
                    raise TrailBroken(f"{self.path}: line {n} is not JSON ({exc})", where=str(self.path), index=n) from exc
                if not isinstance(data, dict):
                    raise TrailBroken(f"{self.path}: line {n} is not a record", where=str(self.path), index=n)
                yield n, data

    def head(self) -> Head | None:
        try:
            data = json.loads(self.head_path.read_text(encoding="utf-8"))
            return Head(int(data["count"]), str(data["hash"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TrailBroken(f"{self.head_path}: unreadable head ({exc})", where=str(self.head_path), index=None) from exc

    def append(self, record: TrailRecord) -> TrailRecord:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as fh:
            _lock(fh)
            head = self.head()
            if head is None and self.path.stat().st_size > 0:
                # A trail without a head: continue from its last record rather than fork the chain.
                last: Mapping[str, Any] | None = None
                for _, record_data in self.records():
                    last = record_data
                head = Head(int(last["seq"]), str(last["hash"])) if last else Head(0, GENESIS)
            head = head or Head(0, GENESIS)
            rec = _chained(record, head)
            fh.seek(0, os.SEEK_END)
            fh.write(json.dumps(rec.to_dict(), sort_keys=True, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            write_atomic(self.head_path, json.dumps(Head(rec.seq, rec.hash).to_dict()) + "\n")
        return rec


def _lock(fh: Any) -> None:
    try:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    except ImportError:  # pragma: no cover - Windows: appends are serialised by the caller
        pass


def _chained(record: TrailRecord, head: Head) -> TrailRecord:
    from dataclasses import replace

    rec = replace(record, seq=head.count + 1, prev=head.hash, hash="")
    return replace(rec, hash=digest_of(rec.body()))


class _DuckStore:
    def __init__(self, db: Path) -> None:
        self.db = Path(db)

    def where(self) -> str:
        return f"{self.db} (table {TABLE})"

    def _connect(self, *, write: bool) -> Any:
        try:
            import duckdb
        except ImportError as exc:
            from ptmvet.errors import DependencyMissing

            raise DependencyMissing("duckdb", "an audit trail in a DuckDB database") from exc
        if not write and not self.db.exists():
            raise InputError(f"{self.db}: no such database", path=str(self.db))
        try:
            con = duckdb.connect(str(self.db), read_only=not write)
        except Exception as exc:
            raise InputError(f"{self.db}: cannot open the database ({exc})", path=str(self.db)) from exc
        if write:
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (seq BIGINT PRIMARY KEY, time VARCHAR, model VARCHAR, stage VARCHAR, "
                "verdict VARCHAR, record VARCHAR NOT NULL, hash VARCHAR NOT NULL)"
            )
            con.execute(f"CREATE TABLE IF NOT EXISTS {HEAD_TABLE} (count BIGINT, hash VARCHAR)")
        return con

    def records(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        if not self.db.exists():
            return
        con = self._connect(write=False)
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if TABLE not in tables:
                return
            rows = con.execute(f"SELECT seq, record, hash FROM {TABLE} ORDER BY seq").fetchall()  # noqa: S608 - fixed table names
        finally:
            con.close()
        for seq, text, hash_ in rows:
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise TrailBroken(f"{self.where()}: record {seq} is not JSON", where=self.where(), index=int(seq)) from exc
            if data.get("hash") != hash_:
                raise TrailBroken(f"{self.where()}: record {seq}'s hash column differs from its record", where=self.where(), index=int(seq))
            yield int(seq), data

    def head(self) -> Head | None:
        if not self.db.exists():
            return None
        con = self._connect(write=False)
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if HEAD_TABLE not in tables:
                return None
            row = con.execute(f"SELECT count, hash FROM {HEAD_TABLE}").fetchall()  # noqa: S608 - fixed table names
        finally:
            con.close()
        if len(row) > 1:
            raise TrailBroken(f"{self.where()}: the head table holds {len(row)} rows", where=self.where(), index=None)
        return Head(int(row[0][0]), str(row[0][1])) if row else None

    def append(self, record: TrailRecord) -> TrailRecord:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        con = self._connect(write=True)
        try:
            con.execute("BEGIN TRANSACTION")
            row = con.execute(f"SELECT count, hash FROM {HEAD_TABLE}").fetchall()  # noqa: S608 - fixed table names
            head = Head(int(row[0][0]), str(row[0][1])) if row else Head(0, GENESIS)
            rec = _chained(record, head)
            con.execute(
                f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - fixed table names
                [rec.seq, rec.time, rec.repo_id or rec.model, rec.stage, rec.verdict, json.dumps(rec.to_dict(), sort_keys=True), rec.hash],
            )
            con.execute(f"DELETE FROM {HEAD_TABLE}")  # noqa: S608 - fixed table names
            con.execute(f"INSERT INTO {HEAD_TABLE} VALUES (?, ?)", [rec.seq, rec.hash])  # noqa: S608 - fixed table names
            con.execute("COMMIT")
        finally:
            con.close()
        return rec


def _store(path: Path | None, db: Path | None) -> _JsonlStore | _DuckStore:
    if db is not None:
        return _DuckStore(db)
    return _JsonlStore(path or default_log_path())


def append(record: TrailRecord, *, path: Path | None = None, db: Path | None = None) -> TrailRecord:
    """Append a record (chained to the last one) and return it with ``seq``, ``prev`` and ``hash``."""
    return _store(path, db).append(record)


@dataclass(frozen=True)
class TrailVerdict:
    """What ``log verify`` concluded: intact (count and head) or where the chain breaks."""

    where: str
    count: int
    head: str
    ok: bool = True
    message: str = ""
    index: int | None = None  # the first bad record (1-based), None for the head

    @classmethod
    def broken(cls, exc: TrailBroken) -> TrailVerdict:
        return cls(where=exc.where, count=0, head="", ok=False, message=exc.message, index=exc.index)


@dataclass(frozen=True)
class TrailListing:
    """Records of the trail (``log show``), oldest first, with the filters applied."""

    where: str
    records: tuple[TrailRecord, ...]
    model: str | None = None
    since: date | None = None


def verify(*, path: Path | None = None, db: Path | None = None, expect_head: str | None = None) -> TrailVerdict:
    """Check every record's hash and link and the head; raise :class:`TrailBroken` at the first break."""
    store = _store(path, db)
    where = store.where()
    prev = GENESIS
    count = 0
    for n, data in store.records():
        count += 1
        label = f"{where}: record {count}" + (f" (line {n})" if isinstance(store, _JsonlStore) else "")
        try:
            rec = TrailRecord.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise TrailBroken(f"{label} is malformed ({type(exc).__name__}: {exc})", where=where, index=count) from exc
        if rec.seq != count:
            raise TrailBroken(f"{label} has sequence number {rec.seq}: a record before it was deleted or moved", where=where, index=count)
        if rec.prev != prev:
            raise TrailBroken(f"{label} does not link to the record before it: a record was deleted, inserted or edited", where=where, index=count)
        if digest_of(rec.body()) != rec.hash or set(data) - {*rec.body(), "hash"}:
            raise TrailBroken(f"{label} was edited after it was written (its hash does not match its content)", where=where, index=count)
        prev = rec.hash
    head = store.head()
    if head is None and count:
        raise TrailBroken(f"{where}: the head is missing, so records cut off the end would go unnoticed", where=where, index=None)
    if head is not None and (head.count != count or head.hash != prev):
        raise TrailBroken(
            f"{where}: the head says {head.count} record(s) ending {head.hash[:12]}, the trail has {count} ending {prev[:12]}: records were cut off or appended by hand",
            where=where,
            index=None,
        )
    if expect_head is not None and expect_head.lower() not in {prev, prev[: len(expect_head)]}:
        raise TrailBroken(f"{where}: the last record's hash is {prev}, not the expected {expect_head}", where=where, index=None)
    return TrailVerdict(where=where, count=count, head=prev)


def read(
    *, path: Path | None = None, db: Path | None = None, model: str | None = None, since: date | None = None
) -> list[TrailRecord]:
    """The records, oldest first, filtered by model (id, reference or folder name) and date."""
    out: list[TrailRecord] = []
    store = _store(path, db)
    for _, data in store.records():
        try:
            rec = TrailRecord.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise TrailBroken(f"{store.where()}: a record is malformed ({exc})", where=store.where(), index=None) from exc
        if rec.matches(model, since):
            out.append(rec)
    return out


def listing(*, path: Path | None = None, db: Path | None = None, model: str | None = None, since: date | None = None) -> TrailListing:
    """:func:`read` as a result to render."""
    records = read(path=path, db=db, model=model, since=since)
    return TrailListing(where=_store(path, db).where(), records=tuple(records), model=model, since=since)


def waivers_of(waivers: Sequence[Any]) -> tuple[dict[str, str], ...]:
    """The JSON form of :class:`ptmvet.policy.Waiver` objects for a record."""
    return tuple({"check": w.check, "reason": w.reason, "expires": w.expires.isoformat(), **({"target": w.target} if w.target else {})} for w in waivers)


__all__ = [
    "GENESIS",
    "Head",
    "TrailBroken",
    "TrailListing",
    "TrailRecord",
    "TrailVerdict",
    "append",
    "default_log_path",
    "digest_of",
    "listing",
    "read",
    "verify",
    "waivers_of",
    "weights_digest",
]
