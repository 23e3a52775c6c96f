"""Scan throughput and detections: ptmvet.scan vs picklescan and modelscan, same files, same run.

    .venv/bin/python bench/bench_scan.py [--size-mb 64] [--repeat 7]

Builds a corpus in a temporary folder (benign PyTorch zip and legacy files,
numpy/sklearn pickles, joblib, and the malicious payload files of the test
suite), scans every file with each tool, and prints per-file detections side
by side, then throughput (MB/s, files/s) and the ratio against each peer.
All tools run in one process on the same file list, warm (imports done and
files in the page cache before timing), in interleaved rounds; each tool's
figure is its best round. Nothing is ever loaded.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
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


def picklescan_verdict(path: Path) -> str:
    from picklescan.scanner import scan_file_path

    r = scan_file_path(str(path))
    if r.infected_files:
        return "dangerous"
    if r.scan_err:
        return "error"
    return "safe" if r.scanned_files else "skipped"


def modelscan_verdict(path: Path) -> str:
    from modelscan.modelscan import ModelScan

    res = ModelScan().scan(str(path))
    issues = res.get("summary", {}).get("total_issues", 0)
    if issues:
        return "dangerous"
    if res.get("errors"):
        return "error"
    skipped = res.get("summary", {}).get("skipped", {}).get("total_skipped", 0)
    scanned = res.get("summary", {}).get("scanned", {}).get("total_scanned", 0)
    return "safe" if scanned else ("skipped" if skipped else "safe")


def timed(tools: dict[str, Callable[[Path], str]], files: list[Path], repeat: int) -> tuple[
    dict[str, float], dict[str, list[float]], dict[str, dict[Path, str]], dict[str, float]
]:
    """Best wall time of a full pass per tool; the tools take turns within each round.

    Round r runs the tools in an order rotated by r, so that no tool always
    comes first (cold caches) or last (a neighbour's job starting): every
    tool sees the same files, warm, in the same conditions. Also returns the
    sum over files of each file's best time, which a busy machine disturbs less
    than whole rounds.
    """
    names = list(tools)
    rounds: dict[str, list[float]] = {n: [] for n in names}
    out: dict[str, dict[Path, str]] = {n: {} for n in names}
    per_file = {n: dict.fromkeys(files, float("inf")) for n in names}
    clock = time.perf_counter
    for r in range(repeat):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn, got, best = tools[name], out[name], per_file[name]
            start = clock()
            for p in files:
                t0 = clock()
                got[p] = fn(p)
                best[p] = min(best[p], clock() - t0)
            rounds[name].append(clock() - start)
    return {n: min(ts) for n, ts in rounds.items()}, rounds, out, {n: sum(b.values()) for n, b in per_file.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = build(d, args.size_mb)
        total = sum(p.stat().st_size for p in files)
        tools = {"ptmvet": ours, "picklescan": picklescan_verdict, "modelscan": modelscan_verdict}
        for fn in tools.values():  # warm imports and the page cache
            for p in files:
                fn(p)
        times, rounds, verdicts, file_best = timed(tools, files, args.repeat)
        print(f"{'file':34} {'ptmvet':10} {'picklescan':11} {'modelscan':10}")
        missed = []
        for p in files:
            row = [verdicts[t][p] for t in tools]
            print(f"{p.relative_to(d)!s:34} {row[0]:10} {row[1]:11} {row[2]:10}")
            if row[1] == "dangerous" and row[0] != "dangerous":
                missed.append(p)
        bad = [p for p in files if p.parent.name == "bad"]
        print()
        for t in tools:
            caught = sum(verdicts[t][p] == "dangerous" for p in bad)
            false_pos = sum(verdicts[t][p] == "dangerous" for p in files if p.parent.name == "good")
            print(f"{t:11} malicious caught {caught}/{len(bad)}   benign flagged {false_pos}")
        print(f"files picklescan calls dangerous that ptmvet misses: {len(missed)} {[p.name for p in missed]}")
        print()
        load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
        print(f"{len(files)} files, {total / 1e6:.1f} MB, best of {args.repeat}; load average {load} on {os.cpu_count()} CPUs")
        for t in tools:
            print(f"{t:11} {times[t]:8.3f} s  {total / 1e6 / times[t]:9.1f} MB/s  {len(files) / times[t]:8.1f} files/s")
        for peer in ("picklescan", "modelscan"):
            per_round = sorted(p / o for p, o in zip(rounds[peer], rounds["ptmvet"], strict=True))
            median = per_round[len(per_round) // 2]
            print(
                f"ratio ptmvet vs {peer + ':':11} {times[peer] / times['ptmvet']:.2f}x faster (best of each), "
                f"per-round median {median:.2f}x, range {per_round[0]:.2f}-{per_round[-1]:.2f}x; "
                f"sum of per-file best {file_best[peer] / file_best['ptmvet']:.2f}x"
            )
        print(f"canary untouched: {not (d / 'CANARY').exists()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
