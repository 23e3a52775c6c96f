"""The audit trail: ``log show`` (table or JSON records) and ``log verify`` (intact, or where it breaks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.json_format import dumps
from ptmvet.trail import TrailListing, TrailVerdict

#: Version of the log show / log verify JSON (schemas/trail.schema.json, schemas/trail-verify.schema.json).
SCHEMA_VERSION = 1


def to_dict(result: TrailListing | TrailVerdict) -> dict[str, Any]:
    if isinstance(result, TrailListing):
        return {
            "schema_version": SCHEMA_VERSION,
            "where": result.where,
            "filters": {"model": result.model, "since": result.since.isoformat() if result.since else None},
            "records": [r.to_dict() for r in result.records],
        }
    if result.ok:
        return {"schema_version": SCHEMA_VERSION, "ok": True, "where": result.where, "records": result.count, "head": result.head}
    return {"schema_version": SCHEMA_VERSION, "ok": False, "where": result.where, "record": result.index, "message": result.message}


def render_json(result: TrailListing | TrailVerdict, **_: Any) -> str:
    return dumps(to_dict(result))


def render_terminal(result: TrailListing | TrailVerdict, **_: Any) -> str:
    if isinstance(result, TrailVerdict):
        if result.ok:
            return f"OK: {result.count} record(s) in {result.where}, chain intact; head {result.head}\n"
        where = f"record {result.index}" if result.index else "the head"
        return f"BROKEN at {where}: {result.message}\n"
    if not result.records:
        return f"no record in {result.where}\n"
    lines = [f"{'#':>4}  {'time':<20}  {'command':<7}  {'verdict':<7}  {'stage':<10}  {'model':<40}  {'revision':<12}  {'user@host':<24}  policy"]
    for r in result.records:
        waived = f" waived:{','.join(str(w.get('check')) for w in r.waivers)}" if r.waivers else ""
        lines.append(
            f"{r.seq:>4}  {r.time:<20}  {r.command:<7}  {r.verdict:<7}  {r.stage or '-':<10}  {_fit(r.repo_id or r.model, 40):<40}  "
            f"{(r.revision or '-')[:12]:<12}  {(r.user + '@' + r.host)[:24]:<24}  {r.policy} {r.policy_digest[:12]}{waived}"
        )
    return "\n".join(lines) + "\n"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else "..." + text[-(width - 3):]


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal", "to_dict"]
