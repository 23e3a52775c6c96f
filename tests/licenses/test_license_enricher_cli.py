"""Licence texts identified, the licence enricher feeding the lineage checks, and `ptmvet lineage`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _licensekit import APACHE, ev, lineage_dump, outcome
from ptmvet.checks.interface import Outcome
from ptmvet.cli import main
from ptmvet.enrich.licenses import license_enricher
from ptmvet.evidence.licenses import IntendedUse
from ptmvet.licenses.detect import identify_text
from ptmvet.licenses.verdict import assess
from ptmvet.pipeline import VetOptions

MIT = "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"


def test_identify_licence_texts() -> None:
    assert identify_text(APACHE) == "apache-2.0"
    assert identify_text(MIT) == "mit"
    assert identify_text("LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date") == "llama2"
    assert identify_text("Attribution-NonCommercial 4.0 International") == "cc-by-nc-4.0"
    assert identify_text("our own bespoke terms") is None


def test_enricher_with_a_dump_feeds_the_lineage_checks(tmp_path: Path) -> None:
    dump = lineage_dump(tmp_path)
    card = "---\nlicense: mit\nbase_model: org/nc-base\ndatasets:\n- tatsu-lab/alpaca\n---\n# M\n"
    enriched = license_enricher(ev(card), VetOptions(dump=dump, intended_use="commercial", offline=True), None)
    assert enriched.intended_use is IntendedUse.COMMERCIAL
    assert enriched.lineage is not None
    lineage = enriched.lineage.to_section()
    assert lineage["edges"] == [{"child": "me/model", "parent": "org/nc-base", "relation": "finetune", "inferred": True}]
    assert lineage["conflicts"][0]["dropped"] == ["non-commercial"]
    assert assess(enriched).to_dict()["use_verdict"]["status"] == "ok"
    assert outcome("VET504", enriched)[0] is Outcome.FAIL
    assert outcome("VET505", enriched)[0] is Outcome.FAIL
    assert outcome("VET506", enriched)[0] is Outcome.PASS
    research = license_enricher(ev(card), VetOptions(dump=dump, intended_use="research", offline=True), None)
    assert outcome("VET505", research)[0] is Outcome.PASS


def test_enricher_without_registry_data_skips_with_reason() -> None:
    card = "---\nlicense: mit\nbase_model: org/nc-base\n---\n# M\n"
    enriched = license_enricher(ev(card), VetOptions(offline=True), None)
    assert enriched.lineage is not None and (enriched.lineage.skipped or "").startswith("lineage not looked up")
    # The base model the card names is shown even when it was not looked up (never "no base model").
    assert [(e.child, e.parent) for e in enriched.lineage.edges] == [("me/model", "org/nc-base")]
    got, message = outcome("VET504", enriched)
    assert got is Outcome.SKIPPED and "--dump" in message
    plain = license_enricher(ev("---\nlicense: mit\n---\n"), VetOptions(offline=True), None)
    assert outcome("VET504", plain)[0] is Outcome.NOT_APPLICABLE
    assert outcome("VET504", ev("# M\n"))[0] is Outcome.SKIPPED  # no enrichment at all


def test_lineage_cli_json_and_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = lineage_dump(tmp_path)
    assert main(["lineage", "org/loop", "--dump", str(dump), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lineage"]["cycles"] == [["org/loop"]]
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: org/nc-base\n---\n# M\n", encoding="utf-8")
    assert main(["lineage", str(folder), "--dump", str(dump)]) == 0
    out = capsys.readouterr().out
    assert "org/nc-base" in out and "drops non-commercial" in out
    assert main(["lineage", "nobody/none", "--dump", str(dump)]) == 3
    assert main(["lineage", "org/loop", "--offline"]) == 2
