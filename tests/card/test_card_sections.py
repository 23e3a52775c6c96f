"""Sections mapped onto the Hub's official model card template."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptmvet.card import TEMPLATE_SECTIONS, canonical_section, parse_card, parse_sections, section_keys

# Every heading of huggingface_hub's modelcard_template.md and the key it must map to.
TEMPLATE_HEADINGS = {
    "Model Details": "model_details",
    "Model Description": "model_description",
    "Model Sources": "model_sources",
    "Uses": "uses",
    "Direct Use": "direct_use",
    "Downstream Use": "downstream_use",
    "Out-of-Scope Use": "out_of_scope_use",
    "Bias, Risks, and Limitations": "bias_risks_limitations",
    "Recommendations": "recommendations",
    "How to Get Started with the Model": "get_started",
    "Training Details": "training_details",
    "Training Data": "training_data",
    "Training Procedure": "training_procedure",
    "Preprocessing": "preprocessing",
    "Training Hyperparameters": "training_hyperparameters",
    "Speeds, Sizes, Times": "speeds_sizes_times",
    "Evaluation": "evaluation",
    "Testing Data, Factors & Metrics": "testing_data_factors_metrics",
    "Testing Data": "testing_data",
    "Factors": "factors",
    "Metrics": "metrics",
    "Results": "results",
    "Summary": "summary",
    "Model Examination": "model_examination",
    "Environmental Impact": "environmental_impact",
    "Technical Specifications": "technical_specifications",
    "Model Architecture and Objective": "architecture",
    "Compute Infrastructure": "compute_infrastructure",
    "Hardware": "hardware",
    "Software": "software",
    "Citation": "citation",
    "Glossary": "glossary",
    "More Information": "more_information",
    "Model Card Authors": "card_authors",
    "Model Card Contact": "card_contact",
}


@pytest.mark.corpora
def test_template_headings_map_to_their_keys(corpora: Path) -> None:
    text = (corpora / "hf-modelcard-template-and-fixtures" / "modelcard_template.md").read_text(encoding="utf-8")
    sections = parse_sections(text.split("\n---\n", 1)[1])
    got = {s.title: s.canonical for s in sections if s.level > 1}
    assert got == TEMPLATE_HEADINGS
    assert set(TEMPLATE_HEADINGS.values()) == set(TEMPLATE_SECTIONS)  # every key is a template section


@pytest.mark.corpora
def test_rendered_template_sections_are_placeholders(corpora: Path) -> None:
    from huggingface_hub import ModelCard, ModelCardData

    template = corpora / "hf-modelcard-template-and-fixtures" / "modelcard_template.md"
    rendered = ModelCard.from_template(
        ModelCardData(license="mit"), template_path=str(template), model_id="org/m", direct_use="Classify short English reviews."
    )
    card = parse_card(str(rendered))
    assert card.metadata["license"] == "mit"
    assert card.has_section("direct_use", min_words=4)
    assert card.section("out_of_scope_use")[0].is_placeholder
    assert not card.has_section("bias_risks_limitations")  # only "[More Information Needed]"
    assert card.section("model_details")[0].title == "Model Details"


@pytest.mark.parametrize(
    ("heading", "keys"),
    [
        ("Intended uses & limitations", ("uses", "bias_risks_limitations")),
        ("Training and evaluation data", ("training_data", "testing_data")),
        ("Limitations and bias", ("bias_risks_limitations",)),
        ("How to use", ("get_started",)),
        ("Usage (Sentence-Transformers)", ("get_started",)),
        ("Framework versions", ("software",)),
        ("Training hyperparameters", ("training_hyperparameters",)),
        ("BibTeX entry and citation info", ("citation",)),
        ("Misuse and out-of-scope use", ("out_of_scope_use",)),
        ("Pretraining details", ("training_procedure",)),
        ("Eval results", ("results", "evaluation")),
        ("Causes of failure", ()),  # "uses" inside a word does not match
        ("Harry Potter DialoGPT Model", ()),
    ],
)
def test_common_hub_headings(heading: str, keys: tuple[str, ...]) -> None:
    assert section_keys(heading) == keys
    assert canonical_section(heading) == (keys[0] if keys else None)


def test_heading_syntaxes_fences_and_comments() -> None:
    body = (
        "intro\n# One #\ntext\n```python\n# not a heading\n```\nSetext Two\n----------\ntwo\n"
        "<!--\n## hidden\n-->\n<h2 align=\"center\">HTML <b>Three</b></h2>\nthree\n~~~~\n## nope\n~~~\n## still nope\n~~~~\n"
        "- item\n---\n#hashtag is text\n    # indented code\n## [Linked](http://x) *Title* ##\n"
    )
    got = [(s.level, s.title) for s in parse_sections(body)]
    assert got == [(1, "One"), (2, "Setext Two"), (2, "HTML Three"), (2, "Linked Title")]
    three = parse_sections(body)[2]
    assert "## nope" in three.text and "#hashtag" in three.text


def test_unclosed_fence_hides_the_rest() -> None:
    assert [s.title for s in parse_sections("# A\n```\n# B\n")] == ["A"]
