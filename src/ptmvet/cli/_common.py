"""Options and helpers shared by the commands (defined once)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ptmvet import atomic
from ptmvet.progress import Progress


def add_format_option(parser: argparse.ArgumentParser, choices: tuple[str, ...], default: str = "terminal") -> None:
    parser.add_argument("--format", "-f", choices=choices, default=default, help=f"output format (default: {default})")
    parser.add_argument("--output", "-o", type=Path, help="write the output to this file instead of standard output")


def add_offline_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="never contact the Hub (also set by HF_HUB_OFFLINE=1)",
    )
    parser.add_argument("--revision", "-r", help="branch, tag or commit of a Hub model (or use org/name@rev)")


def write_atomic(path: Path, text: str) -> None:
    """Write text to path through a temporary file, so nothing is left half-written."""
    atomic.write_atomic(path, text)


def emit(text: str, output: Path | None) -> None:
    """Send a rendered result to --output or standard output."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_atomic(output, text)


@contextmanager
def progress_bar(label: str, *, enabled: bool | None = None) -> Iterator[Progress]:
    """A rich progress bar on stderr, fed by the library's progress callback.

    Quiet when stderr is not a terminal (CI, pipes), so logs stay clean.
    """
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield lambda done, total, what: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[what]}", style="dim"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, what="")

        def update(done: int, total: int | None, what: str) -> None:
            bar.update(task, completed=done, total=total, what=what[-60:])

        yield update
