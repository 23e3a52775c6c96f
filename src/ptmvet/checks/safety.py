"""Serialization safety checks (VET7xx), over the static scan in ``Evidence.scan``.

The scan itself (``ptmvet.scan``) reads the files; these checks only judge
its reports and the package's file list.
"""

from __future__ import annotations

from collections.abc import Iterable

from ptmvet.checks._weights import broken_weights, none_checked, not_checked_lines, unusable_weights, weight_like_files
from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import SAFE_FORMATS, Evidence, FileEntry
from ptmvet.evidence.scan import HEADER_FORMATS, PICKLE_FORMATS, ScanReport, ScanVerdict

_NEEDS = frozenset({Need.FILES, Need.WEIGHTS})

PICKLE_ONLY = CheckMeta(
    id="VET701",
    slug="pickle-only-weights",
    attribute=Attribute.SAFETY,
    severity=Severity.MEDIUM,
    summary="Weights exist only in formats whose loading unpickles (judged by content)",
    remedy="Publish safetensors weights next to (or instead of) the pickle files and load them with use_safetensors=True.",
    needs=_NEEDS,
)
DANGEROUS = CheckMeta(
    id="VET702",
    slug="dangerous-globals",
    attribute=Attribute.SAFETY,
    severity=Severity.CRITICAL,
    summary="No file imports a dangerous global (os, subprocess, eval, exec, getattr, runpy, ...) when loaded",
    remedy="Do not load this file. Ask the publisher for a safetensors export, or inspect it with `ptmvet scan` in isolation.",
    needs=_NEEDS,
)
UNKNOWN = CheckMeta(
    id="VET703",
    slug="unknown-globals",
    attribute=Attribute.SAFETY,
    severity=Severity.HIGH,
    summary="Every global a pickle imports is on the allowlist of known-safe callables",
    remedy="Review each unknown global's source before loading; prefer a safetensors export or torch.load(weights_only=True).",
    needs=_NEEDS,
)
ALTERNATIVE = CheckMeta(
    id="VET704",
    slug="safe-format-alternative",
    attribute=Attribute.SAFETY,
    severity=Severity.LOW,
    summary="Where pickle weights exist, a well-formed safe-format copy (safetensors, GGUF, ONNX) is there too",
    remedy="Convert the weights to safetensors (save_pretrained(..., safe_serialization=True)) and publish them alongside.",
    needs=_NEEDS,
)
MALFORMED = CheckMeta(
    id="VET705",
    slug="malformed-headers",
    attribute=Attribute.SAFETY,
    severity=Severity.HIGH,
    summary="Safetensors, GGUF and ONNX headers (and pickle streams, archives) are well formed",
    remedy="Re-export the file with the format's reference writer and publish it again; do not load a file whose header is inconsistent.",
    needs=_NEEDS,
)


INCOMPLETE = CheckMeta(
    id="VET706",
    slug="scan-incomplete",
    attribute=Attribute.SAFETY,
    severity=Severity.HIGH,
    summary="Every model file was analysed to the end (no limit reached, no damaged archive a loader still opens, "
    "no parse divergence, no archive the scanner cannot open)",
    remedy="Re-export the file with the library's own writer (or as safetensors); if it is genuinely this large, "
    "raise the scan limits and scan it again in isolation before loading it.",
    needs=_NEEDS,
)


def _reports(evidence: Evidence) -> dict[str, ScanReport]:
    return {r.path: r for r in evidence.scan}


def _scanned(evidence: Evidence) -> list[ScanReport]:
    return [r for r in evidence.scan if r.verdict is not ScanVerdict.SKIPPED]


def _no_local(meta: CheckMeta, evidence: Evidence) -> Finding | None:
    """The skipped finding when there is nothing local to judge, else None."""
    if not evidence.local_files:
        return meta.skipped("no local files: the package was not downloaded, nothing to scan")
    local_weights = [f for f in evidence.local_files if f.weight_format is not None and f.lfs_pointer is None]
    if local_weights and not evidence.scan:
        return meta.skipped("local weight files were not scanned (deep scan off)")
    return None


def _content_format(f: FileEntry, reports: dict[str, ScanReport]) -> tuple[str, bool]:
    """(format, judged by content) of a weight file: the scan's format, else the name's."""
    r = reports.get(f.path)
    if r is not None and r.verdict is not ScanVerdict.SKIPPED and r.format != "unrecognised":
        if r.format in PICKLE_FORMATS or r.details.get("object_arrays"):
            return "pickle", True
        if r.format in ("npz", "numpy"):
            return "numpy", True
        return r.format, True
    return f.weight_format or "", False


