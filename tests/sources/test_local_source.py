"""The local folder and HF cache sources, and their errors on bad input."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest

from ptmvet.errors import InputError, ModelNotFound, RevisionNotFound, UsageError
from ptmvet.ref import ModelRef
from ptmvet.sources import collect
from ptmvet.sources.local import read_lfs_pointer, safetensors_header

POINTER = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"ab" * 32 + b"\nsize 438000000\n"


def _safetensors(path: Path, tensors: dict[str, list[int]]) -> None:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape in tensors.items():
        n = 4
        for d in shape:
            n *= d
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)


def make_model(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text("---\r\nlicense: mit\r\ndatasets: imdb\r\n---\r\n# Card\r\n\r\n## Uses\r\nText.\r\n")
    (root / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 8}))
    _safetensors(root / "model.safetensors", {"a": [2, 3], "b": [4]})
    (root / "pytorch_model.bin").write_bytes(POINTER)
    (root / "LICENSE").write_text("MIT License\n")
    return root


def test_folder_source_collects_card_config_headers_and_pointers(tmp_path: Path) -> None:
    ev = collect(make_model(tmp_path / "m"))
    assert ev.target.source == "local" and ev.target.revision is None and not ev.target.pinned
    assert ev.card is not None and ev.card.metadata["license"] == "mit"
    assert ev.card.meta_list("datasets") == ("imdb",)
    assert ev.config["model_type"] == "bert"
    assert ev.safetensors[0].parameters == 10 and ev.safetensors[0].tensors == 2 and ev.safetensors[0].error is None
    ptr = ev.file("pytorch_model.bin")
    assert ptr is not None and ptr.lfs_pointer is not None and ptr.lfs_pointer.size == 438000000
    assert "LICENSE" in ev.license_texts
    assert not ev.problems


def test_lfs_pointer_parsing_rejects_lookalikes() -> None:
    assert read_lfs_pointer(POINTER) is not None
    assert read_lfs_pointer(b"version https://git-lfs.github.com/spec/v1\noid sha256:short\nsize 1\n") is None
    assert read_lfs_pointer(b"hello") is None
    not_hex = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"g" * 64 + b"\nsize 1\n"
    assert read_lfs_pointer(not_hex) is None
    upper = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"AB" * 32 + b"\nsize 1\n"
    assert read_lfs_pointer(upper) == read_lfs_pointer(upper.lower())


def test_truncated_safetensors_header_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "bad.safetensors"
    p.write_bytes(struct.pack("<Q", 10_000) + b"{}")
    info = safetensors_header(p, "bad.safetensors")
    assert info.error is not None and "exceeds" in info.error


def test_missing_path_and_empty_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="no such file"):
        collect(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty"):
        collect(tmp_path / "empty")


def test_symlink_outside_the_folder_is_not_followed(tmp_path: Path) -> None:
    root = make_model(tmp_path / "m")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    os.symlink(secret, root / "escape.txt")
    ev = collect(root)
    assert ev.file("escape.txt") is None
    assert any("leaves the model folder" in p.message for p in ev.problems)


def test_binary_readme_and_huge_readme_become_problems(tmp_path: Path) -> None:
    root = make_model(tmp_path / "m")
    (root / "README.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    ev = collect(root)
    assert ev.card is None
    assert any(p.path == "README.md" and "binary" in p.message for p in ev.problems)
    with (root / "README.md").open("wb") as fh:
        fh.truncate(6 * 1024 * 1024)
        fh.seek(0)
        fh.write(b"# big")
    ev = collect(root)
    assert any(p.path == "README.md" and "larger than" in p.message for p in ev.problems)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_in_the_folder_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    from ptmvet.integrity.manifest import build_manifest

    root = make_model(tmp_path / "m")
    (root / "pytorch_model.bin").unlink()
    os.mkfifo(root / "pytorch_model.bin")  # opening it for reading would block forever
    ev = collect(root)
    assert ev.file("pytorch_model.bin") is None
    assert any(p.path == "pytorch_model.bin" and "regular file" in p.message for p in ev.problems)
    manifest = build_manifest(root)
    assert "pytorch_model.bin" not in manifest.by_path()
    assert "README.md" in manifest.by_path()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    root = make_model(tmp_path / "m")
    (root / "config.json").chmod(0)
    ev = collect(root)
    assert any(p.path == "config.json" for p in ev.problems)


def _cache(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "hf" / "hub" / "models--org--name"
    sha = "0123456789abcdef0123456789abcdef01234567"
    make_model(repo / "snapshots" / sha)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(sha)
    return repo, sha


def test_cache_resolves_refs_main_and_sha_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, sha = _cache(tmp_path)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    ev = collect("org/name", offline=True)
    assert ev.target.source == "hf-cache" and ev.target.revision == sha
    assert ev.target.requested_revision == "main" and not ev.target.pinned
    ev2 = collect(f"org/name@{sha}", offline=True)
    assert ev2.target.pinned
    ev3 = collect("org/name@0123456", offline=True)
    assert ev3.target.revision == sha
    with pytest.raises(RevisionNotFound, match="no such revision"):
        collect("org/name@v9", offline=True)
    with pytest.raises(ModelNotFound, match="not in the Hugging Face cache"):
        collect("org/other", offline=True)


def test_model_ref_parsing(tmp_path: Path) -> None:
    assert ModelRef.parse("org/name@abc").revision == "abc"
    assert ModelRef.parse(str(tmp_path)).is_local
    with pytest.raises(UsageError):
        ModelRef.parse("  ")
    with pytest.raises(UsageError):
        ModelRef.parse("not a/valid id!")


def test_generic_folder_names_take_the_card_title(tmp_path: Path) -> None:
    root = make_model(tmp_path / "model")
    (root / "README.md").write_text("# tiny-bert-sst2\n\nA card.\n")
    assert collect(root).target.name == "tiny-bert-sst2"
    (root / "README.md").unlink()
    assert collect(root).target.name == tmp_path.name
    named = make_model(tmp_path / "my-model")
    assert collect(named).target.name == "my-model"
