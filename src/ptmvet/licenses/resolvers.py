"""Registry data that lineage walks through.

* :class:`DumpResolver`: a ``GET /api/models`` listing saved as JSON lines
  (``.jsonl`` or ``.jsonl.gz``), plus the matching datasets listing. Offline.
  Files are streamed; only the records asked for are kept.
* :class:`HubResolver`: the Hub's API through ``huggingface_hub``.
* :class:`DuckDBResolver`: a mining database (``ptmvet.registry``'s store).
* :class:`StaticResolver`: records in memory (tests, studies).

All implement :class:`ptmvet.licenses.lineage.Resolver`.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from ptmvet.errors import DependencyMissing, HubError, InputError
from ptmvet.licenses.lineage import ModelRecord, record_from_api

_ID_KEY = '"id": "'


def _open_text(path: Path) -> IO[str]:
    try:
        if path.suffix == ".gz":
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
        return path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", path=str(path)) from exc


#: The id key of both listing shapes (2024 ``id``, 2022 ``modelId``), however the JSON is spaced.
_ID_RE = re.compile(r'"(?:id|modelId)"\s*:\s*"([^"]*)"')


def _line_id(line: str) -> str | None:
    """The ``id`` of a listing line without parsing the JSON (fast pre-filter)."""
    i = line.find(_ID_KEY)
    if i < 0:
        # Compact JSON or the 2022 ``modelId`` shape: slower, but never silently "not found".
        m = _ID_RE.search(line)
        return m.group(1) if m else None
    j = line.find('"', i + len(_ID_KEY))
    return line[i + len(_ID_KEY) : j] if j > 0 else None


def iter_listing(path: Path, *, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Stream the JSON objects of a listing file (one per line); bad lines raise InputError."""
    with _open_text(path) as fh:
        try:
            for n, line in enumerate(fh, 1):
                if limit is not None and n > limit:
                    return
                line = line.strip()
                if not line:
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}: line {n} is not JSON ({exc.msg})", path=str(path)) from exc
                if isinstance(obj, dict):
                    yield obj
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise InputError(f"{path}: cannot read ({exc})", path=str(path)) from exc


def _scan(path: Path, wanted: Collection[str]) -> dict[str, dict[str, Any]]:
    """Objects of the listing whose lower-cased id is in ``wanted``."""
    want = {w.lower() for w in wanted}
    out: dict[str, dict[str, Any]] = {}
    if not want:
        return out
    records = 0
    with _open_text(path) as fh:
        try:
            for n, line in enumerate(fh, 1):
                lid = _line_id(line)
                if lid is None:
                    continue
                records += 1
                if lid.lower() not in want:
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}: line {n} is not JSON ({exc.msg})", path=str(path)) from exc
                if isinstance(obj, dict):
                    out[lid.lower()] = obj
                    if len(out) == len(want):
                        break
        except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read ({exc})", path=str(path)) from exc
    if not records:
        raise InputError(f"{path}: no line has an \"id\" or \"modelId\"; not a Hub listing (.jsonl)", path=str(path))
    return out


def _require_listing(path: Path, probe: int = 50) -> None:
    """Fail now, naming the file, when ``path`` is not a JSON-lines listing; a wrong file found later
    would only show as every look-up failing, with exit 0."""
    try:
        with _open_text(path) as fh:
            for n, line in enumerate(fh, 1):
                if _line_id(line) is not None:
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as exc:
                        # An id on a line that is not one JSON object: pretty-printed JSON, not JSON lines.
                        raise InputError(
                            f"{path}: line {n} is not JSON ({exc.msg}): not a Hub listing (.jsonl), which has one JSON object per line",
                            path=str(path),
                        ) from exc
                    if isinstance(obj, dict):
                        return
                    break
                if n >= probe:
                    break
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})", path=str(path)) from exc
    raise InputError(
        f"{path}: not a Hub listing (.jsonl): no line of its start is a JSON object with an \"id\" or \"modelId\"",
        path=str(path),
        hint="pass a models listing such as hf_models_list_2024-07.jsonl.gz",
    )


def dataset_license_from_api(obj: Mapping[str, Any]) -> str | None:
    tags = obj.get("tags") or []
    for t in tags:
        if isinstance(t, str) and t.startswith("license:"):
            return t.split(":", 1)[1]
    card = obj.get("cardData")
    if isinstance(card, Mapping):
        lic = card.get("license")
        if isinstance(lic, str):
            return lic
        if isinstance(lic, list) and lic and isinstance(lic[0], str):
            return lic[0]
    return None


