"""What the evidence says about each weight file's content, shared by the checks.

One place decides which weight files could not be looked at (so VET606 fails on
them and no other check counts them as safe or as sized) and what format a
file's bytes are in (so VET301 and the VET7xx checks judge the same thing).
"""

from __future__ import annotations

from ptmvet.evidence import NON_WEIGHT_NAMES, SAFE_FORMATS, Evidence, FileEntry
from ptmvet.evidence.scan import HEADER_FORMATS, PICKLE_FORMATS, ScanReport, ScanVerdict

#: Scanner formats that are model weights whatever the file is called.
WEIGHT_CONTENT_FORMATS = HEADER_FORMATS | PICKLE_FORMATS | {"numpy", "npz"}


def _is_weight_name(path: str) -> bool:
    return FileEntry(path=path, size=None, local=True).weight_format is not None


def unusable_weights(ev: Evidence) -> dict[str, str]:
    """Weight files whose content could not be checked, with the reason (path -> reason)."""
    out: dict[str, str] = {}
    reports = {r.path: r for r in ev.scan}
    headers = {s.path: s for s in ev.safetensors}
    unreadable = set(ev.integrity.unreadable) if ev.integrity is not None else set()
    odd = set(ev.odd_names)
    for f in ev.weight_files:
        if not f.local:
            continue
        if f.path in odd and ((r := reports.get(f.path)) is None or _scan_gap(r) is not None):
            out[f.path] = "not scanned: its name is not UTF-8 text (shown escaped; VET307)"
        elif f.lfs_pointer is not None:
            out[f.path] = f"only a Git LFS pointer ({f.lfs_pointer.size:,} bytes of weights never downloaded)"
        elif f.size == 0:
            out[f.path] = "empty (0 bytes)"
        elif f.path in unreadable:
            out[f.path] = "unreadable (could not be hashed)"
        elif (h := headers.get(f.path)) is not None and h.error is not None:
            out[f.path] = f"not a readable safetensors file: {h.error}"
        elif (r := reports.get(f.path)) is not None and (reason := _scan_gap(r)) is not None:
            out[f.path] = reason
    for p in ev.problems:
        if _is_weight_name(p.path) and p.path not in out:
            out[p.path] = p.message if "not read" in p.message else f"not read: {p.message}"
    return out


def broken_weights(ev: Evidence, unusable: dict[str, str] | None = None) -> dict[str, str]:
    """Weight files with no content to judge (path -> reason): :func:`unusable_weights` less the
    Git LFS pointers, which still name the format the publisher ships (judged by name, as for a
    Hub listing). VET301 and VET701 both leave these out, so the two never disagree.
    ``unusable``: :func:`unusable_weights` of ``ev`` where the caller has it already."""
    unusable = unusable_weights(ev) if unusable is None else unusable
    return {p: why for p, why in unusable.items() if not ((f := ev.file(p)) and f.lfs_pointer)}


def not_checked_lines(broken: dict[str, str]) -> list[str]:
    """``path: reason`` of each file of :func:`broken_weights`, sorted."""
    return [f"{p}: {why}" for p, why in sorted(broken.items())]


def none_checked(lines: list[str]) -> str:
    """The message of a check that found no weight file it could judge (``lines``: :func:`not_checked_lines`)."""
    more = f" (+{len(lines) - 1} more)" if len(lines) > 1 else ""
    return f"no weight file's content could be checked (VET606): {lines[0]}{more}"


def _scan_gap(r: ScanReport) -> str | None:
    """Why the scanner did not look at a weight file's content, or None if it did."""
    why = "; ".join(i.message for i in r.issues if i.message) or ""
    if r.verdict is ScanVerdict.ERROR:
        return f"the scanner could not read it{': ' + why if why else ''}"
    if r.verdict is ScanVerdict.SKIPPED or r.format == "unrecognised":
        return f"skipped by the scanner: {why or 'content not recognised as any weight format'}"
    return None


def weight_like_files(ev: Evidence) -> list[tuple[str, str]]:
    """Files not named as weights whose scanned content is a weight format (path, format)."""
    names = {f.path for f in ev.weight_files}
    # A trainer's side files (training_args.bin, optimizer.pt, ...) are pickles but never weights renamed.
    return sorted(
        (r.path, r.format)
        for r in ev.scan
        if r.path not in names
        and r.path.rsplit("/", 1)[-1] not in NON_WEIGHT_NAMES
        and r.format in WEIGHT_CONTENT_FORMATS
        and r.verdict is not ScanVerdict.SKIPPED
    )


def content_format(f: FileEntry, ev: Evidence) -> tuple[str, bool]:
    """(format, judged by content) of a weight file: the scan's format, else the name's.

    ``pickle`` for every format whose loading unpickles; ``numpy`` for plain arrays.
    """
    for r in ev.scan:
        if r.path != f.path:
            continue
        if r.verdict is not ScanVerdict.SKIPPED and r.format != "unrecognised":
            if r.format in PICKLE_FORMATS or r.details.get("object_arrays"):
                return "pickle", True
            if r.format in ("npz", "numpy"):
                return "numpy", True
            return r.format, True
        break
    return f.weight_format or "", False


def is_safe_format(fmt: str) -> bool:
    return fmt in SAFE_FORMATS
