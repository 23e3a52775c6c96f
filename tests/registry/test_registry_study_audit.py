"""Study tables and outputs, audits on both engines, the commands, and Hub mining (mocked)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import huggingface_hub
import huggingface_hub.constants as hf_constants
import pytest
from registry_helpers import CARD_WITH_CLAIMS, lines_of, record, write_cards_tar, write_jsonl_gz

from ptmvet.cli import main
from ptmvet.formats.study import render_html
from ptmvet.registry.engines import audit_digest, run_audit
from ptmvet.registry.hub import mine_hub
from ptmvet.registry.ingest import mine_dump
from ptmvet.registry.store import open_store
from ptmvet.registry.study import compute_study, write_parquet

CHECKS = "registry_fake_checks:CHECKS"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    recs = [record(i) for i in range(60)]
    recs[1]["pipeline_tag"] = "<script>alert(1)</script>"
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of(recs))
    cards = write_cards_tar(tmp_path / "c.tar.gz", {"org0/model-0": CARD_WITH_CLAIMS, "org2/model-2": "# Hi\n"})
    path = tmp_path / "r.duckdb"
    with open_store(path) as s:
        mine_dump(s, [dump], cards=[cards])
        s.con.execute("INSERT INTO git_repos VALUES ('org0/model-0', 'x', true, 'a', 1, NULL, 1), ('org1/model-1', 'y', true, 'b', 1, NULL, 1)")
        s.con.execute(
            "INSERT INTO commits (model_id, sha, signed, signature_kind, signer_key, verification) "
            "VALUES ('org0/model-0', 'a', true, 'gpg', 'ABCD', 'E'), ('org1/model-1', 'b', false, 'none', '', 'N')"
        )
    return path


def test_study_tables(db: Path) -> None:
    with open_store(db, read_only=True) as s:
        study = compute_study(s)
    every = {r[0]: r[1:] for r in study.table("claims_by_pipeline_all").rows}
    # record(i): pipeline tag by i % 4, model-index tag when i % 7 == 0; model-0's card has a
    # model-index whose metric has no name, which the paper's rule does not count.
    tc = [i for i in range(60) if i % 4 == 0]
    assert every["text-classification"][0] == len(tc)
    assert every["text-classification"][1] == 0
    assert every["text-classification"][3] == len([i for i in tc if i % 7 == 0])
    assert every["(no tag)"][0] == len([i for i in range(60) if i % 4 == 2])
    fig7 = {r[0]: r[1:] for r in study.table("claims_by_pipeline").rows}
    assert list(fig7) == ["other"] and fig7["other"][:3] == (60, 0, 0.0)  # every tag under 0.1%: all grouped
    cov = study.table("dataset_tag_coverage").rows[0]
    assert cov[1] == len([i for i in range(60) if i % 3 == 0])
    assert study.table("signed_commits").rows[0][:3] == (2, 1, 0.5)
    presence = study.table("card_presence").rows[0]
    assert presence[:3] == (60, 2, 0)
    pop = dict((r[0], r[3]) for r in study.table("popularity").rows)
    total = sum(i * 10 for i in range(60))
    assert pop["top 10"] == round(sum(i * 10 for i in range(50, 60)) / total, 4)
    lic = dict((r[0], r[1]) for r in study.table("licences").rows)
    assert lic == {"mit": 30, "apache-2.0": 30}
    page = render_html(study)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<svg" in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_study_command_writes_csv_parquet_html(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()  # every command refuses an output in a missing folder; the CSV/Parquet folders themselves are made
    rc = main(["study", "--db", str(db), "--csv", str(out / "csv"), "--parquet", str(out / "pq"), "--html", str(out / "s.html")])
    assert rc == 0
    assert "machine-readable performance claims" in capsys.readouterr().out
    with (out / "csv" / "claims_by_pipeline.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["pipeline_tag", "models", "with_claims", "share"] and "paper_share" in rows[0]
    import pyarrow.parquet as pq

    assert pq.read_table(out / "pq" / "licences.parquet").num_rows == 2
    assert (out / "s.html").read_text().startswith("<!DOCTYPE html>")
    with open_store(db, read_only=True) as s:
        assert len(write_parquet(compute_study(s), out / "pq2")) == len(compute_study(s).tables)


def test_audit_local_pool_matches_serial_and_is_incremental(db: Path, tmp_path: Path) -> None:
    with open_store(db) as s:
        serial = run_audit(s, workers=1, checks=CHECKS, batch_size=7)
        pooled = run_audit(s, workers=2, checks=CHECKS, batch_size=7, rerun=True)
        assert serial.models == pooled.models == 60
        assert audit_digest(s, serial.run_id) == audit_digest(s, pooled.run_id)
        again = run_audit(s, workers=2, checks=CHECKS)
        assert again.models == 0  # nothing changed since
        rows = dict(s.con.execute(
            "SELECT outcome, count(*) FROM check_results WHERE run_id = ? AND check_id = 'VET992' GROUP BY 1",
            [serial.run_id],
        ).fetchall())
        assert rows == {"pass": 1, "fail": 1, "skipped": 58}
        score = s.con.execute(
            "SELECT score FROM scores WHERE run_id = ? AND model_id = 'org0/model-0' AND attribute = 'claims'",
            [serial.run_id],
        ).fetchall()[0][0]
        # The fake checks are not ptmvet's: every registered check was left out, and weighs as a
        # skipped miss, so the one passing claims check no longer scores 10/10.
        claims_rows = s.con.execute(
            "SELECT outcome, count(*) FROM check_results WHERE run_id = ? AND model_id = 'org0/model-0' "
            "AND attribute = 'claims' GROUP BY 1", [serial.run_id],
        ).fetchall()
        assert dict(claims_rows)["skipped"] >= 1 and score < 10.0
        assert serial.not_vetted and "checks ran (--checks" in serial.not_vetted[0]


@pytest.mark.slow
def test_audit_on_ray_matches_local(db: Path) -> None:
    ray = pytest.importorskip("ray")
    with open_store(db) as s:
        local = run_audit(s, workers=2, checks=CHECKS, batch_size=10)
        # The engine starts a local Ray (num_cpus=2, no dashboard) and shuts it down.
        on_ray = run_audit(s, engine="ray", workers=2, checks=CHECKS, batch_size=10, rerun=True)
        assert not ray.is_initialized()
        assert on_ray.models == local.models == 60
        assert audit_digest(s, on_ray.run_id) == audit_digest(s, local.run_id)


def test_mine_and_audit_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [*lines_of([record(i) for i in range(5)]), "nope"]
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines)
    db = tmp_path / "r.duckdb"
    assert main(["mine", "--from-dump", str(dump), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "5 new" in err and "d.jsonl.gz:6" in err
    assert main(["audit", "--db", str(db), "--workers", "1", "--checks", CHECKS]) == 0
    assert "5 models" in capsys.readouterr().err
    assert main(["study", "--db", str(tmp_path / "missing.duckdb")]) == 3
    assert main(["audit", "--db", str(tmp_path / "missing.duckdb")]) == 3
    assert not (tmp_path / "missing.duckdb").exists()


# -- Hub (mocked HTTP) -------------------------------------------------------------

PAGES = [[record(i, id=f"org{i % 9}/model-{i}") for i in range(p * 3, p * 3 + 3)] for p in range(3)]


def _handler(request: httpx2.Request) -> httpx2.Response:
    assert request.url.path == "/api/models"
    page = int(request.url.params.get("page", "0"))
    assert "siblings" in request.url.params.get_list("expand")
    headers = {}
    if page + 1 < len(PAGES):
        headers["Link"] = f'<https://huggingface.co/api/models?page={page + 1}&expand=siblings>; rel="next"'
    return httpx2.Response(200, json=PAGES[page], headers=headers)


@pytest.fixture
def mock_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    huggingface_hub.set_client_factory(lambda: httpx2.Client(transport=httpx2.MockTransport(_handler)))
    yield
    huggingface_hub.set_client_factory(httpx2.Client)  # type: ignore[arg-type]


def test_mine_from_hub_pages_and_limit(mock_hub: None, tmp_path: Path) -> None:
    with open_store(tmp_path / "h.duckdb") as s:
        stats = mine_hub(s, batch_size=2)
        assert stats.models_new == 9
        assert s.count("files") == 18
        row = s.con.execute("SELECT sha, pipeline_tag FROM models WHERE model_id = 'org4/model-4'").fetchall()[0]
        assert row == (f"{4:040x}", "text-classification")
        cursor = s.con.execute("SELECT position, last_key FROM cursors").fetchall()[0]
        assert cursor == (9, "hub:org8/model-8")
        limited = mine_hub(s, limit=4)
        assert limited.records == 4 and limited.models_changed == 0
        assert json.loads(s.con.execute("SELECT params FROM runs WHERE run_id = 2").fetchall()[0][0])["limit"] == 4
