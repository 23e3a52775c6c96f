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
import re
import stat
import struct
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

    @classmethod
    def default(cls) -> ScanLimits:
        return _DEFAULT_LIMITS


_DEFAULT_LIMITS = ScanLimits()
_LEGACY_TORCH_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e"
_NPY_MAGIC = b"\x93NUMPY"
_PICKLE_STARTS = frozenset(b"(cKIJMNSVX]}).\x80lde")
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
_COMPRESSED_SUFFIXES = frozenset(
    {".joblib", ".pkl", ".pickle", ".gz", ".bz2", ".xz", ".z", ".zlib", ".lzma", ".bin", ".sav", ""}
)
#: zip members scanned whatever their compression or size
_MEMBER_SUFFIXES = (".pkl", ".pickle", ".npy", ".joblib", ".pt", ".bin")
_SKIP_SUFFIXES = frozenset(
    {
        ".json",
        ".md",
        ".txt",
        ".py",
        ".yaml",
        ".yml",
        ".toml",
        ".cfg",
        ".ini",
        ".csv",
        ".tsv",
        ".gitattributes",
        ".model_card",
    }
)


def sniff(head: bytes, suffix: str, size: int) -> str:
    """The format a file's first bytes and suffix say it holds."""
    if not head:
        return "pickle" if suffix in _PICKLE_SUFFIXES else "unrecognised"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"version https://git-lfs.github.com/spec/"):
        return "lfs-pointer"
    if head.startswith(_LEGACY_TORCH_MAGIC):
        return "torch-legacy"
    if head.startswith(_NPY_MAGIC):
        return "numpy"
    if head.startswith(b"GGUF"):
        return "gguf"
    if len(head) >= 10 and head[0] == 0x80 and head[1] <= 5:
        return "pickle"
    if (
        head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"ZF", b"x\x01", b"x\x9c", b"x\xda", b"x^"))
        and suffix in _COMPRESSED_SUFFIXES
    ):
        return "compressed"
    if len(head) >= 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") < size:
        return "safetensors"
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
    if suffix == ".npy":
        return "numpy"
    if head[:1] and head[0] in _PICKLE_STARTS and suffix not in _SKIP_SUFFIXES:
        return "maybe-pickle"
    return "unrecognised"


class _Acc:
    """Accumulates globals, issues and facts for one report."""

    def __init__(self) -> None:
        self.globals: list[GlobalImport] = []
        self.issues: list[ScanIssue] = []
        self.details: dict[str, Any] = {"pickles": 0}
        self.bytes = 0

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
    """Scan pickles one after another; return where the last one ended."""
    pos = start
    n = 0
    while pos < end and n < limits.max_pickles:
        if n > 0 and expect is None and not (data[pos] == 0x80 and pos + 1 < end and data[pos + 1] <= 5):
            break
        loc = f"{location}#pickle{n}" if location else f"pickle{n}"
        res = scan_pickle(data, pos, end, location=loc, limits=limits.pickle)
        acc.add_pickle(res)
        n += 1
        pos = res.end
        if not res.complete:
            break
        if expect is not None and n >= expect:
            break
    if expect is not None and n < expect and not any(i.verdict is Verdict.MALFORMED for i in acc.issues):
        acc.issue("truncated", Verdict.MALFORMED, f"expected {expect} pickles in a row, found {n}", location)
    if n >= limits.max_pickles:
        acc.issue(
            "limit-pickles",
            Verdict.UNKNOWN,
            f"more than {limits.max_pickles} pickles in a row; the rest was not scanned",
            location,
        )
    return pos


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
    """Scan the pickles and arrays inside a zip archive; return the refined format."""
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, struct.error, OverflowError) as exc:
        acc.issue("bad-zip", Verdict.MALFORMED, f"unreadable zip archive: {exc}", location)
        return "zip"
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
        if any(n.endswith("data.pkl") for n in names):
            fmt = "torch-zip"
            if any("/code/" in n or n.endswith("constants.pkl") for n in names):
                acc.details["torchscript"] = True
        elif names and all(n.endswith(".npy") for n in names):
            fmt = "npz"
        acc.details["members"] = len(names)
        for info in infos:
            name = info.filename
            # one suffix test for the many stored tensor members of a checkpoint
            if not name.endswith(_MEMBER_SUFFIXES) and (
                info.compress_type == zipfile.ZIP_STORED or info.file_size < 64
            ):
                continue
            loc = f"{location}!{name}" if location else name
            is_pkl = name.endswith((".pkl", ".pickle"))
            is_npy = name.endswith(".npy")
            if info.file_size > limits.max_member_bytes and (is_pkl or is_npy):
                acc.issue(
                    "limit-member",
                    Verdict.UNKNOWN,
                    f"member of {info.file_size} bytes exceeds the {limits.max_member_bytes}-byte read limit",
                    loc,
                )
                continue
            if (
                info.compress_size
                and info.file_size / info.compress_size > limits.max_ratio
                and info.file_size > (1 << 20)
            ):
                acc.issue(
                    "zip-bomb", Verdict.MALFORMED, f"compression ratio {info.file_size / info.compress_size:.0f}:1", loc
                )
                continue
            try:
                with zf.open(info) as member:
                    head = member.read(16) if not (is_pkl or is_npy) else b""
                    if not (is_pkl or is_npy) and not (
                        head[:1] == b"\x80" or head.startswith((_NPY_MAGIC, b"PK\x03\x04"))
                    ):
                        continue
                    blob = head + member.read(min(info.file_size, limits.max_member_bytes) + 1 - len(head))
            except (
                zipfile.BadZipFile,
                OSError,
                EOFError,
                ValueError,
                NotImplementedError,
                zlib.error,
                RuntimeError,
            ) as exc:
                acc.issue("bad-zip", Verdict.MALFORMED, f"cannot read member: {exc}", loc)
                continue
            if len(blob) > info.file_size:
                acc.issue("zip-bomb", Verdict.MALFORMED, "member inflates past its declared size", loc)
                continue
            if blob.startswith(_NPY_MAGIC):
                _scan_npy(acc, blob, 0, len(blob), limits=limits, location=loc)
            elif blob.startswith(b"PK\x03\x04") and depth < 2:
                _scan_zip(acc, io.BytesIO(blob), limits, loc, depth + 1)
            elif blob:
                _pickle_sequence(acc, blob, 0, len(blob), limits=limits, location=loc)
        return fmt