@check(PICKLE_ONLY)
def pickle_only(evidence: Evidence) -> Iterable[Finding]:
    if (skip := _no_local(PICKLE_ONLY, evidence)) is not None:
        yield skip
        return
    weights = evidence.weight_files
    if not weights:
        # Nothing to judge is not "nothing needs unpickling": VET606 fails on it, and this is no point in favour.
        others = weight_like_files(evidence)
        also = f"; {len(others)} file(s) hold weight content under another name: " + ", ".join(p for p, _ in others[:5]) if others else ""
        yield PICKLE_ONLY.skipped(f"the package holds no weight files (VET606){also}")
        return
    # As VET301 judges them, so the two never disagree: a Git LFS pointer by its name (the format
    # the publisher ships), an empty, unreadable or broken file not at all.
    unusable = broken_weights(evidence)
    usable = [f for f in weights if f.path not in unusable]
    not_checked = not_checked_lines(unusable)
    if not usable:
        yield PICKLE_ONLY.skipped(
            none_checked(not_checked),
            evidence=not_checked[:20],
            details={"unusable": sorted(unusable)},
        )
        return
    reports = _reports(evidence)
    formats = {f.path: _content_format(f, reports) for f in usable}
    pickled = sorted(p for p, (fmt, _) in formats.items() if fmt == "pickle")
    safe = sorted(p for p, (fmt, _) in formats.items() if fmt in SAFE_FORMATS or fmt == "numpy")
    mislabelled = sorted(p for p, (fmt, by_content) in formats.items() if by_content and fmt == "pickle" and evidence.file(p) and evidence.file(p).weight_format != "pickle")  # type: ignore[union-attr]
    details = {"pickle": pickled, "safe": safe, "mislabelled": mislabelled, "unusable": sorted(unusable)}
    # Files whose content could not be checked count on neither side, and the message says so.
    unchecked = f"; {len(unusable)} weight file(s) could not be checked (VET606)" if unusable else ""
    if pickled and not safe:
        yield PICKLE_ONLY.failed(f"weights exist only in pickle-based files ({len(pickled)}): loading them runs code", evidence=pickled, details=details)
    elif pickled:
        yield PICKLE_ONLY.passed(f"{len(safe)} safe-format weight file(s) next to {len(pickled)} pickle file(s){unchecked}", evidence=safe + not_checked, details=details)
    elif unusable:
        yield PICKLE_ONLY.passed(f"no checked weight file needs unpickling ({len(safe)} checked){unchecked}", evidence=safe + not_checked, details=details)
    else:
        yield PICKLE_ONLY.passed("no weight file needs unpickling", evidence=safe, details=details)
    if mislabelled:
        yield PICKLE_ONLY.failed(f"files named as a safe format hold a pickle: {', '.join(mislabelled)}", evidence=mislabelled, details=details)


def _pickle_reports(evidence: Evidence) -> list[ScanReport]:
    return [r for r in _scanned(evidence) if r.uses_pickle]


@check(DANGEROUS)
def dangerous_globals(evidence: Evidence) -> Iterable[Finding]:
    if (skip := _no_local(DANGEROUS, evidence)) is not None:
        yield skip
        return
    scanned = _scanned(evidence)
    bad = [r for r in scanned if r.verdict is ScanVerdict.DANGEROUS]
    if not bad:
        pickles = _pickle_reports(evidence)
        if not pickles:
            yield DANGEROUS.not_applicable("no scanned file loads through pickle")
            return
        n = sum(len(r.globals) for r in pickles)
        yield DANGEROUS.passed(f"{len(pickles)} pickle-based file(s) scanned, {n} imported global(s), none dangerous", evidence=[r.path for r in pickles])
        return
    for r in bad:
        lines = [f"{g.qualname} ({g.reason})" + (f" in {g.location}" if g.location else "") for g in r.dangerous_globals]
        lines += [f"{i.code}: {i.message}" for i in r.issues if i.verdict is ScanVerdict.DANGEROUS]
        yield DANGEROUS.failed(
            f"{r.path} ({r.format}) would run code when loaded: {', '.join(g.qualname for g in r.dangerous_globals) or lines[0]}",
            evidence=lines,
            details={"path": r.path, "format": r.format, "globals": [g.to_dict() for g in r.dangerous_globals]},
        )


