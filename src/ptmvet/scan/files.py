"""Recognise a file's serialization format and scan it statically.

Formats: plain pickles, PyTorch zip archives (every ``*.pkl`` inside), legacy
PyTorch files (several pickles in a row), joblib files (pickles with raw
NumPy buffers between opcodes), NumPy ``.npy``/``.npz`` (object arrays hold a
pickle), safetensors, GGUF and ONNX. The format comes from magic bytes
first, the extension second.
"""

from __future__ import annotations

import ast
import bz2
import errno
import io
import lzma
import mmap
import os
import pickle
import pickletools
import re
import stat
import struct
import tarfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

from ptmvet.scan.headers import parse_safetensors_header, validate_gguf, validate_onnx
from ptmvet.scan.model import GlobalImport, ScanIssue, ScanReport, Verdict
from ptmvet.scan.pickle import Buffer, PickleLimits, PickleScan, scan_pickle


@dataclass(frozen=True, kw_only=True)
class ScanLimits:
    """Bounds on the time and memory one file may cost."""

    pickle: PickleLimits = field(default_factory=PickleLimits)
    max_member_bytes: int = 1 << 30  # a pickle inside a zip is read into memory up to this size
    max_total_uncompressed: int = 1 << 37  # 128 GiB declared in one archive
    max_ratio: float = 200.0  # compression ratio beyond which a member is a bomb
    max_members: int = 100_000
    max_decompressed: int = 1 << 31  # compressed joblib streams
    max_pickles: int = 64  # pickles in a row in one stream
    max_npy_header: int = 1 << 16
    max_expanded: int = 1 << 32  # bytes extracted from nested containers, all levels together

    @classmethod
    def default(cls) -> ScanLimits:
        return _DEFAULT_LIMITS


_DEFAULT_LIMITS = ScanLimits()
_LEGACY_TORCH_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e"
_NPY_MAGIC = b"\x93NUMPY"
_PICKLE_SUFFIXES = frozenset(
    {
        ".pkl",
        ".pickle",
        ".bin",
        ".pt",
        ".pth",
        ".ckpt",
        ".joblib",
        ".dat",
        ".data",
        ".p",
        ".sav",
        ".model",
        ".mar",
        ".nemo",
    }
)
_READ_WHOLE = 8 << 20
_O_READ = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
_READ_FIRST = 64 << 10  # files up to this size are read whole before sniffing
#: zip members scanned whatever their compression or size
_MEMBER_SUFFIXES = (".pkl", ".pickle", ".npy", ".joblib", ".pt", ".bin")
#: torch's raw storage members (``archive/data/0``): read as bytes by torch, never unpickled
_TORCH_STORAGE = re.compile(r"(?:^|/)data/[0-9]+$")
#: torch zip records read as text or raw bytes (torch/serialization.py), never unpickled
_TORCH_TEXT = ("/byteorder", "/version", "/.format_version", "/.storage_alignment", "/serialization_id")
_MAX_DEPTH = 32  # nested containers; reaching it is a finding, never a silent stop

#: The first byte of every pickle opcode: a pickle may start with any of them.
_OPCODE_BYTES = frozenset(op.code.encode("latin-1")[0] for op in pickletools.opcodes)
#: ``torch.save``'s magic number, pickled with each protocol (dumping an int is safe): a legacy file starts with one.
_LEGACY_MAGICS = tuple(pickle.dumps(0x1950A86A20F9469CFC6C, protocol=p) for p in range(pickle.HIGHEST_PROTOCOL + 1))
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_COMPRESSED_MAGICS = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"ZF0x", b"]\x00\x00")


def _is_zlib(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0


def sniff(head: bytes, suffix: str, size: int) -> str:
    """The format a file's first bytes say it holds (the suffix only breaks ties between text formats).

    ``head`` should be the first 512 bytes (a tar header is recognised at offset 257).
    """
    if not head:
        return "pickle" if suffix in _PICKLE_SUFFIXES else "unrecognised"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"version https://git-lfs.github.com/spec/"):
        return "lfs-pointer"
    if head.startswith(_LEGACY_MAGICS):
        return "torch-legacy"
    if head.startswith(_NPY_MAGIC):
        return "numpy"
    if head.startswith(b"GGUF"):
        return "gguf"
    if head.startswith(_HDF5_MAGIC):
        return "hdf5"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith((b"\x04\x22\x4d\x18", b"\x02\x21\x4c\x18")):
        return "lz4"
    # Before the pickle test: a safetensors header of 128 + 256k bytes starts with 0x80, the
    # pickle PROTO opcode; '{' at offset 8 is no pickle opcode, and the length must fit the file.
    if len(head) >= 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") < size:
        return "safetensors"
    if len(head) >= 10 and head[0] == 0x80 and head[1] <= 5:
        return "pickle"
    if head.startswith(_COMPRESSED_MAGICS) or _is_zlib(head):
        return "compressed"
    if suffix == ".safetensors":
        return "safetensors"
    if suffix == ".onnx" or (
        len(head) >= 3
        and head[0] == 0x08
        and 1 <= head[1] <= 20
        and head[2] in (0x12, 0x1A, 0x22, 0x2A, 0x32, 0x3A, 0x42)
    ):
        return "onnx"
    if suffix == ".gguf":
        return "gguf"
    if head[0] in _OPCODE_BYTES:
        return "maybe-pickle"
    if suffix == ".npy":
        return "numpy"
    return "unrecognised"


