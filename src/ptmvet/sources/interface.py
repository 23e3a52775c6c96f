"""The source axis: each source turns a reference into one frozen Evidence.

A source is a function ``collect_*(..., progress=None) -> Evidence`` (folder,
HF cache, Hub, git); ``ptmvet.sources.collect`` dispatches to them. Sources
raise :class:`ptmvet.errors.InputError` subclasses naming the path or id.
"""

from __future__ import annotations


