"""Scan throughput and detections: ptmvet.scan vs picklescan and modelaudit, same files, same run.

    .venv/bin/python bench/bench_scan.py [--size-mb 64] [--repeat 5] [--peer-python /tmp/peervenv/bin/python]

The peers run in their own venv (pip install picklescan==1.0.5 modelaudit==0.2.54 there), through
bench/_peer_driver.py, timed warm, best of --repeat passes; ptmvet likewise in this process. Also times the
verdict on a 50 MB padded pickle with os.system at the end.

Builds a corpus in a temporary folder (benign PyTorch zip and legacy files,
numpy/sklearn pickles, joblib, and the malicious payload files of the test
suite), scans every file with each tool, and prints per-file detections side
by side, then throughput (MB/s) and the ratio against each peer. Every tool
scans the same file list, warm (imports done and files in the page cache
before timing); each figure is the tool's best pass. Nothing is ever loaded.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def build(d: Path, size_mb: int) -> list[Path]:
    import torch
    from tests.scan.corpus_build import build_benign, build_malicious

    (d / "bad").mkdir()
    (d / "good").mkdir()
    build_malicious(d / "bad", d / "CANARY")
    build_benign(d / "good")
    # larger, realistic weights: a stack of linear layers as a state dict
    n = max(1, size_mb // 4)
    sd = {f"layer{i}.weight": torch.randn(1024, 1024) for i in range(n)}
    torch.save(sd, d / "good" / "big_zip.bin")
    torch.save(sd, d / "good" / "big_legacy.bin", _use_new_zipfile_serialization=False)
    return sorted(p for p in d.rglob("*") if p.is_file() and p.name != "CANARY")


def ours(path: Path) -> str:
    from ptmvet.scan import scan_file

    return scan_file(path).verdict.value


def peer_run(python: str, tool: str, files: list[Path], repeat: int) -> dict[str, object]:
    """A peer's verdicts and best-of-``repeat`` time over ``files``, run in its own venv (bench/_peer_driver.py)."""
    proc = subprocess.run(
        [python, str(ROOT / "bench" / "_peer_driver.py"), tool, str(repeat)],
        input=json.dumps([str(p) for p in files]),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"tool": tool, "version": "unavailable", "seconds": float("nan"), "verdicts": {}, "error": proc.stderr[-300:]}
    return json.loads(proc.stdout)


def padded_pickle(d: Path, mb: int) -> Path:
    """A pickle padded with ``mb`` MB of no-op opcodes, os.system at the end (written by hand, never loaded)."""
    p = d / "padded.pkl"
    with p.open("wb") as f:
        f.write(b"\x80\x04")
        chunk = b"N0" * (1 << 19)
        for _ in range(mb):
            f.write(chunk)
        f.write(b"cos\nsystem\n(Vecho pwned\ntR.")
    return p


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--peer-python", default="/tmp/peervenv/bin/python", help="interpreter of a venv with the peers")
    ap.add_argument("--padded-mb", type=int, default=50)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = build(d, args.size_mb)
        total = sum(p.stat().st_size for p in files)
        mine = {p: ours(p) for p in files}  # warm imports and the page cache
        best = float("inf")
        per_file = dict.fromkeys(files, float("inf"))
        clock = time.perf_counter
        peers: dict[str, dict[str, object]] = {}
        # ptmvet and picklescan take turns, so that both see the same machine load
        for _ in range(args.repeat):
            t0 = clock()
            for p in files:
                t1 = clock()
                ours(p)
                per_file[p] = min(per_file[p], clock() - t1)
            best = min(best, clock() - t0)
            got = peer_run(args.peer_python, "picklescan", files, 2)
            prev = peers.get("picklescan")
            if prev is None:
                peers["picklescan"] = got
            elif got["verdicts"]:
                prev["seconds"] = min(float(prev["seconds"]), float(got["seconds"]))  # type: ignore[arg-type]
                prev["file_best"] = min(float(prev["file_best"]), float(got["file_best"]))  # type: ignore[arg-type]
        mine_file_best = sum(per_file.values())
        peers["modelaudit"] = peer_run(args.peer_python, "modelaudit", files, 1)  # ~100 s a pass: once
        print(f"{'file':34} {'ptmvet':10} {'picklescan':11} {'modelaudit':10}")
        for p in files:
            row = [mine[p]] + [str(peers[t]["verdicts"].get(str(p), "-"))[:10] for t in peers]  # type: ignore[union-attr]
            print(f"{p.relative_to(d)!s:34} {row[0]:10} {row[1]:11} {row[2]:10}")
        bad = [p for p in files if p.parent.name == "bad"]
        good = [p for p in files if p.parent.name == "good"]
        print()
        print(f"{'ptmvet':11} malicious caught {sum(mine[p] in ('dangerous', 'malformed', 'unknown') for p in bad)}/{len(bad)}"
              f"   benign flagged {sum(mine[p] != 'safe' for p in good)}")
        for t, res in peers.items():
            v = res["verdicts"]
            assert isinstance(v, dict)
            if not v:
                print(f"{t:11} unavailable ({str(res.get('error', ''))[-120:]})")
                continue
            print(f"{t:11} malicious caught {sum(v.get(str(p)) != 'clean' for p in bad)}/{len(bad)}"
                  f"   benign flagged {sum(v.get(str(p)) != 'clean' for p in good)}")
        print()
        load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
        print(f"{len(files)} files, {total / 1e6:.1f} MB, best of {args.repeat}; load average {load} on {os.cpu_count()} CPUs")
        print(f"{'ptmvet':11} {best:8.3f} s  {total / 1e6 / best:9.1f} MB/s")
        for t, res in peers.items():
            sec = float(res["seconds"])  # type: ignore[arg-type]
            fb = float(res.get("file_best", float("nan")))  # type: ignore[arg-type]
            print(
                f"{t:11} {sec:8.3f} s  {total / 1e6 / sec:9.1f} MB/s   ratio ptmvet vs {t} {res['version']}: "
                f"{sec / best:.2f}x faster (best pass), {fb / mine_file_best:.2f}x (sum of per-file best)"
            )
        pad = padded_pickle(d, args.padded_mb)
        t0 = time.perf_counter()
        r = ours(pad)
        print(f"{args.padded_mb} MB padded pickle (os.system at the end): ptmvet verdict {r} in {time.perf_counter() - t0:.2f} s")
        print(f"canary untouched: {not (d / 'CANARY').exists()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
