"""Signatures that mean something: identity and issuer, certificate validity and usage, symlinks, unsigned dotfiles.

Keys and certificates are built for each test by tests/_pki.py; nothing
touches a network.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from _pki import Ca, make_ca, make_keys, make_leaf

pytest.importorskip("model_signing")
pytest.importorskip("OpenSSL")  # model_signing's certificate verifier needs pyopenssl

from ptmvet.cli import main
from ptmvet.errors import InputError, UsageError
from ptmvet.integrity.errors import IntegrityMismatch, SignatureInvalid
from ptmvet.integrity.signing import sign_model, verify_signature

NOW = dt.datetime.now(dt.UTC)


def _ca(d: Path, cn: str, org: str = "Test Org") -> Ca:
    # Valid from ten days back, so a signature can be checked "yesterday" against a leaf not yet valid then.
    return make_ca(d, cn, org=org, not_before=NOW - dt.timedelta(days=10))


def _leaf(d: Path, ca: Ca, *, email: str = "publisher@example.org", **kw: Any) -> tuple[Path, Path]:
    """(certificate PEM, private key PEM) of a signing certificate issued by ``ca`` (SAN e-mail, AKI)."""
    return make_leaf(d, ca, email=email, **kw)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "model.safetensors").write_bytes(b"weights" * 100)
    (root / "config.json").write_text('{"model_type": "bert"}\n', encoding="utf-8")
    (root / "README.md").write_text("# a model\n", encoding="utf-8")
    return root


@pytest.fixture
def ca(tmp_path: Path) -> Ca:
    d = tmp_path / "pki"
    d.mkdir()
    return _ca(d, "Test Root")


def _signed(pkg: Path, ca: Ca, **leaf: Any) -> Path:
    cert, key = _leaf(pkg.parent / "pki", ca, **leaf)
    return sign_model(pkg, key=key, cert=cert, chain=[ca.path]).signature


def test_identity_and_issuer_are_enforced(pkg: Path, ca: Ca) -> None:
    sig = _signed(pkg, ca)
    ok = verify_signature(pkg, sig, chain=[ca.path], identity="publisher@example.org", issuer="Test Root")
    assert ok.identities[0] == "publisher@example.org" and ok.issuer is not None and "Test Root" in ok.issuer
    with pytest.raises(SignatureInvalid) as exc:
        verify_signature(pkg, sig, chain=[ca.path], identity="someone@else.org")
    assert exc.value.reason == "identity-mismatch"
    assert "issued to publisher@example.org, model-publisher, not someone@else.org" in exc.value.message
    with pytest.raises(SignatureInvalid) as exc:
        verify_signature(pkg, sig, chain=[ca.path], issuer="Other CA")
    assert exc.value.reason == "issuer-mismatch"
    assert verify_signature(pkg, sig, chain=[ca.path], issuer="Test Org").files == 3


def test_identity_with_a_bare_key_is_a_usage_error(pkg: Path, tmp_path: Path) -> None:
    keys = make_keys(tmp_path, "k")
    sig = sign_model(pkg, key=keys.private).signature
    with pytest.raises(UsageError):
        verify_signature(pkg, sig, key=keys.public, identity="publisher@example.org")


@pytest.mark.parametrize(
    ("leaf", "reason", "words"),
    [
        ({"not_before": NOW - dt.timedelta(days=5), "not_after": NOW - dt.timedelta(days=1)}, "certificate-expired", "expired on"),
        ({"not_before": NOW + dt.timedelta(days=1), "not_after": NOW + dt.timedelta(days=9)}, "certificate-not-yet-valid", "not yet valid"),
        ({"code_signing": False}, "certificate-usage", "does not allow code signing"),
    ],
)
def test_bad_certificates_refused_at_sign_and_verify(pkg: Path, ca: Ca, leaf: dict[str, Any], reason: str, words: str, tmp_path: Path) -> None:
    cert, key = _leaf(tmp_path / "pki", ca, **leaf)
    with pytest.raises(InputError) as refused:
        sign_model(pkg, key=key, cert=cert, chain=[ca.path])
    assert words in refused.value.message and "refusing to sign" in refused.value.message
    assert not (pkg / "model.sig").exists()
    assert main(["sign", str(pkg), "--key", str(key), "--cert", str(cert), "--chain", str(ca.path)]) == 3
    # A signature made while the certificate was fine, checked on a day it is not.
    good_cert, good_key = _leaf(tmp_path / "pki", ca, name="good", code_signing=leaf.get("code_signing", True))
    if leaf.get("code_signing", True):
        sig = sign_model(pkg, key=good_key, cert=good_cert, chain=[ca.path]).signature
        when = NOW + dt.timedelta(days=60) if reason == "certificate-expired" else NOW - dt.timedelta(days=1)
        with pytest.raises(SignatureInvalid) as exc:
            verify_signature(pkg, sig, chain=[ca.path], now=when)
        assert exc.value.reason == reason and words in exc.value.message


def test_certificate_without_code_signing_refused_at_verify(pkg: Path, ca: Ca, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    # Sign with a good certificate, then swap the bundle's leaf for one without the usage:
    # the verifier must refuse it before (and whatever) model_signing decides.
    sig = _signed(pkg, ca)
    bad_cert, _ = _leaf(tmp_path / "pki", ca, code_signing=False, name="tls")
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    der = x509.load_pem_x509_certificate(bad_cert.read_bytes()).public_bytes(serialization.Encoding.DER)
    bundle = json.loads(sig.read_text(encoding="utf-8"))
    import base64

    bundle["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"] = base64.b64encode(der).decode()
    forged = tmp_path / "forged.sig"
    forged.write_text(json.dumps(bundle), encoding="utf-8")
    shutil.copy(forged, pkg.parent / "forged-copy.sig")
    with pytest.raises(SignatureInvalid) as exc:
        verify_signature(pkg, forged, chain=[ca.path])
    assert exc.value.reason == "certificate-usage"
    assert main(["verify", str(pkg), "--signature", str(forged), "--chain", str(ca.path)]) == 4
    assert "does not allow code signing" in capsys.readouterr().err


def test_cli_identity_mismatch_exits_4(pkg: Path, ca: Ca, capsys: pytest.CaptureFixture[str]) -> None:
    sig = _signed(pkg, ca)
    assert main(["verify", str(pkg), "--signature", str(sig), "--chain", str(ca.path), "--identity", "someone@else.org"]) == 4
    assert "not someone@else.org" in capsys.readouterr().err
    assert main(["verify", str(pkg), "--signature", str(sig), "--chain", str(ca.path), "--identity", "publisher@example.org"]) == 0
    assert "signer: publisher@example.org" in capsys.readouterr().out


def _key_signed(pkg: Path, tmp_path: Path) -> tuple[Path, Path]:
    keys = make_keys(tmp_path, "signer")
    return sign_model(pkg, key=keys.private).signature, keys.public


SYMLINK_EDITS = {
    "added-inside": lambda p: os.symlink("model.safetensors", p / "extra.safetensors"),
    "added-outside": lambda p: os.symlink("/etc/hostname", p / "hostname.txt"),
    "added-dangling": lambda p: os.symlink("nothing-here", p / "ghost.bin"),
    "added-file": lambda p: (p / "new.txt").write_text("new\n", encoding="utf-8"),
    "renamed": lambda p: (p / "config.json").rename(p / "config2.json"),
    "removed": lambda p: (p / "README.md").unlink(),
}


@pytest.mark.parametrize("edit", sorted(SYMLINK_EDITS))
def test_changes_after_signing_fail_verification(pkg: Path, tmp_path: Path, edit: str) -> None:
    sig, pub = _key_signed(pkg, tmp_path)
    assert verify_signature(pkg, sig, key=pub).files == 3
    SYMLINK_EDITS[edit](pkg)
    with pytest.raises(IntegrityMismatch):
        verify_signature(pkg, sig, key=pub)


def test_repointed_symlink_fails_verification(pkg: Path, tmp_path: Path) -> None:
    (pkg / "a.txt").write_text("a\n", encoding="utf-8")
    (pkg / "b.txt").write_text("b\n", encoding="utf-8")
    os.symlink("a.txt", pkg / "current.txt")
    sig, pub = _key_signed(pkg, tmp_path)
    assert verify_signature(pkg, sig, key=pub).files == 6
    (pkg / "current.txt").unlink()
    os.symlink("b.txt", pkg / "current.txt")
    with pytest.raises(IntegrityMismatch) as exc:
        verify_signature(pkg, sig, key=pub)
    assert [c.path for c in exc.value.changed] == ["current.txt"]


def test_dotfiles_are_signed_or_listed_unsigned(pkg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / ".gitattributes").write_text("*.safetensors filter=lfs\n", encoding="utf-8")
    (pkg / ".hidden-config").write_text("x\n", encoding="utf-8")
    sig, pub = _key_signed(pkg, tmp_path)
    result = verify_signature(pkg, sig, key=pub)
    assert ".gitattributes" in result.unsigned and "model.sig" in result.unsigned
    (pkg / ".hidden-config").write_text("changed\n", encoding="utf-8")  # other dotfiles are signed
    with pytest.raises(IntegrityMismatch):
        verify_signature(pkg, sig, key=pub)
    (pkg / ".hidden-config").write_text("x\n", encoding="utf-8")
    assert main(["verify", str(pkg), "--signature", str(sig), "--key", str(pub)]) == 0
    assert "unsigned .gitattributes: not covered by the signature" in capsys.readouterr().out
