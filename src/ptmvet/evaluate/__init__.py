"""Re-measure the performance a model card claims.

``reproduce`` runs a model on local data for each claim and compares, with a
bootstrap interval. Importing this package is cheap: torch, transformers and
pyarrow are only imported when a measurement runs.
"""

from __future__ import annotations
