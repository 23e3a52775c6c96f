"""The command line: thin commands over the library.

``main(argv) -> int`` so tests call it in-process. Every command lives in its
own module with ``register(subparsers)`` and ``run(args) -> int``; errors are
mapped to one-line messages and documented exit codes (docs/exit-codes.md) here
and nowhere else.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from ptmvet._version import __version__
from ptmvet.errors import Error, ExitCode

#: Command modules, in the order ``ptmvet --help`` lists them.
COMMANDS: tuple[str, ...] = (
    # one model
    "check",
    "checks_cmd",
    "demo",
    "gate",
    "compare",
    "diff",
    "bom",
    # claims and data
    "reproduce",
    "schema",
    # integrity and safety
    "scan",
    "manifest",
    "sign",
    "verify",
    # assurance you can hand on
    "attest",
    "verify_attestation",
    "log_cmd",
    # licences
    "lineage",
    # registries
    "mine",
    "study",
    "audit_cmd",
)


def command_name(module: str) -> str:
    """The command a module of :data:`COMMANDS` registers (``log_cmd`` -> ``log``, ``verify_attestation`` -> ``verify-attestation``)."""
    return module.removesuffix("_cmd").replace("_", "-")


def _named_command(argv: Sequence[str]) -> str | None:
    """The module of the command ``argv`` names, when its first word is one (not an option, not --help)."""
    if not argv or argv[0].startswith("-"):
        return None
    return next((m for m in COMMANDS if command_name(m) == argv[0]), None)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with only the command module ``only``.

    Each command module imports what it needs, some of it heavy (the checks, the report,
    DuckDB); importing one instead of all keeps a command's start-up, and its failure
    without a network, fast.
    """
    parser = argparse.ArgumentParser(
        prog="ptmvet",
        description="Vet a pre-trained model package before you reuse it.",
        epilog="Exit codes: 0 ok, 1 verdict failed, 2 usage, 3 input, 4 integrity, 5 missing dependency (docs/exit-codes.md).",
    )
    parser.add_argument("--version", action="version", version=f"ptmvet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        module = import_module(f"ptmvet.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    try:
        words = list(sys.argv[1:] if argv is None else argv)
        parser = build_parser(_named_command(words))  # imports the command(s): Ctrl-C often lands here
        args = parser.parse_args(words)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    except KeyboardInterrupt:
        _print_error("interrupted", "")
        return 130
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return int(ExitCode.USAGE)
    try:
        _check_outputs(args)
        return int(args.func(args))
    except Error as exc:
        _print_error(exc.message, exc.diagnostics())
        return int(exc.exit_code)
    except KeyboardInterrupt:
        _print_error("interrupted", "")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception as exc:
        if _is_interrupt(exc):
            _print_error("interrupted", "")
            return int(ExitCode.INTERRUPTED)
        # Anything else is a bug in ptmvet. Without this, Python prints a traceback and
        # exits 1, which a CI gate would read as "the policy failed" (docs/exit-codes.md).
        if os.environ.get("PTMVET_TRACEBACK"):
            raise
        _print_error(
            f"internal error: {type(exc).__name__}: {exc}",
            "a bug in ptmvet; please report it (set PTMVET_TRACEBACK=1 for the traceback)",
        )
        return int(ExitCode.INTERNAL)


def _is_interrupt(exc: Exception) -> bool:
    """Whether ``exc`` is a Ctrl-C that DuckDB caught during a query and raised as its own error.

    DuckDB handles SIGINT while a query runs: it cancels the query (its transaction is
    then rolled back, the database stays as it was) and raises ``InterruptException``,
    or a ``RuntimeError('Query interrupted')`` when the signal lands during COMMIT.
    """
    duckdb = sys.modules.get("duckdb")
    interrupt = getattr(duckdb, "InterruptException", None) if duckdb is not None else None
    if isinstance(interrupt, type) and isinstance(exc, interrupt):
        return True
    return isinstance(exc, RuntimeError) and str(exc).strip() == "Query interrupted"


#: Options naming a file or folder a command writes; their folder must exist before any work starts.
#: ``trail_log``/``trail_db``: an audit trail named with --log/--db (only the default one's folder is created).
_OUTPUT_OPTIONS = ("output", "html", "json", "csv", "parquet", "trail_log", "trail_db")


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output in a missing folder up front, the same way for every command (exit 3)."""
    from pathlib import Path

    from ptmvet.atomic import require_parent

    for name in _OUTPUT_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, Path):
            require_parent(value)
    if getattr(args, "command", None) == "mine" and isinstance(getattr(args, "db", None), Path):
        require_parent(args.db)


#: Whether "interrupted" was printed already (entry() must not print it twice).
_interrupt_reported = False


def _print_error(message: str, hint: str) -> None:
    global _interrupt_reported
    _interrupt_reported = _interrupt_reported or message == "interrupted"
    line = f"ptmvet: error: {message}"
    if hint:
        line += f" ({hint})"
    print(line, file=sys.stderr)


def entry() -> None:  # pragma: no cover - console script shim
    try:
        code = main()
    except KeyboardInterrupt:
        # A Ctrl-C that DuckDB took during a query is raised again by Python once the query
        # has returned, possibly while main() was already reporting it: one line, exit 130.
        if not _interrupt_reported:
            _print_error("interrupted", "")
        code = int(ExitCode.INTERRUPTED)
    # The command is over: a Ctrl-C still pending must not turn the exit code into a signal death.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
