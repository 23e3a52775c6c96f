"""Per-file sha256 manifests of a model package.

Every file under the folder is hashed in parallel threads (``hashlib`` releases
the GIL while it digests a large buffer), ``.git`` is skipped and no symlink
that leaves the folder is followed (see :func:`ptmvet.sources.local.walk`).
The digest of a file is the plain sha256 of its bytes, the same value
``model_signing`` records for file-level serialization and Git LFS records as
the pointer ``oid``.

The JSON form is deterministic: paths sorted, keys in a fixed order, no
timestamps, so two manifests of the same bytes are the same bytes. Its JSON
Schema (draft 2020-12) ships as ``ptmvet/schemas/manifest.schema.json``
(:func:`manifest_schema`).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ptmvet.atomic import write_atomic
from ptmvet.errors import InputError
from ptmvet.evidence import LfsPointer, Problem
from ptmvet.integrity.errors import FileChange, IntegrityMismatch
from ptmvet.progress import Progress
from ptmvet.sources.local import LFS_POINTER_MAX, read_lfs_pointer, walk

SCHEMA_VERSION = 1
MANIFEST_KIND = "ptmvet-manifest"
#: The JSON Schema (draft 2020-12) of :meth:`Manifest.to_dict`, shipped in ``ptmvet.schemas``.
SCHEMA_RESOURCE = "manifest.schema.json"
#: Read size per call. Large reads keep the per-call Python overhead negligible
#: next to the digest work, which runs without the GIL.
BUFFER_SIZE = 8 * 1024 * 1024
#: Refuse to parse a manifest file bigger than this (a manifest of a million files is ~150 MB).
MANIFEST_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ManifestEntry:
    """One file: its path relative to the package root, size and sha256."""

    path: str
    size: int
    sha256: str
    lfs_pointer: LfsPointer | None = None  # the file on disk is a Git LFS pointer

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "size": self.size, "sha256": self.sha256}
        if self.lfs_pointer is not None:
            out["lfs_pointer"] = {"oid": self.lfs_pointer.oid, "size": self.lfs_pointer.size}
        return out


@dataclass(frozen=True)
class Manifest:
    """The files of a package with their digests, sorted by path."""

    entries: tuple[ManifestEntry, ...]
    model: str = ""
    problems: tuple[Problem, ...] = field(default=(), compare=False)
    schema_version: int = SCHEMA_VERSION

    @property
    def total_size(self) -> int:
        return sum(e.size for e in self.entries)

    def by_path(self) -> dict[str, ManifestEntry]:
        return {e.path: e for e in self.entries}

    def digests(self) -> dict[str, str]:
        """path -> sha256 hex."""
        return {e.path: e.sha256 for e in self.entries}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": MANIFEST_KIND,
            "schema_version": self.schema_version,
            "model": self.model,
            "hash_algorithm": "sha256",
            "file_count": len(self.entries),
            "total_size": self.total_size,
            "files": [e.to_dict() for e in self.entries],
            "skipped": [{"path": p.path, "reason": p.message} for p in sorted(self.problems, key=lambda p: p.path)],
        }

    def to_json(self) -> str:
        """Deterministic JSON text (sorted paths, fixed key order, trailing newline)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def hash_file(path: Path, *, buffer: bytearray | None = None) -> tuple[str, int]:
    """sha256 hex digest and byte count of one file, read in large chunks."""
    digest = hashlib.sha256()
    buf = buffer if buffer is not None else bytearray(BUFFER_SIZE)
    view = memoryview(buf)
    size = 0
    with path.open("rb", buffering=0) as fh:
        while True:
            n = fh.readinto(view)
            if not n:
                break
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


def _entry(rel: str, path: Path, buffers: dict[int, bytearray]) -> ManifestEntry:
    key = threading.get_ident()
    buf = buffers.get(key)
    if buf is None:
        buf = buffers[key] = bytearray(BUFFER_SIZE)
    sha, size = hash_file(path, buffer=buf)
    pointer = None
    if size <= LFS_POINTER_MAX:
        with path.open("rb") as fh:
            pointer = read_lfs_pointer(fh.read(LFS_POINTER_MAX + 1))
    return ManifestEntry(path=rel, size=size, sha256=sha, lfs_pointer=pointer)


def default_workers(n_files: int) -> int:
    return max(1, min(n_files, (os.cpu_count() or 1) + 2, 32))