@check(UNKNOWN)
def unknown_globals(evidence: Evidence) -> Iterable[Finding]:
    if (skip := _no_local(UNKNOWN, evidence)) is not None:
        yield skip
        return
    pickles = _pickle_reports(evidence)
    if not pickles:
        yield UNKNOWN.not_applicable("no scanned file loads through pickle")
        return
    flagged = False
    for r in pickles:
        unknown = r.unknown_globals
        if not unknown:
            continue
        flagged = True
        lines = [f"{g.qualname} ({g.reason})" + (f" in {g.location}" if g.location else "") for g in unknown]
        yield UNKNOWN.failed(
            f"{r.path}: {len(unknown)} global(s) not on the allowlist: {', '.join(g.qualname for g in unknown[:5])}",
            evidence=lines,
            details={"path": r.path, "globals": [g.to_dict() for g in unknown]},
        )
    if not flagged:
        # A dangerous global is not on the allowlist either: say so, so this pass never reads as "all allowed" beside VET702.
        dangerous = sorted({g.qualname for r in pickles for g in r.dangerous_globals})
        if dangerous:
            yield UNKNOWN.passed(
                f"no unknown global in {len(pickles)} pickle-based file(s); {len(dangerous)} dangerous one(s) fail VET702: "
                + ", ".join(dangerous[:5]),
                evidence=[r.path for r in pickles],
                details={"dangerous": dangerous},
            )
        else:
            yield UNKNOWN.passed(f"every global imported by {len(pickles)} pickle-based file(s) is on the allowlist", evidence=[r.path for r in pickles])


@check(ALTERNATIVE)
def safe_alternative(evidence: Evidence) -> Iterable[Finding]:
    if (skip := _no_local(ALTERNATIVE, evidence)) is not None:
        yield skip
        return
    reports = _reports(evidence)
    weights = evidence.weight_files
    formats = {f.path: _content_format(f, reports)[0] for f in weights}
    pickled = sorted(p for p, fmt in formats.items() if fmt == "pickle")
    if not pickled:
        yield ALTERNATIVE.not_applicable("no pickle weights: nothing needs an alternative")
        return
    safe = sorted(p for p, fmt in formats.items() if fmt in SAFE_FORMATS)
    good = [p for p in safe if p not in reports or reports[p].verdict in (ScanVerdict.SAFE, ScanVerdict.SKIPPED)]
    if good:
        yield ALTERNATIVE.passed(f"safe-format weights available: {', '.join(good[:5])}", evidence=good, details={"pickle": pickled, "safe": good})
    elif safe:
        yield ALTERNATIVE.failed(f"the safe-format copies are not well formed: {', '.join(safe[:5])}", evidence=safe, details={"pickle": pickled, "safe": safe})
    else:
        yield ALTERNATIVE.failed(f"{len(pickled)} pickle weight file(s) and no safetensors, GGUF or ONNX copy", evidence=pickled, details={"pickle": pickled})


@check(MALFORMED)
def malformed(evidence: Evidence) -> Iterable[Finding]:
    if (skip := _no_local(MALFORMED, evidence)) is not None:
        yield skip
        return
    scanned = _scanned(evidence)
    if not scanned:
        yield MALFORMED.not_applicable("no model serialization file was scanned")
        return
    bad = [r for r in scanned if any(i.verdict is ScanVerdict.MALFORMED for i in r.issues)]
    for r in bad:
        issues = [i for i in r.issues if i.verdict is ScanVerdict.MALFORMED]
        yield MALFORMED.failed(
            f"{r.path} ({r.format}): {issues[0].message}" + (f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""),
            evidence=[f"{i.code}: {i.message}" + (f" [{i.location}]" if i.location else "") for i in issues[:20]],
            details={"path": r.path, "format": r.format, "issues": [i.to_dict() for i in issues[:100]]},
        )
    if not bad:
        # A file the scanner could not analyse is not known to be well formed: no pass while one is left.
        formed: list[ScanReport] = []
        unread: list[ScanReport] = []
        for r in scanned:
            (unread if any(_incomplete(i.code) for i in r.issues) else formed).append(r)
        headers = sum(1 for r in formed if r.format in HEADER_FORMATS)
        message = f"{len(formed)} file(s) well formed ({headers} safetensors/GGUF/ONNX header(s) validated)"
        if unread:
            yield MALFORMED.skipped(
                f"{message}; {len(unread)} not fully analysed (VET706), so not known to be well formed",
                evidence=[f"{r.path}: not fully analysed" for r in unread] + [r.path for r in formed],
            )
        else:
            yield MALFORMED.passed(message, evidence=[r.path for r in formed])


