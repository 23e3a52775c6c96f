"""Stream registry dumps into the store.

Inputs:

- Hub listings and ``model_info`` dumps: ``.jsonl`` / ``.jsonl.gz`` (one record a
  line), ``.json`` (one ``model_info`` object or one listing page, a JSON array),
  ``.zip`` archives of such ``.json`` files, or folders of any of these. Both the
  2022 shape (``modelId``, ``siblings[rfilename]``, ``config``) and the 2024 shape
  (``id``, ``createdAt``, ``cardData``, ``gated``, ``safetensors``...) are read;
  unknown fields are ignored.
- Model cards: a tarball (``.tar``, ``.tar.gz``, ``.tgz``) or a folder holding
  ``<prefix>/<org>/<name>/README.md`` (a leading ``models/`` is dropped) or
  ``<org>__<name>.md`` files.

Everything streams: a batch of records is read, parsed by DuckDB's JSON reader
(vectorised, off the Python heap; a JSON-lines batch is spooled to a temporary
file for it while the previous one is written), and committed together with the cursor that
points past it, so memory stays flat and a killed run resumes exactly where its
last batch ended. Malformed records are written to ``ingest_errors`` with their
position (``file:line`` or ``archive:member``) and never stop the run.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import itertools
import json
import queue
import shutil
import tarfile
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar

from ptmvet.card import parse_card
from ptmvet.errors import DependencyMissing, InputError
from ptmvet.progress import Progress
from ptmvet.registry.foreign import _open_binary, iter_table_records, sniff
from ptmvet.registry.store import Store

#: DuckDB's row-group size (rows).
_ROW_GROUP = 122_880
#: Records per transaction: a whole number of row groups, so that each batch's insert
#: into ``models`` writes full row groups straight to the file instead of leaving a
#: partial one that the next batch appends to (on the 2024 Hub listing, 200,000 took
#: about twice as long to insert). Bounded memory: one batch of raw lines is parsed
#: while the next one is read (about 105 MB of text each for that listing).
BATCH_RECORDS = 2 * _ROW_GROUP
CARD_BATCH = 2_000
#: Larger single JSON documents than this are reported, not read.
JSON_DOC_MAX = 256 * 1024 * 1024
CARD_MAX = 5 * 1024 * 1024
_READ_CHUNK = 8 * 1024 * 1024

# The fields ptmvet reads from a model record. DuckDB's from_json is lenient:
# a field of the wrong type becomes NULL instead of failing the batch.
_RECORD_SHAPE = json.dumps(
    {
        "id": "VARCHAR",
        "modelId": "VARCHAR",
        "author": "VARCHAR",
        "sha": "VARCHAR",
        "lastModified": "VARCHAR",
        "createdAt": "VARCHAR",
        "private": "BOOLEAN",
        "disabled": "BOOLEAN",
        "gated": "JSON",
        "pipeline_tag": "VARCHAR",
        "library_name": "VARCHAR",
        "downloads": "BIGINT",
        "downloadsAllTime": "BIGINT",
        "likes": "BIGINT",
        "usedStorage": "BIGINT",
        "tags": ["VARCHAR"],
        "siblings": [
            {"rfilename": "VARCHAR", "size": "BIGINT", "blobId": "VARCHAR", "lfs": {"sha256": "VARCHAR", "size": "BIGINT"}}
        ],
        "config": {"architectures": ["VARCHAR"], "model_type": "VARCHAR"},
        "cardData": "JSON",
        "model-index": "JSON",
    }
)


@dataclass
class MineStats:
    """Counters of one mining run (computed from the database, so resume-proof)."""

    run_id: int = 0
    resumed: bool = False
    records: int = 0
    models_new: int = 0
    models_changed: int = 0
    models_unchanged: int = 0
    cards: int = 0
    cards_changed: int = 0
    cards_unjoined: int = 0  # cards whose model id names no model in the database
    errors: int = 0
    error_samples: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "resumed": self.resumed,
            "records": self.records,
            "models_new": self.models_new,
            "models_changed": self.models_changed,
            "models_unchanged": self.models_unchanged,
            "cards": self.cards,
            "cards_changed": self.cards_changed,
            "cards_unjoined": self.cards_unjoined,
            "errors": self.errors,
        }


# ----------------------------------------------------------------------------------
# Reading inputs as batches of (ordinal, position label or None, text)
# ----------------------------------------------------------------------------------


@dataclass
class _Batch:
    """A batch of records as Python lists (listings fetched from the Hub)."""

    ordinals: list[int]  # 1-based record number within the input
    texts: list[str]
    labels: list[str] | None  # explicit position labels; None: '<name>:<ordinal>'
    consumed: int  # records consumed from the input after this batch (the cursor)


@dataclass
class _Lines:
    """A batch of records as Arrow arrays (DuckDB scans them without a Python loop)."""

    lines: Any  # pyarrow (large) string array or chunked array; a line may keep its newline
    ordinals: Any  # pyarrow int64: 1-based record number within the input (line number for jsonl)
    labels: Any | None  # pyarrow string: explicit position labels (archives); None: '<name>:<ordinal>'
    consumed: int  # records consumed from the input after this batch (the cursor)
    last_label: str | None  # position of the last record of the batch (kept in the cursor)

    def __len__(self) -> int:
        return len(self.lines)


def _to_lines(b: _Batch) -> _Lines:
    import pyarrow as pa

    return _Lines(
        pa.array(b.texts, pa.string()),
        pa.array(b.ordinals, pa.int64()),
        None if b.labels is None else pa.array(b.labels, pa.string()),
        b.consumed,
        b.labels[-1] if b.labels else None,
    )


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """Files to read, in a stable order (folders expand to their dump files)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = [
                f
                for f in sorted(p.rglob("*"))
                if f.is_file() and (f.name.endswith((".jsonl", ".jsonl.gz", ".json", ".zip", ".parquet", ".csv", ".tsv")))
            ]
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder", path=str(p))
    return out


