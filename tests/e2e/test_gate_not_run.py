"""A PASS on the real all-MiniLM-L6-v2 package says which checks could not be run (offline: no digests, no lineage)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptmvet.cli import main


def test_real_package_passes_the_default_gate_and_every_output_names_the_checks_not_run(
    minilm_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = str(minilm_path)
    assert main(["gate", pkg]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.startswith("PASS: ") and "checks could not be run: " in head
    assert "VET601 (no expected digests to compare with)" in head and "VET504 (" in head

    assert main(["gate", pkg, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["passed"] is True
    not_run = {x["check_id"]: x for x in doc["not_run"]}
    assert {"VET601", "VET504"} <= set(not_run)
    assert not_run["VET601"]["severity"] == not_run["VET504"]["severity"] == "high"
    assert all(x["outcome"] in ("skipped", "error") and x["reason"] for x in doc["not_run"])

    assert main(["check", pkg, "--format", "md"]) == 0
    verdict = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("**Verdict: "))
    assert verdict.startswith("**Verdict: PASS under policy 'default'") and "could not be run: " in verdict
    assert "VET601 \\(no expected digests to compare with\\)" in verdict
