"""Policies: what a CI gate accepts. Versioned YAML with a shipped JSON Schema.

A policy decides, for each failing finding, whether it fails the gate
(``error``), is reported (``warn``) or is ignored (``off``): per check id, or
by severity thresholds. It adds minimum attribute scores, licence allow and
deny rules, a required signature, and waivers that expire.

A version 2 policy also names **stages of adoption** (``pilot``, ``limited``,
``production``...), each extending the one before with its own requirements
(:class:`Requirement`): claims re-measured, data schema fit, licence allowed,
provenance declared, signature verified, no expired waivers, and so on. A
requirement that could not be assessed fails (fail closed).

    policy = Policy.default()            # or .strict(), .research(), .load(path)
    result = gate(report, policy)
    result.passed
    result = gate(report, Policy.load("team.yaml").for_stage("pilot"))
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ptmvet.checks import by_id
from ptmvet.checks.interface import Attribute, Finding, Outcome, Severity
from ptmvet.errors import InputError, PolicyError
from ptmvet.report import Decision, NotRun, PolicyVerdict, Report

POLICY_VERSION = 2
PRESETS = ("default", "strict", "research")
SIGNATURE_CHECK = "VET603"


class Mode(StrEnum):
    """What a failing finding does to the gate."""

    ERROR = "error"
    WARN = "warn"
    OFF = "off"


class Requirement(StrEnum):
    """What a stage of adoption demands beyond the policy's rules (docs/adoption.md)."""

    CLAIMS_REMEASURED = "claims-remeasured"  # VET801 passed: claims re-measured on the user's data agree
    SCHEMA_FIT = "schema-fit"  # the user's data fits the model (``gate --schema-data``)
    LICENSE_ALLOWED = "license-allowed"  # licence identified and it permits the intended use
    PROVENANCE_DECLARED = "provenance-declared"  # base model, training data and author declared
    SIGNATURE = "signature"  # a signature over the files verified (VET603)
    NO_EXPIRED_WAIVERS = "no-expired-waivers"  # no waiver for this model is past its expiry
    NO_WAIVERS = "no-waivers"  # nothing is waived at all
    REVISION_PINNED = "revision-pinned"  # the files are identified by a commit (VET604)
    HASHES_VERIFIED = "hashes-verified"  # local files match the expected hashes, no LFS pointer left (VET601, VET602)
    WEIGHTS_SCANNED = "weights-scanned"  # the weight files were scanned and nothing dangerous found (VET702, VET705)


#: Checks whose PASS (or not-applicable) a requirement needs; anything else fails it.
_REQUIRED_CHECKS: Mapping[Requirement, tuple[str, ...]] = {
    Requirement.CLAIMS_REMEASURED: ("VET801",),
    Requirement.LICENSE_ALLOWED: ("VET501", "VET503"),
    Requirement.PROVENANCE_DECLARED: ("VET101", "VET102", "VET105"),
    Requirement.SIGNATURE: (SIGNATURE_CHECK,),
    Requirement.REVISION_PINNED: ("VET604",),
    Requirement.HASHES_VERIFIED: ("VET601", "VET602"),
    Requirement.WEIGHTS_SCANNED: ("VET702", "VET705"),
}
#: Requirements where not-applicable is not enough: the evidence must be there and pass.
_MUST_PASS = frozenset({Requirement.CLAIMS_REMEASURED, Requirement.SIGNATURE, Requirement.HASHES_VERIFIED, Requirement.REVISION_PINNED})


_PRESET_CACHE: dict[str, Any] = {}


@dataclass(frozen=True, kw_only=True)
class Stage:
    """One stage of adoption as written in the policy (not yet merged with the earlier ones)."""

    name: str
    description: str = ""
    requires: tuple[Requirement, ...] = ()
    fail_on: Severity | None = None
    warn_on: Severity | None = None
    checks: Mapping[str, Mode] = field(default_factory=dict)
    min_scores: Mapping[Attribute, float] = field(default_factory=dict)
    signers: int | None = None  # signatures a vetting attestation for this stage needs
    max_age_days: int | None = None  # how old such an attestation may be


