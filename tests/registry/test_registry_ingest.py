"""Ingest: streaming dumps and cards into the store, malformed input, incremental history."""

from __future__ import annotations

import gzip
import itertools
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from registry_helpers import CARD_WITH_CLAIMS, lines_of, record, write_cards_tar, write_jsonl_gz

from ptmvet.errors import InputError
from ptmvet.registry.ingest import card_model_id, mine_dump
from ptmvet.registry.store import SCHEMA_VERSION, open_store


def test_schema_is_versioned_and_reopens(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    with open_store(db) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.con.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0] == SCHEMA_VERSION
    with open_store(db) as s:  # migrating twice applies nothing twice
        assert s.con.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0] == SCHEMA_VERSION
    with open_store(db, read_only=True) as s:
        assert s.count("models") == 0


def test_malformed_lines_are_counted_with_their_position(tmp_path: Path) -> None:
    lines = lines_of([record(i) for i in range(5)])
    lines.insert(2, '{"modelId": "broken", ')  # line 3
    lines.insert(4, "[1, 2]")  # line 5: valid JSON, not a record
    lines.append("")  # blank lines are skipped silently
    lines.append(json.dumps(record(99)))
    dump = write_jsonl_gz(tmp_path / "list.jsonl.gz", lines)
    with open_store(tmp_path / "r.duckdb") as s:
        stats = mine_dump(s, [dump], batch_size=3)
        assert s.count("models") == 6
        errs = s.con.execute("SELECT position, message FROM ingest_errors ORDER BY position").fetchall()
    assert stats.errors == 2
    assert errs == [("list.jsonl.gz:3", "malformed JSON"), ("list.jsonl.gz:5", "not a model record (no id or modelId)")]


def test_children_and_model_fields(tmp_path: Path) -> None:
    recs = [record(i) for i in range(12)]
    recs[0]["cardData"] = {"license": ["MIT", "cc-by-4.0"], "base_model": "org/other"}
    recs[0]["gated"] = "manual"
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of(recs))
    with open_store(tmp_path / "r.duckdb") as s:
        mine_dump(s, [dump])
        row = s.con.execute(
            "SELECT author, architecture, model_type, license, gated, n_files, has_model_index FROM models "
            "WHERE model_id = 'org0/model-0'"
        ).fetchall()[0]
        assert row == ("org0", "Arch0", "bert", "apache-2.0", "manual", 2, True)
        lic = s.con.execute("SELECT license, source FROM licences WHERE model_id = 'org0/model-0' ORDER BY 1, 2").fetchall()
        assert lic == [("apache-2.0", "tag"), ("cc-by-4.0", "card_data"), ("mit", "card_data")]
        lin = s.con.execute("SELECT parent_id, relation, source FROM lineage WHERE model_id = 'org0/model-0' ORDER BY 1").fetchall()
        assert lin == [("org/base0", "finetune", "tag"), ("org/other", "base", "card_data")]
        assert s.count("tags") == sum(len(r["tags"]) for r in recs)
        assert s.count("files") == 24


def test_repeated_licence_and_base_values_give_one_row_each(tmp_path: Path) -> None:
    rec = record(0, tags=["license:MIT", "license:mit", "license:", "base_model:org/b", "base_model:org/b",
                          "base_model:adapter:org/b", "base_model:finetune:", "dataset:x", "dataset:x"],
                 cardData={"license": ["MIT", "mit", None], "base_model": ["org/b", "org/b", ""]})
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of([rec]))
    with open_store(tmp_path / "r.duckdb") as s:
        mine_dump(s, [dump])
        lic = s.con.execute("SELECT license, source FROM licences ORDER BY 1, 2").fetchall()
        lin = s.con.execute("SELECT parent_id, relation, source FROM lineage ORDER BY 1, 2, 3").fetchall()
        tags = s.con.execute("SELECT tag FROM tags ORDER BY 1").fetchall()
    assert lic == [("mit", "card_data"), ("mit", "tag")]
    assert lin == [("org/b", "adapter", "tag"), ("org/b", "base", "card_data"), ("org/b", "base", "tag")]
    assert [t for (t,) in tags] == sorted(rec["tags"])  # the raw tags, as listed


def test_cards_from_tarball_and_folder(tmp_path: Path) -> None:
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of([record(i) for i in range(3)]))
    tar = write_cards_tar(tmp_path / "cards.tar.gz", {"org0/model-0": CARD_WITH_CLAIMS, "org1/model-1": "  \n"})
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "org2__model-2.md").write_text("# Just a title\n\nwords here\n")
    with open_store(tmp_path / "r.duckdb") as s:
        stats = mine_dump(s, [dump], cards=[tar, folder])
        assert stats.cards == 3
        card = s.con.execute(
            "SELECT has_front_matter, has_model_index, n_claims, empty FROM cards WHERE model_id = 'org0/model-0'"
        ).fetchall()[0]
        assert card == (True, True, 1, False)
        assert s.con.execute("SELECT empty FROM cards WHERE model_id = 'org1/model-1'").fetchall()[0] == (True,)
        claim = s.con.execute("SELECT dataset, metric, value, dataset_split FROM claims").fetchall()
        assert claim == [("glue", "accuracy", 0.91, "validation")]
        sections = dict(s.con.execute("SELECT canonical, words FROM card_sections WHERE model_id = 'org0/model-0'").fetchall())
        assert sections["training_data"] == 5 and sections["evaluation"] == 3
        assert ("org/base", "base", "card") in s.con.execute("SELECT parent_id, relation, source FROM lineage").fetchall()
        # The same cards again in a cards-only run (it adds to the latest snapshot): nothing is rewritten.
        again = mine_dump(s, [], cards=[tar, folder])
        assert again.cards_changed == 0 and again.cards == 3
        # The same dump again is a new snapshot: models unchanged, the first snapshot's cards kept, the same cards in the new one.
        second = mine_dump(s, [dump], cards=[tar, folder])
        assert second.models_unchanged == 3 and second.cards_changed == 3
        assert s.con.execute("SELECT count(*) FROM snapshot_cards WHERE snapshot = 1").fetchall()[0][0] == 3
        assert s.con.execute("SELECT count(*) FROM snapshot_claims WHERE snapshot = 1").fetchall()[0][0] == 1


