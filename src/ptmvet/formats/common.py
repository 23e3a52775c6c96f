"""Presentation helpers shared by every format: ordering, labels, numbers.

Nothing here escapes text; each format escapes for its own syntax.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ptmvet.cardinfo import CardInfo
from ptmvet.checks.interface import Attribute, Finding, Outcome, Severity
from ptmvet.evidence import IntegrityInfo
from ptmvet.evidence.licenses import LicenseClass
from ptmvet.evidence.lineage import LicenseConflict, Lineage, LineageEdge, LineageNode
from ptmvet.evidence.measurement import ClaimVerdict
from ptmvet.evidence.scan import GlobalImport, ScanIssue, ScanReport, ScanVerdict
from ptmvet.licenses.compat import Status
from ptmvet.licenses.verdict import LicenseAssessment
from ptmvet.report import Report, not_run_summary

#: Display order of outcomes: what needs attention first.
OUTCOME_ORDER: Mapping[Outcome, int] = {
    Outcome.FAIL: 0,
    Outcome.ERROR: 1,
    Outcome.SKIPPED: 2,
    Outcome.PASS: 3,
    Outcome.NOT_APPLICABLE: 4,
}

#: Short labels that read the same in a terminal, Markdown and HTML.
OUTCOME_LABEL: Mapping[Outcome, str] = {
    Outcome.PASS: "pass",
    Outcome.FAIL: "fail",
    Outcome.ERROR: "error",
    Outcome.SKIPPED: "skipped",
    Outcome.NOT_APPLICABLE: "n/a",
}

#: Plain-text icons (no emoji, so monospaced terminals keep alignment).
OUTCOME_ICON: Mapping[Outcome, str] = {
    Outcome.PASS: "✔",
    Outcome.FAIL: "✘",
    Outcome.ERROR: "!",
    Outcome.SKIPPED: "–",
    Outcome.NOT_APPLICABLE: "·",
}

ATTRIBUTE_TITLE: Mapping[Attribute, str] = {
    Attribute.PROVENANCE: "Provenance",
    Attribute.REPRODUCIBILITY: "Reproducibility",
    Attribute.PORTABILITY: "Portability",
    Attribute.DOCUMENTATION: "Documentation",
    Attribute.LICENSE: "Licence",
    Attribute.INTEGRITY: "Integrity",
    Attribute.SAFETY: "Serialization safety",
    Attribute.CLAIMS: "Performance claims",
    Attribute.MAINTENANCE: "Popularity & maintenance",
}

NOT_ASSESSABLE = "not assessable"

def finding_sort_key(f: Finding) -> tuple[int, int, str]:
    """Failures first, then by severity (worst first), then by check id."""
    return (OUTCOME_ORDER.get(f.outcome, 9), -f.severity.rank, f.check_id)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_sort_key)


def findings_by_attribute(report: Report) -> list[tuple[Attribute, list[Finding]]]:
    """Attributes in their canonical order, each with its sorted findings (empty groups left out)."""
    groups: dict[Attribute, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.attribute, []).append(f)
    return [(a, sorted_findings(groups[a])) for a in Attribute if a in groups]


def score_text(score: float | None) -> str:
    """``7.5/10`` or ``not assessable`` (never 0 for an unassessed attribute)."""
    return NOT_ASSESSABLE if score is None else f"{score:.1f}/10"


def score_band(score: float | None) -> str:
    """A coarse band used for colours: none, low, mid, high."""
    if score is None:
        return "none"
    if score < 4:
        return "low"
    if score < 7:
        return "mid"
    return "high"


def human_bytes(n: Any) -> str:
    if not isinstance(n, (int, float)) or isinstance(n, bool) or n < 0:
        return "–"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover


def human_count(n: Any) -> str:
    if not isinstance(n, (int, float)) or isinstance(n, bool):
        return "–"
    value = float(n)
    for unit, div in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= div:
            return f"{value / div:.1f}{unit}"
    return f"{value:.0f}"


def short_revision(revision: str | None) -> str:
    if not revision:
        return "unknown (not pinned)"
    return revision[:12] if len(revision) == 40 else revision


def fmt_value(value: Any, *, digits: int = 4) -> str:
    """A cell value as text: numbers compactly, lists joined, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.{digits}g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_value(v, digits=digits) for v in value) or "–"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={fmt_value(v, digits=digits)}" for k, v in value.items()) or "–"
    return str(value)


