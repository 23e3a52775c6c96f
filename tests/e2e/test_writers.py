"""Odd input never crashes a writer: missing folders, Ctrl-C, no network, limits, temp files."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ptmvet.atomic import write_atomic
from ptmvet.cli import main
from ptmvet.errors import InputError


def _dump(path: Path, n: int) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i in range(n):
            rec = {"modelId": f"org/model-{i}", "sha": f"{i:040x}", "tags": ["license:mit"], "downloads": i, "siblings": []}
            fh.write(json.dumps(rec) + "\n")
    return path


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    from test_hostile_packages import package

    return package(tmp_path / "tiny")


def test_missing_output_folder_is_the_same_error_everywhere(pkg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-folder"
    dump = _dump(tmp_path / "d.jsonl.gz", 3)
    db = tmp_path / "r.duckdb"
    assert main(["mine", "--from-dump", str(dump), "--db", str(db)]) == 0
    capsys.readouterr()
    commands = [
        ["check", str(pkg), "-o", str(missing / "r.txt")],
        ["gate", str(pkg), "-o", str(missing / "g.json")],
        ["bom", str(pkg), "-o", str(missing / "b.json")],
        ["compare", str(pkg), str(pkg), "-o", str(missing / "c.txt")],
        ["scan", str(pkg), "-o", str(missing / "s.txt")],
        ["manifest", str(pkg), "-o", str(missing / "m.json")],
        ["demo", "-o", str(missing / "d.html")],
        ["mine", "--from-dump", str(dump), "--db", str(missing / "x.duckdb")],
        ["audit", "--db", str(db), "-o", str(missing / "a.json")],
        ["study", "--db", str(db), "--csv", str(missing / "csv")],
        ["study", "--db", str(db), "--html", str(missing / "s.html")],
        ["reproduce", str(pkg), "--claim", "x:accuracy=1", "-o", str(missing / "r.json")],
        # every other command that writes a file, and an audit trail named on the command line
        ["gate", str(pkg), "--log", str(missing / "trail.jsonl")],
        ["gate", str(pkg), "--db", str(missing / "trail.duckdb")],
        ["attest", str(pkg), "--key", str(tmp_path / "k.pem"), "--log", str(missing / "trail.jsonl")],
        ["attest", str(pkg), "--key", str(tmp_path / "k.pem"), "-o", str(missing / "a.json")],
        ["sign", str(pkg), "--key", str(tmp_path / "k.pem"), "-o", str(missing / "model.sig")],
        ["lineage", str(pkg), "--dump", str(dump), "-o", str(missing / "l.txt")],
        ["diff", str(pkg), str(pkg), "-o", str(missing / "d.txt")],
        ["schema", str(pkg), "--data", str(dump), "-o", str(missing / "s.json")],
        ["checks", "list", "-o", str(missing / "c.txt")],
        ["log", "show", "-o", str(missing / "t.txt")],
        ["log", "show", "--log", str(missing / "trail.jsonl")],
    ]
    for argv in commands:
        start = time.monotonic()
        assert main(argv) == 3, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"ptmvet: error: {missing / argv[-1].rsplit('/', 1)[-1]}: folder {missing} does not exist (create the folder first)"], argv
        assert time.monotonic() - start < 5, argv  # refused before any work
    assert not missing.exists()


def test_atomic_writer_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    write_atomic(target, "caf\udce9")  # a lone surrogate is escaped, never a crash
    assert target.read_bytes().decode("utf-8") == "caf\\udce9"

    def boom(*_: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "other.json", "x")
    monkeypatch.setattr(os, "replace", lambda *_: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(InputError, match="No space left"):
        write_atomic(tmp_path / "third.json", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_ctrl_c_during_mine_exits_130_with_the_database_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    from ptmvet.registry import ingest

    real = ingest._write_batch
    calls = {"n": 0}

    def second_batch_interrupted(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "_write_batch", second_batch_interrupted)
    dump = _dump(tmp_path / "d.jsonl.gz", 50)
    db = tmp_path / "r.duckdb"
    assert main(["mine", "--from-dump", str(dump), "--db", str(db), "--batch-size", "20"]) == 130
    assert capsys.readouterr().err.strip() == "ptmvet: error: interrupted"
    con = duckdb.connect(str(db))
    first = con.execute("SELECT count(*) FROM models").fetchall()[0][0]
    con.close()
    assert 0 < first < 50  # the committed batch is there, nothing half-written
    monkeypatch.setattr(ingest, "_write_batch", real)
    assert main(["mine", "--from-dump", str(dump), "--db", str(db), "--batch-size", "20"]) == 0  # resumes
    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*) FROM models").fetchall()[0][0] == 50
    con.close()


def _duckdb_interrupt() -> Exception:
    import duckdb

    return duckdb.InterruptException("INTERRUPT Error: Interrupted!")


@pytest.mark.parametrize("error", [_duckdb_interrupt, lambda: RuntimeError("Query interrupted")], ids=["InterruptException", "at-COMMIT"])
def test_ctrl_c_caught_by_duckdb_exits_130_not_internal_error(
    error: Callable[[], Exception], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DuckDB takes a SIGINT that lands during a query and raises its own error instead of KeyboardInterrupt."""
    import duckdb

    from ptmvet.registry import ingest

    real = ingest._write_batch
    calls = {"n": 0}

    def interrupted_in_duckdb(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise error()
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "_write_batch", interrupted_in_duckdb)
    dump = _dump(tmp_path / "d.jsonl.gz", 50)
    db = tmp_path / "r.duckdb"
    assert main(["mine", "--from-dump", str(dump), "--db", str(db), "--batch-size", "20"]) == 130
    assert capsys.readouterr().err.strip() == "ptmvet: error: interrupted"
    con = duckdb.connect(str(db))
    assert 0 < con.execute("SELECT count(*) FROM models").fetchall()[0][0] < 50
    con.close()
    # a RuntimeError of ptmvet's own is still a bug, reported as one
    monkeypatch.setattr(ingest, "_write_batch", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("something else")))
    assert main(["mine", "--from-dump", str(dump), "--db", str(db), "--batch-size", "20"]) == 70
    assert "internal error: RuntimeError: something else" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_real_sigint_during_mine_exits_130_with_the_database_readable(tmp_path: Path) -> None:
    """A real Ctrl-C, which lands inside a DuckDB query more often than not."""
    import duckdb

    dump = _dump(tmp_path / "d.jsonl.gz", 60_000)
    db = tmp_path / "r.duckdb"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    argv = [sys.executable, "-m", "ptmvet", "mine", "--from-dump", str(dump), "--db", str(db), "--batch-size", "2000"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while not db.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # into the batches
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("mining finished before the signal arrived")
    # Now and then CPython itself ends the process by SIGINT after ptmvet returned 130 (a
    # KeyboardInterrupt raised inside the DuckDB extension marks it for that); a shell reports
    # both as $? = 130 (128 + SIGINT). Never "internal error", never a traceback.
    assert proc.returncode in (130, -signal.SIGINT), err
    assert err.strip().splitlines() == ["ptmvet: error: interrupted"], err
    con = duckdb.connect(str(db))
    n = con.execute("SELECT count(*) FROM models").fetchall()[0][0]
    con.close()
    assert 0 <= n < 60_000


def test_ctrl_c_during_audit_and_reproduce_exits_130(pkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from ptmvet.evaluate import runner
    from ptmvet.registry import engines

    def interrupted(*_: Any, **__: Any) -> Any:
        raise KeyboardInterrupt

    dump = _dump(tmp_path / "d.jsonl.gz", 5)
    db = tmp_path / "r.duckdb"
    assert main(["mine", "--from-dump", str(dump), "--db", str(db)]) == 0
    monkeypatch.setattr(engines, "run_audit", interrupted)
    monkeypatch.setattr(runner, "reproduce", interrupted)
    capsys.readouterr()
    assert main(["audit", "--db", str(db)]) == 130
    assert main(["reproduce", str(pkg), "--claim", "x:accuracy=1"]) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["ptmvet: error: interrupted"] * 2
    import duckdb

    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*) FROM models").fetchall()[0][0] == 5
    con.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_while_starting_exits_130_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ptmvet", "checks", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the command finished before the signal arrived")
    if "Traceback" in err and f"{os.sep}ptmvet{os.sep}" not in err:
        # Under load the signal can land while the interpreter itself starts (site, .pth
        # files), before any ptmvet code runs: nothing ptmvet can catch.
        pytest.skip("the signal arrived before ptmvet started")
    # A process ended by SIGINT itself (returncode -SIGINT) is as correct a Ctrl-C outcome as
    # exit status 130: a shell reports both as $? = 130. Never a traceback, never "internal error".
    assert proc.returncode in (130, -signal.SIGINT), err
    assert "Traceback" not in err
    assert "internal error" not in err


