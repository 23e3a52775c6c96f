"""`ptmvet checks list` reads at 80 columns: no line longer, no slug split, every check listed."""

from __future__ import annotations

import json

import pytest

from ptmvet.checks import all_meta
from ptmvet.cli import main


def test_checks_list_fits_80_columns_without_splitting_a_slug(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    metas = list(all_meta())
    for m in metas:
        row = [line for line in lines if line.split()[:2] == [m.id, m.slug]]
        assert len(row) == 1, m.id
        assert row[0].split()[2] == m.severity.value
    words = out.split()
    assert all(m.slug in words for m in metas)


def test_checks_list_width_and_other_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "list", "--width", "60"]) == 0
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 60
    assert main(["checks", "list", "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in doc["checks"]] == [m.id for m in all_meta()]
    assert main(["checks", "list", "-f", "md"]) == 0
    md = capsys.readouterr().out.splitlines()
    assert len(md) == 2 + len(doc["checks"]) and md[2].startswith("| [VET")
