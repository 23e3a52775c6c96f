"""The source axis: each source turns a reference into one frozen Evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ptmvet.errors import InputError
from ptmvet.evidence import Evidence
from ptmvet.ref import ModelRef

Progress = Callable[[int, int | None, str], None]


class SourceError(InputError):
    """A source could not produce evidence for the reference."""


class Source(Protocol):
    """Something that can collect evidence for a model reference."""

    name: str

    def collect(self, ref: ModelRef, *, progress: Progress | None = None) -> Evidence:
        """Collect evidence; raise a ptmvet Error naming the problem."""
        ...
