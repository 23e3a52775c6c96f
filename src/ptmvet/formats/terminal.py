"""Terminal: rich panels and tables.

Every string that came from the model package is wrapped in
:class:`rich.text.Text`, never interpreted as rich markup, so a card cannot
restyle or fake the output. Progress display belongs to the CLI.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ptmvet.checks.interface import Attribute, Finding, Outcome, Severity
from ptmvet.evidence.lineage import Lineage
from ptmvet.evidence.measurement import Measurement
from ptmvet.evidence.scan import ScanReport, ScanVerdict
from ptmvet.formats import common as c
from ptmvet.licenses.verdict import LicenseAssessment
from ptmvet.report import Report

OUTCOME_STYLE: Mapping[Outcome, str] = {
    Outcome.PASS: "green",
    Outcome.FAIL: "bold red",
    Outcome.ERROR: "magenta",
    Outcome.SKIPPED: "yellow",
    Outcome.NOT_APPLICABLE: "dim",
}
SEVERITY_STYLE: Mapping[Severity, str] = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
BAND_STYLE = {"high": "green", "mid": "yellow", "low": "red", "none": "dim"}
BAR_WIDTH = 20


def _t(value: Any, style: str = "") -> Text:
    """Untrusted text, shown literally."""
    return Text(c.one_line(value) if value is not None else "–", style=style)


def score_bar(score: float | None, width: int = BAR_WIDTH) -> Text:
    """A bar of ``width`` cells for a 0..10 score; unassessed attributes get a dotted track."""
    if score is None:
        return Text("┄" * width, style="dim")
    filled = round(max(0.0, min(10.0, score)) / 10 * width)
    bar = Text("█" * filled, style=BAND_STYLE[c.score_band(score)])
    bar.append("░" * (width - filled), style="dim")
    return bar


def header(report: Report) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    headline = c.verdict_headline(report)
    if headline is not None and report.verdict is not None:
        grid.add_row("Verdict", _t(headline, "bold green" if report.verdict.passed else "bold red"))
        for reason in c.verdict_reasons(report):
            grid.add_row("", _t(f"• {reason}"))
    for label, value in c.header_facts(report):
        grid.add_row(label, _t(value))
    grid.add_row("Findings", _t(c.counts_line(report)))
    return Panel(grid, title=Text("ptmvet report card", style="bold"), box=box.ROUNDED, expand=True)


def scores_table(report: Report, width: int = 100) -> Table:
    table = Table(title="Scores", box=box.SIMPLE_HEAD, title_justify="left", expand=False)
    table.add_column("Attribute", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    bar = BAR_WIDTH if width >= 80 else 10
    for attr in Attribute:
        score = report.scores.get(attr)
        table.add_row(
            c.ATTRIBUTE_TITLE[attr],
            Text(c.score_text(score), style=BAND_STYLE[c.score_band(score)]),
            score_bar(score, bar),
        )
    return table


def _message(f: Finding) -> Text:
    msg = _t(f.message)
    if f.outcome is Outcome.FAIL and f.remedy:
        msg.append("\n→ ", style="dim")
        msg.append(c.one_line(f.remedy), style="dim italic")
    return msg


def findings_table(report: Report, width: int = 100) -> RenderableType:
    """Failures first, worst severity first; remedies under failing messages."""
    ordered = c.sorted_findings(report.findings)
    if width < 80:  # too narrow for columns: one block per finding
        blocks: list[RenderableType] = [Text("Findings", style="italic")]
        for f in ordered:
            head = Text.assemble(
                (c.OUTCOME_ICON[f.outcome] + " ", OUTCOME_STYLE[f.outcome]),
                (f.check_id, "bold"),
                " ",
                _t(f.slug, "dim"),
                " ",
                (f.severity.value, SEVERITY_STYLE[f.severity]),
            )
            blocks.append(Text.assemble(head, "\n  ", _message(f)))
        return Group(*blocks)
    table = Table(title="Findings", box=box.SIMPLE_HEAD, title_justify="left", expand=True, show_lines=False)
    table.add_column("", no_wrap=True, width=1)
    table.add_column("Check", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Message", ratio=1, min_width=30)
    for f in ordered:
        table.add_row(
            Text(c.OUTCOME_ICON[f.outcome], style=OUTCOME_STYLE[f.outcome]),
            Text.assemble((f.check_id, "bold"), " ", _t(f.slug, "dim"), "\n", (f.attribute.value, "dim italic")),
            Text(f.severity.value, style=SEVERITY_STYLE[f.severity]),
            _message(f),
        )
    return table


def claims_table(report: Report) -> Table:
    table = Table(title="Claims", box=box.SIMPLE_HEAD, title_justify="left", expand=True)
    for col in ("Task", "Dataset", "Split", "Metric", "Value", "Source"):
        table.add_column(col, justify="right" if col == "Value" else "left")
    for cl in report.claims:
        table.add_row(
            _t(cl.task_type), _t(cl.dataset), _t(cl.dataset_split), _t(cl.metric),
            _t(c.fmt_value(cl.value)), _t(cl.source + (" (verified)" if cl.verified else "")),
        )  # fmt: skip
    return table


def _claim_label(m: Measurement) -> str:
    """``task · dataset/split · metric`` of a re-measured claim."""
    return " · ".join(
        [
            c.one_line(m.task or "–"),
            c.one_line(m.dataset or "–") + (f"/{c.one_line(m.split)}" if m.split else ""),
            c.one_line(m.metric or "–"),
        ]
    )


def measurements_table(report: Report, width: int = 100) -> RenderableType:
    if width < 90:  # too narrow for six columns: one line per measurement
        lines: list[RenderableType] = [Text("Re-measured claims", style="italic")]
        for m in report.measurements:
            line = Text.assemble(
                "• ",
                _t(f"{m.task or '–'} · {m.dataset or '–'}/{m.split or '–'} · {m.metric or '–'}"),
                f": claimed {c.fmt_value(m.claimed)}, measured {c.fmt_value(m.measured)} ",
                f"[{c.fmt_value(m.ci_low)}, {c.fmt_value(m.ci_high)}] n={c.fmt_value(m.n)} → ",
                _t(m.verdict.value, BAND_STYLE[c.verdict_band(m.verdict)]),
            )
            if m.reason:
                line.append(" ")
                line.append_text(_t(f"({m.reason})", "dim"))
            lines.append(line)
        return Group(*lines)
    table = Table(title="Re-measured claims", box=box.SIMPLE_HEAD, title_justify="left", expand=True)
    table.add_column("Claim (task · dataset/split · metric)", ratio=1, min_width=22, overflow="fold")
    for col in ("Claimed", "Measured", "95% CI", "n"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("Verdict", ratio=1, min_width=14, overflow="fold")
    for m in report.measurements:
        cell = _t(m.verdict.value, BAND_STYLE[c.verdict_band(m.verdict)])
        if m.reason:
            cell.append("\n")
            cell.append_text(_t(m.reason, "dim"))
        table.add_row(
            Text(_claim_label(m)),
            _t(c.fmt_value(m.claimed)),
            _t(c.fmt_value(m.measured)),
            _t(f"[{c.fmt_value(m.ci_low)}, {c.fmt_value(m.ci_high)}]"),
            _t(c.fmt_value(m.n)),
            cell,
        )
    return table


def lineage_tree(lineage: Lineage) -> RenderableType:
    layout = c.lineage_layout(lineage)
    parents: dict[str, list[tuple[str, str]]] = {}
    for e in layout.edges:
        parents.setdefault(e.child, []).append((e.parent, e.relation.value))

    def label(node: str, relation: str | None = None) -> Text:
        n = layout.nodes.get(node)
        text = Text.assemble(("", ""), _t(node, "bold"))
        lic = c.node_license(n)
        text.append("  ")
        text.append_text(_t(lic or "no licence", "cyan" if lic else "red"))
        klass = c.class_name(n.klass) if n is not None else None
        if klass:
            text.append(" ")
            text.append_text(_t(f"({klass})", "dim"))
        if relation:
            text = Text.assemble(_t(relation, "dim italic"), " ← ", text)
        return text

    roots = layout.levels[0] if layout.levels else []
    group: list[RenderableType] = []
    for root in roots:
        tree = Tree(label(root))
        seen = {root}
        stack = [(tree, root)]
        while stack:
            branch, node = stack.pop()
            for parent, rel in parents.get(node, ()):
                if parent in seen:
                    branch.add(Text.assemble(label(parent, rel), (" (cycle)", "red")))
                    continue
                seen.add(parent)
                stack.append((branch.add(label(parent, rel)), parent))
        group.append(tree)
    if not layout.edges and len(layout.nodes) <= 1:
        group = [Text("No ancestor: the card declares no base model.", style="dim")]
    for conflict in lineage.conflicts:
        group.append(Text.assemble(("conflict: ", "bold red"), _t(c.conflict_text(conflict))))
    for note in c.lineage_notes(lineage):
        group.append(_t(note, "dim"))
    found = [d for d in lineage.datasets if d.found]
    unknown = [d.id for d in lineage.datasets if not d.found]
    for d in found:
        group.append(
            Text.assemble(
                ("dataset ", "dim"),
                _t(d.id, "bold"),
                "  ",
                _t(d.spdx or d.license or "no licence"),
                " ",
                _t(f"({c.class_name(d.klass) or 'unknown'}, commercial: {c.commercial_name(d.klass) or '?'})", "dim"),
            )
        )
    if unknown:
        group.append(_t(f"datasets whose licence was not found ({len(unknown)}): " + ", ".join(unknown), "dim"))
    return Panel(Group(*group), title="Lineage", title_align="left", box=box.ROUNDED)


def license_panel(lic: LicenseAssessment) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in c.license_facts(lic):
        grid.add_row(label, _t(value, BAND_STYLE[c.license_status_band(lic)] if label == "Intended use" else ""))
    return Panel(grid, title="Licence", title_align="left", box=box.ROUNDED)


def scan_table(reports: Sequence[ScanReport], verdict: ScanVerdict) -> RenderableType:
    title = Text.assemble("Serialization scan", ": ", _t(verdict.value, BAND_STYLE[c.scan_band(verdict)]))
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", expand=True)
    table.add_column("File", overflow="fold")
    table.add_column("Format", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Issues / imports", ratio=1, overflow="fold")
    for r in c.scan_rows(reports):
        detail = "; ".join(x for x in (r.issues, r.imports if r.imports != "–" else "") if x)
        table.add_row(_t(r.path), _t(r.format), _t(r.verdict.value, BAND_STYLE[c.scan_band(r.verdict)]), _t(detail or "–"))
    return table


def facts_table(title: str, rows: Sequence[tuple[str, str]]) -> RenderableType:
    """A titled table of (label, value) lines, values shown literally."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", expand=True, show_header=False)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1)
    for k, v in rows:
        table.add_row(_t(k), _t(c.one_line(v, 300)))
    return table


