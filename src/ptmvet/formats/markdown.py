"""Markdown (GitHub-flavoured): headings, tables, findings grouped by attribute.

Card-derived text is escaped with :func:`md_escape`: ``<``, ``>`` and ``&``
become HTML entities (so no raw HTML reaches a renderer) and every other
Markdown punctuation character is backslash-escaped (so no link, image,
emphasis or table cell break can be injected).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ptmvet.checks.interface import Attribute, Outcome
from ptmvet.evidence.lineage import Lineage
from ptmvet.evidence.measurement import ClaimVerdict, Measurement
from ptmvet.formats import common as c
from ptmvet.report import Report

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
#: Inline Markdown syntax. Block syntax (``#``, ``-``, ``1.``) needs a line start,
#: and escaped text is always placed after other text on a single line.
_PUNCT = set("\\`*_{}[]()!|~")

OUTCOME_MD: Mapping[Outcome, str] = {
    Outcome.PASS: "✅ pass",
    Outcome.FAIL: "❌ fail",
    Outcome.ERROR: "⚠️ error",
    Outcome.SKIPPED: "⏭️ skipped",
    Outcome.NOT_APPLICABLE: "➖ n/a",
}


def md_escape(value: Any) -> str:
    """Escape untrusted text for inline Markdown (one line, safe in table cells)."""
    if value is None:
        return "–"
    out: list[str] = []
    for ch in c.one_line(value):
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _PUNCT:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, align: str = "") -> list[str]:
    """A GFM table; cells must already be escaped. ``align``: one of l/r per column."""
    seps = ["---:" if (i < len(align) and align[i] == "r") else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(seps) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def _bar(score: float | None, width: int = 10) -> str:
    if score is None:
        return "_not assessable_"
    filled = round(max(0.0, min(10.0, score)) / 10 * width)
    return "`" + "█" * filled + "░" * (width - filled) + "`"


def render_markdown(report: Report) -> str:
    lines: list[str] = [f"# ptmvet report: {md_escape(report.target.repo_id or report.target.name)}", ""]
    headline = c.verdict_headline(report)
    if headline is not None:
        lines += [f"**Verdict: {md_escape(headline)}**", ""]
        lines += [f"- {md_escape(r)}" for r in c.verdict_reasons(report)]
        lines += [""] if report.verdict and report.verdict.reasons else []
    lines += md_table(["", ""], [[f"**{label}**", md_escape(value)] for label, value in c.header_facts(report)])
    lines += ["", f"**Findings:** {md_escape(c.counts_line(report))}", ""]

    lines += ["## Scores", ""]
    lines += md_table(
        ["Attribute", "Score", ""],
        [
            [c.ATTRIBUTE_TITLE[a], md_escape(c.score_text(report.scores.get(a))), _bar(report.scores.get(a))]
            for a in Attribute
        ],
        align="lr",
    )
    lines += ["", "Scores run from 0 to 10; *not assessable* means no check could say anything, which is not 0.", ""]

    lines += ["## Findings", ""]
    groups = c.findings_by_attribute(report)
    if not groups:
        lines += ["No findings.", ""]
    for attr, findings in groups:
        lines += [f"### {c.ATTRIBUTE_TITLE[attr]} — {md_escape(c.score_text(report.scores.get(attr)))}", ""]
        for f in findings:
            lines.append(
                f"- {OUTCOME_MD[f.outcome]} **{f.check_id}** `{f.slug}` ({f.severity.value}): {md_escape(f.message)}"
            )
            for ev in f.evidence:
                lines.append(f"  - evidence: {md_escape(ev)}")
            if f.remedy and f.outcome is Outcome.FAIL:
                lines.append(f"  - remedy: {md_escape(f.remedy)}")
        lines.append("")

    lines += ["## Claims", ""]
    if report.claims:
        lines += md_table(
            ["Task", "Dataset", "Config", "Split", "Metric", "Value", "Source"],
            [
                [md_escape(x) for x in (cl.task_type, cl.dataset, cl.dataset_config, cl.dataset_split, cl.metric)]
                + [md_escape(c.fmt_value(cl.value)), md_escape(cl.source + (" (verified)" if cl.verified else ""))]
                for cl in report.claims
            ],
            align="lllllrl",
        )
    else:
        lines.append("The card makes no machine-readable performance claim.")
    lines.append("")

    if report.measurements:
        lines += ["## Re-measured claims", ""]
        lines += md_table(
            ["Task", "Dataset", "Split", "Metric", "Claimed", "Measured", "95% CI", "n", "Verdict"],
            [
                [md_escape(x) for x in (m.task, m.dataset, m.split, m.metric)]
                + [md_escape(c.fmt_value(x)) for x in (m.claimed, m.measured)]
                + [md_escape(f"[{c.fmt_value(m.ci_low)}, {c.fmt_value(m.ci_high)}]")]
                + [md_escape(c.fmt_value(m.n)), _verdict(m)]
                for m in report.measurements
            ],
            align="llllrrrrl",
        )
        lines.append("")
    if report.measurements_skipped:
        lines += [f"Claims not re-measured: {md_escape(report.measurements_skipped)}", ""]

    lic = report.license_checked
    if lic is not None:
        lines += ["## Licence", ""]
        lines += [f"- **{md_escape(k)}**: {md_escape(v)}" for k, v in c.license_facts(lic)]
        lines.append("")

    lineage = c.lineage_of(report)
    if lineage is not None:
        lines += _lineage(lineage)

    if report.scan_verdict is not None:
        lines += ["## Serialization scan", ""]
        lines += [f"Overall verdict: **{md_escape(report.scan_verdict.value)}**", ""]
        lines += md_table(
            ["File", "Format", "Verdict", "Issues", "Imports (globals)"],
            [[md_escape(x) for x in (r.path, r.format, r.verdict.value, r.issues, r.imports)] for r in c.scan_rows(report.scan)],
        )
        lines.append("")

    if report.integrity is not None:
        lines += ["## Integrity", "", *_facts(c.integrity_facts(report.integrity)), ""]
    if report.card_info is not None:
        lines += ["## Card", "", *_facts(c.card_facts(report.card_info)), ""]

    if report.summary.problems:
        lines += ["## Problems while collecting evidence", ""]
        lines += [f"- {md_escape(p.path)}: {md_escape(p.message)}" for p in report.summary.problems]
        lines.append("")

    lines += [
        "---",
        f"_ptmvet {md_escape(report.tool_version)} · {md_escape(report.generated_at.isoformat(timespec='seconds'))}_",
        "",
    ]
    return "\n".join(lines)


def _verdict(m: Measurement) -> str:
    v = md_escape(m.verdict.value)
    reason = f" ({md_escape(m.reason)})" if m.reason else ""
    return f"**{v}**{reason}" if m.verdict is ClaimVerdict.OVERSTATED else v + reason


def _lineage(lineage: Lineage) -> list[str]:
    layout = c.lineage_layout(lineage)
    lines = ["## Lineage", ""]
    if not layout.edges and len(layout.nodes) <= 1:
        lines.append("No ancestor: the card declares no base model.")
    else:
        rows = []
        for level in layout.levels:
            for n in level:
                node = layout.nodes[n]
                rows.append(
                    [md_escape(n), str(layout.level_of[n])]
                    + [md_escape(x) for x in ((node.license, node.spdx, c.class_name(node.klass)) if node else (None, None, None))]
                )
        lines += md_table(["Model", "Depth", "Licence", "SPDX", "Class"], rows)
    if layout.edges:
        lines += ["", "Edges:", ""]
        lines += [f"- {md_escape(e.child)} ← {md_escape(e.relation.value)} ← {md_escape(e.parent)}" for e in layout.edges]
    if lineage.conflicts:
        lines += ["", "**Licence conflicts:**", ""]
        lines += [f"- {md_escape(c.conflict_text(x))}" for x in lineage.conflicts]
    notes = c.lineage_notes(lineage)
    if notes:
        lines += [""] + [f"- {md_escape(n)}" for n in notes]
    found = [d for d in lineage.datasets if d.found]
    unknown = [d.id for d in lineage.datasets if not d.found]
    if found:
        lines += ["", "Training datasets:", ""]
        lines += md_table(
            ["Dataset", "Licence", "SPDX", "Class", "Commercial use"],
            [
                [md_escape(x) for x in (d.id, d.license, d.spdx, c.class_name(d.klass), c.commercial_name(d.klass))]
                for d in found
            ],
        )
    if unknown:
        lines += [
            "",
            f"Training datasets whose licence was not found ({len(unknown)}): {md_escape(', '.join(unknown))}",
        ]
    lines.append("")
    return lines


def _facts(rows: Sequence[tuple[str, str]]) -> list[str]:
    return [f"- **{md_escape(k)}**: {md_escape(c.one_line(v, 300))}" for k, v in rows]


class MarkdownFormat:
    """GitHub-flavoured Markdown."""

    name = "md"
    suffix = ".md"
    media_type = "text/markdown"

    def render(self, report: Report) -> str:
        return render_markdown(report)
