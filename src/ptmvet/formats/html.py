"""HTML of a report: one self-contained file (inline CSS and SVG, no script, no external URL).

The page itself (stylesheet, Content-Security-Policy, ``table``, ``badge``)
comes from :mod:`ptmvet.formats.page` and every chart from
:mod:`ptmvet.formats.svg`, shared with every other HTML output (compare,
study); they are re-exported here for older imports.
"""

from __future__ import annotations

from collections.abc import Sequence

from ptmvet.checks.interface import Attribute, Finding, Outcome
from ptmvet.evidence.lineage import Lineage
from ptmvet.evidence.measurement import Measurement
from ptmvet.evidence.scan import ScanReport, ScanVerdict
from ptmvet.formats import common as c
from ptmvet.formats.page import CSP, CSS, badge, page, table
from ptmvet.formats.svg import bar_chart_svg, esc, interval_svg, lineage_svg
from ptmvet.licenses.verdict import LicenseAssessment
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


def _measurements(measurements: Sequence[Measurement]) -> str:
    body = table(
        ["Task", "Dataset", "Split", "Metric", "Claimed", "Measured", "95% CI", "n", "", "Verdict"],
        [
            [esc(x if x is not None else "–") for x in (m.task, m.dataset, m.split, m.metric)]
            + [esc(c.fmt_value(m.claimed)), f"<b>{esc(c.fmt_value(m.measured))}</b>"]
            + [esc(f"[{c.fmt_value(m.ci_low)}, {c.fmt_value(m.ci_high)}]"), esc(c.fmt_value(m.n))]
            + [interval_svg(*(None if x is None else float(x) for x in (m.measured, m.ci_low, m.ci_high, m.claimed)))]
            + [
                badge(m.verdict.value, c.verdict_band(m.verdict))
                + (f'<div class="note">{esc(m.reason)}</div>' if m.reason else "")
            ]
            for m in measurements
        ],
        numeric=[4, 5, 6, 7],
    )
    return (
        '<section class="card" id="measurements"><h2>Re-measured claims</h2>'
        f"{body}"
        '<p class="note">Dot: measured value; band: its bootstrap confidence interval; red tick: the claimed value.</p>'
        "</section>"
    )


def _lineage(lineage: Lineage) -> str:
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
    has_graph = bool(lineage.edges) or len(lineage.nodes) > 1
    graph = (
        lineage_svg(lineage) + legend
        if has_graph
        else '<p class="sub">No ancestor: the card declares no base model.</p>'
    )
    parts = ['<section class="card" id="lineage"><h2>Lineage</h2>', graph]
    if lineage.conflicts:
        items = "".join(f"<li>{esc(c.conflict_text(x))}</li>" for x in lineage.conflicts)
        parts.append(f'<div class="warn"><b>Licence conflicts</b><ul>{items}</ul></div>')
    notes = c.lineage_notes(lineage)
    if notes:
        parts.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    found = [d for d in lineage.datasets if d.found]
    unknown = [d.id for d in lineage.datasets if not d.found]
    if found:
        parts.append("<h3 class=sub3>Training datasets</h3>")
        parts.append(
            table(
                ["Dataset", "Licence", "SPDX", "Class", "Commercial use"],
                [
                    [f'<span class="mono">{esc(d.id)}</span>']
                    + [
                        esc(x if x is not None else "–")
                        for x in (d.license, d.spdx, c.class_name(d.klass), c.commercial_name(d.klass))
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


def _license(lic: LicenseAssessment) -> str:
    pill = (
        badge(f"{lic.intended_use.value}: {lic.use.status.value}", c.license_status_band(lic))
        if lic.use is not None
        else ""
    )
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in c.license_facts(lic))
    return f'<section class="card" id="license"><h2>Licence {pill}</h2><dl class="kv">{rows}</dl></section>'


def _scan(reports: Sequence[ScanReport], verdict: ScanVerdict) -> str:
    rows = c.scan_rows(reports)
    body = table(
        ["File", "Format", "Verdict", "Issues", "Imports (globals)"],
        [
            [
                f'<span class="mono">{esc(r.path)}</span>',
                esc(r.format),
                badge(r.verdict.value, c.scan_band(r.verdict)),
                esc(r.issues or "–"),
                f'<span class="mono">{esc(r.imports)}</span>',
            ]
            for r in rows
        ],
    )
    pill = badge(verdict.value, c.scan_band(verdict))
    return f'<section class="card" id="scan"><h2>Serialization scan {pill}</h2>{body}</section>'


def _facts(name: str, title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A titled card of (label, value) lines."""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(c.one_line(v, 400))}</dd>" for k, v in rows)
    return f'<section class="card" id="section-{esc(name)}"><h2>{esc(title)}</h2><dl class="kv">{items}</dl></section>'


def _problems(report: Report) -> str:
    problems = report.summary.problems
    if not problems:
        return ""
    items = "".join(f'<li><span class="mono">{esc(p.path)}</span>: {esc(p.message)}</li>' for p in problems)
    return f'<section class="card" id="problems"><h2>Problems while collecting evidence</h2><ul>{items}</ul></section>'


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    parts = [_header(report), _scores(report), _findings(report), _claims(report)]
    if report.measurements:
        parts.append(_measurements(report.measurements))
    if report.measurements_skipped:
        parts.append(_facts("measurements-skipped", "Claims not re-measured", [("Why", report.measurements_skipped)]))
    lic = report.license_checked
    if lic is not None:
        parts.append(_license(lic))
    lineage = c.lineage_of(report)
    if lineage is not None:
        parts.append(_lineage(lineage))
    if report.scan_verdict is not None:
        parts.append(_scan(report.scan, report.scan_verdict))
    if report.integrity is not None:
        parts.append(_facts("integrity", "Integrity", c.integrity_facts(report.integrity)))
    if report.card_info is not None:
        parts.append(_facts("card", "Card", c.card_facts(report.card_info)))
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
