"""Lineage walks: relations, cycles, missing ancestors, licence conflicts, datasets; the resolvers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from ptmvet.errors import HubError, InputError
from ptmvet.licenses.lineage import BaseRef, ModelRecord, Relation, bases_from, build_lineage, record_from_api
from ptmvet.licenses.resolvers import DumpResolver, HubResolver, StaticResolver


def rec(model_id: str, lic: str | None, *bases: str, datasets: tuple[str, ...] = ()) -> ModelRecord:
    return ModelRecord(id=model_id, license=lic, bases=tuple(BaseRef(b, Relation.FINETUNE) for b in bases), datasets=datasets)


def test_relations_from_tags_and_card() -> None:
    explicit = bases_from("o/m", ["base_model:o/base", "base_model:quantized:o/base"])
    assert explicit == (BaseRef("o/base", Relation.QUANTIZED, False),)
    assert bases_from("o/m-GGUF", ["base_model:o/base"])[0].relation is Relation.QUANTIZED
    assert bases_from("o/m", ["base_model:a/x", "base_model:b/y"])[0].relation is Relation.MERGE
    assert bases_from("o/m", ["peft", "base_model:a/x"])[0].relation is Relation.ADAPTER
    card = bases_from("o/m", [], {"base_model": "a/x", "base_model_relation": "adapter"})
    assert card == (BaseRef("a/x", Relation.ADAPTER, False),)
    assert bases_from("o/m", ["base_model:a/x"])[0] == BaseRef("a/x", Relation.FINETUNE, True)


def test_finetune_of_non_commercial_base_declared_mit_is_a_conflict() -> None:
    base = rec("org/base", "cc-by-nc-4.0")
    mid = rec("org/mid", "cc-by-nc-4.0", "org/base")
    root = rec("me/model", "mit", "org/mid")
    lin = build_lineage(root, StaticResolver([base, mid]))
    assert [n.id for n in lin.nodes] == ["me/model", "org/mid", "org/base"]
    assert {(c.child, c.ancestor) for c in lin.conflicts} == {("me/model", "org/mid"), ("me/model", "org/base")}
    assert all("non-commercial" in c.dropped and c.serious for c in lin.conflicts)
    section = lin.to_section()
    assert set(section) >= {"nodes", "edges", "conflicts"}
    assert set(section["nodes"][0]) >= {"id", "license", "spdx", "class"}
    assert section["edges"][0] == {"child": "me/model", "parent": "org/mid", "relation": "finetune", "inferred": False}
    json.dumps(section)


def test_conflict_two_hops_up_is_found_for_the_root() -> None:
    llama = rec("meta/llama", "llama2")
    relabelled = rec("x/other", "other", "meta/llama")
    root = rec("me/model", "apache-2.0", "x/other")
    lin = build_lineage(root, StaticResolver([llama, relabelled]))
    direct = [c for c in lin.conflicts if c.direct]
    deep = [c for c in lin.conflicts if not c.direct]
    assert not direct and deep[0].ancestor == "meta/llama"
    assert any("x/other" in r for r in lin.review)


def test_cycles_missing_and_truncation() -> None:
    selfref = build_lineage(rec("a/self", "mit", "a/self"), StaticResolver([]))
    assert selfref.cycles == (("a/self",),)
    a = rec("o/a", "mit", "o/b")
    b = rec("o/b", "mit", "o/a")
    two = build_lineage(a, StaticResolver([a, b]))
    assert len(two.cycles) == 1 and set(two.cycles[0]) == {"o/a", "o/b"}
    missing = build_lineage(rec("o/m", "mit", "gone/base"), StaticResolver([]))
    assert missing.missing == ("gone/base",) and not missing.node("gone/base").found  # type: ignore[union-attr]
    chain = [rec(f"o/m{i}", "mit", f"o/m{i + 1}") for i in range(10)]
    deep = build_lineage(chain[0], StaticResolver(chain), max_depth=3)
    assert deep.truncated


def test_case_insensitive_ids_and_dataset_licences() -> None:
    base = rec("Org/Base", "apache-2.0")
    root = rec("me/m", "apache-2.0", "org/base", datasets=("tatsu-lab/alpaca", "nowhere/ds"))
    lin = build_lineage(root, StaticResolver([base], {"tatsu-lab/alpaca": "cc-by-nc-4.0"}))
    assert lin.node("org/base").found  # type: ignore[union-attr]
    alpaca, nowhere = lin.datasets
    assert alpaca.spdx == "CC-BY-NC-4.0" and not nowhere.found and lin.datasets_resolved


def _write_listing(path: Path, rows: list[dict[str, Any]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    return path


def test_dump_resolver_streams_listing_and_sibling_datasets(tmp_path: Path) -> None:
    models = _write_listing(
        tmp_path / "hf_models_list.jsonl.gz",
        [
            {"_id": "1", "id": "meta/Llama-2-7b", "tags": ["license:llama2"]},
            {"_id": "2", "id": "me/ft", "tags": ["license:apache-2.0", "base_model:meta/llama-2-7b", "dataset:tatsu-lab/alpaca"]},
        ],
    )
    _write_listing(tmp_path / "hf_datasets_list.jsonl.gz", [{"id": "tatsu-lab/alpaca", "tags": ["license:cc-by-nc-4.0"]}])
    res = DumpResolver(models)
    root = res.models(["me/ft"])["me/ft"]
    assert root.license == "apache-2.0" and root.datasets == ("tatsu-lab/alpaca",)
    lin = build_lineage(root, res)
    assert lin.conflicts and lin.conflicts[0].ancestor == "meta/Llama-2-7b"
    assert lin.datasets[0].spdx == "CC-BY-NC-4.0"


def test_dump_resolver_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        DumpResolver(tmp_path / "absent.jsonl.gz")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a/b", "tags": [\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        DumpResolver(bad).models(["a/b"])
    with pytest.raises(InputError):
        DumpResolver(_write_listing(tmp_path / "x.jsonl.gz", [])).dataset_licenses(["d"])


def test_dump_resolver_reads_compact_json_and_the_2022_modelid_shape(tmp_path: Path) -> None:
    listing = tmp_path / "models.jsonl"
    listing.write_text(
        '{"id":"a/compact","tags":["license:mit"]}\n'
        '{"modelId": "b/old-shape", "tags": ["license:apache-2.0"]}\n',
        encoding="utf-8",
    )
    found = DumpResolver(listing).models(["a/compact", "b/old-shape"])
    assert found["a/compact"].license == "mit"
    assert found["b/old-shape"].license == "apache-2.0"


def test_a_file_that_is_not_a_listing_is_an_input_error(tmp_path: Path) -> None:
    # Used to answer "not found" for every model, as if the listing simply lacked them.
    other = tmp_path / "policy.yaml"
    other.write_text("version: 1\nchecks: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a Hub listing"):
        DumpResolver(other).models(["a/b"])


def test_record_from_model_info_json() -> None:
    r = record_from_api({"id": "o/m", "tags": ["license:other"], "cardData": {"license": "other", "license_name": "acme", "base_model": ["a/b"], "datasets": ["d/x"]}})
    assert r.license == "other" and r.license_name == "acme" and r.bases[0].id == "a/b" and r.datasets == ("d/x",)


def test_hub_resolver_through_mocked_http() -> None:
    httpx2 = pytest.importorskip("httpx2")
    import huggingface_hub

    def handler(request: Any) -> Any:
        path = request.url.path
        if path == "/api/models/me/ft":
            body = {"id": "me/ft", "tags": ["license:mit", "base_model:finetune:org/nc"], "cardData": {"license": "mit", "base_model": "org/nc"}}
        elif path == "/api/models/org/nc":
            body = {"id": "org/nc", "tags": ["license:cc-by-nc-4.0"], "cardData": {"license": "cc-by-nc-4.0"}}
        elif path == "/api/models/broken/x":
            return httpx2.Response(500, json={"error": "boom"})
        else:
            return httpx2.Response(404, json={"error": "Repository not found"}, headers={"X-Error-Code": "RepoNotFound"})
        return httpx2.Response(200, json=body)

    huggingface_hub.set_client_factory(lambda: httpx2.Client(transport=httpx2.MockTransport(handler)))
    try:
        res = HubResolver(token=False)
        root = res.models(["me/ft"])["me/ft"]
        assert root.bases[0] == BaseRef("org/nc", Relation.FINETUNE, False)
        lin = build_lineage(root, res)
        assert lin.conflicts[0].dropped[0] == "non-commercial"
        assert res.models(["nobody/here"]) == {}
        with pytest.raises(HubError):
            res.models(["broken/x"])
    finally:
        from huggingface_hub.utils._http import default_client_factory

        huggingface_hub.set_client_factory(default_client_factory)


def test_duckdb_resolver_reads_the_registry_schema(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from ptmvet.licenses.resolvers import DuckDBResolver
    from ptmvet.registry.store import open_store

    db = tmp_path / "hub.duckdb"
    with open_store(db) as store:
        cols = {r[0] for r in store.con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'models'").fetchall()}
        assert {"model_id", "license", "card_data"} <= cols
        # Insert only the columns lineage reads; fill the NOT NULL rest with placeholders.
        required = [r[0] for r in store.con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'models' AND is_nullable = 'NO'").fetchall()]
        for mid, lic in (("org/Base", "cc-by-nc-4.0"), ("me/ft", "apache-2.0")):
            values = {c: (False if c.startswith("has_") else 0 if c.endswith(("_run", "run")) or c == "fingerprint" else "x") for c in required}
            # The lineage view reads the base model from the tags.
            tags = ["dataset:d/x", "base_model:adapter:org/base"] if mid == "me/ft" else []
            values.update({"model_id": mid, "license": lic, "tags": tags})
            names = ", ".join(values)
            store.con.execute(f"INSERT INTO models ({names}) VALUES ({', '.join('?' for _ in values)})", list(values.values()))
    res = DuckDBResolver(db)
    root = res.models(["ME/FT"])["me/ft"]
    assert root.bases == (BaseRef("org/base", Relation.ADAPTER, False),) and root.datasets == ("d/x",)
    lin = build_lineage(root, res, with_datasets=False)
    assert lin.conflicts and lin.conflicts[0].ancestor == "org/Base"
    with pytest.raises(InputError):
        res.dataset_licenses(["d/x"])


def test_an_old_hub_id_is_found_under_the_organisation_it_moved_to() -> None:
    # A 2024 listing holds google-bert/bert-base-uncased; cards and tags still say bert-base-uncased.
    moved = rec("google-bert/bert-base-uncased", "apache-2.0")
    nc = rec("google-t5/t5-small", "cc-by-nc-4.0")
    root = rec("me/clf", "mit", "bert-base-uncased", "t5-small")
    lin = build_lineage(root, StaticResolver([moved, nc]))
    assert lin.missing == ()
    assert lin.renamed == (("bert-base-uncased", "google-bert/bert-base-uncased"), ("t5-small", "google-t5/t5-small"))
    assert {e.parent for e in lin.edges} == {"google-bert/bert-base-uncased", "google-t5/t5-small"}
    assert [c.ancestor for c in lin.conflicts] == ["google-t5/t5-small"]  # MIT over a non-commercial base
    assert lin.to_section()["renamed"][0] == {"named": "bert-base-uncased", "found": "google-bert/bert-base-uncased"}
    # Only ids without a namespace, and only the organisations the Hub moved them to.
    stray = build_lineage(rec("me/x", "mit", "my-model", "someone/bert-base-uncased"), StaticResolver([rec("someone/my-model", "mit"), moved]))
    assert sorted(stray.missing) == ["my-model", "someone/bert-base-uncased"] and stray.renamed == ()


def test_a_resolver_that_follows_renames_is_not_asked_twice() -> None:
    asked: list[list[str]] = []

    class Redirecting(StaticResolver):
        follows_renames = True  # like the Hub, which answers an old id with the moved model

        def models(self, ids):  # type: ignore[no-untyped-def]
            asked.append(sorted(ids))
            return super().models(ids)

    lin = build_lineage(rec("me/clf", "mit", "bert-base-uncased"), Redirecting([rec("google-bert/bert-base-uncased", "apache-2.0")]))
    assert asked == [["bert-base-uncased"]] and lin.missing == ("bert-base-uncased",) and lin.renamed == ()


def test_a_model_named_by_its_old_and_its_new_id_is_one_ancestor() -> None:
    moved = rec("FacebookAI/xlm-roberta-base", "mit")
    lin = build_lineage(rec("me/m", "apache-2.0", "xlm-roberta-base", "FacebookAI/xlm-roberta-base"), StaticResolver([moved]))
    assert [n.id for n in lin.ancestors] == ["FacebookAI/xlm-roberta-base"]
    assert lin.renamed == (("xlm-roberta-base", "FacebookAI/xlm-roberta-base"),) and lin.missing == ()
    assert {e.parent for e in lin.edges} == {"FacebookAI/xlm-roberta-base"}


def test_lineage_command_with_a_file_that_is_not_a_listing_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Used to print a lineage of "not found" ancestors and exit 0, the cause in a footnote.
    from ptmvet.cli import main

    model = tmp_path / "m"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\nbase_model: a/b\n---\n# m\n", encoding="utf-8")
    other = tmp_path / "info.json"
    other.write_text('{\n  "id": "a/b"\n}\n', encoding="utf-8")
    assert main(["lineage", str(model), "--dump", str(other)]) == 3
    err = capsys.readouterr().err
    assert str(other) in err and "not a Hub listing" in err
