"""Header validation (safetensors, GGUF, ONNX) and bounded behaviour on hostile input."""

from __future__ import annotations

import json
import struct
import time
import zipfile
from pathlib import Path

import pytest

from ptmvet.scan import PickleLimits, Verdict, scan_file, scan_pickle
from ptmvet.scan.headers import parse_safetensors_header


def _safetensors(tensors: dict[str, dict[str, object]], data: bytes) -> bytes:
    header = json.dumps(tensors).encode()
    return struct.pack("<Q", len(header)) + header + data


def test_real_safetensors_file_is_safe(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    st = pytest.importorskip("safetensors.numpy")
    st.save_file({"a": np.zeros((3, 4), dtype=np.float32), "b": np.ones(5, dtype=np.int64)}, str(tmp_path / "m.safetensors"))
    r = scan_file(tmp_path / "m.safetensors")
    assert r.format == "safetensors" and r.verdict is Verdict.SAFE
    assert r.details["tensors"] == 2 and r.details["parameters"] == 17


@pytest.mark.parametrize(
    ("tensors", "data", "code"),
    [
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}}, b"\0" * 8, "out-of-bounds"),
        ({"a": {"dtype": "F33", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8, "bad-dtype"),
        ({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8, "bad-shape"),
        ({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8, "size-mismatch"),
        (
            {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}},
            b"\0" * 12,
            "overlap",
        ),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 12, "gap"),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}, b"\0" * 8, "bad-offsets"),
    ],
)
def test_malformed_safetensors(tmp_path: Path, tensors: dict[str, dict[str, object]], data: bytes, code: str) -> None:
    path = tmp_path / "bad.safetensors"
    path.write_bytes(_safetensors(tensors, data))
    r = scan_file(path)
    assert r.verdict is Verdict.MALFORMED
    assert code in {i.code for i in r.issues}


def test_safetensors_header_edge_cases() -> None:
    assert parse_safetensors_header(b"\x05", 1).issues[0].code == "truncated"
    huge = struct.pack("<Q", 1 << 40)
    assert parse_safetensors_header(huge, 1 << 41).issues[0].code == "bad-header"
    dup = b'{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "a": {}}'
    assert "duplicate" in parse_safetensors_header(struct.pack("<Q", len(dup)) + dup + b"\0", 8 + len(dup) + 1).issues[0].message
    deep = b"{" + b'"a":' * 1 + b"[" * 100_000 + b"]" * 100_000 + b"}"
    res = parse_safetensors_header(struct.pack("<Q", len(deep)) + deep, 8 + len(deep))
    assert res.issues  # RecursionError becomes a finding


def test_gguf_valid_and_truncated(tmp_path: Path) -> None:
    gguf = pytest.importorskip("gguf")
    np = pytest.importorskip("numpy")
    path = tmp_path / "m.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("tiny")
    w.add_uint32("tiny.count", 7)
    w.add_array("tiny.list", [1, 2, 3])
    w.add_tensor("w", np.zeros((4, 8), dtype=np.float32))
    w.add_tensor("b", np.ones(8, dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    r = scan_file(path)
    assert r.format == "gguf" and r.verdict is Verdict.SAFE, r.issues
    assert r.details["tensors"] == 2 and r.details["metadata"]["general.architecture"] == "llama"
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(path.read_bytes()[:100])
    r2 = scan_file(cut)
    assert r2.verdict is Verdict.MALFORMED
    bad = tmp_path / "count.gguf"
    bad.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 1 << 40, 1))
    assert scan_file(bad).issues[0].code == "bad-count"


