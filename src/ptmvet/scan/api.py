"""Scan files and folders: the public entry points of :mod:`ptmvet.scan`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ptmvet.errors import InputError
from ptmvet.progress import Progress
from ptmvet.scan.files import ScanLimits, scan_file
from ptmvet.scan.model import ScanIssue, ScanReport, Verdict

_SKIP_DIRS = frozenset({".git", "__pycache__", ".hg", ".svn"})


def _allowed_roots(root: Path) -> tuple[Path, ...]:
    """Where symlinks under ``root`` may point: the folder itself, and the HF cache's blobs."""
    real = root.resolve()
    roots = [real]
    if root.parent.name == "snapshots":  # huggingface_hub cache: snapshots/<rev>/* -> ../../blobs/*
        roots.append((root.parent.parent / "blobs").resolve())
    return tuple(roots)


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def iter_files(root: Path) -> Iterator[tuple[Path, str, str | None]]:
    """(path, path relative to root, reason it is not scanned or None) for each file, sorted."""
    roots = _allowed_roots(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink():
                try:
                    target = full.resolve(strict=True)
                except (OSError, RuntimeError):
                    yield full, rel, "dangling or looping symlink"
                    continue
                if not _inside(target, roots):
                    yield full, rel, "symlink points outside the folder; not followed"
                    continue
                if not target.is_file():
                    yield full, rel, "symlink to a device, pipe or socket; not read"
                    continue
            elif not full.is_file():
                # Listed, never read (reading a FIFO or a device can block or never end), and never
                # dropped silently: a pipe named pytorch_model.bin is a weight file not analysed.
                yield full, rel, "not a regular file (a device, pipe or socket); not read"
                continue
            yield full, rel, None


def scan_path(
    path: str | os.PathLike[str],
    *,
    limits: ScanLimits | None = None,
    progress: Progress | None = None,
    keep_skipped: bool = False,
) -> tuple[ScanReport, ...]:
    """Scan a file, or every file of a folder (recursively, skipping .git).

    Files whose content the scanner does not read are left out of a folder's
    reports unless ``keep_skipped`` (then they are reported ``skipped``, so a
    caller can list what was not analysed); a file named directly is always
    reported.
    Raises :class:`~ptmvet.errors.InputError` when the path does not exist.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder", path=str(p))
    if not p.is_file() and not p.is_dir():
        # A device, FIFO or socket: reading it could block or never end.
        raise InputError(f"{p}: not a regular file or folder (a device, pipe or socket); not scanned", path=str(p))
    if p.is_file():
        report = scan_file(p, limits=limits, display=str(path))
        if progress:
            progress(1, 1, str(path))
        return (report,)
    entries = list(iter_files(p))
    reports: list[ScanReport] = []
    for i, (full, rel, reason) in enumerate(entries):
        shown = str(Path(path) / rel)
        if reason is not None:
            reports.append(
                ScanReport(
                    path=shown,
                    format="unrecognised",
                    verdict=Verdict.SKIPPED,
                    issues=(ScanIssue("not-followed", Verdict.SKIPPED, reason),),
                )
            )
        else:
            r = scan_file(full, limits=limits, display=shown)
            if keep_skipped or r.verdict is not Verdict.SKIPPED:
                reports.append(r)
        if progress:
            progress(i + 1, len(entries), rel)
    return tuple(reports)


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    progress: Progress | None = None,
    *,
    limits: ScanLimits | None = None,
    keep_skipped: bool = False,
) -> tuple[ScanReport, ...]:
    """Scan several files or folders, in order."""
    out: list[ScanReport] = []
    for path in paths:
        out.extend(scan_path(path, limits=limits, progress=progress, keep_skipped=keep_skipped))
    return tuple(out)


def overall(reports: Iterable[ScanReport]) -> Verdict:
    """The worst verdict of several reports (SKIPPED when there are none)."""
    rs = list(reports)
    return Verdict.worst(r.verdict for r in rs) if rs else Verdict.SKIPPED
