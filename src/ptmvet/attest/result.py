"""What ``ptmvet attest`` did: the attestation written (or co-signed), over which files, with which verdict."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attested:
    path: str
    model: str
    files: int
    verdict: str  # "pass" or "fail", as recorded in the predicate
    stage: str | None
    policy: str
    signatures: int
    signer_keyid: str  # the key that signed in this run
    cosigned: bool = False
    items: tuple[str, ...] = ()  # the gate's reasons, "status message"
