"""Base-model phrases: the lead-driven scans find exactly what the patterns' own finditer finds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from _corpuscards import cards_2022
from ptmvet.cardinfo import _gate, basemodel
from ptmvet.cardinfo.basemodel import _PHRASES_LOW, _VERB, _VERB_THEN_ID

TRICKY = [
    "",
    "This model is a fine-tuned version of [roberta-base](https://huggingface.co/roberta-base) on IMDB.",
    # mid-word and overlapping starts: "refinetuned from", "the base model is based on", "version of"/"versions of"
    "refinetuned from x. the base model is based on bert. smaller versions of it. the base the base model:",
    "fine-tuned from fine-tuned from finetuned version of finetuned from. distilling an ensemble of big teacher models",
    # non-ASCII: Chinese, Japanese, Korean, Russian, accented Latin, a dotless i and a capital dotted I
    "本模型基于 bert-base-chinese 在大规模语料基础上训练。bert-base-japanese をベースにファインチューニングしたモデル。",
    "klue/roberta-base 기반 모델. основана на модели ai-forever/rugpt3large. modèle de base: camembert-base. basée sur x.",
    "Fıne-tuned [a/b](https://huggingface.co/a/b) on data.\nİ fine-tuned `bert-base-cased` twice. fine-tuned\n\n  Fine-tuned `x/y`",
]


def _spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


def _agree(text: str) -> None:
    low = text.lower()
    if len(low) == len(text):
        found: set[str] = set()
        assert _spans(basemodel._phrase_matches(_PHRASES_LOW, low, found)) == _spans(_PHRASES_LOW.finditer(low))
        assert _spans(basemodel._phrase_matches(_VERB, low)) == _spans(_VERB.finditer(low))
        unlinked, cuts = basemodel._unlinked(text)
        assert unlinked == re.sub(r"\[([^\]]{1,120})\]\([^)\s]{1,300}\)", r"\1", text)
        ul = unlinked.lower()
        assert _spans(basemodel._unlinked_phrases(ul, cuts, found)) == _spans(_PHRASES_LOW.finditer(ul))
    assert _spans(basemodel._fine_tuned_then_ids(text)) == _spans(_VERB_THEN_ID.finditer(text))


@pytest.mark.parametrize("text", TRICKY)
def test_lead_scans_find_what_finditer_finds(text: str) -> None:
    _agree(text)
    _agree(text.upper())


def test_a_lead_split_by_a_link_is_still_found() -> None:
    """ "[Bas](u)ed on `roberta-base`": the lead "based on" exists only once the link is cut out."""
    text = "An adapter [bas](https://x.org/a)ed on `roberta-base` and [a model](https://x.org) fine-tuned"
    low = text.lower()
    found: set[str] = set()
    list(basemodel._phrase_matches(_PHRASES_LOW, low, found))
    assert "based on" not in found
    unlinked, cuts = basemodel._unlinked(text)
    got = [m.group(0) for m in basemodel._unlinked_phrases(unlinked.lower(), cuts, found)]
    assert got == [m.group(0) for m in _PHRASES_LOW.finditer(unlinked.lower())]
    assert "based on" in got
    assert [b.id for b in basemodel.find_base_models({}, text)] == ["roberta-base"]


def test_leads_are_known_only_for_case_sensitive_patterns_with_a_literal_start() -> None:
    leads = _gate.leads(_PHRASES_LOW)
    assert leads is not None and "fine-tun" in leads and "基于" in leads and "the base" in leads
    assert not any(a != b and b.startswith(a) for a in leads for b in leads)
    assert _gate.leads(re.compile("based on", re.I)) is None
    assert _gate.leads(re.compile(r"\w+ model")) is None
    assert set(_gate.leads(re.compile(r"(?=[ab])(?:a|bc?)x")) or ()) == {"ax", "bx", "bcx"}


def test_lead_scans_agree_with_finditer_on_real_cards(corpora: Path) -> None:
    """Every base-model scan, lead-driven and plain, on 150 real 2022 cards (whole bodies)."""
    texts = cards_2022(corpora, every=50, offset=7, count=150)
    assert len(texts) == 150
    hits = 0
    for text in texts:
        _agree(text)
        hits += any(True for _ in _PHRASES_LOW.finditer(text.lower()))
    assert hits > 20


def _ids(text: str, own: list[str] | None = None) -> list[str]:
    return [b.id for b in basemodel.find_base_models({}, text, own_ids=own or [])]


def test_weights_converted_from_a_repository_name_it() -> None:
    """google/vit-base-patch16-224: a conversion names where the weights came from, even when called a repository."""
    text = (
        "first released in [this repository](https://github.com/google-research/vision_transformer). However, the weights "
        "were converted from the [timm repository](https://github.com/rwightman/pytorch-image-models) by Ross Wightman, "
        "who already converted the weights from JAX to PyTorch. Credits go to him."
    )
    assert _ids(text) == ["github:rwightman/pytorch-image-models"]
    # still a code base, not an origin: "based on" a repository, or a conversion done with a script
    assert _ids("This model is based on the [official repository](https://github.com/google-research/electra).") == []
    assert _ids("Weights converted from TF with [this script](https://github.com/huggingface/transformers/blob/main/x.py).") == []


def test_a_copy_under_another_namespace_is_not_the_model_itself() -> None:
    """DataikuNLP/paraphrase-MiniLM-L6-v2 is a copy of sentence-transformers/paraphrase-MiniLM-L6-v2."""
    text = (
        "**This model is a copy of [this model repository](https://huggingface.co/sentence-transformers/paraphrase-MiniLM-L6-v2/) "
        "from sentence-transformers at the specific commit `c4dfcde8a3e3e17e85cd4f0ec1925a266187f48e`.**"
    )
    assert _ids(text, ["DataikuNLP/paraphrase-MiniLM-L6-v2"]) == ["sentence-transformers/paraphrase-MiniLM-L6-v2"]
    # vuiseng9/wav2vec2-base-100h: "This is a fork of [```facebook/wav2vec2-base-100h```](...)"
    fork = "This is a fork of [```facebook/wav2vec2-base-100h```](https://huggingface.co/facebook/wav2vec2-base-100h)"
    assert _ids(fork, ["vuiseng9/wav2vec2-base-100h"]) == ["facebook/wav2vec2-base-100h"]
    # the namespace unknown (a local folder named like the model): a same-named id may be the model itself
    assert _ids(text, ["paraphrase-MiniLM-L6-v2"]) == []
    # the model's own id, or its bare name, is never its base; nor a GitHub repository named like it
    assert _ids("A fine-tuned version of [me/m1](https://huggingface.co/me/m1).", ["me/m1"]) == []
    assert _ids("Based on [PyTorrent Dataset](https://github.com/fla-sil/PyTorrent) data.", ["Fujitsu/pytorrent"]) == []


def test_a_title_a_paragraph_above_is_not_what_was_fine_tuned() -> None:
    """adilism/wav2vec2-large-xlsr-kyrgyz: the heading is the model's own name (another user's model has it too)."""
    text = (
        "\n# Wav2Vec2-Large-XLSR-53-Kyrgyz\n\nFine-tuned [facebook/wav2vec2-large-xlsr-53](https://huggingface.co/facebook/"
        "wav2vec2-large-xlsr-53) on Kyrgyz using the [Common Voice](https://huggingface.co/datasets/common_voice) dataset.\n"
    )
    assert _ids(text, ["adilism/wav2vec2-large-xlsr-kyrgyz"]) == ["facebook/wav2vec2-large-xlsr-53"]
    # on the same line the id before the verb still counts
    assert _ids("[google/mt5-small](https://huggingface.co/google/mt5-small) fine-tuned on XSum.") == ["google/mt5-small"]
