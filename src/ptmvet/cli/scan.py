"""``ptmvet scan PATH [PATH...]``: static safety scan of model files or folders.

Nothing is unpickled. Exit codes: 0 when no file reaches the ``--fail-on``
verdict (default: unknown, so an unknown global, a limit reached or a damaged
archive fails, as well as malformed and dangerous files); 1 when one does; 3 when a path does not exist
or a file could not be read (and nothing reached ``--fail-on``).
"""

from __future__ import annotations

import argparse

from ptmvet.cli._common import add_format_option, emit, progress_bar, render
from ptmvet.errors import ExitCode
from ptmvet.formats import choices
from ptmvet.scan import Verdict, scan_paths
from ptmvet.scan.result import ScanResult

#: Verdicts ``--fail-on`` accepts, from strictest to most lenient.
FAIL_ON = ("unknown", "malformed", "dangerous")

def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="statically scan model files for code that runs on load (pickle globals, bad headers)",
        description="Walk pickle opcodes (plain, PyTorch zip and legacy, joblib, NumPy object arrays) without loading "
        "anything, and validate safetensors, GGUF and ONNX headers. Exit 0 when clean, 1 when a file reaches the "
        "--fail-on verdict, 3 when a path cannot be read.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="model files or folders (folders are walked, .git skipped)")
    add_format_option(p, choices("scan"))
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="unknown",
        help="exit 1 when a file's verdict is this bad or worse (order: unknown < malformed < dangerous; default: "
        "unknown: anything not proven safe fails)",
    )
    p.add_argument("--all-globals", action="store_true", help="list safe globals too (terminal format)")
    p.set_defaults(func=run)


def exit_code(result: ScanResult, fail_on: str) -> int:
    # A weight file that was not analysed (empty, unrecognised, pointer-only, a link not
    # followed) reaches UNKNOWN, so the default fails on it.
    if result.reaches(Verdict(fail_on)):
        return int(ExitCode.FAILED)
    if result.unreadable:
        return int(ExitCode.INPUT)
    return int(ExitCode.OK)


def run(args: argparse.Namespace) -> int:
    with progress_bar("scanning") as progress:
        result = ScanResult.of(scan_paths(args.paths, progress, keep_skipped=True), all_globals=args.all_globals)
    emit(render(result, args.format), args.output)
    return exit_code(result, args.fail_on)
