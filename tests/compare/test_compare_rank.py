"""compare: ranking under a policy, weighted score, renderers (terminal, JSON, HTML with escaping), CLI."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ptmvet.card import parse_card
from ptmvet.checks.interface import Attribute, Finding, Outcome, Severity
from ptmvet.cli import main
from ptmvet.compare import WEIGHTS, compare, rank, weighted_score
from ptmvet.evidence import Evidence, Target
from ptmvet.formats import render
from ptmvet.formats.compare import render_html, render_json, render_terminal
from ptmvet.pipeline import VetOptions
from ptmvet.policy import Policy
from ptmvet.report import build_report

XSS = '<img src=x onerror=alert(1)>"'


def _finding(cid: str, attr: Attribute, sev: Severity, outcome: Outcome) -> Finding:
    return Finding(check_id=cid, slug=f"slug-{cid.lower()}", attribute=attr, severity=sev, outcome=outcome, message=f"{cid} {outcome.value}")


def _report(name: str, findings: list[Finding], *, spdx: str | None = "MIT"):
    card = parse_card(f"---\nlicense: {spdx.lower()}\n---\n# {name}\n" if spdx else f"# {name}\n")
    return build_report(Evidence(target=Target(name=name, source="local", local_path=f"/x/{name}"), card=card), findings)


GOOD = [
    _finding("VET301", Attribute.PORTABILITY, Severity.HIGH, Outcome.PASS),
    _finding("VET701", Attribute.SAFETY, Severity.MEDIUM, Outcome.PASS),
    _finding("VET401", Attribute.DOCUMENTATION, Severity.HIGH, Outcome.PASS),
]
MEDIOCRE = [
    _finding("VET301", Attribute.PORTABILITY, Severity.HIGH, Outcome.PASS),
    _finding("VET701", Attribute.SAFETY, Severity.MEDIUM, Outcome.PASS),
    _finding("VET401", Attribute.DOCUMENTATION, Severity.HIGH, Outcome.PASS),
    _finding("VET403", Attribute.DOCUMENTATION, Severity.MEDIUM, Outcome.FAIL),
]
FAILING = [  # better scores overall, but a high-severity failure fails the default gate
    _finding("VET301", Attribute.PORTABILITY, Severity.HIGH, Outcome.FAIL),
    _finding("VET701", Attribute.SAFETY, Severity.MEDIUM, Outcome.PASS),
    _finding("VET401", Attribute.DOCUMENTATION, Severity.HIGH, Outcome.PASS),
    _finding("VET101", Attribute.PROVENANCE, Severity.MEDIUM, Outcome.PASS),
]


def test_weighted_score_ignores_not_assessable() -> None:
    assert weighted_score({Attribute.SAFETY: 10.0, Attribute.CLAIMS: None, Attribute.PROVENANCE: 4.0}) == pytest.approx((2 * 10 + 4) / 3, abs=0.01)
    assert weighted_score({a: None for a in Attribute}) is None
    assert WEIGHTS[Attribute.SAFETY] > WEIGHTS[Attribute.MAINTENANCE]


def test_gate_pass_ranks_first_then_score_then_high_failures() -> None:
    ranked = rank([("f", _report("failing", FAILING)), ("m", _report("mediocre", MEDIOCRE)), ("g", _report("good", GOOD))], Policy.default())
    assert [c.name for c in ranked] == ["good", "mediocre", "failing"]
    assert [c.rank for c in ranked] == [1, 2, 3]
    assert ranked[0].passed and ranked[1].passed and not ranked[2].passed
    assert ranked[0].score is not None and ranked[1].score is not None and ranked[0].score > ranked[1].score
    # Tie on gate and score: fewer high failures first.
    tie_a = _report("tie-a", [*GOOD, _finding("VET702", Attribute.SAFETY, Severity.CRITICAL, Outcome.PASS)])
    tie_b = _report("tie-b", [*GOOD, _finding("VET702", Attribute.SAFETY, Severity.CRITICAL, Outcome.PASS)])
    assert [c.name for c in rank([("b", tie_b), ("a", tie_a)], Policy.research())] == ["tie-a", "tie-b"]


def test_unlicensed_candidate_fails_default_gate() -> None:
    ranked = rank([("n", _report("nolicence", GOOD, spdx=None)), ("g", _report("good", GOOD))], Policy.default())
    assert ranked[-1].name == "nolicence" and not ranked[-1].passed
    assert ranked[-1].license_facts().status.value == "conflict"


def test_renderers_escape_and_agree() -> None:
    result = compare(["a", "b"], VetOptions(), policy=Policy.default(), vetter=lambda ref, _o, _p: _report(XSS if ref == "a" else "b", GOOD))
    data = json.loads(render_json(result))
    assert [c["name"] for c in data["candidates"]] == [c.name for c in result.ranked]
    assert data["candidates"][0]["scores"]["safety"] == 10.0
    html = render_html(result)
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;&quot;" in html
    tags: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)
            assert not any(k.startswith("on") for k, _ in attrs)

    P().feed(html)
    assert "img" not in tags and "script" not in tags and "svg" in tags
    assert html.count("<rect") >= len(Attribute) * 2  # grouped bars: one per attribute and candidate
    text = render_terminal(result)
    assert "PASS" in text and "score" in text
    assert render(result, "json") == render_json(result)


@pytest.mark.corpora
def test_cli_compare_real_packages_html(corpora: Path, minilm_path: Path, tmp_path: Path) -> None:
    mirrors = corpora / "hf-model-repos-github-mirrors"
    out = tmp_path / "compare.json"
    args = ["compare", str(mirrors / "distilbert-base-uncased-finetuned-sst-2-english"), str(mirrors / "valhalla__distilbart-mnli-12-1"), str(minilm_path)]
    assert main([*args, "--offline", "--format", "json", "--output", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    # MiniLM is the only candidate that passes the default gate. Identify it by the reference
    # given on the command line: its display name comes from the card title, not the folder.
    assert data["candidates"][0]["ref"] == str(minilm_path)
    assert data["candidates"][0]["name"] == "all-MiniLM-L6-v2"
    assert [c["passed"] for c in data["candidates"]] == [True, False, False]
    html = tmp_path / "compare.html"
    assert main([*args, "--offline", "--format", "html", "--output", str(html)]) == 0
    assert "valhalla__distilbart-mnli-12-1" in html.read_text(encoding="utf-8")


def test_cli_compare_bad_policy_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("version: 1\nchecks: {VET999: error}\n", encoding="utf-8")
    assert main(["compare", str(tmp_path), "--policy", str(bad), "--offline"]) == 2