class _Acc:
    """Accumulates globals, issues and facts for one report."""

    def __init__(self) -> None:
        self.globals: list[GlobalImport] = []
        self.issues: list[ScanIssue] = []
        self.details: dict[str, Any] = {"pickles": 0}
        self.bytes = 0
        self.expanded = 0  # bytes extracted or decompressed from containers so far

    def issue(self, code: str, verdict: Verdict, message: str, location: str = "") -> None:
        self.issues.append(ScanIssue(code=code, verdict=verdict, message=message, location=location))

    def add_pickle(self, res: PickleScan) -> None:
        self.globals += res.globals
        if res.issues:
            self.issues += res.issues
        details = self.details
        details["pickles"] += 1
        self.bytes += res.end - res.start
        if res.protocol is not None:
            protos = details.setdefault("protocols", [])
            if res.protocol not in protos:
                protos.append(res.protocol)
        if res.persistent_ids:
            details["persistent_ids"] = details.get("persistent_ids", 0) + res.persistent_ids
        if res.joblib_arrays:
            details["joblib_arrays"] = details.get("joblib_arrays", 0) + res.joblib_arrays


def _pickle_sequence(
    acc: _Acc, data: Buffer, start: int, end: int, *, limits: ScanLimits, location: str, expect: int | None = None
) -> int:
    """Scan pickles one after another; return where the last one ended.

    With ``expect`` (legacy torch files) exactly that many are read. Without it,
    what follows a complete pickle is walked too while it reads as another
    pickle (loaders such as ``torch.load`` and joblib read several in a row);
    trailing bytes that do not parse are left alone.
    """
    pos = start
    n = 0
    while pos < end and n < limits.max_pickles:
        loc = f"{location}#pickle{n}" if location else f"pickle{n}"
        res = scan_pickle(data, pos, end, location=loc, limits=limits.pickle)
        if n > 0 and expect is None and not res.complete and not _plausible(res):
            acc.details["trailing_bytes"] = end - pos
            break
        acc.add_pickle(res)
        n += 1
        pos = res.end
        if not res.complete:
            break
        if expect is not None and n >= expect:
            break
        if expect is None and (pos >= end or data[pos] not in _OPCODE_BYTES):
            if pos < end:
                acc.details["trailing_bytes"] = end - pos
            break
    if expect is not None and n < expect and not any(i.verdict is Verdict.MALFORMED for i in acc.issues):
        acc.issue("truncated", Verdict.MALFORMED, f"expected {expect} pickles in a row, found {n}", location)
    if n >= limits.max_pickles and pos < end:
        acc.issue(
            "limit-pickles",
            Verdict.UNKNOWN,
            f"pickle limit reached ({limits.max_pickles} pickles in a row); the rest was not scanned",
            location,
        )
    return pos


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def _plausible(res: PickleScan) -> bool:
    """Whether an incomplete walk still read like a pickle: it imported a well-formed name."""
    return any(_IDENT.fullmatch(g.module) and _IDENT.fullmatch(g.name) for g in res.globals)


# The header numpy itself writes; anything else goes through ast.literal_eval.
_NPY_HEADER = re.compile(
    r"\{'descr': '([A-Za-z0-9<>|=\[\]]*)', 'fortran_order': (True|False), "
    r"'shape': \(((?:0|[1-9][0-9]{0,17})(?:, (?:0|[1-9][0-9]{0,17}))*(,?))?\), ?\}"
)


def _npy_header(text: str) -> Any:
    """The NumPy header literal: the common layout parsed directly, the rest by ``ast.literal_eval``."""
    m = _NPY_HEADER.fullmatch(text)
    if m is not None:
        descr, fortran, dims, comma = m.groups()
        shape = tuple(int(x) for x in dims.rstrip(",").split(", ")) if dims else ()
        if len(shape) != 1 or comma:  # "(3)" is an int, not a tuple
            return {"descr": descr, "fortran_order": fortran == "True", "shape": shape}
    return ast.literal_eval(text)


