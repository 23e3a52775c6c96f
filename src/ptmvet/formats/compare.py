"""A comparison of candidate models: terminal table, JSON, HTML page with a grouped bar chart."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rich.table import Table
from rich.text import Text

from ptmvet.compare import _SHORT, ATTRIBUTES, WEIGHTS, Candidate, Comparison
from ptmvet.evidence.measurement import Measurement
from ptmvet.formats.common import human_bytes, human_count
from ptmvet.formats.console import console
from ptmvet.formats.json_format import dumps
from ptmvet.formats.page import badge, esc, page, table
from ptmvet.formats.svg import grouped_bars_svg, series_colour
from ptmvet.licenses.compat import Status
from ptmvet.policy import GateStatus

#: Version of the compare JSON (schemas/compare.schema.json); 2: an integer, was the string "1.0".
SCHEMA_VERSION = 2


def _fmt_score(s: float | None) -> str:
    return "—" if s is None else f"{s:.1f}"


def _claims_text(c: Candidate, limit: int = 3) -> str:
    items = [f"{x.metric} {x.value:g}" + (f" ({x.dataset})" if x.dataset else "") for x in c.claims()]
    more = f" +{len(items) - limit}" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more if items else "—"


def _ci(m: Measurement, digits: int = 3) -> str:
    return f"[{m.ci_low:.{digits}g}, {m.ci_high:.{digits}g}]" if m.ci_low is not None and m.ci_high is not None else ""


def _measured_text(c: Candidate) -> str:
    rows = c.measurements()
    if not rows:
        return "—"
    out = []
    for m in rows[:3]:
        ci = f" {_ci(m)}" if _ci(m) else ""
        out.append(f"{m.metric} {m.measured:.3g}{ci} {m.verdict.value}".strip() if m.measured is not None else f"{m.metric}: {m.verdict.value}")
    return "; ".join(out)


def _gate_reasons(c: Candidate, limit: int = 3) -> list[str]:
    fails = [i.message for i in c.gate.items if i.status is GateStatus.FAIL]
    return fails[:limit] + ([f"… and {len(fails) - limit} more"] if len(fails) > limit else [])


def render_json(result: Comparison, **_: Any) -> str:
    doc = {**result.to_dict(), "schema_version": SCHEMA_VERSION}
    return dumps(doc)


def render_terminal(result: Comparison, *, width: int | None = 180, color: bool = False, **_: Any) -> str:
    """A rich table (captured to text): one row per candidate, best first."""
    table = Table(title=f"Candidates under policy {result.policy.name!r} (intended use: {result.intended_use})", show_lines=True)
    any_claims = any(c.claims() for c in result.ranked)
    any_measured = any(c.measurements() for c in result.ranked)
    table.add_column("#", justify="right")
    table.add_column("model", overflow="fold", min_width=22)
    table.add_column("gate")
    table.add_column("score", justify="right")
    for a in ATTRIBUTES:
        table.add_column(_SHORT[a], justify="right")
    table.add_column("licence (class) use", overflow="fold", min_width=16)
    table.add_column("weights", overflow="fold")
    table.add_column("formats", overflow="fold")
    if any_claims:
        table.add_column("claims", overflow="fold")
    if any_measured:
        table.add_column("re-measured", overflow="fold")
    for c in result.ranked:
        lic = c.license_facts()
        cells: list[str | Text] = [
            str(c.rank),
            c.name,
            Text("PASS", style="green") if c.passed else Text("FAIL", style="red"),
            _fmt_score(c.score),
            *(_fmt_score(c.report.scores.get(a)) for a in ATTRIBUTES),
            f"{lic.spdx or 'none'} ({lic.family}) {lic.status.value}",
            f"{human_bytes(c.weights_bytes)}, {human_count(c.report.summary.parameters)} params",
            ", ".join(c.report.summary.weight_formats) or "—",
        ]
        if any_claims:
            cells.append(_claims_text(c))
        if any_measured:
            cells.append(_measured_text(c))
        table.add_row(*cells)
    out = console(width=width or 180, color=color)
    out.print(table)
    lines = ["", "Why candidates fail the gate:"]
    for c in result.ranked:
        for reason in _gate_reasons(c):
            lines.append(f"  {c.rank}. {c.name}: {reason}")
    if len(lines) == 2:
        lines = []
    lines.append("")
    lines.append("score: weighted mean of assessed attribute scores (safety, licence x2; integrity, claims x1.5; maintenance x0.5); — = not assessable")
    return out.export_text(styles=color) + "\n".join(lines)


_CSS = """
.rank{font-weight:800;font-size:18px;color:var(--muted)}
.cands td{vertical-align:top}
.cands .name{font-weight:700;overflow-wrap:anywhere}
.cands .reasons{margin:4px 0 0;padding-left:16px;color:var(--muted);font-size:12.5px}
.scorebig{font-size:20px;font-weight:800}
.cmp .label{font-size:12.5px}
.winner{border-left:4px solid var(--pass)}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:0}
"""


def scores_svg(result: Comparison) -> str:
    """Grouped bars: one group per attribute, one bar per candidate; hatched = not assessable."""
    series = [(f"{c.rank}. {c.name}", [c.report.scores.get(a) for a in ATTRIBUTES]) for c in result.ranked]
    return grouped_bars_svg([a.value for a in ATTRIBUTES], series, title="Attribute scores per candidate")


def render_html(result: Comparison, **_: Any) -> str:
    """One self-contained HTML page: ranking table, chart, details. Every value is escaped."""
    best = result.ranked[0] if result.ranked else None
    head = (
        '<div class="card"><div class="eyebrow">ptmvet compare</div>'
        f"<h1>{len(result.ranked)} candidate model{'s' if len(result.ranked) != 1 else ''}</h1>"
        f'<p class="sub">Ranked under policy <b>{esc(result.policy.name)}</b> ({esc(result.policy.source)}) for '
        f"<b>{esc(result.intended_use)}</b> use: candidates that pass the gate first, then by the weighted mean of "
        "the assessed attribute scores, then by fewer high-severity failures.</p>"
    )
    if best is not None:
        verdict = "passes" if best.passed else "does not pass"
        head += (
            f'<p>Best candidate: <b>{esc(best.name)}</b> — {verdict} the gate, score '
            f'<span class="scorebig">{esc(_fmt_score(best.score))}</span>/10.</p>'
        )
    head += "</div>"
    rows = []
    for i, c in enumerate(result.ranked):
        lic = c.license_facts()
        reasons = "".join(f"<li>{esc(r)}</li>" for r in _gate_reasons(c))
        status_kind = {Status.OK: "pass", Status.CONFLICT: "fail", Status.REVIEW: "skipped"}[lic.status]
        rows.append(
            [
                f'<span class="rank">{c.rank}</span>',
                f'<span class="sw" style="background:{series_colour(i)}"></span><span class="name">{esc(c.name)}</span>'
                + (f'<ul class="reasons">{reasons}</ul>' if reasons else ""),
                badge("pass" if c.passed else "fail", "pass" if c.passed else "fail"),
                f'<span class="scorebig">{esc(_fmt_score(c.score))}</span><div class="muted">{c.assessed}/{len(ATTRIBUTES)} assessed</div>',
                f"{esc(lic.spdx or 'no licence')}<div class=muted>{esc(lic.family if lic.spdx else 'all rights reserved')}</div>"
                f"{badge(lic.status.value, status_kind)}",
                f"{esc(human_bytes(c.weights_bytes))}<div class=muted>{esc(human_count(c.report.summary.parameters))} params</div>",
                esc(", ".join(c.report.summary.weight_formats) or "—"),
                f"{c.high_failures}<div class=muted>{c.failures} in all</div>",
            ]
        )
    ranking = table(["#", "Model", "Gate", "Score", "Licence", "Size", "Formats", "High fails"], rows, numeric=(0, 3, 7))
    score_rows = [
        [f"{c.rank}. {esc(c.name)}", *(badge(_fmt_score(c.report.scores.get(a)), _band(c.report.scores.get(a))) for a in ATTRIBUTES)]
        for c in result.ranked
    ]
    scores_table = table(["Model", *(esc(_SHORT[a]) for a in ATTRIBUTES)], score_rows)
    claim_rows = []
    for c in result.ranked:
        for x in c.claims():
            value = f"{x.value:g}" if x.value is not None else "—"
            claim_rows.append([esc(c.name), "claimed", esc(x.metric), esc(x.dataset or ""), esc(x.dataset_split or ""), esc(value), "", ""])
        for m in c.measurements():
            claim_rows.append(
                [esc(c.name), "re-measured", esc(m.metric), esc(m.dataset or ""), esc(m.split or ""),
                 esc(f"{m.measured:.4g}" if m.measured is not None else "—"), esc(_ci(m)), esc(m.verdict.value)]
            )  # fmt: skip
    claims_html = (
        table(["Model", "Kind", "Metric", "Dataset", "Split", "Value", "95% CI", "Verdict"], claim_rows, numeric=(5,))
        if claim_rows
        else '<p class="note">No candidate states machine-readable performance claims, and no evaluation data was given '
        "(<code>--data-dir</code>) to re-measure them.</p>"
    )
    body = (
        head
        + f'<div class="card"><h2>Ranking</h2>{ranking}</div>'
        + f'<div class="card"><h2>Attribute scores</h2>{scores_svg(result)}'
        + '<p class="note">Hatched bars: not assessable (no check of that attribute could run), which is not the same as 0.</p>'
        + f"{scores_table}</div>"
        + f'<div class="card"><h2>Claims and re-measured values</h2>{claims_html}</div>'
    )
    weights = ", ".join(f"{a.value} ×{w:g}" for a, w in WEIGHTS.items())
    footer = f"Generated by ptmvet on {esc(result.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}. Score weights: {esc(weights)}."
    return page(f"ptmvet compare — {len(result.ranked)} candidates", body, footer_html=footer, extra_css=_CSS)


def _band(score: float | None) -> str:
    if score is None:
        return "none"
    return "high" if score >= 7 else "mid" if score >= 4 else "low"


RENDERERS: Mapping[str, Callable[..., str]] = {
    "terminal": render_terminal,
    "json": render_json,
    "html": render_html,
}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_html", "render_json", "render_terminal", "scores_svg"]
