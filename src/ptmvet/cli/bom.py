"""``ptmvet bom MODEL --format cyclonedx|spdx``: an AI bill of materials for one model package."""

from __future__ import annotations

import argparse

from ptmvet.cli._common import add_offline_option, emit, progress_bar
from ptmvet.cli.check import add_vet_options, options_from
from ptmvet.errors import ExitCode
from ptmvet.formats.json_format import dumps


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pathlib import Path

    p = sub.add_parser(
        "bom",
        help="write an AI bill of materials (CycloneDX 1.6 ML-BOM or SPDX 3.0.1 AI/Dataset)",
        description="Vet a model package and write its bill of materials: files with SHA-256, licences, "
        "model card (task, architecture, datasets, claimed and re-measured metrics, limitations), lineage "
        "and ptmvet's findings. See docs/bom.md for the field mapping.",
    )
    p.add_argument("model", help="folder, or org/name[@revision]")
    p.add_argument("--format", "-f", choices=("cyclonedx", "spdx"), default="cyclonedx", help="BOM format (default: cyclonedx)")
    p.add_argument("--output", "-o", type=Path, help="write the BOM to this file instead of standard output")
    add_offline_option(p)
    add_vet_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ptmvet.bom import render_bom, vet_for_bom

    with progress_bar(f"vetting {args.model}") as progress:
        vetted = vet_for_bom(args.model, options_from(args), progress)
    doc = render_bom(vetted, args.format)
    emit(dumps(doc), args.output)
    return int(ExitCode.OK)
