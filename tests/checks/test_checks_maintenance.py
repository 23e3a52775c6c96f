"""Maintenance checks (VET9xx) on registry information built in the test: thresholds, and skips that never read the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from vetkit import make_evidence, one

from ptmvet.checks import maintenance as m
from ptmvet.checks.interface import Outcome
from ptmvet.evidence import Evidence, RegistryInfo

OBSERVED = datetime(2026, 6, 1, tzinfo=UTC)


def _reg(**kw: Any) -> Evidence:
    return make_evidence("# model\n", registry=RegistryInfo(source="dump", repo_id="o/m", **kw))


@pytest.mark.parametrize(("count", "outcome"), [(m.MIN_DOWNLOADS - 1, Outcome.FAIL), (m.MIN_DOWNLOADS, Outcome.PASS), (0, Outcome.FAIL)])
def test_downloads_threshold(count: int, outcome: Outcome) -> None:
    f = one(m.downloads, _reg(downloads=count, downloads_all_time=10 * count))
    assert f.outcome is outcome
    assert f.details == {"downloads": count, "downloads_all_time": 10 * count}
    assert len(f.evidence) == 2


def test_likes_threshold() -> None:
    assert one(m.likes, _reg(likes=0)).outcome is Outcome.FAIL
    assert one(m.likes, _reg(likes=m.MIN_LIKES)).outcome is Outcome.PASS


@pytest.mark.parametrize("check", [m.downloads, m.likes, m.recently_updated])
def test_without_registry_information_each_check_is_skipped_never_failed(check: Any) -> None:
    assert one(check, make_evidence("# model\n")).outcome is Outcome.SKIPPED
    assert one(check, _reg()).outcome is Outcome.SKIPPED  # a registry record without the figure


@pytest.mark.parametrize(("age", "outcome"), [(m.MAX_AGE_DAYS, Outcome.PASS), (m.MAX_AGE_DAYS + 1, Outcome.FAIL)])
def test_age_is_measured_from_when_the_registry_was_observed(age: int, outcome: Outcome) -> None:
    f = one(m.recently_updated, _reg(last_modified=OBSERVED - timedelta(days=age), observed_at=OBSERVED))
    assert f.outcome is outcome and f.details["age_days"] == age


def test_no_observation_time_is_a_skip_not_todays_clock() -> None:
    """Checks are pure: without the source's observation time there is nothing to measure the age against."""
    f = one(m.recently_updated, _reg(last_modified=datetime(2001, 1, 1, tzinfo=UTC)))
    assert f.outcome is Outcome.SKIPPED and "2001-01-01" in f.evidence[0]


def test_naive_dates_are_read_as_utc() -> None:
    f = one(m.recently_updated, _reg(last_modified=datetime(2026, 5, 31, 23, 0), observed_at=datetime(2026, 6, 1, 1, 0)))
    assert f.outcome is Outcome.PASS and f.details["age_days"] == 0