@dataclass(frozen=True)
class SchemaFit:
    """Whether the user's data fits the model (from ``ptmvet.evaluate.schema``), for the schema-fit requirement."""

    fits: bool
    data: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Waiver:
    """An accepted failure: a check (optionally for one model) until an expiry date."""

    check: str
    reason: str
    expires: date
    target: str | None = None

    def applies(self, finding: Finding, report: Report) -> bool:
        if finding.check_id != self.check:
            return False
        if self.target is None:
            return True
        t = report.target
        return self.target in {t.name, t.repo_id, t.local_path}

    def active(self, today: date) -> bool:
        return today <= self.expires


@dataclass(frozen=True, kw_only=True)
class Policy:
    """A parsed, validated policy. Build with the named constructors."""

    name: str = "default"
    version: int = POLICY_VERSION
    fail_on: Severity = Severity.HIGH
    warn_on: Severity = Severity.MEDIUM
    checks: Mapping[str, Mode] = field(default_factory=dict)
    min_scores: Mapping[Attribute, float] = field(default_factory=dict)
    allow_licenses: tuple[str, ...] = ()
    deny_licenses: tuple[str, ...] = ()
    allow_classes: tuple[str, ...] = ()
    deny_classes: tuple[str, ...] = ()
    claims_tolerance: float | None = None
    require_signature: bool = False
    signer_identity: str | None = None
    signer_issuer: str | None = None
    signature_key: Path | None = None  # trust anchor: the publisher's public key
    signature_chain: tuple[Path, ...] = ()  # trust anchor: CA certificates
    waivers: tuple[Waiver, ...] = ()
    source: str = "<preset>"
    stages: tuple[Stage, ...] = ()
    stage: str | None = None  # the stage applied (for_stage), None for the policy without stages
    requires: tuple[Requirement, ...] = ()  # the applied stage's requirements, earlier stages' included
    signers: int = 1  # signatures a vetting attestation needs
    max_age_days: int | None = None  # how old a vetting attestation may be (None: any age)
    digest: str = ""  # sha256 of the validated policy document (extends resolved)

    @classmethod
    def default(cls) -> Policy:
        return cls.preset("default")

    @classmethod
    def strict(cls) -> Policy:
        return cls.preset("strict")

    @classmethod
    def research(cls) -> Policy:
        return cls.preset("research")

    @classmethod
    def preset(cls, name: str) -> Policy:
        if name not in PRESETS:
            raise PolicyError(f"no preset policy {name!r}", hint=f"presets: {', '.join(PRESETS)}")
        # Presets are package data and policies are frozen: read and validate each once per process
        # (every vet asks for the default policy; loading it cost more than all the checks of a card-only vet).
        cached = _PRESET_CACHE.get(name)
        if cached is None or not isinstance(cached, cls):
            text = resources.files("ptmvet.policies").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
            cached = cls.from_mapping(yaml.safe_load(text), source=f"<preset {name}>")
            _PRESET_CACHE[name] = cached
        return cached

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Load a policy file, or a preset by name (``default``, ``strict``, ``research``)."""
        if isinstance(path, str) and path in PRESETS and not Path(path).exists():
            return cls.preset(path)
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise InputError(f"{p}: policy file not found", path=str(p)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{p}: cannot read policy ({exc})", path=str(p)) from exc
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PolicyError(f"{p}: not valid YAML: {' '.join(str(exc).split())[:200]}") from exc
        data = data or {}
        if isinstance(data, dict) and "name" not in data:
            data["name"] = p.stem  # a policy that extends a preset is not that preset
        parent = data.get("extends") if isinstance(data, dict) else None
        if parent is not None:
            if parent not in PRESETS:
                raise PolicyError(f"{p}: extends unknown preset {parent!r}", hint=f"presets: {', '.join(PRESETS)}")
            base = yaml.safe_load(resources.files("ptmvet.policies").joinpath(f"{parent}.yaml").read_text(encoding="utf-8"))
            data = _merge(base, data)
        return cls.from_mapping(data, source=str(p))

    @classmethod
    def from_mapping(cls, data: Any, *, source: str = "<mapping>") -> Policy:
        """Validate against schemas/policy.schema.json, then check ids and dates."""
        data = _dates_to_text(data)
        if isinstance(data, dict) and isinstance(data.get("checks"), dict):
            # YAML 1.1 reads a bare `off` as false; it means the mode "off".
            data["checks"] = {k: ("off" if v is False else v) for k, v in data["checks"].items()}
        for stage in (data.get("stages") or ()) if isinstance(data, dict) and isinstance(data.get("stages"), list) else ():
            if isinstance(stage, dict) and isinstance(stage.get("checks"), dict):
                stage["checks"] = {k: ("off" if v is False else v) for k, v in stage["checks"].items()}
        if isinstance(data, dict) and data.get("version") == 1 and "stages" in data:
            raise PolicyError(f"{source}: stages need a version 2 policy", hint="write `version: 2` at the top")
        validate_policy_document(data, source=source)
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")).hexdigest()
        checks = _check_modes(data.get("checks"), source)
        known = by_id()
        waivers = []
        for i, w in enumerate(data.get("waivers") or ()):
            cid_u = w["check"].upper()
            if cid_u not in known:
                raise PolicyError(f"{source}: waiver {i + 1} names unknown check id {w['check']!r}")
            expires = w["expires"]
            if isinstance(expires, str):
                try:
                    expires = date.fromisoformat(expires)
                except ValueError as exc:
                    raise PolicyError(f"{source}: waiver {i + 1} has a bad expiry date {w['expires']!r} (use YYYY-MM-DD)") from exc
            waivers.append(Waiver(check=cid_u, reason=w["reason"], expires=expires, target=w.get("target")))
        lic = data.get("licenses") or {}
        claims = data.get("claims") or {}
        sig = data.get("signature") or {}
        return cls(
            name=str(data.get("name", "custom")),
            version=int(data["version"]),
            fail_on=Severity(data.get("fail_on", "high")),
            warn_on=Severity(data.get("warn_on", "medium")),
            checks=checks,
            min_scores={Attribute(k): float(v) for k, v in (data.get("min_scores") or {}).items()},
            allow_licenses=tuple(x.lower() for x in lic.get("allow", ())),
            deny_licenses=tuple(x.lower() for x in lic.get("deny", ())),
            allow_classes=tuple(lic.get("allow_classes", ())),
            deny_classes=tuple(lic.get("deny_classes", ())),
            claims_tolerance=claims.get("tolerance"),
            # `signature: {required: ...}` wins over the older top-level `require_signature`, so a
            # policy extending a preset can require (or waive) a signature either way.
            require_signature=bool(sig["required"] if "required" in sig else data.get("require_signature", False)),
            signer_identity=sig.get("identity"),
            signer_issuer=sig.get("issuer"),
            signature_key=_anchor(sig.get("key"), source),
            signature_chain=tuple(p for c in ([sig["chain"]] if isinstance(sig.get("chain"), str) else sig.get("chain") or ()) if (p := _anchor(c, source))),
            waivers=tuple(waivers),
            source=source,
            stages=_stages(data.get("stages"), source),
            digest=digest,
        )

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    def for_stage(self, name: str) -> Policy:
        """This policy with the stage ``name`` applied, every earlier stage included.

        Requirements accumulate; a later stage's ``fail_on``/``warn_on`` replace the
        earlier ones, its check modes override, minimum scores and signers only rise,
        the attestation age only shrinks.
        """
        if not self.stages:
            raise PolicyError(f"{self.source}: the policy has no stages, so there is no stage {name!r}", hint="stages need a version 2 policy (docs/adoption.md)")
        if name not in self.stage_names:
            raise PolicyError(f"{self.source}: no stage {name!r}", hint=f"stages: {', '.join(self.stage_names)}")
        requires: list[Requirement] = list(self.requires)
        fail_on, warn_on = self.fail_on, self.warn_on
        checks = dict(self.checks)
        scores = dict(self.min_scores)
        signers, max_age = self.signers, self.max_age_days
        for st in self.stages:
            requires += [r for r in st.requires if r not in requires]
            fail_on = st.fail_on or fail_on
            warn_on = st.warn_on or warn_on
            checks.update(st.checks)
            for attr, value in st.min_scores.items():
                scores[attr] = max(value, scores.get(attr, 0.0))
            signers = max(signers, st.signers or 1)
            if st.max_age_days is not None:
                max_age = st.max_age_days if max_age is None else min(max_age, st.max_age_days)
            if st.name == name:
                break
        return replace(
            self, stage=name, requires=tuple(requires), fail_on=fail_on, warn_on=warn_on, checks=checks,
            min_scores=scores, signers=signers, max_age_days=max_age,
        )

    def stage_rank(self, name: str) -> int | None:
        """Position of a stage (0 = the first), None when the policy has no such stage."""
        names = self.stage_names
        return names.index(name) if name in names else None

    def mode_for(self, finding: Finding) -> Mode:
        """The mode of a failing finding: its check's rule, else the severity thresholds."""
        if finding.check_id in self.checks:
            return self.checks[finding.check_id]
        if finding.severity.rank >= self.fail_on.rank:
            return Mode.ERROR
        if finding.severity.rank >= self.warn_on.rank:
            return Mode.WARN
        return Mode.OFF


