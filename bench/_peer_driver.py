"""Run one peer scanner over a list of files; executed by bench/ scripts in the peers' own venv.

    /tmp/peervenv/bin/python bench/_peer_driver.py TOOL < paths.json > verdicts.json

Prints {"tool", "version", "seconds", "verdicts": {path: "flagged" | "clean" | "error: ..."}}. "flagged"
means the tool's own command line would exit non-zero on the file (security finding or scan error).
Timing covers the scans only (imports done first).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import time
from collections.abc import Callable


def _picklescan() -> tuple[str, Callable[[str], bool]]:
    from picklescan.scanner import scan_file_path

    def one(p: str) -> bool:
        r = scan_file_path(p)
        return bool(r.infected_files or r.scan_err)

    from importlib.metadata import version

    return version("picklescan"), one


def _modelscan() -> tuple[str, Callable[[str], bool]]:
    from importlib.metadata import version

    from modelscan.modelscan import ModelScan

    def one(p: str) -> bool:
        r = ModelScan().scan(p)
        return bool(r.get("issues") or r.get("errors"))

    return version("modelscan"), one


def _fickling() -> tuple[str, Callable[[str], bool]]:
    import fickling

    def one(p: str) -> bool:
        return not bool(fickling.scan_file(p, graceful=True))

    return fickling.__version__, one


def _modelaudit() -> tuple[str, Callable[[str], bool]]:
    from importlib.metadata import version

    from modelaudit.core import scan_model_directory_or_file
    from modelaudit.core_results import determine_exit_code

    def one(p: str) -> bool:
        return determine_exit_code(scan_model_directory_or_file(p)) != 0

    return version("modelaudit"), one


TOOLS = {"picklescan": _picklescan, "modelscan": _modelscan, "fickling": _fickling, "modelaudit": _modelaudit}


def main() -> int:
    tool = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    paths = json.load(sys.stdin)
    logging.disable(logging.CRITICAL)
    ver, one = TOOLS[tool]()
    verdicts: dict[str, str] = {}
    best = float("inf")
    per_file = dict.fromkeys(paths, float("inf"))
    clock = time.perf_counter
    for _ in range(repeat):
        t0 = clock()
        for p in paths:
            t1 = clock()
            try:
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    verdicts[p] = "flagged" if one(p) else "clean"
            except Exception as exc:  # a crash on a file is what the user sees: an error, counted as flagged
                verdicts[p] = f"error: {type(exc).__name__}: {str(exc)[:120]}"
            per_file[p] = min(per_file[p], clock() - t1)
        best = min(best, clock() - t0)
    out = {"tool": tool, "version": ver, "seconds": best, "file_best": sum(per_file.values()), "verdicts": verdicts}
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
