"""BOMs: schema-valid CycloneDX 1.6 and SPDX 3.0.1 for real packages and tiny built ones; field mapping."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _bom_schemas import (
    SPDX_SCHEMA,
    SPDX_SCHEMA_SHA256,
    SPDX_SCHEMA_SIZE,
    cyclonedx_errors,
    spdx_element_types,
    spdx_model_load,
    spdx_published_schema,
    spdx_schema_errors,
    spdx_whole_document_errors,
)

from ptmvet.bom import BOM_FORMATS, render_bom, vet_for_bom
from ptmvet.bom.cyclonedx import license_choice
from ptmvet.bom.facts import AncestorFact, FileFact, MetricFact, hub_purl, model_facts
from ptmvet.bom.spdx import spdx_document
from ptmvet.cli import main
from ptmvet.errors import UsageError
from ptmvet.pipeline import VetOptions

MIRRORS = ("distilbert-base-uncased-finetuned-sst-2-english", "valhalla__distilbart-mnli-12-1")
TS = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
SERIAL = uuid.UUID("12345678-1234-5678-1234-567812345678")

CARD = """---
license: cc-by-nc-4.0
datasets: [imdb]
base_model: org/base
pipeline_tag: text-classification
model-index:
- name: tiny
  results:
  - task: {type: text-classification}
    dataset: {name: IMDB, type: imdb, split: test}
    metrics: [{type: accuracy, value: 0.91}]
---
# Tiny

A tiny classifier.

## Intended uses
Sentiment of English movie reviews.

## Out-of-scope use
Medical or legal decisions.