def one_line(text: Any, limit: int = 0) -> str:
    """Collapse whitespace; optionally cut to ``limit`` characters with an ellipsis."""
    s = " ".join(str(text).split())
    if limit and len(s) > limit:
        return s[: max(limit - 1, 1)] + "…"
    return s


def header_facts(report: Report) -> list[tuple[str, str]]:
    """The facts every format shows at the top: (label, value) pairs, plain text."""
    t = report.target
    s = report.summary
    rows: list[tuple[str, str]] = [
        ("Target", t.repo_id or t.name),
        ("Revision", short_revision(t.revision) + ("" if t.pinned else " (not pinned)" if t.revision else "")),
        ("Source", t.source),
        ("Licence", s.license or "none declared"),
    ]
    if s.pipeline_tag:
        rows.append(("Task", s.pipeline_tag))
    if s.library:
        rows.append(("Library", s.library))
    rows.append(("Weight formats", fmt_value(list(s.weight_formats)) if s.weight_formats else "none found"))
    if s.parameters:
        rows.append(("Parameters", human_count(s.parameters)))
    if s.weights_bytes:
        rows.append(("Weights size", human_bytes(s.weights_bytes)))
    if s.base_model:
        rows.append(("Base model", fmt_value(list(s.base_model))))
    if t.local_path:
        rows.append(("Path", t.local_path))
    return rows


def verdict_headline(report: Report) -> str | None:
    """``PASS under policy 'default' — 2 checks could not be run: VET601 (...), ...`` / ``FAIL under policy 'strict': 3 reasons`` (None: no verdict)."""
    v = report.verdict
    if v is None:
        return None
    head = f"{v.decision.value.upper()} under policy {v.policy!r}"
    if v.reasons:
        head += f": {len(v.reasons)} reason{'s' if len(v.reasons) != 1 else ''}"
    elif v.warnings:
        head += f" ({len(v.warnings)} warning{'s' if len(v.warnings) != 1 else ''})"
    if v.not_run:
        # A PASS covers only what ran: name what did not, so it never reads as "everything checked".
        head += " — " + not_run_summary(v.not_run)
    return head


def verdict_reasons(report: Report, limit: int = 5) -> list[str]:
    """Why the report fails its policy, worst first as the gate lists them, cut to ``limit`` lines."""
    reasons = list(report.verdict.reasons) if report.verdict else []
    return reasons[:limit] + ([f"… and {len(reasons) - limit} more"] if len(reasons) > limit else [])


def counts_line(report: Report) -> str:
    parts = [f"{report.count(o)} {OUTCOME_LABEL[o]}" for o in OUTCOME_ORDER if report.count(o)]
    return ", ".join(parts) if parts else "no findings"


@dataclass(frozen=True)
class LineageLayout:
    """Nodes placed in levels: level 0 is the model itself, higher levels are ancestors."""

    levels: list[list[str]]
    level_of: dict[str, int]
    nodes: dict[str, LineageNode | None]  # None: a model named only by an edge
    edges: list[LineageEdge]


def lineage_layout(lineage: Lineage) -> LineageLayout:
    """Place the lineage graph's nodes in levels by longest path from a root child.

    Cycles are tolerated: a node is placed once, at the first level reached.
    Edges naming unknown nodes add those nodes (a missing ancestor still shows).
    """
    nodes: dict[str, LineageNode | None] = {}
    for node in lineage.nodes:
        nodes.setdefault(node.id, node)
    edges = list(lineage.edges)
    parents: dict[str, list[str]] = {}
    has_child: set[str] = set()
    for e in edges:
        nodes.setdefault(e.child, None)
        nodes.setdefault(e.parent, None)
        parents.setdefault(e.child, []).append(e.parent)
        has_child.add(e.parent)
    roots = [n for n in nodes if n not in has_child] or list(nodes)[:1]
    level_of: dict[str, int] = {}
    frontier = [(r, 0) for r in roots]
    while frontier:
        node_id, lvl = frontier.pop(0)
        if node_id in level_of:
            continue
        level_of[node_id] = lvl
        frontier.extend((p, lvl + 1) for p in parents.get(node_id, ()))
    for n in nodes:  # unreachable (pure cycles): put them after the rest
        level_of.setdefault(n, max(level_of.values(), default=-1) + 1)
    depth = max(level_of.values(), default=-1) + 1
    levels: list[list[str]] = [[] for _ in range(depth)]
    for n, lvl in level_of.items():
        levels[lvl].append(n)
    return LineageLayout(levels=levels, level_of=level_of, nodes=nodes, edges=edges)


