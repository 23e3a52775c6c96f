"""Model cards: front matter, sections and performance claims.

Real cards are written by hand and are often broken: CRLF line ends, tabs in
YAML, ``model_index`` instead of ``model-index``, a string where a list is
expected. :func:`parse_card` never raises on card content; what it cannot
understand is recorded in :attr:`ModelCard.errors` and becomes a finding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

# Same block shape as huggingface_hub's REGEX_YAML_BLOCK, so both agree on
# what the front matter is.
_YAML_BLOCK = re.compile(r"^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")

#: The official Hub model card template (huggingface_hub modelcard_template.md):
#: canonical section -> lowercase heading fragments that map onto it.
TEMPLATE_SECTIONS: Mapping[str, tuple[str, ...]] = {
    "model_details": ("model details", "model description", "model summary", "overview", "about"),
    "model_sources": ("model sources", "sources", "repository", "resources"),
    "uses": ("uses", "intended use", "intended uses", "how to use", "usage"),
    "direct_use": ("direct use",),
    "downstream_use": ("downstream use",),
    "out_of_scope_use": ("out-of-scope", "out of scope", "misuse", "not intended"),
    "bias_risks_limitations": ("bias", "risks", "limitations", "limitation", "ethical considerations", "caveats"),
    "recommendations": ("recommendations",),
    "get_started": ("how to get started", "getting started", "quick start", "quickstart", "example", "usage example"),
    "training_details": ("training details", "training"),
    "training_data": ("training data", "training dataset", "pretraining data", "dataset"),
    "training_procedure": ("training procedure", "fine-tuning", "finetuning", "pretraining", "pre-training"),
    "preprocessing": ("preprocessing", "pre-processing"),
    "training_hyperparameters": ("hyperparameters", "training hyperparameters", "training parameters"),
    "speeds_sizes_times": ("speeds", "sizes", "times"),
    "evaluation": ("evaluation", "eval results", "evaluation results"),
    "testing_data": ("testing data", "test data", "evaluation data"),
    "factors": ("factors",),
    "metrics": ("metrics",),
    "results": ("results", "benchmark", "performance"),
    "summary": ("summary",),
    "model_examination": ("model examination", "interpretability", "explainability"),
    "environmental_impact": ("environmental impact", "carbon", "co2"),
    "technical_specifications": ("technical specifications", "technical specs"),
    "architecture": ("model architecture", "architecture", "objective"),
    "compute_infrastructure": ("compute infrastructure", "infrastructure"),
    "hardware": ("hardware",),
    "software": ("software", "framework versions", "framework"),
    "citation": ("citation", "bibtex", "cite", "reference"),
    "glossary": ("glossary",),
    "more_information": ("more information",),
    "card_authors": ("model card authors", "card authors", "authors"),
    "card_contact": ("model card contact", "contact"),
}


@dataclass(frozen=True)
class Claim:
    """A performance claim: a metric value on a dataset split for a task."""

    task_type: str | None
    dataset_name: str | None
    dataset_type: str | None
    metric_type: str | None
    value: float | None
    dataset_config: str | None = None
    dataset_split: str | None = None
    dataset_revision: str | None = None
    metric_name: str | None = None
    metric_config: str | None = None
    raw_value: Any = None
    verified: bool = False
    source: str = "model-index"  # model-index, eval-results, user, cli
    task_name: str | None = None
    model_name: str | None = None

    @property
    def dataset(self) -> str | None:
        """The dataset's id (type) if given, else its display name."""
        return self.dataset_type or self.dataset_name

    @property
    def metric(self) -> str | None:
        return self.metric_type or self.metric_name

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task_type,
            "task_name": self.task_name,
            "dataset": self.dataset,
            "dataset_name": self.dataset_name,
            "config": self.dataset_config,
            "split": self.dataset_split,
            "dataset_revision": self.dataset_revision,
            "metric": self.metric,
            "metric_name": self.metric_name,
            "value": self.value,
            "verified": self.verified,
            "source": self.source,
        }


