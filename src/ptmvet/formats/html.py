"""HTML: one self-contained file (inline CSS and SVG, no script, no external URL).

Helpers for other HTML producers (the registry study page, ``ptmvet compare``):

- :func:`esc` escapes any value for HTML text and attribute values
  (``html.escape(quote=True)``). Use it on *every* value you interpolate.
- :func:`page` wraps a body in the shared document: stylesheet, a
  Content-Security-Policy that forbids scripts and external loads (a second
  line of defence behind escaping), and an optional footer.
- :func:`bar_chart_svg` draws labelled 0..max bars with "not assessable"
  (``None``) drawn distinctly from 0; :func:`interval_svg` draws a value with
  its confidence interval against a claim; :func:`lineage_svg` draws a lineage
  graph.
- :func:`table` builds a ``<table>`` from already-escaped cells;
  :func:`badge` an outcome/verdict pill.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ptmvet.checks.interface import Attribute, Finding, Outcome
from ptmvet.formats import common as c
from ptmvet.formats.svg import bar_chart_svg, esc, interval_svg, lineage_svg
from ptmvet.report import SCHEMA_VERSION, Report

__all__ = [
    "CSS",
    "HtmlFormat",
    "badge",
    "bar_chart_svg",
    "esc",
    "interval_svg",
    "lineage_svg",
    "page",
    "render_html",
    "table",
]

#: Scripts, frames, forms and every remote load are forbidden; only inline styles and data: images.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;--accent:#0969da;
--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--error:#8250df;--error-bg:#fbefff;
--skip:#9a6700;--skip-bg:#fff8c5;--na:#59636e;--na-bg:#eff2f5}
*{box-sizing:border-box}
html{background:var(--bg)}
body{margin:0;color:var(--fg);font:15px/1.55 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:28px 24px 8px}
h1{font-size:28px;line-height:1.2;margin:2px 0 4px;word-break:break-word}
h2{font-size:19px;margin:0 0 14px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:0;display:flex;align-items:center;gap:10px}
code,.mono{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 22px;margin:0 0 20px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--muted);font-weight:600}
.sub{color:var(--muted);margin:0 0 14px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px 22px;margin:16px 0 4px}
.facts div{min-width:0}
.facts dt{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.facts dd{margin:0;font-weight:600;overflow-wrap:break-word}
.pills{display:flex;flex-wrap:wrap;gap:8px;margin-top:14px}
.pill{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12.5px;font-weight:600;white-space:nowrap;border:1px solid transparent}
.pill.pass{color:var(--pass);background:var(--pass-bg)} .pill.fail{color:var(--fail);background:var(--fail-bg)}
.pill.error{color:var(--error);background:var(--error-bg)} .pill.skipped{color:var(--skip);background:var(--skip-bg)}
.pill.not-applicable,.pill.none{color:var(--na);background:var(--na-bg)}
.pill.high{color:var(--pass);background:var(--pass-bg)} .pill.mid{color:var(--skip);background:var(--skip-bg)} .pill.low{color:var(--fail);background:var(--fail-bg)}
.pill.sev{background:transparent;border-color:var(--line);color:var(--muted);font-weight:500}
.pill.sev.critical,.pill.sev.high{color:var(--fail);border-color:#ffcecb}
.pill.sev.medium{color:var(--skip);border-color:#eed888}
.chart{display:block;max-width:100%;height:auto;font-size:13px}
.chart .label{fill:var(--fg);font-weight:500} .chart .value{fill:var(--fg);font-weight:700}
.chart .na{fill:var(--muted);font-style:italic} .chart .tick{fill:var(--muted);font-size:11px}
.chart .grid{stroke:#eaeef2;stroke-width:1} .chart .track{fill:#eff2f5}
.note{color:var(--muted);font-size:13px;margin:10px 0 0}
.attr{border-top:1px solid var(--line);padding:16px 0 4px}
.attr:first-of-type{border-top:0;padding-top:0}
.finding{border-left:4px solid var(--na);background:#fbfcfd;border-radius:0 8px 8px 0;padding:9px 14px;margin:10px 0}
.finding.fail{border-color:var(--fail);background:#fffafa} .finding.pass{border-color:var(--pass)}
.finding.error{border-color:var(--error)} .finding.skipped{border-color:#d4a72c}
.finding .head{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.finding .id{font-weight:700} .finding .slug{color:var(--muted)}
.finding.compact{padding:5px 14px;margin:6px 0;background:transparent}
.finding.compact .msg{flex:1 1 280px;overflow-wrap:break-word}
.finding.compact details{margin-left:2px}
.path{color:var(--muted);font-size:12.5px;overflow-wrap:anywhere;margin-top:2px}
.finding p{margin:4px 0 0;overflow-wrap:anywhere}
.finding ul{margin:6px 0 0;padding-left:18px;color:var(--muted);font-size:13.5px}
.finding li{overflow-wrap:anywhere}
.remedy{margin-top:8px;padding:7px 11px;background:#f0f6ff;border-radius:6px;font-size:14px;overflow-wrap:anywhere}
.remedy b{color:var(--accent)}
details summary{cursor:pointer;color:var(--muted);font-size:13px;margin-top:4px}
table{border-collapse:collapse;width:100%;font-size:14px}
th{text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);padding:6px 10px}
td{border-bottom:1px solid #eaeef2;padding:7px 10px;vertical-align:middle;overflow-wrap:break-word}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:hover{background:#f6f8fa}
.scroll{overflow-x:auto}
.lineage{display:block;max-width:100%;height:auto;margin:4px auto 8px;font-size:13px}
.lineage .node-id{font-weight:700;fill:var(--fg)} .lineage .node-lic{fill:var(--muted);font-size:12px}
.lineage .edge{fill:var(--muted);font-size:11.5px;font-style:italic}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12.5px;color:var(--muted)}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:5px;vertical-align:-1px;border:1px solid}
.sw.permissive{background:#dafbe1;border-color:#1a7f37} .sw.copyleft{background:#ddf4ff;border-color:#0969da}
.sw.rail{background:#fff8c5;border-color:#9a6700} .sw.nc{background:#ffebe9;border-color:#cf222e}
.sw.unknown{background:#f6f8fa;border-color:#6e7781} .sw.missing{background:#fff;border:1px dashed #6e7781}
.notes{color:var(--muted);font-size:13.5px;margin:10px 0 0;padding-left:18px}
.muted{color:var(--muted)} h3.sub3{font-size:14px;margin:18px 0 6px;color:var(--muted)}
dl.kv dl.kv{font-size:13.5px}
.warn{border:1px solid #ffcecb;background:var(--fail-bg);border-radius:8px;padding:8px 14px;margin-top:12px}
.warn ul{margin:4px 0 0;padding-left:18px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.kv dt{color:var(--muted)} dl.kv dd{margin:0;overflow-wrap:anywhere}
footer{max-width:1040px;margin:0 auto;padding:4px 24px 32px;color:var(--muted);font-size:12.5px}
@media print{html{background:#fff}.card{border:0;padding:0 0 12px}details{display:block}}
"""


