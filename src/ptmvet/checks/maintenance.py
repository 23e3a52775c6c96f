"""Popularity and maintenance checks (VET9xx), from registry information only.

Reusers in the ICSE'23 PTM-reuse study (Jiang et al.) used downloads, likes
and recent activity as a proxy for trust when picking a model. These checks
need what a registry says about the model (``Evidence.registry``); without
it they are *skipped*, which scores as "not assessable", never as 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence

#: Hub "downloads" counts the last 30 days.
MIN_DOWNLOADS = 100
MIN_LIKES = 1
#: A model untouched for longer than this is flagged as possibly unmaintained.
MAX_AGE_DAYS = 730

_NO_REGISTRY = "no registry information (vet `org/name` online, or from a registry dump, to assess this)"


# --- VET901 -----------------------------------------------------------------

DOWNLOADS = CheckMeta(
    id="VET901",
    slug="downloads",
    attribute=Attribute.MAINTENANCE,
    severity=Severity.LOW,
    summary=f"The model is in use: at least {MIN_DOWNLOADS} downloads in the registry's last 30 days.",
    remedy="Prefer a more widely used model for the same task, or vet this one more closely: few users means few eyes on its problems.",
    needs=frozenset({Need.REGISTRY}),
)


@check(DOWNLOADS)
def downloads(ev: Evidence) -> Iterator[Finding]:
    meta = DOWNLOADS
    reg = ev.registry
    if reg is None:
        yield meta.skipped(_NO_REGISTRY)
        return
    if reg.downloads is None:
        yield meta.skipped(f"the {reg.source} information has no download count")
        return
    evidence = [f"{reg.source} downloads (30 days): {reg.downloads:,}"]
    if reg.downloads_all_time is not None:
        evidence.append(f"{reg.source} downloads (all time): {reg.downloads_all_time:,}")
    details = {"downloads": reg.downloads, "downloads_all_time": reg.downloads_all_time}
    if reg.downloads >= MIN_DOWNLOADS:
        yield meta.passed(f"{reg.downloads:,} downloads in the last 30 days", evidence=evidence, details=details)
    else:
        yield meta.failed(
            f"only {reg.downloads:,} downloads in the last 30 days (threshold {MIN_DOWNLOADS})",
            evidence=evidence,
            details=details,
        )


# --- VET902 -----------------------------------------------------------------

LIKES = CheckMeta(
    id="VET902",
    slug="likes",
    attribute=Attribute.MAINTENANCE,
    severity=Severity.INFO,
    summary=f"Registry users endorse the model: at least {MIN_LIKES} like.",
    remedy="Look for community signals before reuse (likes, discussions, downstream models); prefer a model others have vetted.",
    needs=frozenset({Need.REGISTRY}),
)


@check(LIKES)
def likes(ev: Evidence) -> Iterator[Finding]:
    meta = LIKES
    reg = ev.registry
    if reg is None:
        yield meta.skipped(_NO_REGISTRY)
        return
    if reg.likes is None:
        yield meta.skipped(f"the {reg.source} information has no like count")
        return
    evidence = (f"{reg.source} likes: {reg.likes:,}",)
    if reg.likes >= MIN_LIKES:
        yield meta.passed(f"{reg.likes:,} like(s)", evidence=evidence, details={"likes": reg.likes})
    else:
        yield meta.failed("no likes on the registry", evidence=evidence, details={"likes": reg.likes})


# --- VET903 -----------------------------------------------------------------

UPDATED = CheckMeta(
    id="VET903",
    slug="recently-updated",
    attribute=Attribute.MAINTENANCE,
    severity=Severity.LOW,
    summary=f"The repository was modified within the last {MAX_AGE_DAYS} days.",
    remedy="Check whether the model is still maintained (open discussions, newer versions by the same author) and pin the exact commit you vetted.",
    needs=frozenset({Need.REGISTRY}),
)


@check(UPDATED)
def recently_updated(ev: Evidence) -> Iterator[Finding]:
    meta = UPDATED
    reg = ev.registry
    if reg is None:
        yield meta.skipped(_NO_REGISTRY)
        return
    last = reg.last_modified
    if last is None:
        yield meta.skipped(f"the {reg.source} information has no last-modified date")
        return
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    ref = reg.observed_at
    if ref is None:  # checks are pure: no clock; the source records when it looked
        yield meta.skipped(f"the {reg.source} information does not say when it was observed", evidence=[f"{reg.source} last modified: {last.date().isoformat()}"])
        return
    if ref.tzinfo is None:
        ref = ref.replace(tzinfo=UTC)
    age = (ref - last).days
    evidence = [f"{reg.source} last modified: {last.date().isoformat()} ({age} days ago)"]
    if reg.created_at is not None:
        evidence.append(f"{reg.source} created: {reg.created_at.date().isoformat()}")
    details = {"last_modified": last.isoformat(), "age_days": age}
    if age <= MAX_AGE_DAYS:
        yield meta.passed(f"modified {age} days ago", evidence=evidence, details=details)
    else:
        yield meta.failed(f"not modified for {age} days (over {MAX_AGE_DAYS})", evidence=evidence, details=details)


CHECKS: tuple[Check, ...] = (downloads, likes, recently_updated)
