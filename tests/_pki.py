"""Throw-away keys, CAs and code-signing certificates for the signing tests (built with ``cryptography``).

One builder for every test that signs: the integrity, attestation and
end-to-end tests differ only in names and in which optional extensions the
certificates carry (a SAN e-mail identity, Authority/Subject Key Identifiers,
Key Usage), so those are parameters here. Everything is written as PEM files
under the directory given; nothing touches a network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Keys:
    """An EC P-256 key pair as PEM files."""

    private: Path
    public: Path


@dataclass(frozen=True)
class Ca:
    """A self-signed root: its key and certificate objects, and the PEM file of the certificate."""

    key: Any
    cert: Any
    path: Path


@dataclass(frozen=True)
class Pki:
    """A root, a code-signing leaf it issued (with its key), and an unrelated root."""

    ca: Path
    leaf: Path
    leaf_key: Path
    other_ca: Path


def _write_key(key: Any, path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization

    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


def make_keys(directory: Path, name: str) -> Keys:
    """``{name}.pem`` (private, PKCS#8) and ``{name}.pub.pem`` in ``directory``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pub = directory / f"{name}.pub.pem"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return Keys(_write_key(key, directory / f"{name}.pem"), pub)


def _key_usage(*, signing: bool) -> Any:
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=signing, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=not signing, crl_sign=not signing, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def make_ca(
    directory: Path,
    cn: str,
    *,
    org: str | None = None,
    ski: bool = True,
    key_usage: bool = False,
    not_before: dt.datetime | None = None,
    name: str | None = None,
) -> Ca:
    """A self-signed root valid for a year, written to ``{name or cn}.pem``.

    ``ski`` adds a Subject Key Identifier, ``key_usage`` a critical certificate-signing Key Usage.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    subject = x509.Name(attrs)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    )
    if key_usage:
        builder = builder.add_extension(_key_usage(signing=False), critical=True)
    if ski:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    path = directory / f"{name or cn}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Ca(key, cert, path)


def make_leaf(
    directory: Path,
    ca: Ca,
    *,
    cn: str = "model-publisher",
    email: str | None = None,
    code_signing: bool = True,
    aki: bool = True,
    key_usage: bool = False,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    name: str = "leaf",
) -> tuple[Path, Path]:
    """(certificate PEM, private key PEM) of an end-entity certificate issued by ``ca``, valid for 30 days.

    ``email`` adds it as the SAN identity; ``code_signing=False`` gives a TLS-server EKU instead;
    ``aki`` adds the Authority Key Identifier; ``key_usage`` a critical digital-signature Key Usage.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(hours=1))
        .not_valid_after(not_after or now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if key_usage:
        builder = builder.add_extension(_key_usage(signing=True), critical=True)
    if email is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    usage = ExtendedKeyUsageOID.CODE_SIGNING if code_signing else ExtendedKeyUsageOID.SERVER_AUTH
    builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if aki:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    cert = builder.sign(ca.key, hashes.SHA256())
    cert_path = directory / f"{name}.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, _write_key(key, directory / f"{name}.key.pem")


def make_pki(
    directory: Path,
    *,
    root_cn: str = "test-root",
    leaf_cn: str = "model-publisher",
    email: str | None = None,
    ski: bool = True,
    aki: bool = True,
    key_usage: bool = False,
) -> Pki:
    """A root (``ca.pem``), a code-signing leaf from it (``leaf.pem``, ``leaf.key.pem``) and an unrelated root
    (``other-ca.pem``), all in ``directory``.

    ``ski``/``key_usage`` shape the roots, ``email``/``aki``/``key_usage`` the leaf (see :func:`make_leaf`).
    """
    ca = make_ca(directory, root_cn, ski=ski, key_usage=key_usage, name="ca")
    other = make_ca(directory, "other-root", ski=ski, key_usage=key_usage, name="other-ca")
    leaf, leaf_key = make_leaf(directory, ca, cn=leaf_cn, email=email, aki=aki, key_usage=key_usage)
    return Pki(ca=ca.path, leaf=leaf, leaf_key=leaf_key, other_ca=other.path)