def page(title: str, body_html: str, *, footer_html: str = "", extra_css: str = "") -> str:
    """A complete HTML document around ``body_html`` (already safe HTML).

    ``title`` is escaped here. ``footer_html`` (already safe) is placed below
    ``<main>``. The stylesheet :data:`CSS` styles ``.card``, ``.pill``,
    tables, ``.chart`` and ``.lineage`` SVGs; ``extra_css`` is appended.
    """
    footer = f"<footer>{footer_html}</footer>" if footer_html else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{CSS}{extra_css}</style></head>"
        f"<body><main>{body_html}</main>{footer}</body></html>\n"
    )


def badge(text: Any, kind: str) -> str:
    """A coloured pill; ``kind`` is an outcome value or a band (high, mid, low, none)."""
    return f'<span class="pill {esc(kind)}">{esc(text)}</span>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Sequence[int] = ()) -> str:
    """A table from escaped header labels and already-safe cell HTML; ``numeric`` columns align right."""
    num = set(numeric)
    head = "".join(f"<th{' class=num' if i in num else ''}>{h}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=num' if i in num else ''}>{cell}</td>" for i, cell in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _header(report: Report) -> str:
    t = report.target
    all_facts = dict(c.header_facts(report))
    path = all_facts.pop("Path", None)
    all_facts.pop("Target", None)
    facts = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(c.one_line(v, 160))}</dd></div>" for k, v in all_facts.items())
    pills = "".join(
        badge(f"{report.count(o)} {c.OUTCOME_LABEL[o]}", o.value) for o in c.OUTCOME_ORDER if report.count(o)
    )
    return (
        '<header class="card">'
        '<div class="eyebrow">ptmvet report card</div>'
        f"<h1>{esc(t.repo_id or t.name)}</h1>"
        + (f'<div class="path mono">{esc(path)}</div>' if path else "")
        + f'<dl class="facts">{facts}</dl>'
        f'<div class="pills">{pills or badge("no findings", "none")}</div>'
        "</header>"
    )


