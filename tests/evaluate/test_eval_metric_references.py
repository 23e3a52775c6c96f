"""The generation, extraction, speech and detection metrics against their reference implementations.

SQuAD EM/F1 against the official v1.1 evaluation script's functions (reproduced below as
published), ROUGE against Google's rouge-score, WER against jiwer, COCO mAP against
pycocotools, top-5 accuracy against scikit-learn, on fixed fixtures; and the bootstrap
over rows (images for mAP) agrees with recomputing the reference on the same resamples.
"""

from __future__ import annotations

import contextlib
import io
import re
import string
from collections import Counter

import numpy as np
import pytest

from ptmvet.evaluate.detection import Box, coco_map, detection_stats
from ptmvet.evaluate.metrics import METRICS, Predictions, canonical_metric
from ptmvet.evaluate.textmetrics import rouge_row, squad_row, word_errors

# ---- the SQuAD v1.1 evaluation script (evaluate-v1.1.py), its metric functions verbatim


def normalize_answer(s: str) -> str:
    def remove_articles(text: str) -> str:
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text: str) -> str:
        return " ".join(text.split())

    def remove_punc(text: str) -> str:
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    def lower(text: str) -> str:
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def f1_score(prediction: str, ground_truth: str) -> float:
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def exact_match_score(prediction: str, ground_truth: str) -> bool:
    return normalize_answer(prediction) == normalize_answer(ground_truth)


def metric_max_over_ground_truths(metric_fn, prediction, ground_truths):  # type: ignore[no-untyped-def]
    return max(metric_fn(prediction, gt) for gt in ground_truths)


# ---- fixtures

QA = [
    ("Denver Broncos", ["Denver Broncos", "Denver Broncos", "Broncos"]),
    ("the Denver Broncos.", ["Denver Broncos"]),
    ("Santa Clara, California", ["Santa Clara", "Levi's Stadium in the San Francisco Bay Area at Santa Clara, California"]),
    ("gold", ["golden anniversary", "gold-themed"]),
    ("", ["February 7, 2016"]),
    ("February 7", ["February 7, 2016", "February 7"]),
    ("An apple a day", ["apple day"]),
    ("1,000,000", ["1 000 000", "one million"]),
]
SUMMARIES = [
    ("the cat sat on the mat", "the cat was sitting on the mat"),
    ("Police said the man, 45, was arrested on Tuesday.", "A 45-year-old man was arrested on Tuesday, police said."),
    ("", "an empty prediction scores zero"),
    ("One. Two! Three?", "one two three"),
    ("the the the the", "the cat"),
    ("Scientists found water on Mars in 2015", "In 2015 NASA scientists announced evidence of liquid water on Mars"),
    # several sentences a summary, one a line (what ROUGE-Lsum splits on)
    ("the cat sat on the mat.\nthe dog barked at the cat.", "the dog barked.\nthe cat sat on the mat and the dog barked at it."),
    ("mars has water\n\nnasa said so in 2015\n", "in 2015 nasa said\nmars has liquid water\nscientists agree"),
    ("one line only with all the words of the reference", "all the words\nof the reference\none line only"),
    ("the the the\nthe cat", "the cat\nthe the"),
    ("\n\n", "an empty prediction\nscores zero"),
]
SPEECH = [
    ("the quick brown fox", "the quick brown fox"),
    ("the quick brown fox", "the quack brown box"),
    ("jumps over the lazy dog", "jumps over lazy dog"),
    ("hello world", "hello there world again"),
    ("a b c d e", "e d c b a"),
    ("SPEECH IN CAPITALS", "speech in capitals"),
]