@dataclass(frozen=True)
class Section:
    """A markdown section of the card body."""

    title: str
    level: int
    canonical: str | None  # key of TEMPLATE_SECTIONS, or None
    text: str  # body text under the heading (without subsections)

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class ModelCard:
    """A parsed model card. Built by :func:`parse_card`, never raises on content."""

    raw: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    has_front_matter: bool = False
    body: str = ""
    sections: tuple[Section, ...] = ()
    claims: tuple[Claim, ...] = ()
    errors: tuple[str, ...] = ()  # what could not be understood
    path: str = "README.md"

    @property
    def body_words(self) -> int:
        return len(self.body.split())

    def section(self, canonical: str) -> tuple[Section, ...]:
        """Sections mapped onto one canonical template section."""
        return tuple(s for s in self.sections if s.canonical == canonical)

    def has_section(self, canonical: str, *, min_words: int = 1) -> bool:
        return any(s.words >= min_words for s in self.section(canonical))

    def meta_list(self, key: str) -> tuple[str, ...]:
        """A metadata field as a tuple of strings, whatever shape the author used."""
        return as_str_list(self.metadata.get(key))

    def meta_str(self, key: str) -> str | None:
        value = self.metadata.get(key)
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, list) and value and isinstance(value[0], str):
            return value[0].strip() or None
        return None


