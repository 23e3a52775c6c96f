"""Helpers shared by the licence-check tests (tests/checks) and the licence enricher tests (tests/licenses)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ptmvet.card import parse_card
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.checks.license import CHECKS
from ptmvet.evidence import Evidence, FileEntry, Target

APACHE = "                                 Apache License\n                           Version 2.0, January 2004\n"
BY_ID = {c.meta.id: c for c in CHECKS}


def ev(card: str | None, licenses: dict[str, str] | None = None, **kw: object) -> Evidence:
    """Evidence of a local package ``me/model`` with the card (inline markdown) and licence files given."""
    files = [FileEntry("README.md", 10, True), *(FileEntry(p, 10, True) for p in licenses or {})]
    return Evidence(target=Target(name="me/model", source="local", repo_id="me/model"), files=tuple(files), card=parse_card(card) if card else None, license_texts=licenses or {}, **kw)  # type: ignore[arg-type]


def outcome(check_id: str, evidence: Evidence) -> tuple[Outcome, str]:
    """The outcome and message of one licence check's single finding (a crash fails the test)."""
    (f,) = run_check(BY_ID[check_id], evidence)
    assert f.outcome is not Outcome.ERROR, f.message
    return f.outcome, f.message


def lineage_dump(folder: Path) -> Path:
    """A registry dump (the shape of the Hub's model and dataset listings) with a non-commercial base, a cycle and a non-commercial dataset."""
    models = folder / "hf_models_list.jsonl.gz"
    with gzip.open(models, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "org/nc-base", "tags": ["license:cc-by-nc-4.0"]}) + "\n")
        fh.write(json.dumps({"id": "org/loop", "tags": ["license:mit", "base_model:org/loop"]}) + "\n")
    with gzip.open(folder / "hf_datasets_list.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "tatsu-lab/alpaca", "tags": ["license:cc-by-nc-4.0"]}) + "\n")
    return models
