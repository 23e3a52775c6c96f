"""Schema validators for the BOM tests (offline).

* CycloneDX 1.6: the official schema bundled in cyclonedx-python-lib
  (``cyclonedx/schema/_res/bom-1.6.SNAPSHOT.schema.json``) with the two
  schemas it references (spdx, jsf), resolved through a ``referencing``
  registry by their ``$id``.
* SPDX 3.0.1: the JSON Schema published at
  https://spdx.org/schema/3.0.1/spdx-json-schema.json, vendored byte for byte
  as ``tests/fixtures/spdx-3.0.1.schema.json`` (origin and checksum in
  ``tests/fixtures/ATTRIBUTION.md``; every load checks the SHA-256). Each
  document is validated against it as explained in :func:`spdx_schema_errors`,
  and the ``spdx-python-model`` bindings (the SPDX project's generated model)
  deserialise it as well, checking every property's type and range.
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPDX_SCHEMA = FIXTURES / "spdx-3.0.1.schema.json"
SPDX_SCHEMA_URL = "https://spdx.org/schema/3.0.1/spdx-json-schema.json"
SPDX_SCHEMA_SHA256 = "582c64e809d5b3ef9bd0c4de13a32391b47b0284a3e8d199569fb96f649234b1"
SPDX_SCHEMA_SIZE = 265_678


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


# --- SPDX 3.0.1 -------------------------------------------------------------------------------


@cache
def spdx_published_schema() -> dict[str, Any]:
    """The published schema, parsed; fails loudly if the vendored copy is not the published file."""
    raw = SPDX_SCHEMA.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    assert digest == SPDX_SCHEMA_SHA256, f"{SPDX_SCHEMA} is not the file published at {SPDX_SCHEMA_URL}: sha256 {digest}"
    schema: dict[str, Any] = json.loads(raw)
    return schema


def _new_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    # The published schema has no "format" keyword (dates, versions and IRIs are "pattern"s,
    # which are always enforced); the format checker is passed so that any future one is checked.
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@cache
def spdx_whole_document_validator() -> jsonschema.Draft202012Validator:
    """The unmodified published schema, applied to a whole document (about 2-3 s per BOM)."""
    return _new_validator(spdx_published_schema())


def spdx_whole_document_errors(doc: dict[str, Any]) -> list[str]:
    return [_fmt(e) for e in spdx_whole_document_validator().iter_errors(doc)]


@cache
def spdx_element_types() -> tuple[str, ...]:
    """The ``type`` values the schema's ``AnyClass`` accepts, with a check of the structure relied on below.

    ``AnyClass`` is ``anyOf`` one ``$ref`` per class; each class definition is
    ``if {type: object, properties: {type: {const: <Class>}}, required: [type]}
    then <the class> else {const: "Not a <Class>"}``.
    """
    defs = spdx_published_schema()["$defs"]
    kinds = []
    for alt in defs["AnyClass"]["anyOf"]:
        assert set(alt) == {"$ref"} and alt["$ref"].startswith("#/$defs/"), alt
        kind = alt["$ref"].removeprefix("#/$defs/")
        definition = defs[kind]
        assert definition["if"] == {"type": "object", "properties": {"type": {"const": kind}}, "required": ["type"]}, kind
        assert definition["else"] == {"const": f"Not a {kind}"}, kind
        kinds.append(kind)
    return tuple(kinds)


@cache
def _spdx_defs_for_items() -> dict[str, Any]:
    """The published ``$defs`` with each ``X_derived`` reference type split on the instance's JSON type.

    ``X_derived`` is ``anyOf: [{type: object, ...the X subclasses}, const individuals...,
    {$ref: BlankNodeOrIRI}]``. A reference is usually a string, for which jsonschema still
    walks every class under the object alternative (about 80% of the validation time).
    ``if {type: string} then {anyOf: <the const and BlankNodeOrIRI alternatives>} else
    <the original>`` accepts exactly the same instances: an alternative typed ``object``
    never accepts a string, and a string carries no property annotations for
    ``unevaluatedProperties``. The assertion below keeps that premise checked.
    """
    defs: dict[str, Any] = copy.deepcopy(spdx_published_schema()["$defs"])
    for name, definition in defs.items():
        if not name.endswith("_derived"):
            continue
        strings = []
        for alt in definition["anyOf"]:
            if ("const" in alt and isinstance(alt["const"], str)) or alt == {"$ref": "#/$defs/BlankNodeOrIRI"}:
                strings.append(alt)
            else:
                assert alt.get("type") == "object", (name, alt)
        defs[name] = {"if": {"type": "string"}, "then": {"anyOf": strings}, "else": definition}
    return defs


@cache
def _spdx_top_validator() -> jsonschema.Draft202012Validator:
    """The published schema with only the ``@graph`` item schema taken out (items are checked one by one)."""
    top = copy.deepcopy(spdx_published_schema())
    items = top["then"]["properties"]["@graph"]["items"]
    assert items == {"type": "object", "$ref": "#/$defs/AnyClass", "unevaluatedProperties": False}, items
    top["then"]["properties"]["@graph"]["items"] = {}
    return _new_validator(top)


@cache
def _spdx_item_validator(kind: str) -> jsonschema.Draft202012Validator:
    return _new_validator({"$defs": _spdx_defs_for_items(), "type": "object", "$ref": f"#/$defs/{kind}", "unevaluatedProperties": False})


def spdx_schema_errors(doc: dict[str, Any]) -> list[str]:
    """Errors of an SPDX 3.0.1 document against the published schema ([] = valid).

    The published schema checks a ``@graph`` document at the top level (``@context``,
    no other top-level property) and gives each ``@graph`` item the schema
    ``{type: object, $ref: AnyClass, unevaluatedProperties: false}``. Validating that
    as one document takes 2-3 s per BOM in jsonschema, so it is applied in two parts
    that accept exactly the same documents:

    1. the whole document against the published schema with only that item schema
       replaced by ``{}``: ``items`` applies its schema to each item independently,
       and no top-level keyword depends on the items' annotations (the top-level
       ``unevaluatedProperties`` sees ``@context`` and ``@graph`` either way);
    2. each item against ``{type: object, $ref: <its type>, unevaluatedProperties: false}``.
       Every ``AnyClass`` alternative is guarded by ``if type == <Class>`` with an
       ``else`` that no object satisfies (:func:`spdx_element_types` asserts this), so
       an item is valid against ``AnyClass`` exactly when it is valid against its own
       type's definition, which is then also the only source of evaluated properties;
       an item whose type is not a class is invalid against every alternative.

    The ``$defs`` used in step 2 differ from the published ones only by the
    equivalent rewrite in :func:`_spdx_defs_for_items` (about 0.2 s per BOM in all).
    The tests cross-check this against :func:`spdx_whole_document_errors`, both on
    a written BOM and on documents with deliberate mistakes.
    """
    errors = [f"(top) {_fmt(e)}" for e in _spdx_top_validator().iter_errors(doc)]
    graph = doc.get("@graph") if isinstance(doc, dict) else None
    if not isinstance(graph, list):
        return [*errors, "@graph: missing or not a list (ptmvet always writes one)"]
    kinds = set(spdx_element_types())
    for i, item in enumerate(graph):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in kinds:
            errors.append(f"@graph/{i}: not an object whose type is an SPDX 3.0.1 class: {kind!r}")
            continue
        errors.extend(f"@graph/{i} ({kind}) {_fmt(e)}" for e in _spdx_item_validator(str(kind)).iter_errors(item))
    return errors


def _fmt(e: jsonschema.ValidationError) -> str:
    return f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"


def spdx_model_load(doc: dict[str, Any]) -> Any:
    """Deserialise with spdx-python-model; raises on any type or range violation. Returns the object set."""
    import io

    model = pytest.importorskip("spdx_python_model.bindings.v3_0_1")
    objset = model.SHACLObjectSet()
    model.JSONLDDeserializer().read(io.StringIO(json.dumps(doc)), objset)
    return objset
