"""The report card of one model: terminal, JSON, Markdown and HTML.

Each format is a :class:`~ptmvet.formats.interface.Formatter` in its own module
(:mod:`.terminal`, :mod:`.json_format`, :mod:`.markdown`, :mod:`.html`); this
module is the report's row in :data:`ptmvet.formats.KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.html import render_html
from ptmvet.formats.json_format import JsonFormat
from ptmvet.formats.markdown import render_markdown
from ptmvet.formats.terminal import render_to_string
from ptmvet.report import SCHEMA_VERSION as _REPORT_VERSION
from ptmvet.report import Report

#: The report JSON's ``schema_version`` (defined beside the report it describes).
SCHEMA_VERSION = _REPORT_VERSION


def terminal(report: Report, *, color: bool = False, width: int | None = None, **_: Any) -> str:
    return render_to_string(report, width=width or 100, color=color)


def json(report: Report, **_: Any) -> str:
    return JsonFormat().render(report)


def markdown(report: Report, **_: Any) -> str:
    return render_markdown(report)


def html(report: Report, **_: Any) -> str:
    return render_html(report)


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": terminal, "json": json, "md": markdown, "html": html}

__all__ = ["RENDERERS", "SCHEMA_VERSION"]
