"""Signed vetting attestations: who vetted which exact files, under which policy, at which stage.

An attestation is an in-toto Statement v1 (:mod:`ptmvet.attest.statement`)
whose subjects are the package's files with their SHA-256 and whose predicate
records the gate's decision, wrapped in a DSSE envelope signed by one or more
vetters (:mod:`ptmvet.attest.dsse`, through ``securesystemslib``), checked by
:func:`verify_attestation` (:mod:`ptmvet.attest.verify`).

    statement = build_statement(gate_result, build_manifest(folder), model_ref="org/name")
    envelope = sign_statement(statement, key=Path("vetter.pem"))
    verify_attestation(folder, Path("model.vetting.json"), keys=[Path("vetter.pub")], require_stage="production")
"""

from __future__ import annotations

from ptmvet.attest.dsse import Signer, add_signature, read_envelope, sign_statement, verify_envelope
from ptmvet.attest.result import Attested
from ptmvet.attest.statement import PAYLOAD_TYPE, PREDICATE_TYPE, build_statement, validate_statement
from ptmvet.attest.verify import (
    AttestationCheck,
    AttestationVerdict,
    NotVouched,
    compare_subjects,
    parse_age,
    verify_attestation,
)

__all__ = [
    "PAYLOAD_TYPE",
    "PREDICATE_TYPE",
    "AttestationCheck",
    "AttestationVerdict",
    "Attested",
    "NotVouched",
    "Signer",
    "add_signature",
    "build_statement",
    "compare_subjects",
    "parse_age",
    "read_envelope",
    "sign_statement",
    "validate_statement",
    "verify_attestation",
    "verify_envelope",
]
