"""The result of ``ptmvet reproduce``: one model's claims, re-measured."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ptmvet.evaluate.measurement import Measurement


def _verdict(m: Measurement) -> str:
    return str(getattr(m.verdict, "value", m.verdict))


@dataclass(frozen=True)
class Remeasurement:
    """Every claim of ``model`` that was re-measured (or why it could not be)."""

    model: str
    measurements: tuple[Measurement, ...]

    @classmethod
    def of(cls, model: str, measurements: Sequence[Measurement]) -> Remeasurement:
        return cls(model, tuple(measurements))

    @property
    def overstated(self) -> tuple[Measurement, ...]:
        """Claims the data contradicts."""
        return tuple(m for m in self.measurements if _verdict(m) == "overstated")

    @property
    def not_verifiable(self) -> tuple[Measurement, ...]:
        """Claims that could not be measured (no data, no runner, ...)."""
        return tuple(m for m in self.measurements if _verdict(m) == "not-verifiable")

    @property
    def label_map_suspect(self) -> tuple[Measurement, ...]:
        """Claims measured with labels matched by order that another mapping fits far better."""
        return tuple(m for m in self.measurements if _verdict(m) == "label-map-suspect")


__all__ = ["Remeasurement"]
