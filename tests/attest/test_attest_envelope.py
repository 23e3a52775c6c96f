"""Vetting attestations: in-toto statement, DSSE signatures, verification and its refusals."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from attestkit import STAGED, all_met, finding, gate_result

from ptmvet.attest import (
    PAYLOAD_TYPE,
    PREDICATE_TYPE,
    NotVouched,
    add_signature,
    build_statement,
    sign_statement,
    verify_attestation,
)
from ptmvet.errors import UsageError
from ptmvet.integrity.errors import IntegrityMismatch, SignatureInvalid
from ptmvet.integrity.manifest import build_manifest
from ptmvet.policy import Policy


def _attest(package: Path, key: Path, out: Path, *, policy: Policy | None = None, passed: bool = True, **kw: object) -> dict:
    from ptmvet.policy import SchemaFit

    findings = [*all_met(), finding("VET301", "pass" if passed else "fail", "weights")]
    result = gate_result(*findings, policy=policy, local_path=package, schema_fit=SchemaFit(fits=True, data="ours.csv"))
    statement = build_statement(result, build_manifest(package), model_ref=str(package), **kw)  # type: ignore[arg-type]
    envelope = sign_statement(statement, key=key)
    out.write_text(json.dumps(envelope))
    return envelope


def _payload(envelope: dict) -> dict:
    return json.loads(base64.b64decode(envelope["payload"]))


def test_statement_subjects_are_the_manifest_digests(package: Path, vetter, tmp_path: Path) -> None:
    env = _attest(package, vetter.private, tmp_path / "a.json")
    st = _payload(env)
    assert st["_type"] == "https://in-toto.io/Statement/v1" and st["predicateType"] == PREDICATE_TYPE
    assert {s["name"]: s["digest"]["sha256"] for s in st["subject"]} == build_manifest(package).digests()
    pred = st["predicate"]
    assert pred["verdict"] == "pass" and pred["policy"]["digest"]["sha256"] == Policy.default().digest
    assert {"id": "VET301", "slug": "safe-weight-format", "outcome": "pass", "severity": "high"} in pred["findings"]
    assert pred["schema_fit"] == {"fits": True, "data": "ours.csv", "problems": []}
    assert pred["tool"]["name"] == "ptmvet" and pred["time"].endswith("Z")


def test_statement_matches_its_published_schema(package: Path, vetter, tmp_path: Path) -> None:
    import jsonschema

    from ptmvet.formats import schema

    st = _payload(_attest(package, vetter.private, tmp_path / "a.json", policy=Policy.load(STAGED).for_stage("pilot")))
    jsonschema.Draft202012Validator(schema("attestation")).validate(st)
    assert st["predicate"]["stage"] == "pilot" and {r["requirement"] for r in st["predicate"]["requirements"]} >= {"schema-fit"}


def test_subjects_match_model_signing_digests(package: Path, vetter, tmp_path: Path) -> None:
    pytest.importorskip("model_signing")
    from ptmvet.integrity.signing import read_signed_manifest, sign_model

    sig = tmp_path / "model.sig"
    sign_model(package, key=vetter.private, output=sig)
    st = _payload(_attest(package, vetter.private, tmp_path / "a.json"))
    assert {s["name"]: s["digest"]["sha256"] for s in st["subject"]} == dict(read_signed_manifest(sig).files)


def test_verifies_with_ptmvet(package: Path, vetter, tmp_path: Path) -> None:
    att = tmp_path / "a.json"
    _attest(package, vetter.private, att)
    verdict = verify_attestation(package, att, keys=[vetter.public])
    assert verdict.verdict == "pass" and verdict.files == 4 and verdict.signers[0].kind == "key"


def test_verifies_with_an_independent_dsse_implementation(package: Path, vetter, tmp_path: Path) -> None:
    """securesystemslib's DSSE, a by-the-spec PAE checked with cryptography, and in-toto-attestation's validator."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from google.protobuf import json_format
    from in_toto_attestation.v1.statement import Statement
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import SSlibKey

    att = tmp_path / "a.json"
    _attest(package, vetter.private, att)
    data = json.loads(att.read_text())
    public = serialization.load_pem_public_key(vetter.public.read_bytes())
    accepted = Envelope.from_dict(json.loads(att.read_text())).verify([SSlibKey.from_crypto(public)], 1)
    assert len(accepted) == 1
    payload = base64.b64decode(data["payload"])
    ptype = data["payloadType"].encode()
    pae = b"DSSEv1 %d %b %d %b" % (len(ptype), ptype, len(payload), payload)
    assert data["payloadType"] == PAYLOAD_TYPE
    public.verify(base64.b64decode(data["signatures"][0]["sig"]), pae, ec.ECDSA(hashes.SHA256()))  # type: ignore[union-attr,call-arg]
    stmt = Statement.copy_from_pb(json_format.Parse(payload, Statement([], "", {}).pb))
    stmt.validate()
    assert stmt.pb.predicate_type == PREDICATE_TYPE and len(stmt.pb.subject) == 4


