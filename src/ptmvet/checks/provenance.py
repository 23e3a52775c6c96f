"""Provenance checks (VET1xx): where the model comes from and who made it.

The ICSE'23 PTM-reuse study (Jiang et al., Table I) lists provenance first
among the attributes reusers look for: the base model, the training data, the
paper, the code, the authors, the exact version and the training records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ptmvet.card import ModelCard
from ptmvet.cardinfo import _gate
from ptmvet.checks import _cardtext as ct
from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence

_HF_MODEL_LINK = re.compile(
    r"https?://huggingface\.co/(?!datasets/|spaces/|docs/|blog/|papers/|transformers/|models\?|join|login)"
    r"([A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?)",
    re.I,
)
_BACKTICK_ID = re.compile(r"`([A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?)`")
_LINEAGE_WORDS = re.compile(
    r"fine-?tun|finetun|based on|distill|initiali[sz]ed (?:from|with)|pre-?trained|checkpoint of|version of|trained from",
    re.I,
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(?:/[A-Za-z0-9][\w.-]{0,95})?$")


def _looks_like_hub_id(value: str) -> bool:
    return bool(_HUB_ID.match(value)) and not value.endswith((".py", ".json", ".bin", ".txt", ".md"))


# --- VET101 -----------------------------------------------------------------

BASE_MODEL = CheckMeta(
    id="VET101",
    slug="base-model-declared",
    attribute=Attribute.PROVENANCE,
    severity=Severity.MEDIUM,
    summary="The model declares the base model it was fine-tuned or derived from.",
    remedy="Add `base_model: <org/name>` to the card metadata (and `base_model_relation` if it is an adapter, merge or quantization).",
    needs=frozenset({Need.CARD}),
)


def _own_names(ev: Evidence) -> set[str]:
    names = {ev.target.name}
    if ev.target.repo_id:
        names.add(ev.target.repo_id)
        names.add(ev.target.repo_id.rsplit("/", 1)[-1])
    return {n.lower() for n in names if n}


def _card_lineage(ev: Evidence) -> list[str]:
    """Model ids named next to lineage words ("fine-tuned version of [x](...)")."""
    if ev.card is None:
        return []
    own = _own_names(ev)
    found: list[str] = []
    text = ct.prose(ev.card.body)
    for line in _lines_with(_LINEAGE_WORDS, text):
        ids = [m.group(1) for m in _HF_MODEL_LINK.finditer(line)]
        ids += [m.group(1) for m in _BACKTICK_ID.finditer(line) if "-" in m.group(1) or "/" in m.group(1)]
        for model_id in ids:
            model_id = model_id.rstrip(".")
            if model_id.lower() not in own and model_id.lower().rsplit("/", 1)[-1] not in own and model_id not in found:
                found.append(model_id)
    return found


def _lines_with(pattern: re.Pattern[str], text: str) -> list[str]:
    """The lines of ``text`` (as ``splitlines`` cuts them) in which ``pattern`` matches.

    One scan of the whole text instead of one search per line; exact for a pattern
    whose matches never cross a line break (``_LINEAGE_WORDS``: literal words and spaces).
    """
    fast = ct._lowercase_variant(pattern)  # exact on the folded text for an ASCII pattern, and several times faster
    starts = [m.start() for m in _gate.finditer(fast, _gate.folded(text))] if fast is not None and pattern.pattern.isascii() else [
        m.start() for m in _gate.finditer(pattern, text)
    ]
    if not starts:
        return []
    out: list[str] = []
    pos = 0
    i = 0
    for line, kept in zip(text.splitlines(), text.splitlines(keepends=True), strict=True):
        end = pos + len(kept)
        while i < len(starts) and starts[i] < pos:
            i += 1
        if i < len(starts) and starts[i] < end:
            out.append(line)
        pos = end
    return out


def _config_lineage(ev: Evidence) -> tuple[list[str], list[str]]:
    """(hub ids, local paths) named by ``_name_or_path`` in the package's configs."""
    own = _own_names(ev)
    ids: list[str] = []
    local: list[str] = []
    for path, value in ct.config_values(ev.configs, "_name_or_path"):
        if not isinstance(value, str):
            continue
        v = value.strip()
        if v.startswith(("/", ".", "~")) or "\\" in v or v.endswith("/") or ":" in v:
            local.append(f"{path} _name_or_path: {ct.quote(v)} (a local training path)")
        elif _looks_like_hub_id(v) and v.lower() not in own and v.lower().rsplit("/", 1)[-1] not in own:
            ids.append(f"{path} _name_or_path: {v}")
    return ids, local


