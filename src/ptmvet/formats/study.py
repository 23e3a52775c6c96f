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
from ptmvet.formats.svg import paired_share_bars_svg
from ptmvet.registry import icse23
from ptmvet.registry.study import ABSENT, Study, StudyTable
from ptmvet.registry.study import NOT_MEASURED as TREND_NOT_MEASURED

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


def paired_bars_svg(items: Sequence[tuple[str, float | None, float | None]], *, title: str, paper: bool) -> str:
    """Shares (0..1): ptmvet's bar, and the paper's beneath it when ``paper`` (drawn by :mod:`ptmvet.formats.svg`)."""
    return paired_share_bars_svg(
        items,
        title=title,
        second=paper,
        names=("ptmvet", "paper"),
        colours=(OURS_COLOUR, PAPER_COLOUR),
        missing=(NOT_MEASURED, "not in the paper"),
        legend=("ptmvet", "ICSE'23 (published)"),
    )


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


def _trend_cell(v: Any, column: str, state: str) -> str:
    """A trend value: 'absent' (no such row on that side) stays apart from 'not measured'."""
    if state == ABSENT:
        return "absent (0)" if v == 0 else "absent"
    if state == TREND_NOT_MEASURED:
        return NOT_MEASURED
    return cell(v, column)


def _text_rows(t: StudyTable) -> list[list[str]]:
    if "old_state" in t.columns:  # a trend: each side's state decides how a missing value reads
        i_old, i_new = t.columns.index("old"), t.columns.index("new")
        s_old, s_new = t.columns.index("old_state"), t.columns.index("new_state")
        rows = []
        for r in t.rows:
            row = [cell(v, col) if v is not None else "-" for v, col in zip(r, t.columns, strict=True)]
            row[i_old] = _trend_cell(r[i_old], "old", r[s_old])
            row[i_new] = _trend_cell(r[i_new], "new", r[s_new])
            row[s_old], row[s_new] = str(r[s_old]), str(r[s_new])
            rows.append(row)
        return rows or [["(no rows)"] + [""] * (len(t.columns) - 1)]
    rows = [[cell(v, col) for v, col in zip(r, t.columns, strict=True)] for r in t.rows]
    return rows or [[NOT_MEASURED] + [""] * (len(t.columns) - 1)]


def render_terminal(study: Study, *, width: int | None = None, color: bool = False, **_: Any) -> str:
    tables = [
        simple_table(t.columns, _text_rows(t), title=t.title, caption=_caption(t))
        for t in (*study.tables, *study.trend)
    ]
    head = f"Registry study of {study.label}: {study.models:,} models\n"
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
        "complete": t.complete,
    }


def to_dict(study: Study) -> dict[str, Any]:
    pub = icse23.published()
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "study",
        "db": study.db,
        "snapshot": None if study.snapshot is None else {"run_id": study.snapshot, "label": study.snapshot_label},
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
        f'<p class="sub">Database <code>{esc(study.label)}</code>: {study.models:,} models. Each table states its rule; '
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