## Bias, risks and limitations
Trained on movie reviews only; <script>alert(1)</script> stays text.
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    (root / "README.md").write_text(CARD, encoding="utf-8")
    (root / "config.json").write_text(json.dumps({"architectures": ["BertForSequenceClassification"], "model_type": "bert", "num_attention_heads": 2}))
    # A pickle-format weight file that is never loaded: the scan flags its global.
    (root / "pytorch_model.bin").write_bytes(b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.")
    return root


def _both(path: Path, **kw: object) -> tuple[dict, dict]:
    vetted = vet_for_bom(path, VetOptions(offline=True, **kw))  # type: ignore[arg-type]
    return (
        render_bom(vetted, "cyclonedx", timestamp=TS, serial=SERIAL),
        render_bom(vetted, "spdx", timestamp=TS, serial=SERIAL),
    )


def _assert_valid(cdx: dict, spdx: dict) -> None:
    assert cyclonedx_errors(cdx) == []
    assert spdx_schema_errors(spdx) == []
    objset = spdx_model_load(spdx)
    assert len(objset.objects) >= len([i for i in spdx["@graph"] if "spdxId" in i])


def test_vendored_spdx_schema_is_the_published_file() -> None:
    import hashlib

    import jsonschema

    raw = SPDX_SCHEMA.read_bytes()
    # The published file, byte for byte (CRLF line endings included; .gitattributes keeps git off them).
    assert hashlib.sha256(raw).hexdigest() == SPDX_SCHEMA_SHA256
    assert len(raw) == SPDX_SCHEMA_SIZE and raw.count(b"\r\n") == raw.count(b"\n")
    schema = spdx_published_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert {"ai_AIPackage", "dataset_DatasetPackage", "software_File", "SpdxDocument", "Relationship"} <= set(spdx_element_types())


@pytest.mark.corpora
@pytest.mark.parametrize("name", MIRRORS)
def test_mirror_boms_are_schema_valid(corpora: Path, name: str) -> None:
    cdx, spdx = _both(corpora / "hf-model-repos-github-mirrors" / name)
    _assert_valid(cdx, spdx)
    model = cdx["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    # LFS pointers: the file component carries the content digest from the pointer, not the pointer's own hash.
    weights = [c for c in cdx["components"] if c["name"] == "pytorch_model.bin"]
    props = {p["name"]: p["value"] for p in weights[0]["properties"]}
    assert props["ptmvet:digest-source"] == "lfs-pointer" and props["ptmvet:content-present"] == "false"
    assert len(weights[0]["hashes"][0]["content"]) == 64


def test_minilm_boms_are_schema_valid_and_complete(minilm_path: Path) -> None:
    cdx, spdx = _both(minilm_path)
    _assert_valid(cdx, spdx)
    model = cdx["metadata"]["component"]
    assert model["name"] == "all-MiniLM-L6-v2"
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    params = model["modelCard"]["modelParameters"]
    assert params["modelArchitecture"] == "BertModel" and params["architectureFamily"] == "transformer"
    assert params["task"] == "sentence-similarity"
    refs = {d["ref"] for d in params["datasets"]}
    data = {c["bom-ref"] for c in cdx["components"] if c["type"] == "data"}
    assert refs and refs <= data
    files = {c["name"]: c for c in cdx["components"] if c["type"] == "file"}
    assert files["model.safetensors"]["hashes"][0]["alg"] == "SHA-256"
    assert "useCases" in model["modelCard"]["considerations"]
    kinds = {i["type"] for i in spdx["@graph"]}
    assert {"ai_AIPackage", "dataset_DatasetPackage", "software_File", "SpdxDocument", "CreationInfo", "Relationship"} <= kinds
    doc = next(i for i in spdx["@graph"] if i["type"] == "SpdxDocument")
    assert doc["profileConformance"] == ["core", "software", "ai", "dataset", "simpleLicensing"]
    rels = {r["relationshipType"] for r in spdx["@graph"] if r["type"] == "Relationship"}
    assert {"contains", "trainedOn", "hasDeclaredLicense", "hasConcludedLicense"} <= rels


def test_tiny_package_maps_claims_lineage_findings(tiny: Path) -> None:
    cdx, spdx = _both(tiny)
    _assert_valid(cdx, spdx)
    model = cdx["metadata"]["component"]
    assert model["licenses"] == [{"license": {"id": "CC-BY-NC-4.0"}}]
    card = model["modelCard"]
    metrics = card["quantitativeAnalysis"]["performanceMetrics"]
    assert {"type": "accuracy", "value": "0.91", "slice": "imdb/test"} in metrics
    assert "Medical or legal" in card["considerations"]["ethicalConsiderations"][0]["mitigationStrategy"]
    assert "<script>" in card["considerations"]["technicalLimitations"][0]  # JSON keeps text as text
    names = {p["name"] for p in model["properties"]}
    assert {"ptmvet:finding:VET101", "ptmvet:finding:VET702", "ptmvet:score:safety"} <= names
    # The scanned pickle imports os.system: a failing safety finding becomes a vulnerability on the file.
    vulns = cdx["vulnerabilities"]
    v702 = next(v for v in vulns if v["id"] == "VET702")
    assert v702["ratings"][0]["severity"] == "critical" and {"ref": "model"} in v702["affects"]
    assert any(v["id"] == "VET701" and {"ref": "file:pytorch_model.bin"} in v["affects"] for v in vulns)
    # SPDX: testedOn the claim's dataset, a metric entry, a non-commercial licence expression.
    g = spdx["@graph"]
    ai = next(i for i in g if (i["type"] == "ai_AIPackage" and i["name"] == "Tiny") or i.get("name") == tiny.name)
    assert any(e["key"] == "accuracy@imdb/test" and e["value"] == "0.91" for e in ai["ai_metric"])
    assert ai["ai_typeOfModel"] == ["BertForSequenceClassification", "transformer"]
    assert "Medical or legal" in ai["ai_informationAboutApplication"]
    assert any(i["type"] == "simplelicensing_LicenseExpression" and i["simplelicensing_licenseExpression"] == "CC-BY-NC-4.0" for i in g)
    tested = [r for r in g if r["type"] == "Relationship" and r["relationshipType"] == "testedOn"]
    assert tested and all(t.startswith(ai["spdxId"].rsplit(":", 1)[0]) for t in tested[0]["to"])
    assert any(i["type"] == "Annotation" and i["statement"].startswith("VET702") for i in g)


def test_lineage_becomes_pedigree_and_descendant_of(tiny: Path, tmp_path: Path) -> None:
    import gzip

    dump = tmp_path / "dump.jsonl.gz"
    rows = [{"id": "org/base", "tags": ["license:mit"], "cardData": {"license": "mit"}}]
    with gzip.open(dump, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    cdx, spdx = _both(tiny, dump=dump)
    _assert_valid(cdx, spdx)
    ancestors = cdx["metadata"]["component"]["pedigree"]["ancestors"]
    assert ancestors[0]["name"] == "org/base" and ancestors[0]["purl"] == "pkg:huggingface/org/base"
    assert ancestors[0]["licenses"] == [{"license": {"id": "MIT"}}]
    rel = [r for r in spdx["@graph"] if r["type"] == "Relationship" and r["relationshipType"] == "descendantOf"]
    assert rel and rel[0]["comment"] in ("finetune", "adapter", "merge", "quantized")


def test_license_choice_and_purl() -> None:
    assert license_choice("MIT") == [{"license": {"id": "MIT"}}]
    assert license_choice("MIT OR Apache-2.0") == [{"expression": "MIT OR Apache-2.0"}]
    assert license_choice("LicenseRef-BigScience-OpenRAIL-M") == [{"license": {"name": "LicenseRef-BigScience-OpenRAIL-M"}}]
    assert license_choice(None) == []
    assert hub_purl("org/name", "a" * 40) == f"pkg:huggingface/org/name@{'a' * 40}"
    assert hub_purl(None, None) is None


def test_unknown_format_is_a_usage_error(tiny: Path) -> None:
    vetted = vet_for_bom(tiny, VetOptions(offline=True))
    with pytest.raises(UsageError):
        render_bom(vetted, "xml")
    assert set(BOM_FORMATS) == {"cyclonedx", "spdx"}


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_cli_writes_bom(tiny: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"bom.{fmt}.json"
    assert main(["bom", str(tiny), "--format", fmt, "--output", str(out), "--offline"]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    if fmt == "cyclonedx":
        assert cyclonedx_errors(doc) == []
    else:
        # The file as written, against the unmodified published schema as one document,
        # and the same verdict from the per-element validation the other tests use.
        assert spdx_whole_document_errors(doc) == []
        assert spdx_schema_errors(doc) == []


def test_cli_missing_model_is_an_input_error(tmp_path: Path) -> None:
    assert main(["bom", str(tmp_path / "nope"), "--offline"]) == 3


def test_spdx_optional_fields_are_schema_valid(tiny: Path) -> None:
    """Every optional branch of the SPDX writer (Hub identity, supplier, LicenseRef, re-measurement, lineage, files without a digest)."""
    import dataclasses

    vetted = vet_for_bom(tiny, VetOptions(offline=True))
    facts = model_facts(vetted.evidence, vetted.report)
    revision = "b" * 40
    facts = dataclasses.replace(
        facts,
        repo_id="org/tiny",
        revision=revision,
        purl=hub_purl("org/tiny", revision),
        supplier="org",
        download_location="https://huggingface.co/org/tiny",
        license_declared="LicenseRef-BigScience-OpenRAIL-M",
        license_concluded=None,
        metrics=(
            *facts.metrics,
            MetricFact("measured", "accuracy", 0.87, dataset="imdb", split="test", ci_low=0.85, ci_high=0.89, n=1000, claimed=0.91),
        ),
        ancestors=(
            AncestorFact("org/base", "LicenseRef-Llama-3", "finetune", "org/tiny", 1, True),
            AncestorFact("root-model", None, "adapter", "org/base", 2, False),
        ),
        files=(
            *facts.files,
            FileFact("model-00001.safetensors", 10, "c" * 64, "lfs-pointer", "safetensors", False),
            FileFact("listed.bin", None, "d" * 64, "registry", "pickle", False),
            FileFact("no-digest.txt", None, None, None, None, False),
        ),
        training_datasets=("imdb", "org/extra"),
    )
    spdx = spdx_document(facts, timestamp=TS, serial=SERIAL)
    g = spdx["@graph"]
    root = next(i for i in g if i["type"] == "SpdxDocument")["rootElement"]
    ai = next(i for i in g if i.get("spdxId") in root)
    optional = ("software_packageVersion", "software_packageUrl", "externalIdentifier", "suppliedBy", "ai_metricDecisionThreshold")
    assert all(k in ai for k in optional), sorted(ai)
    assert any("simplelicensing_customIdToUri" in i for i in g)
    assert any(i["type"] == "Organization" for i in g)
    assert any(i.get("comment", "").startswith("named as a base model") for i in g)
    assert any(r["type"] == "Relationship" and r["to"] == ["expandedlicensing_NoAssertionLicense"] for r in g)
    assert spdx_schema_errors(spdx) == []
    spdx_model_load(spdx)


def _without(item: dict, key: str) -> None:
    del item[key]


# (what is wrong, which @graph item type it is done to, the change, a piece of the expected error).
MISTAKES = [
    ("unknown property", "ai_AIPackage", lambda i: i.__setitem__("ai_modelSize", "66M"), "'ai_modelSize' was unexpected"),
    ("list property given a string", "ai_AIPackage", lambda i: i.__setitem__("ai_typeOfModel", "transformer"), "ai_typeOfModel: 'transformer'"),
    ("value outside the vocabulary", "ai_AIPackage", lambda i: i.__setitem__("software_primaryPurpose", "weights"), "'weights' is not one of"),
    ("metric entry without a key", "ai_AIPackage", lambda i: _without(i["ai_metric"][0], "key"), "ai_metric:"),
    ("required property missing", "ai_AIPackage", lambda i: _without(i, "spdxId"), "'spdxId' is a required property"),
    ("date without a time zone", "CreationInfo", lambda i: i.__setitem__("created", "2025-01-02T03:04:05"), "created: '2025-01-02T03:04:05' does not match"),
    ("element type that is no SPDX class", "ai_AIPackage", lambda i: i.__setitem__("type", "ai_Model"), "'ai_Model'"),
    ("relationship type outside the vocabulary", "Relationship", lambda i: i.__setitem__("relationshipType", "includes"), "'includes' is not one of"),
]


@pytest.fixture(scope="module")
def tiny_spdx(tiny: Path) -> dict:
    doc = render_bom(vet_for_bom(tiny, VetOptions(offline=True)), "spdx", timestamp=TS, serial=SERIAL)
    assert spdx_schema_errors(doc) == []
    return doc


@pytest.mark.parametrize(("what", "kind", "change", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_spdx_schema_check_rejects_a_wrong_field(tiny_spdx: dict, what: str, kind: str, change: Callable[[dict], None], expected: str) -> None:
    doc = copy.deepcopy(tiny_spdx)
    graph = doc["@graph"]
    index = next(n for n, i in enumerate(graph) if i["type"] == kind)
    change(graph[index])
    errors = spdx_schema_errors(doc)
    assert errors and all(e.startswith(f"@graph/{index}") for e in errors), (what, errors)
    assert any(expected in e for e in errors), (what, errors)


def test_spdx_whole_document_check_agrees_on_wrong_fields(tiny_spdx: dict) -> None:
    """The unmodified published schema, applied to a whole (small, hence fast) document, rejects what the per-element check rejects."""
    graph = [i for i in tiny_spdx["@graph"] if i["type"] in ("CreationInfo", "SpdxDocument", "ai_AIPackage")]
    doc = {**tiny_spdx, "@graph": graph}
    assert spdx_whole_document_errors(doc) == [] and spdx_schema_errors(doc) == []
    top = {**doc, "comment": "not a top-level property"}
    item = {**doc, "@graph": [*graph[:-1], {**graph[-1], "ai_modelSize": "66M"}]}
    for bad, expected in ((top, "'comment' was unexpected"), (item, "'ai_modelSize' was unexpected")):
        whole, per_element = spdx_whole_document_errors(bad), spdx_schema_errors(bad)
        assert any(expected in e for e in whole), whole
        assert any(expected in e for e in per_element), per_element
