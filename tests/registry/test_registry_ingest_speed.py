"""The bulk ingest path: Arrow line batches, read-ahead, schema migrations, history kept in models."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
from registry_helpers import lines_of, record, snapshot, write_jsonl_gz

from ptmvet.errors import InputError
from ptmvet.registry import ingest
from ptmvet.registry.ingest import _iter_lines, _prefetch, mine_dump
from ptmvet.registry.store import SCHEMA_VERSION, migrations, open_store


def _raw(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data))
    return path


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
@pytest.mark.parametrize("start", [0, 1, 5, 11])
def test_line_batches_keep_line_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, start: int) -> None:
    monkeypatch.setattr(ingest, "_READ_CHUNK", chunk)
    lines = [b'{"id": "a"}', b"", b'{"id": "b"}\r', b"   ", b'{"id": "\xff\xfe"}', b"{broken", b'{"id": "c"}']
    lines += [json.dumps({"id": f"m{i}"}).encode() for i in range(6)]
    data = b"\n".join(lines)  # no newline after the last line
    path = _raw(tmp_path / "x.jsonl.gz", data)
    got: list[tuple[int, str]] = []
    cursors = []
    for b in _iter_lines(path, start, 3, tmp_path):
        got.extend(zip(b.lines().ordinals.to_pylist(), b.lines().lines.to_pylist(), strict=True))
        cursors.append(b.consumed)
    want = [(i + 1, raw.decode("utf-8", "replace")) for i, raw in enumerate(lines)][start:]
    assert [(n, t.rstrip("\n")) for n, t in got] == want
    assert cursors[-1] == len(lines)
    assert all(len(b.lines().ordinals) == len(b) <= 3 for b in _iter_lines(path, start, 3, tmp_path))


def test_read_ahead_hands_on_errors_in_order() -> None:
    def gen():  # type: ignore[no-untyped-def]
        yield 1
        raise InputError("boom")

    it = _prefetch(gen())
    assert next(it) == 1
    with pytest.raises(InputError, match="boom"):
        next(it)


def test_truncated_gzip_is_a_clear_error_after_the_committed_lines(tmp_path: Path) -> None:
    data = gzip.compress("\n".join(lines_of([record(i) for i in range(2000)])).encode())
    bad = tmp_path / "cut.jsonl.gz"
    bad.write_bytes(data[: len(data) // 2])
    with open_store(tmp_path / "r.duckdb") as s, pytest.raises(InputError, match="corrupt after line"):
        mine_dump(s, [bad], batch_size=100)


def test_model_ids_stay_unique_within_and_across_batches(tmp_path: Path) -> None:
    recs = [record(i) for i in range(50)]
    recs.insert(10, record(3, downloads=777))  # the same model again, later in the same batch
    recs.append(record(7, sha="e" * 40))  # and in a later batch, with a new commit
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of(recs))
    with open_store(tmp_path / "r.duckdb") as s:
        mine_dump(s, [dump], batch_size=20)
        assert s.con.execute("SELECT count(*), count(DISTINCT model_id) FROM models").fetchall()[0] == (50, 50)
        assert s.con.execute("SELECT downloads FROM models WHERE model_id = 'org3/model-3'").fetchall()[0][0] == 777
        revs = s.con.execute("SELECT revision FROM revisions WHERE model_id = 'org7/model-7' ORDER BY 1").fetchall()
        assert revs == [(f"{7:040x}",), ("e" * 40,)]
        assert s.con.execute("SELECT revision FROM models WHERE model_id = 'org7/model-7'").fetchall()[0][0] == "e" * 40
        tags = s.con.execute("SELECT count(*) FROM tags WHERE model_id = 'org7/model-7'").fetchall()[0][0]
        assert tags == len(record(7)["tags"])


def test_history_follows_a_revert_and_a_source_without_sha(tmp_path: Path) -> None:
    a, b = "a" * 40, "b" * 40
    runs = []
    with open_store(tmp_path / "r.duckdb") as s:
        for n, sha in enumerate([a, b, a, a]):
            dump = write_jsonl_gz(tmp_path / f"{n}.jsonl.gz", lines_of([record(1, sha=sha), record(2)]))
            runs.append(mine_dump(s, [dump]).run_id)
        rows = s.con.execute(
            "SELECT revision, first_run, last_run FROM revisions WHERE model_id = 'org1/model-1' ORDER BY first_run"
        ).fetchall()
        assert rows == [(a, runs[0], runs[3]), (b, runs[1], runs[1])]
        m = s.con.execute("SELECT revision, changed_run, last_run FROM models WHERE model_id = 'org1/model-1'").fetchall()
        assert m == [(a, runs[2], runs[3])]
        # The same model from a source without sha: unchanged (same lastModified), another revision key.
        rec = record(2)
        del rec["sha"]
        dump = write_jsonl_gz(tmp_path / "nosha.jsonl.gz", lines_of([rec]))
        last = mine_dump(s, [dump]).run_id
        rows = s.con.execute(
            "SELECT revision, first_run, last_run FROM revisions WHERE model_id = 'org2/model-2' ORDER BY revision"
        ).fetchall()
        assert rows == [(f"{2:040x}", runs[0], runs[3]), ("lm:2022-01-03T10:00:00", last, last)]
        assert s.con.execute("SELECT count(*) FROM revisions").fetchall()[0][0] == 4


def test_a_version_1_database_migrates_with_its_data(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    first = migrations()[0]
    assert first.version == 1
    con.execute(first.sql)
    con.execute("INSERT INTO schema_migrations VALUES (1, 'initial', now())")
    base = {c: None for c in [r[0] for r in con.execute("DESCRIBE models").fetchall()]}
    # Version 1 fingerprints were md5 hex digests; fingerprint-only revision keys 'fp:' + 16 digits.
    digest = hashlib.md5(b"some record").digest()
    old_fp, old_key = digest.hex(), "fp:" + digest.hex()[:16]
    new_fp, new_key = int.from_bytes(digest[:8], "little"), "fp:" + digest[:8][::-1].hex()
    for mid, rev, fr, lr in (("org/a", "r2", 2, 3), ("org/b", old_key, 1, 3)):
        row = dict(base, model_id=mid, revision=rev, has_model_index=False, fingerprint=old_fp, source="x",
                   first_run=1, last_run=lr, changed_run=fr)
        con.execute(f"INSERT INTO models VALUES ({', '.join('?' for _ in row)})", list(row.values()))
    old_revs = [("org/a", "r1", None, None, "f", 1, 1), ("org/a", "r2", None, None, old_fp, 2, 3),
                ("org/b", old_key, None, None, old_fp, 1, 3)]
    con.executemany("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?)", old_revs)
    old_tags = [("org/a", "license:mit"), ("org/a", "dataset:glue"), ("org/b", "pytorch")]
    con.executemany("INSERT INTO tags VALUES (?, ?)", old_tags)
    con.execute("INSERT INTO scores VALUES (1, 'org/b', ?, 'a', 1.0)", [old_key])
    # Declared licences and bases: the 'tag' rows repeat the tags, the 'card' rows come from cards.
    con.executemany("INSERT INTO licences VALUES (?, ?, ?)", [("org/a", "mit", "tag"), ("org/b", "apache-2.0", "card")])
    con.execute("INSERT INTO lineage VALUES ('org/b', 'org/base', 'base', 'card')")
    con.close()
    with open_store(db) as s:
        assert s.schema_version() == SCHEMA_VERSION >= 11
        # Version 6: the tag rows are read from the tags, the card rows were kept.
        assert sorted(s.con.execute("SELECT * FROM licences").fetchall()) == [
            ("org/a", "mit", "tag"), ("org/b", "apache-2.0", "card")]
        assert s.con.execute("SELECT * FROM lineage").fetchall() == [("org/b", "org/base", "base", "card")]
        revs = sorted(s.con.execute("SELECT * FROM revisions").fetchall(), key=repr)
        # Fingerprints became numbers (md5_number_upper of the same text), fp: keys were respelled to match.
        fp_f = s.con.execute("SELECT md5_number_upper('f')").fetchall()[0][0]
        assert revs == sorted([("org/a", "r1", None, None, fp_f, 1, 1), ("org/a", "r2", None, None, new_fp, 2, 3),
                               ("org/b", new_key, None, None, new_fp, 1, 3)], key=repr)
        # What the ingest computes (the low 64 bits of md5_number) is that same number.
        assert s.con.execute(
            "SELECT md5_number_upper('some record'), "
            "(md5_number('some record') & 18446744073709551615::UHUGEINT)::UBIGINT"
        ).fetchall()[0] == (new_fp, new_fp)
        assert s.con.execute("SELECT revision FROM scores").fetchall() == [(new_key,)]
        assert sorted(s.con.execute("SELECT * FROM tags").fetchall()) == sorted(old_tags)
        assert s.con.execute("SELECT model_id, revision FROM revision_history").fetchall() == [("org/a", "r1")]
        assert s.count("models") == 2
        kinds = {r[0] for r in s.con.execute("SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'models'").fetchall()}
        assert "PRIMARY KEY" not in kinds
        # And ingest keeps working on the migrated file.
        dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of([record(i) for i in range(5)]))
        mine_dump(s, [dump])
        assert s.count("models") == 7
        # Version 9: the unique string columns are stored uncompressed (cheaper to write), the others not.
        s.con.execute("CHECKPOINT")
        storage = dict(s.con.execute(
            "SELECT any_value(column_name), list_distinct(list(compression)) FROM pragma_storage_info('models') "
            "WHERE segment_type = 'VARCHAR' GROUP BY column_id").fetchall())
        assert storage["model_id"] == storage["revision"] == storage["source"] == ["Uncompressed"]
        before = snapshot(s)
        mine_dump(s, [dump])
        after = snapshot(s)
    # A second run over the same input changes nothing but when things were last seen; it is a new
    # snapshot, so the card rows of the first (the migrated ones) moved to its snapshot tables.
    same = ("models", "revisions", "licences", "lineage", "snapshots", "snapshot_models", "snapshot_files",
            "snapshot_licence_rows", "snapshot_lineage_rows")
    card_rows = {("org/b", "apache-2.0", "card")}
    assert card_rows <= set(before["licences"]) and not card_rows & set(after["licences"])
    assert {k: v for k, v in before.items() if k not in same} == {k: v for k, v in after.items() if k not in same}
    assert [r for r in before["licences"] if r[2] != "card"] == [r for r in after["licences"] if r[2] != "card"]
    assert {k: v for k, v in before.items() if k not in same} == {k: v for k, v in after.items() if k not in same}
    assert [r[:6] for r in before["revisions"]] == [r[:6] for r in after["revisions"]]


def _odd_records() -> list[dict[str, object]]:
    """Records whose fields take every shape a listing has shown, and some it should not."""
    recs: list[dict[str, object]] = [record(i) for i in range(40)]
    recs += [
        {"id": "x/strings-for-numbers", "downloads": "12", "likes": 3.0, "private": "false", "tags": ["a", None]},
        {"id": "x/wrong-types", "downloads": [1], "tags": "license:mit", "siblings": {"rfilename": "a"}, "config": 5},
        {"id": "x/gated", "gated": "auto", "disabled": True, "usedStorage": 123, "createdAt": "2024-05-01T00:00:00.000Z"},
        {"id": "x/gated-false", "gated": False, "lastModified": "not a date", "sha": None},
        {"id": "x/card-data", "cardData": {"license": ["MIT", "other"], "base_model": "org/base", "model-index": []}},
        {"id": "x/card-data-2", "cardData": {"license": "Apache-2.0", "base_model": ["a/b", "c/d"]}, "model-index": [{}]},
        {"id": "x/lfs", "siblings": [{"rfilename": "w.bin", "size": 10, "blobId": "ab", "lfs": {"sha256": "c" * 64, "size": 9}}]},
        {"id": "x/unicode-ünï", "author": "Zoë", "tags": ["language:日本語", "base_model:adapter:org/b"], "_extra": {"k": 1}},
        {"modelId": "legacy-name", "config": {"architectures": [], "model_type": None}},
        {"id": "x/id-and-modelId", "modelId": "x/ignored"},
    ]
    return recs


@pytest.mark.parametrize("blank_line", [False, True])
def test_bulk_reader_and_exact_path_store_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank_line: bool
) -> None:
    lines = lines_of(_odd_records())
    if blank_line:  # the bulk reader skips blank lines: that block takes the exact path
        lines.insert(5, "")
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines)
    parsed: list[bool] = []
    real = ingest._parse_block

    def spy(cur, b):  # type: ignore[no-untyped-def]
        table = real(cur, b)
        parsed.append(table is not None)
        return table

    monkeypatch.setattr(ingest, "_parse_block", spy)
    with open_store(tmp_path / "bulk.duckdb") as s:
        mine_dump(s, [dump], batch_size=16)
        bulk = snapshot(s)
    if blank_line:
        assert parsed[0] is False and all(parsed[1:])
    else:
        assert parsed and all(parsed)
    monkeypatch.setattr(ingest, "_parse_block", lambda cur, b: None)
    with open_store(tmp_path / "exact.duckdb") as s:
        mine_dump(s, [dump], batch_size=16)
        exact = snapshot(s)
    assert bulk == exact
    assert len(bulk["models"]) == len(lines) - blank_line


def test_gzip_is_read_without_isal_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    data = "\n".join(lines_of([record(i) for i in range(30)])).encode()
    path = _raw(tmp_path / "x.jsonl.gz", data)
    with ingest._open_binary(path) as fh:
        assert type(fh).__module__ == "isal.igzip"  # the registry extra installs ISA-L
        fast = fh.read()
    monkeypatch.setitem(sys.modules, "isal", None)  # import isal -> ImportError
    with ingest._open_binary(path) as fh:
        assert type(fh) is gzip.GzipFile
        assert fh.read() == fast == data
    with open_store(tmp_path / "r.duckdb") as s:
        stats = mine_dump(s, [path], batch_size=8)
    assert stats.records == 30 and stats.errors == 0


def test_read_ahead_closes_its_source_when_the_consumer_stops() -> None:
    closed: list[bool] = []

    def gen():  # type: ignore[no-untyped-def]
        try:
            yield from range(100)
        finally:
            closed.append(True)

    source = gen()  # still referenced here, so only an explicit close() ends it
    it = _prefetch(source)
    assert next(it) == 0
    it.close()  # the consumer stops early (an error while writing, say)
    assert closed == [True]
