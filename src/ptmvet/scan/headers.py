"""Header validation for formats that run no code: safetensors, GGUF, ONNX.

These formats are safe to load by design, but a malformed header can still
crash or mislead a loader (offsets out of bounds, overlapping tensors,
absurd counts, external data paths that escape the model folder). Each
validator reads only the header, with explicit bounds, and returns issues and
a few facts; none raises on bad input.
"""

from __future__ import annotations

import itertools
import json
import mmap
import posixpath
import struct
from dataclasses import dataclass, field
from typing import Any

from ptmvet.scan.model import ScanIssue, Verdict

Buffer = bytes | bytearray | mmap.mmap

#: safetensors dtypes and their size in bits.
SAFETENSORS_DTYPES: dict[str, int] = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "F8_E5M2": 8,
    "F8_E4M3": 8,
    "F8_E8M0": 8,
    "I16": 16,
    "U16": 16,
    "F16": 16,
    "BF16": 16,
    "I32": 32,
    "U32": 32,
    "F32": 32,
    "F64": 64,
    "I64": 64,
    "U64": 64,
    "C64": 64,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
}

MAX_SAFETENSORS_HEADER = 100_000_000  # the reference implementation's limit
MAX_GGUF_COUNT = 1_000_000
MAX_ONNX_DEPTH = 16


@dataclass
class HeaderResult:
    """Issues and facts from one header."""

    issues: list[ScanIssue] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    bytes_read: int = 0

    def bad(self, code: str, message: str, verdict: Verdict = Verdict.MALFORMED) -> None:
        self.issues.append(ScanIssue(code=code, verdict=verdict, message=message))


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(f"duplicate key {k!r}")
        out[k] = v
    return out


def _reject_constant(value: str) -> Any:
    raise ValueError(f"non-standard JSON constant {value}")


def parse_safetensors_header(prefix: bytes, file_size: int) -> HeaderResult:
    """Validate a safetensors header given the file's first bytes and its size.

    ``prefix`` must hold at least ``8 + header length`` bytes when the file is
    that long; a shorter prefix is reported as truncation.
    """
    res = HeaderResult()
    if len(prefix) < 8 or file_size < 8:
        res.bad("truncated", f"file of {file_size} bytes is shorter than the 8-byte header length")
        return res
    (n,) = struct.unpack("<Q", prefix[:8])
    res.details["header_bytes"] = n
    if n > MAX_SAFETENSORS_HEADER:
        res.bad("bad-header", f"header length {n} exceeds {MAX_SAFETENSORS_HEADER} bytes")
        return res
    if 8 + n > file_size or 8 + n > len(prefix):
        res.bad("truncated", f"header of {n} bytes runs past the end of the file ({file_size} bytes)")
        return res
    raw = bytes(prefix[8 : 8 + n])
    res.bytes_read = 8 + n
    if not raw.startswith(b"{"):
        res.bad("bad-header", "header does not start with '{'")
        return res
    try:
        header = json.loads(
            raw.decode("utf-8").rstrip(" "), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant
        )
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        res.bad("bad-header", f"header is not valid JSON: {type(exc).__name__}: {str(exc)[:200]}")
        return res
    if not isinstance(header, dict):
        res.bad("bad-header", "header is not a JSON object")
        return res
    data_len = file_size - 8 - n
    spans: list[tuple[int, int, str]] = []
    dtypes: set[str] = set()
    params = 0
    for name, info in header.items():
        if name == "__metadata__":
            if not isinstance(info, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in info.items()
            ):
                res.bad("bad-metadata", "__metadata__ must map strings to strings")
            continue
        if not isinstance(info, dict):
            res.bad("bad-tensor", f"tensor {name!r}: entry is not an object")
            continue
        dtype = info.get("dtype")
        shape = info.get("shape")
        offsets = info.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in SAFETENSORS_DTYPES:
            res.bad("bad-dtype", f"tensor {name!r}: unknown dtype {str(dtype)[:40]!r}")
            continue
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
            res.bad("bad-shape", f"tensor {name!r}: shape must be a list of non-negative integers")
            continue
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(type(o) is int and o >= 0 for o in offsets):
            res.bad("bad-offsets", f"tensor {name!r}: data_offsets must be two non-negative integers")
            continue
        begin, stop = offsets
        if begin > stop:
            res.bad("bad-offsets", f"tensor {name!r}: data_offsets [{begin}, {stop}] are reversed")
            continue
        if stop > data_len:
            res.bad(
                "out-of-bounds", f"tensor {name!r}: data_offsets end {stop} is past the data buffer ({data_len} bytes)"
            )
            continue
        count = 1
        for d in shape:
            count *= d
        bits = count * SAFETENSORS_DTYPES[dtype]
        if bits % 8 or bits // 8 != stop - begin:
            res.bad(
                "size-mismatch",
                f"tensor {name!r}: {dtype}{shape} needs {bits / 8:g} bytes, data_offsets give {stop - begin}",
            )
            continue
        dtypes.add(dtype)
        params += count
        spans.append((begin, stop, name))
    spans.sort()
    cursor = 0
    for begin, stop, name in spans:
        if begin < cursor:
            res.bad("overlap", f"tensor {name!r} overlaps the previous tensor at offset {begin}")
        elif begin > cursor:
            res.bad("gap", f"{begin - cursor} unused bytes before tensor {name!r}")
        cursor = max(cursor, stop)
    if not res.issues and cursor != data_len:
        res.bad("gap", f"data buffer has {data_len - cursor} bytes no tensor covers")
    res.details.update({"tensors": len(spans), "parameters": params, "dtypes": sorted(dtypes)})
    return res


