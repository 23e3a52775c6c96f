"""JSON: exactly :meth:`Report.to_dict`, validated by ``schemas/report.schema.json``."""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

from ptmvet.report import Report

SCHEMA_RESOURCE = "report.schema.json"


def dumps(data: Any) -> str:
    """Deterministic JSON: key order as built (stable), two-space indent, UTF-8 kept, newline at end."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=str) + "\n"


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the report, shipped as package data."""
    text = resources.files("ptmvet").joinpath("schemas", SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


class JsonFormat:
    """The versioned JSON contract (``schema_version`` inside)."""

    name = "json"
    suffix = ".json"
    media_type = "application/json"

    def render(self, report: Report) -> str:
        return dumps(_finite(report.to_dict()))


def _finite(value: Any) -> Any:
    """NaN and infinities are not JSON; they become null (the schema says number or null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
