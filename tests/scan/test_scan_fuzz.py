"""Fuzzing: the pickle walker and the safetensors header parser never raise and stay fast.

Default 300 examples each; set PTMVET_FUZZ_EXAMPLES=10000 for the full run.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptmvet.scan import PickleLimits, scan_pickle
from ptmvet.scan.headers import parse_safetensors_header

EXAMPLES = int(os.environ.get("PTMVET_FUZZ_EXAMPLES", "300"))
PER_INPUT_S = 0.5  # CPU seconds: wall time on a shared machine measures the neighbours

_LIMITS = PickleLimits(max_opcodes=200_000)
_SEEDS = [pickle.dumps(obj, protocol=p) for p in range(6) for obj in ({"a": [1, 2.5, "x", b"y", None, True]}, (1, (2, (3,))), {1, 2}, frozenset({3}))]
_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@contextmanager
def _cpu_seconds() -> Iterator[list[float]]:
    """This thread's CPU time for the block, without the cyclic GC (which would bill the
    walker for collecting what earlier tests left on the heap)."""
    out: list[float] = []
    enabled = gc.isenabled()
    gc.disable()
    t0 = time.thread_time()
    try:
        yield out
    finally:
        out.append(time.thread_time() - t0)
        if enabled:
            gc.enable()


def _mutate(seed: bytes, edits: list[tuple[int, int]]) -> bytes:
    data = bytearray(seed)
    for pos, val in edits:
        if data:
            data[pos % len(data)] = val
    return bytes(data)


pickle_inputs = st.one_of(
    st.binary(max_size=512),
    st.binary(max_size=256).map(lambda b: b"\x80\x04" + b),
    st.builds(_mutate, st.sampled_from(_SEEDS), st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=6)),
    st.builds(lambda s, n: s[:n], st.sampled_from(_SEEDS), st.integers(0, 200)),
)


@_SETTINGS
@given(pickle_inputs)
def test_fuzz_pickle_walker(data: bytes) -> None:
    with _cpu_seconds() as spent:
        res = scan_pickle(data, limits=_LIMITS)
    assert spent[0] < PER_INPUT_S
    assert res.start <= res.end <= len(data)
    assert res.complete or res.issues


_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(1 << 70), 1 << 70), st.text(max_size=8))
_tensor = st.fixed_dictionaries(
    {
        "dtype": st.one_of(st.sampled_from(["F32", "F16", "BF16", "I64", "U8", "BOOL", "F4"]), _json_scalar),
        "shape": st.one_of(st.lists(st.integers(-2, 64), max_size=4), _json_scalar),
        "data_offsets": st.one_of(st.lists(st.integers(-4, 4096), min_size=2, max_size=2), st.lists(_json_scalar, max_size=3)),
    }
)
_header = st.dictionaries(st.text(max_size=6), st.one_of(_tensor, _json_scalar), max_size=6)


def _encode(header: dict[str, object], data_len: int, lie: int) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", max(0, len(raw) + lie)) + raw + b"\0" * data_len


safetensors_inputs = st.one_of(
    st.binary(max_size=300),
    st.builds(_encode, _header, st.integers(0, 4096), st.sampled_from([0, 0, 0, -1, 1, 1 << 40])),
)


@_SETTINGS
@given(safetensors_inputs, st.integers(0, 64))
def test_fuzz_safetensors_header(blob: bytes, extra: int) -> None:
    with _cpu_seconds() as spent:
        res = parse_safetensors_header(blob, len(blob) + extra)
    assert spent[0] < PER_INPUT_S
    for issue in res.issues:
        assert issue.message
