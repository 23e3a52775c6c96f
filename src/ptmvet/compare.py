"""Compare candidate models side by side and rank them under a policy.

    from ptmvet.compare import compare
    result = compare(["org/a", "org/b"], policy=Policy.default())
    result.ranked[0].name          # the best candidate

Ranking (documented in docs/bom.md, "Ranking candidates"):

1. candidates that pass the policy's gate come first;
2. then by the **weighted mean of the assessed attribute scores**
   (:data:`WEIGHTS`; an attribute that could not be assessed is left out of
   the mean, never counted as 0; a candidate with no assessed attribute
   sorts last);
3. ties are broken by fewer failing findings of high or critical severity,
   then by fewer failing findings in all, then by name.

Renderers: :func:`render_terminal` (rich table), :func:`render_json`,
:func:`render_html` (one self-contained page with a grouped bar chart).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ptmvet.checks.interface import Attribute, Outcome, Severity
from ptmvet.errors import UsageError
from ptmvet.formats.common import human_bytes, human_count
from ptmvet.pipeline import VetOptions, vet
from ptmvet.policy import GateResult, GateStatus, Policy, gate
from ptmvet.progress import Progress
from ptmvet.report import Report

#: Weight of each attribute in the comparison score. Safety and licence decide
#: whether a model may be reused at all, so they weigh double; claims and
#: integrity decide whether it is what it says it is.
WEIGHTS: Mapping[Attribute, float] = {
    Attribute.SAFETY: 2.0,
    Attribute.LICENSE: 2.0,
    Attribute.INTEGRITY: 1.5,
    Attribute.CLAIMS: 1.5,
    Attribute.PROVENANCE: 1.0,
    Attribute.REPRODUCIBILITY: 1.0,
    Attribute.DOCUMENTATION: 1.0,
    Attribute.PORTABILITY: 1.0,
    Attribute.MAINTENANCE: 0.5,
}

#: Attributes drawn in the chart and shown as columns, in this order.
ATTRIBUTES: tuple[Attribute, ...] = tuple(Attribute)
_SHORT = {a: a.value[:4] for a in ATTRIBUTES} | {Attribute.DOCUMENTATION: "docs", Attribute.LICENSE: "lic", Attribute.MAINTENANCE: "mnt"}
_GENERIC = frozenset({"model", "models", "snapshot", "checkpoint", "weights", "main"})


def weighted_score(scores: Mapping[Attribute, float | None], weights: Mapping[Attribute, float] = WEIGHTS) -> float | None:
    """Weighted mean of the assessed attribute scores (0..10), or None when none was assessed."""
    num = den = 0.0
    for attr, score in scores.items():
        w = weights.get(attr, 1.0)
        if score is None or w <= 0:
            continue
        num += w * score
        den += w
    return round(num / den, 2) if den else None


@dataclass(frozen=True)
class Candidate:
    """One compared model: its report, the policy's decision, and the facts shown in the table."""

    ref: str
    report: Report
    gate: GateResult
    score: float | None
    rank: int = 0

    @property
    def name(self) -> str:
        t = self.report.target
        if t.repo_id:
            return t.repo_id
        if t.name.lower() in _GENERIC and t.local_path:
            # "model", "snapshot" ... say nothing: keep the folder above too.
            return "/".join(Path(t.local_path).parts[-2:])
        return t.name

    @property
    def weights_bytes(self) -> int | None:
        """Bytes of the weights in one format (the largest), from VET303 when it knows them.

        Falls back to the summary, which counts local bytes (an LFS pointer counts as its pointer).
        """
        for f in self.report.findings:
            sizes = f.details.get("weights_bytes") if f.check_id == "VET303" else None
            if isinstance(sizes, Mapping):
                vals = [v for v in sizes.values() if isinstance(v, int) and not isinstance(v, bool)]
                if vals:
                    return max(vals)
        value = self.report.summary.get("weights_bytes")
        return value if isinstance(value, int) else None

    @property
    def passed(self) -> bool:
        return self.gate.passed

    @property
    def high_failures(self) -> int:
        return sum(1 for f in self.report.failures if f.severity.rank >= Severity.HIGH.rank)

    @property
    def failures(self) -> int:
        return len(self.report.failures)

    @property
    def assessed(self) -> int:
        return sum(1 for s in self.report.scores.values() if s is not None)

    def license_facts(self) -> dict[str, Any]:
        lic: Mapping[str, Any] = self.report.sections.get("license") or {}
        klass: Mapping[str, Any] = lic["class"] if isinstance(lic.get("class"), Mapping) else {}
        verdict: Mapping[str, Any] = lic["use_verdict"] if isinstance(lic.get("use_verdict"), Mapping) else {}
        return {
            "spdx": lic.get("spdx") or self.report.summary.get("license"),
            "class": klass.get("family") or ("none" if not lic.get("spdx") else "unknown"),
            "use": lic.get("intended_use"),
            "status": verdict.get("status") or ("conflict" if not lic.get("spdx") else "review"),
            "reasons": list(verdict.get("reasons") or ([] if lic.get("spdx") else ["no licence declared"])),
        }

    def claims(self) -> list[dict[str, Any]]:
        return [
            {"metric": c.metric, "dataset": c.dataset, "split": c.dataset_split, "value": c.value}
            for c in self.report.claims
            if c.value is not None
        ]

    def measurements(self) -> list[dict[str, Any]]:
        rows = self.report.sections.get("measurements")
        if not isinstance(rows, list):
            return []
        keys = ("task", "dataset", "split", "metric", "claimed", "measured", "ci_low", "ci_high", "n", "verdict")
        return [{k: r.get(k) for k in keys} for r in rows if isinstance(r, Mapping)]

    def to_dict(self) -> dict[str, Any]:
        s = self.report.summary
        return {
            "rank": self.rank,
            "name": self.name,
            "ref": self.ref,
            "passed": self.passed,
            "score": self.score,
            "assessed_attributes": self.assessed,
            "high_failures": self.high_failures,
            "failures": self.failures,
            "scores": {a.value: self.report.scores.get(a) for a in ATTRIBUTES},
            "license": self.license_facts(),
            "parameters": s.get("parameters"),
            "weights_bytes": self.weights_bytes,
            "weight_formats": list(s.get("weight_formats") or ()),
            "claims": self.claims(),
            "measurements": self.measurements(),
            "gate": [i.to_dict() for i in self.gate.items if i.status is not GateStatus.WAIVED] + [
                i.to_dict() for i in self.gate.items if i.status is GateStatus.WAIVED
            ],
        }


