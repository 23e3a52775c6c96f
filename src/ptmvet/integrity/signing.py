"""Sign and verify model packages with OpenSSF ``model_signing``.

Signing goes through ``model_signing``'s public API (an EC private key, a
private key with a certificate chain, or Sigstore keyless). Verification is
done in two stages so the verdict can name files:

1. **authenticity**: ``model_signing``'s verifier checks the DSSE signature over
   the signed manifest with the trusted key, CA chain or Sigstore identity and
   returns the manifest it vouches for. Any failure here is a
   :class:`SignatureInvalid` (wrong key, untrusted CA, bad signature, malformed).
2. **integrity**: ptmvet hashes the files on disk with the same rules (the
   signature's ignore list plus ``model_signing``'s git paths) and diffs them
   against the signed manifest. A difference is an :class:`IntegrityMismatch`
   listing changed, added and removed files.

No ``ValueError`` from ``model_signing`` leaves this module unwrapped.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ptmvet.errors import DependencyMissing, InputError, UnsafePath, UsageError
from ptmvet.evidence import Problem
from ptmvet.integrity.errors import FileChange, IntegrityMismatch, SignatureInvalid
from ptmvet.integrity.manifest import build_manifest, diff_manifests
from ptmvet.progress import Progress
from ptmvet.sources.local import walk

#: Paths model_signing leaves out of every manifest by default (ignore_git_paths=True).
MODEL_SIGNING_GIT_PATHS = (".git", ".gitattributes", ".github", ".gitignore")
DEFAULT_SIGNATURE_NAME = "model.sig"
#: A signature bundle is a few KiB plus ~150 bytes per file; refuse absurd ones.
SIGNATURE_MAX_BYTES = 64 * 1024 * 1024
_PREDICATE_TYPES = ("https://model_signing/signature/v1.0", "https://model_signing/Digests/v0.1")


def _not_a_file(p: Path) -> str:
    return "a folder, not a file" if p.is_dir() else "no such file"


def _require_model_signing() -> None:
    try:
        import model_signing  # noqa: F401
    except ImportError as exc:
        raise DependencyMissing("model-signing", "signing and signature verification") from exc


@dataclass(frozen=True)
class SignedManifest:
    """The files a signature lists, read from its payload (authenticated or not)."""

    model: str
    files: Mapping[str, str]  # path -> hex digest
    algorithm: str  # "sha256", "blake2", ...
    method: str  # serialization: "files" or "shards"
    ignore_paths: tuple[str, ...]
    allow_symlinks: bool
    signer_kind: str  # "key", "certificate", "sigstore", "unknown"


@dataclass(frozen=True)
class SignResult:
    signature: Path
    files: int
    method: str


@dataclass(frozen=True)
class VerifyResult:
    """A signature that verified: who vouched for which files."""

    signature: Path
    method: str
    files: int
    model: str
    identities: tuple[str, ...] = ()  # who the signing certificate names (certificate signatures)
    issuer: str | None = None  # the signing certificate's issuer
    unsigned: tuple[str, ...] = field(default=())  # files present that the signature does not cover by design


def _rel_inside(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def default_signature_path(model: Path) -> Path:
    """Where a signature goes when no --output is given: inside the package, so it travels with it."""
    return model / DEFAULT_SIGNATURE_NAME if model.is_dir() else model.with_name(model.name + ".sig")


def _check_folder(model: Path) -> bool:
    """Refuse packages with symlinks leaving the folder; say whether symlinks must be allowed."""
    if not model.exists():
        raise InputError(f"{model}: no such file or directory", path=str(model))
    if model.is_file():
        return model.is_symlink()
    problems: list[Problem] = []
    files = walk(model, problems)
    escaping = [p for p in problems if "leaves the model folder" in p.message or "dangling" in p.message]
    if escaping:
        raise UnsafePath(
            f"{model}: {escaping[0].path}: {escaping[0].message}",
            path=str(model / escaping[0].path),
            hint="copy the package with symlinks resolved before signing it",
        )
    return any(p.is_symlink() for _, p in files)


# --- certificates -------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    """What a signing certificate says of its holder, issuer and validity."""

    subject: str
    issuer: str
    identities: tuple[str, ...]  # SAN e-mails, URIs and DNS names, then the subject's CN and e-mail
    issuer_names: tuple[str, ...]  # the issuer's full DN, CN and organisation
    not_before: datetime
    not_after: datetime
    code_signing: bool  # the extended key usage allows code signing


def certificate_facts(cert: Any) -> CertificateFacts:
    """Read the identity, issuer, validity and usage of a ``cryptography`` certificate."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ids: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        ids += [str(v) for v in san.get_values_for_type(x509.RFC822Name)]
        ids += [str(v) for v in san.get_values_for_type(x509.UniformResourceIdentifier)]
        ids += [str(v) for v in san.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        pass
    for oid in (NameOID.COMMON_NAME, NameOID.EMAIL_ADDRESS):
        ids += [str(a.value) for a in cert.subject.get_attributes_for_oid(oid)]
    issuer = [cert.issuer.rfc4514_string()]
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        issuer += [str(a.value) for a in cert.issuer.get_attributes_for_oid(oid)]
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        code_signing = ExtendedKeyUsageOID.CODE_SIGNING in eku
    except x509.ExtensionNotFound:
        code_signing = False
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        code_signing = code_signing and bool(ku.digital_signature)
    except x509.ExtensionNotFound:
        pass
    return CertificateFacts(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        identities=tuple(dict.fromkeys(ids)),
        issuer_names=tuple(dict.fromkeys(issuer)),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        code_signing=code_signing,
    )


def certificate_problem(facts: CertificateFacts, *, now: datetime | None = None) -> tuple[str, str] | None:
    """(reason, words) when a certificate must not sign or vouch for a model now, else None."""
    now = now or datetime.now(UTC)
    if now < facts.not_before:
        return "certificate-not-yet-valid", f"the signing certificate ({facts.subject}) is not yet valid: valid from {facts.not_before:%Y-%m-%d %H:%M} UTC"
    if now > facts.not_after:
        return "certificate-expired", f"the signing certificate ({facts.subject}) expired on {facts.not_after:%Y-%m-%d %H:%M} UTC"
    if not facts.code_signing:
        return "certificate-usage", f"the signing certificate ({facts.subject}) does not allow code signing (no codeSigning extended key usage)"
    return None


def _load_pem_certificate(path: Path) -> Any:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificates(Path(path).read_bytes())[0]
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})", path=str(path)) from exc
    except (ValueError, IndexError) as exc:
        raise InputError(f"{path}: not a PEM certificate ({exc})", path=str(path)) from exc


