"""The package's public API is importable from ``ptmvet`` and stays light to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import ptmvet


def test_public_names_resolve() -> None:
    for name in ptmvet.__all__:
        assert getattr(ptmvet, name) is not None
    with pytest.raises(AttributeError):
        _ = ptmvet.no_such_name  # type: ignore[attr-defined]


def test_import_does_not_pull_heavy_libraries() -> None:
    code = "import sys, ptmvet, ptmvet.pipeline; print(sorted(m for m in ('numpy', 'torch', 'transformers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_vet_and_gate_from_the_top_level(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# m\n")
    report = ptmvet.vet(tmp_path, ptmvet.VetOptions(offline=True))
    assert report.summary.license == "mit"
    assert isinstance(ptmvet.gate(report, ptmvet.Policy.research()).passed, bool)
    assert "mit" in ptmvet.render(report, "md")