def as_str_list(value: Any) -> tuple[str, ...]:
    """Normalise ``None``/str/list/dict-ish metadata to a tuple of non-empty strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, Mapping):
        return tuple(str(k) for k in value)
    if isinstance(value, Iterable):
        out: list[str] = []
        for item in value:
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                out.append(str(item))
            elif isinstance(item, Mapping):
                name = item.get("name") or item.get("id")
                if isinstance(name, str) and name.strip():
                    out.append(name.strip())
        return tuple(out)
    return ()


def split_front_matter(text: str) -> tuple[str | None, str]:
    """Split a card into its YAML block (or None) and its body."""
    match = _YAML_BLOCK.search(text)
    if match is None:
        return None, text
    return match.group(2), text[match.end() :]


def load_front_matter(block: str) -> tuple[dict[str, Any], list[str]]:
    """Parse a YAML block. Returns (mapping, errors); never raises."""
    errors: list[str] = []
    try:
        data = yaml.load(block, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        # Tabs are the commonest hand-written mistake: retry with them expanded.
        if "\t" in block:
            try:
                data = yaml.load(block.replace("\t", "  "), Loader=_Loader)  # noqa: S506
                errors.append("front matter contains tabs (parsed after expanding them)")
            except yaml.YAMLError:
                return {}, [f"front matter is not valid YAML: {_one_line(exc)}"]
        else:
            return {}, [f"front matter is not valid YAML: {_one_line(exc)}"]
    except (ValueError, TypeError, RecursionError) as exc:  # pathological YAML
        return {}, [f"front matter could not be parsed: {type(exc).__name__}"]
    if data is None:
        return {}, errors
    if not isinstance(data, dict):
        return {}, [*errors, f"front matter is a {type(data).__name__}, not a mapping"]
    return {str(k): v for k, v in data.items()}, errors


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def parse_sections(body: str) -> tuple[Section, ...]:
    """Split the markdown body into sections by ATX headings (outside code fences)."""
    sections: list[Section] = []
    title: str | None = None
    level = 0
    buf: list[str] = []
    in_fence = False

    def flush() -> None:
        if title is not None:
            sections.append(Section(title=title, level=level, canonical=canonical_section(title), text="\n".join(buf).strip()))

    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            buf.append(line)
            continue
        m = None if in_fence else _HEADING.match(line)
        if m:
            flush()
            level = len(m.group(1))
            title = _clean_heading(m.group(2))
            buf = []
        else:
            buf.append(line)
    flush()
    return tuple(sections)


def _clean_heading(title: str) -> str:
    title = re.sub(r"\[optional\]", "", title, flags=re.I)
    title = re.sub(r"<[^>]*>", "", title)
    title = re.sub(r"[*_`]", "", title)
    return title.strip(" :\t")


def canonical_section(title: str) -> str | None:
    """Map a heading onto the Hub template section it corresponds to."""
    t = title.lower()
    # Exact matches first, then the most specific (longest) fragment.
    for key, fragments in TEMPLATE_SECTIONS.items():
        if t in fragments:
            return key
    best: tuple[int, str] | None = None
    for key, fragments in TEMPLATE_SECTIONS.items():
        for frag in fragments:
            if frag in t and (best is None or len(frag) > best[0]):
                best = (len(frag), key)
    return best[1] if best else None


def to_float(value: Any) -> float | None:
    """A metric value as a float, or None. Accepts '91.3', '91.3%', numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, str):
        s = value.strip().rstrip("%").strip()
        try:
            f = float(s)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _s(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    s = str(value).strip()
    return s or None


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def claims_from_model_index(index: Any, *, source: str = "model-index") -> tuple[tuple[Claim, ...], list[str]]:
    """Typed claims from a ``model-index`` value. Returns (claims, errors)."""
    claims: list[Claim] = []
    errors: list[str] = []
    entries = _mappings(index)
    if index is not None and not entries:
        errors.append(f"model-index is a {type(index).__name__}, not a list of models")
    for entry in entries:
        model_name = _s(entry.get("name"))
        results = _mappings(entry.get("results"))
        for result in results:
            tasks = _mappings(result.get("task")) or [{}]
            task = tasks[0]
            datasets = _mappings(result.get("dataset")) or [{}]
            ds = datasets[0]
            metrics = _mappings(result.get("metrics"))
            if not metrics:
                errors.append(f"model-index result without metrics (model {model_name or '?'})")
            for metric in metrics:
                raw = metric.get("value")
                value = to_float(raw)
                if value is None and raw is not None:
                    errors.append(f"metric {metric.get('type') or metric.get('name')!s} has a non-numeric value {str(raw)[:40]!r}")
                claims.append(
                    Claim(
                        task_type=_s(task.get("type")),
                        task_name=_s(task.get("name")),
                        dataset_name=_s(ds.get("name")),
                        dataset_type=_s(ds.get("type")),
                        dataset_config=_s(ds.get("config")),
                        dataset_split=_s(ds.get("split")),
                        dataset_revision=_s(ds.get("revision")),
                        metric_type=_s(metric.get("type")),
                        metric_name=_s(metric.get("name")),
                        metric_config=_s(metric.get("config")),
                        value=value,
                        raw_value=raw if isinstance(raw, (int, float, str)) else None,
                        verified=metric.get("verified") is True,
                        source=source,
                        model_name=model_name,
                    )
                )
    return tuple(claims), errors


def claims_from_eval_results(data: Any, *, path: str = ".eval_results") -> tuple[tuple[Claim, ...], list[str]]:
    """Claims from one ``.eval_results/*.yaml`` document.

    The files hold either a ``model-index``-shaped document or a flat list of
    results (``task``/``dataset``/``metrics`` or ``task_type``/``dataset_type``/
    ``metric_type``/``metric_value`` keys, as in huggingface_hub's EvalResult).
    """
    if isinstance(data, Mapping) and ("model-index" in data or "model_index" in data):
        return claims_from_model_index(data.get("model-index", data.get("model_index")), source="eval-results")
    items = _mappings(data.get("results") if isinstance(data, Mapping) and "results" in data else data)
    claims: list[Claim] = []
    errors: list[str] = []
    for item in items:
        if "metrics" in item or "task" in item:
            sub, errs = claims_from_model_index([{"results": [item]}], source="eval-results")
            claims.extend(sub)
            errors.extend(errs)
            continue
        raw = item.get("metric_value", item.get("value"))
        claims.append(
            Claim(
                task_type=_s(item.get("task_type")),
                task_name=_s(item.get("task_name")),
                dataset_name=_s(item.get("dataset_name")),
                dataset_type=_s(item.get("dataset_type")),
                dataset_config=_s(item.get("dataset_config")),
                dataset_split=_s(item.get("dataset_split")),
                dataset_revision=_s(item.get("dataset_revision")),
                metric_type=_s(item.get("metric_type")),
                metric_name=_s(item.get("metric_name")),
                value=to_float(raw),
                raw_value=raw if isinstance(raw, (int, float, str)) else None,
                verified=item.get("verified") is True,
                source="eval-results",
            )
        )
    if not items and data is not None:
        errors.append(f"{path}: no results found")
    return tuple(claims), errors


def parse_card(text: str, *, path: str = "README.md") -> ModelCard:
    """Parse a model card. Never raises on content; problems go to ``errors``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    block, body = split_front_matter(text)
    metadata: dict[str, Any] = {}
    errors: list[str] = []
    if block is not None:
        metadata, errors = load_front_matter(block)
    index = metadata.get("model-index")
    if index is None and "model_index" in metadata:
        index = metadata["model_index"]
        errors.append("uses 'model_index' instead of 'model-index'")
    claims, claim_errors = claims_from_model_index(index)
    errors.extend(claim_errors)
    return ModelCard(
        raw=text,
        metadata=metadata,
        has_front_matter=block is not None,
        body=body,
        sections=parse_sections(body),
        claims=claims,
        errors=tuple(errors),
        path=path,
    )
