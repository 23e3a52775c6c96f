"""Re-measured claims (``ptmvet reproduce``): terminal lines and JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.evaluate.measurement import Measurement
from ptmvet.evaluate.remeasurement import Remeasurement
from ptmvet.formats.json_format import dumps

#: Version of the reproduce JSON (schemas/reproduce.schema.json).
SCHEMA_VERSION = 1


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


def _verdict(m: Measurement) -> str:
    return str(getattr(m.verdict, "value", m.verdict))


#: Claim sources read from a card's prose rather than its metadata: a verdict on them says so.
WEAK_SOURCES: Mapping[str, str] = {"card-text": "the card's prose", "card-table": "a results table in the card"}


def measurement_lines(m: Measurement) -> list[str]:
    """The terminal lines of one measurement."""
    where = f"{m.dataset}{'/' + m.split if m.split else ''}"
    verdict = _verdict(m)
    weak = WEAK_SOURCES.get(m.claim.source)
    if weak:
        where += f" [claim read from {weak} ({m.claim.source}), weaker than model-index]"
    if verdict == "not-verifiable" and m.measured is None:
        return [f"not-verifiable  {where} {m.metric or '?'}  claimed {_fmt(m.claimed)}: {m.reason}"]
    lines = [
        f"{verdict:<15} {where} {m.metric}  claimed {_fmt(m.claimed)}  measured {_fmt(m.measured)} "
        f"(95% CI {_fmt(m.ci_low)}-{_fmt(m.ci_high)}, n={m.n}, tolerance {_fmt(m.tolerance)})"
    ]
    if verdict == "not-verifiable" and m.reason:
        lines.append(f"    not verifiable: {m.reason}")
    if verdict == "label-map-suspect" and m.reason:
        lines.append(f"    label map suspect: {m.reason}")
    if m.permutation and m.permutation.get("suspect"):
        lines.append(
            f"    label map looks wrong: {m.permutation.get('suggested')} fits better ({m.metric} would be {_fmt(m.alternative)})"
        )
    lines.extend(f"    note: {n}" for n in m.notes)
    prov = m.provenance
    if prov:
        lines.append(
            f"    data {prov.get('data_file')} sha256 {str(prov.get('data_sha256'))[:12]}, {prov.get('rows')} rows, "
            f"{prov.get('rows_per_second')} rows/s, seed {prov.get('seed')}"
        )
    return lines


def render_terminal(result: Remeasurement, **_: Any) -> str:
    lines: list[str] = []
    for m in result.measurements:
        lines.extend(measurement_lines(m))
    return "\n".join(lines) + "\n"


def to_dict(result: Remeasurement) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "model": result.model, "measurements": [m.to_dict() for m in result.measurements]}


def render_json(result: Remeasurement, **_: Any) -> str:
    return dumps(to_dict(result))


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "measurement_lines", "render_json", "render_terminal", "to_dict"]
