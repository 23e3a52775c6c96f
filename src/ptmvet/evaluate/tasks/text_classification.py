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

from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.labels import build_label_map, check_permutation
from ptmvet.evaluate.metrics import Predictions, confusion_matrices
from ptmvet.evaluate.tasks.inference import hf_inference, local_pretrained
from ptmvet.evaluate.tasks.interface import RunOptions, RunOutput, library_versions, pad
from ptmvet.progress import Progress


def id2label(model: Any) -> dict[int, str]:
    raw = getattr(model.config, "id2label", None) or {}
    n = int(getattr(model.config, "num_labels", len(raw)) or len(raw))
    return {int(k): str(v) for k, v in raw.items()} if raw else {i: f"LABEL_{i}" for i in range(n)}


class TextClassificationRunner:
    task = "text-classification"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        with hf_inference("AutoModelForSequenceClassification", model_path, options, progress,
                          feature="text classification", unit="rows") as inf:
            tok = local_pretrained("AutoTokenizer", model_path, what="tokenizer", feature="text classification")
            max_len = options.max_length or min(int(getattr(tok, "model_max_length", 512) or 512), 512)
            labels = id2label(inf.model)
            c_label = columns["label"]
            label_map = build_label_map(labels, data.head(2000).get(c_label, []), data.label_names)
            text_a = columns.get("text") or columns["sentence1"]
            text_b = None if columns.get("text") else columns.get("sentence2")
            pad_id = int(tok.pad_token_id or 0)
            ys: list[np.ndarray[Any, Any]] = []
            ps: list[np.ndarray[Any, Any]] = []
            at_max = 0
            for batch in inf.chunks(data):
                a = [str(x) for x in batch[text_a]]
                b = [str(x) for x in batch[text_b]] if text_b else None
                enc = tok(a, b, truncation=True, max_length=max_len) if b is not None else tok(a, truncation=True, max_length=max_len)
                keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
                lengths = np.fromiter((len(x) for x in enc["input_ids"]), dtype=np.int64, count=len(a))
                at_max += int((lengths >= max_len).sum())
                pred = np.empty(len(a), dtype=np.int64)
                for sel in inf.batches(len(a), lengths):
                    logits = inf.forward(pad([{k: enc[k][int(i)] for k in keys} for i in sel], pad_id)).logits
                    pred[sel] = logits.argmax(-1).cpu().numpy()
                ys.append(np.fromiter((label_map.encode(v) for v in batch[c_label]), dtype=np.int64, count=len(a)))
                ps.append(pred)
        inf.require_rows(data)
        return finish_classification(
            np.concatenate(ys),
            np.concatenate(ps),
            label_map,
            hashes=inf.weight_files,
            seconds=inf.seconds,
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
