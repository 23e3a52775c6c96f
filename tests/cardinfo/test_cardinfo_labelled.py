"""Card reading against hand-labelled sets of real cards (tests/data/cards_labelled, cards_heldout).

Each card was labelled by reading it (rules in tests/data/cards_labelled/README.md);
the cards themselves are read from ../shared/corpora and the test skips without
them. ``cards_heldout`` was drawn and labelled after the extractors were tuned on
``cards_labelled`` and is reported separately. Per-field precision and recall are printed (``pytest -s``) and must stay
at or above 0.95 for licence and task and 0.9 for datasets, base models and claims.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from ptmvet.card import parse_card
from ptmvet.cardinfo import card_info
from ptmvet.evidence import Evidence, Target
from ptmvet.licenses.detect import detect_uncached

DATA = Path(__file__).resolve().parents[1] / "data"
#: The set the extractors were tuned on, and a held-out set drawn later and never tuned on.
SETS = {"labelled": DATA / "cards_labelled", "heldout": DATA / "cards_heldout"}
CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
TARBALL = CORPORA / "hf-model-infos-cards-2022-02-saranscript" / "model_cards.tar.gz"
SKOPS = CORPORA / "hf-model-cards-skops-examples"

pytestmark = [pytest.mark.corpora, pytest.mark.skipif(not TARBALL.is_file(), reason="corpora not present")]

#: Floors from the issue: licence and task 0.95, the rest 0.9.
FLOORS = {"license": 0.95, "task": 0.95, "datasets": 0.9, "base_models": 0.9, "claims": 0.9}


@lru_cache(maxsize=4)
def _labels(which: str = "labelled") -> list[dict[str, Any]]:
    text = (SETS[which] / "labels.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def _texts() -> dict[str, str]:
    """Card texts of every labelled set, read once from the corpora."""
    every = [r for which in SETS for r in _labels(which)]
    wanted = {r["path"] for r in every if r["source"] == "hf-2022"}
    out: dict[str, str] = {}
    with tarfile.open(TARBALL) as tf:
        for m in tf:
            if m.name in wanted:
                fh = tf.extractfile(m)
                assert fh is not None
                out[m.name] = fh.read().decode("utf-8", errors="replace")
    for r in every:
        if r["source"] == "skops-examples":
            out[r["path"]] = (SKOPS / r["path"]).read_text("utf-8")
    return out


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", s.lower())


def _same_dataset(pred: str, label: str) -> bool:
    keys = {_norm(pred), _norm(pred.rsplit("/", 1)[-1])}
    return any(_norm(alt) in keys or _norm(alt.rsplit("/", 1)[-1]) in keys for alt in label.split("|"))


def _same_model(pred: str, label: str) -> bool:
    return any(pred.lower() == alt.lower() for alt in label.split("|"))


def _same_claim(pred: dict[str, Any], label: dict[str, Any]) -> bool:
    if pred["metric"] != label["metric"] or pred["value"] is None:
        return False
    return abs(float(pred["value"]) - float(label["value"])) <= max(5e-5, 1e-6 * abs(float(label["value"])))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _match(preds: Iterable[Any], labels: Iterable[Any], same: Any, score: Score, misses: list[str], card: str) -> None:
    left = list(labels)
    for p in preds:
        hit = next((lab for lab in left if same(p, lab)), None)
        if hit is None:
            score.fp += 1
            misses.append(f"{card}: extra {p}")
        else:
            score.tp += 1
            left.remove(hit)
    score.fn += len(left)
    misses.extend(f"{card}: missed {lab}" for lab in left)


def _predict(rec: dict[str, Any], text: str) -> dict[str, Any]:
    card = parse_card(text)
    own = [rec["id"]]
    info = card_info(card, config=rec["config"], own_ids=own)
    lic = detect_uncached(Evidence(target=Target(name=rec["id"], source="local"), card=card)).primary
    return {
        "task": info.task.task,
        "datasets": [d.id for d in info.datasets],
        "base_models": [b.id for b in info.base_models],
        "claims": [{"metric": t.claim.metric, "value": t.claim.value, "dataset": t.claim.dataset, "split": t.claim.dataset_split} for t in info.text_claims],
        "license": (lic.hub_id or lic.spdx).lower() if lic else None,
    }


def evaluate(which: str = "labelled") -> tuple[dict[str, Score], dict[str, list[str]], dict[str, float]]:
    texts = _texts()
    scores = {k: Score() for k in FLOORS}
    misses: dict[str, list[str]] = {k: [] for k in FLOORS}
    split_ok = split_n = ds_ok = ds_n = 0
    for rec in _labels(which):
        text = texts[rec["path"]]
        pred = _predict(rec, text)
        for field in ("task", "license"):
            got, want = pred[field], rec[field]
            s = scores[field]
            if got is not None and got == want:
                s.tp += 1
            else:
                if got is not None:
                    s.fp += 1
                if want is not None:
                    s.fn += 1
                if got != want:
                    misses[field].append(f"{rec['id']}: got {got}, label {want}")
        _match(pred["datasets"], rec["datasets"], _same_dataset, scores["datasets"], misses["datasets"], rec["id"])
        _match(pred["base_models"], rec["base_models"], _same_model, scores["base_models"], misses["base_models"], rec["id"])
        _match(pred["claims"], rec["claims"], _same_claim, scores["claims"], misses["claims"], rec["id"])
        for p in pred["claims"]:
            lab = next((c for c in rec["claims"] if _same_claim(p, c)), None)
            if lab is not None:
                split_n += 1
                split_ok += p["split"] == lab["split"]
                if lab["dataset"]:
                    ds_n += 1
                    ds_ok += bool(p["dataset"]) and _same_dataset(p["dataset"], lab["dataset"])
    extra = {"claim_split_agreement": split_ok / split_n if split_n else 1.0, "claim_dataset_agreement": ds_ok / ds_n if ds_n else 1.0}
    return scores, misses, extra


@pytest.mark.parametrize(("which", "at_least"), [("labelled", 150), ("heldout", 50)])
def test_labelled_set_is_real_and_unchanged(which: str, at_least: int) -> None:
    import hashlib

    labels = _labels(which)
    assert len(labels) >= at_least
    texts = _texts()
    for rec in labels:
        assert hashlib.sha256(texts[rec["path"]].encode("utf-8")).hexdigest() == rec["sha256"], rec["id"]


def test_heldout_set_does_not_overlap_the_tuning_set() -> None:
    tuned = {r["path"] for r in _labels("labelled")}
    assert not tuned & {r["path"] for r in _labels("heldout")}


def _report(which: str) -> dict[str, tuple[float, float]]:
    scores, misses, extra = evaluate(which)
    lines = [f"[{which}] {'field':<12} {'P':>6} {'R':>6}  tp/fp/fn"]
    for field, s in scores.items():
        lines.append(f"[{which}] {field:<12} {s.precision:6.3f} {s.recall:6.3f}  {s.tp}/{s.fp}/{s.fn}")
    lines.append(f"[{which}] matched claims: split agrees {extra['claim_split_agreement']:.3f}, dataset agrees {extra['claim_dataset_agreement']:.3f}")
    print("\n" + "\n".join(lines))
    for field, found in misses.items():
        for m in found[:40]:
            print(f"  {field}: {m}")
    return {f: (round(s.precision, 3), round(s.recall, 3)) for f, s in scores.items() if min(s.precision, s.recall) < FLOORS[f]}


def test_per_field_precision_and_recall() -> None:
    low = _report("labelled")
    assert not low, f"below the floor: {low}"


def test_per_field_precision_and_recall_heldout() -> None:
    """The same floors on the second set, drawn and labelled after the first.

    The extractors were not tuned to it when it was drawn; the dataset, claim and
    base-model rules were revised after its misses had been seen
    (tests/data/cards_heldout/README.md), so for those fields it is a second
    labelled set, no longer an untouched estimate.
    """
    low = _report("heldout")
    assert not low, f"held-out set below the floor: {low}"
