"""Image classification with a transformers image classifier and its image processor.

Images come from an image folder (one sub-folder per class) or a data column of
paths (relative to the data file), bytes, or ``datasets`` image cells. Each
batch of images is opened, converted to the model's channels (RGB for three),
preprocessed by the package's own ``AutoImageProcessor`` (local files only)
and classified; only the encoded gold label, the predicted class id and whether
the gold class is among the five best-scored (top-5 accuracy) of each image are
kept.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset, open_image
from ptmvet.evaluate.labels import build_label_map
from ptmvet.evaluate.metrics import Predictions
from ptmvet.evaluate.tasks.inference import hf_inference, local_pretrained
from ptmvet.evaluate.tasks.interface import RunOptions, RunOutput, library_versions
from ptmvet.evaluate.tasks.text_classification import finish_classification, id2label
from ptmvet.progress import Progress


def load_images(values: list[Any], base: Path, mode: str) -> list[Any]:
    """Decoded PIL images in ``mode`` (RGB, L); an unreadable one is an InputError naming it."""
    out = []
    for v in values:
        with open_image(v, base) as im:
            try:
                out.append(im.convert(mode) if im.mode != mode else im.copy())
            except OSError as exc:
                raise InputError(f"{str(v)[:80]}: cannot decode the image ({exc})", path=str(v)[:200]) from exc
    return out


class ImageClassificationRunner:
    task = "image-classification"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        feature = "image classification"
        with hf_inference("AutoModelForImageClassification", model_path, options, progress, feature=feature, unit="images") as inf:
            proc = local_pretrained("AutoImageProcessor", model_path, what="image processor (preprocessor_config.json)", feature=feature)
            labels = id2label(inf.model)
            c_img, c_label = columns["image"], columns["label"]
            label_map = build_label_map(labels, data.head(2000).get(c_label, []), data.label_names)
            mode = "RGB" if int(getattr(inf.model.config, "num_channels", 3) or 3) == 3 else "L"
            base = data.path.parent if data.path.is_file() else data.path
            ys: list[np.ndarray[Any, Any]] = []
            ps: list[np.ndarray[Any, Any]] = []
            top5: list[np.ndarray[Any, Any]] = []
            for batch in inf.chunks(data):
                n = len(batch[c_label])
                pred = np.empty(n, dtype=np.int64)
                best = np.empty((n, min(5, label_map.n_classes)), dtype=np.int64)
                for sel in inf.batches(n):
                    images = load_images([batch[c_img][int(i)] for i in sel], base, mode)
                    logits = inf.forward(proc(images=images, return_tensors="pt")).logits.float().cpu()
                    pred[sel] = logits.argmax(-1).numpy()
                    best[sel] = logits.topk(best.shape[1], dim=-1).indices.numpy()
                gold = np.fromiter((label_map.encode(v) for v in batch[c_label]), dtype=np.int64, count=n)
                ys.append(gold)
                ps.append(pred)
                top5.append((best == gold[:, None]).any(axis=1))
        inf.require_rows(data)
        out = finish_classification(
            np.concatenate(ys),
            np.concatenate(ps),
            label_map,
            hashes=inf.weight_files,
            seconds=inf.seconds,
            at_max=0,
            max_len=0,
            libraries=library_versions("torch", "transformers", "pillow"),
        )
        hits = np.concatenate(top5).astype(np.float64)[:, None]
        # Top-5 hits are kept beside the classes: a claim of top-5 accuracy reads them.
        return replace(out, scores=Predictions("scores", hits, np.zeros(hits.shape[0]), columns=("top5",)))


RUNNER = ImageClassificationRunner()
