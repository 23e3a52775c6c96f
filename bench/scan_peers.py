"""Confusion tables of ptmvet, picklescan, modelscan, fickling and modelaudit on the peers' corpora, one run.

    .venv/bin/python -m tests.scan.peer_corpora fetch            # once (make testdata)
    .venv/bin/python bench/scan_peers.py [--peer-python /tmp/peervenv/bin/python]

The corpus is built from the peers' own test expectations (tests/scan/peer_corpora.py). Each peer runs in its
own virtual environment (install them there: `pip install picklescan==1.0.5 fickling==0.1.12 modelscan==0.8.8
modelaudit==0.2.54`), never in the project's. A file counts as flagged when the tool's command line would exit
non-zero on it (for ptmvet: `ptmvet scan`'s default --fail-on unknown). Prints TP/FN/FP/TN per tool, by peer
source, the inert files apart, and every ptmvet miss with the reason.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

PEERS = ("picklescan", "modelscan", "fickling", "modelaudit")


def run_peer(python: str, tool: str, paths: list[str]) -> dict[str, object]:
    proc = subprocess.run(
        [python, str(ROOT / "bench" / "_peer_driver.py"), tool],
        input=json.dumps(paths),
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if proc.returncode != 0:
        return {"tool": tool, "version": "unavailable", "seconds": 0.0, "verdicts": {}, "error": proc.stderr[-400:]}
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    from tests.scan.peer_corpora import build

    from ptmvet.scan import Verdict, scan_file

    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default="/tmp/peervenv/bin/python")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        samples = build(Path(tmp) / "corpus")
        paths = [str(s.path) for s in samples]
        ours: dict[str, str] = {}
        why: dict[str, str] = {}
        for s in samples:
            r = scan_file(s.path)
            ours[str(s.path)] = "flagged" if r.verdict.rank >= Verdict.UNKNOWN.rank else "clean"
            why[str(s.path)] = f"{r.format}/{r.verdict.value}: " + "; ".join(
                [g.qualname for g in r.globals if g.verdict is not Verdict.SAFE][:3] + [i.message[:80] for i in r.issues][:2]
            )
        results = {"ptmvet": {"version": "this tree", "verdicts": ours}}
        for tool in PEERS:
            results[tool] = run_peer(args.peer_python, tool, paths)
        n_mal = sum(s.label == "malicious" for s in samples)
        n_ben = sum(s.label == "benign" for s in samples)
        n_inert = sum(s.label == "inert" for s in samples)
        print(f"corpus: {len(samples)} files: {n_mal} malicious, {n_ben} benign, {n_inert} inert (kept apart)")
        print(f"{'tool':<12}{'version':<14}{'TP':>5}{'FN':>5}{'FP':>5}{'TN':>5}{'recall':>9}{'inert flagged':>15}")
        for tool, res in results.items():
            v = res["verdicts"]
            assert isinstance(v, dict)
            if not v:
                print(f"{tool:<12}unavailable: {str(res.get('error', ''))[-200:]}")
                continue
            flagged = {p: not str(v.get(p, "clean")).startswith("clean") for p in paths}
            tp = sum(flagged[str(s.path)] for s in samples if s.label == "malicious")
            fp = sum(flagged[str(s.path)] for s in samples if s.label == "benign")
            inert = sum(flagged[str(s.path)] for s in samples if s.label == "inert")
            print(f"{tool:<12}{res['version']!s:<14}{tp:>5}{n_mal - tp:>5}{fp:>5}{n_ben - fp:>5}{tp / n_mal:>9.1%}{inert:>10}/{n_inert}")
        print("\nrecall by source of the samples (TP/malicious):")
        sources = sorted({s.source for s in samples})
        print(f"{'tool':<12}" + "".join(f"{src:>14}" for src in sources))
        for tool, res in results.items():
            v = res["verdicts"]
            assert isinstance(v, dict)
            if not v:
                continue
            cells = []
            for src in sources:
                mal = [s for s in samples if s.source == src and s.label == "malicious"]
                hit = sum(not str(v.get(str(s.path), "clean")).startswith("clean") for s in mal)
                cells.append(f"{hit}/{len(mal)}")
            print(f"{tool:<12}" + "".join(f"{c:>14}" for c in cells))
        misses = [s for s in samples if s.label == "malicious" and ours[str(s.path)] == "clean"]
        fps = [s for s in samples if s.label == "benign" and ours[str(s.path)] == "flagged"]
        print(f"\nptmvet misses ({len(misses)}):")
        for s in misses:
            print(f"  {s.source}/{s.path.name} [{s.kind}] -> {why[str(s.path)]}")
        print(f"ptmvet false positives ({len(fps)}):")
        for s in fps:
            print(f"  {s.source}/{s.path.name} [{s.kind}] -> {why[str(s.path)]}")
        print("inert files (payload stored as data or custom class), ptmvet verdicts:")
        for s in samples:
            if s.label == "inert":
                print(f"  {s.source}/{s.path.name}: {why[str(s.path)]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
