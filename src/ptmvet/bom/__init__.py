"""AI bills of materials: CycloneDX 1.6 ML-BOM and SPDX 3.0.1 (AI and Dataset profiles).

    from ptmvet.bom import bom_for
    doc = bom_for("path/to/model", "cyclonedx")      # a dict; json.dumps it

Both formats are built from the same :class:`~ptmvet.bom.facts.ModelFacts`,
gathered from one vetting run (evidence + report). ``docs/bom.md`` documents
the field mapping.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ptmvet.bom.facts import ModelFacts, model_facts
from ptmvet.errors import UsageError
from ptmvet.evidence import Evidence
from ptmvet.pipeline import VetOptions, vet
from ptmvet.progress import Progress
from ptmvet.report import Report

__all__ = ["BOM_FORMATS", "Vetted", "bom_for", "model_facts", "render_bom", "vet_for_bom"]


@dataclass(frozen=True)
class Vetted:
    """One vetting run with the enriched evidence kept (a BOM needs both)."""

    evidence: Evidence
    report: Report


def vet_for_bom(ref: str | Path, options: VetOptions | None = None, progress: Progress | None = None) -> Vetted:
    """:func:`ptmvet.pipeline.vet`, with the enriched evidence (hashes, lineage) the report carries."""
    report = vet(ref, options, progress)
    assert report.evidence is not None  # vet always keeps it
    return Vetted(report.evidence, report)


def _cyclonedx(facts: ModelFacts, timestamp: datetime | None, serial: uuid.UUID | None) -> dict[str, Any]:
    from ptmvet.bom.cyclonedx import cyclonedx_bom

    return cyclonedx_bom(facts, timestamp=timestamp, serial=serial)


def _spdx(facts: ModelFacts, timestamp: datetime | None, serial: uuid.UUID | None) -> dict[str, Any]:
    from ptmvet.bom.spdx import spdx_document

    return spdx_document(facts, timestamp=timestamp, serial=serial)


#: Format name -> builder. One explicit table.
BOM_FORMATS: dict[str, Callable[[ModelFacts, datetime | None, uuid.UUID | None], dict[str, Any]]] = {
    "cyclonedx": _cyclonedx,
    "spdx": _spdx,
}


def render_bom(vetted: Vetted, fmt: str, *, timestamp: datetime | None = None, serial: uuid.UUID | None = None) -> dict[str, Any]:
    """The BOM document of a vetting run in ``fmt`` (``cyclonedx`` or ``spdx``)."""
    builder = BOM_FORMATS.get(fmt)
    if builder is None:
        raise UsageError(f"unknown BOM format {fmt!r}", hint=f"use one of: {', '.join(BOM_FORMATS)}")
    return builder(model_facts(vetted.evidence, vetted.report), timestamp, serial)


def bom_for(ref: str | Path, fmt: str = "cyclonedx", options: VetOptions | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Vet ``ref`` and return its BOM in ``fmt``."""
    if fmt not in BOM_FORMATS:
        raise UsageError(f"unknown BOM format {fmt!r}", hint=f"use one of: {', '.join(BOM_FORMATS)}")
    return render_bom(vet_for_bom(ref, options, progress), fmt)
