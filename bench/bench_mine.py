"""Ingest + study of a registry listing vs DuckDB's own read_json of the same file (the floor).

    .venv/bin/python bench/bench_mine.py [LISTING.jsonl.gz]

Each side runs in its own child process, which reports its wall time and peak
RSS (resource.getrusage ru_maxrss). Default listing: the 760,000-model Hub
listing of July 2024 in ../shared/corpora. Targets: ratio <= 2x, peak < 2 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "hf-hub-models-2024-07" / "hf_models_list_2024-07.jsonl.gz"

FLOOR = """
import json, resource, sys, time, duckdb
t = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_json(?, format='newline_delimited')", [sys.argv[1]])
n = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
con.close()
print(json.dumps({"seconds": time.perf_counter() - t, "rows": n,
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
print(json.dumps({"seconds": time.perf_counter() - t, "ingest_seconds": t_ingest, "rows": stats.records,
                  "errors": stats.errors, "tables": len(study.tables),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, listing: Path, db: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, str(listing), str(db)], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    listing = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not listing.is_file():
        print(f"no listing at {listing}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        floor = child(FLOOR, listing, Path(tmp) / "floor.duckdb")
        ours = child(OURS, listing, Path(tmp) / "ours.duckdb")
    print(f"listing: {listing} ({listing.stat().st_size / 1e6:.1f} MB gz)")
    print(f"floor  duckdb read_json -> table: {floor['seconds']:.2f} s, {floor['rows']:,.0f} rows, peak RSS {floor['peak_rss_mb']:.0f} MB")
    print(
        f"ptmvet mine + study:             {ours['seconds']:.2f} s (ingest {ours['ingest_seconds']:.2f} s), "
        f"{ours['rows']:,.0f} models, {ours['errors']:.0f} malformed, peak RSS {ours['peak_rss_mb']:.0f} MB"
    )
    ratio = ours["seconds"] / floor["seconds"]
    print(f"ratio vs floor: {ratio:.2f}x (target <= 2x); peak memory {ours['peak_rss_mb']:.0f} MB (target < 2048 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
