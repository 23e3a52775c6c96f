"""Documentation checks (VET4xx): does the model card tell a reuser what they need?

The ICSE'23 PTM-reuse study (Jiang et al.) found model cards the first thing
reusers read and missing documentation the first challenge they meet. These
checks look at the card as a document: present and substantial, intended and
out-of-scope uses, limitations and bias, and metadata that parses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ptmvet.cardinfo import _gate
from ptmvet.checks import _cardtext as ct
from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence

#: Prose words (code, tables of links and placeholders excluded) a card needs to count as documentation.
MIN_CARD_WORDS = 100
#: A card with this many placeholder-only sections is an unfilled template, whatever else it holds.
MAX_PLACEHOLDER_SECTIONS = 3
_GENERATED = re.compile(r"generated automatically|automatically generated|auto-generated", re.I)
#: Sections the Trainer writes by itself (hyperparameter and version lists, per-epoch logs).
#: They say nothing a reader needs to decide on reuse, so their words do not count as documentation.
_BOILERPLATE_TITLE = re.compile(r"^(?:training hyperparameters|framework versions|training results)$", re.I)

#: Weight of each check in the documentation score (docs/scores.md: chosen on one half of
#: 16,590 real cards against Hub likes and downloads, reported on the other half by
#: bench/doc_score_signal.py). Severity still decides what a failure means for the policy gate.
SCORE_WEIGHTS: dict[str, float] = {
    "VET401": 5,  # prose beyond boilerplate, graded by length
    "VET402": 1,  # intended use (kept: the template asks for it; the proxy does not reward it)
    "VET403": 1,  # limitations and bias (same)
    "VET404": 5,  # out-of-scope use
    "VET405": 3,  # metadata parses
    "VET406": 1,  # evaluation with its data (same)
    "VET407": 5,  # usage example, graded by the code beside it
    "VET408": 5,  # training data named
}
#: Share of a check's weight that a pass on weaker evidence (a sentence instead of a section,
#: a usage section without code, a result stated in prose) earns.
WEAK_CREDIT = 0.5
#: A section this short that only says "the same limitations as X" defers instead of documenting.
MAX_DEFERRAL_WORDS = 60
#: Prose words (boilerplate excluded) -> share of VET401's weight: a short card that clears the
#: bar earns part of it, a substantial one all of it.
PROSE_CREDIT = ((1000, 1.0), (300, 0.75), (MIN_CARD_WORDS, 0.5))


def prose_credit(words: int) -> float:
    """Share of VET401's weight earned by a card with ``words`` words of prose."""
    return next((c for floor, c in PROSE_CREDIT if words >= floor), 0.0)

# --- VET401 -----------------------------------------------------------------

CARD = CheckMeta(
    id="VET401",
    slug="model-card-present",
    attribute=Attribute.DOCUMENTATION,
    severity=Severity.HIGH,
    summary=f"A model card (README.md) is present and says something: at least {MIN_CARD_WORDS} words of prose beyond code and template placeholders.",
    remedy="Write a model card (README.md) following the Hub template: model details, uses, limitations, training and evaluation, and how to get started.",
    needs=frozenset({Need.CARD}),
    score_weight=SCORE_WEIGHTS["VET401"],
)