def _sort_key(c: Candidate) -> tuple[int, float, int, int, str]:
    return (0 if c.passed else 1, -(c.score if c.score is not None else -1.0), c.high_failures, c.failures, c.name)


def rank(reports: Iterable[tuple[str, Report]], policy: Policy, *, today: date | None = None, weights: Mapping[Attribute, float] = WEIGHTS) -> list[Candidate]:
    """Gate and score each report, then order them (see the module docs)."""
    cands = [Candidate(ref, r, gate(r, policy, today=today), weighted_score(r.scores, weights)) for ref, r in reports]
    ordered = sorted(cands, key=_sort_key)
    return [Candidate(c.ref, c.report, c.gate, c.score, i + 1) for i, c in enumerate(ordered)]


@dataclass(frozen=True)
class Comparison:
    """The ranked candidates and what they were compared under."""

    ranked: tuple[Candidate, ...]
    policy: Policy
    intended_use: str
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": "1.0",
            "generated_at": self.generated_at.isoformat(),
            "policy": {"name": self.policy.name, "source": self.policy.source},
            "intended_use": self.intended_use,
            "weights": {a.value: w for a, w in WEIGHTS.items()},
            "candidates": [c.to_dict() for c in self.ranked],
        }


def compare(
    refs: Sequence[str | Path],
    options: VetOptions | None = None,
    *,
    policy: Policy | None = None,
    progress: Progress | None = None,
    vetter: Callable[[str | Path, VetOptions, Progress | None], Report] = vet,
) -> Comparison:
    """Vet every candidate with the same options and rank them under ``policy``."""
    if len(refs) < 1:
        raise UsageError("compare needs at least one model", hint="ptmvet compare MODEL_A MODEL_B ...")
    options = options or VetOptions.default()
    policy = policy or Policy.default()
    reports: list[tuple[str, Report]] = []
    for i, ref in enumerate(refs):
        if progress:
            progress(i, len(refs), f"vetting {ref}")
        reports.append((str(ref), vetter(ref, options, progress)))
    if progress:
        progress(len(refs), len(refs), "ranking")
    return Comparison(ranked=tuple(rank(reports, policy)), policy=policy, intended_use=options.intended_use)


# --------------------------------------------------------------------------- rendering


