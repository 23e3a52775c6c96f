"""A registry-wide audit run (``ptmvet audit``): one summary line, or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.json_format import dumps
from ptmvet.registry.engines import AuditStats

#: Version of the audit JSON (schemas/audit.schema.json).
SCHEMA_VERSION = 1


def render_terminal(stats: AuditStats, **_: Any) -> str:
    d = stats.to_dict()
    line = (
        f"audit run {d['run_id']} on {d['engine']} ({d['workers']} workers): {d['models']:,} models, "
        f"{d['findings']:,} findings in {d['seconds']:.1f} s ({d['models_per_second']:,} models/s)\n"
    )
    return line + "".join(f"partial run, not fully vetted: {what}\n" for what in stats.not_vetted)


def render_json(stats: AuditStats, **_: Any) -> str:
    return dumps({"schema_version": SCHEMA_VERSION, **stats.to_dict()})


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal"]
