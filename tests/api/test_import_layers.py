"""The import graph of ``src/ptmvet``: no cycle anywhere, and every import points down the layers.

The layers read sources -> enrich -> checks -> report -> formats (DESIGN.md):

    0  errors, evidence, card, progress, atomic, ref, names, _version   value types and helpers
    1  sources, scan, licenses, integrity, evaluate, cardinfo, ...      one stage of I/O or analysis each
    2  enrich                                                           enrichers and VetOptions
    3  checks                                                           pure checks
    4  report                                                           findings -> scores, typed results
    5  policy                                                           gate and overall verdict
    6  pipeline, audit, compare, diff, registry, trail                  runs that tie the stages together
    7  formats, bom                                                     renderers of every result type
    8  cli, __main__, the ``ptmvet`` package facade                     the user's entry points

Formats sit above the runs because they draw the runs' results (a comparison,
a study); the BOM writers are output formats of a vetting run.

A module may import from its own layer or any lower one. Every import counts:
module level, inside functions (lazy), and under ``TYPE_CHECKING``. A new
top-level package or module must be given a layer here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "ptmvet"

LAYERS: dict[str, int] = {
    "_version": 0,
    "errors": 0,
    "evidence": 0,
    "card": 0,
    "progress": 0,
    "atomic": 0,
    "ref": 0,
    "names": 0,
    "schemas": 0,
    "data": 0,
    "policies": 0,
    "cardinfo": 1,
    "sources": 1,
    "scan": 1,
    "licenses": 1,
    "integrity": 1,
    "evaluate": 1,
    "enrich": 2,
    "checks": 3,
    "report": 4,
    "policy": 5,
    "attest": 5,
    "pipeline": 6,
    "audit": 6,
    "compare": 6,
    "diff": 6,
    "registry": 6,
    "trail": 6,
    "formats": 7,
    "bom": 7,
    "cli": 8,
    "__main__": 8,
    "": 8,  # the ptmvet package itself: the public facade re-exports every layer
}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for p in SRC.rglob("*.py"):
        parts = list(p.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rsplit(".", 1)[0] if "." in name else ""
    return name or None


def _imports(module: str, path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ptmvet" and (target := _resolve(alias.name)):
                    yield target
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name.split(".")[0] != "ptmvet":
                continue
            for alias in node.names:
                full = f"{name}.{alias.name}"
                target = full if full in MODULES else _resolve(name)
                if target:
                    yield target


GRAPH: dict[str, set[str]] = {m: set(_imports(m, p)) - {m} for m, p in MODULES.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    assert top in LAYERS, f"{module}: give the new top-level module {top!r} a layer in LAYERS"
    return LAYERS[top]


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read() -> None:
    assert len(MODULES) > 50
    assert "ptmvet.evidence" in GRAPH["ptmvet.report"]
    assert "ptmvet.enrich" in GRAPH["ptmvet.pipeline"]


def test_no_import_cycle_anywhere() -> None:
    assert _cycles() == []


def test_a_cycle_would_be_found() -> None:
    GRAPH["ptmvet.evidence"].add("ptmvet.report")
    try:
        assert any({"ptmvet.evidence", "ptmvet.report"} <= set(c) for c in _cycles())
    finally:
        GRAPH["ptmvet.evidence"].discard("ptmvet.report")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module: str) -> None:
    mine = _layer(module)
    upward = sorted(f"{t} (layer {_layer(t)})" for t in GRAPH[module] if _layer(t) > mine)
    assert upward == [], f"{module} (layer {mine}) imports from a higher layer"


def test_evidence_imports_no_stage() -> None:
    """Evidence is the bottom layer: nothing from scan, licenses or evaluate, even for typing."""
    evidence = [m for m in GRAPH if m == "ptmvet.evidence" or m.startswith("ptmvet.evidence.")]
    for m in evidence:
        assert {t for t in GRAPH[m] if t.split(".")[1] in ("scan", "licenses", "evaluate", "integrity", "sources")} == set(), m
