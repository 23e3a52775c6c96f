"""Card reading: task, datasets, base models and claims from prose and tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptmvet.card import parse_card
from ptmvet.cardinfo import card_info
from ptmvet.cardinfo.basemodel import valid_hub_id
from ptmvet.cardinfo.task import from_architectures, infer_task

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
SST2 = CORPORA / "hf-model-repos-github-mirrors" / "distilbert-base-uncased-finetuned-sst-2-english"


def info(text: str, **kw: object):  # type: ignore[no-untyped-def]
    return card_info(parse_card(text), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("archs", "model_type", "task"),
    [
        (["DistilBertForSequenceClassification"], "distilbert", "text-classification"),
        (["Wav2Vec2ForSequenceClassification"], "wav2vec2", "audio-classification"),
        (["TapasForQuestionAnswering"], "tapas", "table-question-answering"),
        (["GPT2LMHeadModel"], "gpt2", "text-generation"),
        (["XLMWithLMHeadModel"], "xlm", "fill-mask"),
        (["Speech2TextForConditionalGeneration"], "speech_to_text", "automatic-speech-recognition"),
        (["BertForPreTraining"], "bert", None),
        (["BertModel"], "bert", "feature-extraction"),
    ],
)
def test_task_from_architectures(archs: list[str], model_type: str, task: str | None) -> None:
    assert from_architectures(archs, model_type) == task


def test_task_sources_in_order() -> None:
    meta = {"pipeline_tag": "summarization", "tags": ["translation"], "library_name": "transformers"}
    got = infer_task(meta, config={"architectures": ["T5ForConditionalGeneration"], "model_type": "t5"})
    assert (got.task, got.source) == ("summarization", "front-matter:pipeline_tag")
    assert ("text2text-generation", "config:architectures") in got.candidates
    lib = infer_task({"library_name": "sentence-transformers"}, config={"architectures": ["BertModel"]})
    assert (lib.task, lib.source) == ("sentence-similarity", "library")
    text = infer_task({}, '```python\nner = pipeline("ner", model="x")\n```')
    assert (text.task, text.source) == ("token-classification", "card-text")
    assert infer_task({}, "no code here").task is None


def test_datasets_from_phrases_links_and_metadata() -> None:
    card = """---