def _decompress(head: bytes, fh: BinaryIO, limit: int) -> tuple[bytes | None, str]:
    """Bounded decompression of a joblib/zlib/gzip/bz2/xz stream: (data or None for a bomb, error)."""
    step = 1 << 24
    fh.seek(0)
    out = bytearray()
    try:
        if head.startswith((b"BZh", b"\xfd7zXZ\x00")):
            dec: Any = bz2.BZ2Decompressor() if head.startswith(b"BZh") else lzma.LZMADecompressor()
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
    name = (path if isinstance(path, PurePath) else PurePath(path)).name
    i = name.rfind(".")  # PurePath.suffix's rule, without its property chain
    return name[i:].lower() if 0 < i < len(name) - 1 else ""


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
                head = whole[:64] if whole is not None else fh.read(64)
                suffix = _suffix(path)
                fmt = sniff(head, suffix, size)
                if fmt == "zip":
                    fmt = _scan_zip(acc, fh, limits, "")
                elif fmt == "compressed":
                    blob, err = _decompress(head, fh, limits.max_decompressed)
                    if blob is None:
                        acc.issue("zip-bomb", Verdict.MALFORMED, err)
                    else:
                        if err:
                            acc.issue("truncated", Verdict.MALFORMED, err)
                        _pickle_sequence(acc, blob, 0, len(blob), limits=limits, location="decompressed")
                        fmt = "joblib" if acc.details.get("joblib_arrays") or suffix == ".joblib" else "pickle"
                        acc.details["compressed"] = True
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
    if fmt in ("unrecognised", "lfs-pointer") and not acc.issues:
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


def _scan_mapped(acc: _Acc, mm: Buffer, size: int, fmt: str, *, suffix: str, limits: ScanLimits) -> str:
    if fmt == "torch-legacy":
        # torch.load unpickles: magic number, protocol version, sys info, the object, the storage keys
        _pickle_sequence(acc, mm, 0, size, limits=limits, location="", expect=5)
        return fmt
    if fmt == "pickle":
        _pickle_sequence(acc, mm, 0, size, limits=limits, location="")
        return "joblib" if acc.details.get("joblib_arrays") or suffix == ".joblib" else "pickle"
    if fmt == "maybe-pickle":
        trial = _Acc()
        _pickle_sequence(trial, mm, 0, size, limits=limits, location="")
        looks = any(g for g in trial.globals) or (
            trial.details["pickles"] and not any(i.verdict is Verdict.MALFORMED for i in trial.issues)
        )
        if looks or suffix in _PICKLE_SUFFIXES:
            acc.globals, acc.issues, acc.details, acc.bytes = trial.globals, trial.issues, trial.details, trial.bytes
            return "joblib" if acc.details.get("joblib_arrays") else "pickle"
        return "unrecognised"
    if fmt == "numpy":
        _scan_npy(acc, mm, 0, size, limits=limits, location="")
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
