"""What a model card says about the model: task, datasets, base models, claims, licence.

Everything here is read once per card and reused: :func:`for_evidence` keeps
the last results by the identity of the evidence parts they were read from,
so every check and enricher of one vet shares one reading (the licence
detection included, which used to run five times per vet).

Each fact names its source, so a report can tell a declared fact from one
inferred from prose:

* task: ``front-matter:pipeline_tag``, ``registry:pipeline_tag``,
  ``front-matter:tags``, ``front-matter:model-index``, ``library``,
  ``config:architectures``, ``card-text``;
* datasets: ``front-matter``, ``card-link``, ``card-text``, ``card-table``, ``training-section``;
* base models: ``declared``, ``card-text``, ``config`` (weakest);
* claims: ``card-text``, ``card-table``, each with a confidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ptmvet.card import Claim, ModelCard
from ptmvet.cardinfo.basemodel import BaseModel, find_base_models
from ptmvet.cardinfo.claims import TextClaim, table_claims, text_claims
from ptmvet.cardinfo.datasets import DatasetMention, find_datasets
from ptmvet.cardinfo.task import TaskInference, infer_task

if TYPE_CHECKING:
    from ptmvet.evidence import Evidence

__all__ = ["BaseModel", "CardInfo", "DatasetMention", "TaskInference", "TextClaim", "card_info", "for_evidence", "measurable_claims"]

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_FENCED = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[^\n]*$|\Z)", re.S | re.M)
_TRAINING_TITLE = re.compile(r"training (?:data|dataset|corpus|corpora)|pre-?training data|\bdatasets?\b|\bdata\b|corpus|corpora", re.I)
_EVAL_TITLE = re.compile(r"evaluat|results|benchmark|performance|testing data|metrics", re.I)

#: Characters of the card body read for task, datasets, base models and claims. The
#: longest real 2022 cards (spaCy pipelines, results table last) are 230 kB.
MAX_READ_CHARS = 300_000
#: Claims from prose below this confidence are reported but not re-measured.
MIN_MEASURE_CONFIDENCE = 0.7


@dataclass(frozen=True)
class CardInfo:
    """One reading of a card (with its config and registry record when given)."""

    task: TaskInference
    datasets: tuple[DatasetMention, ...] = ()
    base_models: tuple[BaseModel, ...] = ()
    text_claims: tuple[TextClaim, ...] = ()
    #: Sections whose titles say they hold evaluation results, and whether they name data.
    extras: Mapping[str, Any] = field(default_factory=dict)

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Claims from prose and tables that are complete enough to re-measure."""
        return tuple(t.claim for t in self.text_claims if t.confidence >= MIN_MEASURE_CONFIDENCE and t.claim.dataset)

    def to_section(self) -> dict[str, Any]:
        """The report's ``card`` section: one short line per fact, its source in brackets."""
        out: dict[str, Any] = {"task": f"{self.task.task} ({self.task.source})" if self.task.task else "not stated"}
        if self.datasets:
            out["datasets"] = [f"{d.id} ({d.source})" for d in self.datasets]
        if self.base_models:
            out["base_models"] = [f"{b.id} ({b.strength})" for b in self.base_models]
        if self.text_claims:
            out["text_claims"] = [
                f"{t.claim.metric} {t.claim.value:g} on {t.claim.dataset or '?'}{'/' + t.claim.dataset_split if t.claim.dataset_split else ''}"
                f" ({t.claim.source}, confidence {t.confidence:g})"
                for t in self.text_claims[:20]
                if t.claim.value is not None
            ]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task.to_dict(),
            "datasets": [d.to_dict() for d in self.datasets],
            "base_models": [b.to_dict() for b in self.base_models],
            "text_claims": [{**t.claim.to_dict(), "confidence": t.confidence, "quote": t.quote} for t in self.text_claims],
        }


def strip_code(body: str) -> str:
    """The card body without HTML comments and fenced code (links and tables kept)."""
    if "<!--" in body:
        body = _COMMENT.sub(" ", body)
    if "```" in body or "~~~" in body:
        body = _FENCED.sub(" ", body)
    return body