datasets:
- imdb
---
# Model
This model is a fine-tuned version of [bert-base-uncased](https://huggingface.co/bert-base-uncased) on the SQuAD v2 dataset.
It was also trained on [this corpus](https://huggingface.co/datasets/lhoestq/demo1).
We recommend the bias evaluation dataset [WinoBias](https://huggingface.co/datasets/wino_bias).
"""
    got = [d.id for d in info(card).datasets]
    assert got[:1] == ["imdb"]
    assert "squad_v2" in got
    assert "lhoestq/demo1" in got
    assert "wino_bias" not in got  # recommended for probing, not training data


def test_trainer_none_dataset_is_not_a_dataset() -> None:
    card = "# m\nThis model is a fine-tuned version of [gpt2](https://huggingface.co/gpt2) on the None dataset.\n"
    got = info(card)
    assert got.datasets == ()
    assert [b.id for b in got.base_models] == ["gpt2"]


@pytest.mark.parametrize(
    "sentence",
    [
        "This model was trained from scratch on the same data as [bert-base-uncased](https://huggingface.co/bert-base-uncased).",
        "Compared to [roberta-base](https://huggingface.co/roberta-base), our model is based on a new architecture.",
        "For comparison, bert-base-uncased reaches 92.7.",
    ],
)
def test_base_model_not_invented(sentence: str) -> None:
    assert info("# m\n" + sentence + "\n").base_models == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "The foundation model is [bert-base-uncased](https://huggingface.co/bert-base-uncased).",
        "本模型基于 [bert-base-chinese](https://huggingface.co/bert-base-chinese) 微调。",
        "[cl-tohoku/bert-base-japanese](https://huggingface.co/cl-tohoku/bert-base-japanese) をベースにファインチューニングしました。",
        "Dieses Modell basiert auf [bert-base-german-cased](https://huggingface.co/bert-base-german-cased).",
        "Ce modèle est basé sur [camembert-base](https://huggingface.co/camembert-base).",
        "Este modelo está basado en [dccuchile/bert-base-spanish-wwm-cased](https://huggingface.co/dccuchile/bert-base-spanish-wwm-cased).",
        "이 모델은 [klue/bert-base](https://huggingface.co/klue/bert-base) 기반으로 학습되었습니다.",
        "Модель основана на [DeepPavlov/rubert-base-cased](https://huggingface.co/DeepPavlov/rubert-base-cased).",
    ],
)
def test_base_model_phrases_in_eight_languages(sentence: str) -> None:
    got = info("# m\n" + sentence + "\n").base_models
    assert got and got[0].strength == "card-text", sentence


def test_base_model_strengths_and_local_paths() -> None:
    card = "---\nbase_model: roberta-base\n---\n# m\n"
    got = info(card, config={"_name_or_path": "bert-base-uncased"})
    assert [(b.id, b.strength) for b in got.base_models] == [("roberta-base", "declared"), ("bert-base-uncased", "config")]
    for path in ("/content/drive/MyDrive/model", "./output", "outputs/checkpoint-500", "home/user/bert", "C:\\models\\x"):
        assert not valid_hub_id(path)
    assert info("# m\n", config={"_name_or_path": "/content/out"}).base_models == ()


def test_claims_from_prose_never_from_hyperparameters_or_dates() -> None:
    card = """# m
This model reaches an F1 of 88.5 on the CoNLL-2003 test set.

- learning_rate = 1e-5
- batch_size = 32
- num_train_epochs = 3.0

Released in 2021 with 110 parameters per layer and an accuracy threshold of 0.5.
"""
    claims = info(card).text_claims
    assert [(c.claim.metric, c.claim.value, c.claim.dataset, c.claim.dataset_split, c.claim.source) for c in claims] == [
        ("f1", 88.5, "conll2003", "test", "card-text")
    ]
    assert claims[0].confidence == 0.9


def test_claims_from_markdown_and_html_tables() -> None:
    card = """# m
## Evaluation results

| Dataset | Accuracy | F1 |
|---|---|---|
| IMDB (test) | 93.1 | 92.8 |

| Model | Accuracy | F1 |
|---|---|---|
| other-model-x | 90.0 | 89.0 |
| roberta-base | 88.0 | 87.0 |

## Training results

| Epoch | Validation Loss | Accuracy |
|---|---|---|
| 1 | 0.3 | 0.91 |

<table><tr><th>Metric</th><th>Value</th></tr><tr><td>Exact Match</td><td>81.2</td></tr></table>
"""
    got = {(c.claim.metric, c.claim.value, c.claim.dataset, c.claim.source) for c in info(card).text_claims}
    assert ("accuracy", 93.1, "imdb", "card-table") in got
    assert ("f1", 92.8, "imdb", "card-table") in got
    assert ("exact_match", 81.2, None, "card-table") in got
    assert not any(v in (90.0, 89.0, 88.0, 87.0, 0.91) for _, v, _, _ in got)  # other models' rows; a training log


@pytest.mark.corpora
@pytest.mark.skipif(not SST2.is_dir(), reason="corpora not present")
def test_distilbert_sst2_card_claim_found_and_matched_to_local_data() -> None:
    from ptmvet.evaluate.datasets import match_claim

    card = parse_card((SST2 / "README.md").read_text("utf-8"))
    config = json.loads((SST2 / "config.json").read_text("utf-8"))
    got = card_info(card, config=config, own_ids=["distilbert-base-uncased-finetuned-sst-2-english"])
    claims = [c.claim for c in got.text_claims]
    assert [(c.metric, c.value, c.dataset_split, c.source) for c in claims] == [("accuracy", 91.3, "validation", "card-text")]
    assert 92.7 not in [c.value for c in claims]  # bert-base's number, given "for comparison"
    assert got.claims == tuple(claims)  # confident enough to re-measure
    path, _why = match_claim(claims[0], CORPORA / "eval-datasets")
    assert path is not None and path.name == "dev.tsv"
    assert got.task.task == "text-classification"
    assert [b.id for b in got.base_models] == ["distilbert-base-uncased"]


def test_huge_card_body_is_cut_with_an_error() -> None:
    from ptmvet.card import MAX_BODY_CHARS

    card = parse_card("---\nlicense: mit\n---\n# m\n" + "This model reaches an accuracy of 91.3 on the dev set.\n" * 25_000)
    assert len(card.body) == MAX_BODY_CHARS
    assert any("only the first" in e for e in card.errors)
    assert [t.claim.value for t in card_info(card).text_claims] == [91.3]  # read once, not 25,000 times


def test_table_rows_that_share_a_value_are_separate_claims() -> None:
    table = (
        "## Benchmarks\n\n| testset | BLEU | chr-F |\n|---|---|---|\n"
        "| newsdev2016-enro.eng.ron | 27.1 | 0.565 |\n| news-test2008.eng.spa | 27.1 | 0.548 |\n"
    )
    claims = [c.claim for c in info("# m\n\n" + table).text_claims]
    assert sorted((c.dataset, c.metric, c.value) for c in claims if c.metric == "bleu") == [
        ("news-test2008.eng.spa", "bleu", 27.1),
        ("newsdev2016-enro.eng.ron", "bleu", 27.1),
    ]


def test_per_label_lines_of_a_trainer_results_list_are_not_claims() -> None:
    labels = "".join(f"- {tag} Precision: 0.{n}1\n- {tag} Recall: 0.{n}2\n- {tag} F1: 0.{n}3\n- {tag} Number: 1{n}\n" for n, tag in enumerate(["Adj", "Adv", "N Prp"] * 12, start=10))
    card = f"# m\n\nThe model achieves the following results on the test set:\n- Loss: 0.2236\n{labels}- Overall Precision: 0.9456\n- Overall F1: 0.9457\n"
    claims = [(c.claim.metric, c.claim.value, c.claim.dataset_split) for c in info(card).text_claims]
    assert claims == [("precision", 0.9456, "test"), ("f1", 0.9457, "test")]


def test_advice_to_fine_tune_on_a_dataset_is_not_training_data() -> None:
    advice = "# m\n\nThe base model pretrained on 16kHz speech. Note that this model should be fine-tuned on a downstream task, like Emotion Recognition.\n"
    assert [d.id for d in info(advice).datasets] == []
    history = "# m\n\nThis model was fine-tuned on the emotion dataset.\n"
    assert [d.id for d in info(history).datasets] == ["emotion"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("It is a Yoruba BERT model obtained by fine-tuning **bert-base-multilingual-cased** model on Yoruba texts.", ["bert-base-multilingual-cased"]),
        ("It was obtained by distilling an ensemble of two teacher models: [dumitrescustefan/bert-base-romanian-cased-v1](https://huggingface.co/dumitrescustefan/bert-base-romanian-cased-v1).", ["dumitrescustefan/bert-base-romanian-cased-v1"]),
        ("Fine-tuned weights (converted from [original fairseq version repo](https://github.com/microsoft/ProphetNet)) for ProphetNet.", ["github:microsoft/ProphetNet"]),
        ("The weights were converted from PyTorch to TensorFlow.", []),
    ],
)
def test_derivation_by_fine_tuning_distilling_or_conversion(text: str, want: list[str]) -> None:
    assert [b.id for b in info(f"# m\n\n{text}\n").base_models] == want


def test_datasets_from_the_data_column_of_a_training_data_table() -> None:
    card = """# m
## Training data
| Dataset | Paper | Number of training tuples |
|:--:|:--:|:--:|
| [GOOAQ: Open Question Answering with Diverse Answer Types](https://github.com/allenai/gooaq) | [paper](https://arxiv.org/x) | 3,012,496 |
| [Natural Questions (NQ)](https://ai.google.com/research/NaturalQuestions) | [paper](https://x.org) | 100,231 |
| AllNLI ([SNLI](https://nlp.stanford.edu/projects/snli/) and [MultiNLI](https://cims.nyu.edu/~sbowman/multinli/) | - | 277,230 |
| [Sentence Compression](https://github.com/google-research-datasets/sentence-compression) | - | 180,000 |
| Some private pairs | - | 1,000 |
"""
    got = info(card).datasets
    ids = [d.id for d in got]
    assert {"natural_questions", "snli", "multi_nli"} <= set(ids)
    assert any(i.endswith("gooaq") for i in ids) and any(i.endswith("sentence-compression") for i in ids)
    assert "NQ" not in ids  # the abbreviation in parentheses is the same dataset
    assert len(ids) == 5
    assert {d.source for d in got} == {"card-table"}


@pytest.mark.parametrize(
    "table",
    [
        # a results table: the data the model was scored on, not trained on
        "| Dataset | Accuracy |\n|---|---|\n| [SNLI](https://huggingface.co/datasets/snli) | 91.2 |\n| MultiNLI | 88.0 |\n",
        "Dataset| mBERT F1 | our F1\n-|-|-\n| SNLI | 78.97 | 82.58\n| MultiNLI | 75.13 | 79.11\n",
        # one row per model: the card's own model's data is not told apart
        "| Model | Parameters | Training data |\n|---|---|---|\n| base | 110M | SNLI |\n| large | 335M | MultiNLI |\n",
    ],
)
def test_tables_of_results_or_of_several_models_name_no_training_data(table: str) -> None:
    assert info("# m\n## Data\n" + table).datasets == ()


def test_sources_row_items_and_named_corpora() -> None:
    card = (
        "| Feature | Description |\n| --- | --- |\n"
        "| **Sources** | [TIGER Corpus](https://example.org/tiger) (Brants, Sabine, and Hans Uszkoreit)<br />"
        "[Tiger2Dep](https://example.org/t2d) (Wolfgang Seeker)<br />"
        "[Explosion fastText Vectors (cbow, OSCAR Common Crawl + Wikipedia)](https://spacy.io) (Explosion) |\n"
    )
    ids = [d.id for d in info(card).datasets]
    assert ids == ["TIGER Corpus", "oscar", "wikipedia"]  # a tool (Tiger2Dep) and the authors are not datasets


def test_a_well_known_corpus_wins_over_a_derived_copy_matched_by_letters() -> None:
    card = "# m\nAn ELECTRA model fine-tuned on the MS MARCO passage classification task.\n"
    assert [d.id for d in info(card).datasets] == ["ms_marco"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("It is a fine-tuned version of facebook/wav2vec2-base on the AMI-IHM dataset.", ["ami"]),
        ("Fine-tuned on the [FRENK dataset](https://www.clarin.si/x) of hate speech.", ["FRENK"]),
        ("Simple model that was trained on a preprocessed excerpt of the Labeled Faces in the Wild, aka [LFW](http://x.org/lfw/)", ["lfw"]),
        ("Fine-tuned on [our dataset](https://example.org/data) of reviews.", []),
    ],
)
def test_named_variants_and_linked_datasets(sentence: str, expected: list[str]) -> None:
    got = [d.id.rsplit("/", 1)[-1].lower() for d in info("# m\n" + sentence + "\n").datasets]
    assert got == [e.lower() for e in expected]


def test_another_models_training_data_is_not_this_ones() -> None:
    card = "# m\nWe scored the texts with a model trained on [Polish Hate Speech corpus](https://example.org/x).\n"
    assert info(card).datasets == ()
