"""ptmvet's task metrics against their reference implementations, on fixed fixtures, in one table.

    .venv/bin/python bench/crosscheck_metrics.py

The fixtures are those of tests/evaluate/test_eval_metric_references.py (SQuAD answers,
summaries, transcripts, random COCO scenes with crowd boxes, random logits). References:
the SQuAD v1.1 evaluation script's functions, rouge-score (ROUGE-1/2/L/Lsum), jiwer, pycocotools (also reading a
scene written as a COCO instances file, against ptmvet's reader of that file), scikit-learn.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "evaluate")]


def coco_file_row(fixture: tuple[Any, ...]) -> tuple[str, str, float, float]:
    """A scene written as COCO's annotations/instances_val2017.json: ptmvet's reader and mAP vs pycocotools reading the file."""
    import contextlib
    import io
    import json
    import tempfile

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    from ptmvet.evaluate.datasets import open_dataset
    from ptmvet.evaluate.detection import coco_map, detection_stats
    from ptmvet.evaluate.tasks.object_detection import parse_objects

    gt, dets, _, found = fixture
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "annotations").mkdir()
        (root / "val2017").mkdir()
        for im in gt["images"]:
            im["file_name"] = f"{im['id']:012d}.jpg"
            (root / "val2017" / im["file_name"]).touch()  # the reader needs the images to exist, not to decode
        gt["categories"] = [{"id": k, "name": f"class {k}"} for k in (1, 2, 3)]
        path = root / "annotations" / "instances_val2017.json"
        path.write_text(json.dumps(gt))
        truth = [parse_objects(cell, {f"class {k}": k for k in (1, 2, 3)})[0]
                 for b in open_dataset(root).batches(7) for cell in b["objects"]]
        with contextlib.redirect_stdout(io.StringIO()):
            cg = COCO(str(path))
            ev = COCOeval(cg, cg.loadRes(dets), "bbox")
            ev.evaluate()
            ev.accumulate()
            ev.summarize()
    return ("object-detection", f"instances json ({len(gt['annotations'])} boxes): mAP", coco_map(detection_stats(truth, found)),
            float(ev.stats[0]))


def main() -> None:
    import jiwer
    from rouge_score.rouge_scorer import RougeScorer
    from sklearn.metrics import top_k_accuracy_score
    from test_eval_metric_references import (
        QA,
        SPEECH,
        SUMMARIES,
        coco_fixture,
        exact_match_score,
        f1_score,
        metric_max_over_ground_truths,
        pycoco_stats,
    )

    from ptmvet.evaluate.detection import coco_map, detection_stats
    from ptmvet.evaluate.textmetrics import rouge_row, squad_row, word_errors

    rows: list[tuple[str, str, float, float]] = []
    ours = np.asarray([squad_row(p, g) for p, g in QA])
    rows.append(("question-answering", f"{len(QA)} SQuAD answers: exact_match", ours[:, 0].mean(),
                 float(np.mean([metric_max_over_ground_truths(exact_match_score, p, g) for p, g in QA]))))
    rows.append(("question-answering", f"{len(QA)} SQuAD answers: f1", ours[:, 1].mean(),
                 float(np.mean([metric_max_over_ground_truths(f1_score, p, g) for p, g in QA]))))
    sc = RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"])
    mine = np.asarray([rouge_row(p, r) for p, r in SUMMARIES]).mean(0)
    for i, k in enumerate(("rouge1", "rouge2", "rougeL", "rougeLsum")):
        rows.append(("summarization", f"{len(SUMMARIES)} summaries: {k}", mine[i], float(np.mean([sc.score(r, p)[k].fmeasure for p, r in SUMMARIES]))))
    e = np.asarray([word_errors(r, h) for r, h in SPEECH], dtype=float)
    rows.append(("automatic-speech-recognition", f"{len(SPEECH)} transcripts: wer", e[:, 0].sum() / e[:, 1].sum(),
                 jiwer.wer([r for r, _ in SPEECH], [h for _, h in SPEECH])))
    for seed in (0, 1, 2):
        gt, dets, truth, found = coco_fixture(seed)
        ref = pycoco_stats(gt, dets)
        st = detection_stats(truth, found)
        n_boxes = len(gt["annotations"])
        rows.append(("object-detection", f"scene {seed} ({n_boxes} boxes): mAP@[.5:.95]", coco_map(st), ref[0]))
        rows.append(("object-detection", f"scene {seed}: AP50", coco_map(st, thresholds=slice(0, 1)), ref[1]))
    rows.append(coco_file_row(coco_fixture(3)))
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(200, 10))
    gold = rng.integers(0, 10, size=200)
    hits = (np.argsort(-logits, axis=1)[:, :5] == gold[:, None]).any(axis=1).mean()
    rows.append(("image-classification", "200 rows x 10 classes: top5_accuracy", float(hits),
                 float(top_k_accuracy_score(gold, logits, k=5, labels=range(10)))))
    print(f"{'runner':<30} {'fixture: metric':<42} {'ptmvet':>10} {'reference':>10} {'|diff|':>9}")
    for task, fixture, a, b in rows:
        print(f"{task:<30} {fixture:<42} {a:10.6f} {b:10.6f} {abs(a - b):9.1e}")
    print("references: SQuAD v1.1 script functions, rouge-score, jiwer, pycocotools, scikit-learn")


if __name__ == "__main__":
    main()
