"""DSSE envelopes for vetting attestations, through ``securesystemslib``.

Signing keys are the kinds ``ptmvet sign`` takes: a PEM private key (EC
P-256/P-384/P-521; Ed25519 and RSA also work), optionally with its signing
certificate and the intermediate certificates, which then travel in the
signature entry (``"certificates"``, PEM, leaf first) so that a verifier who
trusts only the root CA can check them. Several signers may sign one envelope
(:func:`add_signature`); each signature entry is keyed by the SSlib key id of
the signer's public key.

Verification (:func:`verify_envelope`) accepts a signature when its key is one
of the trusted public keys, or when its certificate chains to a trusted CA and
allows signing; the cryptographic check is ``securesystemslib``'s. A signature
that names a trusted key but does not verify fails the whole envelope: it
means the payload changed after that signer signed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ptmvet.attest.statement import PAYLOAD_TYPE, canonical_json
from ptmvet.errors import DependencyMissing, InputError, UsageError
from ptmvet.integrity.errors import SignatureInvalid

#: Attestations are a few hundred bytes per file; refuse absurd ones.
ENVELOPE_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Signer:
    """A verified signer of an envelope."""

    keyid: str
    kind: str  # "key" or "certificate"
    identities: tuple[str, ...]  # key id; or the certificate's subject CN and SAN e-mails/URIs/DNS names
    issuer: str | None = None  # the certificate's issuer (CN or full name)

    def to_dict(self) -> dict[str, Any]:
        return {"keyid": self.keyid, "kind": self.kind, "identities": list(self.identities), "issuer": self.issuer}


def _sslib() -> Any:
    try:
        from securesystemslib import dsse
    except ImportError as exc:
        raise DependencyMissing("securesystemslib", "vetting attestations") from exc
    return dsse


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: {what} not found", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})", path=str(path)) from exc


def _private_key(path: Path, password: str | None) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data = _read(path, "private key")
    try:
        return load_pem_private_key(data, password=password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path}: not a usable PEM private key ({exc})", path=str(path), hint="give a PEM (PKCS#8) EC private key; --password-env for an encrypted one") from exc


def _certificates(paths: Sequence[Path]) -> list[Any]:
    from cryptography import x509

    out: list[Any] = []
    for p in paths:
        data = _read(p, "certificate")
        try:
            out += x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            raise InputError(f"{p}: not a PEM certificate ({exc})", path=str(p)) from exc
    return out


def _crypto_signer(key: Path, cert: Path | None, chain: Sequence[Path], password: str | None) -> tuple[Any, dict[str, Any]]:
    from cryptography.hazmat.primitives.serialization import Encoding
    from securesystemslib.signer import CryptoSigner, SSlibKey

    private = _private_key(key, password)
    try:
        public = SSlibKey.from_crypto(private.public_key())
        signer = CryptoSigner(private, public)
    except ValueError as exc:
        raise InputError(f"{key}: unsupported key ({exc})", path=str(key)) from exc
    extra: dict[str, Any] = {}
    if cert is not None:
        certs = _certificates([cert, *chain])
        if certs[0].public_key() != private.public_key():
            raise UsageError(f"{cert}: the certificate is not for the key {key}")
        extra["certificates"] = [c.public_bytes(Encoding.PEM).decode("ascii") for c in certs]
    elif chain:
        raise UsageError("--chain needs --cert, the signing certificate")
    return signer, extra


def sign_statement(
    statement: Mapping[str, Any], *, key: Path, cert: Path | None = None, chain: Sequence[Path] = (), password: str | None = None
) -> dict[str, Any]:
    """A new DSSE envelope (dict) over the statement, signed once."""
    dsse = _sslib()
    signer, extra = _crypto_signer(key, cert, chain, password)
    envelope = dsse.Envelope(payload=canonical_json(statement), payload_type=PAYLOAD_TYPE, signatures={})
    sig = envelope.sign(signer)
    sig.unrecognized_fields.update(extra)
    out: dict[str, Any] = envelope.to_dict()
    return out


def add_signature(
    envelope: Mapping[str, Any], *, key: Path, cert: Path | None = None, chain: Sequence[Path] = (), password: str | None = None
) -> dict[str, Any]:
    """The envelope with one more signature over the same payload (a second reviewer)."""
    dsse = _sslib()
    env = _parse(envelope, where="the attestation")
    signer, extra = _crypto_signer(key, cert, chain, password)
    if signer.public_key.keyid in env.signatures:
        raise UsageError(f"the attestation is already signed by this key ({signer.public_key.keyid[:16]}...)")
    sig = env.sign(signer)
    sig.unrecognized_fields.update(extra)
    assert isinstance(env, dsse.Envelope)
    out: dict[str, Any] = env.to_dict()
    return out


def read_envelope(path: Path) -> dict[str, Any]:
    """The envelope JSON of a file; unreadable -> InputError, not an envelope -> SignatureInvalid."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such attestation file", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})", path=str(path)) from exc
    if size > ENVELOPE_MAX_BYTES:
        raise SignatureInvalid(f"{path}: larger than {ENVELOPE_MAX_BYTES} bytes", signature=str(path), reason="malformed")
    try:
        data = json.loads(_read(path, "attestation").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SignatureInvalid(f"{path}: not a DSSE envelope (invalid JSON: {exc})", signature=str(path), reason="malformed") from exc
    if not isinstance(data, dict):
        raise SignatureInvalid(f"{path}: not a DSSE envelope", signature=str(path), reason="malformed")
    return data


def _parse(envelope: Mapping[str, Any], *, where: str) -> Any:
    dsse = _sslib()
    if not isinstance(envelope.get("signatures"), list) or not all(isinstance(s, dict) for s in envelope["signatures"]):
        raise SignatureInvalid(f"{where}: the envelope has no signature list", signature=where, reason="malformed")
    try:
        # from_dict rewrites the signature entries in place; give it a copy.
        return dsse.Envelope.from_dict(json.loads(json.dumps(envelope)))
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise SignatureInvalid(f"{where}: malformed DSSE envelope ({type(exc).__name__}: {exc})", signature=where, reason="malformed") from exc


def payload_of(envelope: Mapping[str, Any], *, where: str) -> Any:
    """The decoded payload (the statement), NOT authenticated."""
    if envelope.get("payloadType") != PAYLOAD_TYPE:
        raise SignatureInvalid(f"{where}: payload type {envelope.get('payloadType')!r}, expected {PAYLOAD_TYPE}", signature=where, reason="malformed")
    try:
        return json.loads(base64.b64decode(str(envelope.get("payload", "")), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise SignatureInvalid(f"{where}: the payload is not base64 JSON ({exc})", signature=where, reason="malformed") from exc


def _public_keys(paths: Sequence[Path]) -> list[Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
    from securesystemslib.signer import SSlibKey

    out = []
    for p in paths:
        data = _read(p, "public key")
        pub: Any
        try:
            if b"CERTIFICATE" in data:
                pub = x509.load_pem_x509_certificate(data).public_key()
            elif b"PRIVATE KEY" in data:
                pub = load_pem_private_key(data, password=None).public_key()
            else:
                pub = load_pem_public_key(data)
            out.append(SSlibKey.from_crypto(pub))
        except (ValueError, TypeError) as exc:
            raise InputError(f"{p}: not a PEM public key ({exc})", path=str(p)) from exc
    return out


def _name_text(name: Any) -> str:
    from cryptography.x509.oid import NameOID

    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cns[0].value) if cns else name.rfc4514_string()


def _cert_identities(cert: Any) -> tuple[str, ...]:
    from cryptography import x509

    ids: list[str] = [_name_text(cert.subject), cert.subject.rfc4514_string()]
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        for kind in (x509.RFC822Name, x509.UniformResourceIdentifier, x509.DNSName):
            ids += [str(v) for v in san.get_values_for_type(kind)]
    except x509.ExtensionNotFound:
        pass
    return tuple(dict.fromkeys(ids))


def _check_chain(pems: Sequence[str], cas: Sequence[Any], at: datetime | None) -> Any:
    """The leaf certificate, once it chains to a trusted CA and may sign; else SignatureInvalid."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from OpenSSL import crypto

    try:
        certs = [x509.load_pem_x509_certificate(p.encode("ascii")) for p in pems]
    except (ValueError, UnicodeEncodeError, AttributeError) as exc:
        raise SignatureInvalid(f"a signature carries a malformed certificate ({exc})", signature="", reason="malformed") from exc
    store = crypto.X509Store()
    for ca in cas:
        store.add_cert(crypto.X509.from_cryptography(ca))
    if at is not None:
        store.set_time(at.replace(tzinfo=None))
    leaf = certs[0]
    try:
        crypto.X509StoreContext(store, crypto.X509.from_cryptography(leaf), [crypto.X509.from_cryptography(c) for c in certs[1:]]).verify_certificate()
    except crypto.X509StoreContextError as exc:
        raise SignatureInvalid(
            f"the signing certificate {_name_text(leaf.subject)!r} does not chain to a trusted CA ({exc})", signature="", reason="untrusted-certificate"
        ) from exc
    may_sign = False
    with contextlib.suppress(x509.ExtensionNotFound):
        may_sign = bool(leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature)
    try:
        eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        may_sign = may_sign or ExtendedKeyUsageOID.CODE_SIGNING in eku
    except x509.ExtensionNotFound:
        pass
    if not may_sign:
        raise SignatureInvalid(f"the certificate {_name_text(leaf.subject)!r} does not allow code signing", signature="", reason="certificate-usage")
    return leaf


def verify_envelope(
    envelope: Mapping[str, Any],
    *,
    keys: Sequence[Path] = (),
    cas: Sequence[Path] = (),
    where: str = "the attestation",
    at: datetime | None = None,
) -> tuple[list[Signer], list[str]]:
    """(verified signers, notes on signatures that were not counted).

    Raises :class:`SignatureInvalid` when a signature made with a trusted key or
    certificate does not verify. ``at`` is the time certificates must be valid at
    (the attestation's time).
    """
    from securesystemslib.exceptions import UnverifiedSignatureError
    from securesystemslib.signer import SSlibKey

    if not keys and not cas:
        raise UsageError("verify an attestation with --key PUBLIC.pem and/or --chain CA.pem")
    env = _parse(envelope, where=where)
    if env.payload_type != PAYLOAD_TYPE:
        raise SignatureInvalid(f"{where}: payload type {env.payload_type!r}, expected {PAYLOAD_TYPE}", signature=where, reason="malformed")
    trusted = {k.keyid: k for k in _public_keys(keys)}
    ca_certs = _certificates(cas) if cas else []
    pae = env.pae()
    signers: list[Signer] = []
    notes: list[str] = []
    for keyid, sig in env.signatures.items():
        pems = sig.unrecognized_fields.get("certificates")
        ids: tuple[str, ...]
        issuer: str | None
        if keyid in trusted:
            key, kind, ids, issuer = trusted[keyid], "key", (keyid,), None
        elif pems and ca_certs:
            if not isinstance(pems, list) or not pems or not all(isinstance(p, str) for p in pems):
                raise SignatureInvalid(f"{where}: signature {keyid[:16]}... has a malformed certificate list", signature=where, reason="malformed")
            try:
                leaf = _check_chain(pems, ca_certs, at)
            except SignatureInvalid as exc:
                raise SignatureInvalid(f"{where}: {exc.message}", signature=where, reason=exc.reason) from exc
            key = SSlibKey.from_crypto(leaf.public_key())
            if key.keyid != keyid:
                raise SignatureInvalid(f"{where}: signature {keyid[:16]}... is not by the key of its certificate", signature=where, reason="key-mismatch")
            kind, ids, issuer = "certificate", _cert_identities(leaf), _name_text(leaf.issuer)
        else:
            notes.append(f"signature by key {keyid[:16]}... not checked: no trusted key or CA for it")
            continue
        try:
            key.verify_signature(sig, pae)
        except UnverifiedSignatureError as exc:
            raise SignatureInvalid(
                f"{where}: the signature by {ids[0] if kind == 'certificate' else 'key ' + keyid[:16] + '...'} does not match the signed content: the attestation was changed after it was signed",
                signature=where,
                reason="bad-signature",
            ) from exc
        signers.append(Signer(keyid=keyid, kind=kind, identities=ids, issuer=issuer))
    return signers, notes


__all__ = ["Signer", "add_signature", "payload_of", "read_envelope", "sign_statement", "verify_envelope"]
