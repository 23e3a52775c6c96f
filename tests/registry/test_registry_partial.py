"""Partial registry runs say so: cards that join no model stay out of every table's basis,
and an audit of a subset of the checks counts the others as skipped misses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from registry_helpers import CARD_WITH_CLAIMS, lines_of, record, write_cards_tar, write_jsonl_gz

from ptmvet.checks import REGISTRY
from ptmvet.cli import main
from ptmvet.pipeline import not_run_findings
from ptmvet.registry.engines import run_audit
from ptmvet.registry.ingest import mine_dump
from ptmvet.registry.store import open_store
from ptmvet.registry.study import compute_study
from ptmvet.report import score_findings

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora" / "hf-model-infos-cards-2022-02-saranscript"


def _bases_agree(db: Path) -> tuple[int, int, int]:
    """(models with a non-empty card, cards in the sections' basis, cards joining no model), asserting they agree."""
    with open_store(db, read_only=True) as s:
        study = compute_study(s)
        unjoined = int(s.con.execute("SELECT count(*) FROM cards ANTI JOIN models USING (model_id)").fetchall()[0][0])
    presence = study.table("card_presence")
    with_card = presence.rows[0][1]
    sections = study.table("card_sections")
    of = re.search(r"Of ([\d,]+) non-empty cards", sections.note or "")
    assert of is not None, sections.note
    denom = int(of.group(1).replace(",", ""))
    assert denom == with_card  # card completeness and card presence count the same cards
    claims = study.table("claims_by_pipeline")
    counted = re.search(r"front matter of ([\d,]+) ingested cards joining a model", claims.note or "")
    assert counted is not None, claims.note
    assert int(counted.group(1).replace(",", "")) >= with_card
    for t in (claims, presence, sections):
        assert f"{unjoined:,} cards joining no model are not counted" in (t.note or ""), t.note
    return with_card, denom, unjoined


def test_cards_joining_no_model_are_not_counted(tmp_path: Path) -> None:
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of([record(i) for i in range(10)]))
    cards = {f"org{i % 9}/model-{i}": CARD_WITH_CLAIMS for i in range(6)}
    cards.update({f"elsewhere/card-{i}": "# A card of another model\n\nSome words.\n" for i in range(4)})
    tar = write_cards_tar(tmp_path / "c.tar.gz", cards)
    db = tmp_path / "r.duckdb"
    assert main(["mine", "--from-dump", str(dump), "--limit", "3", "--cards", str(tar), "--db", str(db)]) == 0
    with_card, denom, unjoined = _bases_agree(db)
    assert with_card == denom == 3  # --limit 3: models 0-2, each with a card
    assert unjoined == len(cards) - 3


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the 2022 dump corpus is absent")
def test_limited_2022_dump_bases_agree(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    rc = main(["mine", "--from-dump", str(CORPUS / "model_infos.jsonl.gz"), "--limit", "200",
               "--cards", str(CORPUS / "model_cards.tar.gz"), "--db", str(db)])
    assert rc == 0
    with_card, _, unjoined = _bases_agree(db)
    with open_store(db, read_only=True) as s:
        assert with_card <= int(s.con.execute("SELECT count(*) FROM models").fetchall()[0][0]) == 200
    assert unjoined > 0


def test_audit_of_a_subset_of_checks_fails_closed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of([record(i) for i in range(4)]))
    db = tmp_path / "r.duckdb"
    with open_store(db) as s:
        mine_dump(s, [dump])
    # One registered check that assesses a registry record (downloads) alone: the others were never run.
    one = next(c for c in REGISTRY if c.meta.id == "VET901")
    mod = tmp_path / "one_check.py"
    mod.write_text(f"from ptmvet.checks import REGISTRY\nCHECKS = tuple(c for c in REGISTRY if c.meta.id == {one.meta.id!r})\n")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        with open_store(db) as s:
            stats = run_audit(s, workers=1, checks="one_check:CHECKS")
            rows = s.con.execute(
                "SELECT model_id, check_id, outcome, severity, attribute FROM check_results WHERE run_id = ?", [stats.run_id]
            ).fetchall()
            scores = s.con.execute(
                "SELECT model_id, attribute, score FROM scores WHERE run_id = ?", [stats.run_id]).fetchall()
        assert stats.not_vetted and f"only 1 of {len(REGISTRY)} checks ran" in stats.not_vetted[0]
        per_model = {r[0] for r in rows}
        assert len(per_model) == 4
        for mid in per_model:
            ids = {r[1] for r in rows if r[0] == mid}
            assert ids == {c.meta.id for c in REGISTRY}  # every registered check has a row: run, or skipped as not run
            skipped = [r for r in rows if r[0] == mid and r[1] != one.meta.id]
            assert skipped and all(r[2] == "skipped" for r in skipped)
        # The scores are those of the run's findings plus a skipped miss for each check not run.
        miss = not_run_findings({one.meta.id}, "x")
        assert len(miss) == len(REGISTRY) - 1
        assessed = [s for _, _, s in scores if s is not None]
        assert assessed and all(s < 10.0 for s in assessed)
        assert all(v is None for v in score_findings(miss).values())  # misses alone assess nothing
        # The audit's outputs say the run was partial.
        sys.modules.pop("one_check", None)
        assert main(["audit", "--db", str(db), "--workers", "1", "--checks", "one_check:CHECKS", "--rerun"]) == 0
        assert "partial run, not fully vetted: only 1 of" in capsys.readouterr().err
        out = tmp_path / "a.json"
        assert main(["audit", "--db", str(db), "--workers", "1", "--checks", "one_check:CHECKS", "--rerun",
                     "--format", "json", "-o", str(out)]) == 0
        assert json.loads(out.read_text())["not_vetted"]
    finally:
        sys.path.remove(str(tmp_path))
    full = tmp_path / "f.json"
    assert main(["audit", "--db", str(db), "--workers", "1", "--format", "json", "-o", str(full)]) == 0
    assert json.loads(full.read_text())["not_vetted"] == []
