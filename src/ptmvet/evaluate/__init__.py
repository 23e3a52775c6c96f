"""Re-measure the performance a model card claims.

``reproduce`` runs a model on local data for each claim and compares, with a
bootstrap interval. Importing this package is cheap: torch, transformers and
pyarrow are only imported when a measurement runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ptmvet.card import Claim
    from ptmvet.evaluate.claims import ClaimSpec
    from ptmvet.evidence.measurement import Measurement

#: The published STS Benchmark test Spearman of all-MiniLM-L6-v2 (cosine similarity).
DEMO_CLAIM = "sentence-similarity@stsb/test:spearman=82.03"


def demo_data() -> Path:
    """The bundled STS Benchmark test sample (375 CC BY-SA pairs; see data/stsb-test-sample.ATTRIBUTION.md)."""
    return Path(__file__).resolve().parent.parent / "data" / "stsb-test-sample.csv"


#: What the bundled sample is, relative to the claimed split.
DEMO_SUBSET = "375 of 1,379 test pairs: images + track5 sources only"


def demo_specs(claims: Sequence[Claim] = ()) -> list[ClaimSpec]:
    """The card's STS Benchmark claims (or the published one) on the bundled sample, marked as a subset."""
    from ptmvet.evaluate.claims import ClaimSpec, parse_claim
    from ptmvet.evaluate.datasets import DATASET_ALIASES, _norm

    stsb = next(g for g in DATASET_ALIASES if "stsb" in g)
    mine = [c for c in claims if any(_norm(n) in stsb or _norm(n.rsplit("/", maxsplit=1)[-1]) in stsb
                                     for n in (c.dataset_type, c.dataset_name) if n)]
    if not mine:
        published = parse_claim(DEMO_CLAIM)
        mine = [replace(published, source="published", source_url="https://www.sbert.net/docs/sentence_transformer/pretrained_models.html")]
    return [ClaimSpec(c, data=demo_data(), subset=DEMO_SUBSET) for c in mine]


def demo_claim(model_path: Path | str, *, progress: Any = None, resamples: int = 1000) -> Measurement:
    """Re-measure the published STS-B Spearman of all-MiniLM-L6-v2 on the bundled sample.

    The sample holds the two CC BY-SA sources of the test split only (``DEMO_SUBSET``), so
    it is not the claimed split: the measurement keeps its value and interval as an
    indication and its verdict is ``not-verifiable`` with that reason.
    """
    from ptmvet.evaluate.runner import ReproduceOptions, reproduce

    (m,) = reproduce(model_path, demo_specs(), options=ReproduceOptions(resamples=resamples), progress=progress)
    return m


__all__ = ["DEMO_CLAIM", "DEMO_SUBSET", "demo_claim", "demo_data", "demo_specs"]
