"""The licence verdict of one package, computed once.

:func:`assess` reads the evidence (card metadata, LICENSE files, card text,
intended use) and says which licence applies, what it allows, and whether it
permits the intended use. The VET5xx checks, the report and every format read
this one result instead of re-deriving it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ptmvet.evidence import Evidence
from ptmvet.evidence.licenses import IntendedUse, LicenseClass
from ptmvet.licenses.classify import classify, describe
from ptmvet.licenses.compat import Status, UseVerdict, use_verdict
from ptmvet.licenses.detect import LicenseDetection, detect
from ptmvet.licenses.ids import NormalizedLicense


@dataclass(frozen=True)
class LicenseAssessment:
    """Which licence applies to the package and whether it permits the intended use."""

    intended_use: IntendedUse
    detection: LicenseDetection
    klass: LicenseClass | None = None  # None: no licence declared anywhere
    use: UseVerdict | None = None  # None: no licence declared anywhere

    @property
    def primary(self) -> NormalizedLicense | None:
        return self.detection.primary

    @property
    def spdx(self) -> str | None:
        primary = self.detection.primary
        return primary.spdx if primary else None

    @property
    def summary(self) -> str | None:
        return describe(self.klass) if self.klass else None

    @property
    def status(self) -> Status:
        """ok, review or conflict; no licence at all is a conflict (nothing grants any use)."""
        return self.use.status if self.use else Status.CONFLICT

    def to_dict(self) -> dict[str, Any]:
        """The report's ``license`` section (keys as in report schema 1)."""
        out: dict[str, Any] = {"intended_use": self.intended_use.value, "detection": self.detection.to_dict()}
        if self.klass is not None and self.use is not None:
            out["spdx"] = self.spdx
            out["class"] = self.klass.to_dict()
            out["summary"] = self.summary
            out["use_verdict"] = self.use.to_dict()
        return out


def assess(evidence: Evidence) -> LicenseAssessment:
    """The licence verdict of the package for ``evidence.intended_use``."""
    use = evidence.intended_use
    detection = detect(evidence)
    primary = detection.primary
    if primary is None:
        return LicenseAssessment(intended_use=use, detection=detection)
    klass = classify(primary.spdx)
    return LicenseAssessment(intended_use=use, detection=detection, klass=klass, use=use_verdict(klass, use))