def _lines_array(buf: bytes, ends: Any) -> Any:
    """The lines of ``buf`` that end at the newline offsets ``ends``, as one Arrow string array.

    The array shares ``buf`` (no copy, no Python object per line); each line keeps its
    newline, which JSON ignores. Invalid UTF-8 is replaced line by line, as a decode would.
    """
    import numpy as np
    import pyarrow as pa

    n = len(ends)
    offsets = np.empty(n + 1, np.int64)
    offsets[0] = 0
    offsets[1:] = ends + 1
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf))
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        texts = [buf[int(a) : int(b)].decode("utf-8", "replace") for a, b in itertools.pairwise(offsets)]
        return pa.array(texts, pa.large_string())
    return arr


@dataclass
class _Block:
    """Whole lines of a JSON-lines file, spooled to a file as they were read.

    The reader thread has DuckDB's JSON reader parse the file into a scratch table
    (``table``); a block it cannot map one row to one line (blank or malformed lines,
    records without an id) keeps ``table`` None and goes through :meth:`lines` and
    the exact, line-by-line path instead.
    """

    path: Path  # the lines, each ending with a newline
    first: int  # line number of the first line
    n: int
    consumed: int  # lines consumed from the input after this block (the cursor)
    last_label: str  # position of the last line (kept in the cursor)
    table: str | None = None  # the parsed block: a table of the scratch database

    def __len__(self) -> int:
        return self.n

    def lines(self) -> _Lines:
        """The block as Arrow line and line-number arrays."""
        import numpy as np
        import pyarrow as pa

        buf = self.path.read_bytes() if self.n else b""
        ends = np.flatnonzero(np.frombuffer(buf, np.uint8) == 10)
        ordinals = pa.array(np.arange(self.first, self.first + self.n, dtype=np.int64))
        return _Lines(_lines_array(buf, ends), ordinals, None, self.consumed, self.last_label)


def _after_newline(buf: bytes, count: int, pos: int) -> int:
    """The offset just past the ``count``-th newline of ``buf`` at or after ``pos``."""
    import numpy as np

    ends = np.flatnonzero(np.frombuffer(buf, np.uint8, offset=pos) == 10)
    return pos + int(ends[count - 1]) + 1


def _iter_lines(path: Path, start: int, batch: int, folder: Path) -> Iterator[_Block]:
    """Blocks of ``batch`` lines of a (gzipped) JSON-lines file, skipping the first ``start`` lines.

    Each block is written to its own file in ``folder`` as it is read, so that only
    one read chunk is held in memory. Lines are counted, not split: only a block
    boundary needs a newline's offset. Blank lines are kept (the writer skips them)
    so that line numbers stay exact. The first block is half a batch (a whole row
    group with the default size), so that DuckDB starts on it sooner.
    """
    lineno = 0  # lines seen so far
    pending = 0  # lines in the block being filled
    size = max(1, batch // 2)  # lines the block being filled takes
    first = start + 1  # line number of its first line
    rest = b""  # a line read only in part
    out: IO[bytes] | None = None
    try:
        fh = _open_binary(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc})", path=str(path)) from exc

    def block_file() -> IO[bytes]:
        nonlocal out
        if out is None:
            out = (folder / f"block-{first}.jsonl").open("wb")
        return out

    def flush() -> _Block:
        nonlocal out, pending, first, size
        if out is not None:
            out.close()
            out = None
        block = _Block(folder / f"block-{first}.jsonl", first, pending, lineno, f"{path.name}:{lineno}")
        first += pending
        pending, size = 0, batch
        return block

    try:
        with fh:
            while True:
                try:
                    chunk = fh.read(_READ_CHUNK)
                except (OSError, EOFError, gzip.BadGzipFile) as exc:
                    # A truncated archive: report what was read; the cursor stays consistent.
                    raise InputError(f"{path}: corrupt after line {lineno} ({exc})", path=str(path)) from exc
                if not chunk:
                    if not rest:
                        break
                    chunk = b"\n"  # the last line has no newline
                cut = chunk.rfind(b"\n") + 1
                if not cut:
                    rest += chunk
                    continue
                count = chunk.count(b"\n", 0, cut)
                pos = 0
                if lineno + count <= start:  # resuming: skip whole chunks
                    lineno += count
                    rest = chunk[cut:]
                    continue
                if lineno < start:  # resuming inside this chunk
                    pos = _after_newline(chunk, start - lineno, 0)
                    count -= start - lineno
                    lineno = start
                    rest = b""
                view = memoryview(chunk)
                while count:  # cut into blocks at exact line counts
                    take = min(count, size - pending)
                    end = cut if take == count else _after_newline(chunk, take, pos)
                    f = block_file()
                    if rest:
                        f.write(rest)
                        rest = b""
                    f.write(view[pos:end])
                    pending += take
                    lineno += take
                    count -= take
                    pos = end
                    if pending >= size:
                        yield flush()
                rest = chunk[cut:]
        if pending or lineno == start:
            if pending == 0:
                block_file()  # an empty block still names a file
            yield flush()
    finally:
        if out is not None:
            out.close()


def _limit_blocks(blocks: Iterator[_Block], remaining: int) -> Iterator[_Block]:
    """The blocks up to ``remaining`` lines in all; the block that crosses it is cut short."""
    for b in blocks:
        if remaining <= 0:
            return
        if b.n > remaining:
            with b.path.open("rb") as fh:
                head = b"".join(fh.readline() for _ in range(remaining))
            b.path.write_bytes(head)
            b = dataclasses.replace(b, n=remaining, consumed=b.first + remaining - 1, last_label=b.last_label.rsplit(":", 1)[0] + f":{b.first + remaining - 1}")
        remaining -= b.n
        yield b


def _head(b: _Lines, n: int) -> _Lines:
    """The first ``n`` records of a batch (the cursor moves past them only)."""
    if n >= len(b):
        return b
    return _Lines(
        lines=b.lines.slice(0, n) if n else b.lines.slice(0, 0),
        ordinals=b.ordinals.slice(0, n),
        labels=b.labels.slice(0, n) if b.labels is not None else None,
        consumed=b.consumed,  # documents are the cursor's unit: the cut one counts as read
        last_label=b.last_label,
    )


