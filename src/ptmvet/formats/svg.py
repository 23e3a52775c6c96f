"""Inline SVG charts for self-contained HTML pages (no scripts, no external URLs).

Every label is escaped with :func:`esc`; numbers are formatted by us. The
charts are plain ``<svg>`` strings meant to be placed inside a page built by
:func:`ptmvet.formats.page.page`, whose stylesheet gives them their fonts.
Every chart of every page lives here: score bars, intervals, lineage graphs,
grouped bars (compare) and count bars (study).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ptmvet.evidence.lineage import Lineage
from ptmvet.formats import common as c

#: Colours of score bands (see :func:`ptmvet.formats.common.score_band`).
BAND_COLOUR: Mapping[str, str] = {"high": "#2da44e", "mid": "#d4a72c", "low": "#cf222e", "none": "#8c959f"}

#: Licence class keyword -> (fill, stroke) of a lineage node.
LICENSE_CLASS_COLOUR: tuple[tuple[str, tuple[str, str]], ...] = (
    ("non-commercial", ("#ffebe9", "#cf222e")),
    ("noncommercial", ("#ffebe9", "#cf222e")),
    ("proprietary", ("#ffebe9", "#cf222e")),
    ("copyleft", ("#ddf4ff", "#0969da")),
    ("share-alike", ("#ddf4ff", "#0969da")),
    ("rail", ("#fff8c5", "#9a6700")),
    ("restrict", ("#fff8c5", "#9a6700")),
    ("permissive", ("#dafbe1", "#1a7f37")),
    ("public-domain", ("#dafbe1", "#1a7f37")),
)
UNKNOWN_CLASS_COLOUR = ("#f6f8fa", "#6e7781")


def esc(value: Any) -> str:
    """Escape any value for HTML text *and* attribute values (``quote=True``); None becomes ''."""
    return "" if value is None else html.escape(str(value), quote=True)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _uid(*parts: Any) -> str:
    return "p" + hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:8]


def bar_chart_svg(
    items: Sequence[tuple[str, float | None]],
    *,
    max_value: float = 10.0,
    width: int = 940,
    label_width: int = 200,
    row_height: int = 30,
    title: str = "Scores",
    na_label: str = c.NOT_ASSESSABLE,
    value_format: str = "{:.1f}",
    value_text: Callable[[float], str] | None = None,
    colour: str | None = None,
) -> str:
    """A horizontal bar chart: one row per ``(label, value)``.

    ``None`` is drawn as a hatched, empty track labelled ``na_label`` so that
    "not assessable" never looks like zero. Bars are coloured by score band
    relative to ``max_value`` (below 40 % red, below 70 % amber, else green),
    or all in ``colour`` when the values are counts rather than scores.
    Values are written with ``value_text`` when given, else ``value_format``.
    Returns an ``<svg>`` element as a string.
    """
    show = value_text or value_format.format
    pid = _uid(tuple(items), max_value, width)
    value_w = 120
    track_w = max(width - label_width - value_w, 60)
    top = 22
    height = top + row_height * len(items) + 8
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{esc(title)}">',
        f"<title>{esc(title)}</title>",
        f'<defs><pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#f6f8fa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d0d7de" stroke-width="3"/>'
        f"</pattern></defs>",
    ]
    for i in range(5):
        frac = i / 4
        x = label_width + frac * track_w
        out.append(f'<line x1="{_num(x)}" y1="{top - 4}" x2="{_num(x)}" y2="{height - 6}" class="grid"/>')
        out.append(
            f'<text x="{_num(x)}" y="{top - 8}" class="tick" text-anchor="middle">{_num(frac * max_value)}</text>'
        )
    for i, (label, value) in enumerate(items):
        y = top + i * row_height
        bar_h = row_height - 12
        by = y + 6
        out.append(
            f'<text x="{label_width - 10}" y="{_num(by + bar_h / 2 + 4.5)}" class="label" text-anchor="end">{esc(label)}</text>'
        )
        if value is None:
            out.append(
                f'<rect x="{label_width}" y="{by}" width="{_num(track_w)}" height="{bar_h}" rx="3" fill="url(#{pid})">'
                f"<title>{esc(label)}: {esc(na_label)}</title></rect>"
            )
            out.append(
                f'<text x="{_num(label_width + track_w + 8)}" y="{_num(by + bar_h / 2 + 4.5)}" class="na">{esc(na_label)}</text>'
            )
            continue
        v = max(0.0, min(float(value), max_value))
        frac = v / max_value if max_value else 0.0
        fill = colour or BAND_COLOUR[c.score_band(frac * 10)]
        out.append(f'<rect x="{label_width}" y="{by}" width="{_num(track_w)}" height="{bar_h}" rx="3" class="track"/>')
        out.append(
            f'<rect x="{label_width}" y="{by}" width="{_num(max(frac * track_w, 2.0))}" height="{bar_h}" rx="3" fill="{fill}">'
            f"<title>{esc(label)}: {esc(show(value))}</title></rect>"
        )
        out.append(
            f'<text x="{_num(label_width + track_w + 8)}" y="{_num(by + bar_h / 2 + 4.5)}" class="value">'
            f"{esc(show(value))}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def interval_svg(
    measured: float | None,
    ci_low: float | None,
    ci_high: float | None,
    claimed: float | None,
    *,
    width: int = 180,
    height: int = 26,
    colour: str = "#0969da",
) -> str:
    """A small dot-and-whisker: the measured value with its interval, and the claim as a red tick."""
    values = [v for v in (measured, ci_low, ci_high, claimed) if isinstance(v, (int, float))]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.15 or abs(hi) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad

    def x(v: float) -> float:
        return 6 + (v - lo) / (hi - lo) * (width - 12)

    mid = height / 2
    out = [
        f'<svg class="interval" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="measured {esc(measured)} [{esc(ci_low)}, {esc(ci_high)}], claimed {esc(claimed)}">',
        f'<line x1="6" y1="{_num(mid)}" x2="{width - 6}" y2="{_num(mid)}" stroke="#d0d7de" stroke-width="1"/>',
    ]
    if isinstance(ci_low, (int, float)) and isinstance(ci_high, (int, float)):
        out.append(
            f'<rect x="{_num(x(ci_low))}" y="{_num(mid - 4)}" width="{_num(max(x(ci_high) - x(ci_low), 1.0))}" height="8" rx="4" fill="{colour}" fill-opacity="0.25"/>'
        )
    if isinstance(measured, (int, float)):
        out.append(f'<circle cx="{_num(x(measured))}" cy="{_num(mid)}" r="4.5" fill="{colour}"/>')
    if isinstance(claimed, (int, float)):
        out.append(
            f'<line x1="{_num(x(claimed))}" y1="3" x2="{_num(x(claimed))}" y2="{height - 3}" stroke="#cf222e" stroke-width="2">'
            f"<title>claimed {esc(claimed)}</title></line>"
        )
    out.append("</svg>")
    return "".join(out)


def license_colours(klass: Any) -> tuple[str, str]:
    """(fill, stroke) for a licence class string, grey when unknown."""
    k = str(klass or "").lower()
    for key, colours in LICENSE_CLASS_COLOUR:
        if key in k:
            return colours
    return UNKNOWN_CLASS_COLOUR


def lineage_svg(lineage: Lineage, *, node_w: int = 230, node_h: int = 56, gap_x: int = 28, gap_y: int = 64) -> str:
    """The lineage graph: ancestors above, the model at the bottom, boxes coloured by licence class."""
    layout = c.lineage_layout(lineage)
    if not layout.levels:
        return ""
    per_row = max(len(level) for level in layout.levels)
    width = per_row * node_w + (per_row - 1) * gap_x + 24
    depth = len(layout.levels)
    height = depth * node_h + (depth - 1) * gap_y + 24
    pos: dict[str, tuple[float, float]] = {}
    for lvl, nodes in enumerate(layout.levels):
        row_w = len(nodes) * node_w + (len(nodes) - 1) * gap_x
        x0 = (width - row_w) / 2
        y = 12.0 + (depth - 1 - lvl) * (node_h + gap_y)
        for i, n in enumerate(nodes):
            pos[n] = (x0 + i * (node_w + gap_x), y)
    mid = _uid("lineage", tuple(pos))
    out = [
        f'<svg class="lineage" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(min(width, 1000))}" role="img" aria-label="Lineage graph">',
        "<title>Lineage: the model (bottom) and its ancestors</title>",
        f'<defs><marker id="{mid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="#6e7781"/></marker></defs>',
    ]
    for e in layout.edges:
        (cx, cy), (px, py) = pos[e.child], pos[e.parent]
        x1, y1 = cx + node_w / 2, cy
        x2, y2 = px + node_w / 2, py + node_h
        if y1 <= y2:  # a cycle or same-level edge: route around the side
            x1, y1, x2, y2 = cx + node_w, cy + node_h / 2, px + node_w, py + node_h / 2
        rel = esc(e.relation.value)
        out.append(
            f'<path d="M{_num(x1)},{_num(y1)} C{_num(x1)},{_num((y1 + y2) / 2)} {_num(x2)},{_num((y1 + y2) / 2)} {_num(x2)},{_num(y2)}" '
            f'fill="none" stroke="#6e7781" stroke-width="1.5" marker-end="url(#{mid})"/>'
        )
        out.append(f'<text x="{_num((x1 + x2) / 2 + 6)}" y="{_num((y1 + y2) / 2 + 4)}" class="edge">{rel}</text>')
    for n, (x, y) in pos.items():
        node = layout.nodes.get(n)
        klass = c.class_name(node.klass) if node is not None else None
        fill, stroke = license_colours(klass)
        lic = c.node_license(node)
        is_root = layout.level_of.get(n) == 0
        missing = node is not None and not node.found
        dash = ' stroke-dasharray="5 4"' if missing else ""
        if missing:
            fill, stroke = "#ffffff", "#6e7781"
            lic = lic or "not found"
        out.append(
            f'<g class="node"><title>{esc(n)} — {esc(lic or "no licence")}'
            f"{' (' + esc(klass) + ')' if klass else ''}</title>"
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{node_w}" height="{node_h}" rx="8" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{2.5 if is_root else 1.2}"{dash}/>'
            f'<text x="{_num(x + 12)}" y="{_num(y + 23)}" class="node-id">{esc(c.one_line(n, 30))}</text>'
            f'<text x="{_num(x + 12)}" y="{_num(y + 43)}" class="node-lic">{esc(c.one_line(lic or "no licence", 22))}'
            f"{' · ' + esc(c.one_line(klass, 16)) if klass else ''}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)


#: Colours of the series of a grouped bar chart, distinguishable in grey scale too.
SERIES = ("#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#57606a", "#0a3069")


def series_colour(i: int) -> str:
    """The colour of series ``i`` (cycling)."""
    return SERIES[i % len(SERIES)]


def grouped_bars_svg(
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    max_value: float = 10.0,
    width: int = 980,
    title: str = "Scores per candidate",
) -> str:
    """Grouped vertical bars: one group per label in ``groups``, one bar per series.

    ``series`` is ``(name, values)`` with one value per group; ``None`` is a
    hatched full-height bar ("not assessable", never 0). A legend names the
    series under the chart.
    """
    n = max(len(series), 1)
    left, top, bottom = 44, 16, 64
    plot_h = 260
    group_w = (width - left - 10) / max(len(groups), 1)
    bar_w = max(min((group_w - 14) / n, 26), 3)
    height = top + plot_h + bottom + 22 * ((n + 2) // 3)
    pid = _uid("grouped", tuple(groups), tuple(name for name, _ in series))
    out = [
        f'<svg class="chart cmp" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{esc(title)}">',
        f"<title>{esc(title)} (0 to {_num(max_value)})</title>",
        f'<defs><pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f6f8fa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d0d7de" stroke-width="3"/></pattern></defs>',
    ]
    for i in range(6):
        tick = max_value * i / 5
        y = top + plot_h - plot_h * i / 5
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" class="tick" text-anchor="end">{_num(tick)}</text>')
    for gi, group in enumerate(groups):
        gx = left + gi * group_w + (group_w - bar_w * n) / 2
        for si, (name, values) in enumerate(series):
            x = gx + si * bar_w
            value = values[gi] if gi < len(values) else None
            label = f"{name} — {group}: {c.NOT_ASSESSABLE if value is None else f'{value:.1f}'}"
            if value is None:
                out.append(
                    f'<rect x="{x:.1f}" y="{top}" width="{bar_w - 2:.1f}" height="{plot_h}" fill="url(#{pid})" opacity="0.8">'
                    f"<title>{esc(label)}</title></rect>"
                )
                continue
            h = max(plot_h * max(0.0, min(value, max_value)) / max_value, 1.5) if max_value else 1.5
            out.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" rx="2" '
                f'fill="{series_colour(si)}"><title>{esc(label)}</title></rect>'
            )
        out.append(
            f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{top + plot_h + 18}" class="label" text-anchor="middle">{esc(group)}</text>'
        )
    ly = top + plot_h + 44
    for si, (name, _) in enumerate(series):
        lx = left + (si % 3) * ((width - left) / 3)
        y = ly + (si // 3) * 22
        out.append(f'<rect x="{lx:.1f}" y="{y - 10}" width="12" height="12" rx="2" fill="{series_colour(si)}"/>')
        out.append(f'<text x="{lx + 18:.1f}" y="{y}" class="label">{esc(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def paired_share_bars_svg(
    items: Sequence[tuple[str, float | None, float | None]],
    *,
    title: str,
    second: bool,
    names: tuple[str, str] = ("first", "second"),
    colours: tuple[str, str] = ("#0969da", "#bf8700"),
    missing: tuple[str, str] = (c.NOT_ASSESSABLE, c.NOT_ASSESSABLE),
    legend: tuple[str, str] | None = None,
) -> str:
    """Horizontal bars of shares (0..1): one bar per ``(label, first, second)`` row, the second beneath when ``second``.

    ``None`` is a hatched full track labelled with ``missing`` (never a zero-width bar).
    """
    label_w, track_w, value_w = 230, 520, 130
    bar_h = 12
    row_h = bar_h * (2 if second else 1) + 12
    top = 8
    height = top + row_h * len(items) + (24 if second else 6)
    peak = max([v for _, a, b in items for v in (a, b) if v is not None] + [1e-9])
    scale = track_w / peak
    pid = _uid("paired", title, tuple(items))
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + track_w + value_w} {height}" '
        f'width="100%" role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>',
        f'<defs><pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f6f8fa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d0d7de" stroke-width="3"/>'
        "</pattern></defs>",
    ]
    for i, (label, first, other) in enumerate(items):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + bar_h}" text-anchor="end" font-size="12">{esc(label[:40])}</text>')
        bars = [(first, colours[0], names[0], missing[0])] + ([(other, colours[1], names[1], missing[1])] if second else [])
        for j, (v, colour, who, what) in enumerate(bars):
            by = y + j * bar_h
            if v is None:
                out.append(f'<rect x="{label_w}" y="{by + 1}" width="{track_w}" height="{bar_h - 2}" fill="url(#{pid})">'
                           f"<title>{esc(label)} ({esc(who)}): {esc(what)}</title></rect>")
                out.append(f'<text x="{label_w + track_w + 6}" y="{by + bar_h - 2}" font-size="11" fill="#57606a">{esc(what)}</text>')
                continue
            w = max(v * scale, 1.5)
            out.append(f'<rect x="{label_w}" y="{by + 1}" width="{_num(w)}" height="{bar_h - 2}" fill="{colour}">'
                       f"<title>{esc(label)} ({esc(who)}): {v:.2%}</title></rect>")
            out.append(f'<text x="{_num(label_w + w + 6)}" y="{by + bar_h - 2}" font-size="11">{v:.2%}</text>')
    if second and legend:
        ly = height - 10
        out.append(f'<rect x="{label_w}" y="{ly - 9}" width="10" height="10" fill="{colours[0]}"/>'
                   f'<text x="{label_w + 14}" y="{ly}" font-size="11">{html.escape(legend[0], quote=False)}</text>'
                   f'<rect x="{label_w + 80}" y="{ly - 9}" width="10" height="10" fill="{colours[1]}"/>'
                   f'<text x="{label_w + 94}" y="{ly}" font-size="11">{html.escape(legend[1], quote=False)}</text>')
    out.append("</svg>")
    return "".join(out)
