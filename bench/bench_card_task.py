"""Task inference from card + config against the Hub's own pipeline_tag (Feb 2022 dump).

Input per model: its README.md from ``model_cards.tar.gz`` (empty when it has
none) and the ``config`` (architectures, model_type) of its ``model_info``;
nothing else of the record (no tags, no library, no pipeline_tag) is given to
``ptmvet.cardinfo.task.infer_task``. Agreement is counted over the models for
which the Hub has a pipeline_tag. Peer: reading ``pipeline_tag`` from the front
matter alone (what ptmvet did before), measured in the same run.

The mapping of architectures to tasks was written looking at the model ids
with an even crc32; both halves are reported.

    .venv/bin/python bench/bench_card_task.py [--examples 10]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import sys
import tarfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ptmvet.card import parse_card  # noqa: E402
from ptmvet.cardinfo.task import canonical, infer_task  # noqa: E402

DUMP = ROOT.parent / "shared" / "corpora" / "hf-model-infos-cards-2022-02-saranscript"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--examples", type=int, default=10)
    args = ap.parse_args()
    with gzip.open(DUMP / "model_infos.jsonl.gz") as fh:
        infos = [json.loads(line) for line in fh]
    cards: dict[str, str] = {}
    with tarfile.open(DUMP / "model_cards.tar.gz") as tf:
        for m in tf:
            fh = tf.extractfile(m) if m.isfile() else None
            if fh is not None:
                cards[m.name[len("models/") : -len("/README.md")]] = fh.read().decode("utf-8", errors="replace")
    tagged = [r for r in infos if r.get("pipeline_tag")]
    t0 = time.perf_counter()
    agree = collections.Counter()
    total = collections.Counter()
    peer = 0
    sources = collections.Counter()
    confusion = collections.Counter()
    for r in tagged:
        half = "even" if zlib.crc32(r["modelId"].encode()) % 2 == 0 else "odd"
        card = parse_card(cards.get(r["modelId"], ""))
        got = infer_task(card.metadata, card.body, config=r.get("config") or {})
        total[half] += 1
        sources[got.source] += 1
        if got.task == r["pipeline_tag"]:
            agree[half] += 1
        else:
            confusion[(r["pipeline_tag"], got.task, got.source)] += 1
        if canonical(card.meta_str("pipeline_tag")) == r["pipeline_tag"]:
            peer += 1
    secs = time.perf_counter() - t0
    n = sum(total.values())
    ok = sum(agree.values())
    print(f"models with a Hub pipeline_tag: {n} of {len(infos)}")
    print(f"ptmvet cardinfo (card + config): {ok}/{n} = {ok / n:.2%}  (even half {agree['even'] / total['even']:.2%}, odd half {agree['odd'] / total['odd']:.2%})")
    print(f"front-matter pipeline_tag only:  {peer}/{n} = {peer / n:.2%}")
    print(f"ratio ptmvet / front-matter-only: {ok / max(peer, 1):.1f}x    ({secs:.1f} s for {n} cards)")
    print("sources of the inferred task:", ", ".join(f"{k or 'none'} {v}" for k, v in sources.most_common()))
    print("most frequent disagreements (hub, ptmvet, source):")
    for k, v in confusion.most_common(args.examples):
        print(f"  {v:5d}  {k}")


if __name__ == "__main__":
    main()
