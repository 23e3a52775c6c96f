"""Use verdicts, licence inheritance along lineage, and compatibility."""

from __future__ import annotations

import pytest

from ptmvet.errors import UsageError
from ptmvet.licenses.classify import classify, classify_declared
from ptmvet.licenses.compat import Compat, IntendedUse, Status, compatibility, inheritance, use_verdict


def test_intended_use_changes_the_verdict_and_says_why() -> None:
    nc = classify("CC-BY-NC-4.0")
    commercial = use_verdict(nc, IntendedUse.COMMERCIAL)
    assert commercial.status is Status.CONFLICT and "non-commercial" in commercial.reasons[0]
    assert use_verdict(nc, IntendedUse.RESEARCH).status is Status.OK
    internal = use_verdict(nc, IntendedUse.INTERNAL)
    assert internal.status is Status.CONFLICT and "inside an organisation" in internal.reasons[0]


def test_duties_depend_on_use() -> None:
    gpl = classify("GPL-3.0-only")
    assert any("source" in d for d in use_verdict(gpl, IntendedUse.COMMERCIAL).duties)
    assert not any("source" in d for d in use_verdict(gpl, IntendedUse.INTERNAL).duties)
    llama = classify_declared("llama2")
    v = use_verdict(llama, IntendedUse.COMMERCIAL)
    assert v.status is Status.OK and any("conditions" in d for d in v.duties) and any("use-based" in d for d in v.duties)
    assert use_verdict(classify_declared("deepfloyd-if-license"), IntendedUse.INTERNAL).status is Status.CONFLICT


def test_other_and_unknown_need_review() -> None:
    for raw in ("other", "unknown", "cc"):
        assert use_verdict(classify_declared(raw), IntendedUse.COMMERCIAL).status is Status.REVIEW


def test_parse_use() -> None:
    assert IntendedUse.parse("Research") is IntendedUse.RESEARCH
    with pytest.raises(UsageError):
        IntendedUse.parse("military")


@pytest.mark.parametrize(
    ("ancestor", "child", "status", "dropped"),
    [
        ("cc-by-nc-4.0", "mit", Status.CONFLICT, "non-commercial"),
        ("llama2", "apache-2.0", Status.CONFLICT, "use-restrictions"),
        ("creativeml-openrail-m", "mit", Status.CONFLICT, "use-restrictions"),
        ("cc-by-sa-4.0", "apache-2.0", Status.CONFLICT, "copyleft-strong"),
        ("cc-by-nc-nd-4.0", "cc-by-nc-nd-4.0", Status.OK, None),
        ("apache-2.0", "mit", Status.OK, None),
        ("mit", "cc-by-nc-4.0", Status.OK, None),
        ("apache-2.0", "cc0-1.0", Status.CONFLICT, "attribution"),
        ("llama2", "other", Status.REVIEW, None),
        ("unknown", "mit", Status.REVIEW, None),
    ],
)
def test_inheritance(ancestor: str, child: str, status: Status, dropped: str | None) -> None:
    v = inheritance(classify_declared(ancestor), classify_declared(child))
    assert v.status is status, v
    if dropped:
        assert dropped in v.dropped
    if status is Status.CONFLICT:
        assert v.serious == (dropped != "attribution")


def test_compatibility_rules() -> None:
    c = classify_declared
    assert compatibility(c("mit"), c("apache-2.0")).verdict is Compat.COMPATIBLE
    assert compatibility(c("mit"), None).verdict is Compat.COMPATIBLE
    assert compatibility(c("gpl-3.0"), c("mit")).verdict is Compat.INCOMPATIBLE
    assert compatibility(c("gpl-3.0"), c("agpl-3.0")).verdict is Compat.COMPATIBLE
    assert compatibility(c("apache-2.0"), c("gpl-2.0")).verdict is Compat.INCOMPATIBLE
    assert compatibility(c("cc-by-nc-4.0"), c("mit")).verdict is Compat.INCOMPATIBLE
    assert compatibility(c("bigscience-bloom-rail-1.0"), c("apache-2.0")).verdict is Compat.INCOMPATIBLE
    assert compatibility(c("other"), c("mit")).verdict is Compat.UNKNOWN
    assert compatibility(c("cc-by-sa-4.0"), c("gpl-3.0")).verdict is Compat.COMPATIBLE