def class_name(klass: LicenseClass | None) -> str | None:
    """The licence family of a lineage node or dataset (permissive, copyleft, ...), None when unknown."""
    return klass.family.value if klass is not None else None


def commercial_name(klass: LicenseClass | None) -> str | None:
    """Whether a licence allows commercial use (yes, no, conditional, unknown), None when unknown."""
    return klass.commercial.value if klass is not None else None


def node_license(node: LineageNode | None) -> str | None:
    """The licence a lineage node shows: its SPDX id, else the id as declared."""
    return (node.spdx or node.license) if node is not None else None


def lineage_of(report: Report) -> Lineage | None:
    """The report's lineage when it has anything to draw (a node or an edge)."""
    lin = report.lineage
    return lin if lin is not None and (lin.nodes or lin.edges) else None


def conflict_text(conflict: LicenseConflict) -> str:
    """One line for a lineage licence conflict: its reason, else who drops whose restrictions."""
    if conflict.reason:
        return conflict.reason
    return (
        f"{conflict.child} ({conflict.child_license or '?'}) drops restrictions of "
        f"{conflict.ancestor} ({conflict.ancestor_license or '?'})"
    )


def lineage_notes(lineage: Lineage) -> list[str]:
    """Plain-text remarks about a lineage: why it was not looked up, missing ancestors, cycles, truncation."""
    notes: list[str] = []
    if lineage.skipped:
        notes.append(lineage.skipped)
    if lineage.missing:
        notes.append("ancestors named but not found: " + ", ".join(lineage.missing))
    if lineage.renamed:
        notes.append("ancestors found under their new Hub id: " + ", ".join(f"{named} → {found}" for named, found in lineage.renamed))
    for cycle in lineage.cycles:
        notes.append("cycle: " + " → ".join(cycle))
    if lineage.truncated:
        notes.append("lineage truncated (too deep)")
    if lineage.unresolved:
        notes.append("look-ups that failed: " + ", ".join(lineage.unresolved))
    if lineage.review:
        notes.append("needs human review: " + ", ".join(lineage.review))
    return notes


def license_facts(lic: LicenseAssessment) -> list[tuple[str, str]]:
    """(label, value) lines summarising the licence verdict; the detection's details are left to the JSON."""
    rows: list[tuple[str, str]] = []
    klass, use = lic.klass, lic.use
    if klass is not None and lic.spdx:
        rows.append(("SPDX", lic.spdx))
    if klass is not None:
        rows.append(("Class", lic.summary or klass.family.value))
    status = f": {use.status.value}" if use is not None else ""
    rows.append(("Intended use", f"{lic.intended_use.value}{status}"))
    if use is not None:
        rows.extend(("Reason", r) for r in use.reasons)
        rows.extend(("Duty", d) for d in use.duties)
    rows.extend(("Disagreement", d) for d in lic.detection.disagreements)
    if klass is not None and klass.source:
        rows.append(("Classified from", klass.source))
    return rows


def license_status_band(lic: LicenseAssessment) -> str:
    """Colour band of the intended-use verdict (none when no licence was found to judge)."""
    if lic.use is None:
        return "none"
    return {Status.OK: "high", Status.REVIEW: "mid", Status.CONFLICT: "low"}[lic.use.status]


def global_text(g: GlobalImport) -> str:
    """One global a pickle imports: verdict, ``module.name``, where, and why (as ``ptmvet scan`` words it)."""
    where = f" [{g.location}]" if g.location else ""
    return f"{g.verdict.value}: {g.qualname}{where} — {g.reason}"


def issue_text(i: ScanIssue) -> str:
    """One problem the scanner found in a file: verdict, message, where."""
    where = f" [{i.location}]" if i.location else ""
    return f"{i.verdict.value}: {i.message}{where}"


