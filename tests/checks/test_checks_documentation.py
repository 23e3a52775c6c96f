"""Documentation (VET4xx) and maintenance (VET9xx) checks on small evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from vetkit import make_evidence, one

from ptmvet.checks import documentation as d
from ptmvet.checks import maintenance as mt
from ptmvet.checks.interface import Outcome, Severity
from ptmvet.evidence import Problem, RegistryInfo

PROSE = " ".join(["This encoder maps English sentences to vectors for semantic search."] * 12)


def test_card_missing_short_template_and_good() -> None:
    f = one(
        d.model_card_present,
        make_evidence(
            None, files=["config.json"], problems=(Problem("README.md", "binary content where text was expected"),)
        ),
    )
    assert f.outcome is Outcome.FAIL and f.evidence == ("README.md: binary content where text was expected",)
    assert f.message == "model card cannot be read: README.md: binary content where text was expected"
    assert one(d.model_card_present, make_evidence(None, files=["config.json"])).message == "no model card"
    f = one(d.model_card_present, make_evidence("# M\nA model.\n"))
    assert f.outcome is Outcome.FAIL and f.severity is Severity.HIGH and f.details["prose_words"] == 3
    template = f"# M\n\n{PROSE}\n\n## Model description\n\nMore information needed\n\n## Intended uses & limitations\n\nMore information needed\n\n## Training data\n\n[More Information Needed]\n"
    f = one(d.model_card_present, make_evidence(template))
    assert f.outcome is Outcome.FAIL and f.severity is Severity.MEDIUM and f.details["placeholder_sections"] == 3
    f = one(d.model_card_present, make_evidence(f"# M\n\n{PROSE}\n"))
    assert f.outcome is Outcome.PASS and f.details["prose_words"] == 1 + 120


def test_code_and_comments_do_not_make_a_card() -> None:
    code = "```python\n" + "x = 1\n" * 200 + "```\n"
    card = f"# M\n<!-- {PROSE} -->\n{code}"
    assert one(d.model_card_present, make_evidence(card)).outcome is Outcome.FAIL


@pytest.mark.parametrize(
    ("check", "good", "prose_only"),
    [
        (
            d.intended_use,
            "## Intended uses\n\nEncoding short English sentences for retrieval and clustering.",
            "It is intended for retrieval.",
        ),
        (
            d.limitations_and_bias,
            "## Bias, Risks, and Limitations\n\nThe model reproduces gender stereotypes from web text.",
            "Outputs may be biased against minorities.",
        ),
        (
            d.out_of_scope_use,
            "## Out-of-Scope Use\n\nDo not use it for medical or legal decisions about people.",
            "It should not be used for surveillance.",
        ),
    ],
)
def test_section_checks(check: object, good: str, prose_only: str) -> None:
    from ptmvet.checks.interface import Check

    assert isinstance(check, Check)
    f = one(check, make_evidence(f"# M\n\n{good}\n"))
    assert f.outcome is Outcome.PASS and f.evidence[0].startswith('card section "## ')
    f = one(check, make_evidence(f"# M\n\n{prose_only}\n"))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "card-text"
    title = good.split("\n", 1)[0]
    f = one(check, make_evidence(f"# M\n\n{title}\n\nMore information needed\n"))
    assert f.outcome is Outcome.FAIL and "placeholder" in f.evidence[0]
    assert one(check, make_evidence(None, files=["a"])).outcome is Outcome.FAIL


def test_headings_alone_are_not_prose_evidence() -> None:
    card = "# M\n\n## Intended uses & limitations\n\nMore information needed\n"
    assert one(d.limitations_and_bias, make_evidence(card)).outcome is Outcome.FAIL


def test_card_metadata_valid() -> None:
    assert one(d.card_metadata_valid, make_evidence("---\nlicense: mit\n---\n# M\n")).outcome is Outcome.PASS
    f = one(d.card_metadata_valid, make_evidence("---\nlicense: [mit\n---\n# M\n"))
    assert f.outcome is Outcome.FAIL and f.severity is Severity.MEDIUM
    assert f.evidence[0].startswith("README.md: front matter is not valid YAML")
    f = one(d.card_metadata_valid, make_evidence("---\nmodel_index:\n- name: x\n---\n"))
    assert f.outcome is Outcome.FAIL and any("model_index" in e for e in f.evidence)
    f = one(d.card_metadata_valid, make_evidence("# M\nno metadata\n"))
    assert f.outcome is Outcome.FAIL and f.severity is Severity.LOW
    assert one(d.card_metadata_valid, make_evidence(None, files=["a"])).outcome is Outcome.SKIPPED


def test_maintenance_skipped_without_registry() -> None:
    ev = make_evidence("# M\n")
    for c in mt.CHECKS:
        f = one(c, ev)
        assert f.outcome is Outcome.SKIPPED and "no registry information" in f.message


def test_maintenance_thresholds() -> None:
    now = datetime.now(UTC)
    fresh = RegistryInfo(
        source="hub",
        repo_id="o/m",
        downloads=5000,
        downloads_all_time=90000,
        likes=3,
        last_modified=now - timedelta(days=30),
        observed_at=now,
    )
    ev = make_evidence(None, registry=fresh)
    assert [one(c, ev).outcome for c in mt.CHECKS] == [Outcome.PASS] * 3
    assert one(mt.downloads, ev).evidence == ("hub downloads (30 days): 5,000", "hub downloads (all time): 90,000")
    assert one(mt.recently_updated, ev).details["age_days"] == 30
    stale = RegistryInfo(
        source="dump",
        repo_id="o/m",
        downloads=3,
        likes=0,
        last_modified=(now - timedelta(days=1000)).replace(tzinfo=None),
        observed_at=now,
    )
    ev = make_evidence(None, registry=stale)
    assert [one(c, ev).outcome for c in mt.CHECKS] == [Outcome.FAIL] * 3
    assert one(mt.recently_updated, ev).message == "not modified for 1000 days (over 730)"
    partial = RegistryInfo(source="dump", repo_id="o/m")
    assert [one(c, make_evidence(None, registry=partial)).outcome for c in mt.CHECKS] == [Outcome.SKIPPED] * 3


def test_age_is_measured_against_the_time_the_registry_was_observed() -> None:
    observed = datetime(2022, 2, 1, tzinfo=UTC)
    info = RegistryInfo(source="dump", repo_id="o/m", last_modified=datetime(2021, 12, 3), observed_at=observed)
    f = one(mt.recently_updated, make_evidence(None, registry=info))
    assert f.outcome is Outcome.PASS and f.details["age_days"] == 60


def test_age_without_an_observation_time_is_skipped_not_measured_against_the_clock() -> None:
    info = RegistryInfo(source="dump", repo_id="o/m", last_modified=datetime(2001, 1, 1, tzinfo=UTC))
    f = one(mt.recently_updated, make_evidence(None, registry=info))
    assert f.outcome is Outcome.SKIPPED and "observed" in f.message


def test_trainer_boilerplate_does_not_count_as_documentation() -> None:
    lists = "\n".join(f"- learning_rate_{i}: 5e-05 with a long generated explanation of the value" for i in range(40))
    card = f"# M\n\nA model.\n\n### Training hyperparameters\n\n{lists}\n\n### Framework versions\n\n- Transformers 4.8.2\n- Pytorch 1.9.0\n"
    f = one(d.model_card_present, make_evidence(card))
    assert f.outcome is Outcome.FAIL and f.details["boilerplate_words"] > 100 and f.details["prose_words"] < 100


def test_evaluation_documented() -> None:
    sst2 = "---\ndatasets:\n- sst2\n---\n# M\n\nThis model reaches an accuracy of 91.3 on the dev set.\n"
    f = one(d.evaluation_documented, make_evidence(sst2))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "card-text" and "91.3" in f.evidence[0]
    index = "---\nmodel-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n    dataset: {type: glue, name: GLUE}\n    metrics:\n    - {type: accuracy, value: 0.9}\n---\n# M\n"
    f = one(d.evaluation_documented, make_evidence(index))
    assert f.outcome is Outcome.PASS and "glue" in f.evidence[0]
    f = one(d.evaluation_documented, make_evidence("# M\n\nIt reaches an F1 of 88.5.\n"))
    assert f.outcome is Outcome.FAIL and f.severity is Severity.LOW
    f = one(d.evaluation_documented, make_evidence("# M\n\nA model.\n"))
    assert f.outcome is Outcome.FAIL and f.severity is Severity.MEDIUM


def test_usage_documented() -> None:
    code = "# M\n\n## How to use\n\n```python\nfrom transformers import pipeline\nclf = pipeline('text-classification', model='m')\n```\n"
    f = one(d.usage_documented, make_evidence(code))
    assert f.outcome is Outcome.PASS and f.details["code_examples"] == 1
    words = "# M\n\n## Usage\n\nLoad it with the transformers library and call it on a batch of English sentences.\n"
    f = one(d.usage_documented, make_evidence(words))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "card-text"
    f = one(d.usage_documented, make_evidence("# M\n\n```\nlearning_rate: 1e-5\n```\n"))
    assert f.outcome is Outcome.FAIL
    assert one(d.usage_documented, make_evidence(None, files=["a"])).outcome is Outcome.FAIL


def test_weaker_evidence_earns_part_of_the_score_weight() -> None:
    from ptmvet.report import score_findings

    code = "```python\nfrom transformers import pipeline\np = pipeline('fill-mask', model='m')\n```\n"
    one_example = one(d.usage_documented, make_evidence(f"# M\n\n{code}"))
    two_examples = one(d.usage_documented, make_evidence(f"# M\n\n```\npip install transformers\n```\n\n{code}"))
    section_only = one(d.usage_documented, make_evidence("# M\n\n## Usage\n\nLoad it with transformers and call it on sentences.\n"))
    assert (one_example.credit, two_examples.credit, section_only.credit) == (
        d.USAGE_ONE_EXAMPLE_CREDIT,
        1.0,
        d.WEAK_CREDIT,
    )
    assert one_example.score_weight == d.SCORE_WEIGHTS["VET407"]
    # one pass and one fail of equal weight: 10 * credit / 2
    failed = one(d.out_of_scope_use, make_evidence("# M\n"))
    scores = score_findings([section_only, failed])
    w407, w404 = d.SCORE_WEIGHTS["VET407"], d.SCORE_WEIGHTS["VET404"]
    assert scores[section_only.attribute] == round(10 * w407 * d.WEAK_CREDIT / (w407 + w404), 1)


def test_prose_credit_grows_with_prose_not_with_boilerplate() -> None:
    short = one(d.model_card_present, make_evidence(f"# M\n\n{PROSE}\n"))
    long = one(d.model_card_present, make_evidence("# M\n\n" + "\n\n".join([PROSE] * 9) + "\n"))
    assert short.outcome is long.outcome is Outcome.PASS
    assert short.credit == d.prose_credit(121) == 0.5 and long.credit == 1.0
    lists = "\n".join(f"- learning_rate_{i}: 5e-05 with a long generated explanation of the value" for i in range(200))
    padded = one(d.model_card_present, make_evidence(f"# M\n\n{PROSE}\n\n### Training hyperparameters\n\n{lists}\n"))
    assert padded.credit == short.credit


def test_a_limitations_section_that_only_defers_is_weaker_evidence() -> None:
    deferring = "# M\n\n## Limitations and bias\n\nThe model suffers from the same limitations and bias as GPT-2.\n"
    f = one(d.limitations_and_bias, make_evidence(deferring))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "deferred" and f.credit == d.WEAK_CREDIT
    own = (
        "# M\n\n## Limitations and bias\n\nIt has the same limitations as GPT-2. "
        + "It also repeats the slurs of its training tweets, was never tested on non-English text, and invents dates. " * 4
        + "\n"
    )
    f = one(d.limitations_and_bias, make_evidence(own))
    assert f.outcome is Outcome.PASS and f.credit == 1.0 and "strength" not in f.details


def test_training_data_documented() -> None:
    from ptmvet.checks import provenance as p

    cards = {
        "metadata": "---\ndatasets:\n- glue\n---\n# M\n",
        "prose": "# M\n\nThis model is a fine-tuned version of bert-base-uncased on the SQuAD dataset.\n",
        "section": "# M\n\n## Training data\n\nThe model was trained on tweets of one user, collected in 2021.\n",
        "none": "# M\n\nA model.\n",
    }
    got = {k: one(d.training_data_documented, make_evidence(v)) for k, v in cards.items()}
    assert got["metadata"].outcome is Outcome.PASS and got["metadata"].details["datasets"] == ["glue"]
    assert got["prose"].outcome is Outcome.PASS and got["prose"].credit == 1.0
    assert got["section"].outcome is Outcome.PASS and got["section"].credit == d.WEAK_CREDIT
    assert got["none"].outcome is Outcome.FAIL
    # VET102 (provenance) reads the same evidence, so the two never disagree on pass or fail
    for k, v in cards.items():
        assert one(p.training_data_declared, make_evidence(v)).outcome is got[k].outcome, k
