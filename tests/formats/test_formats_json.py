"""JSON format: Report.to_dict serialised deterministically and valid against the shipped schema."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _fmt_reports import PAYLOAD, folder_report, synthetic_report

from ptmvet.checks.interface import Attribute, Outcome, Severity
from ptmvet.formats import FORMATS
from ptmvet.formats.json_format import report_schema
from ptmvet.pipeline import vet_evidence
from ptmvet.report import SCHEMA_VERSION, Report
from ptmvet.sources.local import collect_folder

CARD = """---
license: apache-2.0
language: en
datasets: [glue]
pipeline_tag: text-classification
model-index:
- name: tiny
  results:
  - task: {type: text-classification}
    dataset: {name: GLUE SST2, type: glue, config: sst2, split: validation}
    metrics:
    - {type: accuracy, value: 0.913}
---
# Tiny model

Intended use: sentiment.
"""


def validate(data: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(report_schema(), format_checker=jsonschema.FormatChecker()).validate(data)


def render(report: Report) -> dict[str, Any]:
    text = FORMATS["json"].render(report)
    data: dict[str, Any] = json.loads(text)
    return data


def test_schema_is_valid_draft_2020_12_and_matches_the_code() -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    defs = schema["$defs"]
    assert defs["attribute"]["enum"] == [a.value for a in Attribute]
    assert defs["outcome"]["enum"] == [o.value for o in Outcome]
    assert defs["severity"]["enum"] == [s.value for s in Severity]
    assert set(schema["properties"]["scores"]["required"]) == {a.value for a in Attribute}


def test_json_is_exactly_to_dict_and_deterministic() -> None:
    report = synthetic_report()
    text = FORMATS["json"].render(report)
    assert text == FORMATS["json"].render(report)
    assert text.endswith("\n") and text.startswith('{\n  "schema_version"')
    assert json.loads(text) == json.loads(json.dumps(report.to_dict()))


def test_synthetic_report_with_every_section_validates() -> None:
    data = render(synthetic_report(PAYLOAD))
    validate(data)
    for key in ("schema_version", "target", "scores", "findings", "claims"):
        assert key in data
    assert data["target"]["revision"] == "0123456789abcdef0123456789abcdef01234567"
    assert data["scores"]["integrity"] is None  # not assessable stays null, not 0
    assert data["scores"]["license"] == 0.0
    for f in data["findings"]:
        assert {"check_id", "slug", "attribute", "outcome", "severity", "message"} <= set(f)
    assert {m["verdict"] for m in data["sections"]["measurements"]} == {"consistent", "overstated", "not-verifiable"}
    assert data["sections"]["lineage"]["edges"][0]["relation"] == "finetune"


def test_real_folder_report_validates(tmp_path: Path) -> None:
    report = folder_report(tmp_path / "tiny", CARD)
    data = render(report)
    validate(data)
    assert data["summary"]["license"] == "apache-2.0"
    assert len(data["claims"]) == 1
    claim = data["claims"][0]
    assert (claim["task"], claim["dataset"], claim["split"], claim["metric"]) == (
        "text-classification",
        "glue",
        "validation",
        "accuracy",
    )
    assert data["counts"] == {o.value: report.count(o) for o in Outcome}


def test_folder_without_card_validates(tmp_path: Path) -> None:
    root = tmp_path / "bare"
    root.mkdir()
    (root / "config.json").write_text("{}", encoding="utf-8")
    validate(render(vet_evidence(collect_folder(root))))


def test_minilm_report_validates(minilm_path: Path) -> None:
    report = vet_evidence(collect_folder(minilm_path))
    data = render(report)
    validate(data)
    assert data["summary"]["license"] == "apache-2.0"
    assert "safetensors" in data["summary"]["weight_formats"]
    assert data["target"]["source"] == "local"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("findings", 0, "outcome"), "passed"),
        (("findings", 0, "severity"), "urgent"),
        (("findings", 0, "attribute"), "vibes"),
        (("scores", "provenance"), 11),
        (("scores", "provenance"), "7"),
        (("target", "revision"), 5),
        (("sections", "measurements", 0, "verdict"), "great"),
        (("schema_version",), "0.9"),
    ],
)
def test_schema_rejects_malformed_reports(path: tuple[Any, ...], value: Any) -> None:
    data = render(synthetic_report())
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


@pytest.mark.parametrize("key", ["schema_version", "target", "scores", "findings", "claims"])
def test_schema_requires_core_keys(key: str) -> None:
    data = render(synthetic_report())
    del data[key]
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


def test_non_finite_numbers_become_null() -> None:
    report = synthetic_report()
    assert report.evidence is not None
    first, *rest = report.measurements
    odd = replace(first, measured=math.nan, ci_high=math.inf)
    data = render(replace(report, evidence=replace(report.evidence, measurements=(odd, *rest))))
    validate(data)
    assert data["sections"]["measurements"][0]["measured"] is None
    assert data["sections"]["measurements"][0]["ci_high"] is None


def test_evaluate_measurements_fit_the_schema() -> None:
    measurement = pytest.importorskip("ptmvet.evaluate.measurement")
    claim = synthetic_report().claims[0]
    rows = [
        measurement.Measurement(
            claim=claim, task="text-classification", dataset="glue", split="validation", metric="accuracy",
            claimed=91.3, verdict="consistent", measured=91.0, ci_low=90.1, ci_high=91.8, n=872, scale=100.0,
        ),
        measurement.Measurement(
            claim=claim, task=None, dataset=None, split=None, metric=None, claimed=None, verdict="not-verifiable",
            reason="no data",
        ),
    ]  # fmt: skip
    base = synthetic_report()
    assert base.evidence is not None
    report = replace(base, evidence=replace(base.evidence, measurements=tuple(rows)))
    validate(render(report))
    assert "not-verifiable" in FORMATS["html"].render(report)
