"""The study by the ICSE'23 paper's rules: Fig. 7 claims, Fig. 6 architectures, 'not measured', trends, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from registry_helpers import lines_of, record, write_cards_tar, write_jsonl_gz

from ptmvet.cli import main
from ptmvet.formats.study import render_html
from ptmvet.registry import icse23
from ptmvet.registry.ingest import mine_dump
from ptmvet.registry.store import open_store
from ptmvet.registry.study import compute_study, trend

SCHEMA = json.loads((Path(__file__).parents[2] / "src/ptmvet/schemas/study.schema.json").read_text())


def _mi(*results: Any) -> list[dict[str, Any]]:
    return [{"name": "m", "results": list(results)}]


def _result(*metrics: Any, dataset: Any = None, task: Any = None) -> dict[str, Any]:
    return {
        "task": {"type": "text-classification"} if task is None else task,
        "dataset": {"name": "GLUE SST-2", "type": "glue"} if dataset is None else dataset,
        "metrics": list(metrics),
    }


ACC = {"name": "Accuracy", "type": "accuracy", "value": 0.91}


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (_mi(_result(ACC)), ["glue"]),
        (_mi(_result(ACC, {"name": "F1", "type": "f1", "value": "0.9"})), ["glue", "glue"]),  # float("0.9") is fine
        (_mi(_result(ACC, dataset={"name": "x"})), [None]),  # no dataset type: counted, type None
        (_mi(), []),  # Trainer cards: results: []
        (_mi(_result({"type": "accuracy", "value": 0.9})), []),  # no metric name
        (_mi(_result({"name": "a", "type": "accuracy", "value": "91%"})), []),  # not a number
        (_mi(_result(ACC), _result({"name": "a", "type": "a", "value": None})), []),  # one bad metric voids all
        (_mi(_result(ACC, dataset="glue")), []),  # dataset must be a mapping
        (_mi(_result(ACC, task=None) | {"task": None}), []),  # a null task raises in ptm.py
        ([], []),
        ({"results": []}, []),
        (None, []),
        ("model-index", []),
    ],
)
def test_paper_claims_follows_ptm_py(index: Any, expected: list[str | None]) -> None:
    assert icse23.paper_claims(index) == expected
    assert icse23.paper_metric_count(index) == len(expected)


def test_groupings_follow_ptm_py() -> None:
    rows = [("a", 1000, 100), ("b", 5000, 4), ("c", 10, 0), ("(no tag)", 2000, 1)]
    # b: 0.08% and (no tag): 0.05% are under 0.1%; c has none: all three merge into 'other'.
    assert icse23.group_other(rows) == [("a", 1000, 100), ("other", 7010, 5)]
    counts = {f"t{i}": 100 - i for i in range(12)} | {"tie": 91}
    top = dict(icse23.top_other(counts))
    # the tenth largest is 91: both models at 91 stay (ptm.py keeps v >= cut), 90 and 89 become 'other'
    assert set(top) == {f"t{i}" for i in range(10)} | {"tie", "other"} and top["other"] == 90 + 89
    assert icse23.top_other({"a": 2, "b": 1}) == [("a", 2), ("b", 1)]


def test_published_figures_are_package_data() -> None:
    pub = icse23.published()
    rows = {t: (k, n) for t, k, n in pub["fig7_claims_by_pipeline"]["rows"]}
    assert rows["text-classification"] == (872, 8764) and rows["other"] == (12, 26192)
    assert "ICSE" in pub["reference"] and "doi:" in pub["reference"]
    assert pub["signed_commits"]["with_signed_commit"] == 132


def _card(front: str) -> str:
    return f"---\n{front}---\n# Model\n\nText.\n"


GOOD = _card(
    "license: mit\nmodel-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n"
    "    dataset: {name: SST-2, type: glue}\n    metrics:\n    - {name: Accuracy, type: accuracy, value: 0.91}\n"
)
UNDERSCORE = _card(
    "model_index:\n- name: m\n  results:\n  - task: {type: text-classification}\n"
    "    dataset: {name: SST-2, type: glue}\n    metrics:\n    - {name: Accuracy, type: accuracy, value: 0.91}\n"
)
TRAINER = _card("license: cc-by-4.0\nmodel-index:\n- name: m\n  results: []\n")


@pytest.fixture
def dbs(tmp_path: Path) -> tuple[Path, Path]:
    """A 2022-like database (records with config, cards) and a 2024-like listing (tags only)."""
    recs = [record(i) for i in range(40)]
    recs[4]["tags"] = [t for t in recs[4]["tags"] if not t.startswith("license:")]
    recs[4]["config"] = {}  # no model_type: 'None', as in the paper
    dump = write_jsonl_gz(tmp_path / "d.jsonl.gz", lines_of(recs))
    cards = write_cards_tar(
        tmp_path / "c.tar.gz", {"org0/model-0": GOOD, "org1/model-1": GOOD, "org8/model-8": UNDERSCORE, "org4/model-4": TRAINER}
    )
    old = tmp_path / "old.duckdb"
    with open_store(old) as s:
        mine_dump(s, [dump], cards=[cards])
    listing = [{"id": f"org{i % 9}/model-{i}", "pipeline_tag": "text-classification" if i % 2 else "fill-mask",
                "tags": ["model-index"] if i % 3 == 0 else [], "downloads": i} for i in range(50)]
    new = tmp_path / "new.duckdb"
    with open_store(new) as s:
        mine_dump(s, [write_jsonl_gz(tmp_path / "l.jsonl.gz", lines_of(listing))])
    return old, new


def test_fig7_by_the_paper_rule_with_the_looser_beside(dbs: tuple[Path, Path]) -> None:
    with open_store(dbs[0], read_only=True) as s:
        study = compute_study(s)
    every = {r[0]: r for r in study.table("claims_by_pipeline_all").rows}
    # model-0 and model-1 (text-classification, token-classification) have a metric; model-8's
    # model_index and model-4's empty results do not count.
    assert every["text-classification"][2] == 1 and every["token-classification"][2] == 1
    assert every["fill-mask"][2] == 0
    assert sum(r[2] for r in every.values()) == 2
    fig7 = study.table("claims_by_pipeline")
    assert fig7.measured and "model_index only" in fig7.note and "1 cards" in fig7.note
    assert fig7.rule.startswith("a model has claims when model-index[0].results")
    by = {r[0]: r for r in fig7.rows}
    assert by["text-classification"][10] == round(872 / 8764, 4)  # the paper's share beside ours
    shares = [r[3] for r in fig7.rows]
    assert shares == sorted(shares, reverse=True)
    # the looser rule counts the Trainer card and the underscore key too
    assert sum(r[6] for r in fig7.rows) > sum(r[2] for r in fig7.rows)


def test_fig6_architectures_by_model_type(dbs: tuple[Path, Path]) -> None:
    with open_store(dbs[0], read_only=True) as s:
        study = compute_study(s)
    arch = {r[0]: r[1] for r in study.table("architectures").rows}
    assert arch == {"bert": 39, "None": 1}
    classes = {r[0]: r[1] for r in study.table("architecture_classes").rows}
    assert set(classes) == {"Arch0", "Arch1", "Arch2", "None"}


def test_card_licence_fills_a_missing_record_licence(dbs: tuple[Path, Path]) -> None:
    with open_store(dbs[0], read_only=True) as s:
        lic = s.con.execute("SELECT license FROM models WHERE model_id = 'org4/model-4'").fetchall()[0][0]
        other = s.con.execute("SELECT license FROM models WHERE model_id = 'org0/model-0'").fetchall()[0][0]
    assert lic == "cc-by-4.0"  # no license: tag: the card's
    assert other == "apache-2.0"  # the tag wins over the card's mit


def test_a_listing_is_not_measured_where_it_cannot_be(dbs: tuple[Path, Path], tmp_path: Path) -> None:
    with open_store(dbs[1], read_only=True) as s:
        study = compute_study(s)
    fig7 = study.table("claims_by_pipeline")
    assert not fig7.measured and all(r[2] is None and r[3] is None for r in fig7.rows)
    assert all(r[4] is not None for r in fig7.rows)  # the Hub's tag is measured
    assert not study.table("architectures").measured and study.table("architectures").rows == ()
    presence = study.table("card_presence").rows[0]
    assert presence[1] is None and presence[4] is None
    assert not study.table("signed_commits").measured and study.table("signed_commits").rows[0][0] is None
    page = render_html(study)
    assert "not measured" in page
    out = tmp_path / "s.json"
    assert main(["study", "--db", str(dbs[1]), "--json", str(out), "-q"]) == 0
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    t = next(t for t in doc["tables"] if t["name"] == "card_presence")
    assert t["rows"][0][1] is None


def test_trend_uses_a_basis_both_measure(dbs: tuple[Path, Path], tmp_path: Path) -> None:
    with open_store(dbs[0], read_only=True) as a, open_store(dbs[1], read_only=True) as b:
        old, new = compute_study(a), compute_study(b)
    trends = {t.name: t for t in trend(old, new)}
    fig7 = trends["trend_claims_by_pipeline"]
    assert "model_index_tag" in fig7.note and "both sides measure" in fig7.note
    # new: 25 text-classification models, those with i % 3 == 0 carry the tag
    tc = [i for i in range(50) if i % 2]
    assert dict((r[0], r[2]) for r in fig7.rows)["text-classification"] == round(len([i for i in tc if i % 3 == 0]) / 25, 4)
    arch = trends["trend_architectures"]
    assert all(r[2] is None for r in arch.rows)  # not measured in the listing, never 0
    out = tmp_path / "t.json"
    html = tmp_path / "t.html"
    assert main(["study", "--db", str(dbs[0]), "--db", str(dbs[1]), "--json", str(out), "--html", str(html), "-q"]) == 0
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert {t["name"] for t in doc["trend"]} >= {"trend_claims_by_pipeline", "trend_popularity"}
    assert "Trend:" in html.read_text()


def test_study_page_puts_the_paper_beside_ours(dbs: tuple[Path, Path]) -> None:
    with open_store(dbs[0], read_only=True) as s:
        page = render_html(compute_study(s))
    assert ("ICSE'23 (published)" in page or "ICSE&#x27;23 (published)" in page) and "doi:10.1109/ICSE48619.2023.00206" in page
    assert page.count("<svg") >= 5


def test_real_2022_cards_paper_rule_is_stricter_than_any_key(corpora: Path) -> None:
    """On the real Feb-2022 cards: Trainer cards with `results: []` and `model_index` spellings do not count."""
    import tarfile

    from ptmvet.card import load_front_matter, split_front_matter

    tar = corpora / "hf-model-infos-cards-2022-02-saranscript" / "model_cards.tar.gz"
    if not tar.is_file():
        pytest.skip("2022 cards not present")
    any_key = paper = empty_results = underscore_only = 0
    with tarfile.open(tar, "r:gz") as tf:
        for m in tf:
            if not m.isfile():
                continue
            fh = tf.extractfile(m)
            text = fh.read().decode("utf-8", "replace") if fh else ""
            if "model-index" not in text and "model_index" not in text:
                continue
            block, _ = split_front_matter(text)
            meta = load_front_matter(block)[0] if block else {}
            keys = icse23.model_index_keys(meta)
            if keys is None:
                continue
            any_key += 1
            underscore_only += keys == "model_index"
            mi = meta.get("model-index")
            paper += bool(icse23.paper_claims(mi))
            if isinstance(mi, list) and mi and isinstance(mi[0], dict) and mi[0].get("results") == []:
                empty_results += 1
    assert any_key > 0 and 0 < paper < any_key
    assert empty_results > 0 and underscore_only > 0
    # every card the paper's rule counts has the Hub's key; the difference is exactly the cards it rejects
    assert paper <= any_key - underscore_only - empty_results