def _anchor(value: Any, source: str) -> Path | None:
    """A trust-anchor path of the policy, relative to the policy file's folder."""
    if not value:
        return None
    p = Path(str(value)).expanduser()
    if not p.is_absolute() and not source.startswith("<"):
        p = Path(source).parent / p
    return p


def _check_modes(spec: Any, source: str) -> dict[str, Mode]:
    known = by_id()
    checks: dict[str, Mode] = {}
    for cid, mode in (spec or {}).items():
        cid_u = cid.upper()
        if cid_u not in known:
            raise PolicyError(f"{source}: unknown check id {cid!r}", hint="`ptmvet checks list` shows the ids")
        checks[cid_u] = Mode(mode if isinstance(mode, str) else mode["mode"])
    return checks


def _stages(spec: Any, source: str) -> tuple[Stage, ...]:
    out: list[Stage] = []
    for raw in spec or ():
        name = str(raw["name"])
        if name in {s.name for s in out}:
            raise PolicyError(f"{source}: stage {name!r} is named twice")
        out.append(
            Stage(
                name=name,
                description=str(raw.get("description", "")),
                requires=tuple(dict.fromkeys(Requirement(r) for r in raw.get("requires", ()))),
                fail_on=Severity(raw["fail_on"]) if "fail_on" in raw else None,
                warn_on=Severity(raw["warn_on"]) if "warn_on" in raw else None,
                checks=_check_modes(raw.get("checks"), f"{source}: stage {name}"),
                min_scores={Attribute(k): float(v) for k, v in (raw.get("min_scores") or {}).items()},
                signers=int(raw["signers"]) if "signers" in raw else None,
                max_age_days=int(raw["max_age_days"]) if "max_age_days" in raw else None,
            )
        )
    return tuple(out)