def _scan_npy(acc: _Acc, data: Buffer, start: int, end: int, *, limits: ScanLimits, location: str) -> None:
    if end - start < 10 or bytes(data[start : start + 6]) != _NPY_MAGIC:
        acc.issue("bad-magic", Verdict.MALFORMED, "missing NumPy magic", location)
        return
    major = data[start + 6]
    if major == 1:
        hlen = int.from_bytes(data[start + 8 : start + 10], "little")
        hstart = start + 10
    elif major in (2, 3):
        if end - start < 12:
            acc.issue("truncated", Verdict.MALFORMED, "truncated NumPy header", location)
            return
        hlen = int.from_bytes(data[start + 8 : start + 12], "little")
        hstart = start + 12
    else:
        acc.issue("bad-version", Verdict.MALFORMED, f"unknown NumPy format version {major}", location)
        return
    if hlen > limits.max_npy_header or hstart + hlen > end:
        acc.issue(
            "bad-header", Verdict.MALFORMED, f"NumPy header of {hlen} bytes is too long or runs past the end", location
        )
        return
    raw = bytes(data[hstart : hstart + hlen])
    acc.bytes += hstart + hlen - start
    try:
        header = _npy_header(raw.decode("latin-1" if major < 3 else "utf-8").strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError, UnicodeDecodeError) as exc:
        acc.issue(
            "bad-header", Verdict.MALFORMED, f"NumPy header is not a Python literal: {type(exc).__name__}", location
        )
        return
    if not isinstance(header, dict) or not {"descr", "fortran_order", "shape"} <= set(header):
        acc.issue("bad-header", Verdict.MALFORMED, "NumPy header lacks descr, fortran_order or shape", location)
        return
    descr, shape = header["descr"], header["shape"]
    acc.details.setdefault("arrays", []).append(
        {"location": location, "descr": str(descr)[:80], "shape": str(shape)[:80]}
    )
    data_start = hstart + hlen
    if "O" in str(descr):
        acc.details["object_arrays"] = acc.details.get("object_arrays", 0) + 1
        _pickle_sequence(acc, data, data_start, end, limits=limits, location=location, expect=1)
        return
    if not isinstance(shape, tuple) or not all(type(s) is int and s >= 0 for s in shape):
        acc.issue("bad-header", Verdict.MALFORMED, f"NumPy shape {str(shape)[:80]} is not a tuple of sizes", location)
        return
    if isinstance(descr, str):
        digits = "".join(ch for ch in descr if "0" <= ch <= "9")
        itemsize = int(digits) * (4 if "U" in descr else 1) if digits and len(digits) < 7 else None
        if itemsize is not None:
            count = 1
            for s in shape:
                count *= s
            if data_start + count * itemsize > end:
                acc.issue(
                    "truncated",
                    Verdict.MALFORMED,
                    f"NumPy array needs {count * itemsize} bytes, file has {end - data_start}",
                    location,
                )


def _scan_zip(acc: _Acc, fh: BinaryIO, limits: ScanLimits, location: str, depth: int = 0) -> str:
    """Scan every member of a zip archive by content; return the refined format.

    A damaged archive (central directory, header flags, CRC) that a loader
    still opens is read from its local headers, and the damage is a finding.
    """
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, struct.error, OverflowError) as exc:
        fh.seek(0)
        raw = fh.read(limits.max_member_bytes + 1)
        return _scan_local_headers(acc, raw, limits, location, depth=depth, why=f"unreadable central directory ({exc})")
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            acc.issue(
                "zip-bomb",
                Verdict.MALFORMED,
                f"{len(infos)} members exceed the limit of {limits.max_members}",
                location,
            )
            return "zip"
        total = sum(i.file_size for i in infos)
        offsets: dict[int, str] = {}
        for i in infos:
            prev = offsets.get(i.header_offset)
            if prev is not None:
                acc.issue(
                    "zip-bomb",
                    Verdict.MALFORMED,
                    f"members {prev!r} and {i.filename!r} share their data (overlapping entries)",
                    location,
                )
                return "zip"
            offsets[i.header_offset] = i.filename
        if total > limits.max_total_uncompressed:
            acc.issue("zip-bomb", Verdict.MALFORMED, f"archive declares {total} uncompressed bytes", location)
            return "zip"
        names = [i.filename for i in infos]
        fmt = "zip"
        torch_zip = any(n.endswith("data.pkl") for n in names)
        if torch_zip:
            fmt = "torch-zip"
            if any("/code/" in n or n.endswith("constants.pkl") for n in names):
                acc.details["torchscript"] = True
        elif names and all(n.endswith(".npy") for n in names):
            fmt = "npz"
        acc.details["members"] = len(names)
        for info in infos:
            name = info.filename
            if info.is_dir() or info.file_size == 0:
                continue
            if torch_zip and (_TORCH_STORAGE.search(name) or name.endswith(_TORCH_TEXT)):
                continue  # raw tensor bytes and text records: torch reads them as such, never unpickles them
            loc = f"{location}!{name}" if location else name
            if (
                info.compress_size
                and info.file_size / info.compress_size > limits.max_ratio
                and info.file_size > (1 << 20)
            ):
                acc.issue(
                    "zip-bomb", Verdict.MALFORMED, f"compression ratio {info.file_size / info.compress_size:.0f}:1", loc
                )
                continue
            blob = _read_member(acc, zf, fh, info, limits=limits, loc=loc)
            if blob is None:
                continue
            _scan_blob(acc, blob, limits=limits, location=loc, depth=depth + 1, suffix=_suffix(name))
        return fmt


