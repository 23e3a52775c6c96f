"""Probes for every way a loader can reach a pickle: each must be found, whatever its name.

Every payload is written with ``pickle.dumps`` or by hand and is never loaded.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import pickle
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest

from ptmvet.scan import PickleLimits, ScanLimits, Verdict, scan_file, scan_path

CALL = b"cos\nsystem\n(Vecho pwned\ntR."  # os.system('echo pwned'), protocol 0


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (os.system, ("echo pwned",))


def _payload(protocol: int = 4) -> bytes:
    return pickle.dumps({"w": [1.0, 2.0], "x": _Payload()}, protocol=protocol)


def _dangerous(path: Path, **kw: object) -> None:
    r = scan_file(path, **kw)  # type: ignore[arg-type]
    assert r.verdict is Verdict.DANGEROUS, (r.format, r.issues)
    assert "os.system" in {g.qualname for g in r.dangerous_globals} or "posix.system" in {
        g.qualname for g in r.dangerous_globals
    }


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("newtrue", b"\x880"),
        ("float", b"F1.5\n0"),
        ("long", b"L12L\n0"),
        ("short_binunicode", b"\x8c\x03abc0"),
        ("binfloat", b"G" + struct.pack(">d", 1.0) + b"0"),
        ("none", b"N0"),
        ("mark", b"(1"),
    ],
)
def test_pickle_starting_with_any_opcode(tmp_path: Path, name: str, prefix: bytes) -> None:
    p = tmp_path / f"weights_{name}.dat"
    p.write_bytes(prefix + CALL)
    _dangerous(p)


def test_framed_pickle_without_proto(tmp_path: Path) -> None:
    body = b"\x8c\x02os\x94\x8c\x06system\x94\x93\x8c\x04echo\x85R."
    p = tmp_path / "frame.model"
    p.write_bytes(b"\x95" + struct.pack("<Q", len(body)) + body)
    _dangerous(p)


@pytest.mark.parametrize("protocol", [0, 1, 2])
def test_legacy_torch_any_protocol(tmp_path: Path, protocol: int) -> None:
    torch = pytest.importorskip("torch")
    p = tmp_path / f"legacy_p{protocol}.bin"
    torch.save(
        {"w": torch.zeros(2), "p": _Payload()}, p, _use_new_zipfile_serialization=False, pickle_protocol=protocol
    )
    r = scan_file(p)
    assert r.format == "torch-legacy" and r.verdict is Verdict.DANGEROUS
    good = tmp_path / f"good_p{protocol}.bin"
    torch.save({"w": torch.zeros(2)}, good, _use_new_zipfile_serialization=False, pickle_protocol=protocol)
    g = scan_file(good)
    assert g.format == "torch-legacy" and g.verdict is Verdict.SAFE, g.issues


def test_folder_whose_only_weights_are_protocol0_legacy_fails(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    torch.save({"p": _Payload()}, tmp_path / "pytorch_model.bin", _use_new_zipfile_serialization=False, pickle_protocol=0)
    (tmp_path / "config.json").write_text("{}")
    reports = scan_path(tmp_path)
    assert [r.verdict for r in reports if r.path.endswith(".bin")] == [Verdict.DANGEROUS]


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:", format=tarfile.PAX_FORMAT) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _legacy_tar(payload_in: str) -> bytes:
    sys_info = pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2)
    storage_args = b"\x80\x02X\x01\x00\x00\x000q\x00X\x03\x00\x00\x00cpuq\x01ctorch\nFloatStorage\nq\x02\x87q\x03."
    storages = pickle.dumps(1, protocol=2) + storage_args + struct.pack("<q", 2) + b"\0" * 8 + pickle.dumps([], protocol=2)
    tensors = pickle.dumps(0, protocol=2)
    main = pickle.dumps({"w": 1}, protocol=2)
    parts = {"sys_info": sys_info, "pickle": main, "storages": storages, "tensors": tensors}
    if payload_in == "storages":
        parts["storages"] = pickle.dumps(2, protocol=2) + storage_args + struct.pack("<q", 2) + b"\0" * 8 + _payload(2)
    elif payload_in:
        parts[payload_in] = _payload(2)
    return _tar(parts)


@pytest.mark.parametrize("where", ["pickle", "sys_info", "storages"])
def test_pre_1_0_torch_tar(tmp_path: Path, where: str) -> None:
    p = tmp_path / "old.pt"
    p.write_bytes(_legacy_tar(where))
    r = scan_file(p)
    assert r.format == "torch-tar"
    assert r.verdict is Verdict.DANGEROUS, r.issues
    good = tmp_path / "good.pt"
    good.write_bytes(_legacy_tar(""))
    g = scan_file(good)
    assert g.format == "torch-tar" and g.verdict is Verdict.SAFE, (g.issues, g.globals)


@pytest.mark.parametrize("compress", ["zlib", "gzip", "bz2", "lzma", "xz"])
@pytest.mark.parametrize("suffix", [".pt", ".ckpt", ".model", ".dat"])
def test_joblib_compressed_under_any_name(tmp_path: Path, compress: str, suffix: str) -> None:
    joblib = pytest.importorskip("joblib")
    p = tmp_path / f"clf{suffix}"
    joblib.dump({"x": _Payload()}, p, compress=(compress, 3))
    _dangerous(p)


def test_raw_compressed_pickles(tmp_path: Path) -> None:
    for name, data in {
        "a.bin": gzip.compress(_payload()),
        "b.bin": bz2.compress(_payload()),
        "c.bin": lzma.compress(_payload(), format=lzma.FORMAT_ALONE),
        "d.bin": zlib.compress(_payload()),
    }.items():
        (tmp_path / name).write_bytes(data)
        _dangerous(tmp_path / name)


def _npy_object() -> bytes:
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + _payload(3)


def test_npz_member_without_npy_suffix(tmp_path: Path) -> None:
    p = tmp_path / "arrays.npz"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("weights", _npy_object())
    _dangerous(p)


def test_npy_holding_a_plain_pickle(tmp_path: Path) -> None:
    p = tmp_path / "array.npy"
    p.write_bytes(_payload(2))
    _dangerous(p)


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_member_of_another_name(tmp_path: Path) -> None:
    p = tmp_path / "model.zip"
    p.write_bytes(_zip({"readme.txt": b"hello", "weights.txt": _payload()}))
    _dangerous(p)


def test_zip_nested_deep(tmp_path: Path) -> None:
    blob = _zip({"archive/data.pkl": _payload()})
    for i in range(6):
        blob = _zip({f"level{i}.zip": blob}, zipfile.ZIP_DEFLATED)
    p = tmp_path / "nested.pt"
    p.write_bytes(blob)
    _dangerous(p)


@pytest.mark.parametrize("damage", ["crc", "central-directory", "flag-0x1", "flag-0x20", "flag-0x40"])
def test_damaged_zip_still_scanned(tmp_path: Path, damage: str) -> None:
    raw = bytearray(_zip({"archive/data.pkl": _payload()}, zipfile.ZIP_DEFLATED))
    cd = raw.rfind(b"PK\x01\x02")
    if damage == "crc":
        raw[14:18] = b"\0\0\0\0"
        raw[cd + 16 : cd + 20] = b"\0\0\0\0"
    elif damage == "central-directory":
        del raw[cd:]
    else:
        bit = int(damage.split("-")[1], 16)
        raw[6] |= bit
        raw[cd + 8] |= bit
    p = tmp_path / "damaged.pt"
    p.write_bytes(bytes(raw))
    r = scan_file(p)
    assert r.verdict is Verdict.DANGEROUS, r.issues
    assert "damaged-zip" in {i.code for i in r.issues} or damage in ("flag-0x20", "flag-0x40")


def test_pickles_in_a_row(tmp_path: Path) -> None:
    p = tmp_path / "two.pkl"
    p.write_bytes(pickle.dumps({"a": 1}, protocol=4) + _payload(4))
    _dangerous(p)


def test_padded_past_the_opcode_limit(tmp_path: Path) -> None:
    p = tmp_path / "padded.pkl"
    p.write_bytes(b"\x80\x04" + b"N0" * 5000 + CALL)
    r = scan_file(p, limits=ScanLimits(pickle=PickleLimits(max_opcodes=1000)))
    assert r.verdict is Verdict.DANGEROUS
    assert "limit-opcodes" in {i.code for i in r.issues}
    # the limit is named, and without the payload the file is unknown, never safe
    p.write_bytes(b"\x80\x04" + b"N0" * 5000 + b"N.")
    clean = scan_file(p, limits=ScanLimits(pickle=PickleLimits(max_opcodes=1000)))
    assert clean.verdict is Verdict.UNKNOWN
    assert any("1000" in i.message for i in clean.issues)


def test_time_limit_is_a_finding(tmp_path: Path) -> None:
    p = tmp_path / "slow.pkl"
    p.write_bytes(b"\x80\x04" + b"N0" * 200_000 + b"\x8c\x02os\x8c\x06system\x93\x8c\x01x\x85R.")
    r = scan_file(p, limits=ScanLimits(pickle=PickleLimits(max_seconds=0.0)))
    assert "limit-time" in {i.code for i in r.issues}
    assert r.verdict is Verdict.DANGEROUS


def test_frame_inside_a_frame_is_a_divergence(tmp_path: Path) -> None:
    inner = b"\x95" + struct.pack("<Q", 3) + b"N0N"
    body = inner + b"0N."
    p = tmp_path / "frames.pkl"
    p.write_bytes(b"\x80\x04\x95" + struct.pack("<Q", len(body) + 4) + body)
    r = scan_file(p)
    assert "parse-divergence" in {i.code for i in r.issues}
    assert r.verdict is not Verdict.SAFE


def test_archive_the_scanner_cannot_open_is_unknown(tmp_path: Path) -> None:
    p = tmp_path / "weights.7z"
    p.write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\0" * 64)
    r = scan_file(p)
    assert r.verdict is Verdict.UNKNOWN and "not-analysed" in {i.code for i in r.issues}


def test_text_files_are_not_pickles(tmp_path: Path) -> None:
    for name, text in {
        "README.md": "# model\ncontent",
        "modeling.py": "import os\nclass Model: pass\n",
        "vocab.txt": "[PAD]\n[UNK]\nthe\n",
        "merges.txt": "#version: 0.2\nt h\n",
        "config.json": '{"a": 1}',
        "notes": "looks like text (and nothing more)\n",
    }.items():
        (tmp_path / name).write_text(text)
        r = scan_file(tmp_path / name)
        assert r.verdict is Verdict.SKIPPED, (name, r.format, r.issues)
