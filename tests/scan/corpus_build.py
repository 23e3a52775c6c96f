"""Builders for the scan tests: malicious and benign model files, made in tmp_path.

Payload files are written with ``pickle.dumps`` (dumping is safe); nothing here
ever loads them. Each payload would create ``canary`` if it ever ran.
"""

from __future__ import annotations

import os
import pickle
import runpy
import subprocess
from pathlib import Path


class Payload:
    """An object whose unpickling calls ``func(*args)``."""

    def __init__(self, func: object, args: tuple[object, ...]) -> None:
        self.func = func
        self.args = args

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (self.func, self.args)


def _legacy_magic() -> bytes:
    return pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)


def build_malicious(d: Path, canary: Path) -> dict[str, Path]:
    """Every file here must be flagged dangerous; the name says what it hides."""
    import joblib
    import numpy as np
    import torch

    cmd = f"touch {canary}"
    code = f"open({str(canary)!r}, 'w').write('ran')"
    out: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        (d / name).write_bytes(data)
        out[name] = d / name

    for proto in range(6):
        nested = {"layer": [1, 2, {"deep": (Payload(os.system, (cmd,)),)}]}
        put(f"os_system_p{proto}.pkl", pickle.dumps(nested, protocol=proto))
    put("eval.pkl", pickle.dumps(Payload(eval, (code,))))
    put("exec.pkl", pickle.dumps(Payload(exec, (code,)), protocol=2))
    put("runpy.pkl", pickle.dumps(Payload(runpy._run_code, (code, {})), protocol=4))
    put("subprocess.pkl", pickle.dumps(Payload(subprocess.Popen, (["touch", str(canary)],)), protocol=3))
    # getattr(__import__('os'), 'system')(cmd), protocol 0, written by hand
    put("getattr_chain.pkl", b"cbuiltins\ngetattr\n(cbuiltins\n__import__\n(Vos\ntRVsystem\ntR(V" + cmd.encode() + b"\ntR.")
    # getattr used once the benign enum way, then reused through the memo on something else
    put(
        "getattr_reuse.pkl",
        b"\x80\x02cbuiltins\ngetattr\nq\x00ctransformers.trainer_utils\nIntervalStrategy\nX\x05\x00\x00\x00EPOCH\x86R0"
        b"h\x00ccollections\nOrderedDict\nX\x08\x00\x00\x00__init__\x86R.",
    )
    # STACK_GLOBAL whose module and name come from memoised strings
    s_mod, s_name = b"os", b"system"
    put(
        "stack_global_memo.pkl",
        b"\x80\x04\x8c" + bytes([len(s_mod)]) + s_mod + b"\x94" + b"0"
        b"\x8c" + bytes([len(s_name)]) + s_name + b"\x94" + b"0"
        b"h\x00h\x01\x93\x8c" + bytes([len(cmd)]) + cmd.encode() + b"\x85R.",
    )
    # STACK_GLOBAL whose module is computed at load time: str("os")
    put("stack_global_dynamic.pkl", b"\x80\x04cbuiltins\nstr\n\x8c\x02os\x85R\x8c\x06system\x93\x8c" + bytes([len(cmd)]) + cmd.encode() + b"\x85R.")
    # PyTorch zip archive, payload nested in a state dict
    torch.save({"w": torch.zeros(2, 2), "meta": {"x": [Payload(os.system, (cmd,))]}}, d / "torch_zip.pt")
    out["torch_zip.pt"] = d / "torch_zip.pt"
    # legacy PyTorch file written by torch.save
    torch.save({"w": torch.zeros(2), "p": Payload(os.system, (cmd,))}, d / "torch_legacy.pt", _use_new_zipfile_serialization=False)
    out["torch_legacy.pt"] = d / "torch_legacy.pt"
    # legacy layout written by hand: the payload hides in the sys-info pickle (the 3rd of 5)
    put(
        "torch_legacy_sysinfo.bin",
        _legacy_magic() + pickle.dumps(1001, protocol=2) + pickle.dumps(Payload(os.system, (cmd,)), protocol=2)
        + pickle.dumps({"w": 1}, protocol=2) + pickle.dumps([], protocol=2),
    )
    joblib.dump({"a": np.arange(1000.0), "s": np.array(["ab", "c"]), "p": Payload(os.system, (cmd,))}, d / "model.joblib")
    out["model.joblib"] = d / "model.joblib"
    joblib.dump({"a": np.arange(1000.0), "p": Payload(os.system, (cmd,))}, d / "compressed.joblib", compress=3)
    out["compressed.joblib"] = d / "compressed.joblib"
    np.save(d / "object.npy", np.array([Payload(os.system, (cmd,))], dtype=object), allow_pickle=True)
    out["object.npy"] = d / "object.npy"
    np.savez(d / "object.npz", a=np.arange(3), b=np.array([Payload(os.system, (cmd,))], dtype=object))
    out["object.npz"] = d / "object.npz"
    # no extension: recognised by magic bytes
    put("noext_payload", pickle.dumps(Payload(os.system, (cmd,)), protocol=2))
    return out


def build_benign(d: Path) -> dict[str, Path]:
    """Ordinary files: none may be flagged dangerous."""
    import collections

    import joblib
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    out: dict[str, Path] = {}
    torch.manual_seed(0)
    sd = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3)).state_dict()
    torch.save(sd, d / "pytorch_model.bin")
    torch.save(collections.OrderedDict(sd), d / "legacy.pt", _use_new_zipfile_serialization=False)
    torch.save({"step": 3, "t": torch.arange(5, dtype=torch.int64), "h": torch.ones(2, dtype=torch.bfloat16)}, d / "ckpt.pt")
    rng = np.random.default_rng(0)
    x = rng.random((30, 4))
    y = (x[:, 0] > 0.5).astype(int)
    model = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(x, y)
    (d / "sklearn.pkl").write_bytes(pickle.dumps(model))
    joblib.dump(model, d / "sklearn.joblib")
    joblib.dump({"a": np.arange(100.0), "obj": np.array([1, "x"], dtype=object)}, d / "arrays.joblib")
    for proto in (2, 3, 4, 5):
        (d / f"numpy_p{proto}.pkl").write_bytes(pickle.dumps({"x": np.arange(6.0).reshape(2, 3), "f": np.float32(1.5)}, protocol=proto))
    np.save(d / "plain.npy", np.arange(10))
    np.savez(d / "plain.npz", a=np.arange(3), b=np.ones((2, 2)))
    return {p.name: p for p in sorted(d.iterdir())} | out
