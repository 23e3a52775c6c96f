"""parse_card on hand-built cards: every broken shape becomes errors, never an exception."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptmvet.card import MAX_FRONT_MATTER_CHARS, ModelCard, as_str_list, parse_card, split_front_matter

SIMPLE = "---\nlicense: mit\ntags:\n- a\n- b\n---\n\n# Title\n\nBody text.\n"


def test_simple_card() -> None:
    card = parse_card(SIMPLE)
    assert card.has_front_matter
    assert dict(card.metadata) == {"license": "mit", "tags": ["a", "b"]}
    assert card.errors == ()
    assert card.front_matter_error is None
    assert [s.title for s in card.sections] == ["Title"]
    assert card.sections[0].text == "Body text."


def test_crlf_line_ends() -> None:
    card = parse_card(SIMPLE.replace("\n", "\r\n"))
    assert dict(card.metadata) == {"license": "mit", "tags": ["a", "b"]}
    assert [s.title for s in card.sections] == ["Title"]
    assert card.sections[0].text == "Body text."


def test_old_mac_line_ends_split_into_sections() -> None:
    # A bare-CR card has no front matter for huggingface_hub either (its closing
    # fence must end with \n); its body still splits into sections.
    card = parse_card("# One\rtext\r## Two\rmore\r")
    assert [(s.title, s.text) for s in card.sections] == [("One", "text"), ("Two", "more")]


def test_bom_is_ignored() -> None:
    card = parse_card("\ufeff" + SIMPLE)
    assert card.metadata["license"] == "mit"


def test_tabs_are_expanded_and_reported() -> None:
    card = parse_card("---\nlicense: mit\ntags:\n\t- a\n---\nbody\n")
    assert card.metadata["tags"] == ["a"]
    assert any("tabs" in e for e in card.errors)
    assert card.front_matter_error is None


def test_broken_yaml_is_an_error() -> None:
    card = parse_card("---\nlicense: [mit\ntags: x: y\n---\n# T\ntext\n")
    assert card.has_front_matter
    assert card.metadata == {}
    assert card.front_matter_error is not None
    assert "not valid YAML" in card.front_matter_error
    assert [s.title for s in card.sections] == ["T"]


@pytest.mark.parametrize(
    ("block", "kind"),
    [("[]", "list"), ("- a\n- b", "list"), ("just a string", "str"), ("42", "int")],
)
def test_front_matter_that_is_not_a_mapping(block: str, kind: str) -> None:
    card = parse_card(f"---\n{block}\n---\n# T\n")
    assert card.metadata == {}
    assert card.front_matter_error == f"front matter is a {kind}, not a mapping"


def test_non_string_keys_are_kept_as_strings() -> None:
    card = parse_card("---\n1: one\n2.5: x\nlicense: mit\n---\n")
    assert card.metadata == {"1": "one", "2.5": "x", "license": "mit"}
    assert any("not strings" in e for e in card.errors)


def test_empty_and_blank_cards() -> None:
    for text in ("", "   \n\n", "---\n---\n", "---\n\n---\n"):
        card = parse_card(text)
        assert card.metadata == {}
        assert card.claims == ()
        assert card.front_matter_error is None


def test_front_matter_without_closing_fence() -> None:
    card = parse_card("---\nlicense: mit\ntags:\n- a\n\n# Model\ntext\n")
    assert not card.has_front_matter
    assert card.metadata == {}
    assert card.front_matter_error is not None and "not closed" in card.front_matter_error


def test_four_dash_fence_is_not_front_matter() -> None:
    # huggingface_hub and the Hub only accept '---'; say why the metadata is ignored.
    card = parse_card("----\ntags:\n- conversational\n---\n# Bot\n")
    assert card.metadata == {}
    assert card.front_matter_error is not None and "'----'" in card.front_matter_error


def test_closing_fence_with_trailing_spaces() -> None:
    card = parse_card("---\ntags:\n- conversational\n---  \n# Bot\n")
    assert card.metadata == {"tags": ["conversational"]}


def test_model_index_underscore_is_read_and_reported() -> None:
    text = "---\nmodel_index:\n- name: m\n  results:\n  - task: {type: text-classification}\n    dataset: {type: glue, name: GLUE, split: validation}\n    metrics:\n    - {type: accuracy, value: 0.9}\n---\n"
    card = parse_card(text)
    assert len(card.claims) == 1
    assert card.claims[0].metric == "accuracy"
    assert any("model_index" in e for e in card.errors)


def test_strings_where_lists_are_expected() -> None:
    card = parse_card("---\ndatasets: squad\ntags: nlp\nlanguage: en\nlicense:\n- mit\n---\n")
    assert card.meta_list("datasets") == ("squad",)
    assert card.meta_list("tags") == ("nlp",)
    assert card.meta_str("license") == "mit"
    assert as_str_list([{"name": "squad"}, 3, None, " ", "x"]) == ("squad", "3", "x")
    assert as_str_list({"a": 1}) == ("a",)


def test_model_index_as_a_mapping_and_task_as_a_list() -> None:
    text = (
        "---\nmodel-index:\n  name: m\n  results:\n  - task:\n    - type: question-answering\n"
        "    dataset: {type: squad, name: SQuAD}\n    metrics:\n    - {type: f1, value: '88.5%'}\n---\n"
    )
    card = parse_card(text)
    assert len(card.claims) == 1
    claim = card.claims[0]
    assert claim.task_type == "question-answering"
    assert claim.value == 88.5
    assert claim.raw_value == "88.5%"


def test_yaml_bomb_is_rejected_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    text = "---\n" + "\n".join(lines) + "\n---\n# T\n"
    start = time.perf_counter()
    card = parse_card(text)
    assert time.perf_counter() - start < 2
    assert card.metadata == {}
    assert card.front_matter_error is not None and "expands to more than" in card.front_matter_error


def test_merge_key_bomb_is_rejected() -> None:
    lines = ["a0: &a0 {k: v}"]
    for i in range(1, 40):
        lines.append(f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], k{i}: v}}")
    card = parse_card("---\n" + "\n".join(lines) + "\n---\n")
    assert card.metadata == {}
    assert card.front_matter_error is not None


def test_recursive_alias_is_rejected() -> None:
    card = parse_card("---\na: &a [1, *a]\n---\n")
    assert card.metadata == {}
    assert card.front_matter_error is not None and "recursive" in card.front_matter_error


def test_small_aliases_are_fine() -> None:
    card = parse_card("---\nbase: &b {lr: 0.1}\nrun: *b\nmerged:\n  <<: *b\n  epochs: 3\n---\n")
    assert card.metadata["run"] == {"lr": 0.1}
    assert card.metadata["merged"] == {"lr": 0.1, "epochs": 3}


def test_deep_nesting_is_an_error() -> None:
    card = parse_card("---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert card.metadata == {}
    assert card.front_matter_error is not None


def test_huge_front_matter_is_refused() -> None:
    block = "k: " + "x" * (MAX_FRONT_MATTER_CHARS + 10)
    card = parse_card(f"---\n{block}\n---\n")
    assert card.metadata == {}
    assert card.front_matter_error is not None and "too large" in card.front_matter_error


def test_unknown_tags_and_python_tags_are_errors() -> None:
    for block in ("a: !!python/object:os.system ls", "a: !custom x"):
        card = parse_card(f"---\n{block}\n---\n")
        assert card.metadata == {}
        assert card.front_matter_error is not None


def test_yaml_types_match_safe_load() -> None:
    import datetime

    import yaml

    block = "a: 1\nb: 1.5\nc: yes\nd: ~\ne: 2022-01-02\nf: 0x1F\ng: '1'\nh: !!binary aGk=\ni: .nan\nj: !!set {x}\nk: {? [1, 2] : bad}"
    card = parse_card(f"---\n{block.rsplit(chr(10), 1)[0]}\n---\n")
    expected = yaml.safe_load(block.rsplit("\n", 1)[0])
    assert set(card.metadata) == set(expected)
    assert card.metadata["e"] == datetime.date(2022, 1, 2)
    assert card.metadata["h"] == b"hi"
    assert card.metadata["j"] == {"x"}
    assert card.metadata["c"] is True and card.metadata["f"] == 31
    bad = parse_card(f"---\n{block}\n---\n")  # an unhashable key, as PyYAML reports it
    assert bad.front_matter_error is not None


def test_split_front_matter_matches_huggingface_hub() -> None:
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    for text in (SIMPLE, SIMPLE.replace("\n", "\r\n"), "\n\n---\na: 1\n---", "---\na: 1\n---\t\nx", "no front matter"):
        block, body = split_front_matter(text)
        m = REGEX_YAML_BLOCK.search(text)
        assert block == (m.group(2) if m else None)
        assert body == (text[m.end() :] if m else text)


def test_sections_are_lazy_and_can_be_given() -> None:
    card = parse_card(SIMPLE)
    assert "_sections" not in card.__dict__ or card.__dict__["_sections"] is None
    assert card.sections[0].title == "Title"
    given_card = ModelCard(raw="x", sections=())
    assert given_card.sections == ()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-#:\n\r\t []{}&*!|>'\"`~<=abc1")), max_size=200))
def test_never_raises(text: str) -> None:
    card = parse_card(text)
    assert isinstance(card.errors, tuple)
    _ = card.sections


def test_id_fields_of_the_wrong_shape_are_card_errors() -> None:
    # base_model: 42 used to read as a declared base model "42" with a clean VET405.
    card = parse_card("---\nlicense: [apache-2.0, {x: 1}]\nbase_model: 42\ndatasets: {a: b}\nlanguage: no\ntags:\n- \n- nlp\n---\n# m\n")
    errs = [e for e in card.errors if e.split()[0] in ("license", "base_model", "datasets", "language", "tags")]
    assert [e.split()[0] for e in errs] == ["license", "base_model", "datasets"]
    assert "base_model is a int ('42')" in errs[1]
    # Still read for what they say: the readers stay lenient.
    assert card.meta_list("base_model") == ("42",)
    assert not parse_card("---\nlicense: mit\nbase_model: [a/b]\ndatasets: glue\n---\n# m\n").errors