@check(BASE_MODEL)
def base_model_declared(ev: Evidence) -> Iterator[Finding]:
    meta = BASE_MODEL
    declared = ev.card.meta_list("base_model") if ev.card else ()
    if declared:
        yield meta.passed(
            f"base model declared in card metadata: {', '.join(declared)}",
            evidence=tuple(f"card metadata base_model: {b}" for b in declared),
            details={"base_models": list(declared), "strength": "metadata"},
        )
        return
    card_ids = _card_lineage(ev)
    config_ids, local = _config_lineage(ev)
    if card_ids or config_ids:
        ev_lines = [f"card text names a parent model: {m}" for m in card_ids] + config_ids
        yield meta.passed(
            "base model named only in prose or config (weaker evidence); declare `base_model` in the card metadata",
            evidence=ev_lines,
            details={
                "base_models": list(dict.fromkeys(card_ids + [c.rsplit(": ", 1)[-1] for c in config_ids])),
                "strength": "card-text" if card_ids else "config",
            },
        )
        return
    if ev.card is None and not ev.configs:
        yield meta.skipped("no model card and no config to read a base model from")
        return
    seen = ["no base_model in card metadata" if ev.card else "no model card", *local]
    yield meta.failed("no base model declared", evidence=seen)


# --- VET102 -----------------------------------------------------------------

TRAINING_DATA = CheckMeta(
    id="VET102",
    slug="training-data-declared",
    attribute=Attribute.PROVENANCE,
    severity=Severity.MEDIUM,
    summary="The model declares the datasets it was trained or fine-tuned on.",
    remedy="List the training datasets under `datasets:` in the card metadata (Hub dataset ids) and describe them in a 'Training Data' section.",
    needs=frozenset({Need.CARD}),
)
_TRAINING_DATA_TITLE = re.compile(r"train\w*\s+(and\s+\w+\s+)?data|dataset", re.I)
_HF_DATASET_LINK = re.compile(r"https?://huggingface\.co/datasets/([\w.-]+(?:/[\w.-]+)?)", re.I)


def training_data_sections(card: ModelCard) -> tuple[tuple[ct.Block, ...], tuple[ct.Block, ...]]:
    """The card's training-data sections, and those of them that carry content."""
    found = ct.blocks(card, ct.section_matcher(("training_data",), _TRAINING_DATA_TITLE))
    return found, ct.filled(found)


@check(TRAINING_DATA)
def training_data_declared(ev: Evidence) -> Iterator[Finding]:
    meta = TRAINING_DATA
    card = ev.card
    if card is None:
        yield meta.failed("no model card, so no training data is declared", evidence=("no model card",))
        return
    datasets = card.meta_list("datasets")
    if datasets:
        shown = ", ".join(datasets[:8]) + (f" (+{len(datasets) - 8} more)" if len(datasets) > 8 else "")
        yield meta.passed(
            f"{len(datasets)} training dataset(s) declared in card metadata: {shown}",
            evidence=(f"card metadata datasets: {shown}",),
            details={"datasets": list(datasets), "strength": "metadata"},
        )
        return
    found, good = training_data_sections(card)
    if good:
        links = [m.group(1) for b in good for m in _HF_DATASET_LINK.finditer(b.text)]
        yield meta.passed(
            "training data described in the card text but not in the `datasets` metadata (weaker evidence)",
            evidence=[b.describe() for b in good] + [f"linked Hub dataset: {d}" for d in links[:5]],
            details={"datasets": links, "strength": "card-text"},
        )
        return
    from ptmvet.cardinfo import for_evidence

    named = for_evidence(ev).datasets
    if named:
        # "fine-tuned on SQuAD" without metadata or a section: declared, in prose (VET408 reads the same)
        yield meta.passed(
            "training datasets named in the card text but not in the `datasets` metadata (weaker evidence)",
            evidence=[f"{m.source}: {m.evidence}" for m in named[:4]],
            details={"datasets": [m.id for m in named], "strength": "card-text"},
        )
        return
    seen = ["no datasets in card metadata", *(b.describe() for b in found)]
    yield meta.failed("no training datasets declared", evidence=seen)


