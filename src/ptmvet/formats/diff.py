"""A diff of two revisions (``ptmvet diff``): terminal text or JSON (schemas/diff.schema.json)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.diff import SCHEMA_VERSION, Diff, Side
from ptmvet.formats.json_format import dumps

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal", "to_dict"]


def _side(s: Side) -> dict[str, Any]:
    return {"ref": s.label, "kind": s.kind, "revision": s.revision, "files": None if s.files is None else len(s.files),
            "licence": s.licence, "base_models": None if s.base_models is None else list(s.base_models)}


def to_dict(d: Diff) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "diff",
        "old": _side(d.old),
        "new": _side(d.new),
        "changed": d.changed,
        "weights_changed": d.weights_changed,
        "licence_changed": d.licence_changed,
        "files_compared": d.files_compared,
        "unchanged_files": d.unchanged_files,
        "files": [f.to_dict() for f in d.files],
        "changes": [c.to_dict() for c in d.changes],
        "not_compared": list(d.not_compared),
    }


def render_json(d: Diff, **_: Any) -> str:
    return dumps(to_dict(d))


def _short(digest: str | None) -> str:
    return (digest or "?")[:12]


def _size(n: int | None) -> str:
    return "?" if n is None else f"{n:,} B"


def _weights(w: Mapping[str, Any]) -> str:
    params = w.get("parameters")
    return f"{', '.join(w.get('formats') or []) or 'none'}, {_size(w.get('bytes'))}, " + (f"{params:,} parameters" if isinstance(params, int) else "parameters unknown")


def render_terminal(d: Diff, **_: Any) -> str:
    lines = [f"old: {d.old.label} ({d.old.kind}{', ' + d.old.revision[:12] if d.old.revision else ''})",
             f"new: {d.new.label} ({d.new.kind}{', ' + d.new.revision[:12] if d.new.revision else ''})"]
    if d.files_compared:
        lines.append(f"files: {len(d.files)} differ, {d.unchanged_files} unchanged")
        for f in d.files:
            tag = " [weights]" if f.weights else ""
            if f.change == "added":
                lines.append(f"  + {f.path}{tag}  sha256 {_short(f.new_sha256)}  {_size(f.new_size)}")
            elif f.change == "removed":
                lines.append(f"  - {f.path}{tag}  sha256 {_short(f.old_sha256)}  {_size(f.old_size)}")
            else:
                lines.append(f"  ~ {f.path}{tag}  sha256 {_short(f.old_sha256)} -> {_short(f.new_sha256)}  "
                             f"{_size(f.old_size)} -> {_size(f.new_size)}")
    for c in d.changes:
        if isinstance(c.old, list) and isinstance(c.new, list) and c.what == "claims":
            lines.append("claims:")
            lines += [f"  - {x}" for x in c.old] + [f"  + {x}" for x in c.new]
        elif isinstance(c.old, list) and isinstance(c.new, list):
            lines.append(f"{c.what}:")
            lines += [f"  - {x}" for x in c.old if x not in c.new] + [f"  + {x}" for x in c.new if x not in c.old]
        elif c.what == "weights" and isinstance(c.old, Mapping) and isinstance(c.new, Mapping):
            lines.append(f"weights (from the reports' summaries): {_weights(c.old)} -> {_weights(c.new)}")
        else:
            lines.append(f"{c.what}: {c.old} -> {c.new}")
    if d.not_compared:
        lines.append("not compared: " + "; ".join(d.not_compared))
    verdict = []
    if d.weights_changed:
        verdict.append("weights changed")
    if d.licence_changed:
        verdict.append("licence changed")
    lines.append(("CHANGED: " + ", ".join(verdict)) if verdict else ("changed (no weights or licence)" if d.changed else "no change"))
    return "\n".join(lines) + "\n"


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}
