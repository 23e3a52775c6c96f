"""The one HTML page every HTML output is built on (report, compare, study).

- :func:`esc` escapes any value for HTML text and attribute values
  (``html.escape(quote=True)``). Use it on *every* value you interpolate.
- :func:`page` wraps a body in the shared document: stylesheet, a
  Content-Security-Policy that forbids scripts and external loads (a second
  line of defence behind escaping), and an optional footer.
- :func:`table` builds a ``<table>`` from already-escaped cells;
  :func:`badge` an outcome/verdict pill.

Charts come from :mod:`ptmvet.formats.svg`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ptmvet.formats.svg import esc

__all__ = ["CSP", "CSS", "badge", "esc", "page", "table"]

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
