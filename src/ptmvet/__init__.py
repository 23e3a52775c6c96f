"""ptmvet: vet a pre-trained model package before you reuse it."""

from __future__ import annotations

__version__ = "0.1.0"
