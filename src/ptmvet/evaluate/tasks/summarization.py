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

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.metrics import Predictions
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
        import torch

        tr = require("transformers", "summarization")
        configure_threads(options)
        model, hashes = load_hf_model(tr.AutoModelForSeq2SeqLM, model_path, allow_pickle=options.allow_pickle)
        model.to(options.device)
        tok = tr.AutoTokenizer.from_pretrained(str(model_path), local_files_only=True, trust_remote_code=False)
        max_len = options.max_length or min(int(getattr(tok, "model_max_length", 1024) or 1024), 1024)
        prefix = summarization_prefix(model)
        pad_id = int(tok.pad_token_id or 0)
        gen = getattr(model, "generation_config", None)
        max_new = int(getattr(gen, "max_new_tokens", None) or MAX_NEW_TOKENS)
        c_src, c_sum = columns["source"], columns["summary"]
        meter = Meter(progress, "summaries")
        rows: list[tuple[float, float, float, float]] = []
        at_max = 0
        with torch.inference_mode():
            for batch in data.batches(options.chunk_rows):
                srcs = [prefix + str(x) for x in batch[c_src]]
                refs = [str(x) for x in batch[c_sum]]
                enc = tok(srcs, truncation=True, max_length=max_len)
                lengths = np.fromiter((len(x) for x in enc["input_ids"]), dtype=np.int64, count=len(srcs))
                at_max += int((lengths >= max_len).sum())
                order = np.argsort(lengths, kind="stable")
                preds: list[str] = [""] * len(srcs)
                for start in range(0, len(srcs), options.batch):
                    sel = order[start : start + options.batch]
                    inputs = pad([{k: enc[k][int(i)] for k in ("input_ids", "attention_mask")} for i in sel], pad_id)
                    out = model.generate(**{k: v.to(options.device) for k, v in inputs.items()}, max_new_tokens=max_new)
                    for i, text in zip(sel, tok.batch_decode(out, skip_special_tokens=True), strict=True):
                        preds[int(i)] = text
                rows.extend(rouge_row(p, r) for p, r in zip(preds, refs, strict=True))
                meter.add(len(srcs))
        if not rows:
            raise InputError(f"{data.path.name}: no rows", path=str(data.path))
        notes = (f"{at_max} sources reached the maximum length of {max_len} tokens (truncated)",) if at_max else ()
        pred = Predictions("scores", np.asarray(rows, dtype=np.float64), np.zeros(len(rows)), columns=("rouge1", "rouge2", "rougeL", "rougeLsum"))
        return RunOutput(predictions=pred, rows=len(rows), weight_files=hashes, notes=notes,
                         libraries=library_versions("torch", "transformers"), seconds=meter.seconds)


RUNNER = SummarizationRunner()
