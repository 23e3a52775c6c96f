"""Fixtures for attestation tests: a tiny package, EC keys and a small PKI built with ``cryptography``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest


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


@dataclass(frozen=True)
class Keys:
    private: Path
    public: Path


def make_keys(directory: Path, name: str) -> Keys:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    priv, pub = directory / f"{name}.pem", directory / f"{name}.pub.pem"
    priv.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return Keys(priv, pub)


@pytest.fixture
def vetter(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys", "vetter")


@pytest.fixture
def reviewer(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys", "reviewer")


@pytest.fixture
def mallory(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys", "mallory")


@dataclass(frozen=True)
class Pki:
    ca: Path
    leaf: Path
    leaf_key: Path
    other_ca: Path


def _name(cn: str):  # type: ignore[no-untyped-def]
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(directory: Path, cn: str):  # type: ignore[no-untyped-def]
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / f"{cn}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, path


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    """A root CA and a code-signing leaf for the vetting team, plus an unrelated root."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    d = tmp_path / "pki"
    d.mkdir()
    ca_key, ca_cert, ca_path = _ca(d, "vetting-root")
    _, _, other = _ca(d, "other-root")
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    leaf = (
        x509.CertificateBuilder().subject_name(_name("ml-review-board")).issuer_name(ca_cert.subject).public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name("review@example.org")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_path, key_path = d / "leaf.pem", d / "leaf.key.pem"
    leaf_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return Pki(ca=ca_path, leaf=leaf_path, leaf_key=key_path, other_ca=other)
