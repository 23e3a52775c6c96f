"""Fixtures for attestation tests: a tiny package, EC keys and a small PKI (tests/_pki.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from _pki import Keys, Pki, make_keys, make_pki


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A small model folder in Hub layout: card, config, weights, a nested file."""
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: org/base\n---\n# tiny\n\nDeveloped by Example Org.\n")
    (root / "config.json").write_text('{"model_type": "bert"}\n')
    (root / "model.safetensors").write_bytes(b'\x08\x00\x00\x00\x00\x00\x00\x00{}      ' + bytes(range(256)) * 8)
    (root / "sub" / "vocab.txt").write_text("[PAD]\n[UNK]\nhello\n")
    return root


@pytest.fixture
def vetter(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys", "vetter")


@pytest.fixture
def reviewer(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys", "reviewer")


@pytest.fixture
def mallory(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys", "mallory")


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    """A root CA and a code-signing leaf for the vetting team (SAN e-mail identity, no AKI), plus an unrelated root."""
    return make_pki(tmp_path / "pki", root_cn="vetting-root", leaf_cn="ml-review-board", email="review@example.org", ski=False, aki=False)
