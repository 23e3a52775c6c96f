"""SPDX 3.0.1 JSON-LD with the AI and Dataset profiles, for one model package.

The document is one ``@graph``: a ``CreationInfo`` blank node, the ptmvet
``Tool`` and ``SoftwareAgent``, the ``SpdxDocument`` (profile conformance core,
software, ai, dataset, simpleLicensing), the model as ``ai_AIPackage``, one
``software_File`` per package file (SHA-256), one ``dataset_DatasetPackage``
per dataset, lineage ancestors as ``ai_AIPackage`` elements, licences as
``simplelicensing_LicenseExpression`` elements, and ``Relationship`` elements
between them (``contains``, ``trainedOn``, ``testedOn``, ``descendantOf``,
``hasDeclaredLicense``, ``hasConcludedLicense``). ptmvet's findings are
``Annotation`` elements (``review``) on the model. Mapping: ``docs/bom.md``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from ptmvet.bom.facts import MetricFact, ModelFacts

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPEC_VERSION = "3.0.1"
CREATION_INFO = "_:creationinfo"
#: The individual SPDX defines for "no licence information was asserted".
NO_ASSERTION_LICENSE = "expandedlicensing_NoAssertionLicense"
PROFILES = ("core", "software", "ai", "dataset", "simpleLicensing")

_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-") or "x"


def _entry(key: str, value: Any) -> dict[str, Any]:
    return {"type": "DictionaryEntry", "key": key, "value": str(value)}


def _metric_key(m: MetricFact) -> str:
    where = "/".join(p for p in (m.dataset, m.split) if p)
    base = f"{m.metric}@{where}" if where else m.metric
    return base if m.kind == "claimed" else f"{base} (re-measured)"


def _metric_value(m: MetricFact) -> str:
    text = f"{m.value:g}"
    if m.ci_low is not None and m.ci_high is not None:
        text += f" [{m.ci_low:g}, {m.ci_high:g}]"
    if m.n is not None:
        text += f" n={m.n}"
    return text


class _Graph:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace
        self.items: list[dict[str, Any]] = []
        self._rel = 0
        self._used: set[str] = set()

    def id(self, kind: str, name: str = "") -> str:
        return f"{self.ns}{kind}" + (f"/{_slug(name)}" if name else "")

    def add(self, item: dict[str, Any]) -> str:
        """Add an element; its spdxId is made unique (a check that fires twice, two names with one slug)."""
        item.setdefault("creationInfo", CREATION_INFO)
        wanted = str(item["spdxId"])
        unique, n = wanted, 1
        while unique in self._used:
            n += 1
            unique = f"{wanted}-{n}"
        self._used.add(unique)
        item["spdxId"] = unique
        self.items.append(item)
        return unique

    def relate(self, src: str, kind: str, to: list[str], comment: str | None = None) -> None:
        if not to:
            return
        self._rel += 1
        rel: dict[str, Any] = {
            "type": "Relationship",
            "spdxId": self.id("relationship", str(self._rel)),
            "from": src,
            "relationshipType": kind,
            "to": to,
        }
        if comment:
            rel["comment"] = comment
        self.add(rel)


def _license(g: _Graph, expression: str | None, cache: dict[str, str]) -> str:
    """The spdxId of a LicenseExpression element for ``expression`` (or NoAssertionLicense)."""
    if not expression:
        return NO_ASSERTION_LICENSE
    if expression in cache:
        return cache[expression]
    item: dict[str, Any] = {
        "type": "simplelicensing_LicenseExpression",
        "spdxId": g.id("license", expression),
        "simplelicensing_licenseExpression": expression,
    }
    refs = sorted(set(re.findall(r"LicenseRef-[A-Za-z0-9.\-]+", expression)))
    if refs:
        # LicenseRefs are ptmvet's names for licences outside the SPDX list; point each at its explanation.
        item["simplelicensing_customIdToUri"] = [
            _entry(r, "https://huggingface.co/docs/hub/repositories-licenses") for r in refs
        ]
    cache[expression] = g.add(item)
    return cache[expression]


def _dataset_type(task: str | None) -> str:
    t = (task or "").lower()
    if any(k in t for k in ("image", "vision", "object-detection", "depth")):
        return "image"
    if any(k in t for k in ("audio", "speech", "asr")):
        return "audio"
    if any(k in t for k in ("text", "token", "sentence", "question", "summar", "translation", "fill-mask", "classification", "nli", "zero-shot")):
        return "text"
    return "noAssertion"


def spdx_document(facts: ModelFacts, *, timestamp: datetime | None = None, serial: uuid.UUID | None = None) -> dict[str, Any]:
    """The SPDX 3.0.1 JSON-LD document for one model (a plain dict, ready for ``json.dumps``)."""
    ts = (timestamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    g = _Graph(f"urn:ptmvet:spdx:{serial or uuid.uuid4()}:")
    agent = g.id("agent", "ptmvet")
    tool = g.id("tool", "ptmvet")
    creation = {
        "type": "CreationInfo",
        "@id": CREATION_INFO,
        "specVersion": SPEC_VERSION,
        "created": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "createdBy": [agent],
        "createdUsing": [tool],
    }
    g.items.append(creation)
    g.add({"type": "SoftwareAgent", "spdxId": agent, "name": "ptmvet"})
    g.add({"type": "Tool", "spdxId": tool, "name": f"ptmvet {facts.tool_version}"})

    model_id = g.id("model", facts.name)
    model: dict[str, Any] = {
        "type": "ai_AIPackage",
        "spdxId": model_id,
        "name": facts.name,
        "software_primaryPurpose": "model",
        "software_downloadLocation": facts.download_location or "NOASSERTION",
        "ai_autonomyType": "noAssertion",
        "ai_useSensitivePersonalInformation": "noAssertion",
    }
    if facts.revision:
        model["software_packageVersion"] = facts.revision
    if facts.purl:
        model["software_packageUrl"] = facts.purl
        model["externalIdentifier"] = [
            {"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": facts.purl}
        ]
    if facts.description:
        model["description"] = facts.description
    types = [t for t in (facts.model_architecture, facts.architecture_family) if t]
    if types:
        model["ai_typeOfModel"] = list(dict.fromkeys(types))
    if facts.task:
        model["ai_domain"] = [facts.task]
    training = "\n\n".join(p for p in (facts.training_info, facts.hyperparameters) if p)
    if facts.training_datasets:
        training = (f"Training datasets: {', '.join(facts.training_datasets)}." + ("\n\n" + training if training else "")).strip()
    if training:
        model["ai_informationAboutTraining"] = training
    application = "\n\n".join(p for p in (facts.intended_use, f"Out of scope: {facts.out_of_scope}" if facts.out_of_scope else None) if p)
    if application:
        model["ai_informationAboutApplication"] = application
    if facts.limitations:
        model["ai_limitation"] = facts.limitations
    if facts.metrics:
        model["ai_metric"] = [_entry(_metric_key(m), _metric_value(m)) for m in facts.metrics]
        # A re-measured claim is decided against the claimed value: that is its decision threshold.
        thresholds = [_entry(_metric_key(m), f"{m.claimed:g}") for m in facts.metrics if m.kind == "measured" and m.claimed is not None]
        if thresholds:
            model["ai_metricDecisionThreshold"] = thresholds
    compliance = [f"ptmvet {facts.tool_version} policy checks (VET###)"]
    model["ai_standardCompliance"] = compliance
    if facts.supplier:
        org = g.id("organization", facts.supplier)
        g.add({"type": "Organization", "spdxId": org, "name": facts.supplier})
        model["suppliedBy"] = org
    g.add(model)

    # Files of the package, each with the digest that identifies its content.
    file_ids: list[str] = []
    for f in facts.files:
        item: dict[str, Any] = {"type": "software_File", "spdxId": g.id("file", f.path), "name": f.path, "software_fileKind": "file"}
        if f.sha256:
            item["verifiedUsing"] = [{"type": "Hash", "algorithm": "sha256", "hashValue": f.sha256}]
        if f.weight_format:
            item["software_primaryPurpose"] = "model"
        notes = []
        if f.digest_source == "lfs-pointer":
            notes.append("Git LFS pointer: the digest is the pointer's oid; the content is not in the package")
        elif f.digest_source == "registry":
            notes.append("digest from the registry listing")
        if f.size is not None:
            notes.append(f"{f.size} bytes")
        if notes:
            item["comment"] = "; ".join(notes)
        file_ids.append(g.add(item))
    g.relate(model_id, "contains", file_ids)

    # Datasets: trained on (card metadata, lineage) and tested on (claims, re-measurements).
    ds_ids: dict[str, str] = {}
    for name in dict.fromkeys([*facts.training_datasets, *facts.eval_datasets]):
        ds_ids[name] = g.add(
            {
                "type": "dataset_DatasetPackage",
                "spdxId": g.id("dataset", name),
                "name": name,
                "software_primaryPurpose": "data",
                "software_downloadLocation": f"https://huggingface.co/datasets/{name}",
                "dataset_datasetType": [_dataset_type(facts.task)],
            }
        )
    g.relate(model_id, "trainedOn", [ds_ids[d] for d in facts.training_datasets])
    g.relate(model_id, "testedOn", [ds_ids[d] for d in facts.eval_datasets])

    # Licences: declared (what the card says) and concluded (ptmvet's detection).
    lic_cache: dict[str, str] = {}
    g.relate(model_id, "hasDeclaredLicense", [_license(g, facts.license_declared, lic_cache)])
    g.relate(model_id, "hasConcludedLicense", [_license(g, facts.license_concluded, lic_cache)])

    # Lineage: each child descendantOf its parent.
    node_ids = {facts.repo_id or facts.name: model_id, facts.name: model_id}
    for a in facts.ancestors:
        if a.id not in node_ids:
            anc: dict[str, Any] = {
                "type": "ai_AIPackage",
                "spdxId": g.id("ancestor", a.id),
                "name": a.id,
                "software_primaryPurpose": "model",
                "software_downloadLocation": f"https://huggingface.co/{a.id}" if "/" in a.id else "NOASSERTION",
            }
            if not a.found:
                anc["comment"] = "named as a base model but not found in the registry data"
            node_ids[a.id] = g.add(anc)
            if a.license:
                g.relate(node_ids[a.id], "hasDeclaredLicense", [_license(g, a.license, lic_cache)])
    for a in facts.ancestors:
        child = node_ids.get(a.child, model_id)
        g.relate(child, "descendantOf", [node_ids[a.id]], comment=a.relation)

    # Findings: one review annotation per check result.
    for finding in facts.findings:
        g.add(
            {
                "type": "Annotation",
                "spdxId": g.id("finding", finding.check_id),
                "annotationType": "review",
                "subject": model_id,
                "statement": f"{finding.check_id} {finding.slug} {finding.outcome.value} ({finding.severity.value}): {finding.message}",
            }
        )
    scores = ", ".join(f"{a.value} {'n/a' if s is None else f'{s:g}'}" for a, s in facts.scores.items())
    g.add(
        {
            "type": "Annotation",
            "spdxId": g.id("scores"),
            "annotationType": "review",
            "subject": model_id,
            "statement": f"ptmvet attribute scores (0-10): {scores}",
        }
    )

    doc_id = g.id("document")
    elements = [str(i["spdxId"]) for i in g.items if "spdxId" in i]
    g.items.insert(
        1,
        {
            "type": "SpdxDocument",
            "spdxId": doc_id,
            "creationInfo": CREATION_INFO,
            "name": f"AI BOM of {facts.name}",
            "profileConformance": list(PROFILES),
            "dataLicense": _license(g, "CC0-1.0", lic_cache),
            "rootElement": [model_id],
            "element": elements,
        },
    )
    return {"@context": CONTEXT, "@graph": g.items}
