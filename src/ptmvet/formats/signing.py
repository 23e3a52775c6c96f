"""A signing (``ptmvet sign``): one line naming the signature, or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.json_format import dumps
from ptmvet.integrity.signing import SignResult

#: Version of the signing JSON (schemas/signing.schema.json).
SCHEMA_VERSION = 1


def render_terminal(result: SignResult, **_: Any) -> str:
    return f"signed {result.files} file(s) with {result.method}: {result.signature}\n"


def render_json(result: SignResult, **_: Any) -> str:
    return dumps({"schema_version": SCHEMA_VERSION, "signature": str(result.signature), "files": result.files, "method": result.method})


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal"]
