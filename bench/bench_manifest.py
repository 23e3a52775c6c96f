"""Manifest hashing throughput: ptmvet vs model_signing vs `openssl dgst -sha256`, same files, same run.

Generates a folder of several files (default 2 GiB in total) in a temporary
directory, hashes it with each tool (warm page cache: one untimed read first,
then the best of --repeat runs each), checks that ptmvet's and model_signing's
digests agree, prints GiB/s and ptmvet's ratio to each peer, and deletes the folder.

    .venv/bin/python bench/bench_manifest.py [--gib 2] [--files 8] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CHUNK = 16 * 1024 * 1024


def make_folder(root: Path, total: int, files: int) -> None:
    # Unequal sizes, like a real package (one big shard, smaller ones, small text files).
    weights = [2 ** (files - i) for i in range(files)]
    scale = total / sum(weights)
    block = os.urandom(CHUNK)
    for i, w in enumerate(weights):
        size = int(w * scale)
        with (root / f"model-{i:05d}.safetensors").open("wb") as fh:
            left = size
            while left > 0:
                n = min(left, CHUNK)
                fh.write(block[:n])
                left -= n
    (root / "config.json").write_text('{"model_type": "bench"}\n')


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times: list[float] = []
    result: object = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gib", type=float, default=2.0)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--dir", type=Path, default=None, help="where to create the temporary folder")
    args = ap.parse_args()

    import model_signing.hashing as ms_hashing

    from ptmvet.integrity.manifest import build_manifest

    total = int(args.gib * 1024**3)
    tmp = Path(tempfile.mkdtemp(prefix="ptmvet-bench-", dir=args.dir))
    try:
        make_folder(tmp, total, args.files)
        files = sorted(p for p in tmp.iterdir() if p.is_file())
        size = sum(p.stat().st_size for p in files)
        for p in files:  # warm the page cache so every tool reads from memory
            with p.open("rb") as fh:
                while fh.read(CHUNK):
                    pass
        gib = size / 1024**3
        print(f"folder: {len(files)} files, {gib:.2f} GiB, {os.cpu_count()} CPU(s)")

        t_ours, ours = best(lambda: build_manifest(tmp).digests(), args.repeat)
        t_ms, theirs_m = best(lambda: ms_hashing.Config().set_ignored_paths(paths=[], ignore_git_paths=False).hash(tmp), args.repeat)
        theirs = {rd.identifier: rd.digest.digest_hex for rd in theirs_m.resource_descriptors()}  # type: ignore[attr-defined]
        assert ours == theirs, "ptmvet and model_signing digests differ"
        rows = [("ptmvet manifest", t_ours), ("model_signing hashing", t_ms)]
        openssl = shutil.which("openssl")
        if openssl:
            t_ssl, _ = best(
                lambda: subprocess.run([openssl, "dgst", "-sha256", *map(str, files)], check=True, capture_output=True),
                args.repeat,
            )
            rows.append(("openssl dgst -sha256 (one process)", t_ssl))
        for name, t in rows:
            print(f"{name:38s} {t:7.2f} s  {gib / t:6.2f} GiB/s")
        print(f"ratio ptmvet / model_signing: {t_ms / t_ours:.2f}x (throughput; target >= 0.9x)")
        if openssl:
            print(f"ratio ptmvet / openssl:       {rows[2][1] / t_ours:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
