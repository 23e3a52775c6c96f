"""Presentation helpers shared by every format: ordering, labels, numbers.

Nothing here escapes text; each format escapes for its own syntax.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ptmvet.checks.interface import Attribute, Finding, Outcome, Severity
from ptmvet.report import Report

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

#: Measurement keys every format shows, in order (issue: reproduce, JSON contract).
MEASUREMENT_COLUMNS: tuple[str, ...] = (
    "task", "dataset", "split", "metric", "claimed", "measured", "ci_low", "ci_high", "n", "verdict",
)  # fmt: skip


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
    """``PASS under policy 'default'`` / ``FAIL under policy 'strict': 3 reasons`` (None: the report has no verdict)."""
    v = report.verdict
    if v is None:
        return None
    head = f"{v.decision.value.upper()} under policy {v.policy!r}"
    if v.reasons:
        head += f": {len(v.reasons)} reason{'s' if len(v.reasons) != 1 else ''}"
    elif v.warnings:
        head += f" ({len(v.warnings)} warning{'s' if len(v.warnings) != 1 else ''})"
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
    nodes: dict[str, Mapping[str, Any]]
    edges: list[Mapping[str, Any]]


def lineage_layout(lineage: Mapping[str, Any]) -> LineageLayout:
    """Place the lineage graph's nodes in levels by longest path from a root child.

    Cycles are tolerated: a node is placed once, at the first level reached.
    Edges naming unknown nodes add those nodes (a missing ancestor still shows).
    """
    nodes: dict[str, Mapping[str, Any]] = {}
    for raw in _dicts(lineage.get("nodes")):
        if raw.get("id") is not None:
            nodes.setdefault(str(raw["id"]), raw)
    edges = [e for e in _dicts(lineage.get("edges")) if e.get("child") is not None and e.get("parent") is not None]
    parents: dict[str, list[str]] = {}
    has_child: set[str] = set()
    for e in edges:
        c, p = str(e["child"]), str(e["parent"])
        nodes.setdefault(c, {"id": c})
        nodes.setdefault(p, {"id": p})
        parents.setdefault(c, []).append(p)
        has_child.add(p)
    roots = [n for n in nodes if n not in has_child] or list(nodes)[:1]
    level_of: dict[str, int] = {}
    frontier = [(r, 0) for r in roots]
    while frontier:
        node, lvl = frontier.pop(0)
        if node in level_of:
            continue
        level_of[node] = lvl
        frontier.extend((p, lvl + 1) for p in parents.get(node, ()))
    for n in nodes:  # unreachable (pure cycles): put them after the rest
        level_of.setdefault(n, max(level_of.values(), default=-1) + 1)
    depth = max(level_of.values(), default=-1) + 1
    levels: list[list[str]] = [[] for _ in range(depth)]
    for n, lvl in level_of.items():
        levels[lvl].append(n)
    return LineageLayout(levels=levels, level_of=level_of, nodes=nodes, edges=edges)


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def measurement_rows(report: Report) -> list[Mapping[str, Any]]:
    """The ``measurements`` section's rows (dicts), or an empty list."""
    return _dicts(report.sections.get("measurements"))


def lineage_section(report: Report) -> Mapping[str, Any] | None:
    value = report.sections.get("lineage")
    return value if isinstance(value, Mapping) and (value.get("nodes") or value.get("edges")) else None


#: Sections with a dedicated rendering; any other section is shown generically.
KNOWN_SECTIONS = frozenset({"measurements", "lineage", "license", "scan"})


def other_sections(report: Report) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in report.sections.items() if k not in KNOWN_SECTIONS and v not in (None, {}, [])]


def conflict_text(conflict: Any) -> str:
    """One line for a lineage licence conflict (a dict with ``reason`` or free text)."""
    if isinstance(conflict, Mapping):
        if conflict.get("reason"):
            return str(conflict["reason"])
        if conflict.get("child") and conflict.get("ancestor"):
            return (
                f"{conflict['child']} ({conflict.get('child_license') or '?'}) drops restrictions of "
                f"{conflict['ancestor']} ({conflict.get('ancestor_license') or '?'})"
            )
    return fmt_value(conflict)


