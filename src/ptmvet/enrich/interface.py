"""The enrichment stage's interface: the options of a vetting run and the enricher protocol.

Enrichers are, besides ``sources/``, the only stage that reads files or the
network (hashing, scanning, licence and lineage look-ups, re-measurement).
Each takes the evidence and returns a new one; none imports the pipeline that
calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ptmvet.evidence import Evidence
from ptmvet.evidence.licenses import IntendedUse
from ptmvet.progress import Progress


@dataclass(frozen=True, kw_only=True)
class VetOptions:
    """Options of one vetting run. Keyword-only; see ``VetOptions.default()``."""

    revision: str | None = None
    offline: bool | None = None  # None: follow HF_HUB_OFFLINE
    intended_use: IntendedUse | str = IntendedUse.COMMERCIAL  # commercial | research | internal; a bad value is a UsageError
    data_dir: Path | None = None  # evaluation data for claim re-measurement
    registry_db: Path | None = None  # a mining database (DuckDB) for lineage
    dump: Path | None = None  # a Hub metadata dump for lineage
    datasets_dump: Path | None = None  # a datasets metadata dump (dataset licences in lineage)
    deep_scan: bool = True  # scan weight files statically
    hash_files: bool = True
    manifest: Path | None = None  # a manifest of expected digests (integrity)
    signature_key: Path | None = None  # a trusted public key for the package signature
    signature_chain: tuple[Path, ...] = ()  # trusted CA certificates for the package signature
    signature: Path | None = None  # the signature file, when it is not the package's own model.sig
    signature_identity: str | None = None  # required signer identity (certificate SAN or CN)
    signature_issuer: str | None = None  # required issuer of the signing certificate
    checks: tuple[str, ...] = ()  # restrict to these ids (empty: all)
    claims_tolerance: float | None = None  # points a re-measured claim may differ (None: the default rule)
    demo: bool = False  # re-measure the STS-B claim on the bundled sample (``ptmvet demo``)
    allow_pickle: bool = False  # let re-measurement load pickled weights (restricted loader)

    def __post_init__(self) -> None:
        object.__setattr__(self, "intended_use", IntendedUse.parse(self.intended_use))

    @property
    def use(self) -> IntendedUse:
        return IntendedUse.parse(self.intended_use)

    @classmethod
    def default(cls) -> VetOptions:
        return cls()


class Enricher(Protocol):
    """One enrichment stage: evidence in, a new evidence out (the report reads what it added)."""

    def __call__(self, evidence: Evidence, options: VetOptions, progress: Progress | None, /) -> Evidence: ...
