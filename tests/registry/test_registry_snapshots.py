"""Snapshots: every mine run that reads model records is one; two in one database give the same trend as two files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from registry_helpers import lines_of, record, write_cards_tar, write_jsonl_gz

from ptmvet.cli import main
from ptmvet.formats.study import render_terminal
from ptmvet.registry.ingest import mine_dump
from ptmvet.registry.store import open_store
from ptmvet.registry.study import ABSENT, MEASURED, NOT_MEASURED, Study, compute_study, trend

SCHEMA = json.loads((Path(__file__).parents[2] / "src/ptmvet/schemas/study.schema.json").read_text())
CARD = "---\nlicense: mit\nmodel-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n" \
    "    dataset: {name: SST-2, type: glue}\n    metrics:\n    - {name: Accuracy, type: accuracy, value: 0.91}\n---\n# M\n\nText.\n"


def _inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A 2022-like dump with configs and cards, and a 2024-like listing (tags only, no cards)."""
    recs = [record(i) for i in range(40)] + [{**record(3), "modelId": "gone/from-the-hub"}]  # not in the listing
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of(recs))
    cards = write_cards_tar(tmp_path / "c.tar.gz", {"org0/model-0": CARD, "org1/model-1": CARD, "org2/model-2": "# Two\n"})
    listing = [{"id": f"org{i % 9}/model-{i}", "pipeline_tag": "text-classification" if i % 2 else "fill-mask",
                "tags": ["model-index"] if i % 3 == 0 else [], "downloads": i} for i in range(50)]
    return dump, cards, write_jsonl_gz(tmp_path / "l.jsonl.gz", lines_of(listing))


def _rows(study: Study) -> dict[str, Any]:
    return {t.name: (t.measured, t.rows) for t in study.tables}


def _trend_rows(trends: Any) -> dict[str, Any]:
    return {t["name"] if isinstance(t, dict) else t.name: [list(r) for r in (t["rows"] if isinstance(t, dict) else t.rows)]
            for t in trends}


