"""Helpers shared by the check-family tests (imported as ``vetkit``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ptmvet.card import parse_card
from ptmvet.checks import safety
from ptmvet.checks.interface import Check, Finding, Outcome, run_check
from ptmvet.enrich.interface import VetOptions
from ptmvet.enrich.scan import scan_enricher
from ptmvet.evidence import Evidence, FileEntry, LfsPointer, Target


def _files(paths: Iterable[str | FileEntry]) -> tuple[FileEntry, ...]:
    return tuple(p if isinstance(p, FileEntry) else FileEntry(path=p, size=1000, local=True) for p in paths)


def make_evidence(
    card: str | None = None,
    *,
    files: Iterable[str | FileEntry] = (),
    configs: Mapping[str, Any] | None = None,
    target: Target | None = None,
    **kw: Any,
) -> Evidence:
    """Evidence with a card parsed from inline markdown, file entries and configs."""
    names = list(files)
    if card is not None and "README.md" not in names:
        names.insert(0, "README.md")
    return Evidence(
        target=target or Target(name="m", source="local", local_path="/nonexistent/m"),
        files=_files(names),
        card=parse_card(card) if card is not None else None,
        configs=dict(configs or {}),
        **kw,
    )


def lfs_file(path: str, size: int) -> FileEntry:
    """A weight file that is a Git LFS pointer to content of the given size."""
    return FileEntry(path=path, size=134, local=True, lfs_pointer=LfsPointer(oid="a" * 64, size=size))


def one(check: Check, evidence: Evidence) -> Finding:
    """Run a check that yields exactly one finding and return it."""
    findings = run_check(check, evidence)
    assert len(findings) == 1, findings
    assert findings[0].outcome is not Outcome.ERROR, findings[0].message
    return findings[0]


def scanned(folder: Path) -> Evidence:
    """Evidence of a real folder after the scan enricher has looked at every file in it."""
    files = tuple(FileEntry(path=p.relative_to(folder).as_posix(), size=p.stat().st_size, local=True) for p in sorted(folder.rglob("*")) if p.is_file())
    ev = Evidence(target=Target(name=folder.name, source="local", local_path=str(folder)), files=files)
    return scan_enricher(ev, VetOptions.default(), None)


def safety_outcomes(ev: Evidence) -> dict[str, list[Outcome]]:
    """Outcomes of every VET7xx check on the evidence, by check id."""
    return {c.meta.id: [f.outcome for f in run_check(c, ev)] for c in safety.CHECKS}


Factory = Callable[..., Evidence]