def bundle_certificate(signature: Path) -> CertificateFacts | None:
    """The signing (leaf) certificate a certificate-signed bundle carries, or None (key or Sigstore bundle)."""
    from cryptography import x509

    material = _load_bundle(signature).get("verificationMaterial")
    chain = material.get("x509CertificateChain") if isinstance(material, dict) else None
    certs = chain.get("certificates") if isinstance(chain, dict) else None
    if not isinstance(certs, list) or not certs or not isinstance(certs[0], dict):
        return None
    try:
        der = base64.b64decode(str(certs[0].get("rawBytes", "")), validate=True)
        return certificate_facts(x509.load_der_x509_certificate(der))
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid(
            f"{signature}: malformed signing certificate in the bundle ({exc})", signature=str(signature), reason="malformed"
        ) from exc


def _matches(wanted: str, names: Sequence[str]) -> bool:
    w = wanted.strip().lower()
    return any(w == n.strip().lower() for n in names)


def unsigned_paths(model: Path, signed: Mapping[str, str], sig_rel: str | None) -> tuple[str, ...]:
    """Files in the package the signature does not cover by design (git paths, the signature itself)."""
    if not model.is_dir():
        return ()
    out: list[str] = []
    for name in MODEL_SIGNING_GIT_PATHS:
        p = model / name
        if (p.exists() or p.is_symlink()) and name not in signed:
            out.append(name + ("/" if p.is_dir() else ""))
    if sig_rel and sig_rel not in signed:
        out.append(sig_rel)
    return tuple(out)


