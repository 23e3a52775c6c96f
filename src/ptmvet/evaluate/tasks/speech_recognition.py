"""Automatic speech recognition with a CTC model (wav2vec 2.0, HuBERT, ...), scored with WER.

Audio comes from WAV files (paths relative to the data file, read with the
standard library's ``wave``: 8/16/32-bit PCM, channels averaged) or from
``datasets`` audio cells (``{"array", "sampling_rate"}`` or WAV ``bytes``).
Audio at another rate than the feature extractor's is resampled linearly (a
note says so). Logits are decoded greedily (argmax, the processor's CTC
collapse). Only the word errors and reference words of each utterance are kept;
the corpus WER is their ratio (``jiwer``'s default: no text normalisation).
"""

from __future__ import annotations

import io
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset, resolve_data_path
from ptmvet.evaluate.metrics import Predictions
from ptmvet.evaluate.tasks.interface import (
    Meter,
    RunOptions,
    RunOutput,
    UnsupportedTask,
    configure_threads,
    library_versions,
    load_hf_model,
    require,
)
from ptmvet.evaluate.textmetrics import word_errors
from ptmvet.progress import Progress


def read_wav(source: Path | bytes) -> tuple[np.ndarray[Any, Any], int]:
    """(mono float32 samples in [-1, 1], sampling rate) of a PCM WAV file or its bytes."""
    name = "<bytes>" if isinstance(source, bytes) else str(source)
    try:
        with wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "rb") as w:
            width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise InputError(f"{name}: not a readable PCM WAV file ({exc})", path=name) from exc
    dtype = {1: np.uint8, 2: np.int16, 4: np.int32}.get(width)
    if dtype is None:
        raise InputError(f"{name}: {8 * width}-bit samples are not supported (8, 16 or 32-bit PCM)", path=name)
    x = np.frombuffer(raw, dtype=dtype).astype(np.float32)
    x = (x - 128.0) / 128.0 if width == 1 else x / float(2 ** (8 * width - 1))
    return x.reshape(-1, channels).mean(axis=1), rate


def load_audio(cell: Any, base: Path) -> tuple[np.ndarray[Any, Any], int]:
    if isinstance(cell, Mapping):
        if cell.get("array") is not None:
            return np.asarray(cell["array"], dtype=np.float32), int(cell.get("sampling_rate") or 16000)
        cell = cell.get("bytes") or cell.get("path")
    if isinstance(cell, (bytes, bytearray)):
        return read_wav(bytes(cell))
    if isinstance(cell, str) and cell.strip():
        return read_wav(resolve_data_path(Path(cell), base))
    raise InputError(f"an audio cell holds {type(cell).__name__}, not a path, bytes or an array")


def resample(x: np.ndarray[Any, Any], rate: int, target: int) -> np.ndarray[Any, Any]:
    if rate == target or x.size == 0:
        return x
    n = max(1, round(x.size * target / rate))
    out: np.ndarray[Any, Any] = np.interp(np.linspace(0, x.size - 1, n), np.arange(x.size), x).astype(np.float32)
    return out


class SpeechRecognitionRunner:
    task = "automatic-speech-recognition"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        import torch

        tr = require("transformers", "speech recognition")
        configure_threads(options)
        try:
            model, hashes = load_hf_model(tr.AutoModelForCTC, model_path, allow_pickle=options.allow_pickle)
        except ValueError as exc:  # an encoder-decoder (Whisper) is not a CTC model
            raise UnsupportedTask(f"{model_path}: only CTC speech models are run ({exc})") from exc
        model.to(options.device)
        proc = tr.AutoProcessor.from_pretrained(str(model_path), local_files_only=True, trust_remote_code=False)
        target = int(getattr(proc.feature_extractor, "sampling_rate", 16000))
        c_audio, c_text = columns["audio"], columns["transcript"]
        base = data.path.parent if data.path.is_file() else data.path
        meter = Meter(progress, "utterances")
        rows: list[tuple[int, int]] = []
        resampled = 0
        # Without an attention mask (group-norm wav2vec 2.0) zero padding changes the output: one utterance a pass.
        step = options.batch if getattr(proc.feature_extractor, "return_attention_mask", False) else 1
        with torch.inference_mode():
            for batch in data.batches(options.chunk_rows):
                n = len(batch[c_text])
                for start in range(0, n, step):
                    audios = []
                    for cell in batch[c_audio][start : start + step]:
                        x, rate = load_audio(cell, base)
                        resampled += rate != target
                        audios.append(resample(x, rate, target))
                    inputs = proc(audios, sampling_rate=target, return_tensors="pt", padding=True)
                    ids = model(**{k: v.to(options.device) for k, v in inputs.items()}).logits.argmax(-1).cpu()
                    if "attention_mask" in inputs:  # frames of the padding would decode into extra characters
                        frames = model._get_feat_extract_output_lengths(inputs["attention_mask"].sum(-1)).tolist()
                        hyps = [proc.decode(ids[i, : int(n)]) for i, n in enumerate(frames)]
                    else:
                        hyps = proc.batch_decode(ids)
                    refs = [str(t) for t in batch[c_text][start : start + step]]
                    rows.extend(word_errors(r, h) for r, h in zip(refs, hyps, strict=True))
                    meter.add(len(audios))
        if not rows:
            raise InputError(f"{data.path.name}: no rows", path=str(data.path))
        notes = (f"{resampled} utterances resampled linearly to {target} Hz",) if resampled else ()
        pred = Predictions("scores", np.asarray(rows, dtype=np.float64), np.zeros(len(rows)), columns=("word_errors", "reference_words"))
        return RunOutput(predictions=pred, rows=len(rows), weight_files=hashes, notes=notes,
                         libraries=library_versions("torch", "transformers"), seconds=meter.seconds)


RUNNER = SpeechRecognitionRunner()
