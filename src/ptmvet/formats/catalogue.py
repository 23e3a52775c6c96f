"""The check catalogue: plain text readable at 80 columns, JSON, Markdown table.

The terminal form groups checks by attribute and gives each check two lines
(id, slug, severity; then the summary wrapped on words), so no slug is ever
split and nothing needs a wide terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.checks.catalogue import Catalogue
from ptmvet.checks.interface import CheckMeta
from ptmvet.formats.json_format import dumps
from ptmvet.formats.markdown import md_escape

#: Version of the catalogue JSON (schemas/catalogue.schema.json); 1: the list became an object with ``checks``.
SCHEMA_VERSION = 1

#: Width of the plain-text catalogue unless the caller says otherwise.
WIDTH = 80


def render_terminal(cat: Catalogue, *, width: int | None = None, **_: Any) -> str:
    width = max(width or WIDTH, 40)
    slug_w = max((len(m.slug) for m in cat.checks), default=0)
    lines = [f"{len(cat.checks)} checks (`ptmvet checks explain ID` prints one's page)"]
    by_attr: dict[str, list[CheckMeta]] = {}
    for m in cat.checks:
        by_attr.setdefault(m.attribute.value, []).append(m)
    indent = " " * 10
    for attr, metas in by_attr.items():
        lines += ["", attr]
        for m in metas:
            lines.append(f"  {m.id:<7} {m.slug:<{slug_w}}  {m.severity.value}".rstrip())
            lines += textwrap.wrap(m.summary, width=width, initial_indent=indent, subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]  # fmt: skip
    return "\n".join(lines) + "\n"


def _row(m: CheckMeta) -> dict[str, Any]:
    return {
        "id": m.id,
        "slug": m.slug,
        "attribute": m.attribute.value,
        "severity": m.severity.value,
        "summary": m.summary,
        "needs": sorted(n.value for n in m.needs),
        "since": m.since,
        "doc": m.doc_path,
    }


def to_dict(cat: Catalogue) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "checks": [_row(m) for m in cat.checks]}


def render_json(cat: Catalogue, **_: Any) -> str:
    return dumps(to_dict(cat))


def render_markdown(cat: Catalogue, **_: Any) -> str:
    lines = ["| id | slug | attribute | severity | summary |", "|---|---|---|---|---|"]
    lines += [
        f"| [{m.id}]({m.doc_path}) | `{m.slug}` | {m.attribute.value} | {m.severity.value} | {md_escape(m.summary)} |"
        for m in cat.checks
    ]
    return "\n".join(lines) + "\n"


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json, "md": render_markdown}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "WIDTH", "render_json", "render_markdown", "render_terminal", "to_dict"]