# -- GGUF ---------------------------------------------------------------------

_GGUF_SCALARS: dict[int, tuple[str, int]] = {
    0: ("<B", 1),
    1: ("<b", 1),
    2: ("<H", 2),
    3: ("<h", 2),
    4: ("<I", 4),
    5: ("<i", 4),
    6: ("<f", 4),
    7: ("<?", 1),
    10: ("<Q", 8),
    11: ("<q", 8),
    12: ("<d", 8),
}
_GGUF_STRING = 8
_GGUF_ARRAY = 9

#: ggml tensor types: (block size in elements, bytes per block).
GGML_TYPES: dict[int, tuple[int, int]] = {
    0: (1, 4),  # F32
    1: (1, 2),  # F16
    2: (32, 18),  # Q4_0
    3: (32, 20),  # Q4_1
    6: (32, 22),  # Q5_0
    7: (32, 24),  # Q5_1
    8: (32, 34),  # Q8_0
    9: (32, 36),  # Q8_1
    10: (256, 84),  # Q2_K
    11: (256, 110),  # Q3_K
    12: (256, 144),  # Q4_K
    13: (256, 176),  # Q5_K
    14: (256, 210),  # Q6_K
    15: (256, 292),  # Q8_K
    16: (256, 66),  # IQ2_XXS
    17: (256, 74),  # IQ2_XS
    18: (256, 98),  # IQ3_XXS
    19: (256, 50),  # IQ1_S
    20: (32, 18),  # IQ4_NL
    21: (256, 110),  # IQ3_S
    22: (256, 82),  # IQ2_S
    23: (256, 136),  # IQ4_XS
    24: (1, 1),  # I8
    25: (1, 2),  # I16
    26: (1, 4),  # I32
    27: (1, 8),  # I64
    28: (1, 8),  # F64
    29: (256, 56),  # IQ1_M
    30: (1, 2),  # BF16
    34: (256, 54),  # TQ1_0
    35: (256, 66),  # TQ2_0
    39: (32, 17),  # MXFP4
}


class _Short(Exception):
    pass


class _Reader:
    """Bounded little-endian reader over a buffer."""

    def __init__(self, data: Buffer, end: int) -> None:
        self.data = data
        self.pos = 0
        self.end = end

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise _Short(f"needs {n} bytes at offset {self.pos}, file has {self.end}")
        out = bytes(self.data[self.pos : self.pos + n])
        self.pos += n
        return out

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > self.end:
            raise _Short(f"needs {n} bytes at offset {self.pos}, file has {self.end}")
        self.pos += n

    def unpack(self, fmt: str, size: int) -> Any:
        return struct.unpack(fmt, self.take(size))[0]


