"""A manifest (per-file sha256 and size): its deterministic JSON, the format ``verify`` reads back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.integrity.manifest import SCHEMA_VERSION as _MANIFEST_VERSION
from ptmvet.integrity.manifest import Manifest

#: The manifest JSON's ``schema_version`` (defined beside the reader that checks it).
SCHEMA_VERSION = _MANIFEST_VERSION


def render_json(manifest: Manifest, **_: Any) -> str:
    return manifest.to_json()


RENDERERS: Mapping[str, Callable[..., str]] = {"json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json"]
