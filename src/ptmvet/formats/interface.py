"""The format axis: one :class:`Formatter` per output format, one table of them.

A formatter turns a finished :class:`~ptmvet.report.Report` into text. It does
no I/O, never prints, and treats everything that came from the model package
(card text, file names, messages quoting them) as untrusted: each format
escapes it for its own syntax.

Adding a format means writing a module with a class that satisfies
:class:`Formatter` and adding one line to :data:`FORMATS` in
``ptmvet/formats/__init__.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ptmvet.errors import UsageError

if TYPE_CHECKING:
    from ptmvet.report import Report


class UnknownFormat(UsageError):
    """The caller asked for an output format ptmvet does not have."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"unknown output format {name!r}",
            hint="choose one of: " + ", ".join(known),
        )
        self.name = name
        self.known = known


@runtime_checkable
class Formatter(Protocol):
    """Renders a report as text in one output format."""

    #: The name users pass to ``--format``.
    name: str
    #: The usual file suffix for ``--output`` (with the dot).
    suffix: str
    #: The media type of the rendered text.
    media_type: str

    def render(self, report: Report) -> str:
        """The whole report as one string, ready to be written to a file."""
        ...
