"""Reproducibility checks (VET2xx) on small evidence built in the test."""

from __future__ import annotations

from vetkit import make_evidence, one

from ptmvet.card import Claim
from ptmvet.checks import reproducibility as r
from ptmvet.checks.interface import Outcome

MODEL_INDEX = """---
model-index:
- name: m
  results:
  - task: {type: text-classification}
    dataset: {type: glue, name: GLUE, config: sst2, split: validation}
    metrics:
    - {type: accuracy, value: 0.91}
  - task: {type: text-classification}
    dataset: {type: imdb, name: IMDB}
    metrics:
    - {type: f1, value: 0.88}
---
# M
"""


def test_hyperparameters_section_and_files() -> None:
    card = "# M\n\n## Training procedure\n\n### Training hyperparameters\n\n- learning_rate: 2e-05\n- seed: 42\n"
    f = one(r.training_hyperparameters, make_evidence(card))
    assert f.outcome is Outcome.PASS and f.evidence[0].startswith('card section "### Training hyperparameters"')
    f = one(r.training_hyperparameters, make_evidence(None, files=["training_args.bin"]))
    assert f.outcome is Outcome.PASS
    assert f.evidence == ("package file: training_args.bin (a pickle: presence only, never loaded)",)


def test_hyperparameters_placeholder_section_fails_and_prose_is_weaker() -> None:
    f = one(
        r.training_hyperparameters, make_evidence("# M\n\n## Training hyperparameters\n\n[More Information Needed]\n")
    )
    assert f.outcome is Outcome.FAIL
    prose = "# M\n\nWe trained for 3 epochs with a batch size of 32 and a learning rate of 1e-5.\n"
    f = one(r.training_hyperparameters, make_evidence(prose))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "card-text"
    assert set(f.details["terms"]) >= {"learning rate", "batch size", "epochs"}


def test_hyperparameter_words_in_code_do_not_count() -> None:
    card = "# M\n\n```python\nlearning_rate=1; batch_size=2; epochs=3\n```\n"
    assert one(r.training_hyperparameters, make_evidence(card)).outcome is Outcome.FAIL


def test_framework_versions_from_config_sentence_transformers_and_card() -> None:
    ev = make_evidence(
        "# M\n\n### Framework versions\n\n- Transformers 4.29.1\n- Pytorch 2.0.1\n",
        files=["config.json", "config_sentence_transformers.json"],
        configs={
            "config.json": {"transformers_version": "4.29.1"},
            "config_sentence_transformers.json": {
                "__version__": {"sentence_transformers": "2.0.0", "pytorch": "1.8.1"}
            },
        },
    )
    f = one(r.framework_versions, ev)
    assert f.outcome is Outcome.PASS
    assert "config.json transformers_version: 4.29.1" in f.evidence
    assert f.details["versions"] == {"transformers": "4.29.1", "sentence_transformers": "2.0.0", "pytorch": "1.8.1"}
    assert (
        one(r.framework_versions, make_evidence("# M\n", files=["config.json"], configs={"config.json": {}})).outcome
        is Outcome.FAIL
    )
    assert one(r.framework_versions, make_evidence(None, files=["requirements.txt"])).outcome is Outcome.PASS


def test_training_hardware() -> None:
    assert one(r.training_hardware, make_evidence("# M\nTrained on 8 A100 GPUs for 3 days.\n")).outcome is Outcome.PASS
    co2 = "---\nco2_eq_emissions:\n  emissions: 10\n  hardware_used: 4 x V100\n---\n"
    assert one(r.training_hardware, make_evidence(co2)).evidence == (
        "card metadata co2_eq_emissions.hardware_used: 4 x V100",
    )
    # "T5" is a model name, not an accelerator; code mentioning cuda is not documentation.
    card = "# M\nA T5 model.\n```python\nmodel.to('cuda')  # GPU\n```\n"
    assert one(r.training_hardware, make_evidence(card)).outcome is Outcome.FAIL


def test_eval_results_machine_readable_and_prose_only() -> None:
    f = one(r.eval_results_machine_readable, make_evidence(MODEL_INDEX))
    assert f.outcome is Outcome.PASS and f.details["claims"] == 2
    assert f.evidence[0] == "claim: glue/sst2 validation accuracy = 0.91"
    f = one(
        r.eval_results_machine_readable, make_evidence("# M\nThis model reaches an accuracy of 91.3 on the dev set.\n")
    )
    assert f.outcome is Outcome.FAIL and "prose" in f.message
    assert any("accuracy of 91.3" in e for e in f.evidence)


def test_eval_results_from_eval_results_folder() -> None:
    claim = Claim(
        task_type=None,
        dataset_name=None,
        dataset_type="glue",
        metric_type="accuracy",
        value=0.9,
        dataset_split="test",
        source="eval-results",
    )
    f = one(r.eval_results_machine_readable, make_evidence("# M\n", eval_results=(claim,)))
    assert f.outcome is Outcome.PASS and f.details["sources"] == ["eval-results"]


def test_eval_data_identified_per_claim() -> None:
    f = one(r.eval_data_identified, make_evidence(MODEL_INDEX))
    assert f.outcome is Outcome.FAIL and f.details == {"missing": 1, "claims": 2}
    assert f.evidence == ("claim without split: imdb (no split) f1 = 0.88",)
    complete = MODEL_INDEX.replace("name: IMDB}", "name: IMDB, split: test}")
    f = one(r.eval_data_identified, make_evidence(complete))
    assert f.outcome is Outcome.PASS and f.details["datasets"] == ["glue/sst2 [validation]", "imdb [test]"]


def test_eval_data_not_applicable_without_results_and_prose_split() -> None:
    assert one(r.eval_data_identified, make_evidence("# M\nA model.\n")).outcome is Outcome.NOT_APPLICABLE
    f = one(r.eval_data_identified, make_evidence("# M\nIt reaches an accuracy of 91.3 on the dev set.\n"))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "card-text"
    f = one(r.eval_data_identified, make_evidence("# M\n\n## Evaluation\n\nIt reaches an accuracy of 91.3.\n"))
    assert f.outcome is Outcome.FAIL


def test_usage_example() -> None:
    f = one(r.usage_example, make_evidence("# M\n\n## Usage\n\n```python\nfrom transformers import pipeline\n```\n"))
    assert f.outcome is Outcome.PASS and f.evidence == ('code block in card section "## Usage"',)
    assert one(r.usage_example, make_evidence("---\nwidget:\n- text: hi\n---\n# M\n")).evidence == (
        "card metadata widget: 1 example(s)",
    )
    assert (
        one(r.usage_example, make_evidence("# M\n\n## How to Get Started\n\n[More Information Needed]\n")).outcome
        is Outcome.FAIL
    )
    assert one(r.usage_example, make_evidence(None, files=["a.bin"])).outcome is Outcome.FAIL