@check(CARD)
def model_card_present(ev: Evidence) -> Iterator[Finding]:
    meta = CARD
    card = ev.card
    if card is None:
        problems = [
            f"{p.path}: {p.message}" for p in ev.problems if p.path.lower().startswith(("readme", "model_card"))
        ]
        if problems:
            # The card is there but could not be read: say so, rather than "no model card" beside the read problem.
            yield meta.failed(f"model card cannot be read: {problems[0]}", evidence=problems)
        else:
            yield meta.failed("no model card", evidence=("no README.md in the package",))
        return
    boilerplate = sum(ct.prose_words(s.text) for s in card.sections if _BOILERPLATE_TITLE.match(s.title.strip()))
    words = ct.prose_words(card.body) - boilerplate
    placeholders = [s for s in card.sections if ct.has_placeholder(s.text) and ct.prose_words(s.text) == 0]
    filled_sections = [s for s in card.sections if ct.prose_words(s.text) > 0]
    details = {"prose_words": words, "boilerplate_words": boilerplate, "sections": len(card.sections), "placeholder_sections": len(placeholders)}
    evidence = [f"{card.path}: {words} words of prose in {len(card.sections)} section(s)"]
    if boilerplate:
        evidence.append(f"{boilerplate} words of generated hyperparameter, version and training-log lists not counted")
    if _gate.search(_GENERATED, card.body):
        evidence.append("card says it was generated automatically (Trainer template)")
    if placeholders:
        evidence.append("sections holding only a placeholder: " + ", ".join(f'"{s.title}"' for s in placeholders[:5]))
    if words < MIN_CARD_WORDS:
        yield meta.failed(
            f"model card is too short to document the model ({words} words of prose)",
            evidence=evidence,
            details=details,
        )
    elif placeholders and (len(placeholders) >= MAX_PLACEHOLDER_SECTIONS or len(placeholders) >= len(filled_sections)):
        yield meta.failed(
            f"model card is largely an unfilled template ({len(placeholders)} placeholder-only section(s))",
            evidence=evidence,
            details=details,
            severity=Severity.MEDIUM,
        )
    else:
        yield meta.passed(
            f"model card present ({words} words of prose)", evidence=evidence, details=details, credit=prose_credit(words)
        )


def _section_check(
    ev: Evidence,
    meta: CheckMeta,
    *,
    canonicals: tuple[str, ...],
    title: re.Pattern[str],
    text: re.Pattern[str] | None,
    what: str,
    deferral: re.Pattern[str] | None = None,
) -> Iterator[Finding]:
    card = ev.card
    if card is None:
        yield meta.failed(f"no model card, so no {what}", evidence=("no model card",))
        return
    found = ct.blocks(card, ct.section_matcher(canonicals, title))
    good = ct.filled(found)
    if good:
        deferred = deferral is not None and all(
            b.words < MAX_DEFERRAL_WORDS and deferral.search(ct.prose(b.text)) for b in good
        )
        if deferred:
            yield meta.passed(
                f"{what} section only refers to another model's (weaker evidence)",
                evidence=[b.describe() for b in good[:4]],
                details={"strength": "deferred"},
                credit=WEAK_CREDIT,
            )
            return
        yield meta.passed(f"{what} documented", evidence=[b.describe() for b in good[:4]])
        return
    quotes = ct.find_in_prose(card, text) if text is not None else ()
    if quotes:
        yield meta.passed(
            f"{what} mentioned in the text but without a dedicated section (weaker evidence)",
            evidence=[f"card text: {q}" for q in quotes[:3]],
            details={"strength": "card-text"},
            credit=WEAK_CREDIT,
        )
        return
    seen = [b.describe() for b in found[:3]] or [f"no section on {what}"]
    yield meta.failed(f"no {what} documented", evidence=seen)


# --- VET402 -----------------------------------------------------------------

INTENDED = CheckMeta(
    id="VET402",
    slug="intended-use",
    attribute=Attribute.DOCUMENTATION,
    severity=Severity.MEDIUM,
    summary="The card states what the model is intended to be used for.",
    remedy="Add an 'Intended uses' ('Uses' / 'Direct Use') section: the tasks, inputs and users the model is meant for.",
    needs=frozenset({Need.CARD}),
    score_weight=SCORE_WEIGHTS["VET402"],
)
_USES_TITLE = re.compile(r"intended|\buses?\b|use cases?|applications?", re.I)
_USES_TEXT = re.compile(
    r"\b(is|are) (intended|designed|meant) (to be used |for |to )|\bintended (use|for)\b|can be used (for|to|as)", re.I
)