def test_onnx_header_and_escaping_external_data(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    node = helper.make_node("Add", ["x", "w"], ["y"])
    w = helper.make_tensor("w", TensorProto.FLOAT, [2], [1.0, 2.0])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    (tmp_path / "m.onnx").write_bytes(model.SerializeToString())
    r = scan_file(tmp_path / "m.onnx")
    assert r.format == "onnx" and r.verdict is Verdict.SAFE, r.issues
    assert r.details["opsets"] == {"ai.onnx": 17} and r.details["ir_version"] == model.ir_version
    w.ClearField("float_data")
    w.data_location = TensorProto.EXTERNAL
    entry = w.external_data.add()
    entry.key, entry.value = "location", "../../etc/passwd"
    model2 = helper.make_model(helper.make_graph([node], "g", graph.input, graph.output, [w]))
    (tmp_path / "esc.onnx").write_bytes(model2.SerializeToString())
    r2 = scan_file(tmp_path / "esc.onnx")
    assert r2.verdict is Verdict.DANGEROUS and r2.issues[0].code == "path-escape"
    (tmp_path / "junk.onnx").write_bytes(b"\x08\x07\x3a\xff\xff\xff")
    assert scan_file(tmp_path / "junk.onnx").verdict is Verdict.MALFORMED
    assert onnx is not None


def test_truncated_pickles_never_raise(tmp_path: Path) -> None:
    import os
    import pickle

    from tests.scan.corpus_build import Payload

    data = pickle.dumps({"a": [Payload(os.system, ("true",))] * 3, "b": "x" * 300}, protocol=4)
    for cut in range(1, len(data)):
        res = scan_pickle(data[:cut])
        assert not res.complete
        assert any(i.verdict is Verdict.MALFORMED for i in res.issues)
        if b"system" in data[:cut] and cut > data.index(b"system") + 8:
            assert any(g.verdict is Verdict.DANGEROUS for g in res.globals)


def test_limits_end_in_findings() -> None:
    deep = b"\x80\x04" + b"(" * 200_000 + b"N."
    t0 = time.perf_counter()
    res = scan_pickle(deep, limits=PickleLimits(max_marks=10_000))
    assert time.perf_counter() - t0 < 5
    assert {i.code for i in res.issues} >= {"limit-nesting"}
    wide = b"\x80\x04" + b"N" * 50_000 + b"."
    assert "limit-stack" in {i.code for i in scan_pickle(wide, limits=PickleLimits(max_stack=1000)).issues}
    huge_memo = b"\x80\x04Nr\xff\xff\xff\xff0j\xff\xff\xff\xff."
    res = scan_pickle(huge_memo)
    assert res.complete and not res.issues
    many = b"\x80\x04" + b"N\x94" * 2000 + b"."
    assert "limit-memo" in {i.code for i in scan_pickle(many, limits=PickleLimits(max_memo=100)).issues}
    loop = b"\x80\x04" + b"N0" * 10_000 + b"N."
    assert "limit-opcodes" in {i.code for i in scan_pickle(loop, limits=PickleLimits(max_opcodes=1000)).issues}
    assert "memo-missing" in {i.code for i in scan_pickle(b"\x80\x04h\x05.").issues}
    assert "bad-opcode" in {i.code for i in scan_pickle(b"\x80\x04\xff.").issues}
    ext = scan_pickle(b"\x80\x02\x82\x01)R.")
    assert ext.globals and ext.globals[0].verdict is Verdict.UNKNOWN


def test_zip_bomb_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive/data.pkl", b"\0" * (40 << 20))
    r = scan_file(path)
    assert r.verdict is Verdict.MALFORMED
    assert "zip-bomb" in {i.code for i in r.issues}


def test_unreadable_and_missing(tmp_path: Path) -> None:
    from ptmvet.errors import InputError
    from ptmvet.scan import scan_path

    with pytest.raises(InputError):
        scan_path(tmp_path / "nope")
    (tmp_path / "notes.txt").write_text("hello")
    assert scan_file(tmp_path / "notes.txt").verdict is Verdict.SKIPPED
    (tmp_path / "empty.pkl").write_bytes(b"")
    assert scan_file(tmp_path / "empty.pkl").verdict is Verdict.MALFORMED
