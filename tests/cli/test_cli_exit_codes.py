"""docs/exit-codes.md matches the code exactly: every exit code and every error class with its code."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import ptmvet
from ptmvet.cli import main
from ptmvet.errors import Error, ExitCode

DOC = Path(__file__).resolve().parents[2] / "docs" / "exit-codes.md"


def _section(title: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def _error_classes() -> dict[str, int]:
    for info in pkgutil.walk_packages(ptmvet.__path__, "ptmvet."):
        importlib.import_module(info.name)
    found: dict[str, int] = {}
    todo = list(Error.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("ptmvet."):
            found[cls.__name__] = int(cls.exit_code)
    return found


def test_codes_table_is_the_exit_code_enum() -> None:
    rows = _section("Codes")
    assert [(int(r[0]), r[1]) for r in rows] == [(int(c), c.name) for c in ExitCode]


def test_errors_table_is_every_error_class_with_its_code() -> None:
    rows = _section("Errors")
    documented = {r[0].strip("`"): int(r[1]) for r in rows}
    assert documented == _error_classes()


def test_per_command_table_names_every_command_and_only_those() -> None:
    from ptmvet.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    commands = set(sub.choices)  # type: ignore[arg-type]
    documented = {name for row in _section("Per command") for name in re.findall(r"`([a-z-]+)`", row[0])}
    assert documented == commands, f"undocumented: {sorted(commands - documented)}; not commands: {sorted(documented - commands)}"


def test_interrupt_and_bug_codes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from ptmvet.cli import checks_cmd

    class Interrupted:
        @staticmethod
        def registered() -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(checks_cmd, "Catalogue", Interrupted)
    assert main(["checks", "list"]) == ExitCode.INTERRUPTED == 130
    assert capsys.readouterr().err == "ptmvet: error: interrupted\n"
