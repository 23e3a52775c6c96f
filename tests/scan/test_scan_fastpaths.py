"""The scanner's fast paths give the same findings as the general ones, and odd input never raises."""

from __future__ import annotations

import ast
import io
import pickle
import struct
import zipfile
from pathlib import Path

import pytest

from ptmvet.scan import PickleLimits, Verdict, scan_file, scan_pickle
from ptmvet.scan.files import _npy_header


@pytest.mark.parametrize(
    "text",
    [
        "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
        "{'descr': '|O', 'fortran_order': True, 'shape': (3,), }",
        "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (3, 4), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3), }",  # an int, not a tuple
        "{'descr': '<f8', 'fortran_order': False, 'shape': (03,), }",  # not a Python literal
        "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }",
    ],
)
def test_npy_header_matches_literal_eval(text: str) -> None:
    try:
        expected: object = ast.literal_eval(text)
    except SyntaxError:
        with pytest.raises(SyntaxError):
            _npy_header(text)
        return
    got = _npy_header(text)
    assert got == expected
    assert type(got["shape"]) is type(expected["shape"])  # type: ignore[index]


def test_zip_of_unsupported_version_is_read_from_local_headers(tmp_path: Path) -> None:
    # zipfile refuses the archive, torch's reader does not check the version: the member is still scanned
    # and the damage is a finding that fails the default gate
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"a": 1}))
    raw = bytearray(buf.getvalue())
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 6 : cd + 8] = struct.pack("<H", 109)  # "version needed to extract" 10.9
    path = tmp_path / "model.pt"
    path.write_bytes(bytes(raw))
    report = scan_file(path)
    assert report.verdict is Verdict.UNKNOWN
    assert "damaged-zip" in {i.code for i in report.issues}
    assert report.details["pickles"] == 1


def test_npy_descr_with_non_ascii_digits_does_not_raise(tmp_path: Path) -> None:
    header = b"{'descr': '<\xb28', 'fortran_order': False, 'shape': (10,), }"
    header += b" " * (63 - len(header) % 64) + b"\n"
    path = tmp_path / "weird.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 80)
    report = scan_file(path)
    assert report.format == "numpy"
    assert report.verdict is not Verdict.ERROR


def test_small_and_large_files_give_the_same_findings(tmp_path: Path) -> None:
    payload = pickle.dumps({"w": list(range(10)), "f": (eval, ("1",))}, protocol=2)
    small, large = tmp_path / "small.pkl", tmp_path / "large.pkl"
    small.write_bytes(payload)
    large.write_bytes(payload + b"\0" * (1 << 17))  # read through the large-file path
    a, b = scan_file(small), scan_file(large)
    assert a.verdict is b.verdict is Verdict.DANGEROUS
    assert a.globals == b.globals
    assert [i.code for i in a.issues] == [i.code for i in b.issues]


def test_memo_fast_paths_keep_the_bounds() -> None:
    # MEMOIZE and BINPUT beyond the memo limit degrade, as the general path does
    memoize = b"\x80\x04N" + b"\x94" * 50 + b"."
    binput = b"\x80\x02N" + b"".join(b"q" + bytes([i]) for i in range(50)) + b"."
    for data in (memoize, binput):
        res = scan_pickle(data, limits=PickleLimits(max_memo=10))
        assert "limit-memo" in {i.code for i in res.issues}
        assert res.complete
    # the stack bound still holds once enough opcodes ran
    res = scan_pickle(b"\x80\x02" + b"N" * 40 + b".", limits=PickleLimits(max_stack=30))
    assert "limit-stack" in {i.code for i in res.issues}
