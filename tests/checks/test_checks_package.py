"""Package-content checks (VET307, VET606, VET607) on real folders read by the local source, and on built evidence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vetkit import lfs_file, make_evidence, one

from ptmvet.checks import package as pk
from ptmvet.checks.interface import Check, Outcome, run_check
from ptmvet.evidence import Evidence, FileEntry, Symlink, Target
from ptmvet.sources.local import collect_folder

SAFETENSORS = b"\x08\x00\x00\x00\x00\x00\x00\x00{}      "  # an empty-but-valid header


def _pkg(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "pkg"
    root.mkdir()
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def _outcomes(check: Check, ev: Evidence) -> list[Outcome]:
    return [f.outcome for f in run_check(check, ev)]


# --- VET606 -----------------------------------------------------------------


def test_readable_weights_pass(tmp_path: Path) -> None:
    f = one(pk.weights_present_and_readable, collect_folder(_pkg(tmp_path, {"model.safetensors": SAFETENSORS, "config.json": b"{}"})))
    assert f.outcome is Outcome.PASS and f.details["weights"] == ["model.safetensors"]


def test_empty_weight_file_fails(tmp_path: Path) -> None:
    f = one(pk.weights_present_and_readable, collect_folder(_pkg(tmp_path, {"model.safetensors": b"", "config.json": b"{}"})))
    assert f.outcome is Outcome.FAIL and f.details["problems"] == [{"path": "model.safetensors", "reason": "empty (0 bytes)"}]


def test_lfs_pointer_instead_of_weights_fails() -> None:
    f = one(pk.weights_present_and_readable, make_evidence("# m\n", files=[lfs_file("model.safetensors", 5_000)]))
    assert f.outcome is Outcome.FAIL and "no readable weights" in f.message and "Git LFS pointer" in f.evidence[0]


def test_remote_listing_without_weights_fails_and_without_files_skips() -> None:
    target = Target(name="o/m", source="hub", repo_id="o/m")
    listed = Evidence(target=target, files=(FileEntry("README.md", 10, False), FileEntry("config.json", 2, False)))
    assert _outcomes(pk.weights_present_and_readable, listed) == [Outcome.FAIL]
    remote = Evidence(target=target, files=(FileEntry("model.safetensors", 10, False),))
    assert _outcomes(pk.weights_present_and_readable, remote) == [Outcome.SKIPPED]


# --- VET607 -----------------------------------------------------------------


def test_no_links_pass(tmp_path: Path) -> None:
    assert _outcomes(pk.symlinks_contained, collect_folder(_pkg(tmp_path, {"model.safetensors": SAFETENSORS}))) == [Outcome.PASS]


def test_link_inside_the_package_fails_below_an_escaping_one(tmp_path: Path) -> None:
    root = _pkg(tmp_path, {"model.safetensors": SAFETENSORS, "README.md": b"# m\n"})
    os.symlink("README.md", root / "card.md")
    (f,) = run_check(pk.symlinks_contained, collect_folder(root))
    assert f.outcome is Outcome.FAIL and f.details["inside"][0]["path"] == "card.md"
    assert "cp -rL" in f.remedy


def test_escaping_and_dangling_links_fail_separately() -> None:
    links = (Symlink("out.txt", "/etc/hostname", inside=False), Symlink("ghost.bin", "nothing", inside=True, dangling=True))
    ev = Evidence(target=Target(name="m", source="local"), files=(FileEntry("model.safetensors", 10, True),), symlinks=links)
    findings = run_check(pk.symlinks_contained, ev)
    assert [f.outcome for f in findings] == [Outcome.FAIL, Outcome.FAIL]
    assert "outside the package" in findings[0].message and "point at nothing" in findings[1].message


def test_cache_blob_links_are_the_caches_own_layout() -> None:
    blob = Symlink("model.safetensors", "../../blobs/" + "a" * 64, inside=True, cache_blob=True)
    ev = Evidence(target=Target(name="m", source="hf-cache"), files=(FileEntry("model.safetensors", 10, True),), symlinks=(blob,))
    assert _outcomes(pk.symlinks_contained, ev) == [Outcome.PASS]


# --- VET307 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "words"),
    [
        (["Model.safetensors", "model.safetensors"], "differ only by case"),
        (["nul.txt"], "reserved device name"),
        (["a:b.json"], "cannot store"),
        (["trailing. "], "space or dot"),
    ],
)
def test_names_other_file_systems_cannot_store(names: list[str], words: str) -> None:
    ev = Evidence(target=Target(name="m", source="local"), files=tuple(FileEntry(n, 1, True) for n in names))
    (f,) = run_check(pk.file_names_portable, ev)
    assert f.outcome is Outcome.FAIL and words in f.evidence[0]


def test_non_utf8_names_fail_and_plain_names_pass() -> None:
    odd = Evidence(target=Target(name="m", source="local"), files=(FileEntry("model.safetensors", 1, True),), odd_names=("caf\\xe9.txt",))
    assert _outcomes(pk.file_names_portable, odd) == [Outcome.FAIL]
    plain = Evidence(target=Target(name="m", source="local"), files=(FileEntry("sub/model.safetensors", 1, True),))
    assert _outcomes(pk.file_names_portable, plain) == [Outcome.PASS]
    assert _outcomes(pk.file_names_portable, Evidence(target=Target(name="m", source="local"))) == [Outcome.SKIPPED]
