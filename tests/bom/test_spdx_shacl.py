"""SPDX 3.0.1 output is valid under the SPDX SHACL model (spdx3-validate), and every spdxId is unique.

The SHACL model and JSON-LD context are read from ``../shared/spdx-3.0.1`` (the
files spdx.org serves, see its README); the test skips where that folder is
absent, since the suite runs without a network. ``spdx3-validate`` (dev extra)
does the SHACL check exactly as its command line does, on a graph parsed with
the local context instead of the one it would download.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from _bom_schemas import spdx_schema_errors

from ptmvet.cli import main

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "spdx-3.0.1"


def _bom(model: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / f"{model.name}.spdx.json"
    assert main(["bom", str(model), "--format", "spdx", "--output", str(out)]) == 0
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


@pytest.fixture
def twice(tmp_path: Path) -> Path:
    """A package on which one check fires twice (VET607: a link leaving it, and a dangling one)."""
    import struct

    d = tmp_path / "twice"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: apache-2.0\n---\n# twice\n\nA package for the BOM tests.\n", encoding="utf-8")
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    (d / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
    (tmp_path / "secret.txt").write_text("x\n", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", d / "leak.txt")
    os.symlink("nothing-here.bin", d / "ghost.bin")
    return d


def test_spdx_ids_unique_when_a_check_fires_twice(twice: Path, tmp_path: Path) -> None:
    doc = _bom(twice, tmp_path)
    ids = [i["spdxId"] for i in doc["@graph"] if "spdxId" in i]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    statements = [i["statement"] for i in doc["@graph"] if i.get("type") == "Annotation"]
    assert sum(s.startswith("VET607 ") for s in statements) == 2
    assert spdx_schema_errors(doc) == []


@pytest.mark.slow
def test_spdx_output_is_valid_under_shacl(twice: Path, tmp_path: Path) -> None:
    if not (SHARED / "spdx-model.ttl").is_file():
        pytest.skip("../shared/spdx-3.0.1 (the SPDX SHACL model and context) is not present")
    core = pytest.importorskip("spdx3_validate.core")
    versions = pytest.importorskip("spdx3_validate.spdx_versions")
    import rdflib

    doc = _bom(twice, tmp_path)
    version = next(v for v in versions.SPDX_VERSIONS if v.pretty == "3.0.1")
    assert doc["@context"] == version.context_url
    local = dict(doc, **{"@context": json.loads((SHARED / "spdx-context.jsonld").read_text(encoding="utf-8"))["@context"]})
    graph = rdflib.Graph()
    graph.parse(data=json.dumps(local), format="json-ld")
    shacl = rdflib.Graph()
    shacl.parse(SHARED / "spdx-model.ttl", format="turtle")
    errors = core.check_graph(graph, shacl, version, True)
    assert errors == [], "\n".join(errors[:3])
    # and the check is not vacuous: a broken element is caught
    bad = dict(local, **{"@graph": [dict(i, name=5) if i.get("type") == "ai_AIPackage" else i for i in local["@graph"]]})
    bad_graph = rdflib.Graph()
    bad_graph.parse(data=json.dumps(bad), format="json-ld")
    assert core.check_graph(bad_graph, shacl, version, True)
