"""Package-content checks that fail closed: what could not be looked at is a finding.

* VET606 (integrity): the package holds weights, and every weight file is real,
  readable content in the format its name claims: not empty, not truncated, not
  a Git LFS pointer, not unreadable, not skipped by the scanner.
* VET607 (integrity): no symbolic link leaves the package or dangles; links that
  stay inside are followed and listed.
* VET307 (portability): every file name is UTF-8 without control characters and
  can be written on the common file systems.

They read what the local source and the enrichers recorded (``Evidence.files``,
``problems``, ``symlinks``, ``odd_names``, ``safetensors``, ``scan``,
``integrity.unreadable``); none reads a file.
"""

from __future__ import annotations

from collections.abc import Iterator

from ptmvet.checks._weights import unusable_weights, weight_like_files
from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence

_SHOW = 10

# --- VET606 -----------------------------------------------------------------

WEIGHTS = CheckMeta(
    id="VET606",
    slug="weights-present-and-readable",
    attribute=Attribute.INTEGRITY,
    severity=Severity.HIGH,
    summary="The package holds weights, and every weight file is readable content in a format ptmvet recognises "
    "(not empty, truncated, unreadable, a Git LFS pointer, or skipped by the scanner).",
    remedy="Download the complete package again (`git lfs pull`, or `huggingface_hub.snapshot_download` at a pinned "
    "commit) and make sure every weight file is readable; do not use a package whose weights could not be checked.",
    needs=frozenset({Need.FILES}),
    since="0.2.0",
)


@check(WEIGHTS)
def weights_present_and_readable(ev: Evidence) -> Iterator[Finding]:
    meta = WEIGHTS
    local = ev.local_files
    if not local:
        listed = ev.weight_files
        if ev.files and not listed:
            yield meta.failed(
                f"the registry lists {len(ev.files)} file(s) and no weight file",
                evidence=[f.path for f in ev.files[:_SHOW]],
                details={"weights": [], "problems": []},
            )
            return
        yield meta.skipped("no local files: the weights were not downloaded, so they could not be read")
        return
    bad = unusable_weights(ev)
    usable = [f for f in ev.weight_files if f.local and f.path not in bad]
    details = {
        "weights": [f.path for f in usable],
        "problems": [{"path": p, "reason": r} for p, r in sorted(bad.items())],
    }
    lines = [f"{p}: {r}" for p, r in sorted(bad.items())]
    if not usable and not bad:
        like = weight_like_files(ev)
        hint = [f"{p}: holds {fmt} content under a name that does not say so (renamed?)" for p, fmt in like]
        details["weight_like"] = [p for p, _ in like]
        yield meta.failed(
            f"no weight file in the package ({len(local)} file(s), none named as weights)"
            + (f"; {len(like)} file(s) hold weight content under another name" if like else ""),
            evidence=hint[:_SHOW] or [f"files: {', '.join(f.path for f in local[:_SHOW])}"],
            details=details,
            paths=[p for p, _ in like],
        )
        return
    if bad:
        what = "no readable weights: " if not usable else ""
        yield meta.failed(
            f"{what}{len(bad)} weight file(s) could not be checked: "
            + "; ".join(lines[:3])
            + (" ..." if len(lines) > 3 else ""),
            evidence=lines[:_SHOW],
            details=details,
            paths=sorted(bad),
        )
        return
    formats = sorted({f.weight_format or "?" for f in usable})
    yield meta.passed(
        f"{len(usable)} weight file(s) present and readable ({', '.join(formats)})",
        evidence=[f.path for f in usable[:_SHOW]],
        details=details,
    )


# --- VET607 -----------------------------------------------------------------

SYMLINKS = CheckMeta(
    id="VET607",
    slug="symlinks-contained",
    attribute=Attribute.INTEGRITY,
    severity=Severity.CRITICAL,
    summary="No symbolic link in the package points outside it or at nothing; links inside it are followed and listed.",
    remedy="Replace each link with the file it stands for (copy the package with `cp -rL`, or `rsync -L`), or remove "
    "it; never load a package whose links reach outside it (`ln -s /etc/passwd passwd.txt` ships your own files).",
    needs=frozenset({Need.FILES}),
    since="0.2.0",
)