def _scores(report: Report) -> str:
    items = [(c.ATTRIBUTE_TITLE[a], report.scores.get(a)) for a in Attribute]
    return (
        '<section class="card" id="scores"><h2>Scores</h2>'
        + bar_chart_svg(items, title="Attribute scores, 0 to 10")
        + '<p class="note">Each attribute is scored 0–10 from the checks that could assess it, weighted by severity. '
        "A hatched bar means <em>not assessable</em>: no check could say anything, which is not the same as 0.</p>"
        "</section>"
    )


def _finding(f: Finding) -> str:
    """A failure is shown in full; other outcomes compactly, their evidence folded."""
    failed = f.outcome is Outcome.FAIL
    sev = f"sev {f.severity.value}" if failed else "sev"
    head = (
        badge(c.OUTCOME_LABEL[f.outcome], f.outcome.value)
        + f'<span class="id mono">{esc(f.check_id)}</span><span class="slug mono">{esc(f.slug)}</span>'
        + f'<span class="pill {esc(sev)}">{esc(f.severity.value)}</span>'
    )
    if failed:
        parts = [f'<article class="finding fail"><div class="head">{head}</div><p>{esc(f.message)}</p>']
    else:
        parts = [
            f'<article class="finding compact {esc(f.outcome.value)}"><div class="head">{head}'
            f'<span class="msg">{esc(f.message)}</span></div>'
        ]
    if f.evidence:
        items = "".join(f"<li>{esc(e)}</li>" for e in f.evidence)
        if failed:
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<details><summary>Evidence ({len(f.evidence)})</summary><ul>{items}</ul></details>")
    if f.remedy and failed:
        parts.append(f'<div class="remedy"><b>Remedy:</b> {esc(f.remedy)}</div>')
    parts.append("</article>")
    return "".join(parts)


def _findings(report: Report) -> str:
    groups = c.findings_by_attribute(report)
    if not groups:
        return '<section class="card" id="findings"><h2>Findings</h2><p class="sub">No findings.</p></section>'
    out = ['<section class="card" id="findings"><h2>Findings</h2>']
    for attr, findings in groups:
        score = report.scores.get(attr)
        out.append(
            f'<section class="attr" id="attr-{esc(attr.value)}"><h3>{esc(c.ATTRIBUTE_TITLE[attr])} '
            f"{badge(c.score_text(score), c.score_band(score))}</h3>"
        )
        out.extend(_finding(f) for f in findings)
        out.append("</section>")
    out.append("</section>")
    return "".join(out)


def _claims(report: Report) -> str:
    if not report.claims:
        body = '<p class="sub">The card makes no machine-readable performance claim.</p>'
    else:
        body = table(
            ["Task", "Dataset", "Config", "Split", "Metric", "Value", "Source"],
            [
                [esc(x or "–") for x in (cl.task_type, cl.dataset, cl.dataset_config, cl.dataset_split, cl.metric)]
                + [
                    esc(c.fmt_value(cl.value)),
                    esc(cl.source) + (" " + badge("verified", "pass") if cl.verified else ""),
                ]
                for cl in report.claims
            ],
            numeric=[5],
        )
    return f'<section class="card" id="claims"><h2>Claims</h2>{body}</section>'


