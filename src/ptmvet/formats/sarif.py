"""SARIF 2.1.0 output of a gate result: one rule per check, one result per gate item about a finding.

``helpUri``: every rule links its check's page as an absolute URL: the URL of
the ``docs/`` folder joined with ``checks/VET###.md``. That URL is written in
one place, the ``Documentation`` entry of ``[project.urls]`` in pyproject.toml
(read from the source checkout when running from one, else from the installed
package's metadata); ``--docs-url`` or ``PTMVET_DOCS_URL`` (e.g. your fork or
a tagged release) override it (docs/json.md, "SARIF").

Locations: each result points at the file its finding is about
(:func:`finding_paths`: the finding's ``paths``, else the ``path`` its details
name, else the model card ``README.md``), so a dangerous pickle points at the
pickle. URIs are relative to the package (``uriBaseId`` ``PKGROOT``, whose
absolute location is given in ``originalUriBaseIds``), or relative to the
working directory (``%SRCROOT%``) when the package lies inside it, as in a CI
checkout, so code scanning shows the alert on the file in the repository.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ptmvet._version import __version__
from ptmvet.checks import all_meta
from ptmvet.checks.interface import CheckMeta, Finding, Severity
from ptmvet.policy import GateItem, GateResult, GateStatus

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

#: The ``[project.urls]`` label (pyproject.toml) of the URL of the ``docs/`` folder.
DOCS_URL_LABEL = "Documentation"

#: The environment variable that overrides the ``Documentation`` URL.
DOCS_URL_ENV = "PTMVET_DOCS_URL"

#: The file a finding is about when it names none: the model card.
CARD = "README.md"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _label(text: str) -> str:
    # Project-URL labels compare as PEP 753 normalises them: lower case, no punctuation or space.
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _checkout_urls() -> dict[str, str] | None:
    """``[project.urls]`` of the pyproject.toml of the source checkout this module runs from, if any."""
    import tomllib

    pyproject = Path(__file__).resolve().parents[3] / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if project.get("name") != "ptmvet":
        return None
    urls = project.get("urls", {})
    return {str(k): str(v) for k, v in urls.items()} if isinstance(urls, dict) else None


def _installed_urls() -> dict[str, str]:
    """The ``Project-URL`` entries of the installed distribution's metadata."""
    from importlib import metadata

    try:
        entries = metadata.metadata("ptmvet").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return {}
    pairs = (entry.partition(",") for entry in entries)
    return {label.strip(): url.strip() for label, _, url in pairs}


def project_docs_url() -> str | None:
    """The ``Documentation`` URL of ``[project.urls]``, or None when neither the checkout nor the metadata has one.

    A source checkout's pyproject.toml wins over the metadata, which an editable
    install wrote when it was installed and does not follow later edits.
    """
    urls = _checkout_urls()
    if urls is None:
        urls = _installed_urls()
    return next((url for label, url in urls.items() if _label(label) == _label(DOCS_URL_LABEL)), None)


def check_docs_url(url: str, *, source: str) -> str:
    """``url`` ending in '/'; a usage error naming ``source`` unless it is absolute."""
    url = url.strip()
    if not url.startswith(("https://", "http://", "file://")):
        from ptmvet.errors import UsageError

        raise UsageError(f"{source}={url!r} is not an absolute URL", hint="e.g. https://github.com/ORG/ptmvet/blob/v1.0/docs/")
    return url if url.endswith("/") else url + "/"


def docs_url(override: str | None = None) -> str:
    """The absolute URL of the ``docs/`` folder, ending in '/'.

    ``override`` (the CLI's ``--docs-url``) wins, then ``PTMVET_DOCS_URL``, then the
    ``Documentation`` URL of ``[project.urls]``. An error if none is set or it is not absolute.
    """
    if override:
        return check_docs_url(override, source="--docs-url")
    env = os.environ.get(DOCS_URL_ENV, "").strip()
    if env:
        return check_docs_url(env, source=DOCS_URL_ENV)
    packaged = project_docs_url()
    if packaged is None:
        from ptmvet.errors import UsageError

        raise UsageError(
            "no documentation URL for the check pages: ptmvet's metadata has no Documentation project URL",
            hint=f"reinstall ptmvet, or set {DOCS_URL_ENV} or --docs-url to the URL of its docs/ folder",
        )
    return check_docs_url(packaged, source=f"[project.urls] {DOCS_URL_LABEL}")