def _dates_to_text(value: Any) -> Any:
    """YAML reads 2027-01-31 as a date; the schema (and JSON) speak strings."""
    if isinstance(value, dict):
        return {k: _dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        out.pop("extends", None)
        return out
    return over


def policy_schema() -> dict[str, Any]:
    """The shipped JSON Schema of policy files."""
    text = resources.files("ptmvet.schemas").joinpath("policy.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_policy_document(data: Any, *, source: str) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(policy_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PolicyError(f"{source}: {where}: {err.message}{more}", hint="see schemas/policy.schema.json and docs/policy.md")


class GateStatus(StrEnum):
    FAIL = "fail"
    WARN = "warn"
    WAIVED = "waived"


@dataclass(frozen=True)
class GateItem:
    """One reason the gate failed, warned, or would have failed but for a waiver."""

    status: GateStatus
    rule: str  # "check", "coverage", "score", "license", "signature", "stage"
    message: str
    check_id: str | None = None
    severity: Severity | None = None
    waiver: Waiver | None = None
    requirement: Requirement | None = None  # rule "stage": the unmet requirement

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "rule": self.rule,
            "requirement": self.requirement.value if self.requirement else None,
            "check_id": self.check_id,
            "severity": self.severity.value if self.severity else None,
            "message": self.message,
            "waiver": {"reason": self.waiver.reason, "expires": self.waiver.expires.isoformat()} if self.waiver else None,
        }


@dataclass(frozen=True)
class GateResult:
    """The gate's decision on one report under one policy."""

    policy: Policy
    report: Report
    items: tuple[GateItem, ...]
    today: date
    schema_fit: SchemaFit | None = None
    #: Checks whose failure would matter under the policy but which were skipped or errored:
    #: the decision does not cover them, and every output says so.
    not_run: tuple[NotRun, ...] = ()

    @property
    def passed(self) -> bool:
        return not any(i.status is GateStatus.FAIL for i in self.items)

    @property
    def stage(self) -> str | None:
        return self.policy.stage

    @property
    def waivers_used(self) -> tuple[Waiver, ...]:
        """The waivers that turned a failure into a pass, each once."""
        return tuple(dict.fromkeys(i.waiver for i in self.items if i.status is GateStatus.WAIVED and i.waiver is not None))

    def requirement_results(self) -> list[dict[str, Any]]:
        """Each requirement of the applied stage and whether it was met."""
        unmet = {i.requirement: i.message for i in self.items if i.rule == "stage" and i.requirement is not None}
        return [{"requirement": r.value, "met": r not in unmet, "message": unmet.get(r)} for r in self.policy.requires]

    def to_dict(self) -> dict[str, Any]:
        """The gate result's fields; the JSON writer (``formats.gate``) puts its schema_version first."""
        return {
            "policy": {
                "name": self.policy.name, "version": self.policy.version, "source": self.policy.source,
                "digest": {"sha256": self.policy.digest},
            },
            "stage": self.stage,
            "target": self.report.target.to_dict(),
            "passed": self.passed,
            "date": self.today.isoformat(),
            "requirements": self.requirement_results(),
            "items": [i.to_dict() for i in self.items],
            "not_run": [x.to_dict() for x in self.not_run],
        }


#: Outcomes the gate weighs as failures.
_FAILING = frozenset({Outcome.FAIL, Outcome.ERROR})
#: Outcomes of checks that did not look (listed as not run).
_NOT_LOOKED = frozenset({Outcome.SKIPPED, Outcome.ERROR})


def gate(
    report: Report,
    policy: Policy,
    *,
    today: date | None = None,
    license_classes: Sequence[str] | None = None,
    schema_fit: SchemaFit | None = None,
) -> GateResult:
    """Decide whether the report passes the policy (at its stage, when one is applied).

    ``license_classes`` are the classes of the model's licence for the intended
    use (``ptmvet.licenses``); when None they are read from the report's
    licence findings (``details["classes"]``). ``schema_fit`` is the result of
    checking the user's data against the model, for the schema-fit requirement.
    """
    today = today or datetime.now(UTC).date()
    items: list[GateItem] = []
    for f in report.findings:
        # A check that crashed was not run: its failure is not ruled out, so it weighs as one.
        if f.outcome not in _FAILING:
            continue
        mode = policy.mode_for(f)
        if mode is Mode.OFF:
            continue
        waiver = next((w for w in policy.waivers if w.applies(f, report)), None)
        msg = f"{f.check_id} {f.slug}: {'could not be run: ' if f.outcome is Outcome.ERROR else ''}{f.message}"
        if waiver is not None and waiver.active(today):
            items.append(GateItem(GateStatus.WAIVED, "check", msg, f.check_id, f.severity, waiver))
            continue
        if waiver is not None:
            msg += f" (waiver expired on {waiver.expires.isoformat()})"
        status = GateStatus.FAIL if mode is Mode.ERROR else GateStatus.WARN
        items.append(GateItem(status, "check", msg, f.check_id, f.severity, waiver))
    for what in report.not_vetted:
        items.append(GateItem(GateStatus.FAIL, "coverage", f"not fully vetted: {what}"))
    for attr, minimum in policy.min_scores.items():
        score = report.scores.get(attr)
        if score is None:
            items.append(GateItem(GateStatus.FAIL, "score", f"{attr.value} score is not assessable; the policy requires at least {minimum:g}"))
        elif score < minimum:
            items.append(GateItem(GateStatus.FAIL, "score", f"{attr.value} score {score:g} is below the policy's minimum {minimum:g}"))
    items.extend(_license_items(report, policy, license_classes))
    if policy.require_signature or policy.signer_identity or policy.signer_issuer:
        items.extend(_signature_items(report, policy))
    items.extend(_requirement_items(report, policy, items, today, schema_fit))
    return GateResult(policy=policy, report=report, items=tuple(items), today=today, schema_fit=schema_fit, not_run=_not_run(report, policy))


def _not_run(report: Report, policy: Policy) -> tuple[NotRun, ...]:
    """The skipped or errored checks whose failure the policy would fail or warn on, worst first, each once.

    The policy decides nothing about them (the decision stays as the policy says); they are
    listed so that a PASS never reads as "everything was checked".
    """
    out: dict[str, Finding] = {}
    for f in report.findings:
        if f.outcome in _NOT_LOOKED and policy.mode_for(f) is not Mode.OFF:
            out.setdefault(f.check_id, f)
    ranked = sorted(out.values(), key=lambda f: (-f.severity.rank, f.check_id))
    return tuple(NotRun(f.check_id, f.slug, f.severity.value, f.outcome.value, f.message) for f in ranked)


def _requirement_items(
    report: Report, policy: Policy, items: Sequence[GateItem], today: date, schema_fit: SchemaFit | None
) -> list[GateItem]:
    """One FAIL item per unmet requirement of the applied stage; unassessed means unmet."""
    out: list[GateItem] = []
    by_check: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_check.setdefault(f.check_id, []).append(f)
    for req in policy.requires:
        why = _unmet(req, report, policy, items, today=today, schema_fit=schema_fit, by_check=by_check)
        if why is not None:
            # Name the first check that stands in the way, so SARIF shows the item under that check's rule.
            blocking = next((cid for cid in _REQUIRED_CHECKS.get(req, ()) if why.startswith(cid) or f"; {cid} " in why), None)
            out.append(GateItem(GateStatus.FAIL, "stage", f"stage {policy.stage} requires {req.value}: {why}", blocking, requirement=req))
    return out


def _unmet(
    req: Requirement,
    report: Report,
    policy: Policy,
    items: Sequence[GateItem],
    *,
    today: date,
    schema_fit: SchemaFit | None,
    by_check: Mapping[str, Sequence[Finding]],
) -> str | None:
    if req is Requirement.SCHEMA_FIT:
        if schema_fit is None:
            return "the data schema was not checked (give the gate --schema-data FILE)"
        if not schema_fit.fits:
            return f"{schema_fit.data} does not fit the model: " + "; ".join(schema_fit.problems[:3] or ("see `ptmvet schema`",))
        return None
    if req is Requirement.NO_WAIVERS:
        waived = sorted({i.check_id or i.rule for i in items if i.status is GateStatus.WAIVED})
        return f"waived: {', '.join(waived)}" if waived else None
    if req is Requirement.NO_EXPIRED_WAIVERS:
        expired = [w for w in policy.waivers if not w.active(today) and (w.target is None or w.target in _names(report))]
        return "; ".join(f"{w.check} waiver expired on {w.expires.isoformat()}" for w in expired) or None
    signature_rule = policy.require_signature or policy.signer_identity
    if req is Requirement.SIGNATURE and signature_rule and any(i.rule == "signature" and i.status is GateStatus.FAIL for i in items):
        return "the signature did not verify (see above)"
    allowed = {Outcome.PASS} if req in _MUST_PASS else {Outcome.PASS, Outcome.NOT_APPLICABLE}
    problems: list[str] = []
    for cid in _REQUIRED_CHECKS[req]:
        found = by_check.get(cid, ())
        if not found:
            problems.append(f"{cid} did not run")
            continue
        for f in found:
            if f.outcome not in allowed:
                problems.append(f"{cid} {f.slug} {f.outcome.value}: {f.message}")
                break
    return "; ".join(problems) or None


def _names(report: Report) -> set[str | None]:
    t = report.target
    return {t.name, t.repo_id, t.local_path}


def _license_items(report: Report, policy: Policy, classes: Sequence[str] | None) -> list[GateItem]:
    lic = report.summary.license
    lic_id = str(lic).lower() if lic else None
    out: list[GateItem] = []
    if lic_id and lic_id in policy.deny_licenses:
        out.append(GateItem(GateStatus.FAIL, "license", f"licence {lic_id} is denied by the policy"))
    if policy.allow_licenses and lic_id not in policy.allow_licenses:
        out.append(GateItem(GateStatus.FAIL, "license", f"licence {lic_id or '(none)'} is not in the policy's allow list"))
    if classes is None:
        found: list[str] = []
        for f in report.findings:
            if f.attribute is Attribute.LICENSE and isinstance(f.details.get("classes"), list):
                found.extend(str(c) for c in f.details["classes"])
        classes = found if found else (["unknown"] if not lic_id else [])
    for c in classes:
        if c in policy.deny_classes:
            what = f"licence {lic_id} is of class {c!r}" if lic_id else f"no licence declared (class {c!r}: nothing grants the use)"
            out.append(GateItem(GateStatus.FAIL, "license", f"{what}, denied by the policy"))
    if policy.allow_classes and classes and not any(c in policy.allow_classes for c in classes):
        out.append(GateItem(GateStatus.FAIL, "license", f"licence classes {', '.join(classes)} are not in the policy's allow list"))
    return out


def _signature_items(report: Report, policy: Policy) -> list[GateItem]:
    sig = [f for f in report.findings if f.check_id == SIGNATURE_CHECK]
    if not sig or all(f.outcome is not Outcome.PASS for f in sig):
        why = sig[0].message if sig else "no signature check ran"
        if sig and sig[0].outcome is Outcome.SKIPPED and not (policy.signature_key or policy.signature_chain):
            why += " (give the trust anchor: gate --key PUB.pem or --chain CA.pem, or the policy's signature.key / signature.chain)"
        return [GateItem(GateStatus.FAIL, "signature", f"the policy requires a valid signature: {why}", SIGNATURE_CHECK)]
    out: list[GateItem] = []
    identities = {str(i) for f in sig for i in (f.details.get("identities") or ())}
    if policy.signer_identity and policy.signer_identity.lower() not in {i.lower() for i in identities}:
        got = ", ".join(sorted(identities)) or "unknown (a key signature names no identity)"
        out.append(GateItem(GateStatus.FAIL, "signature", f"signer {got} is not the required {policy.signer_identity}", SIGNATURE_CHECK))
    issuers = {str(f.details.get("issuer")) for f in sig if f.details.get("issuer")}
    if policy.signer_issuer and not any(policy.signer_issuer.lower() in i.lower() for i in issuers):
        got = ", ".join(sorted(issuers)) or "unknown"
        out.append(GateItem(GateStatus.FAIL, "signature", f"issuer {got} is not the required {policy.signer_issuer}", SIGNATURE_CHECK))
    return out


def overall_verdict(report: Report, policy: Policy | None = None, *, today: date | None = None) -> PolicyVerdict:
    """The report's overall PASS/FAIL under ``policy`` (the default policy when None), with the reasons.

    The same decision as :func:`gate`, as data for the top of every report format.
    """
    policy = policy or Policy.default()
    result = gate(report, policy, today=today)
    by = {s: tuple(i.message for i in result.items if i.status is s) for s in GateStatus}
    return PolicyVerdict(
        decision=Decision.PASS if result.passed else Decision.FAIL,
        policy=policy.name,
        source=policy.source,
        reasons=by[GateStatus.FAIL],
        warnings=by[GateStatus.WARN],
        waived=by[GateStatus.WAIVED],
        not_run=result.not_run,
    )