def _measurements(rows: Sequence[Mapping[str, Any]]) -> str:
    def num(v: Any) -> float | None:
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    body = table(
        ["Task", "Dataset", "Split", "Metric", "Claimed", "Measured", "95% CI", "n", "", "Verdict"],
        [
            [esc(m.get(k) if m.get(k) is not None else "–") for k in ("task", "dataset", "split", "metric")]
            + [esc(c.fmt_value(m.get("claimed"))), f"<b>{esc(c.fmt_value(m.get('measured')))}</b>"]
            + [esc(f"[{c.fmt_value(m.get('ci_low'))}, {c.fmt_value(m.get('ci_high'))}]"), esc(c.fmt_value(m.get("n")))]
            + [interval_svg(num(m.get("measured")), num(m.get("ci_low")), num(m.get("ci_high")), num(m.get("claimed")))]
            + [
                badge(m.get("verdict") or "–", c.verdict_band(m.get("verdict")))
                + (f'<div class="note">{esc(m.get("reason"))}</div>' if m.get("reason") else "")
            ]
            for m in rows
        ],
        numeric=[4, 5, 6, 7],
    )
    return (
        '<section class="card" id="measurements"><h2>Re-measured claims</h2>'
        f"{body}"
        '<p class="note">Dot: measured value; band: its bootstrap confidence interval; red tick: the claimed value.</p>'
        "</section>"
    )


def _lineage(lineage: Mapping[str, Any]) -> str:
    legend = (
        '<div class="legend">'
        '<span><i class="sw permissive"></i>permissive</span>'
        '<span><i class="sw copyleft"></i>copyleft / share-alike</span>'
        '<span><i class="sw rail"></i>use-restricted (RAIL)</span>'
        '<span><i class="sw nc"></i>non-commercial / proprietary</span>'
        '<span><i class="sw unknown"></i>unknown / needs review</span>'
        '<span><i class="sw missing"></i>not found</span>'
        "</div>"
    )
    has_graph = bool(lineage.get("edges")) or len(lineage.get("nodes") or []) > 1
    graph = (
        lineage_svg(lineage) + legend
        if has_graph
        else '<p class="sub">No ancestor: the card declares no base model.</p>'
    )
    parts = ['<section class="card" id="lineage"><h2>Lineage</h2>', graph]
    conflicts = lineage.get("conflicts") or []
    if isinstance(conflicts, list) and conflicts:
        items = "".join(f"<li>{esc(c.conflict_text(x))}</li>" for x in conflicts)
        parts.append(f'<div class="warn"><b>Licence conflicts</b><ul>{items}</ul></div>')
    notes = c.lineage_notes(lineage)
    if notes:
        parts.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    found = [d for d in c.lineage_datasets(lineage) if d.get("found", True)]
    unknown = [str(d.get("id")) for d in c.lineage_datasets(lineage) if not d.get("found", True)]
    if found:
        parts.append("<h3 class=sub3>Training datasets</h3>")
        parts.append(
            table(
                ["Dataset", "Licence", "SPDX", "Class", "Commercial use"],
                [
                    [f'<span class="mono">{esc(d.get("id"))}</span>']
                    + [
                        esc(d.get(k) if d.get(k) is not None else "–")
                        for k in ("license", "spdx", "class", "commercial")
                    ]
                    for d in found
                ],
            )
        )
    if unknown:
        parts.append(
            f'<p class="note">Training datasets whose licence was not found ({len(unknown)}): '
            + ", ".join(f'<span class="mono">{esc(u)}</span>' for u in unknown)
            + "</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def _license(section: Mapping[str, Any]) -> str:
    facts = c.license_facts(section)
    if not facts:
        return _generic("license", section)
    verdict = c.as_mapping(section.get("use_verdict")).get("status")
    pill = (
        badge(f"{section.get('intended_use') or 'intended use'}: {verdict}", c.license_status_band(section))
        if verdict
        else ""
    )
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    return f'<section class="card" id="license"><h2>Licence {pill}</h2><dl class="kv">{rows}</dl></section>'


def _scan(section: Mapping[str, Any]) -> str:
    rows = c.scan_rows(section)
    if not rows and "verdict" not in section:
        return _generic("scan", section)
    verdict = section.get("verdict")
    pill = badge(verdict, c.scan_band(verdict)) if verdict else ""
    body = (
        table(
            ["File", "Format", "Verdict", "Issues", "Imports (globals)"],
            [
                [
                    f'<span class="mono">{esc(r["path"])}</span>',
                    esc(r["format"]),
                    badge(r["verdict"], c.scan_band(r["verdict"])),
                    esc(r["issues"] or "–"),
                    f'<span class="mono">{esc(r["globals"])}</span>',
                ]
                for r in rows
            ],
        )
        if rows
        else '<p class="sub">No file was scanned.</p>'
    )
    return f'<section class="card" id="scan"><h2>Serialization scan {pill}</h2>{body}</section>'


def _value_html(value: Any, depth: int = 0) -> str:
    """Any JSON-like value as escaped HTML: mappings as definition lists, lists of mappings as tables."""
    if isinstance(value, Mapping):
        if not value:
            return "–"
        if depth >= 3:
            return esc(c.one_line(c.fmt_value(value), 400))
        items = list(value.items())[:200]
        return (
            '<dl class="kv">'
            + "".join(f"<dt>{esc(k)}</dt><dd>{_value_html(v, depth + 1)}</dd>" for k, v in items)
            + "</dl>"
        )
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value) and depth < 3:
        cols = list(dict.fromkeys(k for row in value for k in row))[:8]
        return table(
            [esc(k) for k in cols],
            [[esc(c.one_line(c.fmt_value(r.get(k)), 160)) for k in cols] for r in value[:500]],
        )
    return esc(c.one_line(c.fmt_value(value), 400))