def renderables(report: Report, width: int = 100) -> list[RenderableType]:
    """The report as rich renderables, in display order, for a console ``width`` columns wide."""
    out: list[RenderableType] = [header(report), scores_table(report, width)]
    if report.findings:
        out.append(findings_table(report, width))
    else:
        out.append(Text("No findings.", style="dim"))
    if report.claims:
        out.append(claims_table(report))
    if report.measurements:
        out.append(measurements_table(report, width))
    lic = report.license_checked
    if lic is not None:
        out.append(license_panel(lic))
    lineage = c.lineage_of(report)
    if lineage is not None:
        out.append(lineage_tree(lineage))
    if report.scan_verdict is not None:
        out.append(scan_table(report.scan, report.scan_verdict))
    if report.integrity is not None:
        out.append(facts_table("Integrity", c.integrity_facts(report.integrity)))
    if report.measurements_skipped:
        out.append(Text.assemble(("Claims not re-measured: ", "yellow"), _t(report.measurements_skipped)))
    if report.card_info is not None:
        out.append(facts_table("Card", c.card_facts(report.card_info)))
    problems = report.summary.problems
    if problems:
        t = Text("Problems while collecting evidence:", style="bold yellow")
        for p in problems:
            t.append("\n  ")
            t.append_text(_t(p.path, "bold"))
            t.append(": ")
            t.append_text(_t(p.message))
        out.append(t)
    out.append(Text(f"ptmvet {report.tool_version} · {report.generated_at.isoformat(timespec='seconds')}", style="dim"))
    return out


def print_report(report: Report, console: Console) -> None:
    """Draw the report on a console (the CLI passes its own)."""
    for r in renderables(report, console.width):
        console.print(r)


def render_to_string(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The terminal rendering as a string (plain text unless ``color``), for tests and ``--output``."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
    )
    print_report(report, console)
    return buf.getvalue()


class TerminalFormat:
    """Human-readable report for a terminal (rich)."""

    name = "terminal"
    suffix = ".txt"
    media_type = "text/plain"

    def __init__(self, *, width: int = 100, color: bool = False) -> None:
        self.width = width
        self.color = color

    def render(self, report: Report) -> str:
        return render_to_string(report, width=self.width, color=self.color)
