"""Automatic speech recognition, scored with WER: CTC models (wav2vec 2.0, HuBERT, ...) and
sequence-to-sequence models (Whisper, Speech2Text) that transcribe with ``generate``.

Audio comes from WAV files (paths relative to the data file, read with the
standard library's ``wave``: 8/16/32-bit PCM, channels averaged) or from
``datasets`` audio cells (``{"array", "sampling_rate"}`` or WAV ``bytes``).
Audio at another rate than the feature extractor's is resampled linearly (a
note says so). CTC logits are decoded greedily (argmax, the processor's CTC
collapse); a sequence-to-sequence model generates with the package's own generation
settings (``generation_config.json``: language, task, beams, length) and its text is
decoded without special tokens. Whisper reads a fixed window (30 s for the released
models): a longer utterance is cut to it, and a note says how many were. Only the
word errors and reference words of each utterance are kept; the corpus WER is their ratio (``jiwer``'s default: no text normalisation).
"""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset, resolve_data_path
from ptmvet.evaluate.metrics import Predictions
from ptmvet.evaluate.tasks.inference import Inference, hf_inference, local_pretrained
from ptmvet.evaluate.tasks.interface import RunOptions, RunOutput, UnsupportedTask, library_versions
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


def is_seq2seq(model_path: Path) -> bool:
    """Whether the package is an encoder-decoder speech model (Whisper, Speech2Text), from its config.json."""
    try:
        cfg = json.loads((model_path / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(cfg, Mapping):
        return False
    archs = " ".join(str(a) for a in cfg.get("architectures") or [])
    return bool(cfg.get("is_encoder_decoder")) or "ForConditionalGeneration" in archs or "SpeechEncoderDecoder" in archs


class SpeechRecognitionRunner:
    task = "automatic-speech-recognition"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        feature = "speech recognition"
        seq2seq = is_seq2seq(model_path)
        auto = "AutoModelForSpeechSeq2Seq" if seq2seq else "AutoModelForCTC"
        stack = ExitStack()
        try:
            inf = stack.enter_context(hf_inference(auto, model_path, options, progress, feature=feature, unit="utterances"))
        except ValueError as exc:  # transformers: this config is not one of the auto class's models
            raise UnsupportedTask(f"{model_path}: not a {'sequence-to-sequence' if seq2seq else 'CTC'} speech model ({exc})") from exc
        with stack:
            return self._run(inf, model_path, data, columns, seq2seq=seq2seq)

    def _run(self, inf: Inference, model_path: Path, data: Dataset, columns: ColumnMap, *, seq2seq: bool) -> RunOutput:
        proc = local_pretrained("AutoProcessor", model_path, what="processor", feature="speech recognition")
        fe = proc.feature_extractor
        target = int(getattr(fe, "sampling_rate", 16000))
        # Whisper's feature extractor pads every utterance to its fixed window (n_samples) and cuts longer ones.
        window = int(getattr(fe, "n_samples", 0) or 0) if seq2seq else 0
        c_audio, c_text = columns["audio"], columns["transcript"]
        base = data.path.parent if data.path.is_file() else data.path
        rows: list[tuple[int, int]] = []
        resampled = cut = 0
        # Without an attention mask (group-norm wav2vec 2.0) zero padding changes a CTC model's output: one utterance a pass.
        batched = seq2seq or bool(getattr(fe, "return_attention_mask", False))
        for batch in inf.chunks(data):
            n = len(batch[c_text])
            for sel in inf.batches(n, size=None if batched else 1):
                audios = []
                for i in sel:
                    x, rate = load_audio(batch[c_audio][int(i)], base)
                    resampled += rate != target
                    audios.append(resample(x, rate, target))
                cut += sum(a.size > window for a in audios) if window else 0
                if seq2seq:
                    inputs = proc(audios, sampling_rate=target, return_tensors="pt", **({} if window else {"padding": True}))
                    hyps = proc.batch_decode(inf.generate(inputs), skip_special_tokens=True)
                else:
                    inputs = proc(audios, sampling_rate=target, return_tensors="pt", padding=True)
                    ids = inf.forward(inputs).logits.argmax(-1).cpu()
                    if "attention_mask" in inputs:  # frames of the padding would decode into extra characters
                        frames = inf.model._get_feat_extract_output_lengths(inputs["attention_mask"].sum(-1)).tolist()
                        hyps = [proc.decode(ids[j, : int(f)]) for j, f in enumerate(frames)]
                    else:
                        hyps = proc.batch_decode(ids)
                refs = [str(batch[c_text][int(i)]) for i in sel]
                rows.extend(word_errors(r, h) for r, h in zip(refs, hyps, strict=True))
        inf.require_rows(data)
        notes: list[str] = []
        if resampled:
            notes.append(f"{resampled} utterances resampled linearly to {target} Hz")
        if cut:
            notes.append(f"{cut} utterances longer than the model's {window / target:g} s window were cut to it (the rest is not transcribed)")
        pred = Predictions("scores", np.asarray(rows, dtype=np.float64), np.zeros(len(rows)), columns=("word_errors", "reference_words"))
        return RunOutput(predictions=pred, rows=len(rows), weight_files=inf.weight_files, notes=tuple(notes),
                         libraries=library_versions("torch", "transformers"), seconds=inf.seconds)


RUNNER = SpeechRecognitionRunner()
