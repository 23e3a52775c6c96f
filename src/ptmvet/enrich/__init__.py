"""The enrichment stage: evidence that needs I/O beyond what a source collects.

``ENRICHERS`` is the one ordered table of stages the pipeline runs; each is an
:class:`~ptmvet.enrich.interface.Enricher`. Adding one is a module here and a
row in the table.
"""

from __future__ import annotations

from ptmvet.enrich.integrity import integrity_enricher
from ptmvet.enrich.interface import Enricher, VetOptions
from ptmvet.enrich.licenses import license_enricher
from ptmvet.enrich.measurements import measure_enricher
from ptmvet.enrich.scan import scan_enricher

#: The enrichment stages, in order: hashes first (the scan and signatures read
#: the same files), then the scan, licence and lineage, re-measurement last.
ENRICHERS: tuple[Enricher, ...] = (integrity_enricher, scan_enricher, license_enricher, measure_enricher)

__all__ = ["ENRICHERS", "Enricher", "VetOptions", "integrity_enricher", "license_enricher", "measure_enricher", "scan_enricher"]
