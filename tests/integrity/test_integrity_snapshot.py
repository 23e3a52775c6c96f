"""Registry listings (2022, 2024 and files_metadata shapes) and the cross-check against local files."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from ptmvet.cli import main
from ptmvet.errors import InputError, UsageError
from ptmvet.integrity.lfs import compare_with_registry
from ptmvet.integrity.manifest import build_manifest
from ptmvet.integrity.snapshot import load_dump, snapshot_from_model_info

MIRROR = "hf-model-repos-github-mirrors/distilbert-base-uncased-finetuned-sst-2-english"
POINTER_OID = "60554cbd7781b09d87f1ececbea8c064b94e49a7f03fd88e8775bfe6cc3d9f88"


def _files_metadata_info(repo_id: str, files: dict[str, bytes], lfs: dict[str, tuple[str, int]]) -> dict[str, object]:
    """A model_info in the files_metadata shape (siblings with size, blobId and lfs)."""
    siblings: list[dict[str, object]] = []
    for name, data in files.items():
        sib: dict[str, object] = {"rfilename": name, "size": len(data), "blobId": hashlib.sha1(data).hexdigest()}
        if name in lfs:
            sha, size = lfs[name]
            sib["lfs"] = {"sha256": sha, "size": size, "pointerSize": 134}
            sib["size"] = size
        siblings.append(sib)
    return {"id": repo_id, "sha": "1" * 40, "siblings": siblings, "unknownField": {"ignored": True}}


def test_2022_dump_lists_names_only(corpora: Path) -> None:
    snap = load_dump(corpora / "hf-model-infos-cards-2022-02-saranscript" / "model_infos.jsonl.gz", "distilbert-base-uncased-finetuned-sst-2-english")
    assert snap.revision and len(snap.revision) == 40
    assert "pytorch_model.bin" in {f.path for f in snap.files}
    assert not snap.has_hashes


def test_2022_listing_still_flags_the_mirror_pointer(corpora: Path) -> None:
    snap = load_dump(corpora / "hf-model-infos-cards-2022-02-saranscript" / "model_infos.jsonl.gz", "distilbert-base-uncased-finetuned-sst-2-english")
    cmp = compare_with_registry(build_manifest(corpora / MIRROR), snap)
    assert [c.path for c in cmp.pointers] == ["pytorch_model.bin"] and cmp.pointers[0].actual_sha256 == POINTER_OID
    assert ".gitattributes" not in cmp.removed and {"tf_model.h5", "rust_model.ot"} <= set(cmp.removed)
    assert "_SOURCE.json" in cmp.added


def test_2024_zip_dump(corpora: Path) -> None:
    import zipfile

    path = corpora / "hf-hub-models-2024-07" / "model_data_api" / "9.zip"
    first = json.loads(zipfile.ZipFile(path).read(zipfile.ZipFile(path).namelist()[0]))
    snap = load_dump(path, first["id"])
    assert snap.repo_id == first["id"] and [f.path for f in snap.files] == sorted(s["rfilename"] for s in first["siblings"])
    with pytest.raises(UsageError, match="--repo-id"):
        load_dump(path)


def test_mirror_pointer_against_registry_hash(corpora: Path, tmp_path: Path) -> None:
    """The real distilbert mirror holds only a pointer: the weights are missing, and the oid matches the listing."""
    folder = tmp_path / "distilbert"
    shutil.copytree(corpora / MIRROR, folder)
    (folder / "_SOURCE.json").unlink()
    local = {p.name: p.read_bytes() for p in folder.iterdir()}
    info = _files_metadata_info("distilbert-base-uncased-finetuned-sst-2-english", local, {"pytorch_model.bin": (POINTER_OID, 267844284)})
    cmp = compare_with_registry(build_manifest(folder), snapshot_from_model_info(info, source="test"))
    assert [c.path for c in cmp.pointers] == ["pytorch_model.bin"]
    assert not cmp.pointer_mismatches and not cmp.added and not cmp.removed
    assert not cmp.ok


def test_content_match_mismatch_added_removed(package: Path) -> None:
    data = (package / "model.safetensors").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    files = {"model.safetensors": data, "config.json": b"{}", "tokenizer.json": b"{}"}
    info = _files_metadata_info("org/m", files, {"model.safetensors": (sha, len(data))})
    cmp = compare_with_registry(build_manifest(package), snapshot_from_model_info(info, source="test"))
    assert cmp.matched == ("model.safetensors",)
    assert cmp.removed == ("tokenizer.json",) and set(cmp.added) == {"empty.txt", "sub/vocab.txt"}
    assert "config.json" in cmp.unverified  # no LFS sha256 for a small git file
    info = _files_metadata_info("org/m", files, {"model.safetensors": ("f" * 64, len(data))})
    assert [c.path for c in compare_with_registry(build_manifest(package), snapshot_from_model_info(info, source="t")).changed] == ["model.safetensors"]


def test_cli_against_registry_dump(package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {p.relative_to(package).as_posix(): p.read_bytes() for p in package.rglob("*") if p.is_file()}
    data = files["model.safetensors"]
    info = _files_metadata_info("org/m", files, {"model.safetensors": (hashlib.sha256(data).hexdigest(), len(data))})
    dump = tmp_path / "infos.jsonl.gz"
    with gzip.open(dump, "wt") as fh:
        fh.write(json.dumps({"id": "other/x", "siblings": []}) + "\n" + json.dumps(info) + "\n")
    assert main(["verify", str(package), "--against-registry", "--dump", str(dump), "--repo-id", "org/m"]) == 0
    out = capsys.readouterr().out
    assert "1 matched" in out and "not pinned" in out  # a plain folder is not tied to the listing's revision
    (package / "model.safetensors").write_bytes(data[:-1] + b"X")
    assert main(["verify", str(package), "--against-registry", "--dump", str(dump), "--repo-id", "org/m", "--format", "json"]) == 4
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["changed"] == ["model.safetensors"] and verdict["findings"]
    assert main(["verify", str(package), "--against-registry", "--dump", str(dump)]) == 2  # two models, none named


def test_bad_dumps(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(InputError, match="unreadable dump"):
        load_dump(bad)
    with pytest.raises(InputError, match="no such dump"):
        load_dump(tmp_path / "absent.json")
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"siblings": []}))
    with pytest.raises(InputError, match="no 'id'"):
        load_dump(one)


def test_cli_against_registry_counts_agree_for_pointers(package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pointer is counted once, as a pointer, in the summary line and in the listing (it was '0 changed' then '1 changed')."""
    data = (package / "model.safetensors").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    (package / "model.safetensors").write_text(f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n")
    files = {p.relative_to(package).as_posix(): p.read_bytes() for p in package.rglob("*") if p.is_file()}
    info = _files_metadata_info("org/m", files, {"model.safetensors": (sha, len(data))})
    dump = tmp_path / "info.jsonl.gz"
    with gzip.open(dump, "wt") as fh:
        fh.write(json.dumps(info) + "\n")
    assert main(["verify", str(package), "--against-registry", "--dump", str(dump), "--repo-id", "org/m"]) == 4
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "0 changed, 1 LFS pointer(s) without content" in text
    assert "1 changed" not in text and "1 LFS pointer(s) without content (model.safetensors)" in captured.err
    assert text.count("pointer  model.safetensors: content not downloaded") == 1