def _read_member(
    acc: _Acc, zf: zipfile.ZipFile, fh: BinaryIO, info: zipfile.ZipInfo, *, limits: ScanLimits, loc: str
) -> bytes | None:
    """A member's bytes when its content is something the scanner reads, else None.

    Members that ``zipfile`` refuses (bad CRC, odd flag bits, a header that
    disagrees with the directory) are read raw from their local header: torch's
    own reader does not check them either.
    """
    try:
        with zf.open(info) as member:
            head = member.read(512)
            fmt = sniff(head, _suffix(info.filename), info.file_size)
            if fmt in _NOT_READ or (fmt == "unrecognised" and not _is_code_name(info.filename)):
                return None
            if info.file_size > limits.max_member_bytes:
                acc.issue(
                    "limit-member",
                    Verdict.UNKNOWN,
                    f"member limit reached: {info.file_size} bytes exceed the {limits.max_member_bytes}-byte read limit",
                    loc,
                )
                return None
            if not _charge(acc, info.file_size, limits, loc):
                return None
            blob = head + member.read(info.file_size + 1 - len(head))
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        zlib.error,
        RuntimeError,
    ) as exc:
        raw = _raw_member(fh, info, limits)
        if raw is None:
            acc.issue("bad-zip", Verdict.MALFORMED, f"cannot read member: {exc}", loc)
            return None
        acc.issue(
            "damaged-zip",
            Verdict.UNKNOWN,
            f"member is damaged ({exc}) but readable from its local header, as torch's reader does; scanned raw",
            loc,
        )
        return raw
    if len(blob) > info.file_size:
        acc.issue("zip-bomb", Verdict.MALFORMED, "member inflates past its declared size", loc)
        return None
    return blob


#: Formats whose bytes the scanner does not read from inside an archive.
_NOT_READ = frozenset({"lfs-pointer", "safetensors", "gguf", "onnx"})
#: Suffixes and names routed to the code checks (ptmvet.scan.code) before sniffing for pickles.
_CODE_SUFFIXES = frozenset({".py", ".json", ".jinja", ".jinja2", ".j2", ".template", ".pbtxt"})
_CODE_NAMES = ("saved_model.pb", "keras_metadata.pb")


def _is_code_name(name: str) -> bool:
    lower = name.lower()
    return _suffix(lower) in _CODE_SUFFIXES or lower.endswith(_CODE_NAMES)


def _charge(acc: _Acc, n: int, limits: ScanLimits, loc: str) -> bool:
    """Count ``n`` more bytes extracted from containers; False (and a finding) past the budget."""
    acc.expanded += n
    if acc.expanded > limits.max_expanded:
        acc.issue(
            "limit-expanded",
            Verdict.UNKNOWN,
            f"expansion limit reached: more than {limits.max_expanded} bytes extracted from nested containers; "
            "the rest was not scanned",
            loc,
        )
        return False
    return True


def _raw_member(fh: BinaryIO, info: zipfile.ZipInfo, limits: ScanLimits) -> bytes | None:
    """A member's data read from its local header, without CRC or flag checks (None when unreadable)."""
    try:
        fh.seek(info.header_offset)
        hdr = fh.read(30)
        if len(hdr) < 30 or hdr[:4] != b"PK\x03\x04":
            return None
        nlen, xlen = struct.unpack("<HH", hdr[26:30])
        fh.seek(info.header_offset + 30 + nlen + xlen)
        data = fh.read(min(info.compress_size, limits.max_member_bytes))
    except (OSError, ValueError, struct.error):
        return None
    return _inflate(info.compress_type, data, info.file_size or limits.max_member_bytes, limits)


def _inflate(method: int, data: bytes, size: int, limits: ScanLimits) -> bytes | None:
    if method == zipfile.ZIP_STORED:
        return data
    if method == zipfile.ZIP_DEFLATED:
        try:
            d = zlib.decompressobj(-15)
            return d.decompress(data, min(size, limits.max_member_bytes) + 1)
        except zlib.error:
            return None
    return None


def _scan_local_headers(acc: _Acc, raw: bytes, limits: ScanLimits, location: str, *, depth: int, why: str) -> str:
    """Walk a zip's local file headers in order (what a streaming reader sees) and scan each member."""
    pos = raw.find(b"PK\x03\x04")
    found = 0
    while pos >= 0 and pos + 30 <= len(raw) and found < limits.max_members:
        flag, method = struct.unpack("<HH", raw[pos + 6 : pos + 10])
        csize, usize, nlen, xlen = struct.unpack("<IIHH", raw[pos + 18 : pos + 30])
        name = raw[pos + 30 : pos + 30 + nlen].decode("utf-8", "replace")
        a = pos + 30 + nlen + xlen
        if flag & 0x08 and csize == 0:  # sizes in a trailing data descriptor: up to the next header
            nxt = raw.find(b"PK\x03\x04", a)
            csize = (nxt if nxt >= 0 else len(raw)) - a
        data = raw[a : a + csize]
        found += 1
        loc = f"{location}!{name}" if location else name
        blob = _inflate(method, data, usize or limits.max_member_bytes, limits)
        if blob is None:
            acc.issue("bad-zip", Verdict.MALFORMED, f"member compressed with method {method} cannot be read", loc)
        elif blob and not _TORCH_STORAGE.search(name) and _charge(acc, len(blob), limits, loc):
            _scan_blob(acc, blob, limits=limits, location=loc, depth=depth + 1, suffix=_suffix(name))
        pos = raw.find(b"PK\x03\x04", max(a + csize, pos + 4))
    verdict = Verdict.UNKNOWN if found else Verdict.MALFORMED
    acc.issue(
        "damaged-zip",
        verdict,
        f"damaged zip archive: {why}; {found} member(s) read from their local headers"
        + ("" if found else ", none found"),
        location,
    )
    acc.details["members"] = found
    return "zip"