def build_manifest(
    root: Path,
    *,
    workers: int | None = None,
    exclude: Iterable[str] = (),
    progress: Progress | None = None,
) -> Manifest:
    """Hash every file of a package folder (or one file) into a :class:`Manifest`.

    ``exclude`` names package-relative paths (files or folders) to leave out, such
    as the signature file itself. Progress is reported in bytes hashed.
    """
    root = Path(root)
    problems: list[Problem] = []
    if root.is_file():
        files = [(root.name, root)]
        model = root.name
    elif root.is_dir():
        try:
            files = walk(root, problems)
        except OSError as exc:
            raise InputError(f"{root}: cannot list folder ({exc.strerror or exc})", path=str(root)) from exc
        model = root.resolve().name
    else:
        raise InputError(f"{root}: no such file or directory", path=str(root))
    skip = tuple(e.strip("/") for e in exclude if e.strip("/"))
    if skip:
        files = [(rel, p) for rel, p in files if not any(rel == s or rel.startswith(s + "/") for s in skip)]
    sizes: dict[str, int] = {}
    for rel, p in files:
        try:
            sizes[rel] = p.stat().st_size
        except OSError as exc:
            problems.append(Problem(rel, f"unreadable: {exc.strerror or exc}"))
    todo = sorted(((rel, p) for rel, p in files if rel in sizes), key=lambda item: -sizes[item[0]])
    total = sum(sizes.values())
    entries: list[ManifestEntry] = []
    buffers: dict[int, bytearray] = {}
    done = 0
    n_workers = workers or default_workers(len(todo))
    if progress:
        progress(0, total, model)
    with ThreadPoolExecutor(max_workers=max(1, n_workers), thread_name_prefix="ptmvet-hash") as pool:
        # Largest first, so one big file does not start last and stretch the wall time.
        futures: dict[Future[ManifestEntry], str] = {pool.submit(_entry, rel, p, buffers): rel for rel, p in todo}
        pending: set[Future[ManifestEntry]] = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                rel = futures[fut]
                try:
                    entries.append(fut.result())
                except OSError as exc:
                    problems.append(Problem(rel, f"unreadable: {exc.strerror or exc}"))
                done += sizes.get(rel, 0)
                if progress:
                    progress(done, total, rel)
    entries.sort(key=lambda e: e.path)
    problems.sort(key=lambda p: p.path)
    return Manifest(entries=tuple(entries), model=model, problems=tuple(problems))


def write_manifest(manifest: Manifest, path: Path) -> None:
    """Write the manifest atomically (temp file, then rename)."""
    write_atomic(path, manifest.to_json())


def parse_manifest(data: Mapping[str, Any], *, source: str = "manifest") -> Manifest:
    """Build a :class:`Manifest` from its JSON form, validating every field."""
    if data.get("kind") != MANIFEST_KIND:
        raise InputError(f"{source}: not a ptmvet manifest (kind is {data.get('kind')!r})", path=source)
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"{source}: manifest schema version {version!r} is not supported (this ptmvet reads {SCHEMA_VERSION})",
            path=source,
        )
    if data.get("hash_algorithm", "sha256") != "sha256":
        raise InputError(f"{source}: hash algorithm {data.get('hash_algorithm')!r} is not supported", path=source)
    files = data.get("files")
    if not isinstance(files, list):
        raise InputError(f"{source}: 'files' must be a list", path=source)
    entries: list[ManifestEntry] = []
    seen: set[str] = set()
    for i, item in enumerate(files):
        if not isinstance(item, dict):
            raise InputError(f"{source}: files[{i}] is not an object", path=source)
        rel, size, sha = item.get("path"), item.get("size"), item.get("sha256")
        if not isinstance(rel, str) or not rel or rel.startswith("/") or ".." in rel.split("/"):
            raise InputError(f"{source}: files[{i}] has an invalid path {rel!r}", path=source)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise InputError(f"{source}: files[{i}] ({rel}) has an invalid size {size!r}", path=source)
        if not _is_sha256(sha):
            raise InputError(f"{source}: files[{i}] ({rel}) has an invalid sha256 {sha!r}", path=source)
        if rel in seen:
            raise InputError(f"{source}: {rel} is listed twice", path=source)
        seen.add(rel)
        entries.append(ManifestEntry(path=rel, size=size, sha256=str(sha).lower()))
    entries.sort(key=lambda e: e.path)
    return Manifest(entries=tuple(entries), model=str(data.get("model") or ""), schema_version=SCHEMA_VERSION)


def read_manifest(path: Path) -> Manifest:
    """Read a manifest JSON file; a malformed one raises :class:`InputError` naming it."""
    path = Path(path)
    try:
        if path.stat().st_size > MANIFEST_MAX_BYTES:
            raise InputError(f"{path}: larger than {MANIFEST_MAX_BYTES} bytes; not a manifest", path=str(path))
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})", path=str(path)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid JSON ({exc})", path=str(path)) from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: a manifest is a JSON object", path=str(path))
    return parse_manifest(data, source=str(path))


@cache
def manifest_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the manifest, shipped as package data."""
    text = resources.files("ptmvet.schemas").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)


@dataclass(frozen=True)
class ManifestDiff:
    """How the files on disk differ from an expected listing."""

    changed: tuple[FileChange, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    matched: int = 0

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.removed)

    def raise_for(self, what: str, *, hint: str | None = None) -> None:
        """Raise :class:`IntegrityMismatch` unless the listings agree."""
        if not self.ok:
            raise IntegrityMismatch(what, changed=self.changed, added=self.added, removed=self.removed, hint=hint)


def diff_manifests(expected: Manifest, actual: Manifest, *, ignore_added: bool = False) -> ManifestDiff:
    """Compare an expected manifest with one computed from disk."""
    exp = expected.by_path()
    act = actual.by_path()
    changed = []
    matched = 0
    for rel in sorted(exp.keys() & act.keys()):
        e, a = exp[rel], act[rel]
        if e.sha256 != a.sha256 or e.size != a.size:
            changed.append(FileChange(rel, e.sha256, a.sha256, e.size, a.size))
        else:
            matched += 1
    # A path on disk that could not be hashed (a link leaving the folder, an unreadable file) is not
    # described by the listing either: it counts as added, never as silently matching.
    unhashed = {p.path for p in actual.problems} - act.keys()
    added = () if ignore_added else tuple(sorted((act.keys() - exp.keys()) | (unhashed - exp.keys())))
    removed = tuple(sorted(exp.keys() - act.keys()))
    return ManifestDiff(changed=tuple(changed), added=added, removed=removed, matched=matched)
