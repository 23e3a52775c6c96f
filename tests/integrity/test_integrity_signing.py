"""Signing and verification through model_signing: each failure is a clear, typed verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _pki import Keys, Pki
from ptmvet.cli import main
from ptmvet.errors import InputError, UsageError
from ptmvet.integrity.errors import IntegrityMismatch, SignatureInvalid
from ptmvet.integrity.signing import read_signed_manifest, sign_model, signature_digests_match, verify_signature


def _flip_byte(path: Path, offset: int = 100) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        b = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([b[0] ^ 0x01]))


def test_key_signature_verifies_and_agrees_with_model_signing(package: Path, keys: Keys) -> None:
    import model_signing.verifying as ms_verifying

    result = sign_model(package, key=keys.private)
    assert result.signature == package / "model.sig" and result.files == 4
    ok = verify_signature(package, result.signature, key=keys.public)
    assert ok.files == 4 and ok.method == "key"
    # model_signing's own verifier accepts the same signature on the same folder.
    ms_verifying.Config().use_elliptic_key_verifier(public_key=keys.public).verify(package, result.signature)
    signed = read_signed_manifest(result.signature)
    assert "model.sig" in signed.ignore_paths and set(signed.files) == {"config.json", "empty.txt", "model.safetensors", "sub/vocab.txt"}


def test_tampered_byte(package: Path, keys: Keys) -> None:
    sig = sign_model(package, key=keys.private).signature
    _flip_byte(package / "model.safetensors")
    with pytest.raises(IntegrityMismatch) as info:
        verify_signature(package, sig, key=keys.public)
    assert [c.path for c in info.value.changed] == ["model.safetensors"]
    assert not info.value.added and not info.value.removed


def test_added_file(package: Path, keys: Keys) -> None:
    sig = sign_model(package, key=keys.private).signature
    (package / "payload.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(IntegrityMismatch) as info:
        verify_signature(package, sig, key=keys.public)
    assert info.value.added == ("payload.pkl",) and not info.value.changed and not info.value.removed


def test_removed_file(package: Path, keys: Keys) -> None:
    sig = sign_model(package, key=keys.private).signature
    (package / "sub" / "vocab.txt").unlink()
    with pytest.raises(IntegrityMismatch) as info:
        verify_signature(package, sig, key=keys.public)
    assert info.value.removed == ("sub/vocab.txt",)


def test_wrong_key(package: Path, keys: Keys, other_keys: Keys) -> None:
    sig = sign_model(package, key=keys.private).signature
    with pytest.raises(SignatureInvalid) as info:
        verify_signature(package, sig, key=other_keys.public)
    assert info.value.reason == "key-mismatch" and info.value.exit_code == 4


def test_forged_payload_is_a_bad_signature(package: Path, keys: Keys) -> None:
    import base64

    sig = sign_model(package, key=keys.private).signature
    bundle = json.loads(sig.read_text())
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    statement["predicate"]["resources"][0]["digest"] = "0" * 64
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    sig.write_text(json.dumps(bundle))
    with pytest.raises(SignatureInvalid) as info:
        verify_signature(package, sig, key=keys.public)
    assert info.value.reason in {"bad-signature", "malformed"}


def test_certificate_chain(package: Path, pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "model.sig"
    sign_model(package, key=pki.leaf_key, cert=pki.leaf, chain=[pki.ca], output=out)
    assert verify_signature(package, out, chain=[pki.ca]).method == "certificate"
    with pytest.raises(SignatureInvalid) as info:
        verify_signature(package, out, chain=[pki.other_ca])
    assert info.value.reason == "untrusted-certificate"


def test_malformed_signature_and_bad_inputs(package: Path, keys: Keys, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sig"
    junk.write_text("{not json")
    with pytest.raises(SignatureInvalid) as info:
        verify_signature(package, junk, key=keys.public)
    assert info.value.reason == "malformed"
    junk.write_text('{"mediaType": "x"}')
    with pytest.raises(SignatureInvalid):
        verify_signature(package, junk, key=keys.public)
    sig = sign_model(package, key=keys.private, output=tmp_path / "ok.sig").signature
    with pytest.raises(InputError):
        verify_signature(package, sig, key=keys.private)  # a private key where the public one belongs
    with pytest.raises(UsageError):
        verify_signature(package, sig)
    with pytest.raises(UsageError):
        sign_model(package)


def test_symlink_leaving_the_folder_refused(package: Path, keys: Keys, tmp_path: Path) -> None:
    from ptmvet.errors import UnsafePath

    (tmp_path / "outside").write_text("x")
    (package / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(UnsafePath):
        sign_model(package, key=keys.private)
    assert not (package / "model.sig").exists()


def test_unauthenticated_digest_check(package: Path, keys: Keys) -> None:
    sig = sign_model(package, key=keys.private).signature
    signed, differs = signature_digests_match(package, sig)
    assert differs == () and signed.signer_kind == "key"
    (package / "config.json").write_text("{}")
    assert signature_digests_match(package, sig)[1] == ("config.json",)


def test_cli_sign_and_verify(package: Path, keys: Keys, other_keys: Keys, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sign", str(package), "--key", str(keys.private)]) == 0
    sig = package / "model.sig"
    assert main(["verify", str(package), "--signature", str(sig), "--key", str(keys.public)]) == 0
    assert "verified (key)" in capsys.readouterr().out
    assert main(["verify", str(package), "--signature", str(sig), "--key", str(other_keys.public)]) == 4
    assert "different key" in capsys.readouterr().err
    cert_sig = tmp_path / "cert.sig"
    assert main(["sign", str(package), "--key", str(pki.leaf_key), "--cert", str(pki.leaf), "--chain", str(pki.ca), "-o", str(cert_sig)]) == 0
    assert main(["verify", str(package), "--signature", str(cert_sig), "--chain", str(pki.ca)]) == 0
    assert main(["verify", str(package), "--signature", str(cert_sig), "--chain", str(pki.other_ca)]) == 4
    (package / "extra.txt").write_text("added later")
    capsys.readouterr()
    assert main(["verify", str(package), "--signature", str(sig), "--key", str(keys.public), "--format", "json"]) == 4
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["ok"] is False and verdict["added"] == ["extra.txt"]


def test_signing_with_the_public_key_names_the_file_and_the_mix_up(package: Path, keys: Keys, tmp_path: Path) -> None:
    # Used to say only "cannot use the signing key or certificate: Valid PEM but no BEGIN/END delimiters ...".
    with pytest.raises(InputError) as err:
        sign_model(package, key=keys.public, output=tmp_path / "model.sig")
    assert str(keys.public) in err.value.message
    assert err.value.hint is not None and "public key" in err.value.hint
    assert not (tmp_path / "model.sig").exists()
