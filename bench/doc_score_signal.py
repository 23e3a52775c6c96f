"""Does the documentation score agree with what people value? Evidence for docs/scores.md.

Human signal: the Hub's likes and downloads of each model in the Feb-2022 dump
(the corpora hold no hand-rated card-quality labels, so these are the proxy).
Every VET4xx check runs once on each of the 16,590 real cards (card only). The
cards are split in two fixed halves by the first byte of sha256(model id): even
is the *tuning* half, odd the *held-out* half. Weights are chosen on the tuning
half only (``--search``); the figures that count are the held-out ones.

Printed, per half: Spearman's rho with likes and with log(downloads + 1) of

* ``words``: the card's word count (the peer the score must beat);
* ``score_before``: the documentation score as shipped before SCORE_WEIGHTS:
  VET401-VET407 with severity weights and full credit for every pass;
* ``score``: the shipped score (``documentation.SCORE_WEIGHTS``, partial credit
  for weaker evidence, graded prose and usage credit);
* each check's pass, and the Trainer boilerplate, as single features.

With ``--search N``: N seeded random weight vectors (each check 1..6, so no
check drops out) scored on the tuning half by min(rho likes, rho downloads);
the best is printed with its held-out figures.

    .venv/bin/python bench/doc_score_signal.py [--search 400] [--seed 14]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import sys
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ptmvet.card import parse_card  # noqa: E402
from ptmvet.checks import documentation as d  # noqa: E402
from ptmvet.checks.interface import run_check  # noqa: E402
from ptmvet.evidence import Evidence, FileEntry, Target  # noqa: E402

DUMP = ROOT.parent / "shared" / "corpora" / "hf-model-infos-cards-2022-02-saranscript"
BOILERPLATE = re.compile(r"The following hyperparameters were used during training|### Framework versions", re.I)
IDS = ("VET401", "VET402", "VET403", "VET404", "VET405", "VET406", "VET407", "VET408")


def ranks(xs: Sequence[float]) -> list[float]:
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


def pearson(ra: Sequence[float], rb: Sequence[float]) -> float:
    n = len(ra)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = math.sqrt(sum((x - ma) ** 2 for x in ra))
    vb = math.sqrt(sum((y - mb) ** 2 for y in rb))
    return cov / (va * vb) if va and vb else 0.0


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    return pearson(ranks(a), ranks(b))


def tuning_half(model_id: str) -> bool:
    """The fixed split: even first byte of sha256(model id) is the tuning half."""
    return hashlib.sha256(model_id.encode("utf-8")).digest()[0] % 2 == 0


def score(row: Mapping[str, Any], weights: Mapping[str, float], *, credits: bool) -> float:
    """Documentation score of one card under ``weights`` (as report.score_findings computes it)."""
    got = total = 0.0
    for cid, (outcome, ratio, credit) in row["checks"].items():
        w = weights[cid] * ratio
        total += w
        got += w * (credit if credits else 1.0) if outcome == "pass" else 0.0
    return 10 * got / total if total else 0.0


def load() -> list[dict[str, Any]]:
    with gzip.open(DUMP / "model_infos.jsonl.gz") as fh:
        infos = {r["modelId"]: r for r in map(json.loads, fh)}
    rows = []
    with tarfile.open(DUMP / "model_cards.tar.gz") as tf:
        for m in tf:
            fh2 = tf.extractfile(m) if m.isfile() else None
            mid = m.name[len("models/") : -len("/README.md")]
            if fh2 is None or mid not in infos:
                continue
            text = fh2.read().decode("utf-8", errors="replace")
            card = parse_card(text)
            ev = Evidence(target=Target(name=mid, source="local", repo_id=mid), files=(FileEntry("README.md", len(text), True),), card=card)
            checks: dict[str, tuple[str, float, float]] = {}
            for c in d.CHECKS:
                for f in run_check(c, ev):
                    if f.outcome.assessed:
                        checks[f.check_id] = (f.outcome.value, f.severity.weight / c.meta.severity.weight, f.credit)
            rec = infos[mid]
            rows.append(
                {
                    "id": mid,
                    "tune": tuning_half(mid),
                    "likes": float(rec.get("likes") or 0),
                    "downloads": math.log1p(float(rec.get("downloads") or 0)),
                    "words": float(len(text.split())),
                    "boilerplate": float(bool(BOILERPLATE.search(text))),
                    "checks": checks,
                }
            )
    return rows


def rhos(rows: Sequence[Mapping[str, Any]], xs: Sequence[float], cache: dict[str, list[float]]) -> tuple[float, float]:
    rx = ranks(xs)
    return pearson(rx, cache["likes"]), pearson(rx, cache["downloads"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--search", type=int, default=0, help="random weight vectors to try on the tuning half")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    rows = load()
    halves = {"tuning": [r for r in rows if r["tune"]], "held-out": [r for r in rows if not r["tune"]]}
    caches = {h: {"likes": ranks([r["likes"] for r in rs]), "downloads": ranks([r["downloads"] for r in rs])} for h, rs in halves.items()}
    # as shipped before: severity weights, full credit, VET408 not yet a check
    severity = {c.meta.id: float(c.meta.severity.weight) if c.meta.id != "VET408" else 0.0 for c in d.CHECKS}
    signals: dict[str, Any] = {
        "words": lambda r: r["words"],
        "score_before": lambda r: score(r, severity, credits=False),
        "score": lambda r: score(r, d.SCORE_WEIGHTS, credits=True),
        "trainer_boilerplate": lambda r: r["boilerplate"],
    }
    for cid in IDS:
        signals[f"{cid}_pass"] = lambda r, cid=cid: float(r["checks"].get(cid, ("",))[0] == "pass")
    print(f"cards: {len(rows)}; tuning half {len(halves['tuning'])}, held-out half {len(halves['held-out'])}")
    print(f"shipped weights: {dict(d.SCORE_WEIGHTS)}; weak-evidence credit {d.WEAK_CREDIT}")
    print(f"{'signal':<22} {'tune rho(likes)':>16} {'tune rho(dl)':>13} {'held rho(likes)':>16} {'held rho(dl)':>13}")
    for name, fn in signals.items():
        t = rhos(halves["tuning"], [fn(r) for r in halves["tuning"]], caches["tuning"])
        h = rhos(halves["held-out"], [fn(r) for r in halves["held-out"]], caches["held-out"])
        print(f"{name:<22} {t[0]:16.3f} {t[1]:13.3f} {h[0]:16.3f} {h[1]:13.3f}")
    if args.search:
        rng = random.Random(args.seed)
        best: tuple[float, dict[str, float]] | None = None
        for k in range(args.search):
            w = dict(d.SCORE_WEIGHTS) if k == 0 else {cid: float(rng.randint(1, 6)) for cid in IDS}
            t = rhos(halves["tuning"], [score(r, w, credits=True) for r in halves["tuning"]], caches["tuning"])
            if best is None or min(t) > best[0]:
                best = (min(t), w)
        assert best is not None
        t = rhos(halves["tuning"], [score(r, best[1], credits=True) for r in halves["tuning"]], caches["tuning"])
        h = rhos(halves["held-out"], [score(r, best[1], credits=True) for r in halves["held-out"]], caches["held-out"])
        print(f"best of {args.search} on the tuning half: {best[1]}")
        print(f"  tuning rho likes {t[0]:.3f} downloads {t[1]:.3f}; held-out rho likes {h[0]:.3f} downloads {h[1]:.3f}")


if __name__ == "__main__":
    main()
