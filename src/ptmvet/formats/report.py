"""The report card of one model, in every format of :data:`ptmvet.formats.FORMATS`.

Each format is a :class:`~ptmvet.formats.interface.Formatter` in its own module
(:mod:`.terminal`, :mod:`.json_format`, :mod:`.markdown`, :mod:`.html`); this
module is the report's row in :data:`ptmvet.formats.KINDS` and takes its
renderers from ``FORMATS``, so adding a report format is one module plus one
line there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats import FORMATS
from ptmvet.formats.interface import Formatter
from ptmvet.formats.terminal import TerminalFormat
from ptmvet.report import SCHEMA_VERSION as _REPORT_VERSION
from ptmvet.report import Report

#: The report JSON's ``schema_version`` (defined beside the report it describes).
SCHEMA_VERSION = _REPORT_VERSION


def _renderer(fmt: Formatter) -> Callable[..., str]:
    def render(report: Report, *, color: bool = False, width: int | None = None, **_: Any) -> str:
        if isinstance(fmt, TerminalFormat) and (color or width):
            return TerminalFormat(width=width or fmt.width, color=color).render(report)
        return fmt.render(report)

    return render


RENDERERS: Mapping[str, Callable[..., str]] = {name: _renderer(fmt) for name, fmt in FORMATS.items()}

__all__ = ["RENDERERS", "SCHEMA_VERSION"]
