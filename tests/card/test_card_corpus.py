"""parse_card over every real card in ../shared/corpora (skipped when absent)."""

from __future__ import annotations

import collections
import tarfile
from pathlib import Path

import pytest

from ptmvet.card import parse_card

CARDS_2022 = "hf-model-infos-cards-2022-02-saranscript/model_cards.tar.gz"


@pytest.mark.corpora
@pytest.mark.slow
def test_all_2022_cards_parse(corpora: Path) -> None:
    facts: collections.Counter[str] = collections.Counter()
    with tarfile.open(corpora / CARDS_2022) as tf:
        for member in tf:
            if not member.isfile():
                continue
            fh = tf.extractfile(member)
            assert fh is not None
            card = parse_card(fh.read().decode("utf-8", errors="replace"), path=member.name)
            _ = card.sections
            facts["cards"] += 1
            facts["front_matter"] += card.has_front_matter
            facts["license"] += "license" in card.metadata
            facts["model_index"] += "model-index" in card.metadata or "model_index" in card.metadata
            facts["with_claims"] += bool(card.claims)
            facts["claims"] += len(card.claims)
            facts["unusable"] += card.front_matter_error is not None
            facts["intended_use"] += bool(card.section("uses"))
    # Counts stated independently in the corpus MANIFEST.
    assert facts["cards"] == 16590
    assert facts["front_matter"] == 13916
    assert facts["model_index"] == 2979
    # MANIFEST counts 7,499 with PyYAML; libyaml also reads 3 cards whose YAML has tab separators.
    assert 7499 <= facts["license"] <= 7502
    # Measured with this parser (1,357 cards, 3,551 claims, 41 unusable blocks, 3,888 with a uses section).
    assert 1300 <= facts["with_claims"] <= 1420
    assert 3400 <= facts["claims"] <= 3700
    assert 20 <= facts["unusable"] <= 60
    assert 3500 <= facts["intended_use"] <= 4300


@pytest.mark.corpora
def test_fixture_cards(corpora: Path) -> None:
    root = corpora / "hf-modelcard-template-and-fixtures" / "test_fixture_cards"
    cards = {p.name: parse_card(p.read_text(encoding="utf-8"), path=p.name) for p in sorted(root.glob("*.md"))}
    assert len(cards) == 9
    assert cards["sample_invalid_card_data.md"].front_matter_error == "front matter is a list, not a mapping"
    assert cards["sample_no_metadata.md"].metadata == {} and not cards["sample_no_metadata.md"].has_front_matter
    crlf = cards["sample_windows_line_breaks.md"]
    assert crlf.metadata["license"] == "mit" and len(crlf.metadata["widget"]) == 3
    assert [s.title for s in crlf.sections] == ["Hello old Windows line breaks"]
    simple = cards["sample_simple_model_index.md"].claims
    assert [(c.metric, c.value, c.dataset_split) for c in simple] == [("accuracy", 0.9, None), ("f1", 0.66, "test")]
    assert simple[1].dataset_revision == "5503434ddd753f426f4b38109466949a1217c2bb"
    invalid = cards["sample_invalid_model_index.md"]
    assert invalid.metadata["license"] == "mit"
    assert any("without a dataset" in e for e in invalid.errors)
    # Unrendered Jinja: "{{card_data}}" is a mapping used as a key, "{card_data}" is valid YAML.
    assert cards["sample_template.md"].front_matter_error is not None
    assert cards["sample_datasetcard_template.md"].metadata == {"card_data": None}


@pytest.mark.corpora
def test_skops_example_cards(corpora: Path) -> None:
    root = corpora / "hf-model-cards-skops-examples"
    cards = {p.stem: parse_card(p.read_text(encoding="utf-8")) for p in sorted(root.glob("*.md")) if p.name != "MANIFEST.md"}
    assert len(cards) == 6
    for card in cards.values():
        assert card.front_matter_error is None
    bert = cards["bert-base-uncased"]
    assert bert.metadata["license"] == "apache-2.0"
    assert bert.section("bias_risks_limitations") and bert.section("training_data")
    assert bert.section("get_started") and bert.section("model_description")
    gpt2 = cards["gpt2"]
    assert gpt2.section("uses") and gpt2.section("bias_risks_limitations")
    clip = cards["clip-vit-large-patch14"]
    assert clip.section("out_of_scope_use") and clip.section("uses")
