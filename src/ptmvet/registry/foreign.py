"""Exports of Hub ``model_info`` in other shapes: what a dump file *is*, and Parquet/CSV rows as records.

A dump is recognised by its content, not its name:

- gzip is looked through; ``PK`` is a zip archive of ``.json`` documents;
- ``PAR1`` is Parquet; a first character ``[`` a JSON array (a listing page);
- ``{`` is JSON lines when the first line is a whole JSON value, else one JSON document;
- text whose first line is a delimited header naming a model-id column is CSV (or TSV);
- anything else is refused with one line that says what it looked like.

Parquet and CSV columns are mapped onto the Hub's field names (:data:`COLUMNS`; the
first alias present wins, case-insensitively); columns that hold JSON as text
(``tags``, ``siblings``, ``config``, ``cardData``) are parsed, a Python-style list
(``['a', 'b']``) too, and a ``license`` column becomes a ``license:`` tag when the tags
do not already name one. Rows are read by DuckDB in batches and become JSON records
for the same writer as every other dump.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from ptmvet.errors import InputError

#: Hub field <- accepted column names (case-insensitive), and how a text column is read.
COLUMNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("id", ("id", "modelid", "model_id", "repo_id", "model", "model_name", "repo"), "text"),
    ("author", ("author", "org", "organization", "namespace"), "text"),
    ("sha", ("sha", "revision", "commit"), "text"),
    ("lastModified", ("lastmodified", "last_modified", "updated_at"), "text"),
    ("createdAt", ("createdat", "created_at"), "text"),
    ("pipeline_tag", ("pipeline_tag", "pipeline", "task"), "text"),
    ("library_name", ("library_name", "library"), "text"),
    ("downloads", ("downloads", "downloads_30d", "downloads_last_month"), "number"),
    ("downloadsAllTime", ("downloadsalltime", "downloads_all_time"), "number"),
    ("likes", ("likes",), "number"),
    ("private", ("private",), "bool"),
    ("disabled", ("disabled",), "bool"),
    ("gated", ("gated",), "json"),
    ("tags", ("tags",), "list"),
    ("siblings", ("siblings", "files"), "json"),
    ("config", ("config",), "json"),
    ("cardData", ("carddata", "card_data"), "json"),
    ("license", ("license", "licence", "license_name"), "text"),
)

_PROBE = 64 * 1024


def _open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when it is gzip (by ISA-L when installed: about 2.5x zlib's speed)."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic != b"\x1f\x8b":
        return path.open("rb")
    try:
        from isal import igzip
    except ImportError:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return cast(IO[bytes], igzip.open(path, "rb"))  # type: ignore[no-untyped-call]


def _probe(path: Path) -> bytes:
    fh: IO[bytes]
    with _open_binary(path) as fh:
        return fh.read(_PROBE)


def _csv_header(text: str) -> str | None:
    """The delimiter of a CSV/TSV header line that names a model-id column, else None."""
    first = text.splitlines()[0] if text else ""
    for delim in (",", "\t", ";"):
        if delim in first:
            names = {c.strip().strip('"').lower() for c in first.split(delim)}
            if names & set(COLUMNS[0][1]):
                return delim
    return None


def _is_json(line: str) -> bool:
    """A whole JSON object on one line (a string or number alone is a line of a pretty-printed document)."""
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def sniff(path: Path) -> str:
    """``'jsonl'``, ``'json'``, ``'zip'``, ``'parquet'`` or ``'csv'``; InputError for anything else."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK\x03\x04") or (magic.startswith(b"PK") and path.suffix == ".zip"):
        return "zip"
    if magic == b"PAR1":
        return "parquet"
    head = _probe(path)
    if head.startswith(b"PAR1"):
        raise InputError(f"{path}: a gzipped Parquet file; decompress it first", path=str(path))
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        raise InputError(f"{path}: empty; expected a model_info export", path=str(path))
    if stripped[0] == "[":
        return "json"
    if stripped[0] == "{":
        lines = stripped.split("\n")
        complete = lines if len(head) < _PROBE else lines[:-1]  # the probe may cut the last line
        if not complete or any(_is_json(line) for line in complete[:20] if line.strip()):
            return "jsonl"  # a whole value on a line (a malformed first record is reported, not fatal)
        name = path.name.lower()
        return "jsonl" if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")) else "json"
    if _csv_header(text) is not None:
        return "csv"
    shown = " ".join(stripped[:40].split())
    raise InputError(
        f"{path}: not a model_info export (JSON lines, JSON array or object, Parquet or CSV with an id column); "
        f"it starts with {shown!r}",
        path=str(path),
    )


