"""Schema validators for the BOM tests (offline).

* CycloneDX 1.6: the official schema bundled in cyclonedx-python-lib
  (``cyclonedx/schema/_res/bom-1.6.SNAPSHOT.schema.json``) with the two
  schemas it references (spdx, jsf), resolved through a ``referencing``
  registry by their ``$id``.
* SPDX 3.0.1: the ``spdx-python-model`` bindings (the SPDX project's
  generated model) deserialise the document and check every property's
  type and range; in addition the JSON Schema the SPDX specification
  repository generates for 3.0.1 (``tests/fixtures/spdx-3.0.1-spdx-spec.schema.json``,
  see ``tests/fixtures/ATTRIBUTION.md`` for its exact origin) checks the
  shape, with ``unevaluatedProperties: false`` on every element.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPDX_SCHEMA = FIXTURES / "spdx-3.0.1-spdx-spec.schema.json"
SPDX_SCHEMA_SHA256 = "d711c811b1ff6face561cbd8cfd07cb5d581845030d4c24cf8cc7107cc8d112a"


def _cdx_dir() -> Path:
    cdx = pytest.importorskip("cyclonedx.schema")
    return Path(cdx.__file__).parent / "_res"


@cache
def cyclonedx_validator() -> jsonschema.Draft7Validator:
    res = _cdx_dir()
    resources = []
    main: dict[str, Any] = {}
    for name in ("bom-1.6.SNAPSHOT.schema.json", "spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
        doc = json.loads((res / name).read_text(encoding="utf-8"))
        resource = Resource.from_contents(doc, default_specification=DRAFT7)
        # The bundled schema refers to its neighbours by file name ("spdx.SNAPSHOT.schema.json"),
        # resolved against its own $id; register each under that URL and under its $id.
        resources.append((doc["$id"], resource))
        resources.append((f"http://cyclonedx.org/schema/{name}", resource))
        if name.startswith("bom-"):
            main = doc
    registry: Registry = Registry().with_resources(resources)
    return jsonschema.Draft7Validator(main, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def cyclonedx_errors(doc: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in cyclonedx_validator().iter_errors(doc)]


@cache
def _spdx_schema() -> dict[str, Any]:
    """The schema, with each ``X_derived`` reference type split on the instance's JSON type.

    ``X_derived`` is ``anyOf: [object alternatives..., consts..., BlankNodeOrIRI]``;
    a reference is usually a string, for which jsonschema still walks every object
    alternative. ``if string then <the string alternatives> else <the original>``
    accepts exactly the same instances and keeps the same annotations, in a
    fraction of the time.
    """
    schema: dict[str, Any] = json.loads(SPDX_SCHEMA.read_text(encoding="utf-8"))
    for name, definition in schema["$defs"].items():
        alts = definition.get("anyOf") if name.endswith("_derived") else None
        if not isinstance(alts, list):
            continue
        strings = [a for a in alts if "const" in a or a.get("$ref") == "#/$defs/BlankNodeOrIRI"]
        schema["$defs"][name] = {"if": {"type": "string"}, "then": {"anyOf": strings}, "else": definition}
    return schema


@cache
def _spdx_class_validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = _spdx_schema()
    sub = {"$defs": schema["$defs"], "$ref": f"#/$defs/{kind}", "unevaluatedProperties": False}
    return jsonschema.Draft202012Validator(sub)


def spdx_schema_errors(doc: dict[str, Any]) -> list[str]:
    """Errors against the SPDX 3.0.1 JSON Schema.

    The whole-document schema tries every class for every ``@graph`` item (an
    ``anyOf`` of 77 classes under ``unevaluatedProperties``), which takes tens of
    seconds per document; validating the top level, then each item against the
    definition its ``type`` names with the same ``unevaluatedProperties: false``,
    applies the same constraints item by item.
    """
    schema = _spdx_schema()
    top = {k: v for k, v in schema.items() if k not in ("oneOf", "$defs", "unevaluatedProperties")}
    errors = [f"(top) {e.message}" for e in jsonschema.Draft202012Validator(top).iter_errors(doc)]
    graph = doc.get("@graph")
    if not isinstance(graph, list):
        return [*errors, "@graph: missing or not a list"]
    kinds = set(schema["$defs"]["SHACLClass"]["properties"]["type"]["oneOf"][1]["enum"])
    for i, item in enumerate(graph):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in kinds:
            errors.append(f"@graph/{i}: unknown type {kind!r}")
            continue
        for e in _spdx_class_validator(str(kind)).iter_errors(item):
            errors.append(f"@graph/{i} ({kind}) {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
    return errors


def spdx_model_load(doc: dict[str, Any]) -> Any:
    """Deserialise with spdx-python-model; raises on any type or range violation. Returns the object set."""
    import io

    model = pytest.importorskip("spdx_python_model.bindings.v3_0_1")
    objset = model.SHACLObjectSet()
    model.JSONLDDeserializer().read(io.StringIO(json.dumps(doc)), objset)
    return objset
