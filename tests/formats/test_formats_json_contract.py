"""One JSON contract: every --format json output carries an integer schema_version and validates against its schema.

The results come from two small real packages (tests/formats/_results.py);
every row of ptmvet.formats.KINDS with a json format is rendered for each of
them and validated against src/ptmvet/schemas/<kind>.schema.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _results import build

from ptmvet.cli import main
from ptmvet.formats import KINDS, kind, kind_of, render, schema

#: JSON outputs the contract names first; each must have a KINDS row with a json format.
REQUIRED = ("report", "scan", "gate", "compare", "lineage", "verify", "manifest", "reproduce", "schema", "study", "diff", "audit")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return build(tmp_path_factory.mktemp("contract"))


def _validator(name: str) -> jsonschema.Draft202012Validator:
    sch = schema(name)
    jsonschema.Draft202012Validator.check_schema(sch)
    return jsonschema.Draft202012Validator(sch, format_checker=jsonschema.FormatChecker())


def test_every_json_output_named_by_the_contract_has_a_kind_and_a_schema() -> None:
    names = {k.name for k in KINDS}
    for name in REQUIRED:
        assert name in names, name
        assert "json" in kind(name).formats, name
    for k in KINDS:
        if "json" not in k.formats:
            continue
        sch = schema(k.name)
        version = k.schema_version
        assert isinstance(version, int) and not isinstance(version, bool), (k.name, version)
        assert sch["properties"]["schema_version"]["const"] == version, k.name
        assert "schema_version" in sch["required"], k.name


def test_every_json_output_validates(results: dict[str, dict[str, Any]]) -> None:
    seen: set[str] = set()
    for fixture, named in results.items():
        for label, result in named.items():
            k = kind_of(result)
            if "json" not in k.formats:
                continue
            doc = json.loads(render(result, "json"))
            assert type(doc["schema_version"]) is int, (fixture, label)
            errors = sorted(_validator(k.name).iter_errors(doc), key=lambda e: list(e.absolute_path))
            assert not errors, f"{fixture}/{label}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
            seen.add(k.name)
    assert seen == {k.name for k in KINDS if "json" in k.formats}


def test_schemas_reject_what_the_renderers_never_write(results: dict[str, dict[str, Any]]) -> None:
    # A schema that accepts anything validates nothing: a wrong version and a missing field must fail.
    for named in results.values():
        for result in named.values():
            k = kind_of(result)
            if "json" not in k.formats:
                continue
            doc = json.loads(render(result, "json"))
            v = _validator(k.name)
            assert not v.is_valid({**doc, "schema_version": str(doc["schema_version"])}), k.name
            required = [r for r in schema(k.name)["required"] if r != "schema_version"]
            assert required, k.name
            assert not v.is_valid({key: val for key, val in doc.items() if key != required[0]}), k.name


def test_commands_write_what_the_schemas_describe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from _results import write_package

    pkg = write_package(tmp_path, "risky")
    runs = {
        "scan": (["scan", str(pkg), "-f", "json"], 1),
        "catalogue": (["checks", "list", "-f", "json"], 0),
        "manifest": (["manifest", str(pkg)], 0),
        "gate": (["gate", str(pkg), "-f", "json", "--offline"], 1),
    }
    for name, (argv, code) in runs.items():
        assert main(argv) == code, name
        doc = json.loads(capsys.readouterr().out)
        _validator(name).validate(doc)


def test_docs_json_lists_every_kind_with_its_version() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "json.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")] if line.startswith("| ") else []
        if len(cells) == 4 and cells[3].endswith(".schema.json`"):
            rows[cells[0]] = int(cells[2])
    assert rows == {k.name: k.schema_version for k in KINDS if "json" in k.formats}


def test_docs_name_every_measurement_verdict_and_cause() -> None:
    """docs/json.md and docs/claims-file.md are where a reader of sections.measurements learns the values."""
    from ptmvet.evidence.measurement import ClaimVerdict, Unverifiable

    docs = Path(__file__).resolve().parents[2] / "docs"
    row = next(line for line in (docs / "json.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `sections.measurements`"))
    missing = [v.value for v in (*ClaimVerdict, *Unverifiable) if v.value not in row]
    assert not missing, f"docs/json.md sections.measurements omits {missing}"
    claims_doc = (docs / "claims-file.md").read_text(encoding="utf-8")
    assert not [v.value for v in ClaimVerdict if f"*{v.value}*" not in claims_doc]
