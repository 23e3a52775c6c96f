"""Portability checks (VET3xx): can the model be loaded and run somewhere else?

The ICSE'23 PTM-reuse study (Jiang et al., Table I) groups here what decides
whether a model fits the reuser's stack: safe and alternative weight formats,
the framework, the model's size, its hardware needs and its licence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ptmvet.checks import _cardtext as ct
from ptmvet.checks._weights import (
    broken_weights,
    content_format,
    is_safe_format,
    none_checked,
    not_checked_lines,
    unusable_weights,
)
from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence, FileEntry

# --- VET301 -----------------------------------------------------------------

SAFE_FORMAT = CheckMeta(
    id="VET301",
    slug="safe-weight-format",
    attribute=Attribute.PORTABILITY,
    severity=Severity.HIGH,
    summary="The weights are available in a format whose loading runs no code (safetensors, GGUF, ONNX, ...).",
    remedy="Publish the weights as safetensors (e.g. `model.save_pretrained(dir, safe_serialization=True)` or the Hub's convert space) next to, or instead of, pickle files.",
    needs=frozenset({Need.FILES}),
)


def _weight_line(f: FileEntry) -> str:
    note = " (a Git LFS pointer: content not present)" if f.lfs_pointer is not None else ""
    return f"{f.path}: {f.weight_format}{note}"


@check(SAFE_FORMAT)
def safe_weight_format(ev: Evidence) -> Iterator[Finding]:
    meta = SAFE_FORMAT
    weights = ev.weight_files
    if not weights:
        yield meta.skipped(
            "the package holds no weight files (VET606)", evidence=(f"{len(ev.files)} file(s), none with a weight suffix",)
        )
        return
    # Judge by content where the scanner read it, else by name, exactly as VET701 does, so
    # the two never disagree. Files whose content could not be checked are named (VET606).
    unusable = unusable_weights(ev)
    broken = broken_weights(ev, unusable)  # an empty, unreadable or broken file offers no format at all
    if all(f.path in broken for f in weights):
        lines = not_checked_lines(broken)
        yield meta.skipped(
            none_checked(lines),
            evidence=lines[:6],
            details={"formats": [], "safe": [], "code_executing": [], "unusable": sorted(unusable)},
        )
        return
    judged = [(f, content_format(f, ev)[0]) for f in weights if f.path not in broken]
    formats = sorted({fmt for _, fmt in judged if fmt})
    safe = [f for f, fmt in judged if is_safe_format(fmt)]
    unsafe = [f for f, fmt in judged if not is_safe_format(fmt)]
    details = {
        "formats": formats,
        "safe": [f.path for f in safe],
        "code_executing": [f.path for f in unsafe],
        "unusable": sorted(unusable),
    }
    evidence = [_weight_line(f) for f in (safe + unsafe)[:6]]
    evidence += [f"{p}: content not checked ({r}; VET606)" for p, r in sorted(unusable.items()) if p in broken][:4]
    if safe and not unsafe:
        yield meta.passed(
            f"all weights in formats that run no code on load ({', '.join(formats)})",
            evidence=evidence,
            details=details,
        )
    elif safe:
        yield meta.passed(
            f"a safe format is available ({', '.join(sorted({fmt for f, fmt in judged if f in safe}))}); "
            f"{len(unsafe)} file(s) also in formats that can run code on load — load the safe one",
            evidence=evidence,
            details=details,
        )
    else:
        yield meta.failed(
            f"weights only in formats whose loading can run code ({', '.join(formats)})",
            evidence=evidence,
            details=details,
        )


# --- VET302 -----------------------------------------------------------------

LIBRARY = CheckMeta(
    id="VET302",
    slug="library-declared",
    attribute=Attribute.PORTABILITY,
    severity=Severity.MEDIUM,
    summary="The library or framework needed to load the model is declared.",
    remedy="Add `library_name: <library>` (e.g. transformers, sentence-transformers, timm, diffusers, peft) to the card metadata.",
    needs=frozenset({Need.CARD, Need.FILES}),
)
_KNOWN_LIBRARIES = frozenset({
    "transformers", "sentence-transformers", "diffusers", "peft", "timm", "open_clip", "keras", "tf-keras", "tensorflow",
    "pytorch", "jax", "flax", "sklearn", "scikit-learn", "spacy", "fasttext", "flair", "espnet", "speechbrain",
    "nemo", "fairseq", "stable-baselines3", "ml-agents", "gguf", "onnx", "llama.cpp", "mlx", "adapter-transformers",
    "setfit", "span-marker", "allennlp", "asteroid", "pyannote-audio", "paddlenlp", "transformers.js", "coreml",
    "tflite", "openvino", "ctranslate2", "gliner", "bertopic", "fastai", "keras-nlp", "keras-hub", "skops", "joblib",
})  # fmt: skip
_INFER: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(^|/)(modules\.json|sentence_bert_config\.json|config_sentence_transformers\.json)$"),
        "sentence-transformers",
    ),
    (re.compile(r"(^|/)adapter_config\.json$"), "peft"),
    (re.compile(r"^model_index\.json$"), "diffusers"),
    (re.compile(r"(^|/)open_clip_config\.json$"), "open_clip"),
    (re.compile(r"\.gguf$"), "gguf"),
    (re.compile(r"\.nemo$"), "nemo"),
    (re.compile(r"\.skops$"), "sklearn"),
    (re.compile(r"\.(keras|h5)$"), "keras"),
    (re.compile(r"\.onnx$"), "onnx"),
    (re.compile(r"\.tflite$"), "tflite"),
)


def _inferred_libraries(ev: Evidence) -> list[str]:
    found: list[str] = []
    for f in ev.files:
        for rx, lib in _INFER:
            if (
                rx.search(f.path)
                and f"{lib} (from {f.path})" not in found
                and not any(x.startswith(lib + " ") for x in found)
            ):
                found.append(f"{lib} (from {f.path})")
    for path, data in sorted(ev.configs.items()):
        if (
            path.endswith("config.json")
            and isinstance(data, Mapping)
            and ("architectures" in data or "model_type" in data)
            and not any(x.startswith("transformers ") for x in found)
        ):
            found.append(f"transformers (from {path} architectures/model_type)")
    return found


@check(LIBRARY)
def library_declared(ev: Evidence) -> Iterator[Finding]:
    meta = LIBRARY
    card = ev.card
    declared: list[str] = []
    if card is not None and card.meta_str("library_name"):
        declared.append(f"card metadata library_name: {card.meta_str('library_name')}")
    if ev.registry is not None and ev.registry.library_name:
        declared.append(f"registry library_name: {ev.registry.library_name}")
    tags = [t for t in ct.metadata_tags(card) if t.lower() in _KNOWN_LIBRARIES]
    if tags:
        declared.append(f"card metadata tags: {', '.join(tags)}")
    if declared:
        yield meta.passed("library declared", evidence=declared)
        return
    inferred = _inferred_libraries(ev)
    if inferred:
        yield meta.passed(
            f"library not declared but inferable from the files: {inferred[0].split(' ', 1)[0]} (weaker evidence); add `library_name`",
            evidence=[f"inferred: {x}" for x in inferred[:4]],
            details={"strength": "inferred"},
        )
        return
    if card is None and not ev.files:
        yield meta.skipped("no card and no files to look at")
        return
    yield meta.failed(
        "no library or framework declared or inferable",
        evidence=("no library_name or library tag in card metadata", "no config or file that identifies a library"),
    )


# --- VET303 -----------------------------------------------------------------

SIZE = CheckMeta(
    id="VET303",
    slug="model-size-known",
    attribute=Attribute.PORTABILITY,
    severity=Severity.LOW,
    summary="The model's parameter count and weight size are known (safetensors headers, weight file or LFS sizes, config, or the card).",
    remedy="Publish safetensors weights (their headers give exact parameter counts and dtypes) and state the parameter count in the card ('Model size: 110M params').",
    needs=frozenset({Need.FILES}),
)
_CARD_PARAMS = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*(k|m|b|t|thousand|million|billion|trillion)\s*(?:trainable\s+)?param(?:eter)?s?\b", re.I
)
_BERT_LIKE = frozenset({"bert", "roberta", "xlm-roberta", "camembert"})


def _int(cfg: Mapping[str, Any], key: str) -> int | None:
    v = cfg.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else None


def estimate_parameters(cfg: Mapping[str, Any]) -> int | None:
    """Parameter count of a BERT-family or DistilBERT encoder from its config (embeddings + layers + pooler).

    An estimate: task heads are not counted. None for architectures it does not know.
    """
    model_type = cfg.get("model_type")
    if model_type in _BERT_LIKE:
        h, n, i, v = (_int(cfg, k) for k in ("hidden_size", "num_hidden_layers", "intermediate_size", "vocab_size"))
        p = _int(cfg, "max_position_embeddings") or 512
        t = _int(cfg, "type_vocab_size") or 0
        pooler = True
    elif model_type == "distilbert":
        h, n, i, v = (_int(cfg, k) for k in ("dim", "n_layers", "hidden_dim", "vocab_size"))
        p = _int(cfg, "max_position_embeddings") or 512
        t = 0
        pooler = False
    else:
        return None
    if h is None or n is None or i is None or v is None:
        return None
    embeddings = (v + p + t) * h + 2 * h
    layer = 4 * (h * h + h) + (h * i + i) + (i * h + h) + 4 * h
    return embeddings + n * layer + ((h * h + h) if pooler else 0)


def _weight_bytes(f: FileEntry) -> int | None:
    if f.lfs_pointer is not None:
        return f.lfs_pointer.size
    if f.registry_size is not None:
        return f.registry_size
    return f.size


def _human(n: float, unit: str = "") -> str:
    for suffix in ("", "K", "M", "G", "T"):
        if abs(n) < 1000:
            return f"{n:.1f}{suffix}{unit}" if suffix else f"{n:.0f}{unit}"
        n /= 1000
    return f"{n:.1f}P{unit}"


@check(SIZE)
def model_size_known(ev: Evidence) -> Iterator[Finding]:
    meta = SIZE
    seen: list[str] = []
    details: dict[str, Any] = {}
    headers = [s for s in ev.safetensors if s.error is None]
    if headers:
        params = sum(s.parameters for s in headers)
        dtypes = sorted({d for s in headers for d in s.dtypes})
        details.update(parameters=params, parameters_source="safetensors", dtypes=dtypes)
        seen.append(
            f"safetensors headers: {params:,} parameters in {sum(s.tensors for s in headers)} tensors ({', '.join(dtypes)})"
        )
    unusable = unusable_weights(ev)
    sized = [(f, _weight_bytes(f)) for f in ev.weight_files if f.path not in unusable or f.lfs_pointer is not None]
    sized = [(f, b) for f, b in sized if b]
    if sized:
        # Several formats of one model are alternatives: report the largest format's total, not the sum.
        by_format: dict[str, int] = {}
        for f, b in sized:
            fmt = content_format(f, ev)[0] or "?"  # by content, as VET301 and the report's header judge
            by_format[fmt] = by_format.get(fmt, 0) + (b or 0)
        details["weights_bytes"] = by_format
        for f, b in sized[:4]:
            how = "LFS pointer size" if f.lfs_pointer is not None else "file size"
            seen.append(f"{f.path}: {_human(b or 0, 'B')} ({how})")
    for path, cfg in sorted(ev.configs.items()):
        if isinstance(cfg, Mapping) and path.endswith("config.json"):
            est = estimate_parameters(cfg)
            if est:
                details.setdefault("parameters", est)
                details.setdefault("parameters_source", f"estimate from {path}")
                details["config_estimate"] = est
                seen.append(f"{path}: ≈{est:,} parameters estimated from the architecture ({cfg.get('model_type')})")
                break
    if ev.card is not None:
        for q in ct.find_in_prose(ev.card, _CARD_PARAMS)[:2]:
            seen.append(f"card text: {q}")
    if seen:
        p = details.get("parameters")
        msg = f"{_human(p)} parameters" if isinstance(p, int) else "size known"
        if isinstance(p, int) and details.get("parameters_source") != "safetensors":
            # No readable header counted them: say it is an estimate, so it never reads as a count the weights confirm.
            msg = f"≈{msg} ({details['parameters_source']})"
        if details.get("weights_bytes"):
            msg += ", weights " + ", ".join(f"{fmt} {_human(b, 'B')}" for fmt, b in details["weights_bytes"].items())
        yield meta.passed(msg, evidence=seen[:6], details=details)
        return
    if not ev.files and ev.card is None:
        yield meta.skipped("no files and no card to read a size from")
        return
    yield meta.failed(
        "neither parameter count nor weight size is known",
        evidence=("no weight files, safetensors header or estimable config", "no parameter count in the card"),
    )


# --- VET304 -----------------------------------------------------------------

INFERENCE = CheckMeta(
    id="VET304",
    slug="inference-requirements",
    attribute=Attribute.PORTABILITY,
    severity=Severity.LOW,
    summary="The card gives hardware requirements or latency/throughput figures for running the model.",
    remedy="Add a 'Speeds, Sizes, Times' note: memory needed at inference, the hardware it was timed on, and latency or throughput.",
    needs=frozenset({Need.CARD}),
)
_INFER_TITLE = re.compile(
    r"speed|latency|throughput|hardware requirements|system requirements|inference (hardware|performance)", re.I
)
_INFER_TEXT = re.compile(
    r"\blatenc(y|ies)\b|\bthroughput\b|inference (time|speed)|\b\d+(\.\d+)?\s*(ms|milliseconds)\b|tokens?\s*/\s*s(ec(ond)?)?\b|"
    r"samples?\s*/\s*s(ec(ond)?)?\b|sentences?\s*/\s*s(ec(ond)?)?\b|\bVRAM\b|GPU memory|memory (footprint|usage|requirements?)|"
    r"\b\d+(\.\d+)?\s*GB of (v?ram|memory)|runs? (fine |well )?on (a |an )?(cpu|gpu|laptop|phone|mobile|edge)",
    re.I,
)


@check(INFERENCE)
def inference_requirements(ev: Evidence) -> Iterator[Finding]:
    meta = INFERENCE
    card = ev.card
    if card is None:
        yield meta.failed("no model card, so no inference requirements", evidence=("no model card",))
        return
    seen = [b.describe() for b in ct.filled(ct.blocks(card, ct.section_matcher(("speeds_sizes_times",), _INFER_TITLE)))]
    seen += [f"card text: {q}" for q in ct.find_in_prose(card, _INFER_TEXT)[:3]]
    if seen:
        yield meta.passed("inference hardware or speed documented", evidence=seen[:5])
    else:
        yield meta.failed(
            "no inference hardware, memory or latency information",
            evidence=("no speeds/sizes section and no latency, throughput or memory figure in the card",),
        )


# --- VET305 -----------------------------------------------------------------

ALT_FORMATS = CheckMeta(
    id="VET305",
    slug="alternative-formats",
    attribute=Attribute.PORTABILITY,
    severity=Severity.LOW,
    summary="Quantized or alternative weight formats are published (ONNX, GGUF, TFLite, Flax, int8/4-bit, ...).",
    remedy="Publish an alternative or quantized export (ONNX via optimum, GGUF via llama.cpp, int8/4-bit) for deployment targets, or link the repositories that host them.",
    needs=frozenset({Need.FILES}),
)
_QUANT_NAME = re.compile(
    r"int8|int4|[._-]q[2-8](_[k0-9]\w*)?[._-]|gptq|awq|bnb|4bit|8bit|quantiz|openvino|ggml|fp16|bf16|\.mlpackage|exl2",
    re.I,
)
_ALT_TAGS = re.compile(
    r"^(gguf|onnx|openvino|awq|gptq|4-bit|8-bit|quantized|tflite|coreml|mlx|exl2|bitsandbytes|ctranslate2)$", re.I
)
_EXPORT_FORMATS = frozenset({"gguf", "onnx", "tflite", "coreml"})


@check(ALT_FORMATS)
def alternative_formats(ev: Evidence) -> Iterator[Finding]:
    meta = ALT_FORMATS
    weights = ev.weight_files
    formats = sorted({f.weight_format for f in weights if f.weight_format})
    seen: list[str] = []
    if len(formats) > 1:
        seen.append(f"weight formats: {', '.join(formats)}")
    seen += [f"export format: {f.path}" for f in weights if f.weight_format in _EXPORT_FORMATS][:3]
    seen += [f"quantized/variant file: {f.path}" for f in ev.files if _QUANT_NAME.search(f.name)][:3]
    seen += [f"{path}: quantization_config" for path, _ in ct.config_values(ev.configs, "quantization_config")]
    if ev.file("quantize_config.json") is not None:
        seen.append("package file: quantize_config.json")
    seen += [f"card metadata tag: {t}" for t in ct.metadata_tags(ev.card) if _ALT_TAGS.match(t)]
    seen = list(dict.fromkeys(seen))
    if seen:
        yield meta.passed("alternative or quantized formats available", evidence=seen[:6], details={"formats": formats})
    elif not weights:
        yield meta.skipped("the package holds no weight files")
    else:
        yield meta.failed(
            f"weights published in one format only ({', '.join(formats)})",
            evidence=[f"weight files: {', '.join(f.path for f in weights[:4])}"],
        )


# --- VET306 -----------------------------------------------------------------

LICENSE = CheckMeta(
    id="VET306",
    slug="license-declared",
    attribute=Attribute.PORTABILITY,
    severity=Severity.HIGH,
    summary="A licence is declared (card metadata, registry or a LICENSE file). VET5xx analyse what it permits.",
    remedy="Add `license: <SPDX id>` to the card metadata (or `license: other` with `license_name`/`license_link`) and ship the licence text as LICENSE.",
    needs=frozenset({Need.CARD, Need.FILES}),
)


@check(LICENSE)
def license_declared(ev: Evidence) -> Iterator[Finding]:
    meta = LICENSE
    card = ev.card
    seen: list[str] = []
    ids: list[str] = []
    if card is not None:
        ids += [x for x in card.meta_list("license")]
        for key in ("license_name", "license_link"):
            if card.meta_str(key):
                seen.append(f"card metadata {key}: {ct.quote(card.meta_str(key))}")
    if ev.registry is not None:
        data = ev.registry.card_data or {}
        reg = data.get("license")
        for x in [reg] if isinstance(reg, str) else reg if isinstance(reg, list) else []:
            if isinstance(x, str) and x not in ids:
                ids.append(x)
        ids += [
            t.split(":", 1)[1] for t in ev.registry.tags if t.startswith("license:") and t.split(":", 1)[1] not in ids
        ]
    files = sorted(ev.license_texts)
    seen = [f"card metadata license: {x}" for x in ids] + seen + [f"licence file: {p}" for p in files]
    real = [x for x in ids if x.lower() not in ("unknown", "other", "none", "")]
    named_other = any(x.lower() == "other" for x in ids) and (len(seen) > len(ids) or files)
    if real or named_other or (files and not ids):
        shown = ", ".join(real) or (
            "other (" + ", ".join(s.split(": ", 1)[1] for s in seen[len(ids) :][:2]) + ")"
            if named_other
            else "licence file only"
        )
        yield meta.passed(
            f"licence declared: {shown}", evidence=seen[:5], details={"licenses": real or ids, "files": files}
        )
        return
    if card is None and not ev.files and ev.registry is None:
        yield meta.skipped("no card, files or registry information to read a licence from")
        return
    if ids:
        yield meta.failed(f"licence given as {', '.join(ids)!r}, which names no terms", evidence=seen)
    else:
        yield meta.failed(
            "no licence declared",
            evidence=(
                "no license in card metadata" if card else "no model card",
                "no LICENSE/COPYING file",
                *(["no licence in registry metadata"] if ev.registry else []),
            ),
        )


CHECKS: tuple[Check, ...] = (
    safe_weight_format,
    library_declared,
    model_size_known,
    inference_requirements,
    alternative_formats,
    license_declared,
)
