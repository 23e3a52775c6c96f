"""Manifests: digests identical to model_signing's, deterministic JSON, .git skipped, no escaping symlinks."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from ptmvet.cli import main
from ptmvet.errors import InputError
from ptmvet.integrity.errors import IntegrityMismatch
from ptmvet.integrity.manifest import build_manifest, diff_manifests, read_manifest, write_manifest


def test_digests_equal_model_signing(package: Path) -> None:
    import model_signing.hashing as ms_hashing

    (package / ".gitattributes").write_text("*.safetensors filter=lfs\n")
    ours = build_manifest(package).digests()
    theirs = {
        rd.identifier: rd.digest.digest_hex
        for rd in ms_hashing.Config().set_ignored_paths(paths=[], ignore_git_paths=False).hash(package).resource_descriptors()
    }
    assert ours == theirs
    assert ours["model.safetensors"] == hashlib.sha256((package / "model.safetensors").read_bytes()).hexdigest()
    assert ours["empty.txt"] == hashlib.sha256(b"").hexdigest()


def test_large_file_spans_several_buffers(tmp_path: Path) -> None:
    from ptmvet.integrity import manifest as mod

    data = os.urandom(mod.BUFFER_SIZE * 2 + 12345)
    (tmp_path / "big.bin").write_bytes(data)
    m = build_manifest(tmp_path, workers=3)
    assert m.entries[0].sha256 == hashlib.sha256(data).hexdigest()
    assert m.entries[0].size == len(data)


def test_json_is_deterministic_and_sorted(package: Path, tmp_path: Path) -> None:
    first = build_manifest(package, workers=1).to_json()
    second = build_manifest(package, workers=4).to_json()
    assert first == second
    data = json.loads(first)
    assert data["kind"] == "ptmvet-manifest" and data["schema_version"] == 1
    assert list(data) == ["kind", "schema_version", "model", "hash_algorithm", "file_count", "total_size", "files", "skipped"]
    paths = [f["path"] for f in data["files"]]
    assert paths == sorted(paths) == ["config.json", "empty.txt", "model.safetensors", "sub/vocab.txt"]
    out = tmp_path / "m.json"
    write_manifest(build_manifest(package), out)
    assert out.read_text() == first
    assert read_manifest(out) == build_manifest(package)


def test_git_folder_skipped_and_symlink_out_not_followed(package: Path, tmp_path: Path) -> None:
    (package / ".git").mkdir()
    (package / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    (package / "leak.txt").symlink_to(secret)
    (package / "alias.json").symlink_to(package / "config.json")
    m = build_manifest(package)
    paths = {e.path for e in m.entries}
    assert ".git/HEAD" not in paths
    assert "leak.txt" not in paths
    assert m.digests()["alias.json"] == m.digests()["config.json"]
    assert any(p.path == "leak.txt" and "leaves the model folder" in p.message for p in m.problems)
    assert json.loads(m.to_json())["skipped"][0]["path"] == "leak.txt"


def test_lfs_pointer_recorded(tmp_path: Path) -> None:
    oid = "a" * 64
    (tmp_path / "pytorch_model.bin").write_text(f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 1234\n")
    entry = build_manifest(tmp_path).entries[0]
    assert entry.lfs_pointer is not None and entry.lfs_pointer.oid == oid and entry.lfs_pointer.size == 1234
    assert json.loads(build_manifest(tmp_path).to_json())["files"][0]["lfs_pointer"] == {"oid": oid, "size": 1234}


def test_diff_lists_changed_added_removed(package: Path) -> None:
    before = build_manifest(package)
    (package / "config.json").write_text('{"model_type": "gpt2"}\n')
    (package / "new.bin").write_bytes(b"x")
    (package / "empty.txt").unlink()
    diff = diff_manifests(before, build_manifest(package))
    assert [c.path for c in diff.changed] == ["config.json"]
    assert diff.added == ("new.bin",) and diff.removed == ("empty.txt",)
    with pytest.raises(IntegrityMismatch) as info:
        diff.raise_for("pkg")
    assert info.value.exit_code == 4
    assert "changed  config.json" in info.value.listing() and "removed  empty.txt" in info.value.listing()


@pytest.mark.parametrize(
    "content, problem",
    [
        ("not json", "invalid JSON"),
        ('{"kind": "other"}', "not a ptmvet manifest"),
        ('{"kind": "ptmvet-manifest", "schema_version": 99, "files": []}', "schema version 99"),
        ('{"kind": "ptmvet-manifest", "schema_version": 1, "files": [{"path": "../x", "size": 1, "sha256": "' + "0" * 64 + '"}]}', "invalid path"),
        ('{"kind": "ptmvet-manifest", "schema_version": 1, "files": [{"path": "x", "size": -1, "sha256": "' + "0" * 64 + '"}]}', "invalid size"),
        ('{"kind": "ptmvet-manifest", "schema_version": 1, "files": [{"path": "x", "size": 1, "sha256": "zz"}]}', "invalid sha256"),
    ],
)
def test_malformed_manifest_is_an_input_error(tmp_path: Path, content: str, problem: str) -> None:
    p = tmp_path / "m.json"
    p.write_text(content)
    with pytest.raises(InputError, match=problem):
        read_manifest(p)


def test_cli_manifest_and_verify(package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "manifest.json"
    assert main(["manifest", str(package), "--output", str(out)]) == 0
    assert main(["verify", str(package), "--manifest", str(out)]) == 0
    assert "OK: 4 file(s) match" in capsys.readouterr().out
    with (package / "model.safetensors").open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\xff")
    assert main(["verify", str(package), "--manifest", str(out)]) == 4
    captured = capsys.readouterr()
    assert "changed  model.safetensors" in captured.out
    assert "1 changed (model.safetensors)" in captured.err
    assert main(["manifest", str(tmp_path / "absent")]) == 3


def test_a_link_out_of_the_package_added_after_the_manifest_fails_verify(package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # verify --manifest used to say "OK: N file(s) match" beside a new link to a file outside the package.
    man = tmp_path / "m.json"
    assert main(["manifest", str(package), "-o", str(man)]) == 0
    outside = tmp_path / "secret.txt"
    outside.write_text("not the model's\n")
    (package / "notes.txt").symlink_to(outside)
    d = diff_manifests(read_manifest(man), build_manifest(package))
    assert not d.ok and d.added == ("notes.txt",)
    capsys.readouterr()
    assert main(["verify", str(package), "--manifest", str(man)]) == 4
    assert "notes.txt" in capsys.readouterr().out
