"""Does this data fit this model (``ptmvet schema``): terminal summary and JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.evaluate.schema import SchemaReport
from ptmvet.formats.json_format import dumps

#: Version of the schema-fit JSON (schemas/schema.schema.json).
SCHEMA_VERSION = 1


def render_terminal(report: SchemaReport, **_: Any) -> str:
    """Whether the data fits, column by column, then problems and warnings."""
    lines = [f"{'fits' if report.fits else 'does NOT fit'}: {report.data} ({report.rows} rows) for {report.model} [{report.task or 'unknown task'}]"]
    lines.append("columns:")
    for c in report.columns:
        role = f"  -> {c.role}" if c.role else ""
        lines.append(f"  {c.name:<24} {c.type:<16} {c.non_empty:>8} non-empty{role}")
    if report.labels:
        lab = report.labels
        if lab.get("kind") == "score":
            lines.append(f"score {lab['column']!r}: {lab['min']} .. {lab['max']}")
        else:
            lines.append(f"labels {lab['column']!r}: {lab['distinct']} distinct in the data; model labels {lab['model_labels']}")
            if lab.get("mapping"):
                lines.append(f"  mapping by {lab['mapping']['method']}: {lab['mapping']['mapping']}")
    if report.text:
        t = report.text
        lines.append(f"text: {t['rows']} rows, longest {t['longest']} tokens, mean {t['mean']}, maximum {t['max_tokens']} "
                     f"({t['max_tokens_source']}); {t['truncated']} would be truncated [{t['tokenizer']}]")
    if report.images:
        im = report.images
        lines.append(f"images: {im['images']} ({im['unreadable']} unreadable), sizes {im['min_size']}..{im['max_size']}, "
                     f"modes {im['modes']}; model takes {im['model_size']} x {im['model_channels']} channels")
    if report.features:
        f = report.features
        lines.append(f"features: model {f['model_n_features']} {f['model_features'] or ''}; data {len(f['data_features'])}")
    lines.extend(f"problem: {p}" for p in report.problems)
    lines.extend(f"warning: {w}" for w in report.warnings)
    return "\n".join(lines) + "\n"


def render_json(report: SchemaReport, **_: Any) -> str:
    return dumps({"schema_version": SCHEMA_VERSION, **report.to_dict()})


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal"]
