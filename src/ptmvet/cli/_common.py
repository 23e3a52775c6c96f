"""Options and helpers shared by the commands (defined once).

Commands print only through :func:`emit` (a rendered result, to ``--output``
or standard output) and :func:`say` (a one-line note on standard error);
everything they show is rendered by :mod:`ptmvet.formats` (``render``), and
progress is drawn by :func:`progress_bar` from there too. No module of
``ptmvet.cli`` imports a rendering library (rich, html) itself.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ptmvet import atomic
from ptmvet.formats import render
from ptmvet.formats.progress import progress_bar


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


def emit(text: str, output: Path | None = None) -> None:
    """Send a rendered result to --output or standard output."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    else:
        write_atomic(output, text)


def say(text: str) -> None:
    """A note for the person at the terminal (standard error), never part of the result."""
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


__all__ = [
    "add_format_option",
    "add_offline_option",
    "emit",
    "progress_bar",
    "render",
    "say",
    "write_atomic",
]
