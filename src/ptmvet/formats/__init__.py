"""Output formats: one table, :data:`FORMATS`, from ``--format`` name to formatter.

Each formatter renders a :class:`~ptmvet.report.Report` to a string; see
:mod:`ptmvet.formats.interface`. HTML helpers for other pages live in
:mod:`ptmvet.formats.html` (``page``, ``esc``, ``bar_chart_svg``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ptmvet.formats.html import HtmlFormat
from ptmvet.formats.interface import Formatter, UnknownFormat
from ptmvet.formats.json_format import JsonFormat
from ptmvet.formats.markdown import MarkdownFormat
from ptmvet.formats.terminal import TerminalFormat
from ptmvet.report import Report

#: ``--format`` name -> formatter. One line per format.
FORMATS: Mapping[str, Formatter] = {
    "terminal": TerminalFormat(),
    "json": JsonFormat(),
    "md": MarkdownFormat(),
    "html": HtmlFormat(),
}

#: Other spellings users type.
ALIASES: Mapping[str, str] = {"markdown": "md", "text": "terminal", "txt": "terminal", "htm": "html"}


def get_format(name: str) -> Formatter:
    """The formatter called ``name`` (or an alias); :class:`UnknownFormat` otherwise."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    try:
        return FORMATS[key]
    except KeyError:
        raise UnknownFormat(name, sorted(FORMATS)) from None


def render(report: Report, name: str, *, color: bool = False, width: int | None = None) -> str:
    """Render ``report`` in the format called ``name``.

    ``color`` and ``width`` apply to the terminal format only (the CLI passes
    ``color=sys.stdout.isatty()`` when writing to a terminal); every other
    format ignores them.
    """
    fmt = get_format(name)
    if isinstance(fmt, TerminalFormat) and (color or width):
        return TerminalFormat(width=width or fmt.width, color=color).render(report)
    return fmt.render(report)


__all__ = ["ALIASES", "FORMATS", "Formatter", "UnknownFormat", "get_format", "render"]