def help_uri(meta: CheckMeta, base: str | None = None) -> str:
    """The absolute URL of a check's doc page (``base``: the docs folder's URL, default :func:`docs_url`)."""
    return (base or docs_url()) + meta.doc_path.removeprefix("docs/")


def finding_paths(f: Finding) -> tuple[str, ...]:
    """Package-relative files a finding is about: its ``paths``, else its details' path(s), else the card."""
    if f.paths:
        return tuple(f.paths)
    d: Mapping[str, Any] = f.details
    one = d.get("path")
    if isinstance(one, str) and one:
        return (one,)
    for key in ("paths", "files"):
        many = d.get(key)
        if isinstance(many, (list, tuple)) and many and all(isinstance(p, str) for p in many):
            return tuple(many)
    return (CARD,)


def _rule(meta: CheckMeta, base: str) -> dict[str, Any]:
    return {
        "id": meta.id,
        "name": "".join(part.capitalize() for part in meta.slug.split("-")),
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": f"{meta.summary} Remedy: {meta.remedy}"},
        "helpUri": help_uri(meta, base),
        "help": {"text": meta.remedy},
        "defaultConfiguration": {"level": _LEVEL[meta.severity]},
        "properties": {"attribute": meta.attribute.value, "severity": meta.severity.value, "tags": [meta.attribute.value]},
    }


#: Gate items that are not a check's finding (licence lists, minimum scores, coverage, signature,
#: stage requirements without a blocking check): one SARIF rule each, documented on the policy page.
_POLICY_RULES: dict[str, tuple[str, str]] = {
    "license": ("PolicyLicence", "The licence is allowed by the policy (allow and deny lists, denied classes)."),
    "score": ("PolicyMinimumScore", "Each attribute score reaches the policy's minimum."),
    "coverage": ("PolicyCoverage", "The run looked at everything: no check left out (--only), no scanning or hashing switched off."),
    "signature": ("PolicySignature", "The package signature verifies against the policy's trust anchor, identity and issuer."),
    "stage": ("PolicyStage", "Every requirement of the adoption stage is met."),
}


def _policy_rule(rule: str, base: str) -> dict[str, Any]:
    name, summary = _POLICY_RULES[rule]
    return {
        "id": f"policy-{rule}",
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary} A rule of the gate's policy, not of one check."},
        "helpUri": base + "policy.md",
        "help": {"text": "See the policy's rules and presets (docs/policy.md)."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["policy"]},
    }


def _dir_uri(path: Path) -> str:
    uri = path.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _bases(result: GateResult, cwd: Path | None) -> tuple[dict[str, Any], str, str]:
    """(originalUriBaseIds, base id, prefix of package files relative to that base)."""
    target = result.report.target
    if target.local_path:
        root = Path(target.local_path)
        here = (cwd or Path.cwd()).resolve()
        try:
            rel = root.resolve().relative_to(here).as_posix()
        except ValueError:
            rel = None
        if rel is not None:
            prefix = "" if rel in ("", ".") else rel + "/"
            return {"%SRCROOT%": {"uri": _dir_uri(here)}}, "%SRCROOT%", prefix
        return {"PKGROOT": {"uri": _dir_uri(root), "description": {"text": "the vetted model package"}}}, "PKGROOT", ""
    if target.repo_id:
        rev = target.revision or target.requested_revision or "main"
        uri = f"https://huggingface.co/{quote(target.repo_id)}/blob/{quote(rev, safe='')}/"
        return {"PKGROOT": {"uri": uri, "description": {"text": "the vetted model on the Hub"}}}, "PKGROOT", ""
    return {}, "", ""


def _finding_of(item: GateItem, findings: Sequence[Finding]) -> Finding | None:
    for f in findings:
        if f.check_id == item.check_id and item.message == f"{f.check_id} {f.slug}: {f.message}":
            return f
    return next((f for f in findings if f.check_id == item.check_id), None)