@pytest.mark.parametrize("argv", [["lineage", "org/model"], ["mine", "--from-hub", "--limit", "3"]])
def test_no_network_exits_3_fast_with_one_line_and_no_database(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from huggingface_hub import constants

    db = tmp_path / "hub.duckdb"
    if argv[0] == "mine":
        argv = [*argv, "--db", str(db)]
    # Port 9 (discard) on loopback is closed: the connection is refused at once, as with no network.
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    start = time.monotonic()
    assert main(argv) == 3
    assert time.monotonic() - start < 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs the Hub, and 127.0.0.1 cannot be reached" in err[0], err
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(argv) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "offline mode is on" in err[0], err
    assert not db.exists()


#: Modules a command without a network has no use for: importing them took seconds on a loaded machine.
HEAVY = ("ptmvet.checks", "ptmvet.report", "ptmvet.pipeline", "ptmvet.evidence", "ptmvet.licenses.lineage", "ptmvet.registry.store", "duckdb", "torch")


@pytest.mark.parametrize("argv", [["lineage", "org/model"], ["mine", "--from-hub", "--db", "never.duckdb"]])
def test_no_network_fails_before_importing_the_heavy_modules(argv: list[str], tmp_path: Path) -> None:
    """A bound on the work done before the Hub probe that does not depend on the machine's speed."""
    script = (
        "import sys\nfrom ptmvet.cli import main\n"
        f"rc = main({argv!r})\n"
        f"print(rc, sorted(m for m in sys.modules if m.split('.')[0] in {{'duckdb', 'torch'}} or m in {HEAVY!r}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env.update(PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"), HF_ENDPOINT="http://127.0.0.1:9")
    proc = subprocess.run([sys.executable, "-c", script], check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "3 []", (proc.stdout, proc.stderr)
    assert "cannot be reached" in proc.stderr
    assert not (tmp_path / "never.duckdb").exists()


def test_the_hub_probe_does_not_wait_for_a_hanging_name_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name server that never answers: getaddrinfo has no timeout of its own (10 s and more)."""
    import socket
    import threading

    from huggingface_hub import constants

    from ptmvet.errors import HubError
    from ptmvet.sources import reach

    released = threading.Event()

    def hang(*args: Any, **kwargs: Any) -> Any:
        released.wait(60)
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    monkeypatch.setattr(constants, "ENDPOINT", "https://hub.invalid")
    monkeypatch.setattr(reach, "PROBE_TIMEOUT_S", 0.2)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    start = time.monotonic()
    try:
        with pytest.raises(HubError, match=r"hub\.invalid cannot be reached \(no answer to the name look-up within 0\.2 s\)"):
            reach.require_hub("lineage")
        # 60 s if the probe waited for the look-up; the margin is for a loaded machine
        assert time.monotonic() - start < 30
    finally:
        released.set()


def test_mine_limit_is_honoured_for_dumps(tmp_path: Path) -> None:
    import duckdb

    dump = _dump(tmp_path / "d.jsonl.gz", 40)
    for limit, batch in ((7, "4"), (25, "10"), (100, "8")):
        db = tmp_path / f"l{limit}.duckdb"
        assert main(["mine", "--from-dump", str(dump), "--db", str(db), "--limit", str(limit), "--batch-size", batch]) == 0
        con = duckdb.connect(str(db))
        assert con.execute("SELECT count(*) FROM models").fetchall()[0][0] == min(limit, 40)
        con.close()
