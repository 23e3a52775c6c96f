"""What both BOM formats say about a model, gathered once from the evidence and the report.

The evidence holds what was collected (files, card, config, hashes, lineage);
the report holds what ptmvet concluded (findings, scores, licence verdict,
measurements). :func:`model_facts` reduces both to plain, format-neutral
values; :mod:`ptmvet.bom.cyclonedx` and :mod:`ptmvet.bom.spdx` only map them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ptmvet.card import Claim
from ptmvet.checks.interface import Attribute, Finding, Outcome
from ptmvet.errors import DependencyMissing
from ptmvet.evidence import Evidence
from ptmvet.evidence.lineage import Lineage
from ptmvet.evidence.measurement import Measurement
from ptmvet.licenses.compat import UseVerdict
from ptmvet.licenses.verdict import LicenseAssessment
from ptmvet.report import Report

#: Longest card text copied into a BOM field (limitations, intended use ...).
MAX_TEXT = 2000

#: Folder names that say nothing about the model; the card's title is used instead.
_GENERIC_NAMES = frozenset({"model", "models", "snapshot", "checkpoint", "weights", "main"})
_SHA_LIKE = re.compile(r"[0-9a-f]{40}")
_WS = re.compile(r"[ \t]*\n[ \t\n]*\n")

#: config.json keys whose presence marks an attention-based (transformer) network.
_TRANSFORMER_KEYS = ("num_attention_heads", "n_head", "encoder_attention_heads", "num_heads", "n_heads")


@dataclass(frozen=True)
class FileFact:
    """One file of the package with the digest that identifies its content."""

    path: str
    size: int | None
    sha256: str | None
    digest_source: str | None  # "local", "registry", "lfs-pointer" (content absent), or None
    weight_format: str | None
    present: bool  # the content is on this machine (not an LFS pointer, not registry-only)


@dataclass(frozen=True)
class MetricFact:
    """A performance number: claimed by the card, or re-measured by ptmvet."""

    kind: str  # "claimed" | "measured"
    metric: str
    value: float
    dataset: str | None = None
    split: str | None = None
    task: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    verdict: str | None = None
    verified: bool = False
    claimed: float | None = None  # for a re-measurement: the claimed value it was compared with


@dataclass(frozen=True)
class AncestorFact:
    """A model this one derives from (lineage), with its licence."""

    id: str
    license: str | None  # SPDX expression or LicenseRef
    relation: str | None  # relation of its child to it (finetune, adapter, ...)
    child: str
    depth: int
    found: bool


@dataclass(frozen=True)
class ModelFacts:
    """Format-neutral content of a model BOM."""

    name: str
    repo_id: str | None
    revision: str | None
    purl: str | None
    supplier: str | None
    description: str | None
    license_declared: str | None  # as normalised from the card / registry (SPDX or LicenseRef)
    license_concluded: str | None  # ptmvet's detection (the primary licence)
    license_class: str | None
    license_use: UseVerdict | None  # whether the licence permits the intended use (None: no licence)
    intended_use_setting: str
    task: str | None
    library: str | None
    architecture_family: str | None
    model_architecture: str | None
    model_type: str | None
    parameters: int | None
    files: tuple[FileFact, ...]
    training_datasets: tuple[str, ...]
    eval_datasets: tuple[str, ...]
    metrics: tuple[MetricFact, ...]
    limitations: str | None
    intended_use: str | None
    out_of_scope: str | None
    training_info: str | None
    hyperparameters: str | None
    ancestors: tuple[AncestorFact, ...]
    findings: tuple[Finding, ...]
    scores: Mapping[Attribute, float | None]
    tool_version: str
    download_location: str | None
    tags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def safety_failures(self) -> tuple[Finding, ...]:
        """Failing serialization-safety findings: they become vulnerabilities."""
        return tuple(f for f in self.findings if f.attribute is Attribute.SAFETY and f.outcome is Outcome.FAIL)


def hub_purl(repo_id: str | None, revision: str | None) -> str | None:
    """``pkg:huggingface/org/name@sha`` (purl spec, type huggingface) or None when the repo is unknown."""
    if not repo_id:
        return None
    try:
        from packageurl import PackageURL
    except ImportError as exc:  # pragma: no cover - packageurl ships with cyclonedx-python-lib
        raise DependencyMissing("packageurl-python", "package URLs in BOMs") from exc
    namespace, _, name = repo_id.rpartition("/")
    return str(PackageURL(type="huggingface", namespace=namespace or None, name=name, version=revision or None).to_string())


def _clip(text: str | None, limit: int = MAX_TEXT) -> str | None:
    if not text:
        return None
    text = _WS.sub("\n\n", text).strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _section_text(evidence: Evidence, *keys: str) -> str | None:
    card = evidence.card
    if card is None:
        return None
    parts: list[str] = []
    seen: set[int] = set()
    for key in keys:
        for s in card.section(key):
            if id(s) in seen or s.is_placeholder:
                continue
            seen.add(id(s))
            parts.append(s.visible_text.strip())
    return _clip("\n\n".join(p for p in parts if p))


def _display_name(evidence: Evidence) -> str:
    t = evidence.target
    if t.repo_id:
        return t.repo_id
    name = t.name
    if (name.lower() in _GENERIC_NAMES or _SHA_LIKE.fullmatch(name)) and evidence.card is not None:
        for s in evidence.card.sections:
            if s.level == 1 and s.title.strip():
                return s.title.strip()
    return name


def _file_facts(evidence: Evidence) -> tuple[FileFact, ...]:
    hashes = evidence.integrity.hashes if evidence.integrity else {}
    out: list[FileFact] = []
    for f in sorted(evidence.files, key=lambda x: x.path):
        if f.lfs_pointer is not None:
            # The local file is a pointer: the content it stands for is identified by the pointer's oid.
            out.append(FileFact(f.path, f.lfs_pointer.size, f.lfs_pointer.oid, "lfs-pointer", f.weight_format, False))
        elif f.local and f.path in hashes:
            out.append(FileFact(f.path, f.size, hashes[f.path], "local", f.weight_format, True))
        elif f.registry_sha256:
            out.append(FileFact(f.path, f.registry_size or f.size, f.registry_sha256, "registry", f.weight_format, f.local))
        else:
            out.append(FileFact(f.path, f.size, None, None, f.weight_format, f.local))
    return tuple(out)


def _architecture(config: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    archs = config.get("architectures")
    arch = archs[0] if isinstance(archs, list) and archs and isinstance(archs[0], str) else None
    model_type = config.get("model_type") if isinstance(config.get("model_type"), str) else None
    family: str | None = None
    if any(k in config for k in _TRANSFORMER_KEYS) or (arch or "").endswith(("ForConditionalGeneration", "ForCausalLM", "ForMaskedLM")):
        family = "transformer"
    elif model_type:
        family = model_type
    return family, arch or model_type, model_type


def _claim_metric(c: Claim) -> MetricFact | None:
    if c.value is None or c.metric is None:
        return None
    return MetricFact(
        kind="claimed",
        metric=c.metric,
        value=float(c.value),
        dataset=c.dataset,
        split=c.dataset_split,
        task=c.task_type,
        verified=c.verified,
    )


def _measured(measurements: Iterable[Measurement]) -> list[MetricFact]:
    """The re-measured values (a claim that could not be measured states no value and is left out)."""
    return [
        MetricFact(
            kind="measured",
            metric=m.metric,
            value=float(m.measured),
            dataset=m.dataset or None,
            split=m.split or None,
            task=m.task or None,
            ci_low=float(m.ci_low) if m.ci_low is not None else None,
            ci_high=float(m.ci_high) if m.ci_high is not None else None,
            n=m.n,
            verdict=m.verdict.value,
            claimed=float(m.claimed) if m.claimed is not None else None,
        )
        for m in measurements
        if m.measured is not None and m.metric is not None
    ]


def _ancestors(lineage: Lineage | None) -> tuple[AncestorFact, ...]:
    if lineage is None:
        return ()
    out: list[AncestorFact] = []
    for e in lineage.edges:
        node = lineage.node(e.parent)
        spdx = node.spdx if node else None
        out.append(
            AncestorFact(
                id=e.parent,
                license=spdx if spdx and spdx != "LicenseRef-unknown" else None,
                relation=e.relation.value,
                child=e.child,
                depth=node.depth if node else 0,
                found=node.found if node else True,
            )
        )
    return tuple(out)


def _declared_license(evidence: Evidence, lic: LicenseAssessment | None) -> str | None:
    if lic is not None and lic.detection.declared:
        return lic.detection.declared[0].license.spdx
    raw = evidence.card.meta_str("license") if evidence.card else None
    if raw:
        from ptmvet.licenses.ids import normalize

        return normalize(raw).spdx
    return None


def model_facts(evidence: Evidence, report: Report) -> ModelFacts:
    """Reduce the evidence and the report of one vetting run to BOM content."""
    t = evidence.target
    card = evidence.card
    lic = report.license  # the licence verdict, computed once (ptmvet.licenses.verdict)
    family, arch, model_type = _architecture(evidence.config)
    summary = report.summary
    datasets: list[str] = list(card.meta_list("datasets")) if card else []
    lineage = evidence.lineage
    for d in lineage.datasets if lineage else ():
        if d.id not in datasets:
            datasets.append(d.id)
    metrics = [m for m in (_claim_metric(c) for c in report.claims) if m is not None]
    metrics.extend(_measured(evidence.measurements))
    eval_ds: list[str] = []
    for m in metrics:
        if m.dataset and m.dataset not in eval_ds:
            eval_ds.append(m.dataset)
    registry = evidence.registry
    supplier = (registry.author if registry else None) or (t.repo_id.split("/")[0] if t.repo_id and "/" in t.repo_id else None)
    task = summary.pipeline_tag
    if task is None:
        task = next((c.task_type for c in report.claims if c.task_type), None)
    description = None
    if card is not None:
        description = _section_text(evidence, "model_description", "model_details") or _clip(
            next((s.visible_text for s in card.sections if s.level == 1 and s.words), None), 600
        )
    return ModelFacts(
        name=_display_name(evidence),
        repo_id=t.repo_id,
        revision=t.revision,
        purl=hub_purl(t.repo_id, t.revision),
        supplier=supplier,
        description=_clip(description, 1000),
        license_declared=_declared_license(evidence, lic),
        license_concluded=lic.spdx if lic else None,
        license_class=lic.klass.family.value if lic and lic.klass else None,
        license_use=lic.use if lic else None,
        intended_use_setting=(lic.intended_use if lic else evidence.intended_use).value,
        task=task,
        library=summary.library,
        architecture_family=family,
        model_architecture=arch,
        model_type=model_type,
        parameters=summary.parameters,
        files=_file_facts(evidence),
        training_datasets=tuple(datasets),
        eval_datasets=tuple(eval_ds),
        metrics=tuple(metrics),
        limitations=_section_text(evidence, "bias_risks_limitations", "recommendations"),
        intended_use=_section_text(evidence, "uses", "direct_use", "downstream_use"),
        out_of_scope=_section_text(evidence, "out_of_scope_use"),
        training_info=_section_text(evidence, "training_data", "training_procedure", "training_details"),
        hyperparameters=_section_text(evidence, "training_hyperparameters"),
        ancestors=_ancestors(lineage),
        findings=report.findings,
        scores=report.scores,
        tool_version=report.tool_version,
        download_location=f"https://huggingface.co/{t.repo_id}" if t.repo_id else None,
        tags=tuple(card.meta_list("tags")) if card else (tuple(registry.tags) if registry else ()),
        languages=tuple(card.meta_list("language")) if card else (),
    )
