"""VET501-VET503 on tiny evidence (the detector and the enricher are tested in tests/licenses)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from _licensekit import APACHE, ev, outcome
from ptmvet.checks.interface import Outcome
from ptmvet.licenses.detect import detect


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