def _json_records(data: bytes, label: str) -> tuple[list[str], list[str], str | None]:
    """One JSON document -> record texts (an object, or each element of a listing page)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return [], [], f"malformed JSON: {exc}"
    if isinstance(doc, list):
        return [json.dumps(x) for x in doc], [f"{label}[{i}]" for i in range(len(doc))], None
    return [json.dumps(doc)], [label], None


def _iter_table(store: Store, path: Path, kind: str, start: int, batch: int) -> Iterator[_Lines]:
    """Rows of a Parquet or CSV export as JSON records (labels ``<file>:<row>``, 1-based)."""
    for texts, consumed in iter_table_records(store.con, path, kind, start, batch):
        first = consumed - len(texts) + 1
        yield _to_lines(_Batch(list(range(first, consumed + 1)), texts, None, consumed))


def _iter_documents(
    path: Path, start: int, batch: int, errors: list[tuple[str, str]], *, archive: bool = False
) -> Iterator[_Lines]:
    """Records of a ``.json`` file or a ``.zip`` of ``.json`` files (one cursor step per document)."""
    ordinals: list[int] = []
    texts: list[str] = []
    labels: list[str] = []
    consumed = start

    def docs() -> Iterator[tuple[str, bytes | None, str | None]]:
        if archive:
            try:
                zf = zipfile.ZipFile(path)
            except (OSError, zipfile.BadZipFile) as exc:
                raise InputError(f"{path}: not a readable zip archive ({exc})", path=str(path)) from exc
            with zf:
                members = sorted(
                    (i for i in zf.infolist() if not i.is_dir() and i.filename.endswith(".json")), key=lambda i: i.filename
                )
                for info in members:
                    label = f"{path.name}:{info.filename}"
                    if info.file_size > JSON_DOC_MAX:
                        yield label, None, f"document larger than {JSON_DOC_MAX} bytes"
                        continue
                    try:
                        yield label, zf.read(info), None
                    except (OSError, zipfile.BadZipFile, EOFError) as exc:
                        yield label, None, f"unreadable member: {exc}"
        else:
            if path.stat().st_size > JSON_DOC_MAX:
                yield path.name, None, f"document larger than {JSON_DOC_MAX} bytes"
                return
            yield path.name, path.read_bytes(), None

    for n, (label, data, problem) in enumerate(docs(), 1):
        if n <= start:
            continue
        consumed = n
        if data is None or problem:
            errors.append((label, problem or "unreadable"))
        else:
            recs, labs, err = _json_records(data, label)
            if err:
                errors.append((label, err))
            texts.extend(recs)
            labels.extend(labs)
            ordinals.extend([n] * len(recs))
        if len(texts) >= batch or errors:
            yield _to_lines(_Batch(ordinals, texts, labels, consumed))
            ordinals, texts, labels = [], [], []
    yield _to_lines(_Batch(ordinals, texts, labels, consumed))


# ----------------------------------------------------------------------------------
# Writing a batch of model records
# ----------------------------------------------------------------------------------

# The stage: one row per input record with everything the writer needs, derived in
# one pass from the parsed fields. ``{source}`` yields the parsed fields; ``{keys}`` is
# ``ordinal, label,`` when the source has them. Rows without a model id stay in the
# stage with ``model_id`` NULL so that the writer can report them.
_DERIVE_SQL = """
WITH flat AS (
    SELECT {keys}
        nullif(coalesce(id, modelId), '') AS model_id,
        author,
        sha,
        try_cast(lastModified AS TIMESTAMP) AS last_modified,
        try_cast(createdAt AS TIMESTAMP) AS created_at,
        pipeline_tag,
        library_name,
        config.architectures[1] AS architecture,
        config.model_type AS model_type,
        downloads,
        downloadsAllTime AS downloads_all_time,
        likes,
        private,
        CASE WHEN gated IS NULL THEN NULL ELSE coalesce(gated ->> '$', 'null') END AS gated,
        disabled,
        coalesce(tags, []) AS tags,
        siblings,
        cardData AS card_data,
        usedStorage AS used_storage,
        (list_contains(coalesce(tags, []), 'model-index')
            OR "model-index" IS NOT NULL
            OR (cardData IS NOT NULL AND coalesce(json_exists(cardData, '$."model-index"'), false)))
            AS has_model_index,
        -- (most listing records carry no cardData: no JSON path is evaluated for them)
        CASE CASE WHEN cardData IS NOT NULL THEN json_type(cardData, '$.license') END
            WHEN 'VARCHAR' THEN [cardData ->> '$.license']
            WHEN 'ARRAY' THEN from_json(cardData -> '$.license', '["VARCHAR"]')
            ELSE [] END AS cd_licenses,
        -- md5_number_upper(x), computed as the low 64 bits of md5_number(x): the same value
        -- at about half the cost.
        (md5_number(concat_ws(chr(31), coalesce(id, modelId), coalesce(sha, ''), coalesce(lastModified, ''),
            coalesce(tags::VARCHAR, ''), coalesce(pipeline_tag, ''), coalesce(library_name, ''),
            coalesce(siblings::VARCHAR, ''), coalesce(cardData::VARCHAR, ''), coalesce(config::VARCHAR, ''),
            coalesce("model-index"::VARCHAR, ''))) & 18446744073709551615::UHUGEINT)::UBIGINT AS fingerprint
    FROM {source}
)
-- (the licence and base-model tags are picked out of ``tags`` where they are used:
-- storing them as lists of their own cost more than filtering twice)
SELECT
    f.* EXCLUDE (cd_licenses),
    coalesce(sha, 'lm:' || strftime(last_modified, '%Y-%m-%dT%H:%M:%S'), 'fp:' || printf('%016x', fingerprint)) AS revision,
    coalesce(lower([t FOR t IN tags IF starts_with(t, 'license:')][1][9:]),
             lower(list_filter(cd_licenses, lambda x: x IS NOT NULL)[1])) AS license