def test_card_paths_name_models() -> None:
    assert card_model_id("models/org/name/README.md") == "org/name"
    assert card_model_id("models/bert-base-uncased/README.md") == "bert-base-uncased"
    assert card_model_id("org__name.md") == "org/name"
    assert card_model_id("models/org/name/other.txt") is None


def test_model_info_zip_and_listing_page(tmp_path: Path) -> None:
    z = tmp_path / "infos.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.json", json.dumps(record(1, id="org1/model-1")))
        zf.writestr("b.json", "{not json")
    page = tmp_path / "page.json"
    page.write_text(json.dumps([record(2), record(3)]))
    with open_store(tmp_path / "r.duckdb") as s:
        stats = mine_dump(s, [z, page])
        assert s.count("models") == 3
        assert stats.errors == 1
        assert s.con.execute("SELECT position FROM ingest_errors").fetchall()[0] == ("infos.zip:b.json",)
        assert s.con.execute("SELECT source FROM models WHERE model_id = 'org3/model-3'").fetchall()[0] == ("page.json[1]",)


def test_incremental_updates_only_changed_models_and_keeps_history(tmp_path: Path) -> None:
    old = [record(i) for i in range(10)]
    new = [record(i) for i in range(10)]
    new[4] = record(4, sha="f" * 40)  # a new commit
    new[5] = record(5, downloads=123456)  # popularity only
    new.append(record(10))
    d1 = write_jsonl_gz(tmp_path / "2022.jsonl.gz", lines_of(old))
    d2 = write_jsonl_gz(tmp_path / "2023.jsonl.gz", lines_of(new))
    with open_store(tmp_path / "r.duckdb") as s:
        first = mine_dump(s, [d1])
        second = mine_dump(s, [d2])
        assert (first.models_new, second.models_new, second.models_changed, second.models_unchanged) == (10, 1, 1, 9)
        hist = s.con.execute(
            "SELECT revision, first_run, last_run FROM revisions WHERE model_id = 'org4/model-4' ORDER BY first_run"
        ).fetchall()
        assert hist == [(f"{4:040x}", first.run_id, first.run_id), ("f" * 40, second.run_id, second.run_id)]
        m5 = s.con.execute("SELECT downloads, changed_run, last_run FROM models WHERE model_id = 'org5/model-5'").fetchall()[0]
        assert m5 == (123456, first.run_id, second.run_id)
        # A listing without sha/lastModified falls back to the fingerprint.
        lst = [{"id": "org/x", "tags": ["a"], "downloads": 1}]
        d3 = write_jsonl_gz(tmp_path / "l1.jsonl.gz", lines_of(lst))
        mine_dump(s, [d3])
        lst[0]["downloads"] = 2
        d4 = write_jsonl_gz(tmp_path / "l2.jsonl.gz", lines_of(lst))
        assert mine_dump(s, [d4]).models_changed == 0


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "r.duckdb") as s, pytest.raises(InputError, match="no such file"):
        mine_dump(s, [tmp_path / "nope.jsonl.gz"])


@pytest.mark.corpora
def test_real_2022_dump_slice(corpora: Path, tmp_path: Path) -> None:
    root = corpora / "hf-model-infos-cards-2022-02-saranscript"
    with gzip.open(root / "model_infos.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = [line.rstrip("\n") for line in itertools.islice(fh, 400)]
    dump = write_jsonl_gz(tmp_path / "slice.jsonl.gz", lines)
    cards = tmp_path / "cards.tar.gz"
    with tarfile.open(root / "model_cards.tar.gz", "r|gz") as src, tarfile.open(cards, "w:gz") as dst:
        for member in itertools.islice(src, 150):
            fh = src.extractfile(member)
            if fh is not None:
                dst.addfile(member, fh)
    with open_store(tmp_path / "r.duckdb") as s:
        stats = mine_dump(s, [dump], cards=[cards])
        assert stats.errors == 0
        assert s.count("models") == len({json.loads(x)["modelId"] for x in lines})
        assert s.count("cards") == 150
        assert s.con.execute("SELECT count(*) FROM models WHERE sha IS NULL").fetchall()[0][0] == 0


@pytest.mark.corpora
def test_real_2024_shapes(corpora: Path, tmp_path: Path) -> None:
    root = corpora / "hf-hub-models-2024-07"
    with gzip.open(root / "hf_models_list_2024-07.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = [line.rstrip("\n") for line in itertools.islice(fh, 300)]
    dump = write_jsonl_gz(tmp_path / "list.jsonl.gz", lines)
    with zipfile.ZipFile(root / "model_data_api" / "5.zip") as src, zipfile.ZipFile(tmp_path / "infos.zip", "w") as dst:
        for name in sorted(src.namelist())[:40]:
            dst.writestr(name, src.read(name))
    with open_store(tmp_path / "r.duckdb") as s:
        stats = mine_dump(s, [dump, tmp_path / "infos.zip"])
        assert stats.errors == 0
        assert s.count("models") == 300 + 40
        full = s.con.execute("SELECT count(*) FROM models WHERE sha IS NOT NULL AND n_files IS NOT NULL").fetchall()[0][0]
        assert full == 40
        assert s.con.execute("SELECT count(*) FROM models WHERE created_at IS NULL").fetchall()[0][0] == 0
