"""Foreign exports of model_info (Parquet, CSV, JSON arrays) recognised by content; card corpora's naming schemes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from registry_helpers import lines_of, record, snapshot, write_jsonl_gz

from ptmvet.cli import main
from ptmvet.errors import InputError
from ptmvet.registry.foreign import sniff
from ptmvet.registry.ingest import card_model_ids, mine_dump
from ptmvet.registry.store import open_store

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpora" / "hf-model-infos-cards-2022-02-saranscript"


def _models(db: Path) -> list[tuple[object, ...]]:
    with open_store(db, read_only=True) as s:
        return s.con.execute(
            "SELECT model_id, pipeline_tag, downloads, license, model_type, len(tags) FROM models ORDER BY model_id"
        ).fetchall()


@pytest.fixture
def recs() -> list[dict[str, object]]:
    return [record(i) for i in range(25)]


def test_parquet_and_csv_exports_read_like_json_lines(recs: list[dict[str, object]], tmp_path: Path) -> None:
    ref = tmp_path / "ref.duckdb"
    with open_store(ref) as s:
        mine_dump(s, [write_jsonl_gz(tmp_path / "a.jsonl.gz", lines_of(recs))])
    # Parquet with native nested columns, under a misleading name
    table = pa.Table.from_pylist(recs)
    pq.write_table(table, tmp_path / "export.bin")
    # CSV as people export it: snake_case names, JSON in text cells, a Python-style tag list
    rows = [
        {
            "model_id": r["modelId"],
            "pipeline_tag": r["pipeline_tag"],
            "downloads": r["downloads"],
            "likes": r["likes"],
            "sha": r["sha"],
            "last_modified": r["lastModified"],
            "tags": repr(r["tags"]) if i % 2 else json.dumps(r["tags"]),
            "siblings": json.dumps(r["siblings"]),
            "config": json.dumps(r["config"]),
        }
        for i, r in enumerate(recs)
    ]
    pacsv.write_csv(pa.Table.from_pylist(rows), tmp_path / "export.csv")
    assert sniff(tmp_path / "export.bin") == "parquet" and sniff(tmp_path / "export.csv") == "csv"
    for name in ("export.bin", "export.csv"):
        db = tmp_path / f"{name}.duckdb"
        with open_store(db) as s:
            stats = mine_dump(s, [tmp_path / name])
        assert stats.records == 25 and stats.errors == 0
        assert _models(db) == _models(ref)
    with open_store(ref, read_only=True) as a, open_store(tmp_path / "export.bin.duckdb", read_only=True) as b:
        assert snapshot(a)["files"] == snapshot(b)["files"]


def test_a_licence_column_becomes_a_tag(tmp_path: Path) -> None:
    rows = [{"id": "o/a", "license": "mit", "tags": "[]"}, {"id": "o/b", "license": "mit", "tags": '["license:apache-2.0"]'}]
    pacsv.write_csv(pa.Table.from_pylist(rows), tmp_path / "l.csv")
    db = tmp_path / "l.duckdb"
    with open_store(db) as s:
        mine_dump(s, [tmp_path / "l.csv"])
        got = dict(s.con.execute("SELECT model_id, license FROM models").fetchall())
    assert got == {"o/a": "mit", "o/b": "apache-2.0"}


def test_json_shapes_are_told_apart_by_content(recs: list[dict[str, object]], tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(json.dumps(recs[:3]))
    (tmp_path / "one.data").write_text(json.dumps(recs[0], indent=2))
    (tmp_path / "lines.json").write_text("\n".join(lines_of(recs[:4])) + "\n")
    with gzip.open(tmp_path / "lines.gz", "wt") as fh:
        fh.write("\n".join(lines_of(recs[:2])) + "\n")
    assert [sniff(tmp_path / n) for n in ("page.txt", "one.data", "lines.json", "lines.gz")] == ["json", "json", "jsonl", "jsonl"]
    db = tmp_path / "j.duckdb"
    with open_store(db) as s:
        stats = mine_dump(s, [tmp_path / n for n in ("page.txt", "one.data", "lines.json", "lines.gz")])
    assert stats.errors == 0 and stats.models_new == 4


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"hello world\n", "starts with 'hello world'"), (b"", "empty"), (b"a,b,c\n1,2,3\n", "not a model_info export"),
     (b"\x89PNG\r\n\x1a\n....", "not a model_info export")],
)
def test_anything_else_is_refused_with_one_line(content: bytes, why: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "thing.jsonl"
    f.write_bytes(content)
    with pytest.raises(InputError, match=why):
        sniff(f)
    assert main(["mine", "--from-dump", str(f), "--db", str(tmp_path / "x.duckdb")]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "thing.jsonl" in err


@pytest.mark.parametrize(
    ("member", "first"),
    [
        ("models/org/name/README.md", "org/name"),
        ("org@name/README.md", "org/name"),
        ("hub/models--org--name/snapshots/abc/README.md", "org/name"),
        ("org__name.md", "org/name"),
        ("org--name.md", "org/name"),
        ("org'name.md", "org/name"),
        ("org@name.md", "org/name"),
        ("bert-base-uncased/README.md", "bert-base-uncased"),
    ],
)
def test_card_naming_schemes(member: str, first: str) -> None:
    assert card_model_ids(member)[0] == first


def test_underscore_names_join_the_model_that_exists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert card_model_ids("my_org_my_model_README.md") == ("my/org_my_model", "my_org/my_model", "my_org_my/model", "my_org_my_model")
    recs = [{"id": "my_org/my_model", "tags": []}, {"id": "plain", "tags": []}]
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of(recs))
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "my_org_my_model_README.md").write_text("---\nlicense: mit\n---\n# Card\n")
    (cards / "plain_README.md").write_text("# Card\n")
    (cards / "ghost__model.md").write_text("# Card\n")
    db = tmp_path / "c.duckdb"
    assert main(["mine", "--from-dump", str(dump), "--cards", str(cards), "--db", str(db)]) == 0
    assert "1 cards name no model" in capsys.readouterr().err
    with open_store(db, read_only=True) as s:
        assert sorted(r[0] for r in s.con.execute("SELECT model_id FROM cards").fetchall()) == ["ghost/model", "my_org/my_model", "plain"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpora not present")
def test_real_2022_export_as_csv_matches_json_lines(tmp_path: Path) -> None:
    import duckdb

    src = CORPUS / "model_infos.jsonl.gz"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT modelId, pipeline_tag, downloads, CAST(to_json(tags) AS VARCHAR) AS tags, "
        f"CAST(to_json(config) AS VARCHAR) AS config FROM read_json('{src}', format='newline_delimited') LIMIT 3000) "
        f"TO '{tmp_path / 'x.csv'}' (HEADER)"
    )
    con.close()
    with open_store(tmp_path / "c.duckdb") as s:
        stats = mine_dump(s, [tmp_path / "x.csv"])
        n_tc = s.con.execute("SELECT count(*) FROM models WHERE pipeline_tag = 'text-classification'").fetchall()[0][0]
        n_bert = s.con.execute("SELECT count(*) FROM models WHERE model_type = 'bert'").fetchall()[0][0]
    assert stats.records == 3000 and stats.errors == 0 and n_tc > 0 and n_bert > 0


def test_json_lines_with_a_malformed_first_record_stay_json_lines(recs: list[dict[str, object]], tmp_path: Path) -> None:
    f = tmp_path / "dump.txt"
    f.write_text("{not json\n" + "\n".join(lines_of(recs[:3])) + "\n")
    assert sniff(f) == "jsonl"
    with open_store(tmp_path / "m.duckdb") as s:
        stats = mine_dump(s, [f])
    assert stats.models_new == 3 and stats.errors == 1