@dataclass(frozen=True)
class ScanRow:
    """One scanned file as every format shows it (plain text, escaped by each format)."""

    path: str
    format: str
    verdict: ScanVerdict
    issues: str  # "" when none
    imports: str  # the globals not on the allowlist, or how many are


def scan_rows(reports: Sequence[ScanReport]) -> list[ScanRow]:
    """One row per scanned file.

    Globals on the allowlist are counted, not listed; a file that imports nothing else says so.
    """
    rows = []
    for r in reports:
        flagged = [g for g in r.globals if g.verdict is not ScanVerdict.SAFE]
        if flagged:
            imports = "; ".join(one_line(global_text(g), 160) for g in flagged[:10])
            imports += f"; +{len(flagged) - 10} more" if len(flagged) > 10 else ""
        elif r.globals:
            imports = f"{len(r.globals)} global(s), all on the allowlist"
        else:
            imports = "–"
        issues = "; ".join(one_line(issue_text(i), 160) for i in r.issues)
        rows.append(ScanRow(r.path or "–", r.format or "–", r.verdict, issues, imports))
    return rows


def integrity_facts(info: IntegrityInfo) -> list[tuple[str, str]]:
    """(label, value) lines of what hashing the local files established; what could not be hashed is said."""
    rows = [
        ("Files hashed", fmt_value(len(info.hashes))),
        ("Bytes hashed", human_bytes(info.bytes_hashed)),
        ("Expected digests", fmt_value(len(info.expected)) if info.expected else "none published"),
    ]
    sig = info.signature
    if sig is None:
        rows.append(("Signature", "none"))
    else:
        state = {True: "verified", False: "does not verify", None: "not authenticated"}[sig.verified]
        rows.append(("Signature", f"{sig.path} ({state})"))
    if info.unreadable:
        rows.append(("Not hashed", ", ".join(info.unreadable[:20]) + (f" +{len(info.unreadable) - 20} more" if len(info.unreadable) > 20 else "")))
    return rows


def card_facts(info: CardInfo) -> list[tuple[str, str]]:
    """(label, value) lines of what the card says, each fact with its source in brackets."""
    task = info.task
    rows = [("Task", f"{task.task} ({task.source})" if task.task else "not stated")]
    if info.datasets:
        rows.append(("Datasets", ", ".join(f"{d.id} ({d.source})" for d in info.datasets)))
    if info.base_models:
        rows.append(("Base models", ", ".join(f"{b.id} ({b.strength})" for b in info.base_models)))
    claims = [
        f"{t.claim.metric} {t.claim.value:g} on {t.claim.dataset or '?'}{'/' + t.claim.dataset_split if t.claim.dataset_split else ''}"
        f" ({t.claim.source}, confidence {t.confidence:g})"
        for t in info.text_claims[:20]
        if t.claim.value is not None
    ]
    if claims:
        rows.append(("Claims in the text", "; ".join(claims)))
    return rows


#: Colour band of each scan verdict.
SCAN_BAND: Mapping[ScanVerdict, str] = {
    ScanVerdict.SKIPPED: "none",
    ScanVerdict.SAFE: "high",
    ScanVerdict.UNKNOWN: "mid",
    ScanVerdict.ERROR: "mid",
    ScanVerdict.MALFORMED: "low",
    ScanVerdict.DANGEROUS: "low",
}

#: Colour band of each measurement verdict.
CLAIM_BAND: Mapping[ClaimVerdict, str] = {
    ClaimVerdict.CONSISTENT: "high",
    ClaimVerdict.UNDERSTATED: "high",
    ClaimVerdict.OVERSTATED: "low",
    ClaimVerdict.NOT_VERIFIABLE: "none",
    ClaimVerdict.LABEL_MAP_SUSPECT: "none",
}


def scan_band(verdict: ScanVerdict) -> str:
    return SCAN_BAND[verdict]


def verdict_band(verdict: ClaimVerdict) -> str:
    """Colour band of a measurement verdict."""
    return CLAIM_BAND[verdict]


def worst(findings: Sequence[Finding]) -> Severity | None:
    fails = [f for f in findings if f.outcome is Outcome.FAIL]
    return max((f.severity for f in fails), key=lambda s: s.rank) if fails else None