def card_info(
    card: ModelCard | None,
    *,
    config: Mapping[str, Any] | None = None,
    registry_pipeline_tag: str | None = None,
    registry_library: str | None = None,
    registry_tags: Sequence[str] = (),
    files: Sequence[str] = (),
    own_ids: Sequence[str] = (),
    fallback_metadata: Mapping[str, Any] | None = None,
) -> CardInfo:
    """Read the task, datasets, base models and prose claims of one card."""
    metadata: Mapping[str, Any] = card.metadata if card is not None else {}
    if not metadata and fallback_metadata:
        metadata = fallback_metadata
    body = card.body if card is not None else ""
    if len(body) > MAX_READ_CHARS:
        body = body[:MAX_READ_CHARS]
    task = infer_task(
        metadata,
        body,
        config=config,
        registry_pipeline_tag=registry_pipeline_tag,
        registry_library=registry_library,
        registry_tags=registry_tags,
        files=files,
    )
    prose = strip_code(body)
    training: list[str] = []
    if card is not None and ("#" in body or "<h" in body):
        training = [s.text for s in card.sections if _TRAINING_TITLE.search(s.title) and not _EVAL_TITLE.search(s.title)]
    datasets = find_datasets(metadata, prose, training)
    bases = find_base_models(metadata, prose, config=config, own_ids=own_ids)
    names = [d.id for d in datasets]
    claims = text_claims(prose, datasets=names, task=task.task)
    if "|" in prose or "<table" in prose.lower():
        # a table row the prose restates is one claim; two rows of one table that happen to share a
        # value (BLEU 27.1 on two test sets) are two
        in_prose = {(c.claim.metric, c.claim.value) for c in claims}
        rows: set[tuple[str | None, float | None, str | None, str | None]] = set()
        for t in table_claims(prose, datasets=names, task=task.task, own_names=own_ids):
            key = (t.claim.metric, t.claim.value, t.claim.dataset, t.claim.dataset_split)
            if (t.claim.metric, t.claim.value) not in in_prose and key not in rows:
                rows.add(key)
                claims.append(t)
    return CardInfo(task=task, datasets=datasets, base_models=bases, text_claims=tuple(claims))


# ------------------------------------------------------------ once per vet

#: (kind, ids of the objects) -> (the objects, result); the oldest entry goes first.
_CACHE: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
_CACHE_SIZE = 4


def _memo(kind: str, parts: tuple[Any, ...], compute: Any) -> Any:
    """The result for these exact objects (compared by identity), computed once.

    The cache holds the objects themselves, so an id is never reused while
    its entry lives (the same ids are the same objects); enrichers replace the
    evidence but keep its card, configs and registry objects, so one vet reads
    each card once.
    """
    key = (kind, *map(id, parts))
    hit = _CACHE.get(key)
    if hit is not None:
        return hit[1]
    value = compute()
    if len(_CACHE) >= _CACHE_SIZE * 2:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = (parts, value)
    return value


def for_evidence(ev: Evidence) -> CardInfo:
    """The card reading of a package's evidence (computed once per card, config and registry record)."""
    reg = ev.registry

    def compute() -> CardInfo:
        own = [i for i in (ev.target.repo_id, ev.target.name) if i]
        return card_info(
            ev.card,
            config=ev.config,
            registry_pipeline_tag=reg.pipeline_tag if reg else None,
            registry_library=reg.library_name if reg else None,
            registry_tags=reg.tags if reg else (),
            files=[f.path for f in ev.files],
            own_ids=own,
            fallback_metadata=reg.card_data if reg else None,
        )

    info: CardInfo = _memo("info", (ev.card, ev.configs, reg, ev.target), compute)
    return info


def measurable_claims(ev: Evidence) -> tuple[Claim, ...]:
    """The claims to re-measure: the machine-readable ones, else those read from the card's prose and tables."""
    if ev.claims or ev.card is None:
        return ev.claims
    return for_evidence(ev).claims
