"""Tabular classification and regression with scikit-learn models saved by skops.

The ``.skops`` file is loaded only when every type it names is trusted by
skops by default (``skops.io.get_untrusted_types`` is empty); otherwise it is
refused with the list of types. Features are the model's
``feature_names_in_`` when it has them, else every column but the label. A model
fitted on named columns gets a pandas DataFrame with those names (a
ColumnTransformer selects columns by name, and scikit-learn checks the names);
a column whose every value is a number is numeric, any other stays text (a
category for an encoder), as ``pandas.read_csv`` would read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset
from ptmvet.evaluate.labels import build_label_map
from ptmvet.evaluate.metrics import Predictions
from ptmvet.evaluate.tasks.inference import inference
from ptmvet.evaluate.tasks.interface import (
    RefusedWeights,
    RunOptions,
    RunOutput,
    check_not_pointers,
    hash_weights,
    library_versions,
    require,
)
from ptmvet.evaluate.tasks.text_classification import finish_classification
from ptmvet.progress import Progress


def load_skops(model_path: Path) -> tuple[Any, Path]:
    files = [model_path] if model_path.is_file() else sorted(model_path.glob("*.skops"))
    if not files:
        raise RefusedWeights(f"{model_path}: no .skops file (pickle and joblib models are never loaded)")
    check_not_pointers(files[:1], files[0].parent)
    sio = require("skops.io", "tabular models")
    untrusted = sio.get_untrusted_types(file=str(files[0]))
    if untrusted:
        raise RefusedWeights(f"{files[0].name}: untrusted types {', '.join(untrusted[:5])}", hint="only skops files made of trusted types are loaded")
    return sio.load(str(files[0]), trusted=None), files[0]


def feature_columns(model: Any, data: Dataset, label: str) -> list[str]:
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        cols = [str(n) for n in names]
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise InputError(f"{data.path.name}: the model's features {missing[:5]} are not columns of the data", path=str(data.path))
        return cols
    return [c for c in data.columns if c != label]


def _column(values: list[Any]) -> Any:
    """A column as numbers when every value is one (empty -> NaN), else as text."""
    out: list[float] = []
    for v in values:
        if v is None or (isinstance(v, str) and not v.strip()):
            out.append(float("nan"))
            continue
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            return np.asarray([None if x is None else str(x) for x in values], dtype=object)
    return np.asarray(out, dtype=np.float64)


def feature_frame(batch: dict[str, list[Any]], feats: list[str]) -> Any:
    """The batch as a DataFrame with the model's feature names, in its order."""
    pd = require("pandas", "tabular models fitted on named columns")
    return pd.DataFrame({c: _column(batch[c]) for c in feats}, columns=feats)


def feature_matrix(batch: dict[str, list[Any]], feats: list[str], data: Dataset) -> Any:
    """The batch as a float matrix (a model fitted on an unnamed array)."""
    try:
        return np.asarray([[float(v) for v in batch[c]] for c in feats], dtype=np.float64).T
    except (TypeError, ValueError) as exc:
        raise InputError(f"{data.path.name}: a feature value is not numeric ({exc})", path=str(data.path)) from exc


class TabularRunner:
    def __init__(self, task: str) -> None:
        self.task = task

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        model, file = load_skops(model_path)
        label = columns["label"]
        feats = feature_columns(model, data, label)
        regression = self.task == "tabular-regression"
        classes = [str(c) for c in getattr(model, "classes_", [])]
        label_map = None if regression else build_label_map(classes, data.head(2000).get(label, []), data.label_names)
        ys: list[np.ndarray[Any, Any]] = []
        ps: list[np.ndarray[Any, Any]] = []
        named = getattr(model, "feature_names_in_", None) is not None
        # scikit-learn predicts a whole chunk at once: no torch, no inner batches.
        with inference(model, hash_weights([file], file.parent), options, progress, unit="rows", torch_mode=False) as inf:
            for batch in inf.chunks(data):
                x = feature_frame(batch, feats) if named else feature_matrix(batch, feats, data)
                try:
                    pred = model.predict(x)
                except (TypeError, ValueError, KeyError) as exc:
                    raise InputError(f"{data.path.name}: the model cannot predict on these columns ({' '.join(str(exc).split())[:200]})",
                                     path=str(data.path)) from exc
                if regression:
                    ys.append(np.asarray([float(v) for v in batch[label]]))
                    ps.append(np.asarray(pred, dtype=np.float64))
                else:
                    assert label_map is not None
                    index = {c: i for i, c in enumerate(classes)}
                    ys.append(np.fromiter((label_map.encode(v) for v in batch[label]), dtype=np.int64))
                    ps.append(np.fromiter((index.get(str(p), len(classes)) for p in pred), dtype=np.int64))
        inf.require_rows(data)
        libs = library_versions("scikit-learn", "skops")
        if regression:
            pr = Predictions("values", np.concatenate(ys), np.concatenate(ps))
            return RunOutput(predictions=pr, rows=pr.n, weight_files=inf.weight_files, libraries=libs, seconds=inf.seconds)
        return finish_classification(np.concatenate(ys), np.concatenate(ps), label_map, hashes=inf.weight_files, seconds=inf.seconds,
                                     at_max=0, max_len=0, libraries=libs)


RUNNER = TabularRunner("tabular-classification")


def runner(task: str) -> TabularRunner:
    return TabularRunner(task)
