"""Markdown format: structure, and card text that cannot turn into markup when rendered."""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

from _fmt_reports import PAYLOAD, XSS, assert_inert, folder_report, meta, synthetic_report
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ptmvet.checks.interface import Attribute
from ptmvet.formats import FORMATS
from ptmvet.formats.common import one_line
from ptmvet.formats.markdown import md_escape, render_markdown
from ptmvet.report import score_findings

MD = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def test_structure() -> None:
    text = render_markdown(synthetic_report())
    for heading in (
        "# ptmvet report: acme/sentiment-mit",
        "## Scores",
        "## Findings",
        "## Claims",
        "## Re-measured claims",
        "## Lineage",
    ):
        assert f"\n{heading}" in "\n" + text, heading
    assert "| Integrity | not assessable | _not assessable_ |" in text
    assert "| Licence | 0.0/10 |" in text
    assert "### Provenance — 6.7/10" in text
    prov = text[text.index("### Provenance") :]
    assert prov.index("VET103") < prov.index("VET101")
    assert "❌ fail **VET103**" in text and "remedy: Add an arXiv link" in text
    assert "**overstated**" in text and "not-verifiable (no data)" in text
    assert "## Licence" in text and "- **Intended use**: commercial: conflict" in text
    assert "## Serialization scan" in text and "Overall verdict: **dangerous**" in text
    assert "| pytorch\\_model.bin | pickle | dangerous |" in text
    assert "Training datasets:" in text and "| glue | cc-by-4.0 | CC-BY-4.0 |" in text
    assert "## Integrity" in text


def test_rendered_markdown_is_inert() -> None:
    findings = (
        *synthetic_report(PAYLOAD).findings,
        meta("VET401", "card-present", Attribute.DOCUMENTATION).failed(PAYLOAD, evidence=list(XSS), remedy=PAYLOAD),
    )
    report = replace(synthetic_report(PAYLOAD), findings=findings, scores=score_findings(findings))
    text = render_markdown(report)
    doc = MD.render(text)
    p = assert_inert(doc)
    assert not [t for t, _ in p.tags if t == "a"]  # no link from card text
    assert "<script>alert(1)</script>" in "".join(p.text)  # shown literally
    # Tables keep their shape: a `|` in card text does not add a cell.
    assert all(row.count(" | ") == 6 for row in text.splitlines() if row.startswith("| text-classification"))


def test_real_card(tmp_path: Path) -> None:
    card = "---\nlicense: mit\n---\n# M\n\n" + PAYLOAD + "\n"
    text = FORMATS["md"].render(folder_report(tmp_path / "m", card))
    assert "# ptmvet report: m" in text
    assert_inert(MD.render(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=60))
def test_escaped_text_renders_back_to_itself(s: str) -> None:
    rendered = MD.renderInline("x " + md_escape(s))
    p = assert_inert(rendered)
    assert not p.tags  # no element at all: only text
    assert html.unescape(rendered).rstrip() == ("x " + one_line(s)).rstrip()
