"""A mining run (``ptmvet mine``): counters and a sample of malformed records, or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.json_format import dumps
from ptmvet.registry.ingest import MineStats

#: Version of the mining JSON (schemas/mining.schema.json).
SCHEMA_VERSION = 1

#: Malformed records shown in the terminal summary (all of them are in table ingest_errors).
SHOWN_ERRORS = 10


def render_terminal(stats: MineStats, **_: Any) -> str:
    d = stats.to_dict()
    lines = [
        f"run {d['run_id']}{' (resumed)' if d['resumed'] else ''}: {d['records']:,} models seen, "
        f"{d['models_new']:,} new, {d['models_changed']:,} changed, {d['models_unchanged']:,} unchanged; "
        f"{d['cards']:,} cards ({d['cards_changed']:,} written); {d['errors']:,} malformed records"
    ]
    if d.get("cards_unjoined"):
        lines.append(
            f"  {d['cards_unjoined']:,} cards name no model in the database (table cards; check the card file names "
            "against the dump's ids)"
        )
    lines += [f"  malformed: {position}: {message}" for position, message in stats.error_samples[:SHOWN_ERRORS]]
    if stats.errors > SHOWN_ERRORS:
        lines.append(f"  ... {stats.errors - SHOWN_ERRORS} more in table ingest_errors")
    return "\n".join(lines) + "\n"


def render_json(stats: MineStats, **_: Any) -> str:
    samples = [{"position": p, "message": m} for p, m in stats.error_samples[:SHOWN_ERRORS]]
    return dumps({"schema_version": SCHEMA_VERSION, **stats.to_dict(), "error_samples": samples})


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal"]
