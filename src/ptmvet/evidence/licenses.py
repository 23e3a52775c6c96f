"""What a licence allows, as a value: the row type of the licence table.

The table itself and the classification of SPDX expressions live in
:mod:`ptmvet.licenses.classify`; these types sit here so that evidence and
reports can carry licence facts without importing the licence machinery.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ptmvet.errors import UsageError


class Commercial(StrEnum):
    """Whether commercial use is allowed."""

    YES = "yes"
    CONDITIONAL = "conditional"  # allowed under conditions (user caps, acceptable-use policy)
    NO = "no"
    UNKNOWN = "unknown"


class Copyleft(StrEnum):
    """How far the licence's share-alike duty reaches. Ordered weakest first."""

    NONE = "none"
    WEAK = "weak"  # file- or library-level (LGPL, MPL, EPL)
    STRONG = "strong"  # the whole derived work (GPL, CC BY-SA, CDLA-Sharing)
    NETWORK = "network"  # also when offered over a network (AGPL, OSL)

    @property
    def rank(self) -> int:
        return list(Copyleft).index(self)


class Family(StrEnum):
    """Coarse kind of licence, for display and for the study tables."""

    PUBLIC_DOMAIN = "public-domain"
    PERMISSIVE = "permissive"
    WEAK_COPYLEFT = "weak-copyleft"
    COPYLEFT = "copyleft"
    NON_COMMERCIAL = "non-commercial"
    RAIL = "rail"  # responsible AI licences: use-based restrictions
    MODEL_TERMS = "model-terms"  # vendor model licences (Llama, Gemma, DeepFloyd, Apple)
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LicenseClass:
    """One row of the classification table."""

    key: str  # SPDX id or LicenseRef- id
    family: Family
    commercial: Commercial
    copyleft: Copyleft = Copyleft.NONE
    use_restrictions: bool = False  # use-based restrictions that travel with the model (RAIL, AUPs)
    attribution: bool = True  # notice / credit must be kept
    no_derivatives: bool = False  # derived works may not be shared
    research_only: bool = False  # only research / evaluation use is allowed
    carries_terms: bool = False  # redistribution must carry these named terms (vendor model licences)
    review: bool = False  # a human has to read the actual terms
    source: str = ""  # URL of the licence text this row summarises
    note: str = ""

    @property
    def restrictions(self) -> frozenset[str]:
        """The duties and limits this licence places on a derived model."""
        out: set[str] = set()
        if self.commercial is Commercial.NO:
            out.add("non-commercial")
        if self.research_only:
            out.add("research-only")
        if self.use_restrictions:
            out.add("use-restrictions")
        if self.copyleft is not Copyleft.NONE:
            out.add(f"copyleft-{self.copyleft.value}")
        if self.no_derivatives:
            out.add("no-derivatives")
        if self.attribution:
            out.add("attribution")
        if self.carries_terms:
            out.add(f"terms:{self.key}")
        return frozenset(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "family": self.family.value,
            "commercial": self.commercial.value,
            "copyleft": self.copyleft.value,
            "use_restrictions": self.use_restrictions,
            "attribution": self.attribution,
            "no_derivatives": self.no_derivatives,
            "research_only": self.research_only,
            "review": self.review,
            "source": self.source,
            "note": self.note,
        }


class IntendedUse(StrEnum):
    """What the reuser means to do with the model."""

    COMMERCIAL = "commercial"  # in a product or service offered to others
    RESEARCH = "research"  # non-commercial research and evaluation
    INTERNAL = "internal"  # inside an organisation, nothing distributed or offered outside

    @classmethod
    def parse(cls, value: str | None) -> IntendedUse:
        v = (value or "commercial").strip().lower()
        for u in cls:
            if u.value == v:
                return u
        raise UsageError(f"unknown intended use {value!r}", hint="use one of: commercial, research, internal")
