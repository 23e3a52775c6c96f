"""Extractive question answering (SQuAD v1.1 style) with a transformers span model.

Each question and its context are tokenised together (context truncated, long
contexts split into overlapping windows); the answer is the best-scoring span
(start + end logit) inside the context of any window, at most
``MAX_ANSWER_TOKENS`` long, among the ``N_BEST`` best starts and ends (the rules
of transformers' question-answering examples). Exact match and F1 follow the
official SQuAD v1.1 evaluation script; only the two numbers of each question are
kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.metrics import Predictions
from ptmvet.evaluate.tasks.inference import hf_inference, local_pretrained
from ptmvet.evaluate.tasks.interface import RunOptions, RunOutput, UnsupportedTask, library_versions, pad
from ptmvet.evaluate.textmetrics import squad_row
from ptmvet.progress import Progress

N_BEST = 20
MAX_ANSWER_TOKENS = 30
STRIDE = 128


def gold_answers(cell: Any) -> list[str]:
    """The gold answer texts of a cell: SQuAD's ``{"text": [...]}``, a list, a string, or JSON of either."""
    if isinstance(cell, str):
        t = cell.strip()
        if t[:1] in ("{", "["):
            try:
                return gold_answers(json.loads(t))
            except ValueError:
                pass
        return [cell]
    if isinstance(cell, Mapping):
        return gold_answers(cell.get("text", cell.get("answers", [])))
    if isinstance(cell, (list, tuple)):
        return [str(x.get("text", "")) if isinstance(x, Mapping) else str(x) for x in cell]
    return [] if cell is None else [str(cell)]


def best_span(start: Any, end: Any, offsets: list[tuple[int, int]], in_context: list[bool]) -> tuple[float, int, int] | None:
    """(score, char start, char end) of the best span of one window, or None."""
    starts = np.argsort(start)[::-1][:N_BEST]
    ends = np.argsort(end)[::-1][:N_BEST]
    best: tuple[float, int, int] | None = None
    for s in starts:
        if not in_context[s]:
            continue
        for e in ends:
            if not in_context[e] or e < s or e - s + 1 > MAX_ANSWER_TOKENS:
                continue
            score = float(start[s] + end[e])
            if best is None or score > best[0]:
                best = (score, offsets[s][0], offsets[e][1])
    return best


class QuestionAnsweringRunner:
    task = "question-answering"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        feature = "question answering"
        with hf_inference("AutoModelForQuestionAnswering", model_path, options, progress, feature=feature, unit="questions") as inf:
            tok = local_pretrained("AutoTokenizer", model_path, what="tokenizer", feature=feature)
            if not getattr(tok, "is_fast", False):
                raise UnsupportedTask(f"{model_path}: question answering needs a fast tokenizer (tokenizer.json) for character offsets")
            max_len = options.max_length or min(int(getattr(tok, "model_max_length", 384) or 384), 384)
            stride = min(STRIDE, max_len // 4)
            pad_id = int(tok.pad_token_id or 0)
            c_q, c_ctx, c_ans = columns["question"], columns["context"], columns["answers"]
            rows: list[tuple[float, float]] = []
            for batch in inf.chunks(data):
                qs = [str(q).lstrip() for q in batch[c_q]]
                ctxs = [str(c) for c in batch[c_ctx]]
                enc = tok(qs, ctxs, truncation="only_second", max_length=max_len, stride=stride,
                          return_overflowing_tokens=True, return_offsets_mapping=True)
                owner = enc["overflow_to_sample_mapping"]
                keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
                best: list[tuple[float, int, int] | None] = [None] * len(qs)
                for feats in inf.batches(len(owner)):  # windows, in order: a question's windows stay together
                    out = inf.forward(pad([{k: enc[k][int(i)] for k in keys} for i in feats], pad_id))
                    s_log = out.start_logits.float().cpu().numpy()
                    e_log = out.end_logits.float().cpu().numpy()
                    for j, f in enumerate(feats.tolist()):
                        n_tok = len(enc["input_ids"][f])
                        seq = enc.sequence_ids(f)
                        span = best_span(s_log[j, :n_tok], e_log[j, :n_tok], enc["offset_mapping"][f], [x == 1 for x in seq])
                        q = int(owner[f])
                        if span is not None and (best[q] is None or span[0] > best[q][0]):  # type: ignore[index]
                            best[q] = span
                for q, (ctx, cell) in enumerate(zip(ctxs, batch[c_ans], strict=True)):
                    span = best[q]
                    answer = ctx[span[1] : span[2]] if span is not None else ""
                    rows.append(squad_row(answer, gold_answers(cell)))
        inf.require_rows(data)
        y = np.asarray(rows, dtype=np.float64)
        pred = Predictions("scores", y, np.zeros(len(rows)), columns=("exact_match", "f1"))
        return RunOutput(predictions=pred, rows=len(rows), weight_files=inf.weight_files,
                         libraries=library_versions("torch", "transformers"), seconds=inf.seconds)


RUNNER = QuestionAnsweringRunner()
