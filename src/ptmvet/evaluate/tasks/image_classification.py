"""Image classification with a transformers image classifier and its image processor.

Images come from an image folder (one sub-folder per class) or a data column of
paths (relative to the data file), bytes, or ``datasets`` image cells. Each
batch of images is opened, converted to the model's channels (RGB for three),
preprocessed by the package's own ``AutoImageProcessor`` (local files only)
and classified; only the encoded gold label and the predicted class id of each
image are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset, open_image
from ptmvet.evaluate.labels import build_label_map
from ptmvet.evaluate.tasks.interface import (
    Meter,
    RunOptions,
    RunOutput,
    configure_threads,
    library_versions,
    load_hf_model,
    require,
)
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
        import torch

        tr = require("transformers", "image classification")
        configure_threads(options)
        model, hashes = load_hf_model(tr.AutoModelForImageClassification, model_path, allow_pickle=options.allow_pickle)
        try:
            proc = tr.AutoImageProcessor.from_pretrained(str(model_path), local_files_only=True, trust_remote_code=False)
        except (OSError, ValueError) as exc:
            raise InputError(f"{model_path}: no usable image processor (preprocessor_config.json): {exc}", path=str(model_path)) from exc
        labels = id2label(model)
        c_img, c_label = columns["image"], columns["label"]
        label_map = build_label_map(labels, data.head(2000).get(c_label, []), data.label_names)
        mode = "RGB" if int(getattr(model.config, "num_channels", 3) or 3) == 3 else "L"
        base = data.path.parent if data.path.is_file() else data.path
        meter = Meter(progress, "images")
        ys: list[np.ndarray[Any, Any]] = []
        ps: list[np.ndarray[Any, Any]] = []
        with torch.inference_mode():
            for batch in data.batches(options.chunk_rows):
                n = len(batch[c_label])
                pred = np.empty(n, dtype=np.int64)
                for start in range(0, n, options.batch_size):
                    images = load_images(batch[c_img][start : start + options.batch_size], base, mode)
                    inputs = proc(images=images, return_tensors="pt")
                    pred[start : start + len(images)] = model(**inputs).logits.argmax(-1).numpy()
                    meter.add(len(images))
                ys.append(np.fromiter((label_map.encode(v) for v in batch[c_label]), dtype=np.int64, count=n))
                ps.append(pred)
        if not ys:
            raise InputError(f"{data.path.name}: no rows", path=str(data.path))
        return finish_classification(
            np.concatenate(ys),
            np.concatenate(ps),
            label_map,
            hashes=hashes,
            seconds=meter.seconds,
            at_max=0,
            max_len=0,
            libraries=library_versions("torch", "transformers", "pillow"),
        )


RUNNER = ImageClassificationRunner()