class DumpResolver:
    """Offline: a saved models listing (and optionally a datasets listing).

    Each :meth:`models` call streams the file once and keeps only the ids asked
    for, so memory stays small; lineage asks one level at a time.
    """

    name = "dump"

    def __init__(self, models_path: Path, datasets_path: Path | None = None) -> None:
        if not models_path.is_file():
            raise InputError(f"metadata dump not found: {models_path}", path=str(models_path))
        self.models_path = models_path
        _require_listing(models_path)
        if datasets_path is None:
            datasets_path = self._sibling_datasets(models_path)
        elif not datasets_path.is_file():
            raise InputError(f"datasets listing not found: {datasets_path}", path=str(datasets_path))
        self.datasets_path = datasets_path
        self._cache: dict[str, ModelRecord | None] = {}

    @staticmethod
    def _sibling_datasets(models_path: Path) -> Path | None:
        name = models_path.name
        if "models" in name:
            cand = models_path.with_name(name.replace("models", "datasets", 1))
            if cand.is_file():
                return cand
        return None

    def models(self, ids: Collection[str]) -> Mapping[str, ModelRecord]:
        todo = [i for i in ids if i.lower() not in self._cache]
        if todo:
            found = _scan(self.models_path, todo)
            for i in todo:
                obj = found.get(i.lower())
                self._cache[i.lower()] = record_from_api(obj) if obj is not None else None
        out: dict[str, ModelRecord] = {}
        for i in ids:
            rec = self._cache.get(i.lower())
            if rec is not None:
                out[i.lower()] = rec
        return out

    def dataset_licenses(self, ids: Collection[str]) -> Mapping[str, str | None]:
        if self.datasets_path is None:
            raise InputError("no datasets listing next to the models dump", path=str(self.models_path), hint="pass the datasets listing (hf_datasets_list_*.jsonl.gz) explicitly")
        found = _scan(self.datasets_path, ids)
        return {k: dataset_license_from_api(v) for k, v in found.items()}


class StaticResolver:
    """Records held in memory."""

    name = "static"

    def __init__(self, records: Collection[ModelRecord] = (), datasets: Mapping[str, str | None] | None = None, *, name: str = "static") -> None:
        self._records = {r.id.lower(): r for r in records}
        self._datasets = {k.lower(): v for k, v in (datasets or {}).items()}
        self.name = name

    def models(self, ids: Collection[str]) -> Mapping[str, ModelRecord]:
        return {i.lower(): self._records[i.lower()] for i in ids if i.lower() in self._records}

    def dataset_licenses(self, ids: Collection[str]) -> Mapping[str, str | None]:
        return {i.lower(): self._datasets[i.lower()] for i in ids if i.lower() in self._datasets}


