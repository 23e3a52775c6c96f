"""Fixtures for the integrity tests: a tiny package, EC keys and a small PKI (tests/_pki.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from _pki import Keys, Pki, make_keys, make_pki


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A small model folder: weights, config, a nested file, an empty file."""
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "model.safetensors").write_bytes(bytes(range(256)) * 4096 + b"tail")
    (root / "config.json").write_text('{"model_type": "bert"}\n')
    (root / "sub" / "vocab.txt").write_text("[PAD]\n[UNK]\nhello\n")
    (root / "empty.txt").write_bytes(b"")
    return root


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys", "signer")


@pytest.fixture
def other_keys(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys", "other")


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    """A root and a leaf with Key Usage, the code-signing EKU and an AKI but no SAN (what model_signing's verifier accepts)."""
    return make_pki(tmp_path / "pki", root_cn="test-root", leaf_cn="model-publisher", key_usage=True)
