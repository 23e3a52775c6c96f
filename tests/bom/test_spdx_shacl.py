"""SPDX 3.0.1 output is valid under the SPDX SHACL model (spdx3-validate), and every spdxId is unique.

The SHACL model and JSON-LD context of SPDX 3.0.1 are vendored in
``tests/fixtures/spdx-3.0.1/`` (origin, SHA-256 and licence in
``tests/fixtures/ATTRIBUTION.md``), so the check runs on a fresh clone with no
network. ``spdx3-validate`` (dev extra) does the SHACL check exactly as its
command line does, on a graph parsed with the local context instead of the one
it would download. Each run also shows the check can fail: documents with a
duplicated ``spdxId``, a missing required property and a mistyped value are
each rejected.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from _bom_schemas import FIXTURES, spdx_schema_errors

from ptmvet.cli import main

SPDX_301 = FIXTURES / "spdx-3.0.1"
# The SHA-256 of each vendored file, checked before use (see tests/fixtures/ATTRIBUTION.md).
PINNED = {
    "spdx-model.ttl": "77b058ebbea268db1ad191f54da908945d4c279110a5e28b20eae4ac201a5cf8",
    "spdx-context.jsonld": "c72b0928f094c83e5c127784edb1ebca2af74a104fcacc007c332b23cbc788bd",
}


def _vendored(name: str) -> bytes:
    raw = (SPDX_301 / name).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    assert digest == PINNED[name], f"{SPDX_301 / name} is not the vendored SPDX 3.0.1 file: sha256 {digest}"
    return raw


def _bom(model: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / f"{model.name}.spdx.json"
    assert main(["bom", str(model), "--format", "spdx", "--output", str(out)]) == 0
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


@pytest.fixture
def twice(tmp_path: Path) -> Path:
    """A package on which one check fires twice (VET607: a link leaving it, and a dangling one), with a file
    whose name is not UTF-8 (written with escapes, as every report does)."""
    import struct

    d = tmp_path / "twice"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: apache-2.0\n---\n# twice\n\nA package for the BOM tests.\n", encoding="utf-8")
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    (d / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
    (tmp_path / "secret.txt").write_text("x\n", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", d / "leak.txt")
    os.symlink("nothing-here.bin", d / "ghost.bin")
    (d / os.fsdecode(b"notes-caf\xe9.txt")).write_bytes(b"a file whose name is Latin-1\n")
    return d


def test_spdx_ids_unique_when_a_check_fires_twice(twice: Path, tmp_path: Path) -> None:
    doc = _bom(twice, tmp_path)
    ids = [i["spdxId"] for i in doc["@graph"] if "spdxId" in i]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    statements = [i["statement"] for i in doc["@graph"] if i.get("type") == "Annotation"]
    assert sum(s.startswith("VET607 ") for s in statements) == 2
    assert any(i.get("name") == "notes-caf\\xe9.txt" for i in doc["@graph"] if i.get("type") == "software_File")
    assert spdx_schema_errors(doc) == []


def test_vendored_spdx_files_are_the_pinned_ones() -> None:
    for name in PINNED:
        assert _vendored(name)
    context = json.loads(_vendored("spdx-context.jsonld"))
    assert context["@context"]["ai_AIPackage"] == "https://spdx.org/rdf/3.0.1/terms/AI/AIPackage"
    assert b"<https://spdx.org/rdf/3.0.1/terms/AI/> ." in _vendored("spdx-model.ttl")


@cache
def _shacl() -> Any:
    import rdflib

    shacl = rdflib.Graph()
    shacl.parse(data=_vendored("spdx-model.ttl").decode("utf-8"), format="turtle")
    return shacl


def _shacl_errors(doc: dict[str, Any]) -> list[str]:
    """spdx3-validate's SHACL errors for a document written for the 3.0.1 context URL."""
    import rdflib

    core = pytest.importorskip("spdx3_validate.core")
    versions = pytest.importorskip("spdx3_validate.spdx_versions")
    version = next(v for v in versions.SPDX_VERSIONS if v.pretty == "3.0.1")
    assert doc["@context"] == version.context_url
    local = dict(doc, **{"@context": json.loads(_vendored("spdx-context.jsonld"))["@context"]})
    graph = rdflib.Graph()
    graph.parse(data=json.dumps(local), format="json-ld")
    errors: list[str] = core.check_graph(graph, _shacl(), version, True)
    return errors


def _first(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    item: dict[str, Any] = next(i for i in doc["@graph"] if i.get("type") == kind)
    return item


def _duplicate_spdx_id(doc: dict[str, Any]) -> None:
    """A second element under the package's spdxId (what one check firing twice once produced)."""
    clash = copy.deepcopy(_first(doc, "ai_AIPackage"))
    clash["name"] = "another package"
    doc["@graph"].append(clash)


def _drop_creation_info(doc: dict[str, Any]) -> None:
    del _first(doc, "Annotation")["creationInfo"]


def _mistype_name(doc: dict[str, Any]) -> None:
    _first(doc, "software_File")["name"] = 5


# Each mistake, on a different element, and the SHACL constraint it must violate.
BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "duplicated spdxId (two names on one element)": (_duplicate_spdx_id, "sh:MaxCountConstraintComponent"),
    "missing required creationInfo": (_drop_creation_info, "sh:MinCountConstraintComponent"),
    "name of the wrong type": (_mistype_name, "sh:DatatypeConstraintComponent"),
}


@pytest.mark.slow
def test_spdx_output_is_valid_under_shacl(twice: Path, tmp_path: Path) -> None:
    pytest.importorskip("spdx3_validate.core")
    doc = _bom(twice, tmp_path)
    errors = _shacl_errors(doc)
    assert errors == [], "\n".join(errors[:3])
    # The check is not vacuous: the same document with three mistakes (on three elements,
    # validated once to keep the test short) violates each mistake's constraint.
    bad = copy.deepcopy(doc)
    for breaks, _ in BROKEN.values():
        breaks(bad)
    found = "\n".join(_shacl_errors(bad))
    for what, (_, constraint) in BROKEN.items():
        assert f"Violation of type {constraint}" in found, f"SHACL accepted a document with a {what}"
