"""Text and text-pair classification with a transformers sequence classifier.

Rows are read in chunks, tokenised once, sorted by token length and batched
with dynamic padding, so short rows do not pay for long ones. Only the
encoded gold label and the predicted class id of each row are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.labels import build_label_map, check_permutation
from ptmvet.evaluate.metrics import Predictions, confusion_matrices
from ptmvet.evaluate.tasks.interface import (
    Meter,
    RunOptions,
    RunOutput,
    configure_threads,
    library_versions,
    load_hf_model,
    pad,
    require,
)
from ptmvet.progress import Progress


def id2label(model: Any) -> dict[int, str]:
    raw = getattr(model.config, "id2label", None) or {}
    n = int(getattr(model.config, "num_labels", len(raw)) or len(raw))
    return {int(k): str(v) for k, v in raw.items()} if raw else {i: f"LABEL_{i}" for i in range(n)}


class TextClassificationRunner:
    task = "text-classification"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        import torch

        tr = require("transformers", "text classification")
        configure_threads(options)
        model, hashes = load_hf_model(tr.AutoModelForSequenceClassification, model_path, allow_pickle=options.allow_pickle)
        model.to(options.device)
        tok = tr.AutoTokenizer.from_pretrained(str(model_path), local_files_only=True, trust_remote_code=False)
        max_len = options.max_length or min(int(getattr(tok, "model_max_length", 512) or 512), 512)
        labels = id2label(model)
        c_label = columns["label"]
        sample = data.head(2000)
        label_map = build_label_map(labels, sample.get(c_label, []), data.label_names)
        text_a = columns.get("text") or columns["sentence1"]
        text_b = None if columns.get("text") else columns.get("sentence2")
        pad_id = int(tok.pad_token_id or 0)
        meter = Meter(progress, "rows")
        ys: list[np.ndarray[Any, Any]] = []
        ps: list[np.ndarray[Any, Any]] = []
        at_max = 0
        with torch.inference_mode():
            for batch in data.batches(options.chunk_rows):
                a = [str(x) for x in batch[text_a]]
                b = [str(x) for x in batch[text_b]] if text_b else None
                enc = tok(a, b, truncation=True, max_length=max_len) if b is not None else tok(a, truncation=True, max_length=max_len)
                keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
                lengths = np.fromiter((len(x) for x in enc["input_ids"]), dtype=np.int64, count=len(a))
                at_max += int((lengths >= max_len).sum())
                order = np.argsort(lengths, kind="stable")
                pred = np.empty(len(a), dtype=np.int64)
                for start in range(0, len(a), options.batch):
                    sel = order[start : start + options.batch]
                    feats = [{k: enc[k][int(i)] for k in keys} for i in sel]
                    logits = model(**{k: v.to(options.device) for k, v in pad(feats, pad_id).items()}).logits
                    pred[sel] = logits.argmax(-1).cpu().numpy()
                ys.append(np.fromiter((label_map.encode(v) for v in batch[c_label]), dtype=np.int64, count=len(a)))
                ps.append(pred)
                meter.add(len(a))
        if not ys:
            raise InputError(f"{data.path.name}: no rows", path=str(data.path))
        return finish_classification(
            np.concatenate(ys),
            np.concatenate(ps),
            label_map,
            hashes=hashes,
            seconds=meter.seconds,
            at_max=at_max,
            max_len=max_len,
            libraries=library_versions("torch", "transformers"),
        )


def finish_classification(
    y: np.ndarray[Any, Any],
    p: np.ndarray[Any, Any],
    label_map: Any,
    *,
    hashes: Mapping[str, str],
    seconds: float,
    at_max: int,
    max_len: int,
    libraries: dict[str, str],
) -> RunOutput:
    """Predictions, label-map check and notes shared by the classification runners."""
    k = label_map.n_classes
    notes = list(label_map.notes)
    unknown = int((y >= k).sum())
    if unknown:
        notes.append(f"{unknown} rows carry a label the model does not have (counted as wrong)")
    if at_max:
        notes.append(f"{at_max} rows reached the maximum length of {max_len} tokens (truncated)")
    n_classes = k + (1 if unknown else 0)
    pred = Predictions("classes", y, p, n_classes=n_classes, pos_label=min(1, k - 1))
    perm = check_permutation(confusion_matrices(y, p, n_classes), label_map.model_labels)
    alt = None
    if perm.suspect:
        inverse = {label_map.model_labels.index(declared): label_map.model_labels.index(fits) for declared, fits in perm.suggested.items()}
        remap = np.arange(n_classes)
        for src, dst in inverse.items():
            remap[src] = dst
        alt = Predictions("classes", y, remap[p], n_classes=n_classes, pos_label=pred.pos_label)
    return RunOutput(
        predictions=pred,
        rows=int(y.shape[0]),
        label_map=label_map,
        permutation=perm,
        alternative=alt,
        notes=tuple(notes),
        weight_files=hashes,
        libraries=libraries,
        seconds=seconds,
    )


RUNNER = TextClassificationRunner()