def sign_model(
    model: Path,
    *,
    key: Path | None = None,
    cert: Path | None = None,
    chain: Sequence[Path] = (),
    output: Path | None = None,
    sigstore: bool = False,
    identity_token: str | None = None,
    password: str | None = None,
) -> SignResult:
    """Sign a package folder (or file); the signature is written atomically.

    With ``key`` alone: an EC (P-256/384/521) private key signature. With ``key``,
    ``cert`` and ``chain``: a certificate signature. With ``sigstore``: keyless
    Sigstore signing (needs a network and an OIDC identity).
    """
    _require_model_signing()
    import model_signing.hashing as ms_hashing
    import model_signing.signing as ms_signing

    model = Path(model)
    allow_symlinks = _check_folder(model)
    out = Path(output) if output is not None else default_signature_path(model)
    if not out.parent.is_dir():
        raise InputError(f"{out}: folder {out.parent} does not exist", path=str(out))
    if sigstore and (key or cert):
        raise UsageError("--sigstore signs keyless; do not also give --key or --cert")
    if not sigstore and key is None:
        raise UsageError("signing needs --key PRIVATE.pem (or --sigstore)")
    if cert is None and chain:
        raise UsageError("--chain needs --cert, the signing certificate")
    if cert is not None and not chain:
        raise UsageError("--cert needs --chain, the CA certificate(s) that issued it (PEM)")
    for p in (key, cert, *chain):
        if p is not None and not Path(p).is_file():
            raise InputError(f"{p}: {_not_a_file(Path(p))}", path=str(p))
    if cert is not None:
        problem = certificate_problem(certificate_facts(_load_pem_certificate(cert)))
        if problem is not None:
            raise InputError(f"{cert}: refusing to sign: {problem[1]}", path=str(cert), hint="sign with a current code-signing certificate")
    ignored: list[str] = []
    sig_rel = _rel_inside(out, model) if model.is_dir() else None
    if sig_rel:
        ignored.append(sig_rel)
    hashing_config = ms_hashing.Config().set_ignored_paths(paths=ignored, ignore_git_paths=True)  # type: ignore[no-untyped-call]
    hashing_config.set_allow_symlinks(allow_symlinks)
    config = ms_signing.Config().set_hashing_config(hashing_config)  # type: ignore[no-untyped-call]
    try:
        if sigstore:
            config.use_sigstore_signer(identity_token=identity_token, use_ambient_credentials=identity_token is None)
            method = "sigstore"
        elif cert is not None:
            assert key is not None
            config.use_certificate_signer(private_key=key, signing_certificate=cert, certificate_chain=list(chain))
            method = "certificate"
        else:
            assert key is not None
            config.use_elliptic_key_signer(private_key=key, password=password)
            method = "key"
    except (ValueError, TypeError) as exc:
        named = f"{key}" if cert is None else f"{key} with {cert}"
        public = key is not None and Path(key).is_file() and b"PUBLIC KEY" in Path(key).read_bytes()[:4096]
        raise InputError(
            f"{named}: cannot use it to sign: {exc}",
            path=str(key or cert or ""),
            hint="this is a public key; sign with the private key (PEM) and give the public key to verify" if public else None,
        ) from exc
    # model_signing writes the file in place; sign into a private folder, then move the
    # finished signature next to the model in one rename, so no half-written file exists.
    with tempfile.TemporaryDirectory(prefix="ptmvet-sign-") as tmp:
        tmp_sig = Path(tmp) / out.name
        try:
            config.sign(model, tmp_sig)
        except OSError as exc:
            raise InputError(f"{model}: cannot read while signing ({exc.strerror or exc})", path=str(model)) from exc
        except Exception as exc:
            raise SignatureInvalid(
                f"signing {model} failed: {type(exc).__name__}: {exc}", signature=str(out), reason="signing-failed"
            ) from exc
        staged = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            shutil.copyfile(tmp_sig, staged)
            os.replace(staged, out)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise InputError(f"{out}: cannot write ({exc.strerror or exc})", path=str(out)) from exc
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
    signed = read_signed_manifest(out)
    return SignResult(signature=out, files=len(signed.files), method=method)


def _load_bundle(signature: Path) -> dict[str, Any]:
    try:
        if signature.stat().st_size > SIGNATURE_MAX_BYTES:
            raise SignatureInvalid(f"{signature}: larger than {SIGNATURE_MAX_BYTES} bytes", signature=str(signature), reason="malformed")
        data = json.loads(signature.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{signature}: cannot read ({exc.strerror or exc})", path=str(signature)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise SignatureInvalid(
            f"{signature}: not a signature bundle (invalid JSON: {exc})", signature=str(signature), reason="malformed"
        ) from exc
    if not isinstance(data, dict):
        raise SignatureInvalid(f"{signature}: not a signature bundle", signature=str(signature), reason="malformed")
    return data


