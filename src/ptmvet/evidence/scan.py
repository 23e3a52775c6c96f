"""Result types of the static scanner (:mod:`ptmvet.scan` produces them).

Kept free of heavy imports so that :mod:`ptmvet.evidence` can refer to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ScanVerdict(StrEnum):
    """What the scanner concluded about one file, one global or one issue.

    Ordered by :attr:`rank`: a file's verdict is the worst verdict of its
    globals and issues.
    """

    SKIPPED = "skipped"  # not a serialization format the scanner reads
    SAFE = "safe"  # everything seen is on the allowlist and well formed
    UNKNOWN = "unknown"  # imports something not on either list, or the scan was incomplete
    ERROR = "error"  # the file could not be read
    MALFORMED = "malformed"  # the structure is broken (truncated, bad header, zip bomb)
    DANGEROUS = "dangerous"  # loading it can run code chosen by the file's author

    @property
    def rank(self) -> int:
        return _RANK[self._value_]  # keyed by value: str hashing is native, Enum's __hash__ is not

    @staticmethod
    def worst(verdicts: Any) -> ScanVerdict:
        """The worst of an iterable of verdicts (SAFE when empty)."""
        out = ScanVerdict.SAFE
        top = _RANK["safe"]
        for v in verdicts:
            r = _RANK[v._value_]
            if r > top:
                out, top = v, r
        return out


_RANK: dict[str, int] = {
    ScanVerdict.SKIPPED.value: 0,
    ScanVerdict.SAFE.value: 1,
    ScanVerdict.UNKNOWN.value: 2,
    ScanVerdict.ERROR.value: 3,
    ScanVerdict.MALFORMED.value: 4,
    ScanVerdict.DANGEROUS.value: 5,
}


_new = object.__new__


@dataclass(frozen=True)
class GlobalImport:
    """One global (``module.name``) a pickle imports when loaded, with its verdict."""

    module: str
    name: str
    verdict: ScanVerdict
    reason: str
    count: int = 1  # times the pickle stream names it
    location: str = ""  # zip member or pickle index inside the file

    @classmethod
    def make(  # noqa: PLR0917  (the constructor's positional fields, in order)
        cls, module: str, name: str, verdict: ScanVerdict, reason: str, count: int, location: str
    ) -> GlobalImport:
        """The same instance as the constructor builds, without the per-field ``object.__setattr__`` of a
        frozen dataclass's ``__init__`` (a scan builds one per global per pickle)."""
        g = _new(cls)
        d = g.__dict__
        d["module"] = module
        d["name"] = name
        d["verdict"] = verdict
        d["reason"] = reason
        d["count"] = count
        d["location"] = location
        return g

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "name": self.name,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "count": self.count,
            "location": self.location,
        }


@dataclass(frozen=True)
class ScanIssue:
    """A problem found in a file, with the verdict it implies."""

    code: str  # stable kebab-case code: truncated, zip-bomb, bad-header, limit, ...
    verdict: ScanVerdict
    message: str
    location: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "verdict": self.verdict.value, "message": self.message, "location": self.location}


@dataclass(frozen=True)
class ScanReport:
    """The static scan of one file."""

    path: str
    format: str  # pickle, torch-zip, torch-legacy, joblib, numpy, npz, zip, safetensors, gguf, onnx, unrecognised
    verdict: ScanVerdict
    globals: tuple[GlobalImport, ...] = ()
    issues: tuple[ScanIssue, ...] = ()
    bytes_scanned: int = 0
    size: int = 0
    duration_s: float = 0.0
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def make(
        cls,
        *,
        path: str,
        format: str,
        verdict: ScanVerdict,
        globals: tuple[GlobalImport, ...],
        issues: tuple[ScanIssue, ...],
        bytes_scanned: int,
        size: int,
        duration_s: float,
        details: Mapping[str, Any],
    ) -> ScanReport:
        """The same instance as the constructor builds, without a frozen dataclass's per-field ``__setattr__``."""
        r = _new(cls)
        r.__dict__.update(
            path=path,
            format=format,
            verdict=verdict,
            globals=globals,
            issues=issues,
            bytes_scanned=bytes_scanned,
            size=size,
            duration_s=duration_s,
            details=details,
        )
        return r

    @property
    def dangerous_globals(self) -> tuple[GlobalImport, ...]:
        return tuple(g for g in self.globals if g.verdict is ScanVerdict.DANGEROUS)

    @property
    def unknown_globals(self) -> tuple[GlobalImport, ...]:
        return tuple(g for g in self.globals if g.verdict is ScanVerdict.UNKNOWN)

    @property
    def uses_pickle(self) -> bool:
        """Whether loading the file the usual way unpickles something."""
        return bool(self.details.get("pickles", 0)) or self.format in PICKLE_FORMATS

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "verdict": self.verdict.value,
            "globals": [g.to_dict() for g in self.globals],
            "issues": [i.to_dict() for i in self.issues],
            "bytes_scanned": self.bytes_scanned,
            "size": self.size,
            "duration_s": round(self.duration_s, 6),
            "details": dict(self.details),
        }


#: Formats whose usual loader unpickles.
PICKLE_FORMATS = frozenset({"pickle", "torch-zip", "torch-legacy", "joblib"})

#: Formats with a header the scanner validates.
HEADER_FORMATS = frozenset({"safetensors", "gguf", "onnx"})
