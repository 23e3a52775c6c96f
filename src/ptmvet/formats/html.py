"""HTML of a report: one self-contained file (inline CSS and SVG, no script, no external URL).

The page itself (stylesheet, Content-Security-Policy, ``table``, ``badge``)
comes from :mod:`ptmvet.formats.page` and every chart from
:mod:`ptmvet.formats.svg`, shared with every other HTML output (compare,
study); they are re-exported here for older imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ptmvet.checks.interface import Attribute, Finding, Outcome
from ptmvet.formats import common as c
from ptmvet.formats.page import CSP, CSS, badge, page, table
from ptmvet.formats.svg import bar_chart_svg, esc, interval_svg, lineage_svg
from ptmvet.report import SCHEMA_VERSION, Report

__all__ = [
    "CSP",
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

def _header(report: Report) -> str:
    t = report.target
    all_facts = dict(c.header_facts(report))
    path = all_facts.pop("Path", None)
    all_facts.pop("Target", None)
    facts = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(c.one_line(v, 160))}</dd></div>" for k, v in all_facts.items())
    pills = "".join(
        badge(f"{report.count(o)} {c.OUTCOME_LABEL[o]}", o.value) for o in c.OUTCOME_ORDER if report.count(o)
    )
    headline = c.verdict_headline(report)
    verdict = ""
    if headline is not None and report.verdict is not None:
        items = "".join(f"<li>{esc(r)}</li>" for r in c.verdict_reasons(report))
        verdict = (
            f'<div class="verdict">{badge(report.verdict.decision.value.upper(), "pass" if report.verdict.passed else "fail")} '
            f"{esc(headline)}" + (f"<ul>{items}</ul>" if items else "") + "</div>"
        )
    return (
        '<header class="card">'
        '<div class="eyebrow">ptmvet report card</div>'
        f"<h1>{esc(t.repo_id or t.name)}</h1>"
        + verdict
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
