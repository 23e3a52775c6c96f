"""VET8xx claims: do the performance claims hold when re-measured on local data?

These checks read ``Evidence.measurements``, filled by
``ptmvet.enrich.measurements`` when ``ptmvet check --data-dir``
is given (or by ``ptmvet reproduce``). Without measurements they are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from ptmvet.cardinfo import measurable_claims
from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence
from ptmvet.evidence.measurement import ClaimVerdict, Measurement, Unverifiable

CLAIMS_REPRODUCED = CheckMeta(
    id="VET801",
    slug="claims-reproduced",
    attribute=Attribute.CLAIMS,
    severity=Severity.HIGH,
    summary="Each performance claim, re-measured on the named data, agrees with the measurement within the tolerance.",
    remedy="Correct the claimed value, or document the exact data, split, preprocessing and metric that produce it.",
    needs=frozenset({Need.CARD, Need.WEIGHTS, Need.DATA}),
)
LABEL_MAP = CheckMeta(
    id="VET802",
    slug="label-map-consistent",
    attribute=Attribute.CLAIMS,
    severity=Severity.MEDIUM,
    summary="The model's id2label fits the evaluation data: no other relabelling of its classes fits far better.",
    remedy="Fix id2label/label2id in config.json so that class names match what the model was trained on.",
    needs=frozenset({Need.WEIGHTS, Need.DATA}),
)
CLAIMS_MEASURABLE = CheckMeta(
    id="VET803",
    slug="claims-measurable",
    attribute=Attribute.CLAIMS,
    severity=Severity.LOW,
    summary="Every claim names a task, metric and weights that can be re-measured without running untrusted code.",
    remedy="Name a standard metric and task in model-index, and publish safetensors weights.",
    needs=frozenset({Need.CARD, Need.DATA}),
)



def _label(m: Measurement) -> str:
    split = f"/{m.split}" if m.split else ""
    weak = f" (claim from {m.claim.source}, weaker than metadata)" if m.claim.source in ("card-text", "card-table") else ""
    return f"{m.dataset}{split} {m.metric or m.claim.metric}{weak}"


@check(CLAIMS_REPRODUCED)
def claims_reproduced(ev: Evidence) -> Iterable[Finding]:
    meta = CLAIMS_REPRODUCED
    if not ev.measurements:
        if not measurable_claims(ev):
            yield meta.not_applicable("the card makes no performance claim that can be re-measured")
        else:
            yield meta.skipped("no evaluation data: re-measure with --data-dir or `ptmvet reproduce`")
        return
    measured = [m for m in ev.measurements if m.verdict not in (ClaimVerdict.NOT_VERIFIABLE, ClaimVerdict.LABEL_MAP_SUSPECT)]
    # The labels were matched by order and another mapping fits far better: neither number judges the claim.
    suspect = [m for m in ev.measurements if m.verdict is ClaimVerdict.LABEL_MAP_SUSPECT]
    for m in suspect:
        d = m.to_dict()
        yield meta.skipped(
            f"label map suspect: {_label(m)}: claimed {m.claimed:g}, measured {m.measured:.4g} with the labels matched by order, "
            f"{m.alternative:.4g} with the mapping that fits the predictions (see VET802)",
            details={k: d[k] for k in ("task", "dataset", "split", "metric", "claimed", "measured", "alternative", "n", "verdict")},
        )
    # Measured on part of the claimed split only: the value is shown, the claim is neither confirmed nor refuted.
    partial = [m for m in ev.measurements if m.cause is Unverifiable.SUBSET and m.measured is not None]
    for m in partial:
        d = m.to_dict()
        yield meta.skipped(
            f"not verifiable like-for-like: {_label(m)}: claimed {m.claimed:g}, measured {m.measured:.4g} "
            f"(95% CI {m.ci_low:.4g}-{m.ci_high:.4g}, n={m.n}) on a subset of the claimed split ({m.subset}); indicative only",
            details={k: d[k] for k in ("task", "dataset", "split", "metric", "claimed", "measured", "ci_low", "ci_high", "n", "verdict", "subset", "subset_note")},
        )
    if not measured:
        if not partial and not suspect:
            yield meta.skipped("no claim could be re-measured (see VET803)")
        return
    for m in measured:
        d = m.to_dict()
        text = f"{_label(m)}: claimed {m.claimed:g}, measured {m.measured:.4g} (95% CI {m.ci_low:.4g}-{m.ci_high:.4g}, n={m.n})"
        details = {k: d[k] for k in ("task", "dataset", "split", "metric", "claimed", "measured", "ci_low", "ci_high", "n", "verdict", "tolerance")}
        if m.verdict is ClaimVerdict.OVERSTATED:
            yield meta.failed(f"overstated: {text}, tolerance {m.tolerance:.3g}", details=details, evidence=[d.get("data_path") or ""])
        elif m.verdict is ClaimVerdict.UNDERSTATED:
            yield meta.passed(f"understated (the model does better): {text}", details=details)
        else:
            yield meta.passed(f"consistent: {text}", details=details)


@check(LABEL_MAP)
def label_map_consistent(ev: Evidence) -> Iterable[Finding]:
    meta = LABEL_MAP
    checked = [m for m in ev.measurements if m.permutation]
    if not checked:
        yield (meta.skipped("no classification claim was re-measured") if ev.claims else meta.not_applicable("no claims"))
        return
    seen: set[str] = set()
    for m in checked:
        key = m.data_path or ""
        if key in seen:
            continue
        seen.add(key)
        perm = m.permutation or {}
        if perm.get("suspect"):
            swaps = ", ".join(f"{a} -> {b}" for a, b in (perm.get("suggested") or {}).items())
            alt = f"; {m.metric} would be {m.alternative:.4g} instead of {m.measured:.4g}" if m.alternative is not None and m.measured is not None else ""
            yield meta.failed(
                f"{_label(m)}: relabelling the predictions ({swaps}) raises accuracy from "
                f"{perm['used_accuracy']:.3f} to {perm['best_accuracy']:.3f}{alt}",
                details={"label_map": dict(m.label_map or {}), "permutation": dict(perm), "alternative": m.alternative},
            )
        else:
            method = (m.label_map or {}).get("method", "?")
            yield meta.passed(f"{_label(m)}: the declared labels fit (mapping by {method})", details={"label_map": dict(m.label_map or {})})


@check(CLAIMS_MEASURABLE)
def claims_measurable(ev: Evidence) -> Iterable[Finding]:
    meta = CLAIMS_MEASURABLE
    if not ev.measurements:
        yield (meta.skipped("no evaluation data given") if ev.claims else meta.not_applicable("no claims"))
        return
    unverified = [m for m in ev.measurements if m.verdict is ClaimVerdict.NOT_VERIFIABLE]
    # The package's doing (unsupported task or metric, refused weights...) fails; missing data is the user's.
    bad = [m for m in unverified if m.cause is not None and m.cause.package_fault]
    missing = [m for m in unverified if m not in bad and m.cause is not Unverifiable.SUBSET]
    if bad:
        yield meta.failed(
            f"{len(bad)} of {len(ev.measurements)} claims cannot be re-measured: " + "; ".join(f"{_label(m)}: {m.reason}" for m in bad[:5]),
            details={"reasons": [m.reason for m in bad]},
        )
    elif len(missing) == len(ev.measurements):
        yield meta.skipped("no local data matched the claims: " + "; ".join(f"{_label(m)}: {m.reason}" for m in missing[:5]))
    else:
        yield meta.passed(f"{len(ev.measurements) - len(missing)} claims re-measured" + (f", {len(missing)} without local data" if missing else ""))


CHECKS: tuple[Check, ...] = (claims_reproduced, label_map_consistent, claims_measurable)
