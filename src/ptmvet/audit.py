"""Old name of :mod:`ptmvet.pipeline` (vetting one package), kept so existing imports work.

``ptmvet audit`` (the command) is the registry-wide run in :mod:`ptmvet.registry`.
"""

from ptmvet.pipeline import Enricher, VetOptions, enrichers, run_checks, vet, vet_evidence

__all__ = ["Enricher", "VetOptions", "enrichers", "run_checks", "vet", "vet_evidence"]