#: Issue codes that mean "this part was not analysed" (the rest of the UNKNOWN codes are findings of their own).
_INCOMPLETE_CODES = frozenset(
    {"damaged-zip", "parse-divergence", "not-analysed", "scan-incomplete", "joblib-array", "template-error",
     "remote-code-elsewhere", "unknown-type"}
)  # fmt: skip


def _incomplete(code: str) -> bool:
    return code.startswith("limit-") or code in _INCOMPLETE_CODES


@check(INCOMPLETE)
def scan_incomplete(evidence: Evidence) -> Iterable[Finding]:
    if (skip := _no_local(INCOMPLETE, evidence)) is not None:
        yield skip
        return
    scanned = _scanned(evidence)
    # A weight file the scanner never analysed (empty, unreadable, only an LFS pointer, not a
    # format it knows) is the plainest case of a scan that did not reach the end.
    analysed = {r.path for r in scanned if r.verdict is not ScanVerdict.ERROR}
    unusable = {p: why for p, why in unusable_weights(evidence).items() if p not in analysed}
    for path, why in sorted(unusable.items()):
        yield INCOMPLETE.failed(
            f"{path} was not analysed: {why}",
            evidence=[f"{path}: {why}"],
            paths=(path,),
            details={"path": path, "reason": why},
        )
    if not scanned:
        if not unusable:
            yield INCOMPLETE.not_applicable("no model serialization file was scanned")
        return
    flagged = bool(unusable)
    for r in (r for r in scanned if r.path not in unusable):
        issues = [i for i in r.issues if i.verdict is ScanVerdict.UNKNOWN and _incomplete(i.code)]
        if not issues:
            continue
        flagged = True
        yield INCOMPLETE.failed(
            f"{r.path} ({r.format}) was not fully analysed: {issues[0].message}"
            + (f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""),
            evidence=[f"{i.code}: {i.message}" + (f" [{i.location}]" if i.location else "") for i in issues[:20]],
            details={"path": r.path, "format": r.format, "limits": sorted({i.code for i in issues})},
        )
    if not flagged:
        yield INCOMPLETE.passed(f"{len(scanned)} file(s) analysed to the end", evidence=[r.path for r in scanned])


REMOTE_CODE = CheckMeta(
    id="VET707",
    slug="remote-code",
    attribute=Attribute.SAFETY,
    severity=Severity.HIGH,
    summary="Loading needs no trust_remote_code: no auto_map points at Python shipped in the package or in another "
    "repository (and shipped Python makes no dangerous calls)",
    remedy="Prefer a model whose architecture is in the library itself; otherwise read every listed file (pin the "
    "revision) before passing trust_remote_code=True.",
    needs=_NEEDS,
)
KERAS_CODE = CheckMeta(
    id="VET708",
    slug="keras-code-layers",
    attribute=Attribute.SAFETY,
    severity=Severity.HIGH,
    summary="Keras models (.keras, .h5, SavedModel metadata) hold no Lambda layers and no custom objects",
    remedy="Load with keras.saving.load_model(..., safe_mode=True); ask for a model without Lambda layers, or "
    "review the custom objects' source before registering them.",
    needs=_NEEDS,
)
TEMPLATES = CheckMeta(
    id="VET709",
    slug="chat-template-injection",
    attribute=Attribute.SAFETY,
    severity=Severity.CRITICAL,
    summary="Chat templates (tokenizer_config.json, chat_template.json, GGUF metadata, .jinja files) do not walk "
    "to interpreter internals or the OS",
    remedy="Do not render this template outside a sandbox; replace it with the base model's template.",
    needs=_NEEDS,
)
SAVEDMODEL = CheckMeta(
    id="VET710",
    slug="savedmodel-file-ops",
    attribute=Attribute.SAFETY,
    severity=Severity.HIGH,
    summary="TensorFlow SavedModel graphs hold no ops that read or write files or call Python "
    "(ReadFile, WriteFile, MatchingFiles, PyFunc, ...)",
    remedy="Inspect the graph (saved_model_cli show --all) and ask for an export without file or Python ops.",
    needs=_NEEDS,
)
ONNX_OPS = CheckMeta(
    id="VET711",
    slug="onnx-custom-ops",
    attribute=Attribute.SAFETY,
    severity=Severity.MEDIUM,
    summary="ONNX models use only standard operator domains and keep external data inside the package",
    remedy="Re-export with standard operators; never register a custom-op library you have not built yourself; "
    "keep external data files next to the model.",
    needs=_NEEDS,
)


