"""The result of re-measuring one claim; it lives in :mod:`ptmvet.evidence.measurement` (evidence carries it)."""

from ptmvet.evidence.measurement import Measurement

__all__ = ["Measurement"]