def lineage_notes(lineage: Mapping[str, Any]) -> list[str]:
    """Plain-text remarks about a lineage: why it was not looked up, missing ancestors, cycles, truncation."""
    notes: list[str] = []
    if lineage.get("skipped"):
        notes.append(str(lineage["skipped"]))
    missing = [str(m) for m in lineage.get("missing") or []]
    if missing:
        notes.append("ancestors named but not found: " + ", ".join(missing))
    renamed = [r for r in lineage.get("renamed") or [] if isinstance(r, Mapping)]
    if renamed:
        notes.append("ancestors found under their new Hub id: " + ", ".join(f"{r.get('named')} → {r.get('found')}" for r in renamed))
    for cycle in lineage.get("cycles") or []:
        notes.append("cycle: " + " → ".join(str(x) for x in cycle) if isinstance(cycle, list) else f"cycle: {cycle}")
    if lineage.get("truncated"):
        notes.append("lineage truncated (too deep)")
    unresolved = [str(u) for u in lineage.get("unresolved") or []]
    if unresolved:
        notes.append("look-ups that failed: " + ", ".join(unresolved))
    review = [str(r) for r in lineage.get("review") or []]
    if review:
        notes.append("needs human review: " + ", ".join(review))
    return notes


def lineage_datasets(lineage: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return _dicts(lineage.get("datasets"))


def license_section(report: Report) -> Mapping[str, Any] | None:
    value = report.sections.get("license")
    return value if isinstance(value, Mapping) and value else None


def license_facts(section: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines summarising the ``license`` section; unknown keys are left to the JSON."""
    rows: list[tuple[str, str]] = []
    klass = as_mapping(section.get("class"))
    if section.get("spdx"):
        rows.append(("SPDX", str(section["spdx"])))
    if section.get("summary"):
        rows.append(("Class", str(section["summary"])))
    elif klass.get("family"):
        rows.append(("Class", str(klass["family"])))
    verdict = as_mapping(section.get("use_verdict"))
    if section.get("intended_use"):
        status = f": {verdict['status']}" if verdict.get("status") else ""
        rows.append(("Intended use", f"{section['intended_use']}{status}"))
    for reason in verdict.get("reasons") or []:
        rows.append(("Reason", fmt_value(reason)))
    for duty in verdict.get("duties") or []:
        rows.append(("Duty", fmt_value(duty)))
    detection = as_mapping(section.get("detection"))
    for d in detection.get("disagreements") or []:
        rows.append(("Disagreement", fmt_value(d)))
    if klass.get("source"):
        rows.append(("Classified from", str(klass["source"])))
    return rows


def license_status_band(section: Mapping[str, Any]) -> str:
    verdict = as_mapping(section.get("use_verdict"))
    status = str(verdict.get("status") or "")
    return {"ok": "high", "review": "mid", "conflict": "low"}.get(status, "none")


def scan_section(report: Report) -> Mapping[str, Any] | None:
    value = report.sections.get("scan")
    return value if isinstance(value, Mapping) and value else None


def scan_rows(section: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row per scanned file: path, format, verdict, issues, globals (all plain text)."""
    rows = []
    for f in _dicts(section.get("files")):
        issues = f.get("issues") or []
        rows.append(
            {
                "path": str(f.get("path") or "–"),
                "format": str(f.get("format") or "–"),
                "verdict": str(f.get("verdict") or "–"),
                "issues": "; ".join(one_line(fmt_value(i), 160) for i in issues)
                if isinstance(issues, list)
                else fmt_value(issues),
                "globals": one_line(fmt_value(f.get("globals") or []), 200),
            }
        )
    return rows


def scan_band(verdict: Any) -> str:
    return {"safe": "high", "unknown": "mid", "error": "mid", "malformed": "low", "dangerous": "low"}.get(
        str(verdict), "none"
    )


def verdict_band(verdict: Any) -> str:
    """Colour band of a measurement verdict."""
    return {"consistent": "high", "understated": "high", "overstated": "low"}.get(str(verdict), "none")


def worst(findings: Sequence[Finding]) -> Severity | None:
    fails = [f for f in findings if f.outcome is Outcome.FAIL]
    return max((f.severity for f in fails), key=lambda s: s.rank) if fails else None
