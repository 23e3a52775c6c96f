"""Provenance checks (VET1xx) on small evidence built in the test."""

from __future__ import annotations

from vetkit import make_evidence, one

from ptmvet.checks import provenance as p
from ptmvet.checks.interface import Outcome
from ptmvet.evidence import GitCommit, GitInfo, RegistryInfo, Target

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_base_model_from_metadata_is_strong_evidence() -> None:
    f = one(p.base_model_declared, make_evidence("---\nbase_model: bert-base-uncased\n---\n# M\n"))
    assert f.outcome is Outcome.PASS
    assert f.evidence == ("card metadata base_model: bert-base-uncased",)
    assert f.details["strength"] == "metadata"


def test_base_model_list_is_reported_in_full() -> None:
    f = one(p.base_model_declared, make_evidence("---\nbase_model:\n- a/one\n- b/two\n---\n"))
    assert f.details["base_models"] == ["a/one", "b/two"]


def test_base_model_from_prose_link_is_weaker() -> None:
    card = "# M\n\nThis model is a fine-tuned version of [distilbert-base-uncased](https://huggingface.co/distilbert-base-uncased) on glue.\n"
    f = one(p.base_model_declared, make_evidence(card))
    assert f.outcome is Outcome.PASS
    assert f.details["strength"] == "card-text"
    assert "distilbert-base-uncased" in f.details["base_models"]
    assert "weaker" in f.message


def test_dataset_links_are_not_base_models() -> None:
    card = "# M\n\nFine-tuned on [sst2](https://huggingface.co/datasets/glue).\n"
    f = one(p.base_model_declared, make_evidence(card))
    assert f.outcome is Outcome.FAIL


def test_base_model_from_config_name_or_path() -> None:
    f = one(
        p.base_model_declared,
        make_evidence(None, files=["config.json"], configs={"config.json": {"_name_or_path": "roberta-base"}}),
    )
    assert f.outcome is Outcome.PASS
    assert f.details["strength"] == "config"
    assert f.evidence == ("config.json _name_or_path: roberta-base",)


def test_local_training_path_does_not_count() -> None:
    ev = make_evidence("# M\n", files=["config.json"], configs={"config.json": {"_name_or_path": "/home/me/out/"}})
    f = one(p.base_model_declared, ev)
    assert f.outcome is Outcome.FAIL
    assert any("a local training path" in e for e in f.evidence)
    assert f.remedy.startswith("Add `base_model")


def test_config_naming_the_model_itself_is_not_a_base() -> None:
    ev = make_evidence(
        None,
        files=["config.json"],
        configs={"config.json": {"_name_or_path": "org/model"}},
        target=Target(name="org/model", source="hub", repo_id="org/model"),
    )
    assert one(p.base_model_declared, ev).outcome is Outcome.FAIL


def test_base_model_skipped_without_card_or_config() -> None:
    assert one(p.base_model_declared, make_evidence(None, files=["weights.bin"])).outcome is Outcome.SKIPPED


def test_training_data_metadata_and_section() -> None:
    f = one(p.training_data_declared, make_evidence("---\ndatasets:\n- glue\n- imdb\n---\n"))
    assert f.outcome is Outcome.PASS and f.details["datasets"] == ["glue", "imdb"]
    section = (
        "# M\n\n## Training Data\n\nWe used 2M reviews from [imdb](https://huggingface.co/datasets/imdb) and Yelp.\n"
    )
    f = one(p.training_data_declared, make_evidence(section))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "card-text" and f.details["datasets"] == ["imdb"]


def test_training_data_placeholder_fails() -> None:
    f = one(
        p.training_data_declared, make_evidence("# M\n\n## Training and evaluation data\n\nMore information needed\n")
    )
    assert f.outcome is Outcome.FAIL
    assert any("placeholder" in e for e in f.evidence)


def test_paper_from_arxiv_tag_link_doi_and_bibtex() -> None:
    assert one(p.paper_linked, make_evidence("---\ntags:\n- arxiv:1910.01108\n---\n")).outcome is Outcome.PASS
    assert one(p.paper_linked, make_evidence("# M\nSee https://arxiv.org/abs/1910.01108.\n")).evidence == (
        "card link: https://arxiv.org/abs/1910.01108",
    )
    assert one(p.paper_linked, make_evidence("# M\nRef doi:10.18653/v1/2020.acl-main.207\n")).outcome is Outcome.PASS
    assert (
        one(p.paper_linked, make_evidence("# Citation\n```bibtex\n@inproceedings{x,\n title={T}}\n```\n")).outcome
        is Outcome.PASS
    )