def _fmt_score(s: float | None) -> str:
    return "—" if s is None else f"{s:.1f}"


def _claims_text(c: Candidate, limit: int = 3) -> str:
    items = [f"{x['metric']} {x['value']:g}" + (f" ({x['dataset']})" if x["dataset"] else "") for x in c.claims()]
    more = f" +{len(items) - limit}" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more if items else "—"


def _measured_text(c: Candidate) -> str:
    rows = c.measurements()
    if not rows:
        return "—"
    out = []
    for r in rows[:3]:
        m = r.get("measured")
        ci = f" [{r['ci_low']:.3g}, {r['ci_high']:.3g}]" if isinstance(r.get("ci_low"), (int, float)) and isinstance(r.get("ci_high"), (int, float)) else ""
        out.append(f"{r.get('metric')} {m:.3g}{ci} {r.get('verdict') or ''}".strip() if isinstance(m, (int, float)) else f"{r.get('metric')}: {r.get('verdict') or 'not measured'}")
    return "; ".join(out)


def _gate_reasons(c: Candidate, limit: int = 3) -> list[str]:
    fails = [i.message for i in c.gate.items if i.status is GateStatus.FAIL]
    return fails[:limit] + ([f"… and {len(fails) - limit} more"] if len(fails) > limit else [])


def render_json(result: Comparison) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def render_terminal(result: Comparison, *, width: int | None = 180, color: bool = False) -> str:
    """A rich table (captured to text): one row per candidate, best first."""
    from rich.console import Console
    from rich.table import Table

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
        cells = [
            str(c.rank),
            c.name,
            "[green]PASS[/]" if c.passed else "[red]FAIL[/]",
            _fmt_score(c.score),
            *(_fmt_score(c.report.scores.get(a)) for a in ATTRIBUTES),
            f"{lic['spdx'] or 'none'} ({lic['class']}) {lic['status']}",
            f"{human_bytes(c.weights_bytes)}, {human_count(c.report.summary.get('parameters'))} params",
            ", ".join(c.report.summary.get("weight_formats") or ()) or "—",
        ]
        if any_claims:
            cells.append(_claims_text(c))
        if any_measured:
            cells.append(_measured_text(c))
        table.add_row(*cells)
    console = Console(width=width, record=True, force_terminal=color, color_system="standard" if color else None, file=io.StringIO())
    console.print(table)
    lines = ["", "Why candidates fail the gate:"]
    for c in result.ranked:
        for reason in _gate_reasons(c):
            lines.append(f"  {c.rank}. {c.name}: {reason}")
    if len(lines) == 2:
        lines = []
    lines.append("")
    lines.append("score: weighted mean of assessed attribute scores (safety, licence x2; integrity, claims x1.5; maintenance x0.5); — = not assessable")
    return console.export_text(styles=color) + "\n".join(lines)


# Colours of the chart's series (one per candidate), distinguishable in grey scale too.
SERIES = ("#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#57606a", "#0a3069")


