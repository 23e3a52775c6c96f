"""Real benign model files written by the libraries themselves (torch, transformers, sklearn, numpy, joblib).

Used to measure the allowlist: every file here must scan ``safe``. Nothing is loaded.
"""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _sklearn_models() -> dict[str, Any]:
    import numpy as np
    from sklearn import (
        cluster,
        decomposition,
        ensemble,
        feature_extraction,
        impute,
        linear_model,
        naive_bayes,
        neighbors,
        neural_network,
        pipeline,
        preprocessing,
        svm,
        tree,
    )
    from sklearn.compose import ColumnTransformer

    rng = np.random.default_rng(0)
    x = rng.random((40, 4))
    y = (x[:, 0] > 0.5).astype(int)
    yr = x[:, 1] * 2.0
    text = ["the cat sat", "a dog ran", "the dog sat", "a cat ran"] * 10
    out: dict[str, Any] = {}
    for name, est, target in [
        ("logreg", linear_model.LogisticRegression(), y),
        ("linreg", linear_model.LinearRegression(), yr),
        ("ridge", linear_model.Ridge(), yr),
        ("sgd", linear_model.SGDClassifier(), y),
        ("svc", svm.SVC(), y),
        ("linsvc", svm.LinearSVC(), y),
        ("tree", tree.DecisionTreeClassifier(), y),
        ("forest", ensemble.RandomForestClassifier(n_estimators=3), y),
        ("forest_reg", ensemble.RandomForestRegressor(n_estimators=3), yr),
        ("gboost", ensemble.GradientBoostingClassifier(n_estimators=3), y),
        ("hgboost", ensemble.HistGradientBoostingClassifier(max_iter=3), y),
        ("knn", neighbors.KNeighborsClassifier(), y),
        ("kmeans", cluster.KMeans(n_clusters=2, n_init=1), None),
        ("pca", decomposition.PCA(2), None),
        ("mlp", neural_network.MLPClassifier(max_iter=5), y),
        ("gnb", naive_bayes.GaussianNB(), y),
        ("scaler", preprocessing.StandardScaler(), None),
        ("minmax", preprocessing.MinMaxScaler(), None),
        ("imputer", impute.SimpleImputer(), None),
        (
            "pipeline",
            pipeline.Pipeline([("s", preprocessing.StandardScaler()), ("c", linear_model.LogisticRegression())]),
            y,
        ),
    ]:
        out[name] = est.fit(x, target) if target is not None else est.fit(x)
    out["onehot"] = preprocessing.OneHotEncoder().fit([["a"], ["b"], ["a"]])
    out["labels"] = preprocessing.LabelEncoder().fit(["x", "y", "x"])
    out["tfidf"] = feature_extraction.text.TfidfVectorizer().fit(text)
    out["counts"] = feature_extraction.text.CountVectorizer().fit(text)
    out["columns"] = ColumnTransformer([("s", preprocessing.StandardScaler(), [0, 1])]).fit(x)
    return out


def build_benign_real(d: Path) -> dict[str, Path]:
    """Write the files; returns name -> path. Libraries that are missing are skipped."""
    import joblib
    import numpy as np
    import torch

    out: dict[str, Path] = {}

    def put(name: str, write: Callable[[Path], object]) -> None:
        write(d / name)
        out[name] = d / name

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.LayerNorm(8), torch.nn.Linear(8, 2))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(torch.randn(3, 4)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0)
    opt.step()
    sched.step()
    put("pytorch_model.bin", lambda p: torch.save(model.state_dict(), p))
    put("optimizer.pt", lambda p: torch.save(opt.state_dict(), p))
    put("scheduler.pt", lambda p: torch.save(sched.state_dict(), p))
    rng_state = {"python": random.getstate(), "numpy": np.random.get_state(), "cpu": torch.random.get_rng_state()}
    put("rng_state.pth", lambda p: torch.save(rng_state, p))
    put("legacy_p2.bin", lambda p: torch.save(model.state_dict(), p, _use_new_zipfile_serialization=False))
    put("legacy_p0.bin", lambda p: torch.save(model.state_dict(), p, _use_new_zipfile_serialization=False, pickle_protocol=0))
    mixed = {
        "epoch": 3,
        "best": float("inf"),
        "ids": torch.arange(4),
        "half": torch.ones(2, dtype=torch.float16),
        "bf16": torch.ones(2, dtype=torch.bfloat16),
        "cplx": torch.ones(2, dtype=torch.complex64),
        "bool": torch.ones(2, dtype=torch.bool),
        "param": torch.nn.Parameter(torch.ones(2)),
        "size": torch.Size([2, 3]),
        "dtype": torch.float32,
        "device": torch.device("cpu"),
        "sparse": torch.eye(3).to_sparse(),
        "arr": np.arange(3.0),
    }
    put("checkpoint.ckpt", lambda p: torch.save(mixed, p))
    try:
        from transformers import TrainingArguments

        args = TrainingArguments(output_dir=str(d / "out"), report_to=[])
        put("training_args.bin", lambda p: torch.save(args, p))
    except Exception:  # transformers missing or refusing this torch: the rest still measures
        pass
    try:
        models = _sklearn_models()
    except ImportError:
        models = {}
    for name, est in models.items():
        put(f"sk_{name}.pkl", lambda p, est=est: p.write_bytes(pickle.dumps(est, protocol=4)))
        put(f"sk_{name}.joblib", lambda p, est=est: joblib.dump(est, p))
    put("sk_forest_z.joblib", lambda p: joblib.dump(models.get("forest"), p, compress=3))
    put("np_state.pkl", lambda p: p.write_bytes(pickle.dumps(np.random.RandomState(0), protocol=2)))
    put("np_generator.pkl", lambda p: p.write_bytes(pickle.dumps(np.random.default_rng(0), protocol=4)))
    put(
        "np_values.pkl",
        lambda p: p.write_bytes(
            pickle.dumps(
                {
                    "dt": np.datetime64("2024-01-01"),
                    "td": np.timedelta64(3, "D"),
                    "rec": np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")]),
                    "masked": np.ma.masked_array([1, 2], mask=[0, 1]),
                    "scalars": [np.int64(1), np.float64(2.0), np.bool_(True)],
                    "str": np.array(["a", "bc"]),
                },
                protocol=4,
            )
        ),
    )
    put("arrays.npz", lambda p: np.savez_compressed(p, a=np.arange(3), b=np.ones((2, 2))))
    put("objects.npy", lambda p: np.save(p, np.array([{"k": 1}, [1, 2]], dtype=object), allow_pickle=True))
    return out