FROM flat f
"""

# Exact path: each Arrow line through from_json (``try``: a malformed line gives a row
# of NULLs, which the writer reports with the line's position).
_LINES_SOURCE = (
    "(SELECT ordinal, label, j.* FROM (SELECT ordinal, {label} AS label, try(from_json(line, $shape)) AS j "
    "FROM raw_batch))"
)


def _json_type(shape: Any) -> str:
    """A from_json shape as a DuckDB type (for read_json's ``columns``)."""
    if isinstance(shape, str):
        return shape
    if isinstance(shape, list):
        return _json_type(shape[0]) + "[]"
    return "STRUCT(" + ", ".join(f'"{k}" {_json_type(v)}' for k, v in shape.items()) + ")"


# Fast path: a spooled block read by DuckDB's JSON reader (parallel, no Python per
# line). It skips blank lines and gives malformed ones a row of NULLs, so the block is
# taken only when every line became a row with a distinct model id; the rows are then
# stored in file order, and row ``rowid`` is line ``first + rowid``.
_BLOCK_SOURCE = (
    "read_json($path, format = 'newline_delimited', records = true, ignore_errors = true, columns = {"
    + ", ".join(f"'{k}': '{_json_type(v)}'" for k, v in json.loads(_RECORD_SHAPE).items())
    + "})"
)


#: The in-memory database the reader thread parses blocks into (attached by mine_dump).
_SCRATCH = "ptmvet_scratch"


def _parse_block(cur: Any, b: _Block) -> str | None:
    """Parse a spooled block into a scratch table; None when it needs the exact path.

    It does when a line is blank, malformed or not a model record (the reader skips
    or blanks those, and their errors need the line's text), when a model occurs twice
    (the later line wins, which needs line numbers), or when the reader fails.
    """
    import duckdb

    table = f"{_SCRATCH}.block_{b.first}"
    try:
        cur.execute(
            f"CREATE OR REPLACE TABLE {table} AS " + _DERIVE_SQL.format(keys="", source=_BLOCK_SOURCE),
            {"path": str(b.path)},
        )
    except duckdb.InterruptException:
        raise  # Ctrl-C: never taken for a block the fast path cannot read
    except duckdb.Error:
        return None
    n, n_ok, n_ids = cur.execute(f"SELECT count(*), count(model_id), count(DISTINCT model_id) FROM {table}").fetchall()[0]  # noqa: S608
    if n == n_ok == n_ids == b.n:
        return table
    cur.execute(f"DROP TABLE {table}")
    return None


def _parse_blocks(blocks: Iterator[_Block], con: Any) -> Iterator[_Block]:
    """Parse each block with DuckDB's JSON reader, on a connection of its own (run in the reader thread).

    So the next block is parsed while the current one is written and committed (the
    commit and the checkpoint use one thread). A parsed block's file is deleted at
    once; the others are read again by the exact path.
    """
    cur = con.cursor()
    try:
        cur.execute("SET SESSION preserve_insertion_order = true")  # rowid = position in the file
        for b in blocks:
            if b.n:
                b.table = _parse_block(cur, b)
                if b.table:
                    b.path.unlink()
            yield b
    finally:
        cur.close()


def _spool_dir(store: Store) -> tempfile.TemporaryDirectory[str]:
    """A folder for the reader's block files, removed when the file is done.

    It is made beside the database file, so that one left by a killed run (SIGKILL
    skips the clean-up) is found and removed by the next run on that database: DuckDB
    lets one process at a time write a database file, so no other run is using it.
    An in-memory store spools to the system's temporary folder.
    """
    db = Path(store.path)
    if not store.path or store.path.startswith(":memory:") or not db.parent.is_dir():
        return tempfile.TemporaryDirectory(prefix="ptmvet-ingest-")
    prefix = f".{db.name}.ingest-"
    for stale in db.parent.glob(prefix + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=prefix, dir=db.parent)


@contextmanager
def _scratch(store: Store) -> Iterator[None]:
    """The scratch database the reader thread parses into, attached for the run."""
    store.con.execute(f"ATTACH ':memory:' AS {_SCRATCH}")
    try:
        yield
    finally:
        store.con.execute(f"DETACH {_SCRATCH}")


# Bad rows of a batch: blank lines are skipped silently, the rest reported.
_ERRORS_SQL = """
INSERT INTO ingest_errors
SELECT $run, $input, s.label,
       CASE WHEN json_valid(r.line) THEN 'not a model record (no id or modelId)' ELSE 'malformed JSON' END
FROM stage s JOIN raw_batch r USING (ordinal)
WHERE s.model_id IS NULL AND trim(r.line, ' \t\r\n') <> ''
ORDER BY s.ordinal
"""

# Change detection against the current rows: new, changed or unchanged.
_CHANGE_SQL = """
CREATE OR REPLACE TEMP TABLE change AS
SELECT
    s.model_id,
    m.first_run AS old_first_run,
    m.revision = s.revision AS same_revision,
    m.revision_first_run AS old_revision_first_run,
    CASE
        WHEN m.sha IS NOT NULL AND s.sha IS NOT NULL
            THEN m.sha <> s.sha OR (m.last_modified IS DISTINCT FROM s.last_modified)
        WHEN m.last_modified IS NOT NULL AND s.last_modified IS NOT NULL THEN m.last_modified <> s.last_modified
        ELSE m.fingerprint <> s.fingerprint
    END AS changed
FROM stage s JOIN models m USING (model_id)
"""


def _write_batch(
    store: Store,
    run_id: int,
    input_key: str,
    name: str,
    batch: _Batch | _Lines | _Block,
    *,
    doc_errors: list[tuple[str, str]],
) -> int:
    """Commit one batch and its cursor atomically; returns the number of valid records."""
    import pyarrow as pa

    con = store.con
    table = batch.table if isinstance(batch, _Block) else None
    b: _Block | _Lines
    if table and isinstance(batch, _Block):
        # Row ``rowid`` of the block's table is line ``first + rowid``.
        b = batch
        prefix = "'" + name.replace("'", "''") + ":'"  # the position label is '<file name>:<line>'
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW stage AS SELECT {b.first} + rowid AS ordinal, "  # noqa: S608 - an int and a quoted literal
            f"{prefix} || ({b.first} + rowid) AS label, * FROM {table}"
        )
    else:
        b = batch.lines() if isinstance(batch, _Block) else _to_lines(batch) if isinstance(batch, _Batch) else batch
        cols: dict[str, Any] = {"ordinal": b.ordinals, "line": b.lines}
        params: dict[str, Any] = {"shape": _RECORD_SHAPE}
        if b.labels is not None:
            cols["label"] = b.labels
            source = _LINES_SOURCE.format(label="label")
        else:
            source = _LINES_SOURCE.format(label="$name || ':' || ordinal")
            params["name"] = name
        con.register("raw_batch", pa.table(cols))
    try:
        with store.transaction():
            for label, message in doc_errors:
                con.execute("INSERT INTO ingest_errors VALUES (?, ?, ?, ?)", [run_id, input_key, label, message])
            if table:
                n_ok = n_ids = len(b)
            else:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE stage AS " + _DERIVE_SQL.format(keys="ordinal, label,", source=source),
                    params,
                )
                n_all, n_ok, n_ids = con.execute(
                    "SELECT count(*), count(model_id), count(DISTINCT model_id) FROM stage"
                ).fetchall()[0]
                if n_ok < n_all:
                    con.execute(_ERRORS_SQL, {"run": run_id, "input": input_key})
                    con.execute("DELETE FROM stage WHERE model_id IS NULL")
                if n_ids < n_ok:  # the same model twice in one batch: the later line wins
                    con.execute(
                        """DELETE FROM stage WHERE (model_id, ordinal) NOT IN
                           (SELECT (model_id, max(ordinal)) FROM stage GROUP BY model_id)"""
                    )
            if n_ok:
                _apply_stage(con, run_id)
            store.set_cursor(con, run_id, input_key, b.consumed, b.last_label)
    finally:
        if table:
            con.execute("DROP VIEW IF EXISTS stage")
            con.execute(f"DROP TABLE IF EXISTS {table}")
        else:
            con.execute("DROP TABLE IF EXISTS stage")
            con.unregister("raw_batch")
    return int(n_ids)


