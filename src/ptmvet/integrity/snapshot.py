"""What a registry says each file of a model should be: ``siblings[]`` with LFS sha256.

Two inputs give the same :class:`RegistrySnapshot`:

- a ``model_info`` JSON from a metadata dump, in any of the Hub's shapes:
  the 2022 one (``modelId``, ``siblings[{rfilename}]``), the 2024 one
  (``id``, ``siblings[{rfilename}]``), and the ``files_metadata`` one that adds
  ``size``, ``blobId`` and ``lfs{sha256,size,pointerSize}`` per file. A dump file
  may hold one object, a JSON list, JSON lines (optionally gzipped) or a zip of
  JSON files (the layout of ``hf-hub-models-2024-07/model_data_api``);
- the Hub itself (``HfApi.model_info(files_metadata=True)``), when a network exists.

Only the ``files_metadata`` shape carries hashes; older dumps list file names only,
which still tells which files the registry has that the local copy lacks.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ptmvet.errors import HubError, InputError, UsageError

#: A single model_info JSON is a few hundred KiB at most; refuse absurd members.
_RECORD_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RegistryFile:
    """One file of a registry listing."""

    path: str
    sha256: str | None = None  # siblings[].lfs.sha256 (Git LFS files only)
    size: int | None = None  # siblings[].size, or lfs.size
    blob_id: str | None = None  # siblings[].blobId (git blob sha1)


@dataclass(frozen=True)
class RegistrySnapshot:
    """The registry's file listing of one model at one revision."""

    repo_id: str
    revision: str | None  # the commit sha the listing describes
    files: tuple[RegistryFile, ...]
    source: str  # "hub" or the dump file's path

    @property
    def has_hashes(self) -> bool:
        return any(f.sha256 for f in self.files)

    def by_path(self) -> dict[str, RegistryFile]:
        return {f.path: f for f in self.files}


def _get(obj: Any, *names: str) -> Any:
    """A field of a raw JSON dict or of a huggingface_hub object, by the first name present."""
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return None


def _sha(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value):
        return value.lower()
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def snapshot_from_model_info(info: Any, *, source: str) -> RegistrySnapshot:
    """Translate a ``model_info`` (raw JSON dict or ``huggingface_hub.ModelInfo``) into a snapshot.

    Unknown fields are ignored; a sibling without a usable name is skipped.
    """
    repo_id = _get(info, "id", "modelId")
    if not isinstance(repo_id, str) or not repo_id:
        raise InputError(f"{source}: model_info has no 'id' or 'modelId'", path=source)
    sha = _get(info, "sha")
    siblings = _get(info, "siblings") or []
    if not isinstance(siblings, list | tuple):
        raise InputError(f"{source}: 'siblings' of {repo_id} is not a list", path=source)
    files: list[RegistryFile] = []
    for sib in siblings:
        name = _get(sib, "rfilename", "path")
        if not isinstance(name, str) or not name or name.startswith("/") or ".." in name.split("/"):
            continue
        lfs = _get(sib, "lfs")
        sha256 = _sha(_get(lfs, "sha256", "oid")) if lfs is not None else None
        size = _int(_get(sib, "size"))
        if size is None and lfs is not None:
            size = _int(_get(lfs, "size"))
        blob = _get(sib, "blobId", "blob_id")
        files.append(RegistryFile(name, sha256, size, blob if isinstance(blob, str) else None))
    files.sort(key=lambda f: f.path)
    return RegistrySnapshot(repo_id, sha if isinstance(sha, str) else None, tuple(files), source)


def _records(path: Path) -> Iterator[Any]:
    """Every JSON record of a dump file, whatever its container."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            for member in zf.infolist():
                if member.is_dir() or not member.filename.lower().endswith(".json"):
                    continue
                if member.file_size > _RECORD_MAX_BYTES:
                    continue
                yield json.loads(zf.read(member))
        return
    opener: Any = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        if ".jsonl" in name or name.endswith((".ndjson", ".ndjson.gz")):
            for line in fh:
                if line.strip():
                    yield json.loads(line)
            return
        text = fh.read(_RECORD_MAX_BYTES + 1)
    if len(text) > _RECORD_MAX_BYTES:
        raise ValueError(f"larger than {_RECORD_MAX_BYTES} characters; use JSON lines for many models")
    data = json.loads(text)
    if isinstance(data, list):
        yield from data
    else:
        yield data


def load_dump(path: Path, repo_id: str | None = None) -> RegistrySnapshot:
    """Find one model's ``model_info`` in a dump file.

    With one record, ``repo_id`` may be omitted; otherwise it selects the record
    by ``id`` / ``modelId``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such dump file", path=str(path))
    found: Any = None
    count = 0
    try:
        for record in _records(path):
            if not isinstance(record, Mapping):
                continue
            count += 1
            rid = record.get("id") or record.get("modelId")
            if repo_id is None:
                found = record if count == 1 else None
            elif rid == repo_id:
                found = record
                break
    except (OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile, EOFError) as exc:
        raise InputError(f"{path}: unreadable dump ({exc})", path=str(path)) from exc
    if found is None:
        if repo_id is None and count > 1:
            raise UsageError(f"{path} holds {count} models; name one with --repo-id ORG/NAME")
        raise InputError(f"{path}: no model_info for {repo_id or 'any model'}", path=str(path))
    return snapshot_from_model_info(found, source=str(path))


def fetch_snapshot(repo_id: str, revision: str | None = None) -> RegistrySnapshot:
    """Ask the Hub for the listing with file metadata (LFS sha256) at ``revision``."""
    try:
        from huggingface_hub import HfApi
    except ImportError as exc:  # pragma: no cover - a core dependency
        from ptmvet.errors import DependencyMissing

        raise DependencyMissing("huggingface_hub", "registry hash cross-check") from exc
    try:
        info = HfApi().model_info(repo_id, revision=revision, files_metadata=True)
    except Exception as exc:
        raise HubError(
            f"{repo_id}: cannot fetch the file listing from the Hub ({type(exc).__name__}: {exc})",
            hint="offline? use --dump FILE with a saved model_info JSON",
        ) from exc
    return snapshot_from_model_info(info, source="hub")