class HubResolver:
    """Online: ``HfApi.model_info`` / ``dataset_info`` for each id."""

    name = "hub"
    #: The Hub redirects the old ids of models it moved into an organisation.
    follows_renames = True

    def __init__(self, *, token: str | bool | None = None, endpoint: str | None = None) -> None:
        from huggingface_hub import HfApi

        self._api = HfApi(token=token, endpoint=endpoint)

    def _info(self, kind: str, repo_id: str) -> Mapping[str, Any] | None:
        from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, OfflineModeIsEnabled, RepositoryNotFoundError

        try:
            info = self._api.model_info(repo_id) if kind == "model" else self._api.dataset_info(repo_id)
        except GatedRepoError:
            raise
        except RepositoryNotFoundError:
            return None
        except OfflineModeIsEnabled as exc:
            raise HubError(f"the Hub is offline: cannot look up {repo_id}", hint="pass --dump or --registry for offline lineage") from exc
        except HfHubHTTPError as exc:
            raise HubError(f"the Hub answered an error for {repo_id}: {exc}") from exc
        except OSError as exc:
            raise HubError(f"cannot reach the Hub for {repo_id}: {exc}") from exc
        card = getattr(info, "card_data", None)
        card_dict = card.to_dict() if card is not None and hasattr(card, "to_dict") else {}
        return {"id": getattr(info, "id", repo_id), "tags": list(getattr(info, "tags", None) or []), "cardData": card_dict}

    def _infos(self, kind: str, ids: Collection[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(lower-cased id, info) for each id the Hub knows; gated repositories are left out."""
        from huggingface_hub.errors import GatedRepoError

        for i in ids:
            try:
                data = self._info(kind, i)
            except GatedRepoError:
                data = None
            if data is not None:
                yield i.lower(), data

    def models(self, ids: Collection[str]) -> Mapping[str, ModelRecord]:
        return {i: record_from_api(data) for i, data in self._infos("model", ids)}

    def dataset_licenses(self, ids: Collection[str]) -> Mapping[str, str | None]:
        return {i: dataset_license_from_api(data) for i, data in self._infos("dataset", ids)}


class DuckDBResolver:
    """A mining database built by ``ptmvet.registry`` (schema in docs/registry.md).

    Reads ``models`` (model_id, license, card_data), ``tags`` (model_id, tag) and
    ``lineage`` (model_id, parent_id, relation). Dataset licences come from a
    ``datasets`` table (an id column and ``license`` or ``tags``) when the
    database has one.
    """

    name = "duckdb"

    def __init__(self, path: Path) -> None:
        try:
            import duckdb
        except ImportError as exc:
            raise DependencyMissing("duckdb", "lineage from a registry database") from exc
        if not path.is_file():
            raise InputError(f"registry database not found: {path}", path=str(path))
        try:
            self._con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise InputError(f"cannot open registry database {path}: {exc}", path=str(path)) from exc
        self.path = path
        if not {"model_id", "license"} <= set(self._columns("models")):
            raise InputError(f"{path}: not a ptmvet registry database (no models table)", path=str(path), hint="build it with `ptmvet registry ingest`")
        self._has_tags = "tag" in self._columns("tags")
        # Registry schema 4+ keeps the tags as a list on the models row (`tags` is a view
        # over it): unnest only the rows asked for.
        self._tags_sql = (
            "SELECT model_id, tag FROM (SELECT model_id, unnest(tags) AS tag FROM models "
            "WHERE lower(model_id) IN (SELECT unnest(?::VARCHAR[]))) WHERE tag IS NOT NULL"
            if "tags" in self._columns("models")
            else "SELECT model_id, tag FROM tags WHERE lower(model_id) IN (SELECT unnest(?::VARCHAR[]))"
        )
        self._has_lineage = "parent_id" in self._columns("lineage")

    def _columns(self, table: str) -> list[str]:
        rows = self._con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()
        return [str(r[0]).lower() for r in rows]

    def _query(self, sql: str, ids: Collection[str]) -> list[tuple[Any, ...]]:
        want = sorted({i.lower() for i in ids})
        if not want:
            return []
        return list(self._con.execute(sql, [want]).fetchall())

    @staticmethod
    def _json(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return None
        return value

    def models(self, ids: Collection[str]) -> Mapping[str, ModelRecord]:
        rows = self._query("SELECT model_id, license, card_data FROM models WHERE lower(model_id) IN (SELECT unnest(?::VARCHAR[]))", ids)
        data: dict[str, dict[str, Any]] = {}
        for model_id, lic, card_json in rows:
            card = self._json(card_json)
            card = dict(card) if isinstance(card, Mapping) else {}
            if lic and not card.get("license"):
                card["license"] = lic
            data[str(model_id).lower()] = {"id": str(model_id), "tags": [], "cardData": card}
        if not data:
            return {}
        if self._has_tags:
            for model_id, tag in self._query(self._tags_sql, data):
                entry = data.get(str(model_id).lower())
                if entry is not None and isinstance(tag, str) and not tag.startswith("base_model:"):
                    entry["tags"].append(tag)
        if self._has_lineage:
            for model_id, parent, relation in self._query("SELECT model_id, parent_id, relation FROM lineage WHERE lower(model_id) IN (SELECT unnest(?::VARCHAR[]))", data):
                entry = data.get(str(model_id).lower())
                if entry is None:
                    continue
                rel = str(relation or "")
                entry["tags"].append(f"base_model:{rel}:{parent}" if rel in ("finetune", "adapter", "quantized", "merge") else f"base_model:{parent}")
        return {k: record_from_api(v) for k, v in data.items()}

    def dataset_licenses(self, ids: Collection[str]) -> Mapping[str, str | None]:
        cols = self._columns("datasets")
        id_col = next((c for c in ("dataset_id", "id") if c in cols), None)
        if id_col is None or not ({"license", "tags"} & set(cols)):
            raise InputError(f"{self.path}: the database holds no dataset licences", path=str(self.path), hint="pass --dump with the datasets listing for dataset licences")
        lic_expr = "license" if "license" in cols else "NULL"
        tag_expr = "tags" if "tags" in cols else "NULL"
        sql = f"SELECT {id_col}, {lic_expr}, {tag_expr} FROM datasets WHERE lower({id_col}) IN (SELECT unnest(?::VARCHAR[]))"  # noqa: S608 - column names come from information_schema
        out: dict[str, str | None] = {}
        for did, lic, tags in self._query(sql, ids):
            tag_list = self._json(tags) if isinstance(tags, str) else tags
            obj = {"tags": tag_list if isinstance(tag_list, list) else [], "cardData": {"license": lic} if lic else {}}
            out[str(did).lower()] = dataset_license_from_api(obj)
        return out