def _relation(con: Any, path: Path, kind: str) -> str:
    if kind == "parquet":
        return f"read_parquet({_lit(str(path))})"
    delim = _csv_header(_probe(path).decode("utf-8", "replace").lstrip("\ufeff")) or ","
    return f"read_csv({_lit(str(path))}, header = true, delim = {_lit(delim)}, all_varchar = false, sample_size = -1)"


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def record_select(columns: dict[str, str]) -> tuple[str, list[str]]:
    """The SELECT list that turns a row into one JSON record, and the Hub fields it maps.

    ``columns``: source column name -> DuckDB type name.
    """
    lower = {name.lower(): (name, typ) for name, typ in columns.items()}
    fields: list[str] = []
    mapped: list[str] = []
    license_expr = None
    for target, aliases, how in COLUMNS:
        found = next((lower[a] for a in aliases if a in lower), None)
        if found is None:
            continue
        name, typ = found
        col = _ident(name)
        text = typ.upper() in {"VARCHAR", "TEXT", "STRING"}
        if how in {"json", "list"} and text:
            expr = f"try(json({col}))"
            if how == "list":
                expr = f"coalesce({expr}, try(json(replace({col}, '''', '\"'))))"
        elif how == "text":
            expr = f"CAST({col} AS VARCHAR)"
        elif how == "number":
            expr = f"try_cast({col} AS BIGINT)"
        elif how == "bool":
            expr = f"try_cast({col} AS BOOLEAN)"
        else:
            expr = col
        if target == "license":
            license_expr = expr
            mapped.append(f"license<-{name}")
            continue
        fields.append(f"{_ident(target)} := {expr}")
        mapped.append(f"{target}<-{name}")
    if license_expr is not None:
        tags = next((f.split(" := ", 1)[1] for f in fields if f.startswith('"tags" :=')), "NULL")
        with_licence = (
            f"CASE WHEN {license_expr} IS NULL OR {license_expr} = '' "
            f"OR list_bool_or([starts_with(t, 'license:') FOR t IN coalesce(CAST({tags} AS VARCHAR[]), [])]) "
            f"THEN CAST({tags} AS VARCHAR[]) "
            f"ELSE list_append(coalesce(CAST({tags} AS VARCHAR[]), []), 'license:' || {license_expr}) END"
        )
        fields = [f for f in fields if not f.startswith('"tags" :=')] + [f'"tags" := {with_licence}']
    return "to_json(struct_pack(" + ", ".join(fields) + "))", mapped


def iter_table_records(con: Any, path: Path, kind: str, start: int, batch: int) -> Iterator[tuple[list[str], int]]:
    """(JSON record texts, rows consumed so far) for the rows of a Parquet or CSV export after ``start``."""
    rel = _relation(con, path, kind)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()  # noqa: S608 - quoted literal
    except Exception as exc:
        raise InputError(f"{path}: cannot read as {kind}: {' '.join(str(exc).split())[:200]}", path=str(path)) from exc
    columns = {str(r[0]): str(r[1]) for r in described}
    select, mapped = record_select(columns)
    if not any(m.startswith("id<-") for m in mapped):
        raise InputError(
            f"{path}: no model id column (one of: {', '.join(COLUMNS[0][1])}); columns are {', '.join(columns)[:200]}",
            path=str(path),
        )
    # Rows in file order, so that a resumed run's OFFSET skips exactly what was committed
    # (the bulk writer turns insertion order off for its own inserts).
    before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = true")
    cur = con.cursor()
    try:
        reader = cur.sql(f"SELECT {select} AS r FROM {rel} OFFSET {int(start)}").to_arrow_reader(batch)  # noqa: S608
        done = start
        for rb in reader:
            texts = [str(x) for x in rb.column(0).to_pylist()]
            done += len(texts)
            yield texts, done
    finally:
        cur.close()
        con.execute(f"SET preserve_insertion_order = {bool(before)}")