def _own_urls(card: ModelCard) -> tuple[str, ...]:
    """Card URLs outside training-data sections (those cite the datasets' papers and code, not the model's)."""
    data_text = "\n".join(b.text for b in ct.blocks(card, ct.section_matcher(("training_data",), _TRAINING_DATA_TITLE)))
    data_urls = set(ct.urls(data_text))
    return tuple(u for u in ct.urls(card.body) if u not in data_urls)


# --- VET103 -----------------------------------------------------------------

PAPER = CheckMeta(
    id="VET103",
    slug="paper-linked",
    attribute=Attribute.PROVENANCE,
    severity=Severity.LOW,
    summary="The card links a paper, arXiv preprint or DOI describing the model.",
    remedy="Link the paper or technical report (an arxiv.org or doi.org URL, which the Hub turns into an `arxiv:` tag) and add a BibTeX citation section.",
    needs=frozenset({Need.CARD}),
)
_PAPER_HOSTS = re.compile(
    r"arxiv\.org/|doi\.org/|aclanthology\.org/|aclweb\.org/anthology|openreview\.net/|proceedings\.neurips\.cc|papers\.nips\.cc|"
    r"proceedings\.mlr\.press|dl\.acm\.org/doi|ieeexplore\.ieee\.org|link\.springer\.com|semanticscholar\.org/paper|jmlr\.org/papers",
    re.I,
)
_ARXIV_ID = re.compile(r"\barxiv\s*:\s*\d{4}\.\d{4,5}", re.I)
_DOI_TEXT = re.compile(r"\bdoi\s*:\s*10\.\d{4,9}/\S+", re.I)
_BIBTEX = re.compile(r"@(article|inproceedings|misc|techreport|book|phdthesis|online)\s*\{", re.I)


@check(PAPER)
def paper_linked(ev: Evidence) -> Iterator[Finding]:
    meta = PAPER
    card = ev.card
    if card is None:
        yield meta.failed("no model card, so no paper is linked", evidence=("no model card",))
        return
    seen: list[str] = [
        f"card metadata tag: {t}" for t in card.meta_list("tags") if t.lower().startswith(("arxiv:", "doi:"))
    ]
    seen += [f"card link: {u}" for u in _own_urls(card) if _PAPER_HOSTS.search(u)]
    body = ct.strip_comments(card.body)
    seen += [f"card text: {m.group(0)}" for m in _gate.finditer(_ARXIV_ID, body)]
    seen += [f"card text: {ct.quote(m.group(0))}" for m in _gate.finditer(_DOI_TEXT, body)]
    if _gate.search(_BIBTEX, body):
        seen.append("card has a BibTeX citation")
    if seen:
        yield meta.passed(
            f"paper reference found ({len(seen)} item(s))", evidence=seen[:6], details={"count": len(seen)}
        )
    else:
        yield meta.failed(
            "no paper, arXiv or DOI link in the card", evidence=("no arxiv/doi tag, paper link or BibTeX in the card",)
        )


# --- VET104 -----------------------------------------------------------------

CODE = CheckMeta(
    id="VET104",
    slug="source-code-linked",
    attribute=Attribute.PROVENANCE,
    severity=Severity.LOW,
    summary="The card links the source code used to train or build the model.",
    remedy="Link the training code repository (GitHub, GitLab, ...) in the card, or ship the training script in the model repository.",
    needs=frozenset({Need.CARD, Need.FILES}),
)
_CODE_HOSTS = re.compile(r"https?://(www\.)?(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|sr\.ht|git\.)", re.I)
_SCRIPT_NAMED = re.compile(r"`?\b([\w-]*(?:train|finetune|fine_tune)[\w-]*\.py)\b`?", re.I)
_SCRIPT = re.compile(r"(^|/)(train|run_|finetune|fine_tune|pretrain)[\w-]*\.(py|sh|ipynb)$", re.I)


@check(CODE)
def source_code_linked(ev: Evidence) -> Iterator[Finding]:
    meta = CODE
    seen: list[str] = []
    if ev.card is not None:
        seen += [
            f"card link: {u}" for u in _own_urls(ev.card) if _CODE_HOSTS.match(u) and "raw.githubusercontent" not in u
        ]
    seen += [f"package file: {f.path}" for f in ev.files if _SCRIPT.search(f.path)]
    if seen:
        yield meta.passed(
            f"source code reference found ({len(seen)} item(s))", evidence=seen[:6], details={"count": len(seen)}
        )
        return
    if ev.card is None and not ev.files:
        yield meta.skipped("no card and no files to look at")
        return
    seen = [
        "no GitHub/GitLab/Bitbucket link in the card (outside training-data sections)" if ev.card else "no model card",
        "no train*.py / run_*.py file in the package",
    ]
    if ev.card is not None:
        named = sorted({m.group(1) for m in _gate.finditer(_SCRIPT_NAMED, ev.card.body)})
        seen += [f"card names a script the package does not ship: {n}" for n in named if ev.file(n) is None][:3]
    yield meta.failed("no link to source code and no training script in the package", evidence=seen)