def test_paper_links_in_training_data_section_are_ignored() -> None:
    card = "# M\n\n## Training data\n\n| data | paper |\n|--|--|\n| a | [p](https://arxiv.org/abs/1234.56789) |\n"
    assert one(p.paper_linked, make_evidence(card)).outcome is Outcome.FAIL


def test_source_code_link_or_script() -> None:
    f = one(p.source_code_linked, make_evidence("# M\nCode: https://github.com/org/repo\n"))
    assert f.outcome is Outcome.PASS and f.evidence == ("card link: https://github.com/org/repo",)
    assert one(p.source_code_linked, make_evidence(None, files=["scripts/train_model.py"])).outcome is Outcome.PASS


def test_source_code_fail_names_missing_script() -> None:
    f = one(p.source_code_linked, make_evidence("# M\nThe script is in this repository: `train_script.py`.\n"))
    assert f.outcome is Outcome.FAIL
    assert "card names a script the package does not ship: train_script.py" in f.evidence


def test_author_from_namespace_registry_section_and_git() -> None:
    hub = Target(name="acme/m", source="hub", repo_id="acme/m")
    assert one(p.author_identified, make_evidence(None, target=hub)).evidence == ("repository namespace: acme",)
    reg = RegistryInfo(source="hub", repo_id="m", author="acme")
    assert "registry author: acme" in one(p.author_identified, make_evidence("# M\n", registry=reg)).evidence
    f = one(p.author_identified, make_evidence("# M\n\n## Model Card Authors\n\nJane Doe\n"))
    assert f.outcome is Outcome.PASS
    git = GitInfo(
        head=SHA, branch="main", remote_url=None, commits=(GitCommit(SHA, "Jane", "j@x", "2024", "init", "N"),)
    )
    assert any(
        "git commit authors: Jane" in e
        for e in one(p.author_identified, make_evidence(None, files=["a"], git=git)).evidence
    )


def test_author_developed_by_placeholder_does_not_count() -> None:
    f = one(p.author_identified, make_evidence("# M\n\n- **Developed by:** [More Information Needed]\n"))
    assert f.outcome is Outcome.FAIL
    f = one(p.author_identified, make_evidence("# M\n\n- **Developed by:** Acme Research\n"))
    assert f.outcome is Outcome.PASS


def test_revision_identified_by_target_git_or_registry() -> None:
    ev = make_evidence(
        None, target=Target(name="o/m", source="hub", repo_id="o/m", revision=SHA, requested_revision="main")
    )
    f = one(p.revision_identified, ev)
    assert f.outcome is Outcome.PASS and "requested as 'main'" in f.message and f.details["revision"] == SHA
    reg = RegistryInfo(source="hub", repo_id="o/m", sha=SHA)
    assert one(p.revision_identified, make_evidence(None, registry=reg)).outcome is Outcome.PASS
    assert one(p.revision_identified, make_evidence("# M\n")).outcome is Outcome.FAIL


def test_revision_dirty_clone_fails() -> None:
    git = GitInfo(head=SHA, branch="main", remote_url=None, commits=(), dirty=True)
    f = one(p.revision_identified, make_evidence(None, files=["a"], git=git))
    assert f.outcome is Outcome.FAIL and "uncommitted" in f.message


def test_training_logs_files_links_and_table() -> None:
    f = one(
        p.training_logs_available,
        make_evidence(None, files=["checkpoint-500/trainer_state.json", "runs/x/events.out.tfevents.1.host"]),
    )
    assert f.outcome is Outcome.PASS
    assert "package file: checkpoint-500/trainer_state.json" in f.evidence
    assert "package folder: checkpoint-500/" in f.evidence
    assert (
        one(p.training_logs_available, make_evidence("# M\nLogs: https://wandb.ai/me/proj\n")).outcome is Outcome.PASS
    )
    table = "# M\n\n### Training results\n\n| Epoch | Loss |\n|--|--|\n| 1 | 0.3 |\n"
    f = one(p.training_logs_available, make_evidence(table))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "card-table"
    assert one(p.training_logs_available, make_evidence("# M\n")).outcome is Outcome.FAIL