def _files_sql(run_ids: str | None) -> str:
    """INSERT of the files of the stage rows in ``run_ids`` (None: all).

    (The licences and base models a record declares are read from its models row
    through the ``licences`` and ``lineage`` views: nothing to write for them.)
    """
    sel = "FROM stage s" if run_ids is None else f"FROM stage s SEMI JOIN {run_ids} c USING (model_id)"
    return f"""INSERT INTO files SELECT model_id, f.rfilename, coalesce(f.size, f.lfs.size), f.lfs.sha256, f.blobId FROM (
        SELECT s.model_id, unnest(s.siblings) AS f {sel}
        WHERE s.siblings IS NOT NULL
    ) WHERE f.rfilename IS NOT NULL"""  # noqa: S608 - internal table names


_MODEL_COLUMNS = """s.model_id,
    coalesce(s.author, CASE WHEN contains(s.model_id, '/') THEN split_part(s.model_id, '/', 1) END),
    s.sha, s.last_modified, s.created_at, s.revision, s.pipeline_tag, s.library_name, s.architecture,
    s.model_type, s.downloads, s.downloads_all_time, s.likes, s.private, s.gated, s.disabled, s.license,
    s.has_model_index, s.card_data, s.used_storage,
    CASE WHEN s.siblings IS NULL THEN NULL ELSE len(s.siblings) END,
    s.fingerprint, s.label"""
# After first_run, last_run, changed_run, revision_first_run, revision_last_run.
_MODEL_TAIL = "s.tags"