def render_gate_sarif(result: GateResult, *, cwd: Path | None = None, docs_base: str | None = None, **_: Any) -> str:
    """The SARIF log of a gate run (``docs_base``: the docs folder's URL, default :func:`docs_url`)."""
    base = docs_url(docs_base)
    metas = list(all_meta())
    index = {m.id: i for i, m in enumerate(metas)}
    target = result.report.target
    bases, base_id, prefix = _bases(result, cwd)
    findings = result.report.findings
    results: list[dict[str, Any]] = []
    policy_rules: list[str] = []
    for item in result.items:
        level = "error" if item.status is GateStatus.FAIL else ("warning" if item.status is GateStatus.WARN else "note")
        if item.check_id is None or item.check_id not in index:
            # A policy rule that failed must show in code scanning too, not only in the run's properties.
            if item.rule not in _POLICY_RULES:
                continue
            rule_id = f"policy-{item.rule}"
            if rule_id not in policy_rules:
                policy_rules.append(rule_id)
            art_: dict[str, Any] = {"uri": quote(prefix + CARD)}
            if base_id:
                art_["uriBaseId"] = base_id
            results.append(
                {
                    "ruleId": rule_id,
                    "ruleIndex": len(metas) + policy_rules.index(rule_id),
                    "level": level,
                    "message": {"text": item.message},
                    "locations": [{"physicalLocation": {"artifactLocation": art_}}],
                    "properties": {"gateStatus": item.status.value, "rule": item.rule},
                }
            )
            continue
        finding = _finding_of(item, findings)
        paths = finding_paths(finding) if finding is not None else (CARD,)
        locations = []
        for p in paths:
            art: dict[str, Any] = {"uri": quote(prefix + p)}
            if base_id:
                art["uriBaseId"] = base_id
            locations.append({"physicalLocation": {"artifactLocation": art}})
        entry: dict[str, Any] = {
            "ruleId": item.check_id,
            "ruleIndex": index[item.check_id],
            "level": level,
            "message": {"text": item.message},
            "locations": locations,
            "properties": {"gateStatus": item.status.value, "rule": item.rule},
        }
        if item.waiver is not None and item.status is GateStatus.WAIVED:
            entry["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": f"{item.waiver.reason} (until {item.waiver.expires.isoformat()})"}
            ]
        results.append(entry)
    for x in result.not_run:
        # A check the decision does not cover: a note, so a PASS in code scanning shows what was not looked at.
        if x.check_id not in index:
            continue
        skipped = next((f for f in findings if f.check_id == x.check_id and f.outcome.value == x.outcome), None)
        nr_locations = []
        for p in finding_paths(skipped) if skipped is not None else (CARD,):
            art_nr: dict[str, Any] = {"uri": quote(prefix + p)}
            if base_id:
                art_nr["uriBaseId"] = base_id
            nr_locations.append({"physicalLocation": {"artifactLocation": art_nr}})
        results.append(
            {
                "ruleId": x.check_id,
                "ruleIndex": index[x.check_id],
                "level": "note",
                "message": {"text": f"{x.check_id} {x.slug} could not be run ({x.outcome}): {x.reason}"},
                "locations": nr_locations,
                "properties": {"gateStatus": "not-run", "rule": "check", "outcome": x.outcome},
            }
        )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "ptmvet",
                "version": __version__,
                "informationUri": "https://pypi.org/project/ptmvet/",
                "rules": [_rule(m, base) for m in metas] + [_policy_rule(r.removeprefix("policy-"), base) for r in policy_rules],
            }
        },
        "results": results,
        # One code-scanning category per stage, so a pilot run does not close a production alert.
        **({"automationDetails": {"id": f"ptmvet-gate/{result.stage}/"}} if result.stage else {}),
        "properties": {
            "policy": result.policy.name,
            "policyDigest": result.policy.digest,
            "stage": result.stage,
            "requirements": result.requirement_results(),
            "passed": result.passed,
            "notRun": [x.to_dict() for x in result.not_run],
            "target": target.to_dict(),
        },
    }
    if bases:
        run["originalUriBaseIds"] = bases
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


__all__ = ["CARD", "DOCS_URL_ENV", "DOCS_URL_LABEL", "check_docs_url", "docs_url", "finding_paths", "help_uri", "project_docs_url", "render_gate_sarif"]