def grouped_bars_svg(result: Comparison, *, width: int = 980) -> str:
    """Grouped bars: one group per attribute, one bar per candidate; hatched = not assessable."""
    from ptmvet.formats.html import esc

    cands = result.ranked
    n = max(len(cands), 1)
    left, top, bottom = 44, 16, 64
    plot_h = 260
    group_w = (width - left - 10) / len(ATTRIBUTES)
    bar_w = max(min((group_w - 14) / n, 26), 3)
    height = top + plot_h + bottom + 22 * ((n + 2) // 3)
    out = [
        f'<svg class="chart cmp" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Attribute scores per candidate">',
        "<title>Attribute scores per candidate (0 to 10)</title>",
        '<defs><pattern id="cmpna" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f6f8fa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d0d7de" stroke-width="3"/></pattern></defs>',
    ]
    for tick in range(0, 11, 2):
        y = top + plot_h - plot_h * tick / 10
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" class="tick" text-anchor="end">{tick}</text>')
    for gi, attr in enumerate(ATTRIBUTES):
        gx = left + gi * group_w + (group_w - bar_w * n) / 2
        for ci, c in enumerate(cands):
            x = gx + ci * bar_w
            score = c.report.scores.get(attr)
            label = f"{c.name} — {attr.value}: {'not assessable' if score is None else f'{score:.1f}'}"
            if score is None:
                out.append(
                    f'<rect x="{x:.1f}" y="{top}" width="{bar_w - 2:.1f}" height="{plot_h}" fill="url(#cmpna)" opacity="0.8">'
                    f"<title>{esc(label)}</title></rect>"
                )
                continue
            h = max(plot_h * score / 10, 1.5)
            out.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" rx="2" '
                f'fill="{SERIES[ci % len(SERIES)]}"><title>{esc(label)}</title></rect>'
            )
        out.append(
            f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{top + plot_h + 18}" class="label" text-anchor="middle">{esc(attr.value)}</text>'
        )
    ly = top + plot_h + 44
    for ci, c in enumerate(cands):
        lx = left + (ci % 3) * ((width - left) / 3)
        y = ly + (ci // 3) * 22
        out.append(f'<rect x="{lx:.1f}" y="{y - 10}" width="12" height="12" rx="2" fill="{SERIES[ci % len(SERIES)]}"/>')
        out.append(f'<text x="{lx + 18:.1f}" y="{y}" class="label">{esc(f"{c.rank}. {c.name}")}</text>')
    out.append("</svg>")
    return "".join(out)


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


def render_html(result: Comparison) -> str:
    """One self-contained HTML page: ranking table, chart, details. Every value is escaped."""
    from ptmvet.formats.html import badge, esc, page, table

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
        status_kind = {"ok": "pass", "conflict": "fail", "review": "skipped"}.get(str(lic["status"]), "none")
        rows.append(
            [
                f'<span class="rank">{c.rank}</span>',
                f'<span class="sw" style="background:{SERIES[i % len(SERIES)]}"></span><span class="name">{esc(c.name)}</span>'
                + (f'<ul class="reasons">{reasons}</ul>' if reasons else ""),
                badge("pass" if c.passed else "fail", "pass" if c.passed else "fail"),
                f'<span class="scorebig">{esc(_fmt_score(c.score))}</span><div class="muted">{c.assessed}/{len(ATTRIBUTES)} assessed</div>',
                f"{esc(lic['spdx'] or 'no licence')}<div class=muted>{esc(lic['class'] if lic['spdx'] else 'all rights reserved')}</div>"
                f"{badge(lic['status'], status_kind)}",
                f"{esc(human_bytes(c.weights_bytes))}<div class=muted>{esc(human_count(c.report.summary.get('parameters')))} params</div>",
                esc(", ".join(c.report.summary.get("weight_formats") or ()) or "—"),
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
            claim_rows.append([esc(c.name), "claimed", esc(x["metric"]), esc(x["dataset"] or ""), esc(x["split"] or ""), esc(f"{x['value']:g}"), "", ""])
        for r in c.measurements():
            m = r.get("measured")
            ci = (
                f"[{r['ci_low']:.3g}, {r['ci_high']:.3g}]"
                if isinstance(r.get("ci_low"), (int, float)) and isinstance(r.get("ci_high"), (int, float))
                else ""
            )
            claim_rows.append(
                [esc(c.name), "re-measured", esc(r.get("metric")), esc(r.get("dataset") or ""), esc(r.get("split") or ""),
                 esc(f"{m:.4g}" if isinstance(m, (int, float)) else "—"), esc(ci), esc(r.get("verdict") or "")]
            )
    claims_html = (
        table(["Model", "Kind", "Metric", "Dataset", "Split", "Value", "95% CI", "Verdict"], claim_rows, numeric=(5,))
        if claim_rows
        else '<p class="note">No candidate states machine-readable performance claims, and no evaluation data was given '
        "(<code>--data-dir</code>) to re-measure them.</p>"
    )
    body = (
        head
        + f'<div class="card"><h2>Ranking</h2>{ranking}</div>'
        + f'<div class="card"><h2>Attribute scores</h2>{grouped_bars_svg(result)}'
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


FORMATS: Mapping[str, Callable[[Comparison], str]] = {
    "terminal": render_terminal,
    "json": render_json,
    "html": render_html,
}


def render(result: Comparison, fmt: str) -> str:
    fn = FORMATS.get(fmt)
    if fn is None:
        raise UsageError(f"unknown compare format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    return fn(result)


__all__ = [
    "ATTRIBUTES",
    "FORMATS",
    "WEIGHTS",
    "Candidate",
    "Comparison",
    "Outcome",
    "compare",
    "grouped_bars_svg",
    "rank",
    "render",
    "render_html",
    "render_json",
    "render_terminal",
    "weighted_score",
]
