"""The walker's grouped dispatch and inline fast paths keep the general paths' findings."""

from __future__ import annotations

import pickle
import pickletools

import pytest

from ptmvet.scan import Verdict, scan_pickle
from ptmvet.scan.model import GlobalImport, ScanReport
from ptmvet.scan.pickle import _CONSTS, _GROUPS, _KIND

_LINE = 1 << 16  # the protocol 0 line bound of the walker


def test_every_opcode_has_one_group_and_unknown_bytes_none() -> None:
    known = {op.code.encode("latin-1")[0] for op in pickletools.opcodes}
    grouped = [op for ops in _GROUPS for op in ops]
    assert len(grouped) == len(set(grouped))
    assert set(grouped) <= known
    for byte in range(256):
        if byte not in known:
            assert _KIND[byte] == 0
    for g, ops in enumerate(_GROUPS, start=1):
        assert all(_KIND[op] == g for op in ops)


def test_constant_opcodes_push_what_pickle_builds() -> None:
    for code, value in ((b"N", None), (b"\x88", True), (b"\x89", False), (b")", ())):
        data = b"\x80\x02" + code + b"."
        assert pickle.loads(data) == value
        assert _CONSTS[code[0]] == value
        assert scan_pickle(data).complete


@pytest.mark.parametrize("module_len", [1, _LINE - 1, _LINE, _LINE + 1])
@pytest.mark.parametrize("name_len", [1, _LINE, _LINE + 1])
@pytest.mark.parametrize("opcode", [b"c", b"i"])
def test_global_line_bounds(module_len: int, name_len: int, opcode: bytes) -> None:
    pre = b"(" if opcode == b"i" else b""
    data = pre + opcode + b"m" * module_len + b"\n" + b"n" * name_len + b"\n."
    res = scan_pickle(data)
    codes = [i.code for i in res.issues]
    if module_len > _LINE or name_len > _LINE:
        assert codes == ["line-too-long"]
        assert not res.globals
    else:
        assert ("m" * module_len, "n" * name_len) in {(g.module, g.name) for g in res.globals}
        assert "line-too-long" not in codes


@pytest.mark.parametrize("cut", [1, 2, 4, 5, 6])
def test_global_cut_short_is_truncated_not_a_crash(cut: int) -> None:
    data = b"cos\nsystem\n."[:cut]
    res = scan_pickle(data)
    assert [i.code for i in res.issues] == ["truncated"]
    assert all(i.verdict is Verdict.MALFORMED for i in res.issues)


def test_getattr_through_reduce_keeps_the_enum_exception() -> None:
    # getattr(os, 'system') stays dangerous; the inline REDUCE path must still see getattr calls
    data = b"cbuiltins\ngetattr\n(cos\nsystem\nS'x'\ntR."
    verdicts = {(g.module, g.name): g.verdict for g in scan_pickle(data).globals}
    assert verdicts[("builtins", "getattr")] is Verdict.DANGEROUS


def test_make_builds_what_the_constructors_build() -> None:
    args = ("torch._utils", "_rebuild_tensor_v2", Verdict.SAFE, "on the allowlist", 3, "archive/data.pkl")
    made, built = GlobalImport.make(*args), GlobalImport(*args)
    assert made == built
    assert hash(made) == hash(built)
    assert repr(made) == repr(built)
    with pytest.raises(AttributeError):
        made.count = 4  # type: ignore[misc]
    fields = {
        "path": "p",
        "format": "pickle",
        "verdict": Verdict.SAFE,
        "globals": (built,),
        "issues": (),
        "bytes_scanned": 10,
        "size": 10,
        "duration_s": 0.5,
        "details": {"pickles": 1},
    }
    report = ScanReport.make(**fields)  # type: ignore[arg-type]
    assert report == ScanReport(**fields)  # type: ignore[arg-type]
    assert report.to_dict() == ScanReport(**fields).to_dict()  # type: ignore[arg-type]