@check(INTENDED)
def intended_use(ev: Evidence) -> Iterator[Finding]:
    yield from _section_check(
        ev,
        INTENDED,
        canonicals=("uses", "direct_use", "downstream_use"),
        title=_USES_TITLE,
        text=_USES_TEXT,
        what="intended use",
    )


# --- VET403 -----------------------------------------------------------------

LIMITATIONS = CheckMeta(
    id="VET403",
    slug="limitations-and-bias",
    attribute=Attribute.DOCUMENTATION,
    severity=Severity.MEDIUM,
    summary="The card discusses limitations, risks and biases of the model.",
    remedy="Add a 'Bias, Risks, and Limitations' section: known failure modes, biased behaviour (with examples), and recommendations.",
    needs=frozenset({Need.CARD}),
    score_weight=SCORE_WEIGHTS["VET403"],
)
_LIMITS_TITLE = re.compile(r"limitation|\bbias|risks?\b|caveat|ethic|fairness|known issues|warning", re.I)
#: "suffers from the same limitations and bias as GPT-2": a section that defers to another card.
_LIMITS_DEFERRAL = re.compile(r"\bsame (?:limitations|biases?|risks)\b.{0,40}?\b(?:as|than)\b", re.I)
_LIMITS_TEXT = re.compile(
    r"\b(limitations?|biase?[sd]?|harmful|stereotyp\w*|not (be )?reliable|may (produce|generate|fail|not))\b", re.I
)


@check(LIMITATIONS)
def limitations_and_bias(ev: Evidence) -> Iterator[Finding]:
    yield from _section_check(
        ev,
        LIMITATIONS,
        canonicals=("bias_risks_limitations", "recommendations"),
        title=_LIMITS_TITLE,
        text=_LIMITS_TEXT,
        what="limitations or bias",
        deferral=_LIMITS_DEFERRAL,
    )


# --- VET404 -----------------------------------------------------------------

OUT_OF_SCOPE = CheckMeta(
    id="VET404",
    slug="out-of-scope-use",
    attribute=Attribute.DOCUMENTATION,
    severity=Severity.LOW,
    summary="The card says what the model should not be used for.",
    remedy="Add an 'Out-of-Scope Use' section: uses the model was not designed or evaluated for, and misuse to avoid.",
    needs=frozenset({Need.CARD}),
    score_weight=SCORE_WEIGHTS["VET404"],
)
_OOS_TITLE = re.compile(r"out[\s-]of[\s-]scope|misuse|malicious|not intended|prohibited|restrictions", re.I)
_OOS_TEXT = re.compile(
    r"should not be used|must not be used|not (be )?(intended|designed|suitable|meant) (to be used |for |to )|out[\s-]of[\s-]scope|\bmisuse\b|do not use (it|this model)",
    re.I,
)


@check(OUT_OF_SCOPE)
def out_of_scope_use(ev: Evidence) -> Iterator[Finding]:
    yield from _section_check(
        ev, OUT_OF_SCOPE, canonicals=("out_of_scope_use",), title=_OOS_TITLE, text=_OOS_TEXT, what="out-of-scope use"
    )


# --- VET405 -----------------------------------------------------------------

METADATA = CheckMeta(
    id="VET405",
    slug="card-metadata-valid",
    attribute=Attribute.DOCUMENTATION,
    severity=Severity.MEDIUM,
    summary="The card has a YAML metadata block that parses cleanly (the registry and tools read licence, datasets and results from it).",
    remedy="Fix the card's YAML front matter (between `---` lines): valid YAML, spaces not tabs, `model-index` (not `model_index`), lists where lists are expected.",
    needs=frozenset({Need.CARD}),
    score_weight=SCORE_WEIGHTS["VET405"],
)


