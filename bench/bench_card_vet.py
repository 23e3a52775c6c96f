"""Vet every real card of the Feb-2022 dump as a card-only package, and one 5 MB card.

Each of the 16,590 ``README.md`` files becomes the evidence a local folder
holding only that file would give (target, one file entry, the parsed card):
the pipeline then runs every enricher (no hashing, no scan, offline) and every
check, and builds the report, as ``ptmvet check DIR --no-hash --no-scan``
would after reading the folder. Cards are split over ``--workers`` processes
(2 by default: the target machine has 2 cores).

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


def vet_cards(chunk: list[tuple[str, str]]) -> tuple[int, float, int]:
    """(cards vetted, CPU seconds, failures) for one worker."""
    from ptmvet.card import parse_card
    from ptmvet.enrich import VetOptions
    from ptmvet.evidence import Evidence, FileEntry, Target
    from ptmvet.pipeline import vet_evidence

    options = VetOptions(offline=True, hash_files=False, deep_scan=False)
    t0 = time.process_time()
    failures = 0
    for model_id, text in chunk:
        evidence = Evidence(
            target=Target(name=model_id, source="local", repo_id=model_id),
            files=(FileEntry("README.md", len(text.encode("utf-8")), True),),
            card=parse_card(text),
        )
        report = vet_evidence(evidence, options)
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


def big_card() -> tuple[int, float]:
    """Seconds to parse and vet one ~5 MB card (a real card repeated, with a results table)."""
    from ptmvet.card import parse_card
    from ptmvet.enrich import VetOptions
    from ptmvet.evidence import Evidence, FileEntry, Target
    from ptmvet.pipeline import vet_evidence

    base = (ROOT.parent / "shared" / "corpora" / "hf-model-cards-skops-examples" / "bert-base-uncased.md").read_text("utf-8")
    text = base + "\n\n" + ("\n## More results\n\n" + base.split("---", 2)[-1]) * (5_000_000 // len(base))
    options = VetOptions(offline=True, hash_files=False, deep_scan=False)
    warm = Evidence(target=Target(name="warm", source="local"), files=(FileEntry("README.md", len(base), True),), card=parse_card(base))
    vet_evidence(warm, options)  # load the known-id tables and compile the patterns first, as in any longer run
    t0 = time.perf_counter()
    ev = Evidence(target=Target(name="big", source="local"), files=(FileEntry("README.md", len(text), True),), card=parse_card(text))
    vet_evidence(ev, options)
    return len(text.encode("utf-8")), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    cards = load(args.limit)
    chunks = [cards[i :: args.workers] for i in range(args.workers)]
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(args.workers) as pool:
        results = pool.map(vet_cards, chunks)
    wall = time.perf_counter() - t0
    n = sum(r[0] for r in results)
    cpu = sum(r[1] for r in results)
    errors = sum(r[2] for r in results)
    peer_cpu = hub_parse(cards)
    size, big = big_card()
    load_avg = os.getloadavg()[0]
    print(f"cards vetted (card-only, every enricher and check): {n} with {args.workers} workers")
    print(f"  wall {wall:.1f} s, CPU {cpu:.1f} s = {1000 * cpu / n:.2f} ms per card; check errors: {errors}")
    print(f"peer huggingface_hub.ModelCard(text), parse only: CPU {peer_cpu:.1f} s = {1000 * peer_cpu / n:.2f} ms per card")
    print(f"ratio full vet / Hub parse: {cpu / max(peer_cpu, 1e-9):.1f}x")
    print(f"one {size / 1e6:.1f} MB card parsed and vetted in {big:.2f} s")
    print(f"load average during the run: {load_avg:.2f} (other processes share the cores)")


if __name__ == "__main__":
    main()
