"""The result of ``ptmvet verify``: what was compared, and every difference.

One type for the three ways of verifying (a manifest, the registry's hashes,
a signature), so one renderer draws them all (:mod:`ptmvet.formats.verification`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ptmvet.integrity.errors import IntegrityMismatch

if TYPE_CHECKING:
    from ptmvet.integrity.lfs import RegistryComparison


@dataclass(frozen=True)
class Verification:
    """One verification of a package.

    ``mode`` is ``manifest``, ``registry`` or ``signature``; ``against`` names
    the manifest or signature file (or the registry listing). ``mismatch`` is
    the difference when the files do not match; ``registry`` is the whole
    comparison in registry mode, ``notes`` findings about it (an unpinned copy).
    """

    mode: str
    ok: bool
    against: str
    files: int = 0
    method: str | None = None  # signature: key, certificate or sigstore
    mismatch: IntegrityMismatch | None = None
    registry: RegistryComparison | None = None
    notes: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()  # signature: who the signing certificate names
    issuer: str | None = None  # signature: the signing certificate's issuer
    unsigned: tuple[str, ...] = ()  # signature: files present that it does not cover by design

    @classmethod
    def failed(cls, mode: str, against: str, mismatch: IntegrityMismatch, *, method: str | None = None) -> Verification:
        return cls(mode=mode, ok=False, against=against, mismatch=mismatch, method=method)


__all__ = ["Verification"]
