"""The GitHub Action, the pre-commit hooks and the example workflow use options the CLI has."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from ptmvet.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_precommit_hooks_parse() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {"ptmvet-attest", "ptmvet-verify-attestation"} <= set(hooks)
    parser = build_parser()
    for hook in hooks.values():
        argv = shlex.split(hook["entry"])[1:] + list(hook.get("args", []))
        if hook.get("pass_filenames", True):
            argv.append("model.safetensors")
        args = parser.parse_args(argv)
        assert callable(args.func), hook["id"]


def test_action_attests_at_a_stage_and_uploads() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert {"stage", "attest-key", "attestation", "audit-log", "upload"} <= set(action["inputs"])
    scripts = "\n".join(s.get("run", "") for s in action["runs"]["steps"])
    assert "ptmvet attest" in scripts and '--stage "$PTMVET_STAGE"' in scripts and "ptmvet log verify" in scripts
    assert "${{" not in scripts  # inputs reach the shell through the environment only
    uploads = [s for s in action["runs"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads and "${{ inputs.attestation }}" in uploads[0]["with"]["path"]
    parser = build_parser()
    parser.parse_args(["attest", "org/name", "--policy", "p.yaml", "--stage", "pilot", "--use", "commercial", "--data-dir", "eval",
                       "--schema-data", "d.csv", "--key", "k.pem", "--output", "a.json"])


def test_example_workflow_runs_pilot_and_production() -> None:
    wf = yaml.safe_load((ROOT / "examples" / "workflows" / "staged-adoption.yml").read_text())
    stages = [step["with"].get("stage") for job in wf["jobs"].values() for step in job["steps"] if step.get("uses") == "./"]
    assert stages == ["pilot", "production"]
    deploy = " ".join(s.get("run", "") for s in wf["jobs"]["deploy"]["steps"])
    assert "verify-attestation" in deploy and "--require-stage production" in deploy