def _apply_stage(con: Any, run_id: int) -> None:
    """Write the stage: new models by plain inserts, known ones by change detection."""
    run = {"run": run_id}
    # Known models only (a join, not a scan of the batch against every row).
    con.execute(_CHANGE_SQL)
    n_known, n_changed = con.execute("SELECT count(*), count(*) FILTER (WHERE changed) FROM change").fetchall()[0]
    if n_known:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE new_ids AS SELECT model_id FROM stage ANTI JOIN change USING (model_id)"
        )
        new_rows = "FROM stage s SEMI JOIN new_ids USING (model_id)"
    else:  # a batch of models never seen (a first ingest): no join at all
        new_rows = "FROM stage s"

    # New models: no history, no files yet -- plain appends.
    con.execute(_files_sql("new_ids" if n_known else None))
    con.execute(f"INSERT INTO models SELECT {_MODEL_COLUMNS}, $run, $run, $run, $run, $run, {_MODEL_TAIL} {new_rows}", run)
    if not n_known:
        return

    # History. The current revision is part of the models row (revision_first_run,
    # revision_last_run); the others are rows of revision_history.
    if n_changed:
        con.execute("CREATE OR REPLACE TEMP TABLE changed_ids AS SELECT model_id FROM change WHERE changed")
        # The new current revision: first seen before if it was current or in the history.
        con.execute(
            """CREATE OR REPLACE TEMP TABLE new_rev AS
            SELECT c.model_id, coalesce(h.first_run, CASE WHEN c.same_revision THEN c.old_revision_first_run END, $run)
                   AS first_run
            FROM change c JOIN stage s USING (model_id)
            LEFT JOIN revision_history h ON h.model_id = s.model_id AND h.revision = s.revision
            WHERE c.changed""",
            run,
        )
        con.execute(
            """DELETE FROM revision_history WHERE (model_id, revision) IN
               (SELECT (s.model_id, s.revision) FROM stage s SEMI JOIN changed_ids USING (model_id))"""
        )
        # The old current revision, when it is another one, becomes history.
        con.execute(
            """INSERT INTO revision_history
            SELECT m.model_id, m.revision, m.sha, m.last_modified, m.fingerprint, m.revision_first_run, m.revision_last_run
            FROM models m JOIN change c USING (model_id) WHERE c.changed AND NOT c.same_revision"""
        )
        # Files of changed models are replaced (tags, declared licences and bases are
        # part of the models row).
        con.execute("DELETE FROM files WHERE model_id IN (SELECT model_id FROM changed_ids)")
        con.execute(_files_sql("changed_ids"))
        con.execute("DELETE FROM models WHERE model_id IN (SELECT model_id FROM changed_ids)")
        con.execute(
            f"""INSERT INTO models SELECT {_MODEL_COLUMNS}, c.old_first_run, $run, $run, r.first_run, $run, {_MODEL_TAIL}
                FROM stage s JOIN change c USING (model_id) JOIN new_rev r USING (model_id)""",  # noqa: S608
            run,
        )
    # Unchanged models whose record names another revision key than the current one
    # (a source without sha, say): that key is history, seen by this run.
    n_other = con.execute("SELECT count(*) FROM change WHERE NOT changed AND NOT same_revision").fetchall()[0][0]
    if n_other:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE side_rev AS
            SELECT s.model_id, s.revision, s.sha, s.last_modified, s.fingerprint, coalesce(h.first_run, $run), $run
            FROM change c JOIN stage s USING (model_id)
            LEFT JOIN revision_history h ON h.model_id = s.model_id AND h.revision = s.revision
            WHERE NOT c.changed AND NOT c.same_revision""",
            run,
        )
        con.execute(
            """DELETE FROM revision_history WHERE (model_id, revision) IN
               (SELECT (model_id, revision) FROM side_rev)"""
        )
        con.execute("INSERT INTO revision_history SELECT * FROM side_rev")
    # Unchanged models: popularity is an observation, refreshed in place.
    con.execute(
        """UPDATE models SET downloads = coalesce(s.downloads, models.downloads),
               downloads_all_time = coalesce(s.downloads_all_time, models.downloads_all_time),
               likes = coalesce(s.likes, models.likes), last_run = $run,
               revision_last_run = CASE WHEN c.same_revision THEN $run ELSE models.revision_last_run END
        FROM stage s JOIN change c USING (model_id)
        WHERE models.model_id = s.model_id AND NOT c.changed""",
        run,
    )


# ----------------------------------------------------------------------------------
# Cards
# ----------------------------------------------------------------------------------


def card_model_ids(member: str) -> tuple[str, ...]:
    """The model ids a card path may name, most likely first; empty when it is not a card.

    Naming schemes of published card corpora:

    - ``models/org/name/README.md``, ``org/name/README.md``, ``name/README.md``;
    - ``org@name/README.md`` and ``models--org--name/.../README.md`` (the Hub cache);
    - ``org__name.md``, ``org--name.md``, ``org'name.md``, ``org@name.md``;
    - ``org_name_README.md`` (and ``org_name.md``): ``_`` is also legal inside Hub
      names, so every split is a candidate and the ingest takes the one that names a
      known model.
    """
    p = PurePosixPath(member.replace("\\", "/"))
    parts = [x for x in p.parts if x not in (".", "")]
    if not parts or not parts[-1].lower().endswith(".md"):
        return ()
    leaf = parts[-1]
    if leaf.lower() == "readme.md":
        dirs = parts[:-1]
        if dirs and dirs[0] == "models":
            dirs = dirs[1:]
        cache = next((d for d in dirs if d.startswith("models--")), None)
        if cache is not None:
            return (cache[len("models--"):].replace("--", "/"),)
        if len(dirs) == 1 and "@" in dirs[0]:
            return (dirs[0].replace("@", "/", 1),)
        return ("/".join(dirs),) if dirs else ()
    if len(parts) != 1:
        return ()
    stem = leaf[:-3]
    if stem.lower().endswith("_readme"):
        stem = stem[: -len("_readme")]
    for sep in ("__", "--", "'", "@"):
        if sep in stem:
            return (stem.replace(sep, "/", 1),)
    if not stem:
        return ()
    # org_name: every underscore is a possible org/name boundary; the bare stem last.
    splits = [stem[:i] + "/" + stem[i + 1 :] for i, ch in enumerate(stem) if ch == "_" and 0 < i < len(stem) - 1]
    return (*splits, stem)


def card_model_id(member: str) -> str | None:
    """The most likely model id a card path names, or None when it is not a card (see :func:`card_model_ids`)."""
    ids = card_model_ids(member)
    return ids[0] if ids else None


def _iter_cards(path: Path, start: int) -> Iterator[tuple[int, str, tuple[str, ...], bytes | None, str | None]]:
    """(ordinal, label, model id, bytes, problem) for every card file, skipping ``start``."""
    if path.is_dir():
        files = sorted(f for f in path.rglob("*") if f.is_file() and f.name.lower().endswith(".md"))
        for n, f in enumerate(files, 1):
            if n <= start:
                continue
            rel = f.relative_to(path).as_posix()
            mid = card_model_ids(rel)
            if f.stat().st_size > CARD_MAX:
                yield n, f"{path.name}:{rel}", mid, None, f"card larger than {CARD_MAX} bytes"
            else:
                yield n, f"{path.name}:{rel}", mid, f.read_bytes(), None
        return
    try:
        tf = tarfile.open(path, "r|*")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise InputError(f"{path}: not a readable tar archive ({exc})", path=str(path)) from exc
    with tf:
        n = 0
        try:
            for member in tf:
                if not member.isfile() or not member.name.lower().endswith(".md"):
                    continue
                n += 1
                if n <= start:
                    continue
                label = f"{path.name}:{member.name}"
                mid = card_model_ids(member.name)
                if member.size > CARD_MAX:
                    yield n, label, mid, None, f"card larger than {CARD_MAX} bytes"
                    continue
                fh = tf.extractfile(member)
                yield n, label, mid, (fh.read() if fh else None), None
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise InputError(f"{path}: corrupt after member {n} ({exc})", path=str(path)) from exc


def _card_rows(model_id: str, text: str, digest: str, label: str, run_id: int) -> dict[str, Any]:
    card = parse_card(text)
    words: dict[str, int] = {}
    for s in card.sections:
        if s.canonical:
            words[s.canonical] = words.get(s.canonical, 0) + s.words
    md = card.metadata
    has_mi = "model-index" in md or "model_index" in md
    return {
        "card": (
            model_id, digest, text, not text.strip(), card.has_front_matter, has_mi, card.body_words,
            len(card.sections), len(card.claims), len(card.errors), json.dumps(list(card.errors)), label, run_id,
        ),
        "sections": [(model_id, k, v) for k, v in sorted(words.items())],
        "claims": [
            (model_id, i, c.task_type, c.dataset, c.dataset_split, c.metric, c.value, c.verified, c.source)
            for i, c in enumerate(card.claims)
        ],
        "licences": sorted({(model_id, x.strip().lower(), "card") for x in card.meta_list("license") if x.strip()}),
        "lineage": sorted({(model_id, x.strip(), "base", "card") for x in card.meta_list("base_model") if x.strip()}),
    }


def _write_cards(store: Store, run_id: int, input_key: str,
                 items: list[tuple[int, str, tuple[str, ...], bytes | None, str | None]], consumed: int) -> int:
    """Parse and commit one batch of cards; unchanged cards (same sha256) are skipped."""
    con = store.con
    errors: list[tuple[str, str]] = []
    candidates: dict[str, tuple[str, str, str]] = {}
    ambiguous = sorted({c for _, _, ids, _, _ in items if len(ids) > 1 for c in ids})
    known_ids: set[str] = set()
    if ambiguous:
        known_ids = {r[0] for r in con.execute("SELECT model_id FROM models WHERE list_contains(?, model_id)", [ambiguous]).fetchall()}
    for _, label, names, data, problem in items:
        if problem or data is None:
            errors.append((label, problem or "unreadable"))
            continue
        mid = next((c for c in names if c in known_ids), names[0] if names else None)
        if not mid:
            errors.append((label, "cannot tell which model this card belongs to"))
            continue
        text = data.decode("utf-8", "replace")
        candidates[mid] = (text, hashlib.sha256(data).hexdigest(), label)
    known: dict[str, str] = {}
    if candidates:
        ids = list(candidates)
        rows = con.execute("SELECT model_id, card_sha256 FROM cards WHERE list_contains(?, model_id)", [ids]).fetchall()
        known = {r[0]: r[1] for r in rows}
    changed = {m: v for m, v in candidates.items() if known.get(m) != v[1]}
    parsed = [_card_rows(m, t, d, lab, run_id) for m, (t, d, lab) in sorted(changed.items())]
    with store.transaction():
        for label, message in errors:
            con.execute("INSERT INTO ingest_errors VALUES (?, ?, ?, ?)", [run_id, input_key, label, message])
        if parsed:
            ids = sorted(changed)
            con.execute("DELETE FROM card_sections WHERE list_contains(?, model_id)", [ids])
            con.execute("DELETE FROM claims WHERE list_contains(?, model_id)", [ids])
            con.execute("DELETE FROM licence_rows WHERE source = 'card' AND list_contains(?, model_id)", [ids])
            con.execute("DELETE FROM lineage_rows WHERE source = 'card' AND list_contains(?, model_id)", [ids])
            _insert_rows(con, "cards", [p["card"] for p in parsed], replace=True)
            _insert_rows(con, "card_sections", [r for p in parsed for r in p["sections"]])
            _insert_rows(con, "claims", [r for p in parsed for r in p["claims"]])
            _insert_rows(con, "licence_rows", [r for p in parsed for r in p["licences"]])
            _insert_rows(con, "lineage_rows", [r for p in parsed for r in p["lineage"]])
        store.set_cursor(con, run_id, input_key, consumed, (items[-1][2] or (None,))[0] if items else None)
    return len(parsed)


def _insert_rows(con: Any, table: str, rows: list[tuple[Any, ...]], *, replace: bool = False) -> None:
    """Bulk insert through Arrow (DuckDB's executemany goes row by row)."""
    if not rows:
        return
    import pyarrow as pa

    names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    columns = list(zip(*rows, strict=True))
    arrow = pa.table({n: pa.array(list(col)) for n, col in zip(names, columns, strict=True)})
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    con.register("rows_batch", arrow)
    try:
        con.execute(f"{verb} INTO {table} SELECT * FROM rows_batch")  # noqa: S608 - internal table names
    finally:
        con.unregister("rows_batch")


# ----------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------


_DONE = object()
_T = TypeVar("_T")


def _prefetch(batches: Iterator[_T]) -> Iterator[_T]:
    """Read the next batch in a thread while the current one is written.

    Decompression and newline splitting (zlib and numpy) release the GIL, so they
    overlap with DuckDB's work. At most one batch waits; errors surface in order.
    """
    q: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for b in batches:
                if not put(b):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(exc)
            return
        put(_DONE)

    t = threading.Thread(target=work, name="ptmvet-ingest-reader", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join()
        close = getattr(batches, "close", None)
        if close is not None:  # the reader stopped early: release what its generators hold now
            close()


@contextmanager
def _bulk_settings(store: Store) -> Iterator[None]:
    """DuckDB settings for bulk writes, restored afterwards.

    Checkpoints are deferred to one at the end (committed batches stay durable in the
    write-ahead log, which DuckDB replays after a crash), and insertion order is not
    kept (the tables have no order; queries sort).
    """
    con = store.con
    names = ("checkpoint_threshold", "preserve_insertion_order")
    before = {n: con.execute("SELECT current_setting(?)", [n]).fetchall()[0][0] for n in names}
    con.execute("SET checkpoint_threshold = '64GB'")
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET checkpoint_threshold = '{before['checkpoint_threshold']}'")
        con.execute(f"SET preserve_insertion_order = {bool(before['preserve_insertion_order'])}")
    con.execute("CHECKPOINT")


def mine_dump(
    store: Store,
    inputs: Sequence[Path],
    *,
    cards: Sequence[Path] = (),
    batch_size: int = BATCH_RECORDS,
    progress: Progress | None = None,
    limit: int | None = None,
) -> MineStats:
    """Ingest dumps (and cards) into ``store``; resumes an interrupted identical run.

    ``limit`` stops after that many input records (lines of JSON-lines files, documents
    otherwise) across all inputs; cards are not counted.
    """
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:  # pragma: no cover
        raise DependencyMissing("pyarrow", "registry ingest") from exc
    files = expand_inputs(inputs)
    card_paths = [Path(c) for c in cards]
    for c in card_paths:
        if not c.exists():
            raise InputError(f"{c}: no such card archive or folder", path=str(c))
    keys = [str(f.resolve()) for f in files]
    card_keys = ["cards:" + str(c.resolve()) for c in card_paths]
    params: dict[str, Any] = {"inputs": keys, "cards": card_keys}
    if limit is not None:
        params["limit"] = limit  # a limited run is not the same run as the whole dump
    run_id, resumed = store.start_run("mine", "dump", params)
    if files:  # model records: a new snapshot (cards alone add to the latest one)
        store.begin_snapshot(run_id)
    with _bulk_settings(store):
        done = 0
        taken = 0  # records read from the inputs, for the limit
        for f, key in zip(files, keys, strict=True):
            if limit is not None and taken >= limit:
                break
            start, _ = store.cursor(run_id, key)
            taken += start
            doc_errors: list[tuple[str, str]] = []
            with _spool_dir(store) as spool, _scratch(store), ExitStack() as closer:
                batches: Iterator[_Lines | _Block]
                kind = sniff(f)
                if kind in {"json", "zip"}:
                    batches = _iter_documents(f, start, batch_size, doc_errors, archive=kind == "zip")
                elif kind in {"parquet", "csv"}:
                    batches = _iter_table(store, f, kind, start, batch_size)
                else:
                    blocks = _iter_lines(f, start, batch_size, Path(spool))
                    if limit is not None:
                        blocks = _limit_blocks(blocks, limit - taken)
                    batches = _prefetch(_parse_blocks(blocks, store.con))
                # On any exit (Ctrl-C in a write included) stop the reader thread, which parses
                # with the same connection, before the scratch database is detached.
                closer.callback(getattr(batches, "close", lambda: None))
                for b in batches:
                    if limit is not None and isinstance(b, _Lines) and taken + len(b) > limit:
                        b = _head(b, max(0, limit - taken))
                    if limit is not None and taken >= limit and len(b):
                        break
                    taken += len(b)
                    if not len(b) and not doc_errors and b.consumed == start:
                        continue
                    pending = list(doc_errors)
                    doc_errors.clear()
                    _write_batch(store, run_id, key, f.name, b, doc_errors=pending)
                    if isinstance(b, _Block):
                        b.path.unlink(missing_ok=True)
                    done += len(b)
                    if progress:
                        progress(done, None, f.name)
        for c, key in zip(card_paths, card_keys, strict=True):
            start, _ = store.cursor(run_id, key)
            pending_cards: list[tuple[int, str, tuple[str, ...], bytes | None, str | None]] = []
            consumed = start
            for item in _iter_cards(c, start):
                pending_cards.append(item)
                consumed = item[0]
                if len(pending_cards) >= CARD_BATCH:
                    _write_cards(store, run_id, key, pending_cards, consumed)
                    done += len(pending_cards)
                    pending_cards = []
                    if progress:
                        progress(done, None, c.name)
            if pending_cards:
                _write_cards(store, run_id, key, pending_cards, consumed)
                done += len(pending_cards)
    _card_licence_fallback(store)
    stats = run_stats(store, run_id)
    stats.resumed = resumed
    store.finish_run(run_id, stats.to_dict())
    return stats


def _card_licence_fallback(store: Store) -> None:
    """A model whose record declares no licence takes the one its card's front matter declares.

    The record's own (``license:`` tag, else cardData) wins; several card licences:
    the first in sort order, the others stay in ``licences``.
    """
    store.con.execute(
        """UPDATE models SET license = l.license
           FROM (SELECT model_id, min(license) AS license FROM licence_rows WHERE source = 'card' GROUP BY model_id) l
           WHERE models.model_id = l.model_id AND models.license IS NULL"""
    )


def run_stats(store: Store, run_id: int) -> MineStats:
    """Counters of a mining run, from the database (correct across resumption)."""
    con = store.con
    row = con.execute(
        """SELECT count(*) FILTER (WHERE last_run = $r),
                  count(*) FILTER (WHERE first_run = $r),
                  count(*) FILTER (WHERE changed_run = $r AND first_run <> $r),
                  count(*) FILTER (WHERE last_run = $r AND changed_run <> $r)
           FROM models""",
        {"r": run_id},
    ).fetchall()[0]
    cards_row = con.execute("SELECT count(*) FROM cards WHERE run_id = ?", [run_id]).fetchall()[0]
    total_cards = con.execute("SELECT count(*) FROM cards").fetchall()[0]
    unjoined = con.execute("SELECT count(*) FROM cards c ANTI JOIN models m USING (model_id)").fetchall()[0]
    errs = con.execute(
        "SELECT position, message FROM ingest_errors WHERE run_id = ? ORDER BY input, position", [run_id]
    ).fetchall()
    return MineStats(
        run_id=run_id,
        records=int(row[0]),
        models_new=int(row[1]),
        models_changed=int(row[2]),
        models_unchanged=int(row[3]),
        cards=int(total_cards[0]),
        cards_changed=int(cards_row[0]),
        cards_unjoined=int(unjoined[0]),
        errors=len(errs),
        error_samples=[(str(a), str(b)) for a, b in errs[:20]],
    )
