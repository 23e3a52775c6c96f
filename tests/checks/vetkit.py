"""Helpers shared by the check-family tests (imported as ``vetkit``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ptmvet.card import parse_card
from ptmvet.checks.interface import Check, Finding, Outcome, run_check
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


Factory = Callable[..., Evidence]
