"""Every report format draws each typed result of the report (licence, lineage, scan, measurements, integrity, card).

The values come from the typed objects on the report (``Report.license_checked``,
``lineage``, ``scan``, ``measurements``, ``integrity``, ``card_info``); the
report keeps no dict of sections for a format to walk.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import replace

import pytest
from _fmt_reports import synthetic_report

from ptmvet.formats import FORMATS
from ptmvet.report import Report

HUMAN = ("terminal", "md", "html")


def _render(report: Report, fmt: str) -> str:
    out = FORMATS[fmt].render(report)
    if fmt == "html":
        import html

        return html.unescape(out)
    return out.replace("\\", "")  # Markdown escapes punctuation


@pytest.mark.parametrize("fmt", HUMAN)
def test_each_typed_result_is_drawn_from_its_values(fmt: str) -> None:
    report = synthetic_report()
    text = " ".join(_render(report, fmt).split())  # terminal tables wrap long cells
    lic = report.license_checked
    assert lic is not None and lic.use is not None and lic.spdx == "MIT"
    assert f"{lic.intended_use.value}: {lic.use.status.value}" in text
    assert lic.use.reasons[0] in text and lic.use.duties[0] in text and lic.detection.disagreements[0] in text
    lineage = report.lineage
    assert lineage is not None
    for node in lineage.nodes:
        assert node.id in text
    assert lineage.conflicts[0].reason in text
    assert "drops restrictions of google/bert-base" in text  # a conflict without a reason says who drops what
    m_over = next(m for m in report.measurements if m.verdict.value == "overstated")
    assert m_over.verdict.value in text and "[81.1, 83.3]" in text
    assert "no data" in text  # the reason a claim could not be measured
    dangerous = report.scan[1]
    assert report.scan_verdict is not None and report.scan_verdict.value == "dangerous"
    assert f"dangerous: {dangerous.globals[0].qualname}" in text
    assert f"dangerous: {dangerous.issues[0].message.strip()}" in text
    assert report.integrity is not None
    assert "Files hashed" in text and "1.0 KiB" in text and "none published" in text
    assert report.card_info is not None
    assert "imdb (card-text)" in text and "org/base-nc (declared)" in text and "front-matter:pipeline_tag" in text


@pytest.mark.parametrize("fmt", HUMAN)
def test_a_result_the_report_lacks_is_not_drawn(fmt: str) -> None:
    full = synthetic_report()
    assert full.evidence is not None
    bare = replace(full, evidence=replace(full.evidence, lineage=None, scan=(), measurements=(), integrity=None), card_info=None)
    text = _render(bare, fmt)
    # No lineage means the licence stage did not run: its verdict is not shown either (the JSON has no license section).
    assert bare.license_checked is None and bare.license is not None
    for absent in ("Intended use", "Lineage", "Serialization scan", "Re-measured claims", "Files hashed", "front-matter:pipeline_tag"):
        assert absent not in text, absent
    assert "invalid JSON" in text  # the collection problems still are


@pytest.mark.parametrize("fmt", HUMAN)
def test_why_claims_were_not_remeasured_is_shown(fmt: str) -> None:
    full = synthetic_report()
    assert full.evidence is not None
    report = replace(full, evidence=replace(full.evidence, measurements=(), measurements_skipped="the model is not available locally"))
    assert "Claims not re-measured" in _render(report, fmt) and "the model is not available locally" in _render(report, fmt)
    data = report.to_dict()["sections"]
    assert data["measurements"] == [] and data["measurements_skipped"] == "the model is not available locally"


def test_json_sections_are_written_from_the_typed_results() -> None:
    report = synthetic_report()
    sections = report.to_dict()["sections"]
    assert report.license_checked is not None and report.lineage is not None and report.card_info is not None
    assert sections["license"] == report.license_checked.to_dict()
    assert sections["lineage"] == report.lineage.to_section()
    assert sections["measurements"] == [m.to_dict() for m in report.measurements]
    assert sections["scan"] == {"verdict": "dangerous", "files": [r.to_dict() for r in report.scan]}
    assert sections["integrity"] == {"files_hashed": 2, "bytes_hashed": 1024, "expected_digests": 0, "signature": None}
    assert sections["card"] == report.card_info.to_section()
    hub = replace(report, target=replace(report.target, local_path=None))
    assert "integrity" not in hub.to_dict()["sections"]  # nothing local was hashed


def _untyped_mappings(hint: object) -> list[object]:
    """The mappings keyed by ``str`` or holding ``Any`` (or bare) anywhere in ``hint``: inside ``X | None``, tuples, ..."""
    origin = typing.get_origin(hint) or hint
    found: list[object] = []
    if origin in (dict, Mapping, typing.get_origin(Mapping[str, int])):
        args = typing.get_args(hint)
        if not args or args[0] is str or args[1] is typing.Any:
            found.append(hint)
    for arg in typing.get_args(hint):
        found += _untyped_mappings(arg)
    return found


def test_the_report_holds_no_untyped_mapping() -> None:
    """A field typed ``Mapping[str, Any]`` or ``dict`` (optional or not) would let formats read results back with ``.get()``."""
    from ptmvet.cardinfo import CardInfo

    for bad in (dict, dict[str, int], Mapping[str, typing.Any] | None, tuple[dict[str, typing.Any], ...]):
        assert _untyped_mappings(bad), bad  # the walk sees through unions and containers
    assert _untyped_mappings(Mapping[int, float | None]) == []
    hints = typing.get_type_hints(Report, localns={"CardInfo": CardInfo})
    for f in dataclasses.fields(Report):
        assert _untyped_mappings(hints[f.name]) == [], f"Report.{f.name}: {hints[f.name]}"


def test_every_verdict_has_a_colour_band() -> None:
    from ptmvet.evidence.measurement import ClaimVerdict
    from ptmvet.evidence.scan import ScanVerdict
    from ptmvet.formats import common as c

    assert set(c.SCAN_BAND) == set(ScanVerdict) and set(c.CLAIM_BAND) == set(ClaimVerdict)
    assert c.scan_band(ScanVerdict.DANGEROUS) == "low" and c.verdict_band(ClaimVerdict.OVERSTATED) == "low"
    assert c.scan_band(ScanVerdict.SKIPPED) == "none"  # a file not analysed never reads as safe
