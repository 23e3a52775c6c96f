"""A mining run killed with SIGKILL and started again ends like an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from registry_helpers import CARD_WITH_CLAIMS, lines_of, record, snapshot, write_cards_tar, write_jsonl_gz

from ptmvet.registry.ingest import mine_dump
from ptmvet.registry.store import open_store

# The child reports each committed batch on stdout, so the parent can kill it mid-run.
CHILD = """
import sys, time
from pathlib import Path
from ptmvet.registry.ingest import mine_dump
from ptmvet.registry.store import open_store

def progress(done, total, label):
    print("batch", done, flush=True)
    time.sleep(0.05)

with open_store(sys.argv[1]) as s:
    mine_dump(s, [Path(sys.argv[2])], cards=[Path(sys.argv[3])], batch_size=200, progress=progress)
print("finished", flush=True)
"""


def test_sigkill_then_restart_equals_clean_run(tmp_path: Path) -> None:
    recs = [record(i) for i in range(3000)]
    lines = lines_of(recs)
    lines[1234] = "{broken"
    dump = write_jsonl_gz(tmp_path / "big.jsonl.gz", lines)
    cards = write_cards_tar(tmp_path / "cards.tar.gz", {f"org{i % 9}/model-{i}": CARD_WITH_CLAIMS for i in range(0, 3000, 3)})

    clean_db = tmp_path / "clean.duckdb"
    with open_store(clean_db) as s:
        mine_dump(s, [dump], cards=[cards], batch_size=200)
        clean = snapshot(s)

    db = tmp_path / "killed.duckdb"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(dump), str(cards)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:
        if line.startswith("batch"):
            seen += 1
            if seen == 6:  # mid-way through the listing
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    left = list(tmp_path.glob(".killed.duckdb.ingest-*"))  # the killed run's block files
    assert len(left) == 1 and left[0].is_dir()
    with open_store(db) as s:
        status, = s.con.execute("SELECT status FROM runs").fetchall()[0]
        position = s.con.execute("SELECT max(position) FROM cursors").fetchall()[0][0]
        assert status == "running" and 0 < position < 3000
        partial = s.count("models")
        assert 0 < partial < 3000
        stats = mine_dump(s, [dump], cards=[cards], batch_size=200)
        assert stats.resumed
        assert s.con.execute("SELECT count(*), min(status) FROM runs").fetchall()[0] == (1, "done")
        resumed = snapshot(s)

    assert not list(tmp_path.glob(".*.ingest-*"))  # the restart removed them; clean runs leave none
    assert resumed == clean
    assert len(clean["models"]) == 2999 and len(clean["ingest_errors"]) == 1
    assert clean["ingest_errors"][0][2] == "big.jsonl.gz:1235"
