"""The attribute checks on real packages: every GitHub mirror of a Hub repository and the real MiniLM.

Expected facts were read off the data (see ../shared/corpora/hf-model-repos-github-mirrors/MANIFEST.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ptmvet.checks import documentation, maintenance, portability, provenance, reproducibility
from ptmvet.checks.interface import Finding, Outcome, run_check
from ptmvet.evidence import Evidence
from ptmvet.report import score_findings
from ptmvet.sources.local import collect_folder

pytestmark = pytest.mark.corpora

FAMILIES = (
    *provenance.CHECKS,
    *reproducibility.CHECKS,
    *portability.CHECKS,
    *documentation.CHECKS,
    *maintenance.CHECKS,
)
MIRROR_DIRS = (
    "cardiffnlp__twitter-roberta-base-sentiment",
    "cardiffnlp__twitter-roberta-base-sentiment-latest",
    "distilbert-base-uncased-finetuned-sst-2-english",
    "dslim__bert-base-NER__resaved",
    "google__vit-base-patch16-224__config-only",
    "sentence-transformers__all-MiniLM-L6-v2",
    "sentence-transformers__all-MiniLM-L6-v2__partial-2",
    "trainer-output__distilbert-base-uncased-finetuned-sst2",
    "valhalla__distilbart-mnli-12-1",
)


@pytest.fixture(scope="module")
def mirrors(corpora: Path) -> dict[str, dict[str, Finding]]:
    root = corpora / "hf-model-repos-github-mirrors"
    out: dict[str, dict[str, Finding]] = {}
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        out[d.name] = _findings(collect_folder(d))
    return out


def _findings(ev: Evidence) -> dict[str, Finding]:
    found: dict[str, Finding] = {}
    for c in FAMILIES:
        results = run_check(c, ev)
        assert len(results) == 1, results
        found[c.meta.id] = results[0]
    return found


def test_every_mirror_is_assessed_without_errors(mirrors: dict[str, dict[str, Finding]]) -> None:
    assert sorted(mirrors) == sorted(MIRROR_DIRS)
    for name, found in mirrors.items():
        errors = [f"{f.check_id}: {f.message}" for f in found.values() if f.outcome is Outcome.ERROR]
        assert errors == [], name
        for f in found.values():
            if f.outcome is Outcome.FAIL:
                assert f.remedy, f"{name} {f.check_id} fails without a remedy"
            if f.outcome in (Outcome.PASS, Outcome.FAIL):
                assert f.evidence, f"{name} {f.check_id} shows no evidence"
        # No registry information for a folder: maintenance is not assessable, never 0.
        assert {found[i].outcome for i in ("VET901", "VET902", "VET903")} == {Outcome.SKIPPED}
        assert score_findings(found.values())[maintenance.DOWNLOADS.attribute] is None


def test_distilbert_sst2_card(mirrors: dict[str, dict[str, Finding]]) -> None:
    f = mirrors["distilbert-base-uncased-finetuned-sst-2-english"]
    assert f["VET306"].outcome is Outcome.PASS and f["VET306"].details["licenses"] == ["apache-2.0"]
    assert f["VET102"].details["datasets"] == ["sst-2"]
    # The 2022 card states its SST-2 result ("accuracy of 91.3 on the dev set") in prose only.
    assert f["VET204"].outcome is Outcome.FAIL
    assert any("accuracy of 91.3 on the dev set" in e for e in f["VET204"].evidence)
    assert f["VET205"].outcome is Outcome.PASS and f["VET205"].details["strength"] == "card-text"
    assert f["VET101"].details["base_models"] == ["distilbert-base-uncased"]
    assert f["VET403"].outcome is Outcome.PASS and f["VET403"].evidence[0].startswith('card section "# Bias"')
    assert f["VET201"].outcome is Outcome.PASS
    # The weights are a Git LFS pointer to a pickle of 267,844,284 bytes.
    assert f["VET301"].outcome is Outcome.FAIL
    assert f["VET301"].evidence == ("pytorch_model.bin: pickle (a Git LFS pointer: content not present)",)
    assert f["VET303"].details["weights_bytes"] == {"pickle": 267_844_284}
    assert f["VET206"].outcome is Outcome.FAIL


def test_trainer_output_card(mirrors: dict[str, dict[str, Finding]]) -> None:
    f = mirrors["trainer-output__distilbert-base-uncased-finetuned-sst2"]
    assert f["VET204"].outcome is Outcome.PASS
    assert f["VET204"].evidence == ("claim: glue/sst2 validation accuracy = 0.9025229357798165",)
    assert f["VET205"].details["datasets"] == ["glue/sst2 [validation]"]
    assert f["VET306"].details["licenses"] == ["apache-2.0"]
    assert "package file: training_args.bin (a pickle: presence only, never loaded)" in f["VET201"].evidence
    assert f["VET202"].details["versions"] == {"transformers": "4.29.1"}
    assert f["VET401"].outcome is Outcome.FAIL and f["VET401"].details["placeholder_sections"] == 3
    assert f["VET402"].outcome is Outcome.FAIL
    assert f["VET107"].details["strength"] == "card-table"
    # No weight file at all: training_args.bin is not a weight.
    assert f["VET301"].outcome is Outcome.SKIPPED
    assert f["VET303"].details["parameters_source"] == "estimate from config.json"


def test_cards_without_a_licence(mirrors: dict[str, dict[str, Finding]]) -> None:
    for name in (
        "valhalla__distilbart-mnli-12-1",
        "cardiffnlp__twitter-roberta-base-sentiment",
        "cardiffnlp__twitter-roberta-base-sentiment-latest",
    ):
        assert mirrors[name]["VET306"].outcome is Outcome.FAIL, name
        assert mirrors[name]["VET306"].message == "no licence declared"
    # Folders without a card and without a LICENSE file also declare none.
    assert mirrors["dslim__bert-base-NER__resaved"]["VET306"].outcome is Outcome.FAIL


def test_lfs_pointer_weights_are_judged_by_name_and_sized_from_the_pointer(
    mirrors: dict[str, dict[str, Finding]],
) -> None:
    expected = {
        "distilbert-base-uncased-finetuned-sst-2-english": {"pickle": 267_844_284},
        "valhalla__distilbart-mnli-12-1": {"msgpack": 890_331_005, "pickle": 890_410_947},
        "cardiffnlp__twitter-roberta-base-sentiment-latest": {"pickle": 501_045_531},
        "sentence-transformers__all-MiniLM-L6-v2": {"safetensors": 90_864_192},
        "dslim__bert-base-NER__resaved": {"safetensors": 430_929_740},
    }
    for name, sizes in expected.items():
        f = mirrors[name]
        assert f["VET303"].details["weights_bytes"] == sizes, name
        assert all("Git LFS pointer" in e for e in f["VET301"].evidence), name
    assert (
        mirrors["valhalla__distilbart-mnli-12-1"]["VET301"].outcome is Outcome.PASS
    )  # flax msgpack next to the pickle
    assert mirrors["valhalla__distilbart-mnli-12-1"]["VET305"].outcome is Outcome.PASS
    assert mirrors["sentence-transformers__all-MiniLM-L6-v2"]["VET301"].outcome is Outcome.PASS


def test_missing_cards(mirrors: dict[str, dict[str, Finding]]) -> None:
    for name in (
        "dslim__bert-base-NER__resaved",
        "google__vit-base-patch16-224__config-only",
        "sentence-transformers__all-MiniLM-L6-v2__partial-2",
    ):
        f = mirrors[name]
        assert f["VET401"].outcome is Outcome.FAIL and f["VET401"].message == "no model card", name
        assert f["VET405"].outcome is Outcome.SKIPPED, name
    # Configs still tell the base model (partial copy) and the environment (re-saved copy).
    assert mirrors["sentence-transformers__all-MiniLM-L6-v2__partial-2"]["VET101"].details["base_models"] == [
        "nreimers/MiniLM-L6-H384-uncased"
    ]
    assert mirrors["dslim__bert-base-NER__resaved"]["VET202"].details["versions"] == {"transformers": "4.46.3"}
    assert any("a local training path" in e for e in mirrors["dslim__bert-base-NER__resaved"]["VET101"].evidence)
    # A ViT config alone gives no size.
    assert mirrors["google__vit-base-patch16-224__config-only"]["VET303"].outcome is Outcome.FAIL


def test_cardiff_cards(mirrors: dict[str, dict[str, Finding]]) -> None:
    old = mirrors["cardiffnlp__twitter-roberta-base-sentiment"]
    assert old["VET405"].outcome is Outcome.FAIL  # no metadata block
    assert old["VET103"].evidence == ("card link: https://arxiv.org/pdf/2010.12421.pdf",)
    assert old["VET104"].evidence == ("card link: https://github.com/cardiffnlp/tweeteval",)
    latest = mirrors["cardiffnlp__twitter-roberta-base-sentiment-latest"]
    assert latest["VET101"].details["base_models"] == ["cardiffnlp/twitter-roberta-base-2021-124m"]
    assert "card metadata widget: 1 example(s)" in latest["VET206"].evidence


def test_distilbart_card(mirrors: dict[str, dict[str, Finding]]) -> None:
    f = mirrors["valhalla__distilbart-mnli-12-1"]
    assert f["VET107"].evidence == ("card link: https://wandb.ai/psuraj/distilbart-mnli",)
    assert f["VET104"].outcome is Outcome.PASS
    assert f["VET204"].outcome is Outcome.FAIL  # results only in a markdown table
    assert f["VET102"].details["datasets"] == ["mnli"]


def test_real_minilm_package(minilm_path: Path) -> None:
    f = _findings(collect_folder(minilm_path))
    assert f["VET301"].outcome is Outcome.PASS and f["VET301"].details["formats"] == ["safetensors"]
    size = f["VET303"].details
    assert size["parameters_source"] == "safetensors" and size["parameters"] == 22_713_728
    # The config estimate agrees with the header to within the 512-entry position_ids buffer.
    assert size["parameters"] - size["config_estimate"] == 512
    assert size["weights_bytes"] == {"safetensors": (minilm_path / "model.safetensors").stat().st_size}
    assert f["VET302"].evidence[0] == "card metadata library_name: sentence-transformers"
    assert f["VET306"].details["licenses"] == ["apache-2.0"]
    assert len(f["VET102"].details["datasets"]) == 21
    assert f["VET202"].details["versions"]["sentence_transformers"] == "2.0.0"
    assert f["VET203"].outcome is Outcome.PASS and any("TPU v3-8" in e for e in f["VET203"].evidence)
    assert f["VET402"].outcome is Outcome.PASS
    assert f["VET403"].outcome is Outcome.FAIL
    assert f["VET204"].outcome is Outcome.FAIL  # the card carries no model-index
    assert f["VET205"].outcome is Outcome.NOT_APPLICABLE
    assert f["VET101"].details["base_models"] == ["nreimers/MiniLM-L6-H384-uncased"]
    assert f["VET106"].outcome is Outcome.FAIL  # a folder: no commit recorded
    scores = score_findings(f.values())
    assert all(0.0 <= s <= 10.0 for s in scores.values() if s is not None)


@pytest.mark.slow
def test_real_cards_of_2022_never_crash_a_check(corpora: Path) -> None:
    """Every 40th of the 16,590 Feb-2022 Hub cards: no check errors, every verdict shows evidence."""
    import tarfile

    from ptmvet.card import parse_card
    from ptmvet.evidence import FileEntry, Target

    tar_path = corpora / "hf-model-infos-cards-2022-02-saranscript" / "model_cards.tar.gz"
    if not tar_path.is_file():
        pytest.skip("card tarball absent")
    seen = 0
    outcomes: dict[str, set[Outcome]] = {}
    with tarfile.open(tar_path) as tar:
        for i, member in enumerate(m for m in tar if m.isfile()):
            if i % 40:
                continue
            fh = tar.extractfile(member)
            assert fh is not None
            text = fh.read().decode("utf-8", "replace")
            repo = member.name.removeprefix("models/").removesuffix("/README.md")
            ev = Evidence(
                target=Target(name=repo, source="dump", repo_id=repo),
                files=(FileEntry("README.md", len(text), True),),
                card=parse_card(text),
            )
            for check_id, f in _findings(ev).items():
                assert f.outcome is not Outcome.ERROR, f"{repo} {check_id}: {f.message}"
                if f.outcome in (Outcome.PASS, Outcome.FAIL):
                    assert f.evidence, f"{repo} {check_id}"
                outcomes.setdefault(check_id, set()).add(f.outcome)
            seen += 1
    assert seen > 400
    # Real cards exercise both verdicts of every card-reading check.
    for check_id in (
        "VET101",
        "VET102",
        "VET103",
        "VET201",
        "VET204",
        "VET306",
        "VET401",
        "VET402",
        "VET403",
        "VET405",
    ):
        assert {Outcome.PASS, Outcome.FAIL} <= outcomes[check_id], check_id
