"""Object detection with a transformers detector (DETR, YOLOS, ...), scored with COCO box mAP.

Each row is an image and its ground-truth ``objects``: ``{"bbox": [[x, y, w, h], ...],
"category": [...], "iscrowd": [...]}`` (the Hub's detection datasets, COCO boxes in
pixels) or a list of ``{"bbox", "category_id"}`` objects, as a cell or JSON text.
Categories are model class ids when they are integers, else matched to the
model's label names. Every detection the model makes is kept, whatever its
score: ``post_process_object_detection`` runs with threshold 0, because a
confidence cut removes the low-scored tail that average precision integrates
over. mAP follows pycocotools (see ``evaluate/detection.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.detection import Box, detection_stats
from ptmvet.evaluate.metrics import Predictions
from ptmvet.evaluate.tasks.image_classification import load_images
from ptmvet.evaluate.tasks.inference import hf_inference, local_pretrained
from ptmvet.evaluate.tasks.interface import RunOptions, RunOutput, library_versions
from ptmvet.evaluate.tasks.text_classification import id2label
from ptmvet.progress import Progress


def parse_objects(cell: Any, names: Mapping[str, int]) -> tuple[list[Box], int]:
    """Ground-truth boxes of one image, and how many had a category the model does not know."""
    if isinstance(cell, str):
        try:
            cell = json.loads(cell)
        except ValueError as exc:
            raise InputError(f"an objects cell is not JSON ({exc})") from exc
    if isinstance(cell, Mapping):
        bboxes = list(cell.get("bbox") or cell.get("boxes") or [])
        raw = cell.get("category") if cell.get("category") is not None else cell.get("category_id") or cell.get("label")
        cats = list(raw) if isinstance(raw, (list, tuple)) else []
        crowd = list(cell.get("iscrowd") or [0] * len(bboxes))
        items = [{"bbox": b, "category": c, "iscrowd": k} for b, c, k in zip(bboxes, cats, crowd, strict=False)]
    elif isinstance(cell, list):
        items = [dict(o) for o in cell if isinstance(o, Mapping)]
    else:
        items = []
    boxes: list[Box] = []
    unknown = 0
    for o in items:
        cat = o.get("category", o.get("category_id", o.get("label")))
        bb = o.get("bbox")
        if not isinstance(bb, (list, tuple)) or len(bb) != 4:
            raise InputError(f"a ground-truth box is not [x, y, width, height]: {str(bb)[:60]}")
        if isinstance(cat, (int, np.integer)) or (isinstance(cat, str) and cat.strip().isdigit()):
            cid = int(cat)
        else:
            cid = names.get(str(cat).strip().lower(), -1)
            unknown += cid == -1
        x, y, w, h = (float(v) for v in bb)
        boxes.append(Box(cid, x, y, w, h, crowd=bool(o.get("iscrowd", 0))))
    return boxes, unknown


class ObjectDetectionRunner:
    task = "object-detection"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        import torch

        feature = "object detection"
        with hf_inference("AutoModelForObjectDetection", model_path, options, progress, feature=feature, unit="images") as inf:
            proc = local_pretrained("AutoImageProcessor", model_path, what="image processor (preprocessor_config.json)", feature=feature)
            names = {v.lower(): k for k, v in id2label(inf.model).items()}
            c_img, c_obj = columns["image"], columns["objects"]
            base = data.path.parent if data.path.is_file() else data.path
            truth: list[list[Box]] = []
            dets: list[list[Box]] = []
            unknown = 0
            for batch in inf.chunks(data):
                for sel in inf.batches(len(batch[c_img])):
                    images = load_images([batch[c_img][int(i)] for i in sel], base, "RGB")
                    out = inf.forward(proc(images=images, return_tensors="pt"))
                    sizes = torch.tensor([(im.height, im.width) for im in images])
                    results = proc.post_process_object_detection(out, threshold=0.0, target_sizes=sizes)
                    for res in results:
                        xyxy = res["boxes"].float().cpu().numpy()
                        dets.append([Box(int(c), float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1]), score=float(s))
                                     for b, s, c in zip(xyxy, res["scores"].float().cpu().numpy(), res["labels"].cpu().numpy(), strict=True)])
                for cell in batch[c_obj]:
                    boxes, bad = parse_objects(cell, names)
                    truth.append(boxes)
                    unknown += bad
        inf.require_rows(data)
        notes = (f"{unknown} ground-truth boxes name a category the model does not have (never detected)",) if unknown else ()
        stats = detection_stats(truth, dets)
        pred = Predictions("detections", np.arange(len(truth)), np.zeros(len(truth)), payload=stats)
        return RunOutput(predictions=pred, rows=len(truth), weight_files=inf.weight_files, notes=notes,
                         libraries=library_versions("torch", "transformers", "pillow"), seconds=inf.seconds)


RUNNER = ObjectDetectionRunner()
