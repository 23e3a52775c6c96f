"""The measurement enricher: re-measure the card's claims into ``Evidence.measurements``.

Runs only when the run has evaluation data (``VetOptions.data_dir``) or is the
demo; torch and transformers are imported only then.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ptmvet.cardinfo import measurable_claims
from ptmvet.enrich.interface import VetOptions
from ptmvet.evidence import Evidence
from ptmvet.progress import Progress


def measure_enricher(evidence: Evidence, options: VetOptions, progress: Progress | None) -> Evidence:
    """Audit enricher: re-measure the card's claims on ``options.data_dir`` (only when it is set).

    With ``options.demo`` and no data folder (``ptmvet demo``), the card's STS
    Benchmark claim (or the published 82.03 when the card has none) is measured on the
    bundled 375-pair sample, recorded as a subset: not-verifiable, value indicative.
    """
    data_dir = options.data_dir
    demo = options.demo and data_dir is None
    if data_dir is None and not demo:
        return evidence
    local = evidence.target.local_path
    if not local:
        return replace(evidence, measurements_skipped="the model is not available locally")
    from ptmvet.evaluate.runner import ReproduceOptions, reproduce
    from ptmvet.evaluate.tasks.interface import RunOptions

    ropts = ReproduceOptions(tolerance=options.claims_tolerance, run=RunOptions(allow_pickle=options.allow_pickle))
    if demo:
        from ptmvet.evaluate import demo_specs

        specs = demo_specs(measurable_claims(evidence))
        ms = reproduce(Path(local), specs, options=ropts, progress=progress, revision=evidence.target.revision)
    else:
        assert data_dir is not None
        ms = reproduce(Path(local), measurable_claims(evidence), data_dir=Path(data_dir), options=ropts, progress=progress, revision=evidence.target.revision)
    return replace(evidence, measurements=tuple(ms))
