"""The check catalogue (``ptmvet checks list``): every registered check's identity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ptmvet.checks.interface import CheckMeta


@dataclass(frozen=True)
class Catalogue:
    """Checks in id order."""

    checks: tuple[CheckMeta, ...]

    @classmethod
    def of(cls, metas: Iterable[CheckMeta]) -> Catalogue:
        return cls(tuple(sorted(metas, key=lambda m: m.id)))

    @classmethod
    def registered(cls) -> Catalogue:
        """Every check in the registry."""
        from ptmvet.checks import all_meta

        return cls.of(all_meta())


__all__ = ["Catalogue"]