def _scan_tar(acc: _Acc, blob: Buffer, limits: ScanLimits, location: str, depth: int) -> str:
    """Scan a tar archive's members by content; PyTorch's pre-1.0 tar layout is walked record by record."""
    try:
        tf = tarfile.open(fileobj=io.BytesIO(bytes(blob)), mode="r:")  # noqa: SIM115  (closed by the with below)
    except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
        acc.issue("bad-tar", Verdict.MALFORMED, f"unreadable tar archive: {exc}", location)
        return "tar"
    with tf:
        try:
            members = tf.getmembers()
        except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
            acc.issue("bad-tar", Verdict.MALFORMED, f"unreadable tar archive: {exc}", location)
            return "tar"
        names = {m.name for m in members}
        torch_tar = {"pickle", "storages", "tensors"} <= names
        acc.details["members"] = len(members)
        for m in members[: limits.max_members]:
            if not m.isfile() or m.size == 0:
                continue
            loc = f"{location}!{m.name}" if location else m.name
            if m.size > limits.max_member_bytes:
                acc.issue("limit-member", Verdict.UNKNOWN, f"member limit reached: {m.size} bytes", loc)
                continue
            f = tf.extractfile(m)
            if f is None or not _charge(acc, m.size, limits, loc):
                continue
            data = f.read()
            if torch_tar and m.name in ("storages", "tensors"):
                _torch_tar_records(acc, data, limits, loc, m.name)
            elif torch_tar and m.name in ("pickle", "sys_info"):
                _pickle_sequence(acc, data, 0, len(data), limits=limits, location=loc, expect=1)
            else:
                _scan_blob(acc, data, limits=limits, location=loc, depth=depth + 1, suffix=_suffix(m.name))
        return "torch-tar" if torch_tar else "tar"


_ELEMENT_SIZES = {
    "Double": 8, "Float": 4, "Half": 2, "BFloat16": 2, "Long": 8, "Int": 4, "Short": 2, "Char": 1, "Byte": 1,
    "Bool": 1, "ComplexFloat": 8, "ComplexDouble": 16, "QInt8": 1, "QUInt8": 1, "QInt32": 4, "Untyped": 1,
}  # fmt: skip


def _pickled_count(data: bytes, start: int, end: int) -> int | None:
    """The value of a pickle that holds one small int (``PROTO 2, BININT*, STOP``), else None."""
    pos = start + 2 if data[start : start + 1] == b"\x80" else start
    op = data[pos : pos + 1]
    if op == b"K":
        return data[pos + 1]
    if op == b"M":
        return int.from_bytes(data[pos + 1 : pos + 3], "little")
    if op == b"J":
        return int.from_bytes(data[pos + 1 : pos + 5], "little", signed=True)
    return None


def _torch_tar_records(acc: _Acc, data: bytes, limits: ScanLimits, loc: str, which: str) -> None:
    """The ``storages``/``tensors`` members of a pre-1.0 torch file: a count, then per record a pickle and raw bytes."""
    pos = _pickle_sequence(acc, data, 0, len(data), limits=limits, location=loc, expect=1)
    count = _pickled_count(data, 0, pos)
    if count is None or count < 0:
        acc.issue("scan-incomplete", Verdict.UNKNOWN, f"{which} does not start with a record count; not walked", loc)
        return
    for n in range(min(count, limits.max_members)):
        if pos >= len(data):
            acc.issue("truncated", Verdict.MALFORMED, f"{which} ends after {n} of {count} records", loc)
            return
        before = len(acc.globals)
        res = scan_pickle(data, pos, len(data), location=f"{loc}#record{n}", limits=limits.pickle)
        acc.add_pickle(res)
        if not res.complete:
            return
        pos = res.end
        if which == "tensors":
            ndim = int.from_bytes(data[pos : pos + 4], "little")
            pos += 8 + 16 * ndim + 8  # ndim, magic, sizes, strides, storage offset
            continue
        names = [g.name for g in acc.globals[before:] if g.name.endswith("Storage")]
        size = _ELEMENT_SIZES.get(names[0][: -len("Storage")] if names else "", 0)
        if not size:
            acc.issue(
                "scan-incomplete",
                Verdict.UNKNOWN,
                f"record {n} names no storage type the scanner knows; the rest of {which} was not walked",
                loc,
            )
            return
        pos += 8 + int.from_bytes(data[pos : pos + 8], "little", signed=True) * size
    if count > limits.max_members:
        acc.issue("limit-members", Verdict.UNKNOWN, f"member limit reached: {count} records in {which}", loc)
        return
    if which == "storages" and pos < len(data):  # the storage views
        _pickle_sequence(acc, data, pos, len(data), limits=limits, location=f"{loc}#views", expect=1)