def read_signed_manifest(signature: Path) -> SignedManifest:
    """The file list a signature carries, WITHOUT checking who signed it.

    Used to name files in a verdict and to compare digests when no trusted key is
    at hand; authenticity comes only from :func:`verify_signature`.
    """
    signature = Path(signature)
    bundle = _load_bundle(signature)

    def bad(why: str) -> SignatureInvalid:
        return SignatureInvalid(f"{signature}: malformed signature bundle ({why})", signature=str(signature), reason="malformed")

    envelope = bundle.get("dsseEnvelope")
    if not isinstance(envelope, dict) or not isinstance(envelope.get("payload"), str):
        raise bad("no DSSE envelope payload")
    try:
        statement = json.loads(base64.b64decode(envelope["payload"], validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise bad(f"payload is not base64 JSON: {exc}") from exc
    if not isinstance(statement, dict) or statement.get("predicateType") not in _PREDICATE_TYPES:
        raise bad("not a model_signing statement")
    predicate = statement.get("predicate")
    subjects = statement.get("subject")
    model = subjects[0].get("name", "") if isinstance(subjects, list) and subjects and isinstance(subjects[0], dict) else ""
    files: dict[str, str] = {}
    algorithm = "sha256"
    method = "files"
    ignore: tuple[str, ...] = ()
    allow_symlinks = False
    if statement.get("predicateType") == _PREDICATE_TYPES[0]:
        if not isinstance(predicate, dict) or not isinstance(predicate.get("resources"), list):
            raise bad("no resources")
        raw_ser = predicate.get("serialization")
        ser: dict[str, Any] = raw_ser if isinstance(raw_ser, dict) else {}
        method = str(ser.get("method", "files"))
        algorithm = str(ser.get("hash_type", "sha256"))
        raw_ignore = ser.get("ignore_paths", [])
        ignore = tuple(str(p) for p in raw_ignore) if isinstance(raw_ignore, list) else ()
        allow_symlinks = bool(ser.get("allow_symlinks", False))
        for item in predicate["resources"]:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(item.get("digest"), str):
                raise bad("a resource lacks a name or digest")
            files[item["name"]] = item["digest"].lower()
    else:  # v0.2 compat: one subject per file
        for item in subjects if isinstance(subjects, list) else []:
            if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("digest"), dict):
                digest = item["digest"].get("sha256")
                if isinstance(digest, str):
                    files[item["name"]] = digest.lower()
        model = ""
    raw_material = bundle.get("verificationMaterial")
    material: dict[str, Any] = raw_material if isinstance(raw_material, dict) else {}
    if material.get("tlogEntries"):
        kind = "sigstore"
    elif "x509CertificateChain" in material or "certificate" in material:
        kind = "certificate"
    elif "publicKey" in material:
        kind = "key"
    else:
        kind = "unknown"
    return SignedManifest(model, files, algorithm, method, ignore, allow_symlinks, kind)


def _verifier(
    signature: Path,
    *,
    key: Path | None,
    chain: Sequence[Path],
    identity: str | None,
    oidc_issuer: str | None,
    sigstore: bool,
) -> tuple[Any, Any, str]:
    """(verifier, signature object, method) from model_signing, inputs validated first."""
    from model_signing._signing import sign_certificate, sign_ec_key, sign_sigstore_pb

    given = sum(x for x in (key is not None, bool(chain), sigstore))
    if given != 1:
        raise UsageError("verify a signature with exactly one of --key PUBLIC.pem, --chain CA.pem or --sigstore")
    for p in (key, *chain):
        if p is not None and not Path(p).is_file():
            raise InputError(f"{p}: {_not_a_file(Path(p))}", path=str(p))
    try:
        if sigstore:
            from model_signing._signing import sign_sigstore

            if not identity or not oidc_issuer:
                raise UsageError("--sigstore verification needs --identity and --oidc-issuer")
            return (
                sign_sigstore.Verifier(identity=identity, oidc_issuer=oidc_issuer),
                sign_sigstore.Signature.read(signature),
                "sigstore",
            )
        sig = sign_sigstore_pb.Signature.read(signature)
        if key is not None:
            return sign_ec_key.Verifier(Path(key)), sig, "key"
        return sign_certificate.Verifier([Path(c) for c in chain]), sig, "certificate"
    except UsageError:
        raise
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise SignatureInvalid(
            f"{signature}: malformed signature bundle ({type(exc).__name__}: {exc})", signature=str(signature), reason="malformed"
        ) from exc
    except ValueError as exc:
        what = key or (chain[0] if chain else signature)
        raise InputError(f"{what}: cannot load ({exc})", path=str(what), hint="give a PEM public key or PEM CA certificates") from exc


def _classify(exc: BaseException) -> tuple[str, str]:
    """(reason, human text) for a failure of model_signing's cryptographic check."""
    name = type(exc).__name__
    text = str(exc) or name
    if name == "InvalidSignature":
        return "bad-signature", "the signature does not match the signed content under this key"
    if name == "X509StoreContextError" or "certificate verify failed" in text:
        return "untrusted-certificate", f"the signing certificate does not chain to a trusted CA ({text})"
    if "Key mismatch" in text:
        return "key-mismatch", "the signature was made with a different key"
    if "cannot be used for signing" in text:
        return "certificate-usage", "the signing certificate does not allow code signing"
    if "inconsistent" in text or "Predicate" in text or "payload" in text.lower():
        return "malformed", text
    return "invalid", f"{name}: {text}"


def verify_signature(
    model: Path,
    signature: Path,
    *,
    key: Path | None = None,
    chain: Sequence[Path] = (),
    identity: str | None = None,
    oidc_issuer: str | None = None,
    issuer: str | None = None,
    sigstore: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> VerifyResult:
    """Verify a package against a signature; raise :class:`SignatureInvalid` or :class:`IntegrityMismatch`.

    For a certificate signature (``chain``), the signing certificate must be valid
    ``now`` and allow code signing, and when ``identity`` / ``issuer`` are given it
    must name that identity (SAN e-mail, URI or DNS name, or subject CN) and be
    issued by that issuer (full DN, CN or organisation). ``identity`` cannot be
    checked against a bare public key and is refused with ``key``.
    """
    _require_model_signing()
    model, signature = Path(model), Path(signature)
    if not model.exists():
        raise InputError(f"{model}: no such file or directory", path=str(model))
    if not signature.is_file():
        raise InputError(f"{signature}: no such signature file", path=str(signature))
    _load_bundle(signature)  # malformed JSON -> a clear SignatureInvalid before model_signing sees it
    if key is not None and (identity or issuer):
        raise UsageError("--identity and --issuer name a certificate holder; a bare public key (--key) has none", hint="verify with --chain CA.pem")
    leaf = bundle_certificate(signature) if chain else None
    if chain and leaf is None and (identity or issuer):
        raise SignatureInvalid(
            f"{signature}: the bundle carries no signing certificate, so its identity cannot be checked",
            signature=str(signature),
            reason="no-certificate",
        )
    if leaf is not None and (problem := certificate_problem(leaf, now=now)) is not None:
        raise SignatureInvalid(f"{signature}: signature is not valid: {problem[1]}", signature=str(signature), reason=problem[0])
    verifier, sig, method = _verifier(signature, key=key, chain=chain, identity=identity, oidc_issuer=oidc_issuer or issuer, sigstore=sigstore)
    try:
        expected = verifier.verify(sig)
    except Exception as exc:
        reason, text = _classify(exc)
        raise SignatureInvalid(
            f"{signature}: signature is not valid: {text}",
            signature=str(signature),
            reason=reason,
            hint="check that the key or CA is the one the publisher signs with",
        ) from exc
    if leaf is not None and identity and not _matches(identity, leaf.identities):
        raise SignatureInvalid(
            f"{signature}: the signing certificate is issued to {', '.join(leaf.identities) or leaf.subject}, not {identity}",
            signature=str(signature),
            reason="identity-mismatch",
            hint="the signature is valid but was made by someone else",
        )
    if leaf is not None and issuer and not _matches(issuer, leaf.issuer_names):
        raise SignatureInvalid(
            f"{signature}: the signing certificate was issued by {leaf.issuer}, not {issuer}",
            signature=str(signature),
            reason="issuer-mismatch",
        )
    signed = {rd.identifier: rd.digest.digest_hex for rd in expected.resource_descriptors()}
    ser = expected.serialization_type
    ignore = tuple(str(p) for p in ser.get("ignore_paths", ()))
    sig_rel = _rel_inside(signature, model) if model.is_dir() else None
    if sig_rel and sig_rel not in signed:
        ignore = (*ignore, sig_rel)
    diff_files = _compare(model, signed, ser, ignore, progress)
    if diff_files is not None:
        changed, added, removed = diff_files
        raise IntegrityMismatch(
            f"{model} against the signature {signature.name}",
            changed=changed,
            added=added,
            removed=removed,
            hint="the files are not the ones that were signed",
        )
    return VerifyResult(
        signature=signature,
        method=method,
        files=len(signed),
        model=expected.model_name,
        identities=leaf.identities if leaf is not None else (identity,) if identity and sigstore else (),
        issuer=leaf.issuer if leaf is not None else None,
        unsigned=unsigned_paths(model, signed, sig_rel),
    )


def _compare(
    model: Path,
    signed: Mapping[str, str],
    serialization: Mapping[str, Any],
    ignore: Sequence[str],
    progress: Progress | None,
) -> tuple[list[FileChange], list[str], list[str]] | None:
    """Changed/added/removed files versus the signed digests, or None when they agree."""
    if serialization.get("method") == "files" and serialization.get("hash_type") == "sha256":
        exclude = [*ignore, *MODEL_SIGNING_GIT_PATHS] if model.is_dir() else []
        actual = build_manifest(model, exclude=exclude, progress=progress)
        if actual.problems:
            # A link leaving the package, a dangling one, an unreadable or special file: content
            # the signature cannot vouch for (model_signing refuses these too).
            unread = sorted(f"{p.path} ({p.message})" for p in actual.problems)
            return [], unread, sorted(signed.keys() - actual.digests().keys())
        if model.is_file():
            # model_signing names a single-file model's only resource "." (its path relative to itself).
            actual_digests = dict.fromkeys(["."], actual.entries[0].sha256) if actual.entries else {}
        else:
            actual_digests = actual.digests()
    else:
        actual_digests = _model_signing_digests(model, serialization)
    changed = [FileChange(p, signed[p], actual_digests[p]) for p in sorted(signed.keys() & actual_digests.keys()) if signed[p] != actual_digests[p]]
    added = sorted(actual_digests.keys() - signed.keys())
    removed = sorted(signed.keys() - actual_digests.keys())
    if not (changed or added or removed):
        return None
    return changed, added, removed


def _model_signing_digests(model: Path, serialization: Mapping[str, Any]) -> dict[str, str]:
    """Digests by model_signing's own hashing, for serializations ptmvet does not reproduce (shards, blake)."""
    import model_signing.hashing as ms_hashing

    args = dict(serialization)
    if args.get("method") == "shards":
        config = ms_hashing.Config().use_shard_serialization(  # type: ignore[no-untyped-call]
            hashing_algorithm=args.get("hash_type", "sha256"),
            shard_size=int(args.get("shard_size", 1_000_000_000)),
            allow_symlinks=bool(args.get("allow_symlinks", False)),
        )
    else:
        config = ms_hashing.Config().use_file_serialization(  # type: ignore[no-untyped-call]
            hashing_algorithm=args.get("hash_type", "sha256"), allow_symlinks=bool(args.get("allow_symlinks", False))
        )
    config.set_ignored_paths(paths=list(args.get("ignore_paths", [])), ignore_git_paths=True)
    try:
        manifest = config.hash(model)
    except ValueError as exc:
        raise InputError(f"{model}: cannot hash ({exc})", path=str(model)) from exc
    return {rd.identifier: rd.digest.digest_hex for rd in manifest.resource_descriptors()}


def signature_digests_match(model: Path, signature: Path) -> tuple[SignedManifest, tuple[str, ...]]:
    """Compare the files with the digests a signature lists, without authenticating it.

    Returns the signed manifest and the changed, added or removed paths (empty when they agree).
    Used where no trusted key is given (the vetting run); proves consistency, not origin.
    """
    signed = read_signed_manifest(signature)
    if signed.method != "files" or signed.algorithm != "sha256":
        ser: dict[str, Any] = {"method": signed.method, "hash_type": signed.algorithm, "ignore_paths": list(signed.ignore_paths)}
        actual = _model_signing_digests(model, ser)
    else:
        exclude = [*signed.ignore_paths, *MODEL_SIGNING_GIT_PATHS]
        sig_rel = _rel_inside(signature, model)
        if sig_rel:
            exclude.append(sig_rel)
        built = build_manifest(model, exclude=exclude)
        actual = built.digests()
        # Whatever could not be hashed (a link leaving the package, an unreadable file) differs.
        actual.update({p.path: "unreadable" for p in built.problems})
    diff = diff_manifests_from(signed.files, actual)
    return signed, diff


def diff_manifests_from(expected: Mapping[str, str], actual: Mapping[str, str]) -> tuple[str, ...]:
    """Paths that differ between two path->digest maps (changed, added or removed)."""
    return tuple(sorted(p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p)))


__all__ = [
    "DEFAULT_SIGNATURE_NAME",
    "SignResult",
    "SignedManifest",
    "VerifyResult",
    "default_signature_path",
    "diff_manifests",
    "read_signed_manifest",
    "sign_model",
    "signature_digests_match",
    "verify_signature",
]
