"""``ptmvet scan PATH [PATH...]``: static safety scan of model files or folders.

Nothing is unpickled. Exit codes: 0 when no file reaches the ``--fail-on``
verdict (default: dangerous); 1 when one does; 3 when a path does not exist
or a file could not be read (and nothing reached ``--fail-on``).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

from ptmvet.cli._common import add_format_option, emit, progress_bar
from ptmvet.errors import ExitCode
from ptmvet.scan import ScanReport, Verdict, overall, scan_paths

#: Verdicts ``--fail-on`` accepts, from strictest to most lenient.
FAIL_ON = ("unknown", "malformed", "dangerous")

SCHEMA_VERSION = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="statically scan model files for code that runs on load (pickle globals, bad headers)",
        description="Walk pickle opcodes (plain, PyTorch zip and legacy, joblib, NumPy object arrays) without loading "
        "anything, and validate safetensors, GGUF and ONNX headers. Exit 0 when clean, 1 when a file reaches the "
        "--fail-on verdict, 3 when a path cannot be read.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="model files or folders (folders are walked, .git skipped)")
    add_format_option(p, ("terminal", "json"))
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="dangerous",
        help="exit 1 when a file's verdict is this bad or worse (order: unknown < malformed < dangerous; default: dangerous)",
    )
    p.add_argument("--all-globals", action="store_true", help="list safe globals too (terminal format)")
    p.set_defaults(func=run)


def to_json(reports: tuple[ScanReport, ...]) -> str:
    scanned = [r for r in reports if r.verdict is not Verdict.SKIPPED]
    counts: dict[str, int] = {}
    for r in reports:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    doc = {
        "schema_version": SCHEMA_VERSION,
        "verdict": overall(scanned).value,
        "counts": counts,
        "files": [r.to_dict() for r in reports],
    }
    return json.dumps(doc, indent=2)


_STYLE = {
    Verdict.DANGEROUS: "bold red",
    Verdict.MALFORMED: "red",
    Verdict.ERROR: "magenta",
    Verdict.UNKNOWN: "yellow",
    Verdict.SAFE: "green",
    Verdict.SKIPPED: "dim",
}


def render_terminal(reports: tuple[ScanReport, ...], *, all_globals: bool = False) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(record=True, width=max(100, shutil.get_terminal_size((160, 24)).columns), force_terminal=False, file=io.StringIO())
    table = Table(title=f"ptmvet scan: {len(reports)} file(s)")
    for col in ("file", "format", "verdict", "globals and issues"):
        table.add_column(col, overflow="fold")
    for r in reports:
        notes: list[str] = []
        for g in r.globals:
            if all_globals or g.verdict is not Verdict.SAFE:
                where = f" [{g.location}]" if g.location else ""
                notes.append(f"{g.verdict.value}: {g.qualname}{where} — {g.reason}")
        for i in r.issues:
            where = f" [{i.location}]" if i.location else ""
            notes.append(f"{i.verdict.value}: {i.message}{where}")
        if not notes:
            safe = len(r.globals)
            notes.append(f"{safe} global(s), all on the allowlist" if r.uses_pickle else "header well formed" if r.verdict is Verdict.SAFE else "")
        table.add_row(r.path, r.format, Text(r.verdict.value, style=_STYLE[r.verdict]), "\n".join(notes))
    console.print(table)
    scanned = [r for r in reports if r.verdict is not Verdict.SKIPPED]
    console.print(f"overall: {overall(scanned).value}")
    return console.export_text()


def exit_code(reports: tuple[ScanReport, ...], fail_on: str) -> int:
    threshold = Verdict(fail_on).rank
    if any(r.verdict.rank >= threshold and r.verdict is not Verdict.ERROR for r in reports):
        return int(ExitCode.FAILED)
    if any(r.verdict is Verdict.ERROR for r in reports):
        return int(ExitCode.INPUT)
    return int(ExitCode.OK)


def run(args: argparse.Namespace) -> int:
    with progress_bar("scanning") as progress:
        reports = scan_paths(args.paths, progress)
    text = to_json(reports) if args.format == "json" else render_terminal(reports, all_globals=args.all_globals)
    emit(text, Path(args.output) if args.output else None)
    return exit_code(reports, args.fail_on)
