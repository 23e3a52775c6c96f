"""Vet every real card of the Feb-2022 dump as a card-only package, and one 5 MB card.

Each of the 16,590 ``README.md`` files is written (before the clock starts)
into a folder of its own, and each folder is vetted by the public library call
``ptmvet.vet(folder, VetOptions(offline=True, hash_files=False, deep_scan=False))``,
which is what ``ptmvet check DIR --no-hash --no-scan --offline`` runs before it
renders: the folder is read, the card parsed (once), every enricher and check
runs, and the report and its verdict under the default policy are built.
Folders are split over ``--workers`` processes (2 by default: the target
machine has 2 cores). The 5 MB card goes through the same call.

Peer, measured in the same run: ``huggingface_hub.ModelCard(text)`` over the
same cards (parsing only), to put the per-card cost of a full vet next to the
cost of merely reading the card with the Hub library.

    .venv/bin/python bench/bench_card_vet.py [--limit N] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TARBALL = ROOT.parent / "shared" / "corpora" / "hf-model-infos-cards-2022-02-saranscript" / "model_cards.tar.gz"


def load(limit: int | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    with tarfile.open(TARBALL) as tf:
        for m in tf:
            fh = tf.extractfile(m) if m.isfile() else None
            if fh is None:
                continue
            out.append((m.name[len("models/") : -len("/README.md")], fh.read().decode("utf-8-sig", errors="replace")))
            if limit and len(out) >= limit:
                break
    return out


def write_folders(cards: list[tuple[str, str]], root: Path) -> list[str]:
    """One folder per card (``root/<n>/org/name/README.md``: its name is the model's); the folders' paths."""
    out: list[str] = []
    for i, (model_id, text) in enumerate(cards):
        folder = root / str(i) / model_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "README.md").write_text(text, "utf-8")
        out.append(str(folder))
    return out


def vet_folders(chunk: list[str]) -> tuple[int, float, int]:
    """(folders vetted, CPU seconds, failures) for one worker."""
    from ptmvet import VetOptions, vet

    options = VetOptions(offline=True, hash_files=False, deep_scan=False)
    t0 = time.process_time()
    failures = 0
    for folder in chunk:
        report = vet(folder, options)
        failures += sum(1 for f in report.findings if f.outcome.value == "error")
    return len(chunk), time.process_time() - t0, failures


def hub_parse(chunk: list[tuple[str, str]]) -> float:
    from huggingface_hub import ModelCard
    from huggingface_hub.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    t0 = time.process_time()
    for _, text in chunk:
        with contextlib.suppress(Exception):  # a card the Hub library rejects still costs its parse
            ModelCard(text)
    return time.process_time() - t0


def big_card(root: Path) -> tuple[int, float, float]:
    """(bytes, wall seconds, CPU seconds) to read, parse and vet one ~5 MB card (a real card repeated, with a results table)."""
    from ptmvet import VetOptions, vet

    base = (ROOT.parent / "shared" / "corpora" / "hf-model-cards-skops-examples" / "bert-base-uncased.md").read_text("utf-8")
    text = base + "\n\n" + ("\n## More results\n\n" + base.split("---", 2)[-1]) * (5_000_000 // len(base))
    (root / "warm").mkdir()
    (root / "warm" / "README.md").write_text(base, "utf-8")
    (root / "big").mkdir()
    (root / "big" / "README.md").write_text(text, "utf-8")
    options = VetOptions(offline=True, hash_files=False, deep_scan=False)
    vet(root / "warm", options)  # load the known-id tables and compile the patterns first, as in any longer run
    t0, c0 = time.perf_counter(), time.process_time()
    vet(root / "big", options)
    return len(text.encode("utf-8")), time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    cards = load(args.limit)
    with tempfile.TemporaryDirectory(prefix="bench-card-vet-") as tmp:  # removed even when a worker fails
        root = Path(tmp)
        folders = write_folders(cards, root / "cards")
        chunks = [folders[i :: args.workers] for i in range(args.workers)]
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        with mp.get_context("fork").Pool(args.workers) as pool:
            results = pool.map(vet_folders, chunks)
        wall = time.perf_counter() - t0
        n = sum(r[0] for r in results)
        cpu = sum(r[1] for r in results)
        errors = sum(r[2] for r in results)
        peer_cpu = hub_parse(cards)
        size, big, big_cpu = big_card(root)
    print(f"card-only folders vetted with ptmvet.vet (every enricher and check): {n} with {args.workers} workers")
    print(f"  wall {wall:.1f} s, CPU {cpu:.1f} s = {1000 * cpu / n:.2f} ms per card; check errors: {errors}")
    print(f"peer huggingface_hub.ModelCard(text), parse only: CPU {peer_cpu:.1f} s = {1000 * peer_cpu / n:.2f} ms per card")
    print(f"ratio full vet (reading each card's folder included) / Hub parse of the text in memory: {cpu / max(peer_cpu, 1e-9):.1f}x")
    print(f"one {size / 1e6:.1f} MB card read, parsed and vetted in {big:.2f} s (CPU {big_cpu:.2f} s)")
    print(f"1-minute load average just before the vet: {load_before:.2f} (how busy the machine was with other work)")


if __name__ == "__main__":
    main()
