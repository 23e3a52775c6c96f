"""Console helpers shared by every terminal renderer (rich, captured to text).

Renderers build rich objects and turn them into a string here, so no module
outside :mod:`ptmvet.formats` needs rich. Text that came from a model package
goes in as :class:`rich.text.Text` or with ``markup=False``, never as markup.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

#: Width of captured terminal text when the caller does not say.
DEFAULT_WIDTH = 100


def console(*, width: int | None = None, color: bool = False) -> Console:
    """A recording console that writes to nothing: call :func:`capture` or ``export_text`` on it."""
    return Console(
        file=io.StringIO(),
        record=True,
        width=width or DEFAULT_WIDTH,
        force_terminal=color,
        color_system="truecolor" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def capture(*items: RenderableType, width: int | None = None, color: bool = False) -> str:
    """``items`` drawn one after the other, as text (ANSI styles only when ``color``)."""
    out = console(width=width, color=color)
    for item in items:
        out.print(item)
    return out.export_text(styles=color)


def plain(value: Any, style: str = "") -> Text:
    """Untrusted text shown literally (never parsed as markup)."""
    return Text("" if value is None else str(value), style=style)


def simple_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
    no_wrap: Sequence[str] = (),
    show_lines: bool = False,
) -> Table:
    """A table of plain cells; columns named in ``no_wrap`` never break inside a word."""
    table = Table(title=title, caption=caption or None, show_lines=show_lines)
    for name in columns:
        if name in no_wrap:
            table.add_column(name, no_wrap=True)
        else:
            table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(cell if isinstance(cell, Text) else plain(cell) for cell in row))
    return table


__all__ = ["DEFAULT_WIDTH", "capture", "console", "plain", "simple_table"]
