"""SARIF 2.1.0 output of a gate result: one rule per check, one result per gate item about a finding.

``helpUri``: every rule links its check's page as an absolute URL, the base
URL :data:`DEFAULT_DOCS_URL` (or ``PTMVET_DOCS_URL`` when set, e.g. your fork
or a tagged release) joined with ``docs/checks/VET###.md``.

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ptmvet._version import __version__
from ptmvet.checks import all_meta
from ptmvet.checks.interface import CheckMeta, Finding, Severity
from ptmvet.policy import GateItem, GateResult, GateStatus

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

#: Where the check pages live unless ``PTMVET_DOCS_URL`` says otherwise (docs/json.md, "SARIF").
DEFAULT_DOCS_URL = "https://github.com/ptmvet/ptmvet/blob/main/"

#: The environment variable that overrides :data:`DEFAULT_DOCS_URL`.
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


def docs_url() -> str:
    """The base URL of the documentation, ending in '/'; an error if it is not absolute."""
    base = os.environ.get(DOCS_URL_ENV, "").strip() or DEFAULT_DOCS_URL
    if not base.startswith(("https://", "http://", "file://")):
        from ptmvet.errors import UsageError

        raise UsageError(f"{DOCS_URL_ENV}={base!r} is not an absolute URL", hint="e.g. https://github.com/ORG/ptmvet/blob/v1.0/")
    return base if base.endswith("/") else base + "/"


def help_uri(meta: CheckMeta, base: str | None = None) -> str:
    """The absolute URL of a check's doc page."""
    return (base or docs_url()) + meta.doc_path


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


def render_gate_sarif(result: GateResult, *, cwd: Path | None = None, **_: Any) -> str:
    """The SARIF log of a gate run."""
    base = docs_url()
    metas = list(all_meta())
    index = {m.id: i for i, m in enumerate(metas)}
    target = result.report.target
    bases, base_id, prefix = _bases(result, cwd)
    findings = result.report.findings
    results: list[dict[str, Any]] = []
    for item in result.items:
        if item.check_id is None or item.check_id not in index:
            continue
        level = "error" if item.status is GateStatus.FAIL else ("warning" if item.status is GateStatus.WARN else "note")
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
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "ptmvet",
                "version": __version__,
                "informationUri": "https://pypi.org/project/ptmvet/",
                "rules": [_rule(m, base) for m in metas],
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
            "target": target.to_dict(),
        },
    }
    if bases:
        run["originalUriBaseIds"] = bases
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


__all__ = ["CARD", "DEFAULT_DOCS_URL", "DOCS_URL_ENV", "docs_url", "finding_paths", "help_uri", "render_gate_sarif"]
