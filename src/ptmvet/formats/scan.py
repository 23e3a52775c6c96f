"""A scan of model files: terminal table and JSON."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from typing import Any

from rich.table import Table
from rich.text import Text

from ptmvet.formats.console import console
from ptmvet.formats.json_format import dumps
from ptmvet.scan.model import Verdict
from ptmvet.scan.result import ScanResult

#: Version of the scan JSON (schemas/scan.schema.json); 2: files not analysed listed apart in not_analysed.
SCHEMA_VERSION = 2

_STYLE = {
    Verdict.DANGEROUS: "bold red",
    Verdict.MALFORMED: "red",
    Verdict.ERROR: "magenta",
    Verdict.UNKNOWN: "yellow",
    Verdict.SAFE: "green",
    Verdict.SKIPPED: "dim",
}


def to_dict(result: ScanResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": result.verdict.value,
        "counts": result.counts,
        "files": [r.to_dict() for r in result.reports if r.verdict is not Verdict.SKIPPED or r.issues],
        "not_analysed": [{"path": p, "reason": why} for p, why in result.not_analysed],
    }


def render_json(result: ScanResult, **_: Any) -> str:
    return dumps(to_dict(result))


def render_terminal(result: ScanResult, *, color: bool = False, width: int | None = None, **_: Any) -> str:
    reports = result.reports
    out = console(width=width or max(100, shutil.get_terminal_size((160, 24)).columns), color=color)
    table = Table(title=f"ptmvet scan: {len(reports)} file(s)")
    for col in ("file", "format", "verdict", "globals and issues"):
        table.add_column(col, overflow="fold")
    for r in reports:
        if r.verdict is Verdict.SKIPPED and not r.issues:
            continue  # listed below, under "not analysed"
        notes: list[str] = []
        for g in r.globals:
            if result.all_globals or g.verdict is not Verdict.SAFE:
                where = f" [{g.location}]" if g.location else ""
                notes.append(f"{g.verdict.value}: {g.qualname}{where} — {g.reason}")
        for i in r.issues:
            where = f" [{i.location}]" if i.location else ""
            notes.append(f"{i.verdict.value}: {i.message}{where}")
        if not notes:
            notes.append(
                f"{len(r.globals)} global(s), all on the allowlist"
                if r.uses_pickle
                else "header well formed"
                if r.verdict is Verdict.SAFE
                else ""
            )
        table.add_row(Text(r.path), Text(r.format), Text(r.verdict.value, style=_STYLE.get(r.verdict, "")), Text("\n".join(notes)))
    out.print(table)
    skipped = result.not_analysed
    if skipped:
        # Each with its reason: "not analysed" is never "safe", and the reader must see why.
        out.print(Text(f"not analysed ({len(skipped)}):"))
        for path, why in skipped[:20]:
            out.print(Text(f"  {path}: {why}"))
        if len(skipped) > 20:
            out.print(Text(f"  +{len(skipped) - 20} more (all in --format json)"))
    listed = {p for p, _ in skipped}
    quiet = [r for r in reports if r.verdict is Verdict.SKIPPED and not r.issues and r.path not in listed]
    if quiet:
        # Configs, templates and code files are read for what runs on load; with nothing found they are
        # in the "skipped" count but in neither list above, so name them rather than let them vanish.
        out.print(Text(f"read, nothing to report ({len(quiet)}):"))
        for r in quiet[:20]:
            out.print(Text(f"  {r.path} ({r.format})"))
        if len(quiet) > 20:
            out.print(Text(f"  +{len(quiet) - 20} more"))
    out.print(Text(f"overall: {result.verdict.value}"))
    return out.export_text(styles=color)


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal", "to_dict"]
