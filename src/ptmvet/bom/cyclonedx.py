"""CycloneDX 1.6 ML-BOM (JSON) for one model package.

cyclonedx-python-lib has no ``modelCard`` model, so the document is built as
plain JSON here and checked against the official 1.6 schema in the tests
(``tests/bom``). The field mapping is documented in ``docs/bom.md``.

Layout:

* ``metadata.component`` is the model (``type: machine-learning-model``) with
  its purl (``pkg:huggingface/org/name@sha`` when the repository is known),
  licences, ``modelCard``, ``pedigree.ancestors`` (lineage) and the findings
  as ``properties`` (``ptmvet:finding:VET###``).
* ``components`` holds one ``file`` component per package file (SHA-256) and
  one ``data`` component per dataset the model was trained or evaluated on;
  ``modelCard.modelParameters.datasets`` refers to the data components.
* ``dependencies`` ties the model to its files and datasets.
* ``vulnerabilities`` lists the failing serialization-safety findings.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from ptmvet.bom.facts import AncestorFact, MetricFact, ModelFacts
from ptmvet.checks.interface import Finding, Severity
from ptmvet.licenses.ids import is_valid_expression

SPEC_VERSION = "1.6"
SCHEMA_URL = "http://cyclonedx.org/schema/bom-1.6.schema.json"
MODEL_REF = "model"

_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high",
    Severity.MEDIUM: "medium",
    Severity.LOW: "low",
    Severity.INFO: "info",
}


@cache
def _spdx_ids() -> frozenset[str]:
    """SPDX licence ids CycloneDX accepts in ``license.id``: the enum of the spdx.schema.json that
    cyclonedx-python-lib bundles with the 1.6 schema (empty without it: expressions are used then)."""
    try:
        text = resources.files("cyclonedx.schema").joinpath("_res/spdx.SNAPSHOT.schema.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return frozenset()
    enum = json.loads(text).get("enum")
    return frozenset(str(e) for e in enum) if isinstance(enum, list) else frozenset()


def license_choice(expression: str | None) -> list[dict[str, Any]]:
    """A CycloneDX ``licenses`` array: an SPDX id, an expression, or a named LicenseRef."""
    if not expression:
        return []
    if expression in _spdx_ids():
        return [{"license": {"id": expression}}]
    if " " not in expression and expression.startswith("LicenseRef-"):
        return [{"license": {"name": expression}}]
    if is_valid_expression(expression):
        return [{"expression": expression}]
    return [{"license": {"name": expression}}]


def _prop(name: str, value: Any) -> dict[str, str]:
    return {"name": name, "value": "" if value is None else str(value)}


def _finding_value(f: Finding) -> str:
    return f"{f.outcome.value} ({f.severity.value}): {f.message}"


def _metric(m: MetricFact) -> dict[str, Any]:
    out: dict[str, Any] = {"type": m.metric if m.kind == "claimed" else f"{m.metric} (re-measured)", "value": f"{m.value:g}"}
    slice_parts = [p for p in (m.dataset, m.split) if p]
    if slice_parts:
        out["slice"] = "/".join(slice_parts)
    if m.ci_low is not None or m.ci_high is not None:
        ci: dict[str, str] = {}
        if m.ci_low is not None:
            ci["lowerBound"] = f"{m.ci_low:g}"
        if m.ci_high is not None:
            ci["upperBound"] = f"{m.ci_high:g}"
        out["confidenceInterval"] = ci
    return out


def _data_ref(dataset: str) -> str:
    return f"data:{dataset}"


def _ancestor(a: AncestorFact) -> dict[str, Any]:
    from ptmvet.bom.facts import hub_purl

    comp: dict[str, Any] = {"type": "machine-learning-model", "bom-ref": f"ancestor:{a.id}", "name": a.id}
    purl = hub_purl(a.id, None) if "/" in a.id else None
    if purl:
        comp["purl"] = purl
    lic = license_choice(a.license)
    if lic:
        comp["licenses"] = lic
    props = [_prop("ptmvet:lineage:child", a.child), _prop("ptmvet:lineage:depth", a.depth)]
    if a.relation:
        props.append(_prop("ptmvet:lineage:relation", a.relation))
    if not a.found:
        props.append(_prop("ptmvet:lineage:found", "false"))
    comp["properties"] = props
    return comp


def _model_card(facts: ModelFacts, datasets: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if facts.task:
        params["task"] = facts.task
    if facts.architecture_family:
        params["architectureFamily"] = facts.architecture_family
    if facts.model_architecture:
        params["modelArchitecture"] = facts.model_architecture
    if datasets:
        params["datasets"] = [{"ref": _data_ref(d)} for d in datasets]
    card: dict[str, Any] = {"bom-ref": "model-card"}
    if params:
        card["modelParameters"] = params
    if facts.metrics:
        card["quantitativeAnalysis"] = {"performanceMetrics": [_metric(m) for m in facts.metrics]}
    considerations: dict[str, Any] = {}
    if facts.intended_use:
        considerations["useCases"] = [facts.intended_use]
    if facts.limitations:
        considerations["technicalLimitations"] = [facts.limitations]
    if facts.out_of_scope:
        considerations["ethicalConsiderations"] = [{"name": "out-of-scope use", "mitigationStrategy": facts.out_of_scope}]
    if considerations:
        card["considerations"] = considerations
    props = []
    if facts.training_info:
        props.append(_prop("ptmvet:card:training", facts.training_info))
    if facts.hyperparameters:
        props.append(_prop("ptmvet:card:hyperparameters", facts.hyperparameters))
    if facts.out_of_scope:
        props.append(_prop("ptmvet:card:out-of-scope", facts.out_of_scope))
    for m in facts.metrics:
        if m.kind == "measured" and m.verdict:
            props.append(_prop(f"ptmvet:measurement:{m.metric}:{m.dataset or ''}", f"{m.verdict} (n={m.n})"))
    if props:
        card["properties"] = props
    return card


def _model_component(facts: ModelFacts, datasets: list[str]) -> dict[str, Any]:
    comp: dict[str, Any] = {"type": "machine-learning-model", "bom-ref": MODEL_REF, "name": facts.name}
    if facts.revision:
        comp["version"] = facts.revision
    if facts.supplier:
        comp["supplier"] = {"name": facts.supplier}
    if facts.description:
        comp["description"] = facts.description
    lic = license_choice(facts.license_concluded or facts.license_declared)
    if lic:
        comp["licenses"] = lic
    if facts.purl:
        comp["purl"] = facts.purl
    if facts.download_location:
        comp["externalReferences"] = [{"type": "distribution", "url": facts.download_location}]
    if facts.ancestors:
        comp["pedigree"] = {"ancestors": [_ancestor(a) for a in facts.ancestors]}
    comp["modelCard"] = _model_card(facts, datasets)
    if facts.tags:
        comp["tags"] = sorted(set(facts.tags))
    props = [
        _prop("ptmvet:intended-use", facts.intended_use_setting),
    ]
    if facts.license_declared:
        props.append(_prop("ptmvet:license:declared", facts.license_declared))
    if facts.license_class:
        props.append(_prop("ptmvet:license:class", facts.license_class))
    if facts.license_use is not None:
        reasons = "; ".join(facts.license_use.reasons)
        props.append(_prop("ptmvet:license:use-verdict", f"{facts.license_use.status.value}{': ' + reasons if reasons else ''}"))
    if facts.parameters:
        props.append(_prop("ptmvet:parameters", facts.parameters))
    if facts.library:
        props.append(_prop("ptmvet:library", facts.library))
    for attr, score in facts.scores.items():
        props.append(_prop(f"ptmvet:score:{attr.value}", "not assessable" if score is None else f"{score:g}"))
    for f in facts.findings:
        props.append(_prop(f"ptmvet:finding:{f.check_id}", _finding_value(f)))
    comp["properties"] = props
    return comp


def _file_component(f: Any) -> dict[str, Any]:
    comp: dict[str, Any] = {"type": "file", "bom-ref": f"file:{f.path}", "name": f.path}
    if f.sha256:
        comp["hashes"] = [{"alg": "SHA-256", "content": f.sha256}]
    props = []
    if f.size is not None:
        props.append(_prop("ptmvet:size", f.size))
    if f.weight_format:
        props.append(_prop("ptmvet:weight-format", f.weight_format))
    if f.digest_source:
        props.append(_prop("ptmvet:digest-source", f.digest_source))
    if not f.present:
        props.append(_prop("ptmvet:content-present", "false"))
    if props:
        comp["properties"] = props
    return comp


def _data_component(dataset: str, *, trained: bool, evaluated: bool) -> dict[str, Any]:
    uses = [u for u, on in (("training", trained), ("evaluation", evaluated)) if on]
    comp: dict[str, Any] = {
        "type": "data",
        "bom-ref": _data_ref(dataset),
        "name": dataset,
        "data": [{"type": "dataset", "name": dataset}],
        "properties": [_prop("ptmvet:dataset:use", ",".join(uses))],
    }
    if "/" in dataset or dataset.replace("_", "").replace("-", "").isalnum():
        comp["externalReferences"] = [{"type": "distribution", "url": f"https://huggingface.co/datasets/{dataset}"}]
    return comp


def _vulnerabilities(facts: ModelFacts) -> list[dict[str, Any]]:
    from ptmvet.checks import by_id
    from ptmvet.formats.sarif import help_uri

    metas = by_id()
    out: list[dict[str, Any]] = []
    for i, f in enumerate(facts.safety_failures, 1):
        meta = metas.get(f.check_id)
        vuln: dict[str, Any] = {
            "bom-ref": f"vuln:{f.check_id}:{i}",
            "id": f.check_id,
            "source": {"name": "ptmvet", **({"url": help_uri(meta.meta)} if meta else {})},
            "ratings": [{"source": {"name": "ptmvet"}, "severity": _SEVERITY[f.severity], "method": "other"}],
            "description": f"{f.slug}: {f.message}",
            "affects": [{"ref": MODEL_REF}],
        }
        if f.remedy:
            vuln["recommendation"] = f.remedy
        paths = [e for e in f.evidence if any(e == x.path for x in facts.files)]
        vuln["affects"].extend({"ref": f"file:{p}"} for p in paths)
        out.append(vuln)
    return out


def cyclonedx_bom(facts: ModelFacts, *, timestamp: datetime | None = None, serial: uuid.UUID | None = None) -> dict[str, Any]:
    """The CycloneDX 1.6 JSON document for one model (a plain dict, ready for ``json.dumps``)."""
    ts = (timestamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    datasets = list(dict.fromkeys([*facts.training_datasets, *facts.eval_datasets]))
    files = [_file_component(f) for f in facts.files]
    data = [_data_component(d, trained=d in facts.training_datasets, evaluated=d in facts.eval_datasets) for d in datasets]
    bom: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": (serial or uuid.uuid4()).urn,
        "version": 1,
        "metadata": {
            "timestamp": ts.isoformat().replace("+00:00", "Z"),
            "tools": {"components": [{"type": "application", "name": "ptmvet", "version": facts.tool_version}]},
            "component": _model_component(facts, datasets),
        },
        "components": files + data,
        "dependencies": [
            {"ref": MODEL_REF, "dependsOn": [c["bom-ref"] for c in files + data]},
            *({"ref": c["bom-ref"]} for c in files + data),
        ],
    }
    vulns = _vulnerabilities(facts)
    if vulns:
        bom["vulnerabilities"] = vulns
    return bom
