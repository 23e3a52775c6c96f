"""Ingest + study of a registry listing vs DuckDB's own read_json of the same file (the floor).

    .venv/bin/python bench/bench_mine.py [LISTING.jsonl.gz] [--rounds N]

Each side runs in its own child process, which reports its wall time (opening
the database to closing it, the study included) and peak RSS (resource.getrusage
ru_maxrss), on a fresh database file each time. The sides alternate for N rounds
(default 5; which side goes first alternates too), so that both see the same
machine load. The headline is the median of the rounds' own ratios (wall and CPU
time); each round's ratio, each side's median and best, and the load average
(the higher of the round's start and end) are printed too. Default listing: the
760,000-model Hub listing of July 2024 in ../shared/corpora. Targets: ratio <= 1.5x,
peak < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "hf-hub-models-2024-07" / "hf_models_list_2024-07.jsonl.gz"

FLOOR = """
import json, resource, sys, time, duckdb
t = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE t AS SELECT * FROM read_json(?, format='newline_delimited')", [sys.argv[1]])
n = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
con.close()
print(json.dumps({"seconds": time.perf_counter() - t, "rows": n, "cpu_seconds": time.process_time(),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

OURS = """
import json, resource, sys, time
from pathlib import Path
from ptmvet.registry.ingest import mine_dump
from ptmvet.registry.store import open_store
from ptmvet.registry.study import compute_study
t = time.perf_counter()
with open_store(sys.argv[2]) as s:
    stats = mine_dump(s, [Path(sys.argv[1])])
    t_ingest = time.perf_counter() - t
    study = compute_study(s)
    t_study = time.perf_counter() - t - t_ingest
print(json.dumps({"seconds": time.perf_counter() - t, "ingest_seconds": t_ingest, "study_seconds": t_study,
                  "rows": stats.records,
                  "errors": stats.errors, "tables": len(study.tables), "cpu_seconds": time.process_time(),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, listing: Path, db: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, str(listing), str(db)], capture_output=True, text=True, check=True)
    # The last JSON line (DuckDB may draw a progress bar on stdout before it).
    text = out.stdout
    return dict(json.loads(text[text.rindex('{"seconds"') :].strip()))


def _size_mb(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("listing", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    listing: Path = args.listing
    if not listing.is_file():
        print(f"no listing at {listing}", file=sys.stderr)
        return 2
    print(f"listing: {listing} ({listing.stat().st_size / 1e6:.1f} MB gz), {os.cpu_count()} CPUs")
    floors: list[dict[str, float]] = []
    ours: list[dict[str, float]] = []
    loads: list[float] = []
    for n in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as tmp:
            load = os.getloadavg()[0]
            sides = [("floor", FLOOR), ("ours", OURS)]
            if n % 2 == 0:  # alternate which side goes first
                sides.reverse()
            got = {}
            for name, code in sides:
                got[name] = child(code, listing, Path(tmp) / f"{name}.duckdb")
                got[name]["db_mb"] = _size_mb(Path(tmp) / f"{name}.duckdb")
            f, o = got["floor"], got["ours"]
            load = max(load, os.getloadavg()[0])
        loads.append(load)
        floors.append(f)
        ours.append(o)
        print(
            f"round {n} (load {load:.1f}): floor {f['seconds']:.2f} s, ours {o['seconds']:.2f} s "
            f"(ingest {o['ingest_seconds']:.2f} s, study {o['study_seconds']:.2f} s), "
            f"ratio {o['seconds'] / f['seconds']:.2f}x; CPU {f['cpu_seconds']:.1f} s vs {o['cpu_seconds']:.1f} s, "
            f"ratio {o['cpu_seconds'] / f['cpu_seconds']:.2f}x"
        )
    med = statistics.median
    per_round = [o["seconds"] / f["seconds"] for f, o in zip(floors, ours, strict=True)]
    per_round_cpu = [o["cpu_seconds"] / f["cpu_seconds"] for f, o in zip(floors, ours, strict=True)]
    peak = max(r["peak_rss_mb"] for r in ours)
    print(
        f"floor  duckdb read_json -> table: median {med(r['seconds'] for r in floors):.2f} s "
        f"(best {min(r['seconds'] for r in floors):.2f} s), {floors[0]['rows']:,.0f} rows, "
        f"peak RSS {max(r['peak_rss_mb'] for r in floors):.0f} MB, file {floors[0]['db_mb']:.0f} MB"
    )
    print(
        f"ptmvet mine + study:             median {med(r['seconds'] for r in ours):.2f} s "
        f"(best {min(r['seconds'] for r in ours):.2f} s; ingest {med(r['ingest_seconds'] for r in ours):.2f} s, "
        f"study {med(r['study_seconds'] for r in ours):.2f} s), {ours[0]['rows']:,.0f} models, "
        f"{ours[0]['errors']:.0f} malformed, peak RSS {peak:.0f} MB, file {ours[0]['db_mb']:.0f} MB"
    )
    print(
        f"CPU time (user + system, all threads; less sensitive to other load): median "
        f"{med(r['cpu_seconds'] for r in floors):.1f} s vs {med(r['cpu_seconds'] for r in ours):.1f} s; "
        f"per-round ratios {', '.join(f'{x:.2f}' for x in per_round_cpu)}, median {med(per_round_cpu):.2f}x"
    )
    print(f"load average during the rounds: {', '.join(f'{x:.1f}' for x in loads)} (on {os.cpu_count()} CPUs)")
    # The headline is the median of the rounds' own ratios: both sides of a round ran
    # back to back under the same load; best against best would pair different rounds.
    print(
        f"ratio vs floor, median of {args.rounds} rounds: {med(per_round):.2f}x wall (target <= 1.5x; "
        f"per round {', '.join(f'{x:.2f}' for x in per_round)}, worst {max(per_round):.2f}x), "
        f"{med(per_round_cpu):.2f}x CPU; peak memory {peak:.0f} MB (target < 1024 MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
