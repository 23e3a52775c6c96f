"""The check catalogue: every registered check (all families) is well-formed and documented."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from ptmvet.checks import REGISTRY, all_meta, lookup
from ptmvet.checks import docs as checkdocs
from ptmvet.cli import main
from ptmvet.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "checks"


def test_ids_and_slugs_are_unique_and_well_formed() -> None:
    assert REGISTRY, "the registry is empty"
    assert checkdocs.meta_problems(c.meta for c in REGISTRY) == []


def test_meta_problems_catches_bad_and_duplicate_entries() -> None:
    good = REGISTRY[0].meta
    from dataclasses import replace

    bad = [good, replace(good, slug="Not_Kebab"), replace(good, id="VET12")]
    problems = checkdocs.meta_problems(bad)
    assert any("duplicate id" in p for p in problems)
    assert any("not kebab-case" in p for p in problems)
    assert any("id must look like VET###" in p for p in problems)


def test_id_prefix_matches_attribute() -> None:
    prefix = {"provenance": "1", "reproducibility": "2", "portability": "3", "documentation": "4", "license": "5",
              "integrity": "6", "safety": "7", "claims": "8", "maintenance": "9"}  # fmt: skip
    wrong = [c.meta.id for c in REGISTRY if c.meta.id[3] != prefix[c.meta.attribute.value]]
    assert wrong == []


@pytest.mark.parametrize("meta", list(all_meta()), ids=lambda m: m.id)
def test_every_check_has_a_page_with_the_fixed_headings(meta: object) -> None:
    from ptmvet.checks.interface import CheckMeta

    assert isinstance(meta, CheckMeta)
    page = ROOT / meta.doc_path
    assert page.is_file(), f"{meta.id} has no page at {meta.doc_path}"
    assert checkdocs.page_problems(page.read_text(encoding="utf-8"), meta) == []


def test_page_problems_reports_wrong_title_and_headings() -> None:
    meta = REGISTRY[0].meta
    text = f"# {meta.id} wrong-slug\n\n## What it checks\nx\n## Example\n\n## Remediation\nx\n"
    problems = checkdocs.page_problems(text, meta)
    assert any("first line" in p for p in problems)
    assert any("level-2 headings" in p for p in problems)
    assert any("'## Example' is empty" in p for p in problems)


def test_no_page_without_a_check() -> None:
    ids = {c.meta.id for c in REGISTRY}
    orphans = sorted(p.stem for p in DOCS.glob("VET*.md") if p.stem not in ids)
    assert orphans == []


def test_index_table_is_up_to_date() -> None:
    readme = (DOCS / "README.md").read_text(encoding="utf-8")
    assert checkdocs.update_index(readme, all_meta()) == readme, (
        "run `python -m ptmvet.checks.docs` to refresh docs/checks/README.md"
    )


def test_package_data_pages_are_the_repository_pages() -> None:
    shipped = checkdocs.package_docs_dir()
    assert shipped is not None, "src/ptmvet/data/checks is missing"
    names = sorted(p.name for p in DOCS.glob("*.md"))
    match, mismatch, errors = filecmp.cmpfiles(DOCS, shipped, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert sorted(match) == names


def test_explain_by_id_and_slug() -> None:
    by_id = checkdocs.explain("VET101")
    assert by_id.startswith("# VET101 base-model-declared\n")
    assert checkdocs.explain("base-model-declared") == by_id
    assert checkdocs.explain("vet101") == by_id
    with pytest.raises(UsageError):
        checkdocs.explain("VET000")


def test_explain_falls_back_to_package_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkdocs, "repo_docs_dir", lambda: None)
    path = checkdocs.page_path("VET301")
    assert path is not None and "data" in path.parts
    assert checkdocs.explain("VET301").startswith("# VET301 safe-weight-format\n")


def test_cli_checks_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "explain", "VET405"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# VET405 card-metadata-valid")
    assert lookup("card-metadata-valid") is not None


def test_only_with_an_unknown_check_id_is_a_usage_error(minilm_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A typo in --only used to run nothing and print a clean report card.
    assert main(["check", str(minilm_path), "--only", "VET101,VET999", "--no-scan", "--no-hash"]) == 2
    assert "VET999" in capsys.readouterr().err
    assert main(["check", str(minilm_path), "--only", "vet101", "--no-scan", "--no-hash", "-f", "json"]) == 0
    assert '"VET101"' in capsys.readouterr().out


def test_a_bug_exits_70_with_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from ptmvet.cli import checks_cmd

    class Boom:
        @staticmethod
        def registered() -> None:
            raise RuntimeError("boom")

    monkeypatch.setattr(checks_cmd, "Catalogue", Boom)
    monkeypatch.delenv("PTMVET_TRACEBACK", raising=False)
    assert main(["checks", "list"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: boom" in err and "Traceback" not in err
    monkeypatch.setenv("PTMVET_TRACEBACK", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["checks", "list"])


def test_missing_data_dir_is_an_input_error(minilm_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-data"
    for cmd in ("check", "gate", "bom"):
        assert main([cmd, str(minilm_path), "--data-dir", str(missing), "--no-scan", "--no-hash"]) == 3
        assert "--data-dir is not a folder" in capsys.readouterr().err


def test_a_finding_built_by_a_check_equals_the_dataclass_built_one() -> None:
    """``CheckMeta.finding`` sets the fields in one step: it must set every one, as the constructor does."""
    import dataclasses

    from ptmvet.checks.interface import Finding, Outcome

    meta = next(m for m in all_meta() if m.score_weight is None)  # weighs by its severity
    built = meta.finding(Outcome.FAIL, "msg", evidence=["e"], details={"k": 1}, paths=["a.bin"], credit=2.0)  # credit is clamped to 1
    assert set(vars(built)) == {f.name for f in dataclasses.fields(Finding)}
    same = Finding(
        check_id=meta.id, slug=meta.slug, attribute=meta.attribute, severity=meta.severity, outcome=Outcome.FAIL,
        message="msg", evidence=("e",), remedy=meta.remedy, details={"k": 1}, paths=("a.bin",),
        weight=meta.severity.weight, credit=1.0,
    )  # fmt: skip
    assert built == same
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.message = "changed"  # type: ignore[misc]