@pytest.mark.parametrize("change", ["changed", "added", "removed"])
def test_changed_added_or_removed_file_is_refused(package: Path, vetter, tmp_path: Path, change: str) -> None:
    att = tmp_path / "a.json"
    _attest(package, vetter.private, att)
    if change == "changed":
        (package / "config.json").write_text('{"model_type": "gpt2"}\n')
    elif change == "added":
        (package / "extra.bin").write_bytes(b"\x80\x04")
    else:
        (package / "sub" / "vocab.txt").unlink()
    with pytest.raises(IntegrityMismatch) as info:
        verify_attestation(package, att, keys=[vetter.public])
    got = {"changed": [c.path for c in info.value.changed], "added": list(info.value.added), "removed": list(info.value.removed)}
    assert got[change] == {"changed": ["config.json"], "added": ["extra.bin"], "removed": ["sub/vocab.txt"]}[change]
    assert info.value.exit_code == 4


def test_edited_predicate_is_refused(package: Path, vetter, tmp_path: Path) -> None:
    att = tmp_path / "a.json"
    env = _attest(package, vetter.private, att, passed=False)
    st = _payload(env)
    assert st["predicate"]["verdict"] == "fail"
    st["predicate"]["verdict"] = "pass"
    env["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
    att.write_text(json.dumps(env))
    with pytest.raises(SignatureInvalid) as info:
        verify_attestation(package, att, keys=[vetter.public])
    assert info.value.reason == "bad-signature" and "changed after it was signed" in info.value.message


def test_wrong_key_is_refused(package: Path, vetter, mallory, tmp_path: Path) -> None:
    att = tmp_path / "a.json"
    _attest(package, mallory.private, att)
    with pytest.raises(SignatureInvalid) as info:
        verify_attestation(package, att, keys=[vetter.public])
    assert info.value.reason == "key-mismatch" and info.value.exit_code == 4


def test_fail_verdict_other_stage_and_age_are_not_vouched(package: Path, vetter, tmp_path: Path) -> None:
    att = tmp_path / "a.json"
    _attest(package, vetter.private, att, passed=False)
    with pytest.raises(NotVouched, match="verdict is 'fail'") as info:
        verify_attestation(package, att, keys=[vetter.public])
    assert info.value.exit_code == 1
    staged = Policy.load(STAGED)
    _attest(package, vetter.private, att, policy=staged.for_stage("limited"))
    assert verify_attestation(package, att, keys=[vetter.public], require_stage="pilot", policy=staged).stage == "limited"
    with pytest.raises(NotVouched, match="not 'production' or later"):
        verify_attestation(package, att, keys=[vetter.public], require_stage="production", policy=staged, min_signers=1)
    with pytest.raises(NotVouched, match="not 'pilot'"):  # without the policy, the stage must be exactly the one asked
        verify_attestation(package, att, keys=[vetter.public], require_stage="pilot")
    with pytest.raises(NotVouched, match="older than"):
        verify_attestation(package, att, keys=[vetter.public], max_age=timedelta(days=1), now=datetime.now(UTC) + timedelta(days=2))
    with pytest.raises(NotVouched, match="another policy"):
        verify_attestation(package, att, keys=[vetter.public], policy=Policy.default())


def test_two_signers_and_the_policy_stage_signer_count(package: Path, vetter, reviewer, tmp_path: Path) -> None:
    staged = Policy.load(STAGED)
    att = tmp_path / "a.json"
    env = _attest(package, vetter.private, att, policy=staged.for_stage("production"))
    with pytest.raises(SignatureInvalid, match="1 signature"):  # production needs two signers
        verify_attestation(package, att, keys=[vetter.public, reviewer.public], require_stage="production", policy=staged)
    both = add_signature(env, key=reviewer.private)
    att.write_text(json.dumps(both))
    verdict = verify_attestation(package, att, keys=[vetter.public, reviewer.public], require_stage="production", policy=staged)
    assert len(verdict.signers) == 2 and verdict.stage == "production"
    only_one_trusted = verify_attestation(package, att, keys=[vetter.public])
    assert len(only_one_trusted.signers) == 1 and "not checked" in only_one_trusted.notes[0]
    with pytest.raises(UsageError, match="already signed"):
        add_signature(both, key=reviewer.private)


def test_certificate_chain_identity_and_untrusted_ca(package: Path, pki, tmp_path: Path) -> None:
    result = gate_result(finding("VET301", "pass"), local_path=package)
    st = build_statement(result, build_manifest(package), model_ref="pkg")
    att = tmp_path / "a.json"
    att.write_text(json.dumps(sign_statement(st, key=pki.leaf_key, cert=pki.leaf)))
    verdict = verify_attestation(package, att, cas=[pki.ca], identities=["review@example.org"], issuer="vetting-root")
    assert verdict.signers[0].kind == "certificate" and "ml-review-board" in verdict.signers[0].identities
    with pytest.raises(SignatureInvalid, match=r"no verified signer is .someone@else\.org."):
        verify_attestation(package, att, cas=[pki.ca], identities=["someone@else.org"])
    with pytest.raises(SignatureInvalid) as info:
        verify_attestation(package, att, cas=[pki.other_ca])
    assert info.value.reason == "untrusted-certificate"


def test_malformed_envelopes_are_integrity_errors_and_missing_files_input_errors(package: Path, vetter, tmp_path: Path) -> None:
    from ptmvet.errors import InputError

    bad = tmp_path / "bad.json"
    for text in ("{", "[]", json.dumps({"payload": "!!", "payloadType": PAYLOAD_TYPE, "signatures": []}),
                 json.dumps({"payload": "e30=", "payloadType": "text/plain", "signatures": []})):
        bad.write_text(text)
        with pytest.raises(SignatureInvalid):
            verify_attestation(package, bad, keys=[vetter.public])
    with pytest.raises(InputError):
        verify_attestation(package, tmp_path / "absent.json", keys=[vetter.public])
