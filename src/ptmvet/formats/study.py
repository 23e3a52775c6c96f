"""The registry study (:mod:`ptmvet.registry.study`): terminal tables, JSON, one HTML page.

The page is built on :func:`ptmvet.formats.page.page` (with its CSP), like every
other page. Every chart is ordered by share and draws *not measured* as a hatched
track (never a zero-width bar); where the ICSE'23 paper published the same figure,
the paper's bar is drawn beside ours and the reference is under the page. With a
trend (``study --db OLD --db NEW``) the trend tables follow the study's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ptmvet.formats.console import capture, simple_table
from ptmvet.formats.json_format import dumps
from ptmvet.formats.page import esc, page, table
from ptmvet.registry import icse23
from ptmvet.registry.study import Study, StudyTable

#: Version of the study JSON (schemas/study.schema.json).
SCHEMA_VERSION = 1

NOT_MEASURED = "not measured"
OURS_COLOUR, PAPER_COLOUR = "#0969da", "#bf8700"


def cell(v: Any, column: str = "") -> str:
    """A cell as text: shares as percentages, counts with separators, None as 'not measured'."""
    if v is None:
        return NOT_MEASURED if not column.startswith("paper") else "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "-"
        if "share" in column or (column in {"old", "new", "change"} and -1 <= v <= 1):
            return f"{v:.2%}"
        return f"{v:,.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def paired_bars_svg(items: Sequence[tuple[str, float | None, float | None]], *, title: str, paper: bool) -> str:
    """Horizontal bars of shares (0..1): ours, and the paper's beneath it when ``paper``."""
    label_w, track_w, value_w = 230, 520, 130
    bar_h = 12
    row_h = bar_h * (2 if paper else 1) + 12
    top = 8
    height = top + row_h * len(items) + (24 if paper else 6)
    peak = max([v for _, a, b in items for v in (a, b) if v is not None] + [1e-9])
    scale = track_w / peak
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + track_w + value_w} {height}" '
        f'width="100%" role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>',
        '<defs><pattern id="nm" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f6f8fa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d0d7de" stroke-width="3"/>'
        "</pattern></defs>",
    ]
    for i, (label, ours, theirs) in enumerate(items):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + bar_h}" text-anchor="end" font-size="12">{esc(label[:40])}</text>')
        bars = [(ours, OURS_COLOUR, "ptmvet")] + ([(theirs, PAPER_COLOUR, "paper")] if paper else [])
        for j, (v, colour, who) in enumerate(bars):
            by = y + j * bar_h
            if v is None:
                what = NOT_MEASURED if who == "ptmvet" else "not in the paper"
                out.append(f'<rect x="{label_w}" y="{by + 1}" width="{track_w}" height="{bar_h - 2}" fill="url(#nm)">'
                           f"<title>{esc(label)} ({who}): {what}</title></rect>")
                out.append(f'<text x="{label_w + track_w + 6}" y="{by + bar_h - 2}" font-size="11" fill="#57606a">{what}</text>')
                continue
            w = max(v * scale, 1.5)
            out.append(f'<rect x="{label_w}" y="{by + 1}" width="{_num(w)}" height="{bar_h - 2}" fill="{colour}">'
                       f"<title>{esc(label)} ({who}): {v:.2%}</title></rect>")
            out.append(f'<text x="{_num(label_w + w + 6)}" y="{by + bar_h - 2}" font-size="11">{v:.2%}</text>')
    if paper:
        ly = height - 10
        out.append(f'<rect x="{label_w}" y="{ly - 9}" width="10" height="10" fill="{OURS_COLOUR}"/>'
                   f'<text x="{label_w + 14}" y="{ly}" font-size="11">ptmvet</text>'
                   f'<rect x="{label_w + 80}" y="{ly - 9}" width="10" height="10" fill="{PAPER_COLOUR}"/>'
                   f'<text x="{label_w + 94}" y="{ly}" font-size="11">ICSE\'23 (published)</text>')
    out.append("</svg>")
    return "".join(out)