def test_two_snapshots_in_one_database_study_like_two_files(tmp_path: Path) -> None:
    dump, cards, listing = _inputs(tmp_path)
    one, a, b = tmp_path / "one.duckdb", tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    with open_store(a) as s:
        mine_dump(s, [dump], cards=[cards])
    with open_store(b) as s:
        mine_dump(s, [listing])
    with open_store(one) as s:
        mine_dump(s, [dump], cards=[cards])
        assert [x.run_id for x in s.snapshots()] == [1] and s.count("cards") == 3
        mine_dump(s, [listing])
        snaps = s.snapshots()
        assert [(x.run_id, x.frozen) for x in snaps] == [(1, True), (2, False)]
        # Nothing of the old snapshot is lost: its models, files and cards were kept before the listing changed them.
        assert s.con.execute("SELECT count(*) FROM snapshot_models WHERE snapshot = 1").fetchall()[0][0] == 41
        assert s.con.execute("SELECT count(*) FROM snapshot_cards WHERE snapshot = 1").fetchall()[0][0] == 3
        assert s.con.execute("SELECT count(*) FROM snapshot_files WHERE snapshot = 1").fetchall()[0][0] > 0
        assert s.count("cards") == 0  # the listing brought none: its snapshot has no cards
        # The live table keeps every model ever seen (history, change detection); the snapshot is those the run saw.
        assert s.count("models") == 51
    with open_store(one, read_only=True) as s, open_store(a, read_only=True) as sa, open_store(b, read_only=True) as sb:
        old, new = compute_study(s, snapshot=1), compute_study(s)
        old_file, new_file = compute_study(sa), compute_study(sb)
        assert compute_study(s, snapshot=2).tables == new.tables
    assert (old.snapshot, new.snapshot) == (1, 2) and old.models == 41 and new.models == 50
    assert _rows(old) == _rows(old_file) and _rows(new) == _rows(new_file)
    assert not new.table("card_presence").measured and old.table("card_presence").measured
    assert _trend_rows(trend(old, new)) == _trend_rows(trend(old_file, new_file))

    # The same through the CLI: --trend (the two latest), and --snapshot OLD --snapshot NEW.
    out, files = tmp_path / "one.json", tmp_path / "files.json"
    assert main(["study", "--db", str(one), "--trend", "--json", str(out), "-q"]) == 0
    assert main(["study", "--db", str(a), "--db", str(b), "--json", str(files), "-q"]) == 0
    doc, ref = json.loads(out.read_text()), json.loads(files.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["snapshot"]["run_id"] == 2 and doc["models"] == 50
    assert _trend_rows(doc["trend"]) == _trend_rows(ref["trend"])
    out2 = tmp_path / "pick.json"
    assert main(["study", "--db", str(one), "--snapshot", "1", "--snapshot", "2", "--json", str(out2), "-q"]) == 0
    assert _trend_rows(json.loads(out2.read_text())["trend"]) == _trend_rows(doc["trend"])
    one_old = tmp_path / "old.json"
    assert main(["study", "--db", str(one), "--snapshot", "1", "--json", str(one_old), "-q"]) == 0
    assert json.loads(one_old.read_text())["models"] == 41
    listed = tmp_path / "list.txt"
    assert main(["study", "--db", str(one), "--list-snapshots", "-o", str(listed)]) == 0
    assert [ln.split("\t")[0] for ln in listed.read_text().splitlines()] == ["1", "2"]
    # Clear refusals: an unknown snapshot, the options mixed, --trend on a database with one snapshot.
    assert main(["study", "--db", str(one), "--snapshot", "7", "-q"]) == 3
    assert main(["study", "--db", str(one), "--trend", "--snapshot", "1", "-q"]) == 2
    assert main(["study", "--db", str(one), "--snapshot", "2", "--snapshot", "1", "-q"]) == 2
    assert main(["study", "--db", str(a), "--trend", "-q"]) == 2

    # A third run keeps the second; a cards-only run adds to the latest snapshot instead of starting one.
    with open_store(one) as s:
        mine_dump(s, [listing])
        mine_dump(s, [], cards=[cards])
        assert [(x.run_id, x.frozen) for x in s.snapshots()] == [(1, True), (2, True), (3, False)]
        assert _rows(compute_study(s, snapshot=2)) == _rows(new)
        assert _rows(compute_study(s, snapshot=1)) == _rows(old)
        assert s.count("models") == 51  # the views that stood in for the live tables are gone
        assert compute_study(s).table("card_presence").measured


def test_trend_keeps_absent_apart_from_not_measured(tmp_path: Path) -> None:
    dump, cards, listing = _inputs(tmp_path)
    db = tmp_path / "one.duckdb"
    with open_store(db) as s:
        mine_dump(s, [dump], cards=[cards])
        mine_dump(s, [listing])
        old, new = compute_study(s, snapshot=1), compute_study(s)
    trends = {t.name: t for t in trend(old, new)}
    cards_row = trends["trend_card_presence"].rows[0]
    assert cards_row[2] is None and cards_row[5] == NOT_MEASURED and cards_row[4] == MEASURED
    # The listing declares no licence: apache-2.0 is absent from its top licences (unknown, not 0).
    lic = {r[0]: r for r in trends["trend_licences"].rows}
    assert lic["apache-2.0"][1] is not None and lic["apache-2.0"][2] is None and lic["apache-2.0"][5] == ABSENT
    # A table that lists every value reads an absent row as 0: token-classification has no model in the listing.
    every = {r[0]: r for r in trends["trend_claims_by_pipeline_all"].rows}
    tok = every["token-classification"]
    assert tok[5] == ABSENT and tok[2] == 0 and tok[4] == MEASURED
    text = render_terminal(dataclasses_replace(new, trends))
    assert "absent" in text and "not measured" in text
    lines = [ln for ln in text.splitlines() if "apache-2.0" in ln and "absent" in ln]
    assert lines and "not measured" not in lines[0]


def dataclasses_replace(study: Study, trends: dict[str, Any]) -> Study:
    import dataclasses

    return dataclasses.replace(study, trend=tuple(trends.values()))


def _head(src: Path, dst: Path, n: int) -> Path:
    with gzip.open(src, "rt", encoding="utf-8") as fh, gzip.open(dst, "wt", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i >= n:
                break
            out.write(line)
    return dst


def test_real_dumps_two_snapshots_match_two_databases(corpora: Path, tmp_path: Path) -> None:
    """The first 500 records of the real 2022 dump and of the 2024 listing: one database or two, one trend."""
    d22 = corpora / "hf-model-infos-cards-2022-02-saranscript" / "model_infos.jsonl.gz"
    d24 = corpora / "hf-hub-models-2024-07" / "hf_models_list_2024-07.jsonl.gz"
    if not (d22.is_file() and d24.is_file()):
        pytest.skip("the 2022 dump or the 2024 listing is not present")
    old_in, new_in = _head(d22, tmp_path / "2022.jsonl.gz", 500), _head(d24, tmp_path / "2024.jsonl.gz", 500)
    one, a, b = tmp_path / "one.duckdb", tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for db, runs in ((one, [old_in, new_in]), (a, [old_in]), (b, [new_in])):
        with open_store(db) as s:
            for f in runs:
                mine_dump(s, [f])
    with open_store(one, read_only=True) as s, open_store(a, read_only=True) as sa, open_store(b, read_only=True) as sb:
        t_one = trend(compute_study(s, snapshot=1), compute_study(s))
        t_two = trend(compute_study(sa), compute_study(sb))
    assert _trend_rows(t_one) == _trend_rows(t_two)
    arch = {t.name: t for t in t_one}["trend_architectures"]
    assert arch.rows and all(r[5] == NOT_MEASURED and r[2] is None for r in arch.rows)  # no configs in 2024
    assert all(r[4] == MEASURED for r in arch.rows if r[0] != "other" and r[1] is not None)
