"""The Hugging Face cache layout: ``models--org--name/{refs,snapshots,blobs}``.

Resolves ``org/name@rev`` offline: a branch or tag through ``refs/<rev>``, a
full or abbreviated commit sha through ``snapshots/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ptmvet.errors import ModelNotFound, RevisionNotFound
from ptmvet.evidence import Evidence, Target
from ptmvet.progress import Progress
from ptmvet.sources.local import collect_folder


def cache_dir() -> Path:
    """The hub cache folder, following huggingface_hub's environment variables."""
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(var):
            return Path(os.environ[var]).expanduser()
    hf_home = os.environ.get("HF_HOME")
    if hf_home:
        return Path(hf_home).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"


def repo_folder(repo_id: str, root: Path | None = None) -> Path:
    return (root or cache_dir()) / ("models--" + repo_id.replace("/", "--"))


@dataclass(frozen=True)
class CachedSnapshot:
    repo_id: str
    revision: str  # commit sha
    requested: str  # what was asked (branch, tag, sha, "main")
    path: Path


def resolve(repo_id: str, revision: str | None = None, *, root: Path | None = None) -> CachedSnapshot:
    """Find the snapshot folder of ``repo_id`` at ``revision`` (default: refs/main)."""
    folder = repo_folder(repo_id, root)
    if not folder.is_dir():
        raise ModelNotFound(
            f"{repo_id}: not in the Hugging Face cache ({folder})",
            path=str(folder),
            hint="download it first, point ptmvet at a folder, or run online (unset HF_HUB_OFFLINE)",
        )
    requested = revision or "main"
    snapshots = folder / "snapshots"
    ref_file = folder / "refs" / requested
    sha: str | None = None
    if ref_file.is_file():
        sha = ref_file.read_text(encoding="utf-8", errors="replace").strip()
    elif snapshots.is_dir():
        matches = [p.name for p in snapshots.iterdir() if p.name.startswith(requested.lower())]
        if len(requested) >= 7 and len(matches) == 1:
            sha = matches[0]
        elif len(matches) > 1:
            raise RevisionNotFound(f"{repo_id}@{requested}: ambiguous, matches {', '.join(sorted(matches))}", path=str(snapshots))
    if not sha:
        known = sorted(p.name for p in (folder / "refs").iterdir()) if (folder / "refs").is_dir() else []
        raise RevisionNotFound(
            f"{repo_id}@{requested}: no such revision in the cache",
            path=str(folder),
            hint=f"cached refs: {', '.join(known) or 'none'}",
        )
    snap = snapshots / sha
    if not snap.is_dir():
        raise RevisionNotFound(f"{repo_id}@{requested}: refs point to {sha}, but its snapshot is missing", path=str(snap))
    return CachedSnapshot(repo_id=repo_id, revision=sha, requested=requested, path=snap)


def collect_cached(repo_id: str, revision: str | None = None, *, root: Path | None = None, progress: Progress | None = None) -> Evidence:
    """Evidence from a cached snapshot, offline."""
    snap = resolve(repo_id, revision, root=root)
    target = Target(
        name=repo_id,
        source="hf-cache",
        repo_id=repo_id,
        revision=snap.revision,
        requested_revision=snap.requested,
        local_path=str(snap.path),
    )
    return collect_folder(snap.path, target=target, progress=progress)