def _generic(name: str, value: Any) -> str:
    title = esc(name.replace("_", " ").capitalize())
    return f'<section class="card" id="section-{esc(name)}"><h2>{title}</h2>{_value_html(value)}</section>'


def _problems(report: Report) -> str:
    problems = [p for p in report.summary.get("problems") or [] if isinstance(p, Mapping)]
    if not problems:
        return ""
    items = "".join(
        f'<li><span class="mono">{esc(p.get("path"))}</span>: {esc(p.get("message"))}</li>' for p in problems
    )
    return f'<section class="card" id="problems"><h2>Problems while collecting evidence</h2><ul>{items}</ul></section>'


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    parts = [_header(report), _scores(report), _findings(report), _claims(report)]
    rows = c.measurement_rows(report)
    if rows:
        parts.append(_measurements(rows))
    lic = c.license_section(report)
    if lic is not None:
        parts.append(_license(lic))
    lineage = c.lineage_section(report)
    if lineage is not None:
        parts.append(_lineage(lineage))
    scan = c.scan_section(report)
    if scan is not None:
        parts.append(_scan(scan))
    parts.extend(_generic(k, v) for k, v in c.other_sections(report))
    parts.append(_problems(report))
    footer = (
        f"Generated by ptmvet {esc(report.tool_version)} on {esc(report.generated_at.strftime('%Y-%m-%d %H:%M:%S %Z'))} "
        f"· report schema {esc(SCHEMA_VERSION)} · card text is shown escaped, as written by the model's authors."
    )
    title = f"ptmvet report: {report.target.repo_id or report.target.name}"
    return page(title, "".join(parts), footer_html=footer)


class HtmlFormat:
    """A self-contained, script-free HTML report card."""

    name = "html"
    suffix = ".html"
    media_type = "text/html"

    def render(self, report: Report) -> str:
        return render_html(report)