def _scan_blob(acc: _Acc, blob: Buffer, *, limits: ScanLimits, location: str, depth: int, suffix: str = "") -> str:
    """Scan bytes found inside a container, by content, at any depth up to the expansion budget."""
    if depth > _MAX_DEPTH:
        acc.issue("limit-nesting", Verdict.UNKNOWN, f"nesting limit reached: containers nested {depth} deep", location)
        return "unrecognised"
    head = bytes(blob[:512])
    fmt = sniff(head, suffix, len(blob))
    name = location.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    if fmt == "hdf5" or (fmt not in _BINARY_MAGIC and (suffix in _CODE_SUFFIXES or name.lower().endswith(_CODE_NAMES))):
        got = _scan_code(acc, blob, name, fmt, location)
        if got is not None:
            return got
    if fmt == "zip":
        return _scan_zip(acc, io.BytesIO(bytes(blob)), limits, location, depth)
    if fmt == "tar":
        return _scan_tar(acc, blob, limits, location, depth)
    if fmt == "compressed":
        out, err = _decompress(head, io.BytesIO(bytes(blob)), min(limits.max_decompressed, limits.max_expanded))
        if out is None:
            acc.issue("zip-bomb", Verdict.MALFORMED, err, location)
            return fmt
        if err:
            acc.issue("truncated", Verdict.MALFORMED, err, location)
        if not _charge(acc, len(out), limits, location):
            return fmt
        acc.details["compressed"] = True
        return _scan_blob(acc, out, limits=limits, location=f"{location}!decompressed", depth=depth + 1)
    if fmt in ("7z", "lz4"):
        acc.issue(
            "not-analysed",
            Verdict.UNKNOWN,
            f"{fmt} archive: the scanner cannot open it, so its content was not analysed",
            location,
        )
        return fmt
    if fmt in _NOT_READ or fmt in ("hdf5", "unrecognised"):
        return fmt
    sub = _Acc()
    sub.expanded = acc.expanded
    got = _scan_mapped(sub, blob, len(blob), fmt, suffix=suffix, limits=limits, location=location)
    if got != "unrecognised":
        acc.globals += sub.globals
        acc.issues += sub.issues
        acc.bytes += sub.bytes
        for k, v in sub.details.items():
            if isinstance(v, int) and not isinstance(v, bool):
                acc.details[k] = acc.details.get(k, 0) + v
            elif k not in acc.details:
                acc.details[k] = v
    return got


def _decompress(head: bytes, fh: BinaryIO, limit: int) -> tuple[bytes | None, str]:
    """Bounded decompression of a joblib/zlib/gzip/bz2/xz/lzma stream: (data or None for a bomb, error)."""
    step = 1 << 24
    fh.seek(0)
    out = bytearray()
    try:
        if head.startswith((b"BZh", b"\xfd7zXZ\x00", b"]\x00\x00")):
            dec: Any = (
                bz2.BZ2Decompressor()
                if head.startswith(b"BZh")
                else lzma.LZMADecompressor(lzma.FORMAT_XZ if head.startswith(b"\xfd") else lzma.FORMAT_ALONE)
            )
            while not dec.eof:
                chunk = fh.read(1 << 20) if dec.needs_input else b""
                if dec.needs_input and not chunk:
                    return bytes(out), "truncated compressed stream"
                out += dec.decompress(chunk, max_length=step)
                if len(out) > limit:
                    return None, f"decompresses to more than {limit} bytes"
            return bytes(out), ""
        if head.startswith(b"ZF"):  # joblib < 0.10: 'ZF', a hex length, then a zlib stream
            fh.seek(21)
            if fh.read(1) != b" ":
                fh.seek(21)
            zdec = zlib.decompressobj()
        elif head.startswith(b"\x1f\x8b"):
            zdec = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            zdec = zlib.decompressobj()
        while not zdec.eof:
            buf = fh.read(1 << 20)
            if not buf:
                return bytes(out), "truncated compressed stream"
            while buf:
                out += zdec.decompress(buf, step)
                buf = zdec.unconsumed_tail
                if len(out) > limit:
                    return None, f"decompresses to more than {limit} bytes"
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
        return bytes(out), f"corrupt compressed stream: {exc}"
    return bytes(out), ""