def test_squad_matches_the_official_script() -> None:
    ours = np.asarray([squad_row(p, g) for p, g in QA])
    ref_em = [float(metric_max_over_ground_truths(exact_match_score, p, g)) for p, g in QA]
    ref_f1 = [float(metric_max_over_ground_truths(f1_score, p, g)) for p, g in QA]
    assert ours[:, 0].tolist() == ref_em
    assert ours[:, 1] == pytest.approx(ref_f1)
    pred = Predictions("scores", ours, np.zeros(len(QA)), columns=("exact_match", "f1"))
    assert float(METRICS["exact_match"].compute(pred, None)) == pytest.approx(np.mean(ref_em))
    assert float(METRICS["squad_f1"].compute(pred, None)) == pytest.approx(np.mean(ref_f1))
    assert canonical_metric("f1", task="question-answering") == "squad_f1"
    assert canonical_metric("exact_match", task="question-answering") == "exact_match"


def test_rouge_matches_rouge_score() -> None:
    rs = pytest.importorskip("rouge_score.rouge_scorer")
    keys = ("rouge1", "rouge2", "rougeL", "rougeLsum")
    scorer = rs.RougeScorer(list(keys), use_stemmer=False)
    lsum_differs = 0
    for pred, ref in SUMMARIES:
        want = scorer.score(ref, pred)
        got = rouge_row(pred, ref)
        assert got == pytest.approx(tuple(want[k].fmeasure for k in keys)), (pred, ref)
        lsum_differs += got[3] != pytest.approx(got[2])
    assert lsum_differs >= 2  # the fixture tells summary-level LCS from plain LCS
    assert canonical_metric("rougeL") == "rougeL" and canonical_metric("ROUGE-2") == "rouge2"
    assert canonical_metric("rougeLsum") == canonical_metric("ROUGE-Lsum") == "rougeLsum"


def test_wer_matches_jiwer() -> None:
    jiwer = pytest.importorskip("jiwer")
    rows = np.asarray([word_errors(r, h) for r, h in SPEECH], dtype=np.float64)
    pred = Predictions("scores", rows, np.zeros(len(SPEECH)), columns=("word_errors", "reference_words"))
    want = jiwer.wer([r for r, _ in SPEECH], [h for _, h in SPEECH])
    assert float(METRICS["wer"].compute(pred, None)) == pytest.approx(want)
    for r, h in SPEECH:
        errors, words = word_errors(r, h)
        assert errors / words == pytest.approx(jiwer.wer(r, h))
    # the bootstrap's resamples are corpus WERs of resampled utterances
    idx = np.random.default_rng(0).integers(0, len(SPEECH), size=(5, len(SPEECH)))
    got = METRICS["wer"].compute(pred, idx)
    assert got == pytest.approx([jiwer.wer([SPEECH[i][0] for i in row], [SPEECH[i][1] for i in row]) for row in idx])


def coco_fixture(seed: int = 0, n_images: int = 30) -> tuple[dict, list[dict], list[list[Box]], list[list[Box]]]:  # type: ignore[type-arg]
    """Random images with ground truth (some crowd) and detections near it, some of another class, some stray."""
    rng = np.random.default_rng(seed)
    images, anns, dets, truth, found = [], [], [], [], []
    aid = 1
    for i in range(n_images):
        images.append({"id": i + 1, "width": 100, "height": 100})
        tb: list[Box] = []
        db: list[Box] = []
        for _ in range(int(rng.integers(0, 5))):
            c = int(rng.integers(1, 4))
            x, y = rng.uniform(0, 70, 2)
            w, h = rng.uniform(5, 30, 2)
            crowd = bool(rng.random() < 0.1)
            anns.append({"id": aid, "image_id": i + 1, "category_id": c, "bbox": [x, y, w, h], "area": w * h, "iscrowd": int(crowd)})
            aid += 1
            tb.append(Box(c, x, y, w, h, crowd=crowd))
            if rng.random() < 0.8:
                s = float(rng.random())
                jx, jy = rng.normal(0, 3, 2)
                cat = c if rng.random() < 0.9 else 1
                dets.append({"image_id": i + 1, "category_id": cat, "bbox": [x + jx, y + jy, w, h], "score": s})
                db.append(Box(cat, x + jx, y + jy, w, h, score=s))
        for _ in range(int(rng.integers(0, 3))):
            c = int(rng.integers(1, 4))
            x, y = rng.uniform(0, 70, 2)
            w, h = rng.uniform(5, 30, 2)
            s = float(rng.random())
            dets.append({"image_id": i + 1, "category_id": c, "bbox": [x, y, w, h], "score": s})
            db.append(Box(c, x, y, w, h, score=s))
        truth.append(tb)
        found.append(db)
    gt = {"info": {}, "images": images, "annotations": anns, "categories": [{"id": k} for k in (1, 2, 3)]}
    return gt, dets, truth, found