def _chart(t: StudyTable) -> str:
    if t.chart is None or not t.rows:
        return ""
    li, vi = t.chart
    items = [(str(r[li]), r[vi], r[t.paper] if t.paper is not None else None) for r in t.rows]
    if not all(v is None or isinstance(v, (int, float)) for _, v, _ in items):
        return ""
    shares = all(v is None or 0 <= v <= 1 for _, v, _ in items)
    if not shares:
        return ""
    # Ordered by share (not measured last), as the paper ordered its figures.
    items.sort(key=lambda x: (x[1] is None, -(x[1] or 0.0), x[0]))
    return paired_bars_svg(items[:25], title=t.title, paper=t.paper is not None)


def _section(t: StudyTable) -> str:
    parts = [f'<section class="card" id="{esc(t.name)}"><h2>{esc(t.title)}</h2>']
    if t.rule:
        parts.append(f'<p class="muted"><b>Rule:</b> {esc(t.rule)}.</p>')
    if t.loose:
        parts.append(f'<p class="muted"><b>Beside it:</b> {esc(t.loose)}.</p>')
    if t.note:
        parts.append(f'<p class="muted">{esc(t.note)}</p>')
    parts.append(_chart(t))
    numeric = [i for i, col in enumerate(t.columns) if i > 0]
    rows = [[esc(x) for x in r] for r in _text_rows(t)]
    parts.append(table([esc(c) for c in t.columns], rows, numeric=numeric))
    parts.append("</section>")
    return "".join(parts)


def _caption(t: StudyTable) -> str:
    parts = (f"Rule: {t.rule}." if t.rule else "", f"Beside it: {t.loose}." if t.loose else "", t.note)
    return " ".join(x for x in parts if x)


def _text_rows(t: StudyTable) -> list[list[str]]:
    rows = [[cell(v, col) for v, col in zip(r, t.columns, strict=True)] for r in t.rows]
    return rows or [[NOT_MEASURED] + [""] * (len(t.columns) - 1)]


def render_terminal(study: Study, *, width: int | None = None, color: bool = False, **_: Any) -> str:
    tables = [
        simple_table(t.columns, _text_rows(t), title=t.title, caption=_caption(t))
        for t in (*study.tables, *study.trend)
    ]
    head = f"Registry study of {study.db}: {study.models:,} models\n"
    return head + capture(*tables, width=width or 120, color=color)


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def _table_dict(t: StudyTable) -> dict[str, Any]:
    return {
        "name": t.name,
        "title": t.title,
        "rule": t.rule,
        "loose": t.loose,
        "note": t.note,
        "measured": t.measured,
        "columns": list(t.columns),
        "rows": [[_jsonable(v) for v in r] for r in t.rows],
        "chart": list(t.chart) if t.chart else None,
        "paper_column": t.paper,
        "common_column": t.common,
    }


def to_dict(study: Study) -> dict[str, Any]:
    pub = icse23.published()
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "study",
        "db": study.db,
        "models": study.models,
        "runs": [dict(r) for r in study.runs],
        "paper": {"reference": pub["reference"], "artifact": pub["artifact"], "snapshot": pub["snapshot"]},
        "tables": [_table_dict(t) for t in study.tables],
    }
    if study.trend:
        doc["trend"] = [_table_dict(t) for t in study.trend]
    return doc


def render_json(study: Study, **_: Any) -> str:
    return dumps(to_dict(study))


def render_html(study: Study, **_: Any) -> str:
    """One self-contained page: tables and inline SVG charts, no script or external resource; all text escaped."""
    pub = icse23.published()
    body = [
        '<div class="card"><div class="eyebrow">ptmvet study</div><h1>Registry study</h1>'
        f'<p class="sub">Database <code>{esc(study.db)}</code>: {study.models:,} models. Each table states its rule; '
        "a value this database cannot measure reads <i>not measured</i>, never 0.</p></div>"
    ]
    body += [_section(t) for t in (*study.tables, *study.trend)]
    footer = (
        f"Published figures: {esc(pub['reference'])}. Artifact: {esc(pub['artifact'])}. "
        f"Snapshot: {esc(pub['snapshot'])}. Generated by ptmvet study."
    )
    return page("ptmvet registry study", "".join(body), footer_html=footer)


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json, "html": render_html}

__all__ = ["NOT_MEASURED", "RENDERERS", "SCHEMA_VERSION", "cell", "paired_bars_svg", "render_html", "render_json",
           "render_terminal", "to_dict"]
