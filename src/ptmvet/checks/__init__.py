"""The check registry: one explicit table, in id order.

Adding a check family means importing its module here and adding its
``CHECKS`` tuple to :data:`REGISTRY`; nothing registers itself by import.
"""

from __future__ import annotations

from collections.abc import Iterable

from ptmvet.checks import (
    claims,
    documentation,
    integrity,
    license,
    maintenance,
    package,
    portability,
    provenance,
    reproducibility,
    safety,
)
from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Outcome, Severity, run_check

REGISTRY: tuple[Check, ...] = (
    *provenance.CHECKS,
    *reproducibility.CHECKS,
    *portability.CHECKS,
    *documentation.CHECKS,
    *license.CHECKS,
    *integrity.CHECKS,
    *package.CHECKS,
    *safety.CHECKS,
    *claims.CHECKS,
    *maintenance.CHECKS,
)


def by_id() -> dict[str, Check]:
    """The registry keyed by check id."""
    return {c.meta.id: c for c in REGISTRY}


def lookup(key: str) -> Check | None:
    """Find a check by id (VET101) or slug (base-model-declared)."""
    key_u = key.strip().upper()
    for c in REGISTRY:
        if c.meta.id == key_u or c.meta.slug == key.strip().lower():
            return c
    return None


def all_meta() -> Iterable[CheckMeta]:
    return (c.meta for c in sorted(REGISTRY, key=lambda c: c.meta.id))


__all__ = ["REGISTRY", "Attribute", "Check", "CheckMeta", "Finding", "Need", "Outcome", "Severity", "all_meta", "by_id", "lookup", "run_check"]