# --- VET105 -----------------------------------------------------------------

AUTHOR = CheckMeta(
    id="VET105",
    slug="author-identified",
    attribute=Attribute.PROVENANCE,
    severity=Severity.MEDIUM,
    summary="The model's author or organisation can be identified.",
    remedy="Publish under an organisation namespace and name the developers in the card ('Model Card Authors' section or a 'Developed by:' line).",
    needs=frozenset({Need.CARD}),
)
_AUTHOR_KEYS = (
    "author",
    "authors",
    "model_creator",
    "developers",
    "developed_by",
    "organization",
    "organisation",
    "creator",
)
_AUTHORS_TITLE = re.compile(r"\bauthors?\b|\bdevelop(ed|ers)\b|\bcontributors?\b|\bteam\b|\bcreators?\b", re.I)
_DEVELOPED_BY = re.compile(
    r"\b(developed|created|trained|shared|funded|released) by\s*:?\**\s*:?\s*\[?([A-Z][^\n.]{1,80})", re.I
)
_BIB_AUTHOR = re.compile(r"\bauthor\s*=\s*[{\"]([^}\"]{2,200})", re.I)


def _author_meta(metadata: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for key in _AUTHOR_KEYS:
        value = metadata.get(key)
        names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        names = [str(n).strip() for n in names if isinstance(n, (str, int)) and str(n).strip()]
        if names:
            out.append(f"card metadata {key}: {ct.quote(', '.join(names))}")
    return out


@check(AUTHOR)
def author_identified(ev: Evidence) -> Iterator[Finding]:
    meta = AUTHOR
    seen: list[str] = []
    if ev.target.repo_id and "/" in ev.target.repo_id:
        seen.append(f"repository namespace: {ev.target.repo_id.split('/', 1)[0]}")
    if ev.registry is not None and ev.registry.author:
        seen.append(f"registry author: {ev.registry.author}")
    card = ev.card
    if card is not None:
        seen += _author_meta(card.metadata)
        for b in ct.filled(ct.blocks(card, ct.section_matcher(("card_authors",), _AUTHORS_TITLE)), min_words=1):
            seen.append(b.describe())
        body = ct.prose(card.body)
        for m in _gate.finditer(_DEVELOPED_BY, body):
            who = m.group(2).strip(" *[]")
            if who and "more information" not in who.lower():
                seen.append(f"card text: {ct.quote(m.group(0).strip(' *'), 80)}")
                break
        bib = _gate.search(_BIB_AUTHOR, ct.strip_comments(card.body))
        if bib:
            seen.append(f"citation author: {ct.quote(bib.group(1), 60)}")
    if ev.git is not None:
        authors = sorted({c.author for c in ev.git.commits if c.author})
        if authors:
            seen.append(f"git commit authors: {ct.quote(', '.join(authors[:5]), 80)}")
    if seen:
        yield meta.passed(f"author identified ({len(seen)} source(s))", evidence=seen[:6])
    elif card is None and not ev.files:
        yield meta.skipped("no card, repository id, registry or git information to identify an author")
    else:
        yield meta.failed(
            "no author or organisation identified",
            evidence=(
                "no repository namespace (not fetched by org/name)",
                "no authors in card metadata, sections or citation" if card else "no model card",
            ),
        )


# --- VET106 -----------------------------------------------------------------

REVISION = CheckMeta(
    id="VET106",
    slug="revision-identified",
    attribute=Attribute.PROVENANCE,
    severity=Severity.MEDIUM,
    summary="The vetted content is identified by a commit, so the report names exactly which version of the model it describes.",
    remedy="Vet the model by `org/name@<commit sha>` (or from the HF cache or a git clone), so the report records the commit it describes.",
    needs=frozenset(),
)


def _is_sha(value: str | None) -> bool:
    return bool(value) and bool(re.fullmatch(r"[0-9a-f]{40}", value or ""))


@check(REVISION)
def revision_identified(ev: Evidence) -> Iterator[Finding]:
    meta = REVISION
    seen: list[str] = []
    if _is_sha(ev.target.revision):
        seen.append(f"resolved revision: {ev.target.revision}")
    if ev.git is not None and _is_sha(ev.git.head):
        seen.append(f"git HEAD: {ev.git.head}" + (" (working tree has local changes)" if ev.git.dirty else ""))
    if ev.registry is not None and _is_sha(ev.registry.sha):
        seen.append(f"registry sha: {ev.registry.sha}")
    if seen:
        dirty = ev.git is not None and ev.git.dirty and not _is_sha(ev.target.revision)
        if dirty:
            yield meta.failed(
                "the git clone has uncommitted changes: the vetted files are not those of any commit", evidence=seen
            )
            return
        requested = ev.target.requested_revision
        note = f" (requested as {requested!r})" if requested and not _is_sha(requested) else ""
        yield meta.passed(
            f"content identified by commit{note}", evidence=seen, details={"revision": seen[0].rsplit(" ", 1)[-1]}
        )
        return
    yield meta.failed(
        "no commit identifies the vetted files (a plain folder copy)",
        evidence=(f"source: {ev.target.source}", f"revision: {ev.target.revision or 'unknown'}"),
    )


# --- VET107 -----------------------------------------------------------------

LOGS = CheckMeta(
    id="VET107",
    slug="training-logs-available",
    attribute=Attribute.PROVENANCE,
    severity=Severity.LOW,
    summary="Training logs or intermediate checkpoints are published (trainer state, TensorBoard events, W&B runs, checkpoints).",
    remedy="Publish the training logs: push `runs/` TensorBoard events or `trainer_state.json`, or link the W&B/TensorBoard run from the card.",
    needs=frozenset({Need.FILES, Need.CARD}),
)
_LOG_FILE = re.compile(
    r"(^|/)(trainer_state\.json|all_results\.json|train_results\.json|events\.out\.tfevents[^/]*|[^/]+\.log)$", re.I
)
_LOG_DIR = re.compile(r"(^|/)(runs|logs|checkpoint-\d+|wandb|lightning_logs|tensorboard)/", re.I)
_LOG_LINK = re.compile(r"wandb\.ai/|wandb\.me/|tensorboard\.dev/|comet\.(com|ml)/|neptune\.ai/|mlflow", re.I)
_RESULTS_TITLE = re.compile(r"training results|training logs?|training curves?", re.I)


@check(LOGS)
def training_logs_available(ev: Evidence) -> Iterator[Finding]:
    meta = LOGS
    seen: list[str] = []
    dirs: set[str] = set()
    for f in ev.files:
        if _LOG_FILE.search(f.path):
            seen.append(f"package file: {f.path}")
        m = _LOG_DIR.search(f.path)
        if m and m.group(0) not in dirs:
            dirs.add(m.group(0))
            seen.append(f"package folder: {f.path[: m.end()]}")
    card = ev.card
    if card is not None:
        seen += [f"card link: {u}" for u in ct.urls(card.body) if _LOG_LINK.search(u)]
        seen += [f"card metadata tag: {t}" for t in card.meta_list("tags") if t.lower() in ("tensorboard", "wandb")]
    if seen:
        yield meta.passed(
            f"training records found ({len(seen)} item(s))", evidence=seen[:6], details={"strength": "artifacts"}
        )
        return
    tables = ct.blocks(card, ct.section_matcher((), _RESULTS_TITLE)) if card is not None else ()
    with_table = [b for b in tables if "|" in b.text]
    if with_table:
        yield meta.passed(
            "only a per-epoch training results table in the card (weaker evidence); publish the logs themselves",
            evidence=[b.describe() for b in with_table],
            details={"strength": "card-table"},
        )
        return
    if card is None and not ev.files:
        yield meta.skipped("no card and no files to look at")
        return
    yield meta.failed(
        "no training logs or checkpoints published",
        evidence=(
            "no runs/, trainer_state.json, checkpoint-*/ or tfevents file",
            "no W&B/TensorBoard link in the card",
        ),
    )


CHECKS: tuple[Check, ...] = (
    base_model_declared,
    training_data_declared,
    paper_linked,
    source_code_linked,
    author_identified,
    revision_identified,
    training_logs_available,
)
