"""The command line stays thin: no rendering library, output only through formats/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ptmvet.cli
from ptmvet.cli import main

CLI = Path(ptmvet.cli.__file__).parent

#: Modules that draw output; cli/ hands its results to ptmvet.formats instead.
RENDERING = ("rich", "html")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_cli_imports_no_rendering_library() -> None:
    modules = sorted(CLI.glob("*.py"))
    assert len(modules) > 10
    offenders = {
        p.name: sorted(n for n in _imports(p) if n.split(".")[0] in RENDERING)
        for p in modules
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_cli_writes_only_through_common() -> None:
    # print()/sys.stdout.write in a command would bypass emit() and --output.
    offenders = []
    for path in sorted(CLI.glob("*.py")):
        if path.name in ("_common.py", "__init__.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("print(", "sys.stdout.write", "sys.stderr.write"):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


def test_a_named_command_builds_only_its_own_parser() -> None:
    """main() imports only the command it runs; the name table must match what each module registers."""
    from ptmvet.cli import COMMANDS, _named_command, build_parser, command_name

    for module in COMMANDS:
        sub = next(a for a in build_parser(module)._actions if a.dest == "command")
        assert list(sub.choices) == [command_name(module)], module  # type: ignore[arg-type]
        assert _named_command([command_name(module), "x"]) == module
    for argv in ([], ["--help"], ["--version"], ["no-such-command"], ["-x", "check"]):
        assert _named_command(argv) is None, argv
    everything = next(a for a in build_parser()._actions if a.dest == "command")
    assert list(everything.choices) == [command_name(m) for m in COMMANDS]  # type: ignore[arg-type]


def test_unknown_command_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'no-such-command'" in err and "verify-attestation" in err and "lineage" in err