def _read_small(fd: int, size: int) -> bytes:
    """The whole file, in one read when its size is what ``fstat`` said."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data
    parts = [data]
    while chunk := os.read(fd, 1 << 16):
        parts.append(chunk)
    return b"".join(parts)


def _suffix(path: str | os.PathLike[str]) -> str:
    """The lower-cased suffix, as :attr:`pathlib.PurePath.suffix` has it."""
    name = path.name if isinstance(path, PurePath) else os.path.basename(os.fspath(path).rstrip("/"))
    i = name.rfind(".")  # PurePath.suffix's rule, without its property chain
    return name[i:].lower() if 0 < i < len(name) - 1 else ""


_TEMPLATE_SUFFIXES = frozenset({".jinja", ".jinja2", ".j2", ".template"})
#: Formats of text artefacts that are left out of folder reports when nothing was found in them.
_QUIET_FORMATS = frozenset({"python", "hf-config", "chat-template", "keras-config", "hdf5"})
_BINARY_MAGIC = frozenset({"zip", "tar", "torch-legacy", "numpy", "gguf", "7z", "lz4", "compressed", "pickle"})


def _scan_code(acc: _Acc, data: Buffer, name: str, fmt: str, location: str) -> str | None:
    """Text artefacts loaded by name (Python files, configs, templates), HDF5 and SavedModel graphs.

    Returns the format when ``name``/``fmt`` is one of them, else None.
    """
    from ptmvet.scan import code

    lower = name.lower()
    suffix = _suffix(lower)
    res: code.CodeResult | None = None
    if fmt == "hdf5":
        res = code.scan_hdf5(bytes(data), location=location)
        if res.details.get("keras_configs"):
            res.format = "keras-h5"
    elif fmt in _BINARY_MAGIC:
        return None
    elif suffix == ".py":
        res = code.scan_python(bytes(data[: code._MAX_TEXT]), location=location)
    elif suffix == ".json":
        doc = code.load_json(bytes(data))
        if isinstance(doc, dict) and isinstance(doc.get("class_name"), str) and "config" in doc:
            res = code.CodeResult("keras-config")
            code.scan_keras_config(doc, res, location=location)
        elif isinstance(doc, dict) and ("auto_map" in doc or "chat_template" in doc or lower in code.CONFIG_NAMES):
            res = code.scan_hf_config(doc, location=location)
        elif lower in code.CONFIG_NAMES:
            # A config the loaders read by name that could not be read here: its auto_map and chat
            # template were never looked at, which is not "nothing found".
            res = code.CodeResult("hf-config")
            if len(data) > code._MAX_TEXT:
                res.add("limit-text-size", Verdict.UNKNOWN, f"{len(data):,} bytes, over the {code._MAX_TEXT:,}-byte limit for a config: auto_map and chat template not read", location)
            else:
                shape = "not valid JSON" if doc is None else f"a JSON {type(doc).__name__}, not an object"
                res.add("not-analysed", Verdict.UNKNOWN, f"{shape}: auto_map and chat template not read", location)
        else:
            return None
    elif suffix in _TEMPLATE_SUFFIXES:
        res = code.CodeResult("chat-template")
        code.scan_template(bytes(data[: code._MAX_TEXT]).decode("utf-8", "replace"), res, location=location)
    elif lower.endswith(("saved_model.pb", "keras_metadata.pb")) or suffix == ".pbtxt":
        blob = bytes(data)
        res = code.scan_savedmodel(blob, location=location)
        code.scan_keras_configs(list(code._json_objects(blob, b'{"class_name"')), res, location=location)
    else:
        return None
    acc.issues += res.issues
    acc.details.update(res.details)
    acc.bytes += len(data)
    return res.format


def scan_file(
    path: str | os.PathLike[str], *, limits: ScanLimits | None = None, display: str | None = None
) -> ScanReport:
    """Scan one file; never raises on bad content (I/O errors become an ERROR report)."""
    limits = limits or _DEFAULT_LIMITS
    shown = display if display is not None else str(path)
    t0 = time.perf_counter()
    acc = _Acc()
    size = 0
    fmt = "unrecognised"
    try:
        fd = os.open(path, _O_READ)
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):  # open() refuses a folder; os.open() does not
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            size = st.st_size
            # small files: one read serves the sniffing and the scan, with no file object to build
            whole = _read_small(fd, size) if size <= _READ_FIRST else None
            with io.BytesIO(whole) if whole is not None else open(fd, "rb", buffering=0, closefd=False) as fh:
                head = whole[:512] if whole is not None else fh.read(512)
                suffix = _suffix(path)
                fmt = sniff(head, suffix, size)
                name = os.path.basename(os.fspath(path))
                routed = (
                    fmt not in _BINARY_MAGIC
                    and (fmt == "hdf5" or suffix in _CODE_SUFFIXES or name.lower().endswith(_CODE_NAMES))
                    and size <= (1 << 30)
                )
                if routed:
                    fh.seek(0)
                    got = _scan_code(acc, whole if whole is not None else fh.read(), name, fmt, "")
                    routed = got is not None
                    fmt = got or fmt
                if routed:
                    pass
                elif fmt == "zip":
                    fmt = _scan_zip(acc, fh, limits, "")
                elif fmt in ("compressed", "tar", "7z", "lz4"):
                    fh.seek(0)
                    if fmt == "tar" or size <= limits.max_decompressed:
                        fmt = _scan_container(acc, fh.read(limits.max_member_bytes), fmt, suffix, limits)
                    else:
                        blob, err = _decompress(head, fh, min(limits.max_decompressed, limits.max_expanded))
                        fmt = _scan_decompressed(acc, blob, err, suffix, limits)
                elif fmt in ("unrecognised", "lfs-pointer") or size == 0:
                    if size == 0 and fmt != "unrecognised":
                        acc.issue("truncated", Verdict.MALFORMED, "empty file")
                elif whole is not None:
                    fmt = _scan_mapped(acc, whole, size, fmt, suffix=suffix, limits=limits)
                elif size <= _READ_WHOLE:  # one read beats mapping the file
                    fh.seek(0)
                    fmt = _scan_mapped(acc, fh.read(), size, fmt, suffix=suffix, limits=limits)
                else:
                    with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mm:
                        fmt = _scan_mapped(acc, mm, size, fmt, suffix=suffix, limits=limits)
        finally:
            os.close(fd)
    except OSError as exc:
        acc.issue("io-error", Verdict.ERROR, f"cannot read: {exc.strerror or exc}")
    merged = _merge_globals(acc.globals)
    if (fmt in ("unrecognised", "lfs-pointer") or fmt in _QUIET_FORMATS) and not acc.issues:
        verdict = Verdict.SKIPPED
    else:
        # merging keeps each global's worst verdict and puts the worst first
        verdicts = [g.verdict for g in merged[:1]]
        if acc.issues:
            verdicts += [i.verdict for i in acc.issues]
        verdict = Verdict.worst(verdicts)
    return ScanReport.make(
        path=shown,
        format=fmt,
        verdict=verdict,
        globals=merged,
        issues=tuple(acc.issues),
        bytes_scanned=acc.bytes,
        size=size,
        duration_s=time.perf_counter() - t0,
        details=acc.details,
    )


def _scan_container(acc: _Acc, blob: bytes, fmt: str, suffix: str, limits: ScanLimits) -> str:
    """A whole file that is a compressed stream, a tar or an archive the scanner cannot open."""
    if fmt == "compressed":
        out, err = _decompress(blob[:512], io.BytesIO(blob), min(limits.max_decompressed, limits.max_expanded))
        return _scan_decompressed(acc, out, err, suffix, limits)
    return _scan_blob(acc, blob, limits=limits, location="", depth=0, suffix=suffix)


def _scan_decompressed(acc: _Acc, blob: bytes | None, err: str, suffix: str, limits: ScanLimits) -> str:
    if blob is None:
        acc.issue("zip-bomb", Verdict.MALFORMED, err)
        return "compressed"
    if err:
        acc.issue("truncated", Verdict.MALFORMED, err)
    acc.details["compressed"] = True
    acc.expanded += len(blob)
    inner = _scan_blob(acc, blob, limits=limits, location="decompressed", depth=1)
    if inner in ("pickle", "joblib", "torch-legacy"):
        return "joblib" if acc.details.get("joblib_arrays") or suffix == ".joblib" else inner
    if inner == "unrecognised" and not err:
        return "compressed-data"  # a compressed file that holds nothing the scanner reads
    return inner


def _scan_mapped(
    acc: _Acc, mm: Buffer, size: int, fmt: str, *, suffix: str, limits: ScanLimits, location: str = ""
) -> str:
    if fmt == "torch-legacy":
        # torch.load unpickles: magic number, protocol version, sys info, the object, the storage keys
        _pickle_sequence(acc, mm, 0, size, limits=limits, location=location, expect=5)
        return fmt
    if fmt == "pickle":
        _pickle_sequence(acc, mm, 0, size, limits=limits, location=location)
        return "joblib" if acc.details.get("joblib_arrays") or suffix == ".joblib" else "pickle"
    if fmt == "maybe-pickle":
        trial = _Acc()
        _pickle_sequence(trial, mm, 0, size, limits=limits, location=location)
        complete = bool(trial.details["pickles"]) and not any(i.verdict is Verdict.MALFORMED for i in trial.issues)
        looks = complete or any(_IDENT.fullmatch(g.module) and _IDENT.fullmatch(g.name) for g in trial.globals)
        if looks or suffix in _PICKLE_SUFFIXES:
            acc.globals += trial.globals
            acc.issues += trial.issues
            acc.bytes += trial.bytes
            for k, v in trial.details.items():
                acc.details[k] = acc.details.get(k, 0) + v if isinstance(v, int) else v
            return "joblib" if acc.details.get("joblib_arrays") else "pickle"
        return "unrecognised"
    if fmt == "numpy":
        _scan_npy(acc, mm, 0, size, limits=limits, location=location)
        return fmt
    header: Callable[[], Any]
    if fmt == "safetensors":
        n = int.from_bytes(mm[:8], "little") if size >= 8 else 0
        header = lambda: parse_safetensors_header(bytes(mm[: min(size, 8 + n)] if n < (1 << 28) else mm[:8]), size)  # noqa: E731
    elif fmt == "gguf":
        header = lambda: validate_gguf(mm, size)  # noqa: E731
    else:
        header = lambda: validate_onnx(mm, size)  # noqa: E731
    res = header()
    acc.issues.extend(res.issues)
    acc.details.update(res.details)
    acc.bytes += res.bytes_read
    return fmt


def _merge_globals(found: list[GlobalImport]) -> tuple[GlobalImport, ...]:
    """One entry per (module, name, location); counts add up, the worst verdict wins."""
    merged: dict[tuple[str, str, str], GlobalImport] = {}
    for g in found:
        loc = g.location
        if "#" in loc:
            loc = loc.split("#")[0]
        key = (g.module, g.name, loc)
        prev = merged.get(key)
        if prev is None:
            merged[key] = (
                g if loc == g.location else GlobalImport.make(g.module, g.name, g.verdict, g.reason, g.count, loc)
            )
        else:
            worse = g if g.verdict.rank > prev.verdict.rank else prev
            merged[key] = GlobalImport.make(g.module, g.name, worse.verdict, worse.reason, prev.count + g.count, loc)
    if len(merged) < 2:
        return tuple(merged.values())
    return tuple(sorted(merged.values(), key=lambda g: (-g.verdict.rank, g.location, g.module, g.name)))
