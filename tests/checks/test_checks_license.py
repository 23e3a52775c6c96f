"""VET501-VET503 on tiny evidence (the detector and the enricher are tested in tests/licenses)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ptmvet.card import parse_card
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.checks.license import CHECKS
from ptmvet.evidence import Evidence, FileEntry, Target
from ptmvet.licenses.detect import detect

APACHE = "                                 Apache License\n                           Version 2.0, January 2004\n"
BY_ID = {c.meta.id: c for c in CHECKS}


def ev(card: str | None, licenses: dict[str, str] | None = None, **kw: object) -> Evidence:
    files = [FileEntry("README.md", 10, True), *(FileEntry(p, 10, True) for p in licenses or {})]
    return Evidence(target=Target(name="me/model", source="local", repo_id="me/model"), files=tuple(files), card=parse_card(card) if card else None, license_texts=licenses or {}, **kw)  # type: ignore[arg-type]


def outcome(check_id: str, evidence: Evidence) -> tuple[Outcome, str]:
    (f,) = run_check(BY_ID[check_id], evidence)
    assert f.outcome is not Outcome.ERROR, f.message
    return f.outcome, f.message


def test_front_matter_licence_file_and_text_disagree() -> None:
    card = "---\nlicense: mit\n---\n# Model\n\n## License\n\nThis model is licensed under the Apache 2.0 license.\n"
    e = ev(card, {"LICENSE": APACHE})
    d = detect(e)
    assert len(d.disagreements) == 2
    assert outcome("VET502", e)[0] is Outcome.FAIL
    agreeing = ev("---\nlicense: apache-2.0\n---\n# M\n\nReleased under the Apache 2.0 license.\n", {"LICENSE": APACHE})
    assert outcome("VET502", agreeing)[0] is Outcome.PASS
    assert outcome("VET502", ev("---\nlicense: mit\n---\n# M\n"))[0] is Outcome.NOT_APPLICABLE


def test_identified_other_and_unknown() -> None:
    assert outcome("VET501", ev("---\nlicense: cc-by-nc-4.0\n---\n"))[0] is Outcome.PASS
    assert outcome("VET501", ev("---\nlicense: other\n---\n", {"LICENSE": "bespoke terms"}))[0] is Outcome.FAIL
    # `other` with a recognisable LICENSE text is identified from the file.
    assert outcome("VET501", ev("---\nlicense: other\n---\n", {"LICENSE": "LLAMA 2 COMMUNITY LICENSE AGREEMENT"}))[0] is Outcome.PASS
    assert outcome("VET501", ev("---\nlicense: apachy\n---\n"))[0] is Outcome.FAIL
    assert outcome("VET501", ev("# no metadata\n"))[0] is Outcome.SKIPPED


@pytest.mark.parametrize(("use", "expected"), [("commercial", Outcome.FAIL), ("research", Outcome.PASS), ("internal", Outcome.FAIL)])
def test_intended_use_changes_vet503(use: str, expected: Outcome) -> None:
    e = replace(ev("---\nlicense: cc-by-nc-4.0\n---\n"), intended_use=use)
    got, message = outcome("VET503", e)
    assert got is expected
    assert use in message


def test_no_licence_permits_nothing() -> None:
    assert outcome("VET503", ev("# M\n"))[0] is Outcome.FAIL