@check(METADATA)
def card_metadata_valid(ev: Evidence) -> Iterator[Finding]:
    meta = METADATA
    card = ev.card
    if card is None:
        yield meta.skipped("no model card (see VET401)")
        return
    if card.errors:
        yield meta.failed(
            f"card metadata has {len(card.errors)} problem(s)",
            evidence=[f"{card.path}: {e}" for e in card.errors[:6]],
            details={"errors": list(card.errors)},
        )
    elif not card.has_front_matter:
        yield meta.failed(
            "card has no YAML metadata block, so licence, datasets and results are not machine-readable",
            evidence=(f"{card.path}: no front matter between '---' lines",),
            severity=Severity.LOW,
        )
    elif not card.metadata:
        yield meta.failed(
            "card metadata block is empty", evidence=(f"{card.path}: empty front matter",), severity=Severity.LOW
        )
    else:
        keys = sorted(card.metadata)
        yield meta.passed(
            f"card metadata parses ({len(keys)} keys)",
            evidence=(f"{card.path} metadata keys: {ct.quote(', '.join(keys), 100)}",),
        )


# --- VET406 -----------------------------------------------------------------

EVALUATION = CheckMeta(
    id="VET406",
    slug="evaluation-documented",
    attribute=Attribute.DOCUMENTATION,
    severity=Severity.MEDIUM,
    summary="The card reports how the model was evaluated: a result with the data it was measured on (in model-index, a results table or a sentence).",
    remedy="Report at least one result with its dataset and split (\"accuracy 91.3 on the SST-2 dev set\"), ideally also in `model-index`.",
    needs=frozenset({Need.CARD}),
    score_weight=SCORE_WEIGHTS["VET406"],
)


@check(EVALUATION)
def evaluation_documented(ev: Evidence) -> Iterator[Finding]:
    from ptmvet.cardinfo import for_evidence

    meta = EVALUATION
    card = ev.card
    if card is None:
        yield meta.failed("no model card, so no evaluation documented", evidence=("no model card",))
        return
    named = [c for c in ev.claims if c.dataset]
    if named:
        yield meta.passed(
            f"{len(named)} result(s) with their data in machine-readable metadata",
            evidence=[f"{c.source}: {c.metric} {c.value} on {c.dataset}{'/' + c.dataset_split if c.dataset_split else ''}" for c in named[:4]],
        )
        return
    text = [t for t in for_evidence(ev).text_claims if t.claim.dataset]
    if text:
        yield meta.passed(
            f"{len(text)} result(s) with their data stated in the card text",
            evidence=[f"{t.claim.source}: {t.quote}" for t in text[:4]],
            details={"strength": "card-text"},
            credit=WEAK_CREDIT,
        )
        return
    unnamed = list(ev.claims) + [t.claim for t in for_evidence(ev).text_claims]
    if unnamed:
        yield meta.failed(
            f"{len(unnamed)} result(s) reported without the data they were measured on",
            evidence=[f"{c.source}: {c.metric} {c.value} (no dataset)" for c in unnamed[:4]],
            severity=Severity.LOW,
        )
        return
    yield meta.failed("the card reports no evaluation result", evidence=("no result in model-index, .eval_results, tables or prose",))


# --- VET407 -----------------------------------------------------------------

USAGE = CheckMeta(
    id="VET407",
    slug="usage-documented",
    attribute=Attribute.DOCUMENTATION,
    severity=Severity.MEDIUM,
    summary="The card shows how to use the model: a code example that loads and runs it, or a usage section that says how.",
    remedy="Add a \"How to use\" section with a short code example that loads the model and runs it on an input.",
    needs=frozenset({Need.CARD}),
    score_weight=SCORE_WEIGHTS["VET407"],
)
_FENCE_BLOCK = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)^[ \t]*\1", re.S | re.M)
_USAGE_CODE = re.compile(
    r"from_pretrained\(|\bpipeline\(|SentenceTransformer\(|load_model\(|hf_hub_download\(|from_hub\(|\.predict\(|"
    r"\bcurl\b.*huggingface|torch\.hub\.load\(|load_learner|Detoxify\(|spacy\.load\(|\bimport\s+\w+|^\s*(?:pip|python)\s",
    re.M,
)
#: Share of VET407's weight a usage example earns when it is the card's only code block; with
#: more code beside it (install, output, a second way to load, a citation) it earns all of it.
USAGE_ONE_EXAMPLE_CREDIT = 0.5
_USAGE_TITLE = re.compile(r"how to use|usage|quick ?start|getting started|get started|example|inference|demo", re.I)