@check(SYMLINKS)
def symlinks_contained(ev: Evidence) -> Iterator[Finding]:
    meta = SYMLINKS
    if not ev.local_files and not ev.symlinks:
        yield meta.skipped("no local files: no links to look at")
        return
    links = ev.symlinks
    escaping = [s for s in links if not s.inside]
    dangling = [s for s in links if s.inside and s.dangling]
    inside = [s for s in links if s.inside and not s.dangling]
    details = {
        "escaping": [{"path": s.path, "target": s.target} for s in escaping],
        "dangling": [{"path": s.path, "target": s.target} for s in dangling],
        "inside": [{"path": s.path, "target": s.target, "directory": s.directory} for s in inside],
    }
    if escaping:
        yield meta.failed(
            f"{len(escaping)} symlink(s) point outside the package: "
            + ", ".join(f"{s.path} -> {s.target}" for s in escaping[:3]),
            evidence=[f"{s.path} -> {s.target} (leaves the package; not followed)" for s in escaping[:_SHOW]],
            details=details,
            paths=[s.path for s in escaping],
        )
    if dangling:
        yield meta.failed(
            f"{len(dangling)} symlink(s) point at nothing: "
            + ", ".join(f"{s.path} -> {s.target}" for s in dangling[:3]),
            evidence=[f"{s.path} -> {s.target} (dangling)" for s in dangling[:_SHOW]],
            details=details,
            severity=Severity.HIGH,
            paths=[s.path for s in dangling],
        )
    if escaping or dangling:
        return
    blobs = [s for s in inside if s.cache_blob]
    own = [s for s in inside if not s.cache_blob]
    if not own:
        what = f"{len(blobs)} link(s) into the HF cache's blob store (its normal layout)" if blobs else "no symbolic links"
        yield meta.passed(f"{what}; none of the package's own", details=details)
        return
    # A link inside the package is followed (its target is hashed and scanned), but a
    # package that ships links is not what a registry serves and model_signing refuses
    # to sign it by default: reported as a failure below the escaping ones.
    folders = [s for s in own if s.directory]
    note = f" ({len(folders)} to folders, not descended into)" if folders else ""
    yield meta.failed(
        f"{len(own)} symlink(s) inside the package{note}, followed only within it: "
        + ", ".join(f"{s.path} -> {s.target}" for s in own[:3]),
        evidence=[f"{s.path} -> {s.target}" + (" (folder)" if s.directory else "") for s in own[:_SHOW]],
        details=details,
        severity=Severity.HIGH,
        paths=[s.path for s in own],
        remedy="Replace each link with a copy of its target (`cp -rL`), so the package is plain files that every "
        "registry, loader and signature treats alike.",
    )


# --- VET307 -----------------------------------------------------------------

NAMES = CheckMeta(
    id="VET307",
    slug="file-names-portable",
    attribute=Attribute.PORTABILITY,
    severity=Severity.HIGH,
    summary="Every file name is valid UTF-8 without control characters, and no two names differ only by case or use "
    "characters Windows cannot store.",
    remedy="Rename the files to plain UTF-8 names (letters, digits, `-`, `_`, `.`, `/`), and publish the package again; "
    "loaders, signatures and registries disagree on what a non-UTF-8 name is.",
    needs=frozenset({Need.FILES}),
    since="0.2.0",
)

_WINDOWS_BAD = frozenset('<>:"\\|?*')
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)


def _windows_problem(path: str) -> str | None:
    for part in path.split("/"):
        if any(c in _WINDOWS_BAD for c in part):
            return 'a character Windows cannot store (<>:"\\|?*)'
        if part.endswith((" ", ".")) and part not in (".", ".."):
            return "a name ending in a space or dot"
        if part.split(".", 1)[0].lower() in _WINDOWS_RESERVED:
            return "a reserved device name on Windows"
    return None


@check(NAMES)
def file_names_portable(ev: Evidence) -> Iterator[Finding]:
    meta = NAMES
    paths = [f.path for f in ev.local_files] + [s.path for s in ev.symlinks] + [p.path for p in ev.problems]
    if not paths and not ev.odd_names:
        yield meta.skipped("no local files: no names to look at")
        return
    odd = sorted(set(ev.odd_names))
    odd_set = set(odd)
    seen: dict[str, str] = {}
    clashes: list[str] = []
    windows: list[str] = []
    for p in dict.fromkeys(paths):
        key = p.lower()
        if key in seen and seen[key] != p:
            clashes.append(f"{seen[key]} and {p} differ only by case")
        seen.setdefault(key, p)
        if p not in odd_set and (why := _windows_problem(p)) is not None:
            windows.append(f"{p}: {why}")
    details = {"odd": odd, "case_clashes": clashes, "windows": windows}
    if odd:
        yield meta.failed(
            f"{len(odd)} file name(s) are not UTF-8 or hold control characters (shown escaped): " + ", ".join(odd[:3]),
            evidence=[f"{p}: not UTF-8 text or a control character (escaped as \\xNN)" for p in odd[:_SHOW]],
            details=details,
        )
    if clashes or windows:
        yield meta.failed(
            f"{len(clashes) + len(windows)} file name(s) cannot be stored on every file system",
            evidence=(clashes + windows)[:_SHOW],
            details=details,
            severity=Severity.MEDIUM,
        )
    if not (odd or clashes or windows):
        yield meta.passed(f"{len(seen)} file name(s), all portable UTF-8", details=details)


CHECKS: tuple[Check, ...] = (file_names_portable, weights_present_and_readable, symlinks_contained)
