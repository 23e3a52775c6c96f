"""File names as ptmvet shows them: always valid UTF-8, one line, never ambiguous.

A package written by a stranger may hold names that are not UTF-8 (Python reads
them with ``surrogateescape``) or that carry control characters (a newline in a
name splits a report line; an escape sequence repaints a terminal). Such a name
is shown with each offending byte or character escaped (``caf\\xe9.bin``), so
JSON stays valid UTF-8 and every writer can encode it.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")


def is_odd(name: str) -> bool:
    """Whether the name is not UTF-8 (surrogate-escaped bytes) or holds control characters."""
    return bool(_SURROGATE.search(name) or _CONTROL.search(name))


def display(name: str) -> str:
    r"""The name with undecodable bytes and control characters escaped as ``\xNN``.

    Names without such characters come back unchanged.
    """
    if not is_odd(name):
        return name
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def clean(value: object) -> object:
    """Recursively escape odd strings in a JSON-like value (dict keys included)."""
    if isinstance(value, str):
        return display(value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value