def _issue_check(
    meta: CheckMeta, evidence: Evidence, codes: frozenset[str], clean: str, *, reads: frozenset[str]
) -> Iterable[Finding]:
    """One failing finding per scanned file with an issue in ``codes``; a pass when there is none, unless a
    file of a format in ``reads`` could not be analysed (then skipped: nothing found is not nothing there)."""
    if (skip := _no_local(meta, evidence)) is not None:
        yield skip
        return
    flagged = False
    for r in evidence.scan:
        issues = [i for i in r.issues if i.code in codes]
        if not issues:
            continue
        flagged = True
        yield meta.failed(
            f"{r.path} ({r.format}): {issues[0].message}" + (f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""),
            evidence=[f"{i.code}: {i.message}" + (f" [{i.location}]" if i.location else "") for i in issues[:20]],
            details={
                "path": r.path,
                "format": r.format,
                "issues": [i.to_dict() for i in issues[:50]],
                **{k: r.details[k] for k in ("auto_map", "remote_code_files", "remote_code_repos", "dangerous_calls",
                                              "lambda_layers", "custom_objects", "file_ops", "custom_domains")
                   if k in r.details},
            },
        )
    if flagged:
        return
    unread = [f"{r.path}: {i.message}" for r in evidence.scan if r.format in reads for i in r.issues if _incomplete(i.code)]
    if unread:
        yield meta.skipped(
            f"{len(unread)} file(s) this check reads could not be analysed (VET706): {unread[0]}", evidence=unread[:20]
        )
        return
    yield meta.passed(clean)


@check(REMOTE_CODE)
def remote_code(evidence: Evidence) -> Iterable[Finding]:
    yield from _issue_check(
        REMOTE_CODE,
        evidence,
        frozenset({"remote-code", "remote-code-elsewhere", "dangerous-call"}),
        "no config asks for trust_remote_code and no shipped Python file makes a dangerous call",
        reads=frozenset({"hf-config", "python"}),
    )


@check(KERAS_CODE)
def keras_code(evidence: Evidence) -> Iterable[Finding]:
    yield from _issue_check(
        KERAS_CODE,
        evidence,
        frozenset({"keras-lambda", "keras-custom-object"}),
        "no Lambda layer or custom Keras object",
        reads=frozenset({"hdf5", "keras-h5", "keras-config", "savedmodel"}),
    )


@check(TEMPLATES)
def chat_templates(evidence: Evidence) -> Iterable[Finding]:
    yield from _issue_check(
        TEMPLATES,
        evidence,
        frozenset({"template-injection"}),
        "no chat template reaches interpreter internals or the OS",
        reads=frozenset({"hf-config", "chat-template"}),
    )


@check(SAVEDMODEL)
def savedmodel_ops(evidence: Evidence) -> Iterable[Finding]:
    yield from _issue_check(
        SAVEDMODEL,
        evidence,
        frozenset({"savedmodel-file-op"}),
        "no SavedModel graph op reads or writes files",
        reads=frozenset({"savedmodel"}),
    )


@check(ONNX_OPS)
def onnx_ops(evidence: Evidence) -> Iterable[Finding]:
    yield from _issue_check(
        ONNX_OPS,
        evidence,
        frozenset({"onnx-custom-op", "path-escape"}),
        "ONNX models (if any) use standard operators and keep external data inside the package",
        reads=frozenset({"onnx"}),
    )


CHECKS: tuple[Check, ...] = (
    pickle_only,
    dangerous_globals,
    unknown_globals,
    safe_alternative,
    malformed,
    scan_incomplete,
    remote_code,
    keras_code,
    chat_templates,
    savedmodel_ops,
    onnx_ops,
)
