"""Token classification (NER) with a transformers token classifier, scored by entities.

Each row holds a list of words and one tag per word. Words are tokenised with
``is_split_into_words`` (a fast tokenizer is needed for the word alignment);
each word takes the prediction of its first sub-token, as the Hugging Face
token-classification recipes train it. Rows are sorted by token length within
a chunk and batched with dynamic padding. Only per-sentence entity counts
(true, predicted, exactly matching; seqeval's default rules) and a word-level
confusion matrix for the label-map check are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.labels import build_label_map, check_permutation, is_generic
from ptmvet.evaluate.metrics import Predictions, entity_counts
from ptmvet.evaluate.tasks.inference import hf_inference, local_pretrained
from ptmvet.evaluate.tasks.interface import RunOptions, RunOutput, UnsupportedTask, library_versions, pad
from ptmvet.evaluate.tasks.text_classification import id2label
from ptmvet.progress import Progress


def first_subtokens(word_ids: Sequence[int | None]) -> dict[int, int]:
    """word index -> position of its first sub-token (words cut off by truncation are absent)."""
    first: dict[int, int] = {}
    for pos, w in enumerate(word_ids):
        if w is not None and w not in first:
            first[w] = pos
    return first


def _flat(values: list[Any]) -> list[Any]:
    return [t for row in values for t in (row or [])]


class TokenClassificationRunner:
    task = "token-classification"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        feature = "token classification"
        with hf_inference("AutoModelForTokenClassification", model_path, options, progress, feature=feature, unit="sentences") as inf:
            tok = local_pretrained("AutoTokenizer", model_path, what="tokenizer", feature=feature)
            if not getattr(tok, "is_fast", False):
                raise UnsupportedTask(f"{model_path}: word-level alignment needs a fast tokenizer (tokenizer.json)")
            max_len = options.max_length or min(int(getattr(tok, "model_max_length", 512) or 512), 512)
            labels = id2label(inf.model)
            c_words, c_tags = columns["tokens"], columns["tags"]
            label_map = build_label_map(labels, _flat(data.head(2000).get(c_tags, [])), data.tag_names)
            k = label_map.n_classes
            # the tag name of each model class: the model's own names, or the data's when the model's are generic
            display = list(label_map.model_labels)
            if is_generic(display):
                for name, i in label_map.mapping.items():
                    display[i] = name
            pad_id = int(tok.pad_token_id or 0)
            counts: list[np.ndarray[Any, Any]] = []
            cm = np.zeros((k + 1, k + 1), dtype=np.int64)
            cut_words = 0
            for batch in inf.chunks(data):
                row0 = inf.rows
                words = [[str(w) for w in (ws or [])] for ws in batch[c_words]]
                tags = [list(ts or []) for ts in batch[c_tags]]
                for i, (ws, ts) in enumerate(zip(words, tags, strict=True)):
                    if len(ws) != len(ts):
                        raise InputError(f"{data.path.name}: row {row0 + i + 1} has {len(ws)} words and {len(ts)} tags", path=str(data.path))
                n = len(words)
                pred_ids: list[list[int]] = [[] for _ in range(n)]
                live = [i for i in range(n) if words[i]]
                if live:
                    enc = tok([words[i] for i in live], is_split_into_words=True, truncation=True, max_length=max_len)
                    keys = [key for key in ("input_ids", "attention_mask", "token_type_ids") if key in enc]
                    lengths = np.fromiter((len(x) for x in enc["input_ids"]), dtype=np.int64, count=len(live))
                    for sel in inf.batches(len(live), lengths):
                        feats = [{key: enc[key][int(j)] for key in keys} for j in sel]
                        best = inf.forward(pad(feats, pad_id)).logits.argmax(-1).cpu().numpy()
                        for row, j in enumerate(sel):
                            first = first_subtokens(enc.word_ids(int(j)))
                            ws = words[live[int(j)]]
                            cut_words += len(ws) - len(first)
                            # a word cut off by truncation is predicted as no entity ("O")
                            pred_ids[live[int(j)]] = [int(best[row, first[w]]) if w in first else -1 for w in range(len(ws))]
                gold_ids = [[label_map.encode(t) for t in ts] for ts in tags]
                out = np.empty((n, 3), dtype=np.int64)
                for i in range(n):
                    g = [display[x] if x < k else str(label_map_name(tags[i][w], data)) for w, x in enumerate(gold_ids[i])]
                    p = [display[x] if x >= 0 else "O" for x in pred_ids[i]]
                    out[i] = entity_counts(g, p)
                    for gx, px in zip(gold_ids[i], pred_ids[i], strict=True):
                        cm[gx, px if px >= 0 else k] += 1
                counts.append(out)
        inf.require_rows(data)
        notes = list(label_map.notes)
        unknown = int(cm[k].sum())
        if unknown:
            notes.append(f"{unknown} words carry a tag the model does not have (their entities count as missed)")
        if cut_words:
            notes.append(f"{cut_words} words beyond the maximum length of {max_len} tokens were predicted as O")
        per_sentence = np.concatenate(counts)
        return RunOutput(
            predictions=Predictions("entities", per_sentence, np.empty(0, dtype=np.int64)),
            rows=int(per_sentence.shape[0]),
            label_map=label_map,
            permutation=check_permutation(cm[: k + 1, : k + 1], label_map.model_labels),
            notes=tuple(notes),
            weight_files=inf.weight_files,
            libraries=library_versions("torch", "transformers"),
            seconds=inf.seconds,
        )


def label_map_name(value: Any, data: Dataset) -> str:
    """A data tag as text (an index into the data's tag names becomes the name)."""
    names = data.tag_names
    if names and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    return str(value)


RUNNER = TokenClassificationRunner()
