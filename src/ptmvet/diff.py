"""Two revisions of one model, compared: ``ptmvet diff OLD NEW``.

Each side is a model folder, an ``org/name@rev`` (HF cache, else the Hub), a JSON
report written by ``ptmvet check -f json``, or a manifest written by ``ptmvet
manifest``. The diff lists files added, removed and changed (sha256 and size, weights
marked), and what changed in the licence, the base models, the performance claims,
the findings and the scores. :attr:`Diff.weights_changed` and
:attr:`Diff.licence_changed` decide the exit code (1 when either is true).

What one side cannot tell is said, not guessed: a JSON report carries no per-file
digests, so a diff against one has ``files_compared`` False; a manifest carries only
files, so nothing else is compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ptmvet.errors import InputError
from ptmvet.evidence import NON_WEIGHT_NAMES, WEIGHT_SUFFIXES
from ptmvet.integrity.manifest import MANIFEST_KIND

if TYPE_CHECKING:
    from ptmvet.report import Report

#: Version of the diff JSON (schemas/diff.schema.json).
SCHEMA_VERSION = 1


def is_weight(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if name in NON_WEIGHT_NAMES:
        return False
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix in WEIGHT_SUFFIXES


@dataclass(frozen=True)
class Side:
    """What is known about one revision."""

    label: str
    kind: str  # 'folder' | 'hf-cache' | 'hub' | 'report' | 'manifest'
    revision: str | None = None
    files: Mapping[str, tuple[str | None, int | None]] | None = None  # path -> (digest, size); None: not known
    licence: str | None = None
    base_models: tuple[str, ...] | None = None
    claims: tuple[str, ...] | None = None
    findings: Mapping[str, tuple[str, ...]] | None = None  # check id -> sorted "outcome: message"
    scores: Mapping[str, float | None] | None = None
    #: The report's summary of the weights (formats, bytes, parameters): what a JSON report says about
    #: them, compared when per-file digests are not known.
    weights: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class FileChange:
    path: str
    change: str  # 'added' | 'removed' | 'changed'
    old_sha256: str | None
    new_sha256: str | None
    old_size: int | None
    new_size: int | None
    weights: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "change": self.change, "weights": self.weights,
            "old": {"sha256": self.old_sha256, "size": self.old_size} if self.change != "added" else None,
            "new": {"sha256": self.new_sha256, "size": self.new_size} if self.change != "removed" else None,
        }


@dataclass(frozen=True)
class ValueChange:
    what: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Diff:
    """What changed between two revisions of a model."""

    old: Side
    new: Side
    files: tuple[FileChange, ...] = ()
    files_compared: bool = True
    unchanged_files: int = 0
    changes: tuple[ValueChange, ...] = ()
    not_compared: tuple[str, ...] = field(default=())

    @property
    def weights_changed(self) -> bool:
        return any(f.weights for f in self.files) or any(c.what == "weights" for c in self.changes)

    @property
    def licence_changed(self) -> bool:
        return any(c.what == "licence" for c in self.changes)

    @property
    def changed(self) -> bool:
        return bool(self.files or self.changes)


# ----------------------------------------------------------------------------------
# Reading a side
# ----------------------------------------------------------------------------------


def _claim_line(parts: Sequence[object], value: object) -> str:
    """One claim as ``task / dataset / config / split / metric = value`` (parts that are None left out)."""
    return " / ".join(str(p) for p in parts if p is not None) + f" = {value}"


def _findings_lines(pairs: Iterable[tuple[str, str, str]], root: str | None) -> dict[str, tuple[str, ...]]:
    """check id -> sorted ``outcome: message`` (the package folder in messages replaced, so two folders compare)."""
    findings: dict[str, list[str]] = {}
    for check_id, outcome, message in pairs:
        if root:
            message = message.replace(root, "<package>")
        findings.setdefault(check_id, []).append(f"{outcome}: {message}")
    return {k: tuple(sorted(v)) for k, v in findings.items()}


def _from_report(report: Report, label: str, kind: str) -> Side:
    """One side from a report made now, read from its typed results."""
    lic = report.license_checked
    primary = lic.primary if lic is not None else None
    licence = (primary.spdx or primary.raw) if primary is not None else report.summary.license
    lineage = report.lineage
    bases = sorted({e.parent for e in lineage.edges if e.child == lineage.root}) if lineage is not None else []
    if not bases:
        for f in report.findings:
            if f.check_id == "VET101":
                bases = sorted({str(b) for b in f.details.get("base_models") or []})
    claims = tuple(
        sorted(
            _claim_line((c.task_type, c.dataset, c.dataset_config, c.dataset_split, c.metric), c.value)
            for c in report.claims
        )
    )
    return Side(
        label=label,
        kind=kind,
        revision=report.target.revision,
        licence=licence,
        base_models=tuple(bases),
        claims=claims,
        findings=_findings_lines(((f.check_id, f.outcome.value, f.message) for f in report.findings), report.target.local_path),
        scores={a.value: s for a, s in report.scores.items()},
        weights=_weights_summary(report.summary.to_dict()),
    )


def _weights_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "formats": sorted(str(f) for f in summary.get("weight_formats") or []),
        "bytes": summary.get("weights_bytes"),
        "parameters": summary.get("parameters"),
    }


def _from_report_dict(doc: Mapping[str, Any], label: str, kind: str, root: str | None) -> Side:
    """One side from a JSON report written earlier (``ptmvet check -f json``), read by its documented keys."""
    sections = doc.get("sections") or {}
    lic_section = sections.get("license") or {}
    primary = ((lic_section.get("detection") or {}).get("primary")) or {}
    licence = primary.get("spdx") or primary.get("raw") if isinstance(primary, Mapping) else None
    if licence is None:
        licence = (doc.get("summary") or {}).get("license")
    lineage = sections.get("lineage") or {}
    root_id = lineage.get("root")
    bases = sorted({str(e.get("parent")) for e in lineage.get("edges") or [] if e.get("child") == root_id})
    if not bases:
        for f in doc.get("findings") or []:
            if f.get("check_id") == "VET101":
                bases = sorted({str(b) for b in ((f.get("details") or {}).get("base_models") or [])})
    claims = tuple(
        sorted(
            _claim_line([c.get(k) for k in ("task", "dataset", "config", "split", "metric")], c.get("value"))
            for c in doc.get("claims") or []
        )
    )
    rows = doc.get("findings") or []
    findings = _findings_lines(((str(f.get("check_id")), str(f.get("outcome")), str(f.get("message", ""))) for f in rows), root)
    target = doc.get("target") or {}
    return Side(
        label=label,
        kind=kind,
        revision=target.get("revision"),
        licence=str(licence) if licence is not None else None,
        base_models=tuple(bases),
        claims=claims,
        findings=findings,
        scores=dict(doc.get("scores") or {}),
        weights=_weights_summary(doc.get("summary") or {}),
    )


def _read_json_side(path: Path) -> Side:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a readable JSON file ({exc})", path=str(path)) from exc
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not a ptmvet report or manifest (a JSON {type(doc).__name__})", path=str(path))
    if doc.get("kind") in {"manifest", MANIFEST_KIND}:
        from ptmvet.integrity.manifest import parse_manifest

        m = parse_manifest(doc, source=str(path))
        return Side(str(path), "manifest", files={e.path: (e.sha256, e.size) for e in m.entries})
    if "findings" in doc and "target" in doc:
        root = (doc.get("target") or {}).get("local_path")
        return _from_report_dict(doc, str(path), "report", root)
    raise InputError(f"{path}: not a ptmvet report or manifest (no findings/target, no kind: manifest)", path=str(path))


def read_side(ref: str, *, offline: bool | None = None) -> Side:
    """One side of a diff: a JSON report or manifest, else a model reference vetted now."""
    p = Path(ref)
    if p.is_file() and p.suffix.lower() == ".json":
        return _read_json_side(p)
    from ptmvet.integrity.manifest import build_manifest
    from ptmvet.pipeline import VetOptions, vet_evidence
    from ptmvet.sources import collect

    evidence = collect(ref, offline=offline)
    report = vet_evidence(evidence, VetOptions.default())
    target = evidence.target
    files: dict[str, tuple[str | None, int | None]]
    if target.local_path:
        manifest = build_manifest(Path(target.local_path))
        files = {e.path: (e.sha256, e.size) for e in manifest.entries}
    else:
        files = {f.path: (f.registry_sha256 or f.blob_id, f.registry_size or f.size) for f in evidence.files}
    return replace(_from_report(report, ref, target.source), revision=target.revision, files=files)


# ----------------------------------------------------------------------------------
# Comparing
# ----------------------------------------------------------------------------------


def compare_sides(old: Side, new: Side) -> Diff:
    """The differences between two sides (what either cannot tell is listed in ``not_compared``)."""
    files: list[FileChange] = []
    unchanged = 0
    not_compared: list[str] = []
    compared = old.files is not None and new.files is not None
    if old.files is not None and new.files is not None:
        for path in sorted(set(old.files) | set(new.files)):
            a, b = old.files.get(path), new.files.get(path)
            w = is_weight(path)
            if a is None and b is not None:
                files.append(FileChange(path, "added", None, b[0], None, b[1], w))
            elif b is None and a is not None:
                files.append(FileChange(path, "removed", a[0], None, a[1], None, w))
            elif a is not None and b is not None and (a[0] != b[0] or a[0] is None):
                files.append(FileChange(path, "changed", a[0], b[0], a[1], b[1], w))
            else:
                unchanged += 1
    else:
        not_compared.append("files (a JSON report carries no per-file digests)")
    changes: list[ValueChange] = []
    if not compared and old.weights is not None and new.weights is not None and old.weights != new.weights:
        # Without digests, the reports' own account of the weights is what can show they changed.
        changes.append(ValueChange("weights", dict(old.weights), dict(new.weights)))

    def value(what: str, a: Any, b: Any) -> None:
        if a is None or b is None:
            if not (a is None and b is None) or old.kind == "manifest" or new.kind == "manifest":
                not_compared.append(what)
            return
        if a != b:
            changes.append(ValueChange(what, a, b))

    value("licence", old.licence if old.kind != "manifest" else None, new.licence if new.kind != "manifest" else None)
    value("base models", list(old.base_models) if old.base_models is not None else None,
          list(new.base_models) if new.base_models is not None else None)
    if old.claims is not None and new.claims is not None:
        gone = sorted(set(old.claims) - set(new.claims))
        came = sorted(set(new.claims) - set(old.claims))
        if gone or came:
            changes.append(ValueChange("claims", gone, came))
    else:
        not_compared.append("claims")
    if old.findings is not None and new.findings is not None:
        for check in sorted(set(old.findings) | set(new.findings)):
            a_f, b_f = old.findings.get(check, ()), new.findings.get(check, ())
            if a_f != b_f:
                changes.append(ValueChange(f"findings {check}", list(a_f), list(b_f)))
    else:
        not_compared.append("findings")
    if old.scores is not None and new.scores is not None:
        for attr in sorted(set(old.scores) | set(new.scores)):
            if old.scores.get(attr) != new.scores.get(attr):
                changes.append(ValueChange(f"score {attr}", old.scores.get(attr), new.scores.get(attr)))
    return Diff(old, new, tuple(files), compared, unchanged, tuple(changes), tuple(dict.fromkeys(not_compared)))


def diff(old: str, new: str, *, offline: bool | None = None) -> Diff:
    """Compare two revisions of a model (folders, ``org/name@rev``, JSON reports or manifests)."""
    return compare_sides(read_side(old, offline=offline), read_side(new, offline=offline))
