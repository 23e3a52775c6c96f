"""ptmvet's licence code on real Hub data (skipped without ../shared/corpora). Sampled to stay fast."""

from __future__ import annotations

import csv
import json
import zipfile
from collections import Counter
from itertools import islice
from pathlib import Path

import pytest

from ptmvet.licenses.classify import classify
from ptmvet.licenses.ids import is_valid_expression, normalize
from ptmvet.licenses.lineage import BaseRef, ModelRecord, Relation, build_lineage
from ptmvet.licenses.resolvers import DumpResolver, StaticResolver, iter_listing

pytestmark = pytest.mark.corpora


def test_every_licence_id_in_a_listing_sample_is_recognised(corpora: Path) -> None:
    listing = corpora / "hf-hub-models-2024-07" / "hf_models_list_2024-07.jsonl.gz"
    seen: Counter[str] = Counter()
    for obj in iter_listing(listing, limit=20_000):
        for t in obj.get("tags") or []:
            if t.startswith("license:"):
                seen[t[8:]] += 1
    assert len(seen) > 20
    for lic in seen:
        norm = normalize(lic)
        assert norm.recognized and is_valid_expression(norm.spdx), lic


@pytest.mark.slow
def test_dump_lineage_of_a_real_model(corpora: Path) -> None:
    res = DumpResolver(corpora / "hf-hub-models-2024-07" / "hf_models_list_2024-07.jsonl.gz")
    root = res.models(["papluca/xlm-roberta-base-language-detection"])["papluca/xlm-roberta-base-language-detection"]
    assert root.bases[0].id == "xlm-roberta-base" and root.license == "mit"
    # The base is named by its legacy id; the 2024 listing only has FacebookAI/xlm-roberta-base,
    # where the Hub moved it: found there, and the rename reported.
    lin = build_lineage(root, res, with_datasets=False)
    assert lin.missing == () and lin.renamed == (("xlm-roberta-base", "FacebookAI/xlm-roberta-base"),)
    base = lin.node("FacebookAI/xlm-roberta-base")
    assert base is not None and base.found and base.spdx == "MIT"


def test_chain_conflicts_only_where_the_chains_record_a_licence_change(corpora: Path) -> None:
    with zipfile.ZipFile(corpora / "hf-hub-models-2024-07" / "analysis.zip") as z:
        data = json.loads(z.read("analysis/licensing_changes.json"))
    conflicts = 0
    for entry in data[:400]:
        chain = entry["chain"]
        records = []
        for i, node in enumerate(chain):
            lic = next((v for v in node["license"] if v.upper() != "UNKNOWN"), None)
            bases = (BaseRef(chain[i - 1]["model"], Relation.FINETUNE, True),) if i else ()
            records.append(ModelRecord(node["model"], license=lic, bases=bases))
        lin = build_lineage(records[-1], StaticResolver(records[:-1]), with_datasets=False)
        if any(c.serious for c in lin.conflicts):
            conflicts += 1
            assert "license_change" in entry["tags"], entry
    assert conflicts > 0


def test_peatmoss_licences_classify(corpora: Path) -> None:
    with (corpora / "hf-license-analysis-peatmoss" / "mapping.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(islice(csv.reader(fh), 3000))
    families = Counter(classify(normalize(r[3] or "unknown").spdx).family.value for r in rows if len(r) >= 4)
    assert families["permissive"] > families["unknown"]