def pycoco_stats(gt: dict, dets: list[dict]) -> list[float]:  # type: ignore[type-arg]
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO()
        cg.dataset = gt
        cg.createIndex()
        ev = COCOeval(cg, cg.loadRes(dets) if dets else COCO(), "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(x) for x in ev.stats[:3]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_coco_map_matches_pycocotools(seed: int) -> None:
    pytest.importorskip("pycocotools")
    gt, dets, truth, found = coco_fixture(seed)
    want = pycoco_stats(gt, dets)
    stats = detection_stats(truth, found)
    assert coco_map(stats) == pytest.approx(want[0], abs=1e-12)
    assert coco_map(stats, thresholds=slice(0, 1)) == pytest.approx(want[1], abs=1e-12)
    assert coco_map(stats, thresholds=slice(5, 6)) == pytest.approx(want[2], abs=1e-12)
    pred = Predictions("detections", np.arange(len(truth)), np.zeros(len(truth)), payload=stats)
    assert float(METRICS["map"].compute(pred, None)) == pytest.approx(want[0])


def test_coco_map_bootstrap_resample_equals_pycocotools_on_the_resampled_images() -> None:
    pytest.importorskip("pycocotools")
    gt, dets, truth, found = coco_fixture(4, 12)
    stats = detection_stats(truth, found)
    pred = Predictions("detections", np.arange(len(truth)), np.zeros(len(truth)), payload=stats)
    idx = np.random.default_rng(1).integers(0, len(truth), size=(3, len(truth)))
    got = METRICS["map"].compute(pred, idx)
    for b, row in enumerate(idx):
        images, anns, ds = [], [], []
        aid = 1
        for new_id, i in enumerate(row, start=1):  # a drawn image becomes a new image id each time it is drawn
            images.append({"id": new_id, "width": 100, "height": 100})
            for a in gt["annotations"]:
                if a["image_id"] == i + 1:
                    anns.append({**a, "id": aid, "image_id": new_id})
                    aid += 1
            ds += [{**d, "image_id": new_id} for d in dets if d["image_id"] == i + 1]
        want = pycoco_stats({"info": {}, "images": images, "annotations": anns, "categories": gt["categories"]}, ds)
        assert got[b] == pytest.approx(want[0], abs=1e-9)


def test_no_confidence_cut_low_scored_true_boxes_raise_ap() -> None:
    truth = [[Box(1, 0, 0, 10, 10)], [Box(1, 0, 0, 10, 10)]]
    found = [[Box(1, 0, 0, 10, 10, score=0.9)], [Box(1, 0, 0, 10, 10, score=0.05)]]
    cut = [[Box(1, 0, 0, 10, 10, score=0.9)], []]
    assert coco_map(detection_stats(truth, found)) == pytest.approx(1.0)
    assert coco_map(detection_stats(truth, cut)) < 0.6


def test_top5_matches_scikit_learn() -> None:
    from sklearn.metrics import top_k_accuracy_score

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(200, 10))
    gold = rng.integers(0, 10, size=200)
    hits = (np.argsort(-logits, axis=1)[:, :5] == gold[:, None]).any(axis=1).astype(np.float64)[:, None]
    pred = Predictions("scores", hits, np.zeros(200), columns=("top5",))
    assert float(METRICS["top5_accuracy"].compute(pred, None)) == pytest.approx(top_k_accuracy_score(gold, logits, k=5, labels=range(10)))
    assert canonical_metric("top-5 accuracy") == "top5_accuracy"
