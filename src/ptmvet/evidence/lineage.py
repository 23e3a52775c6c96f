"""Model lineage as a value: the ancestry of one model with the licence at each hop.

:func:`ptmvet.licenses.lineage.build_lineage` builds it; the licence enricher
puts it in :attr:`ptmvet.evidence.Evidence.lineage`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ptmvet.evidence.licenses import LicenseClass


class Relation(StrEnum):
    """How a model derives from its base."""

    FINETUNE = "finetune"
    ADAPTER = "adapter"
    MERGE = "merge"
    QUANTIZED = "quantized"


@dataclass(frozen=True)
class LineageNode:
    id: str
    license: str | None
    spdx: str
    klass: LicenseClass
    depth: int
    found: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "license": self.license,
            "spdx": self.spdx,
            "class": self.klass.family.value,
            "commercial": self.klass.commercial.value,
            "depth": self.depth,
            "found": self.found,
        }


@dataclass(frozen=True)
class LineageEdge:
    child: str
    parent: str
    relation: Relation
    inferred: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"child": self.child, "parent": self.parent, "relation": self.relation.value, "inferred": self.inferred}


@dataclass(frozen=True)
class LicenseConflict:
    """A derived model whose licence drops restrictions of an ancestor's."""

    child: str
    ancestor: str
    child_license: str
    ancestor_license: str
    dropped: tuple[str, ...]
    serious: bool  # more than attribution is lost
    direct: bool  # the ancestor is the child's own parent
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "child": self.child,
            "ancestor": self.ancestor,
            "child_license": self.child_license,
            "ancestor_license": self.ancestor_license,
            "dropped": list(self.dropped),
            "serious": self.serious,
            "direct": self.direct,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DatasetLicense:
    id: str
    license: str | None
    spdx: str | None
    klass: LicenseClass | None
    found: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "license": self.license,
            "spdx": self.spdx,
            "class": self.klass.family.value if self.klass else None,
            "commercial": self.klass.commercial.value if self.klass else None,
            "found": self.found,
        }


@dataclass(frozen=True)
class Lineage:
    """The ancestry of one model with the licence at each hop."""

    root: str
    source: str  # resolver name
    nodes: tuple[LineageNode, ...] = ()
    edges: tuple[LineageEdge, ...] = ()
    cycles: tuple[tuple[str, ...], ...] = ()
    missing: tuple[str, ...] = ()  # ancestors named but not found
    renamed: tuple[tuple[str, str], ...] = ()  # ancestors found under a new id: (as named, as found)
    conflicts: tuple[LicenseConflict, ...] = ()
    review: tuple[str, ...] = ()  # hops whose licences cannot be compared
    datasets: tuple[DatasetLicense, ...] = ()
    datasets_resolved: bool = False  # whether dataset licences were looked up at all
    truncated: bool = False
    unresolved: tuple[str, ...] = field(default=())  # look-ups that failed (network, ...)
    skipped: str | None = None  # why no look-up was made (no registry data at hand)

    def node(self, model_id: str) -> LineageNode | None:
        key = model_id.lower()
        return next((n for n in self.nodes if n.id.lower() == key), None)

    @property
    def ancestors(self) -> tuple[LineageNode, ...]:
        return tuple(n for n in self.nodes if n.depth > 0)

    def to_section(self) -> dict[str, Any]:
        """The report section: ``{"lineage": {...}}`` without the outer key."""
        return {
            "root": self.root,
            "source": self.source,
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [e.to_dict() for e in self.edges],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "cycles": [list(c) for c in self.cycles],
            "missing": list(self.missing),
            "renamed": [{"named": a, "found": b} for a, b in self.renamed],
            "review": list(self.review),
            "datasets": [d.to_dict() for d in self.datasets],
            "truncated": self.truncated,
            "unresolved": list(self.unresolved),
            "skipped": self.skipped,
        }

    def to_dict(self) -> dict[str, Any]:
        return self.to_section()
