"""Re-measure the performance a model card claims.

``reproduce`` runs a model on local data for each claim and compares, with a
bootstrap interval. Importing this package is cheap: torch, transformers and
pyarrow are only imported when a measurement runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ptmvet.evaluate.measurement import Measurement

#: The published STS Benchmark test Spearman of all-MiniLM-L6-v2 (cosine similarity).
DEMO_CLAIM = "sentence-similarity@stsb/test:spearman=82.03"


def demo_data() -> Path:
    """The bundled STS Benchmark test sample (375 CC BY-SA pairs; see data/stsb-test-sample.ATTRIBUTION.md)."""
    return Path(__file__).resolve().parent.parent / "data" / "stsb-test-sample.csv"


def demo_claim(model_path: Path | str, *, progress: Any = None, resamples: int = 1000) -> Measurement:
    """Re-measure the published STS-B Spearman of all-MiniLM-L6-v2 on the bundled sample.

    The sample holds the two CC BY-SA sources of the test split only, so the
    measurement describes that subset; its interval is wider than on the
    full 1,379 pairs.
    """
    from ptmvet.evaluate.claims import parse_claim
    from ptmvet.evaluate.runner import ReproduceOptions, reproduce

    (m,) = reproduce(model_path, [parse_claim(DEMO_CLAIM)], data=demo_data(), options=ReproduceOptions(resamples=resamples), progress=progress)
    return m


__all__ = ["DEMO_CLAIM", "demo_claim", "demo_data"]
