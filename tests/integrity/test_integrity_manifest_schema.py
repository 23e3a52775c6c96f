"""The shipped manifest JSON Schema describes what Manifest.to_dict writes and agrees with parse_manifest."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptmvet.errors import InputError
from ptmvet.integrity.manifest import (
    MANIFEST_KIND,
    SCHEMA_RESOURCE,
    SCHEMA_VERSION,
    build_manifest,
    manifest_schema,
    parse_manifest,
    read_manifest,
)

SHA = "0" * 64


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(manifest_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _minimal(**file: Any) -> dict[str, Any]:
    entry = {"path": "x", "size": 1, "sha256": SHA, **file}
    return {
        "kind": MANIFEST_KIND,
        "schema_version": SCHEMA_VERSION,
        "model": "m",
        "hash_algorithm": "sha256",
        "file_count": 1,
        "total_size": 1,
        "files": [entry],
        "skipped": [],
    }


def _reader_accepts(data: Any) -> bool:
    try:
        parse_manifest(data)
    except InputError:
        return False
    return True


def test_schema_is_valid_draft_2020_12_and_matches_the_code() -> None:
    schema = manifest_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/" + SCHEMA_RESOURCE)
    assert schema["properties"]["kind"]["const"] == MANIFEST_KIND
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_written_manifest_validates(package: Path, tmp_path: Path) -> None:
    # Cover every optional part the writer emits: an LFS pointer entry and a skipped file.
    oid = "ab" * 32
    (package / "pytorch_model.bin").write_text(f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 1234\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("outside")
    (package / "leak.txt").symlink_to(outside)
    manifest = build_manifest(package)
    data = json.loads(manifest.to_json())
    assert any("lfs_pointer" in f for f in data["files"]) and data["skipped"]
    _validator().validate(data)
    # The schema requires exactly the keys the writer emits.
    assert set(manifest_schema()["required"]) == set(data)
    # And what the schema accepts here, the reader accepts.
    out = tmp_path / "manifest.json"
    out.write_text(manifest.to_json())
    back = read_manifest(out)  # the reader keeps path, size and digest; lfs_pointer is informational
    assert back.digests() == manifest.digests() and back.total_size == manifest.total_size


def test_single_file_manifest_validates(package: Path) -> None:
    _validator().validate(build_manifest(package / "config.json").to_dict())


# Each case: the content the existing reader tests feed to read_manifest (parsed JSON), and what it says.
READER_TEST_DOCUMENTS = [
    ('{"kind": "other"}', "not a ptmvet manifest"),
    ('{"kind": "ptmvet-manifest", "schema_version": 99, "files": []}', "schema version 99"),
    ('{"kind": "ptmvet-manifest", "schema_version": 1, "files": [{"path": "../x", "size": 1, "sha256": "' + SHA + '"}]}', "invalid path"),
    ('{"kind": "ptmvet-manifest", "schema_version": 1, "files": [{"path": "x", "size": -1, "sha256": "' + SHA + '"}]}', "invalid size"),
    ('{"kind": "ptmvet-manifest", "schema_version": 1, "files": [{"path": "x", "size": 1, "sha256": "zz"}]}', "invalid sha256"),
]


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        doc[key] = value

    return mutate


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        del doc[key]

    return mutate


def _file(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        doc["files"][0][key] = value

    return mutate


def _drop_file_key(key: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        del doc["files"][0][key]

    return mutate


def _duplicate_entry(doc: dict[str, Any]) -> None:
    doc["files"].append(copy.deepcopy(doc["files"][0]))


# Each case: one fault in an otherwise valid written manifest, the reader's message, and the key it concerns.
MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("wrong kind", _set("kind", "other"), "not a ptmvet manifest"),
    ("no kind", _drop("kind"), "not a ptmvet manifest"),
    ("version 2", _set("schema_version", 2), "schema version 2"),
    ("version as string", _set("schema_version", "1"), "schema version '1'"),
    ("no version", _drop("schema_version"), "schema version None"),
    ("hash md5", _set("hash_algorithm", "md5"), "hash algorithm 'md5'"),
    ("hash null", _set("hash_algorithm", None), "hash algorithm None"),
    ("files an object", _set("files", {"x": SHA}), "'files' must be a list"),
    ("files null", _set("files", None), "'files' must be a list"),
    ("no files", _drop("files"), "'files' must be a list"),
    ("entry not an object", _set("files", ["x"]), r"files\[0\] is not an object"),
    ("dotdot first", _file("path", "../x"), "invalid path"),
    ("dotdot inside", _file("path", "a/../b"), "invalid path"),
    ("dotdot last", _file("path", "a/.."), "invalid path"),
    ("dotdot alone", _file("path", ".."), "invalid path"),
    ("absolute path", _file("path", "/etc/passwd"), "invalid path"),
    ("empty path", _file("path", ""), "invalid path"),
    ("path a number", _file("path", 7), "invalid path"),
    ("no path", _drop_file_key("path"), "invalid path"),
    ("negative size", _file("size", -1), "invalid size"),
    ("bool size", _file("size", True), "invalid size"),
    ("fractional size", _file("size", 1.5), "invalid size"),
    ("string size", _file("size", "1"), "invalid size"),
    ("no size", _drop_file_key("size"), "invalid size"),
    ("sha not hex", _file("sha256", "zz"), "invalid sha256"),
    ("sha 63 digits", _file("sha256", "a" * 63), "invalid sha256"),
    ("sha 65 digits", _file("sha256", "a" * 65), "invalid sha256"),
    ("sha trailing newline", _file("sha256", SHA + "\n"), "invalid sha256"),
    ("sha with prefix", _file("sha256", "sha256:" + SHA[7:]), "invalid sha256"),
    ("sha a number", _file("sha256", 0), "invalid sha256"),
    ("no sha", _drop_file_key("sha256"), "invalid sha256"),
    ("identical entry twice", _duplicate_entry, "listed twice"),
]


@pytest.mark.parametrize("content, problem", READER_TEST_DOCUMENTS, ids=[p for _, p in READER_TEST_DOCUMENTS])
def test_documents_the_reader_rejects_fail_the_schema(content: str, problem: str) -> None:
    data = json.loads(content)
    with pytest.raises(InputError, match=problem):
        parse_manifest(data)
    assert not _validator().is_valid(data)


@pytest.mark.parametrize("mutate, problem", [(m, p) for _, m, p in MUTATIONS], ids=[name for name, _, _ in MUTATIONS])
def test_faults_the_reader_rejects_fail_the_schema(
    package: Path, mutate: Callable[[dict[str, Any]], None], problem: str
) -> None:
    data = build_manifest(package).to_dict()
    _validator().validate(data)
    mutate(data)
    with pytest.raises(InputError, match=problem):
        parse_manifest(data)
    assert not _validator().is_valid(data)


def test_what_the_reader_tolerates_the_schema_accepts() -> None:
    # Unknown keys (at every level) are ignored by the reader and allowed by the schema;
    # uppercase digests are accepted by both.
    data = _minimal(sha256=SHA.replace("0", "A"), note="extra")
    data["generator"] = {"name": "other-tool"}
    data["skipped"] = [{"path": "x.lnk", "reason": "symlink leaves the model folder", "extra": 1}]
    assert _reader_accepts(data)
    _validator().validate(data)


PATH_ALPHABET = st.sampled_from(["a", ".", "..", "/", "\n", " ", "\\", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PATH_ALPHABET, max_size=8).map("".join))
def test_schema_and_reader_agree_on_paths(path: str) -> None:
    data = _minimal(path=path)
    assert _validator().is_valid(data) == _reader_accepts(data)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0aF9g\n :", min_size=62, max_size=66) | st.text(alphabet="0123456789abcdefABCDEF", min_size=63, max_size=65))
def test_schema_and_reader_agree_on_digests(sha: str) -> None:
    data = _minimal(sha256=sha)
    assert _validator().is_valid(data) == _reader_accepts(data)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False), st.none(), st.text(max_size=3)))
def test_schema_and_reader_agree_on_sizes(size: Any) -> None:
    data = _minimal(size=size)
    # The one documented difference: JSON Schema counts 2.0 as an integer, the reader wants an int.
    integral_float = isinstance(size, float) and size.is_integer() and size >= 0
    assert _validator().is_valid(data) == (_reader_accepts(data) or integral_float)
