"""The command line stays thin: no rendering library, output only through formats/."""

from __future__ import annotations

import ast
from pathlib import Path

import ptmvet.cli

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
