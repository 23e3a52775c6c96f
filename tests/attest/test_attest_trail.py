"""The audit trail: hash-chained records; edits, deletions and cut-offs are detected."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ptmvet.cli import main
from ptmvet.trail import TrailBroken, TrailRecord, append, default_log_path, read, verify


def _rec(model: str = "org/a", verdict: str = "pass", stage: str | None = "pilot") -> TrailRecord:
    return TrailRecord.new(command="gate", model=model, repo_id=model, verdict=verdict, policy="team", policy_digest="ab" * 32, stage=stage)


def _three(log: Path) -> list[TrailRecord]:
    return [append(_rec(m, v), path=log) for m, v in (("org/a", "pass"), ("org/b", "fail"), ("org/a", "pass"))]


def test_records_chain_and_verify(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    recs = _three(log)
    assert [r.seq for r in recs] == [1, 2, 3] and recs[1].prev == recs[0].hash and recs[2].prev == recs[1].hash
    v = verify(path=log)
    assert v.count == 3 and v.head == recs[-1].hash
    assert verify(path=log, expect_head=recs[-1].hash[:16]).count == 3
    with pytest.raises(TrailBroken, match="not the expected"):
        verify(path=log, expect_head=recs[0].hash)


def test_edited_record_is_detected(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    _three(log)
    lines = log.read_text().splitlines()
    data = json.loads(lines[1])
    data["verdict"] = "pass"  # someone turns a fail into a pass
    lines[1] = json.dumps(data, sort_keys=True)
    log.write_text("\n".join(lines) + "\n")
    with pytest.raises(TrailBroken, match=r"record 2 \(line 2\) was edited") as info:
        verify(path=log)
    assert info.value.index == 2 and info.value.exit_code == 4


def test_edited_record_with_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    from ptmvet.trail import digest_of

    log = tmp_path / "audit.jsonl"
    _three(log)
    lines = log.read_text().splitlines()
    rec = TrailRecord.from_dict(json.loads(lines[1]))
    forged = TrailRecord.from_dict({**rec.to_dict(), "verdict": "pass"})
    data = {**forged.body(), "hash": digest_of(forged.body())}
    lines[1] = json.dumps(data, sort_keys=True)
    log.write_text("\n".join(lines) + "\n")
    with pytest.raises(TrailBroken, match=r"record 3 .* does not link"):
        verify(path=log)


@pytest.mark.parametrize(("drop", "match"), [(0, "sequence number 2"), (1, "sequence number 3"), (2, "head says 3")])
def test_deleted_record_is_detected(tmp_path: Path, drop: int, match: str) -> None:
    log = tmp_path / "audit.jsonl"
    _three(log)
    lines = log.read_text().splitlines()
    del lines[drop]
    log.write_text("\n".join(lines) + "\n")
    with pytest.raises(TrailBroken, match=match):
        verify(path=log)


def test_missing_head_is_detected_and_appending_continues_the_chain(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    recs = _three(log)
    log.with_name("audit.jsonl.head").unlink()
    with pytest.raises(TrailBroken, match="head is missing"):
        verify(path=log)
    fourth = append(_rec(), path=log)
    assert fourth.seq == 4 and fourth.prev == recs[-1].hash
    assert verify(path=log).count == 4


def test_read_filters_by_model_and_date(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    _three(log)
    assert [r.seq for r in read(path=log, model="org/a")] == [1, 3]
    assert read(path=log, since=date(2999, 1, 1)) == []
    assert len(read(path=log, since=date(2000, 1, 1))) == 3
    assert read(path=tmp_path / "none.jsonl") == []


def test_duckdb_table_chains_and_detects_edits(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    db = tmp_path / "trail.duckdb"
    for m in ("org/a", "org/b"):
        append(_rec(m), db=db)
    assert verify(db=db).count == 2 and [r.model for r in read(db=db, model="org/b")] == ["org/b"]
    con = duckdb.connect(str(db))
    row = con.execute("SELECT record FROM ptmvet_audit_log WHERE seq = 1").fetchone()[0]
    con.execute("UPDATE ptmvet_audit_log SET record = ? WHERE seq = 1", [row.replace('"pass"', '"fail"')])
    con.close()
    with pytest.raises(TrailBroken, match="record 1 was edited"):
        verify(db=db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE ptmvet_audit_log SET record = ? WHERE seq = 1", [row])
    con.execute("DELETE FROM ptmvet_audit_log WHERE seq = 2")
    con.close()
    with pytest.raises(TrailBroken, match="head says 2"):
        verify(db=db)


def test_default_location_is_the_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_log_path() == tmp_path / "state" / "ptmvet" / "audit.jsonl"
    monkeypatch.setenv("PTMVET_AUDIT_LOG", str(tmp_path / "ci.jsonl"))
    assert default_log_path() == tmp_path / "ci.jsonl"


def test_log_cli_show_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "audit.jsonl"
    _three(log)
    assert main(["log", "show", "--log", str(log), "--model", "org/b", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [r["seq"] for r in shown["records"]] == [2] and shown["records"][0]["verdict"] == "fail"
    assert main(["log", "show", "--log", str(log)]) == 0
    assert "org/b" in capsys.readouterr().out
    assert main(["log", "verify", "--log", str(log)]) == 0
    assert "3 record(s)" in capsys.readouterr().out
    log.write_text(log.read_text().replace('"fail"', '"pass"'))
    assert main(["log", "verify", "--log", str(log), "--format", "json"]) == 4
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["record"] == 2
    log.write_bytes(b"\xff\xfe")
    assert main(["log", "verify", "--log", str(log)]) == 4  # not UTF-8: not what ptmvet wrote
