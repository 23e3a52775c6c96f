"""A lineage (base-model chain with licences): terminal tree and JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.evidence.lineage import Lineage
from ptmvet.formats.json_format import dumps
from ptmvet.licenses.classify import describe

#: Version of the lineage JSON (schemas/lineage.schema.json); 2: an integer, was the string "1.0".
SCHEMA_VERSION = 2


def render_terminal(lin: Lineage, **_: Any) -> str:
    """A plain-text tree of the lineage, then conflicts, cycles and missing ancestors."""
    by_id = {n.id.lower(): n for n in lin.nodes}
    parents: dict[str, list[tuple[str, str]]] = {}
    for e in lin.edges:
        parents.setdefault(e.child.lower(), []).append((e.parent, e.relation.value + ("?" if e.inferred else "")))

    def label(model_id: str) -> str:
        n = by_id.get(model_id.lower())
        if n is None:
            return model_id
        if not n.found:
            return f"{n.id}  [not found]"
        return f"{n.id}  [{n.license or 'no licence'} -> {n.spdx}; {describe(n.klass)}]"

    lines = [f"lineage of {lin.root} (source: {lin.source})", label(lin.root)]
    seen: set[str] = {lin.root.lower()}

    def walk(model_id: str, prefix: str) -> None:
        kids = parents.get(model_id.lower(), [])
        for i, (parent, rel) in enumerate(kids):
            last = i == len(kids) - 1
            repeat = parent.lower() in seen
            lines.append(f"{prefix}{'└─' if last else '├─'} {rel}: {label(parent)}" + ("  (seen above)" if repeat else ""))
            if not repeat:
                seen.add(parent.lower())
                walk(parent, prefix + ("   " if last else "│  "))

    walk(lin.root, "")
    if lin.skipped:
        lines.append(f"skipped: {lin.skipped}")
    if lin.conflicts:
        lines.append("")
        lines.append(f"licence conflicts ({len(lin.conflicts)}):")
        for c in lin.conflicts:
            mark = "!" if c.serious else "~"
            lines.append(f"  {mark} {c.child} ({c.child_license}) drops {', '.join(c.dropped)} of {c.ancestor} ({c.ancestor_license})")
    for cyc in lin.cycles:
        lines.append(f"cycle: {' -> '.join((*cyc, cyc[0]))}")
    if lin.missing:
        lines.append(f"missing ancestors: {', '.join(lin.missing)}")
    for named, found in lin.renamed:
        lines.append(f"renamed on the Hub: {named} -> {found} (looked up under the new id)")
    if lin.review:
        lines.append("needs review:")
        lines.extend(f"  ? {r}" for r in lin.review)
    if lin.datasets:
        lines.append("training datasets:")
        for d in lin.datasets:
            what = d.spdx if d.spdx else ("not found" if not d.found else "no licence")
            lines.append(f"  {d.id}: {what}" + (f" ({d.klass.family.value}, commercial use: {d.klass.commercial.value})" if d.klass else ""))
    if lin.truncated:
        lines.append("(truncated: the chain is longer than --max-depth)")
    if lin.unresolved:
        lines.append("look-ups failed: " + "; ".join(lin.unresolved[-2:]))
    return "\n".join(lines) + "\n"


def render_json(lin: Lineage, **_: Any) -> str:
    return dumps({"schema_version": SCHEMA_VERSION, "lineage": lin.to_section()})


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal"]
