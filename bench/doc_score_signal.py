"""Does the documentation score agree with what people value? Evidence for docs/scores.md.

Human signal: the Hub's likes and downloads of each model in the Feb-2022 dump
(no hand-rated card-quality labels are available in the corpora, so these are
the proxy). For a fixed random sample of the 16,590 real cards, every VET4xx
check runs on the card alone; the documentation score is computed twice:

* before: VET401-VET405 as they were (prose word count includes the Trainer's
  generated hyperparameter/version/log lists);
* after: VET401 without that boilerplate, plus VET406 (evaluation with data)
  and VET407 (usage example), with their severities as weights.

Printed: Spearman correlation of each score and of each card feature with
log(downloads+1) and with likes, and the share of cards with >= 1 like among
cards with and without each feature. Peer: the card's word count alone.

    .venv/bin/python bench/doc_score_signal.py [--sample 4000] [--seed 14]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ptmvet.card import parse_card  # noqa: E402
from ptmvet.checks import documentation as d  # noqa: E402
from ptmvet.checks.interface import Outcome, run_check  # noqa: E402
from ptmvet.evidence import Evidence, FileEntry, Target  # noqa: E402

DUMP = ROOT.parent / "shared" / "corpora" / "hf-model-infos-cards-2022-02-saranscript"
BOILERPLATE = re.compile(r"The following hyperparameters were used during training|### Framework versions", re.I)


def ranks(xs: list[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = math.sqrt(sum((x - ma) ** 2 for x in ra))
    vb = math.sqrt(sum((y - mb) ** 2 for y in rb))
    return cov / (va * vb) if va and vb else 0.0


def score(findings: list, ids: set[str]) -> float:  # type: ignore[type-arg]
    got = total = 0
    for f in findings:
        if f.check_id not in ids or not f.outcome.assessed:
            continue
        w = f.severity.weight
        total += w
        got += w if f.outcome is Outcome.PASS else 0
    return 10 * got / total if total else 0.0


#: An alternative weighting tried on the same sample (not the shipped one unless the docs say so).
ALT_WEIGHTS = {"VET401": 3, "VET402": 1, "VET403": 1, "VET404": 1, "VET405": 1, "VET406": 2, "VET407": 3}


def alt_score(findings: list) -> float:  # type: ignore[type-arg]
    got = total = 0
    for f in findings:
        w = ALT_WEIGHTS.get(f.check_id)
        if w is None or not f.outcome.assessed:
            continue
        total += w
        got += w if f.outcome is Outcome.PASS else 0
    return 10 * got / total if total else 0.0


def old_score(old: list, f401, raw_words: int) -> float:  # type: ignore[type-arg,no-untyped-def]
    """The documentation score as it was: VET401 counted the Trainer's generated lists as prose."""
    placeholders = int(f401.details.get("placeholder_sections", 0))
    sections = int(f401.details.get("sections", 0))
    if raw_words < 100:
        passed, weight = False, 3
    elif placeholders and (placeholders >= 3 or placeholders >= sections - placeholders):
        passed, weight = False, 2  # "largely an unfilled template", medium
    else:
        passed, weight = True, 3
    got = total = 0
    for f in old:
        if f.check_id == "VET401" or not f.outcome.assessed:
            continue
        total += f.severity.weight
        got += f.severity.weight if f.outcome is Outcome.PASS else 0
    total += weight
    got += weight if passed else 0
    return 10 * got / total if total else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sample", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    with gzip.open(DUMP / "model_infos.jsonl.gz") as fh:
        infos = {r["modelId"]: r for r in map(json.loads, fh)}
    cards: dict[str, str] = {}
    with tarfile.open(DUMP / "model_cards.tar.gz") as tf:
        for m in tf:
            fh2 = tf.extractfile(m) if m.isfile() else None
            if fh2 is not None:
                cards[m.name[len("models/") : -len("/README.md")]] = fh2.read().decode("utf-8", errors="replace")
    ids = sorted(i for i in cards if i in infos)
    sample = random.Random(args.seed).sample(ids, min(args.sample, len(ids)))
    old_ids = {"VET401", "VET402", "VET403", "VET404", "VET405"}
    new_ids = old_ids | {"VET406", "VET407"}
    rows = []
    for mid in sample:
        text = cards[mid]
        card = parse_card(text)
        ev = Evidence(target=Target(name=mid, source="local", repo_id=mid), files=(FileEntry("README.md", len(text), True),), card=card)
        findings = [f for c in d.CHECKS for f in run_check(c, ev)]
        by = {f.check_id: f for f in findings}
        old = [f for f in findings if f.check_id in old_ids]
        # "before" VET401: the word count with the boilerplate included
        f401 = by["VET401"]
        raw_words = int(f401.details.get("prose_words", 0)) + int(f401.details.get("boilerplate_words", 0))
        rec = infos[mid]
        rows.append(
            {
                "likes": float(rec.get("likes") or 0),
                "downloads": math.log1p(float(rec.get("downloads") or 0)),
                "words": float(len(text.split())),
                "score_new": score(findings, new_ids),
                "score_alt": alt_score(findings),
                "score_old": old_score(old, f401, raw_words),
                "usage_code": float(by["VET407"].outcome is Outcome.PASS and "strength" not in by["VET407"].details),
                "intended_use": float(by["VET402"].outcome is Outcome.PASS),
                "limitations": float(by["VET403"].outcome is Outcome.PASS),
                "evaluation_with_data": float(by["VET406"].outcome is Outcome.PASS),
                "trainer_boilerplate": float(bool(BOILERPLATE.search(text))),
                "prose_100_words_old": float(raw_words >= 100),
                "prose_100_words_new": float(by["VET401"].outcome is Outcome.PASS),
            }
        )
    n = len(rows)
    print(f"cards: {n} (random sample, seed {args.seed}); with >= 1 like: {sum(r['likes'] > 0 for r in rows)}")
    print(f"{'signal':<24} {'rho(log downloads)':>19} {'rho(likes)':>11}  {'P(like>=1 | yes)':>17} {'P(like>=1 | no)':>16}  share")
    for key in ("words", "score_old", "score_new", "score_alt", "usage_code", "intended_use", "limitations", "evaluation_with_data", "prose_100_words_old", "prose_100_words_new", "trainer_boilerplate"):
        xs = [r[key] for r in rows]
        rd = spearman(xs, [r["downloads"] for r in rows])
        rl = spearman(xs, [r["likes"] for r in rows])
        line = f"{key:<24} {rd:19.3f} {rl:11.3f}"
        if set(xs) <= {0.0, 1.0}:
            yes = [r for r in rows if r[key] == 1.0]
            no = [r for r in rows if r[key] == 0.0]
            py = sum(r["likes"] > 0 for r in yes) / max(len(yes), 1)
            pn = sum(r["likes"] > 0 for r in no) / max(len(no), 1)
            line += f"  {py:17.3f} {pn:16.3f}  {len(yes) / n:.2f}"
        print(line)


if __name__ == "__main__":
    main()
