"""Summarization with a transformers sequence-to-sequence model, scored with ROUGE-1/2/L.

Sources are tokenised (truncated to the model's maximum), sorted by length and
generated in batches with the package's own generation settings (beams, length
penalty, ``max_new_tokens``; at most ``MAX_NEW_TOKENS`` new tokens when it sets none); a T5-style task prefix
from the config (``task_specific_params.summarization.prefix``) is prepended.
Only the four ROUGE F-measures of each row are kept (rouge-score's rules, no
stemming; ROUGE-Lsum splits summaries into sentences at newlines, so a reference
written one sentence a line is scored sentence by sentence).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.metrics import Predictions
from ptmvet.evaluate.tasks.inference import hf_inference, local_pretrained
from ptmvet.evaluate.tasks.interface import RunOptions, RunOutput, library_versions, pad
from ptmvet.evaluate.textmetrics import rouge_row
from ptmvet.progress import Progress

MAX_NEW_TOKENS = 128


def summarization_prefix(model: Any) -> str:
    params = getattr(model.config, "task_specific_params", None) or {}
    summ = params.get("summarization") if isinstance(params, dict) else None
    return str(summ.get("prefix", "")) if isinstance(summ, dict) else ""


class SummarizationRunner:
    task = "summarization"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        with hf_inference("AutoModelForSeq2SeqLM", model_path, options, progress, feature="summarization", unit="summaries") as inf:
            tok = local_pretrained("AutoTokenizer", model_path, what="tokenizer", feature="summarization")
            max_len = options.max_length or min(int(getattr(tok, "model_max_length", 1024) or 1024), 1024)
            prefix = summarization_prefix(inf.model)
            pad_id = int(tok.pad_token_id or 0)
            gen = getattr(inf.model, "generation_config", None)
            max_new = int(getattr(gen, "max_new_tokens", None) or MAX_NEW_TOKENS)
            c_src, c_sum = columns["source"], columns["summary"]
            rows: list[tuple[float, float, float, float]] = []
            at_max = 0
            for batch in inf.chunks(data):
                srcs = [prefix + str(x) for x in batch[c_src]]
                refs = [str(x) for x in batch[c_sum]]
                enc = tok(srcs, truncation=True, max_length=max_len)
                lengths = np.fromiter((len(x) for x in enc["input_ids"]), dtype=np.int64, count=len(srcs))
                at_max += int((lengths >= max_len).sum())
                preds: list[str] = [""] * len(srcs)
                for sel in inf.batches(len(srcs), lengths):
                    inputs = pad([{k: enc[k][int(i)] for k in ("input_ids", "attention_mask")} for i in sel], pad_id)
                    out = inf.generate(inputs, max_new_tokens=max_new)
                    for i, text in zip(sel, tok.batch_decode(out, skip_special_tokens=True), strict=True):
                        preds[int(i)] = text
                rows.extend(rouge_row(p, r) for p, r in zip(preds, refs, strict=True))
        inf.require_rows(data)
        notes = (f"{at_max} sources reached the maximum length of {max_len} tokens (truncated)",) if at_max else ()
        pred = Predictions("scores", np.asarray(rows, dtype=np.float64), np.zeros(len(rows)), columns=("rouge1", "rouge2", "rougeL", "rougeLsum"))
        return RunOutput(predictions=pred, rows=len(rows), weight_files=inf.weight_files, notes=notes,
                         libraries=library_versions("torch", "transformers"), seconds=inf.seconds)


RUNNER = SummarizationRunner()