def validate_gguf(data: Buffer, size: int) -> HeaderResult:
    """Validate a GGUF header: magic, version, counts, metadata and tensor infos."""
    res = HeaderResult()
    r = _Reader(data, size)
    try:
        if r.take(4) != b"GGUF":
            res.bad("bad-magic", "missing GGUF magic")
            return res
        version = r.unpack("<I", 4)
        res.details["version"] = version
        if version not in (1, 2, 3):
            res.bad("bad-version", f"unsupported GGUF version {version}")
            return res
        wide = version >= 2
        n_tensors = r.unpack("<Q", 8) if wide else r.unpack("<I", 4)
        n_kv = r.unpack("<Q", 8) if wide else r.unpack("<I", 4)
        res.details.update({"tensors": n_tensors, "metadata_keys": n_kv})
        if n_tensors > MAX_GGUF_COUNT or n_kv > MAX_GGUF_COUNT:
            res.bad("bad-count", f"implausible counts: {n_tensors} tensors, {n_kv} metadata keys")
            return res

        def string() -> str:
            n = r.unpack("<Q", 8) if wide else r.unpack("<I", 4)
            if n > r.end - r.pos:
                raise _Short(f"string of {n} bytes at offset {r.pos} runs past the end")
            if n > 1 << 20:
                r.skip(n)
                return "<long string>"
            return r.take(n).decode("utf-8", "replace")

        def value(vtype: int, depth: int) -> Any:
            if vtype in _GGUF_SCALARS:
                fmt, width = _GGUF_SCALARS[vtype]
                return r.unpack(fmt, width)
            if vtype == _GGUF_STRING:
                return string()
            if vtype == _GGUF_ARRAY:
                if depth > 2:
                    raise ValueError("arrays nested too deep")
                etype = r.unpack("<I", 4)
                count = r.unpack("<Q", 8) if wide else r.unpack("<I", 4)
                if etype in _GGUF_SCALARS:
                    width = _GGUF_SCALARS[etype][1]
                    if count * width > r.end - r.pos:
                        raise _Short(f"array of {count} items at offset {r.pos} runs past the end")
                    r.skip(count * width)
                    return f"<array of {count}>"
                if count > r.end - r.pos:
                    raise _Short(f"array of {count} items at offset {r.pos} runs past the end")
                for _ in range(count):
                    value(etype, depth + 1)
                return f"<array of {count}>"
            raise ValueError(f"unknown metadata value type {vtype}")

        meta: dict[str, Any] = {}
        alignment = 32
        for _ in range(n_kv):
            key = string()
            vtype = r.unpack("<I", 4)
            try:
                v = value(vtype, 0)
            except ValueError as exc:
                res.bad("bad-metadata", f"metadata {key[:80]!r}: {exc}")
                return res
            if key == "general.alignment":
                if type(v) is int and v > 0 and v & (v - 1) == 0:
                    alignment = v
                else:
                    res.bad("bad-metadata", f"general.alignment {v!r} is not a power of two")
            if key.startswith("tokenizer.chat_template") and isinstance(v, str):
                from ptmvet.scan.code import CodeResult, scan_template

                tpl = CodeResult("gguf")
                scan_template(v, tpl, location=key)
                res.issues.extend(tpl.issues)
                res.details["chat_templates"] = res.details.get("chat_templates", 0) + 1
            if key.startswith("general.") and isinstance(v, str | int | float) and len(meta) < 32:
                meta[key] = v[:200] if isinstance(v, str) else v
        res.details["metadata"] = meta
        infos: list[tuple[str, int, int]] = []
        for _ in range(n_tensors):
            name = string()
            n_dims = r.unpack("<I", 4)
            if n_dims > 8:
                res.bad("bad-tensor", f"tensor {name[:80]!r} has {n_dims} dimensions")
                return res
            dims = [r.unpack("<Q", 8) if wide else r.unpack("<I", 4) for _ in range(n_dims)]
            ttype = r.unpack("<I", 4)
            offset = r.unpack("<Q", 8)
            count = 1
            for d in dims:
                count *= d
            if ttype not in GGML_TYPES:
                res.bad("unknown-type", f"tensor {name[:80]!r} has unknown ggml type {ttype}", Verdict.UNKNOWN)
                continue
            block, nbytes = GGML_TYPES[ttype]
            if count % block:
                res.bad(
                    "bad-tensor", f"tensor {name[:80]!r}: {count} elements is not a multiple of the block size {block}"
                )
                continue
            infos.append((name, offset, count // block * nbytes))
        data_start = -(-r.pos // alignment) * alignment
        res.bytes_read = r.pos
        for name, offset, nbytes in infos:
            if offset % alignment:
                res.bad("bad-offsets", f"tensor {name[:80]!r} offset {offset} is not aligned to {alignment}")
            if data_start + offset + nbytes > size:
                res.bad("out-of-bounds", f"tensor {name[:80]!r} runs past the end of the file")
        ordered = sorted((o, o + n, name) for name, o, n in infos)
        for (_, e1, n1), (b2, _, n2) in itertools.pairwise(ordered):
            if b2 < e1:
                res.bad("overlap", f"tensor {n2[:80]!r} overlaps {n1[:80]!r}")
                break
    except _Short as exc:
        res.bad("truncated", f"truncated GGUF header: {exc}")
    return res


# -- ONNX ---------------------------------------------------------------------


class _PbError(Exception):
    pass


def _varint(data: Buffer, pos: int, end: int) -> tuple[int, int]:
    shift = 0
    out = 0
    while True:
        if pos >= end:
            raise _PbError("truncated varint")
        b = data[pos]
        pos += 1
        out |= (b & 0x7F) << shift
        if not b & 0x80:
            return out, pos
        shift += 7
        if shift > 63:
            raise _PbError("varint longer than 10 bytes")


def _fields(data: Buffer, start: int, end: int) -> list[tuple[int, int, Any]]:
    """Top-level fields of one message: (number, wire type, int value or (start, end) span)."""
    out: list[tuple[int, int, Any]] = []
    pos = start
    while pos < end:
        key, pos = _varint(data, pos, end)
        num, wt = key >> 3, key & 7
        if num == 0:
            raise _PbError(f"field number 0 at offset {pos}")
        if wt == 0:
            v, pos = _varint(data, pos, end)
            out.append((num, wt, v))
        elif wt == 1:
            if pos + 8 > end:
                raise _PbError("truncated fixed64")
            pos += 8
        elif wt == 2:
            n, pos = _varint(data, pos, end)
            if pos + n > end:
                raise _PbError(f"length-delimited field {num} of {n} bytes runs past its message")
            out.append((num, wt, (pos, pos + n)))
            pos += n
        elif wt == 5:
            if pos + 4 > end:
                raise _PbError("truncated fixed32")
            pos += 4
        else:
            raise _PbError(f"unsupported wire type {wt} for field {num}")
    return out


def _str(data: Buffer, span: tuple[int, int], cap: int = 4096) -> str:
    a, b = span
    return bytes(data[a : min(b, a + cap)]).decode("utf-8", "replace")


#: Operator domains that ONNX and ONNX Runtime implement themselves.
STANDARD_ONNX_DOMAINS = frozenset(
    {"", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training", "com.microsoft",
     "com.microsoft.nchwc", "com.microsoft.experimental", "com.ms.internal.nhwc", "org.pytorch.aten",
     "com.microsoft.dml"}
)  # fmt: skip


def validate_onnx(data: Buffer, size: int) -> HeaderResult:
    """Parse ModelProto's top-level fields and every external data reference.

    Uses a tiny protobuf wire reader: ir_version, opset_import, producer, the
    graph's initializers (and those of nested subgraphs and functions) and
    their ``external_data`` locations, which must stay inside the folder.
    """
    res = HeaderResult()
    res.bytes_read = size
    try:
        top = _fields(data, 0, size)
    except _PbError as exc:
        res.bad("bad-protobuf", f"not a valid ONNX protobuf: {exc}")
        return res
    opsets: dict[str, int] = {}
    graphs: list[tuple[tuple[int, int], int]] = []
    for num, wt, v in top:
        if num == 1 and wt == 0:
            res.details["ir_version"] = v
        elif num == 2 and wt == 2:
            res.details["producer_name"] = _str(data, v, 200)
        elif num == 3 and wt == 2:
            res.details["producer_version"] = _str(data, v, 200)
        elif num == 8 and wt == 2:
            try:
                domain, version = "", 0
                for n2, w2, v2 in _fields(data, *v):
                    if n2 == 1 and w2 == 2:
                        domain = _str(data, v2, 200)
                    elif n2 == 2 and w2 == 0:
                        version = v2
                opsets[domain or "ai.onnx"] = version
            except _PbError as exc:
                res.bad("bad-protobuf", f"opset_import: {exc}")
        elif (num == 7 and wt == 2) or (num == 25 and wt == 2):
            graphs.append((v, 0))
    if "ir_version" not in res.details:
        res.bad("bad-header", "ModelProto has no ir_version")
    elif not 1 <= res.details["ir_version"] <= 64:
        res.bad("bad-header", f"implausible ir_version {res.details['ir_version']}")
    if not graphs:
        res.bad("bad-header", "ModelProto has no graph")
    res.details["opsets"] = opsets
    custom = sorted(d for d in opsets if d not in STANDARD_ONNX_DOMAINS)
    if custom:
        res.details["custom_domains"] = custom
        res.bad(
            "onnx-custom-op",
            f"custom operator domains {', '.join(custom)[:200]}: running the model needs a native library "
            "registered for them, code that this file does not contain",
            Verdict.UNKNOWN,
        )
    external: list[str] = []
    escapes: list[str] = []
    tensors = 0
    work = list(graphs)
    visited = 0
    while work:
        (a, b), depth = work.pop()
        visited += 1
        if depth > MAX_ONNX_DEPTH or visited > 100_000:
            res.bad("limit-nesting", "graphs nested too deep or too many subgraphs", Verdict.UNKNOWN)
            break
        try:
            for num, wt, v in _fields(data, a, b):
                if wt != 2:
                    continue
                if num in (5, 15):  # GraphProto.initializer, sparse_initializer
                    tensors += 1
                    loc = _external_location(data, v, num == 15)
                    if loc is not None:
                        external.append(loc)
                        if _escapes(loc):
                            escapes.append(loc)
                elif num in (1, 7):  # GraphProto.node / FunctionProto.node -> attributes
                    for n2, w2, v2 in _fields(data, *v):
                        if n2 == 5 and w2 == 2:
                            for n3, w3, v3 in _fields(data, *v2):
                                if w3 != 2:
                                    continue
                                if n3 in (6, 11):  # AttributeProto.g, graphs
                                    work.append((v3, depth + 1))
                                elif n3 in (5, 10):  # AttributeProto.t, tensors
                                    loc = _external_location(data, v3, False)
                                    if loc is not None:
                                        external.append(loc)
                                        if _escapes(loc):
                                            escapes.append(loc)
        except _PbError as exc:
            res.bad("bad-protobuf", f"graph: {exc}")
            break
    res.details["initializers"] = tensors
    if external:
        res.details["external_data"] = sorted(set(external))[:100]
    for loc in sorted(set(escapes)):
        res.bad("path-escape", f"external data location {loc[:200]!r} escapes the model folder", Verdict.DANGEROUS)
    return res


def _external_location(data: Buffer, span: tuple[int, int], sparse: bool) -> str | None:
    """TensorProto.external_data 'location' (field 13, entries key=1 value=2)."""
    if sparse:  # SparseTensorProto.values (field 1) is a TensorProto
        for num, wt, v in _fields(data, *span):
            if num == 1 and wt == 2:
                return _external_location(data, v, False)
        return None
    for num, wt, v in _fields(data, *span):
        if num == 13 and wt == 2:
            key = value = None
            for n2, w2, v2 in _fields(data, *v):
                if n2 == 1 and w2 == 2:
                    key = _str(data, v2)
                elif n2 == 2 and w2 == 2:
                    value = _str(data, v2)
            if key == "location" and value is not None:
                return value
    return None


def _escapes(location: str) -> bool:
    loc = location.replace("\\", "/")
    if loc.startswith("/") or (len(loc) > 1 and loc[1] == ":"):
        return True
    norm = posixpath.normpath(loc)
    return norm == ".." or norm.startswith("../")