@check(USAGE)
def usage_documented(ev: Evidence) -> Iterator[Finding]:
    meta = USAGE
    card = ev.card
    if card is None:
        yield meta.failed("no model card, so no usage example", evidence=("no model card",))
        return
    body = ct.strip_comments(card.body)
    fenced = [m.group(2) for m in _gate.finditer(_FENCE_BLOCK, body)]
    examples = [b for b in fenced if _USAGE_CODE.search(b)]
    html_code = re.search(r"<pre>\s*<code>.*?(?:from_pretrained|pipeline)\(", body, re.S) if "<pre>" in body else None
    if examples or html_code:
        first = (examples[0] if examples else html_code.group(0) if html_code else "").strip().splitlines()
        yield meta.passed(
            f"{len(examples) or 1} usage code example(s)",
            evidence=[f"card code: {ct.quote(' '.join(first[:3]), 100)}"],
            details={"code_examples": len(examples) or 1, "code_blocks": len(fenced)},
            credit=1.0 if len(fenced) >= 2 else USAGE_ONE_EXAMPLE_CREDIT,
        )
        return
    sections = ct.filled(ct.blocks(card, ct.section_matcher(("get_started",), _USAGE_TITLE)))
    if sections:
        yield meta.passed(
            "usage described in a section, without a code example (weaker evidence)",
            evidence=[b.describe() for b in sections[:3]],
            details={"strength": "card-text"},
            credit=WEAK_CREDIT,
        )
        return
    yield meta.failed("the card shows no way to use the model", evidence=("no code example that loads or runs the model, no usage section",))


# --- VET408 -----------------------------------------------------------------

TRAINING_DATA = CheckMeta(
    id="VET408",
    slug="training-data-documented",
    attribute=Attribute.DOCUMENTATION,
    severity=Severity.MEDIUM,
    summary="The card says what the model was trained on: datasets named in metadata, links or prose, or a training-data section.",
    remedy="Name the training datasets (Hub ids under `datasets:` and in a 'Training Data' section) and say how they were used.",
    needs=frozenset({Need.CARD}),
    score_weight=SCORE_WEIGHTS["VET408"],
)


@check(TRAINING_DATA)
def training_data_documented(ev: Evidence) -> Iterator[Finding]:
    from ptmvet.cardinfo import for_evidence
    from ptmvet.checks.provenance import training_data_sections

    meta = TRAINING_DATA
    card = ev.card
    if card is None:
        yield meta.failed("no model card, so no training data documented", evidence=("no model card",))
        return
    named = for_evidence(ev).datasets
    if named:
        shown = ", ".join(dict.fromkeys(m.id for m in named[:8]))
        yield meta.passed(
            f"{len(named)} training dataset(s) named in the card: {shown}",
            evidence=[f"{m.source}: {m.evidence}" for m in named[:4]],
            details={"datasets": [m.id for m in named]},
        )
        return
    found, good = training_data_sections(card)
    if good:
        yield meta.passed(
            "training data described in a section, without a dataset a reader can look up (weaker evidence)",
            evidence=[b.describe() for b in good[:3]],
            details={"strength": "card-text"},
            credit=WEAK_CREDIT,
        )
        return
    yield meta.failed(
        "the card does not say what the model was trained on",
        evidence=[*(b.describe() for b in found[:3])] or ["no dataset named, no training-data section"],
    )


CHECKS: tuple[Check, ...] = (
    model_card_present,
    intended_use,
    limitations_and_bias,
    out_of_scope_use,
    card_metadata_valid,
    evaluation_documented,
    usage_documented,
    training_data_documented,
)
