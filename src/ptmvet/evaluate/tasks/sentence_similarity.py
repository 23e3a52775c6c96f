"""Sentence similarity: cosine similarity of sentence-transformers embeddings vs gold scores.

Each chunk's two sentence lists are encoded in one call; sentence-transformers
sorts them by length and pads each batch to its longest sentence. Only the
gold score and the cosine similarity of each pair are kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.metrics import Predictions
from ptmvet.evaluate.tasks.inference import inference
from ptmvet.evaluate.tasks.interface import (
    RefusedWeights,
    RunOptions,
    RunOutput,
    configure_threads,
    hash_weights,
    library_versions,
    quiet_loading,
    require,
    weight_policy,
)
from ptmvet.progress import Progress


def _transformer_dir(model_path: Path) -> Path:
    """The folder of the Transformer module (modules.json), where its weights are."""
    try:
        modules = json.loads((model_path / "modules.json").read_text("utf-8"))
    except (OSError, ValueError):
        return model_path
    for m in modules if isinstance(modules, list) else []:
        if isinstance(m, dict) and str(m.get("type", "")).endswith("Transformer"):
            return model_path / str(m.get("path") or "")
    return model_path


_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")


def _module_pickles(model_path: Path) -> list[Path]:
    """Pickle weight files of the non-Transformer modules (Dense, ...) that have no safetensors copy.

    sentence-transformers loads those modules itself, so they are checked here
    before anything is loaded.
    """
    try:
        modules = json.loads((model_path / "modules.json").read_text("utf-8"))
    except (OSError, ValueError):
        return []
    found: list[Path] = []
    for m in modules if isinstance(modules, list) else []:
        if not isinstance(m, dict) or str(m.get("type", "")).endswith("Transformer") or not m.get("path"):
            continue
        folder = (model_path / str(m["path"])).resolve()
        if not folder.is_dir() or not folder.is_relative_to(model_path.resolve()) or any(folder.glob("*.safetensors")):
            continue
        found.extend(sorted(p for p in folder.iterdir() if p.suffix.lower() in _PICKLE_SUFFIXES and p.is_file()))
    return found


def load_sentence_model(model_path: Path, options: RunOptions) -> tuple[Any, Mapping[str, str]]:
    """A SentenceTransformer whose weights were checked to be safetensors first."""
    tdir = _transformer_dir(model_path)
    pickles = _module_pickles(model_path)
    if pickles:
        names = ", ".join(str(p.relative_to(model_path.resolve())) for p in pickles)
        raise RefusedWeights(f"{model_path}: module weights only in pickle files ({names}); loading them can run code")
    kind, files = weight_policy(tdir, allow_pickle=options.allow_pickle)
    if kind == "pickle":
        raise RefusedWeights(
            f"{tdir}: sentence-transformers cannot be restricted to weights_only loading; only safetensors are accepted"
        )
    st = require("sentence_transformers", "sentence similarity")
    with quiet_loading():
        model = st.SentenceTransformer(
            str(model_path),
            device=options.device,
            local_files_only=True,
            trust_remote_code=False,
            model_kwargs={"use_safetensors": True},
        )
    if options.max_length:
        model.max_seq_length = options.max_length
    model.eval()
    return model, hash_weights(files, model_path)


def _floats(values: list[Any], path: Path, column: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    try:
        return np.asarray([float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path.name}: column {column!r} holds a non-numeric score ({exc})", path=str(path)) from exc


class SentenceSimilarityRunner:
    task = "sentence-similarity"

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        configure_threads(options)
        model, hashes = load_sentence_model(model_path, options)
        gold: list[np.ndarray[Any, np.dtype[np.float64]]] = []
        sims: list[np.ndarray[Any, np.dtype[np.float64]]] = []
        c1, c2, cs = columns["sentence1"], columns["sentence2"], columns["score"]
        # sentence-transformers batches itself (sorted by length, padded per batch): the shared loop gives it chunks.
        with inference(model, hashes, options, progress, unit="sentence pairs") as inf:
            for batch in inf.chunks(data):
                s1 = [str(x) for x in batch[c1]]
                s2 = [str(x) for x in batch[c2]]
                # A sentence that recurs (STS-B test: 206 of 2,758) is encoded once: same text, same embedding.
                unique = list(dict.fromkeys(s1 + s2))
                emb = model.encode(
                    unique,
                    batch_size=options.batch,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
                row = {t: i for i, t in enumerate(unique)}
                e1 = emb[[row[t] for t in s1]]
                e2 = emb[[row[t] for t in s2]]
                sims.append(np.einsum("ij,ij->i", e1, e2).astype(np.float64))
                gold.append(_floats(batch[cs], data.path, cs))
        inf.require_rows(data)
        pred = Predictions("values", np.concatenate(gold), np.concatenate(sims))
        return RunOutput(
            predictions=pred,
            rows=pred.n,
            weight_files=inf.weight_files,
            libraries=library_versions("torch", "transformers", "sentence-transformers"),
            seconds=inf.seconds,
        )


RUNNER = SentenceSimilarityRunner()
