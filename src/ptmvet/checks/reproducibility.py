"""Reproducibility checks (VET2xx): could someone retrain, re-run or re-measure it?

The ICSE'23 PTM-reuse study (Jiang et al., Table I) names hyperparameters,
environment, hardware, evaluation results and data, and runnable examples as
what reusers need to reproduce or trust a model's behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ptmvet.card import Claim
from ptmvet.cardinfo import _gate
from ptmvet.checks import _cardtext as ct
from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence

# --- VET201 -----------------------------------------------------------------

HYPERPARAMS = CheckMeta(
    id="VET201",
    slug="training-hyperparameters",
    attribute=Attribute.REPRODUCIBILITY,
    severity=Severity.MEDIUM,
    summary="The training hyperparameters are documented (card section or trainer state files).",
    remedy="Add a 'Training Hyperparameters' section (learning rate, batch size, epochs, optimizer, seed, schedule) or publish `trainer_state.json`.",
    needs=frozenset({Need.CARD, Need.FILES}),
)
_HP_TITLE = re.compile(r"hyper[\s_-]*param", re.I)
_HP_TERMS = {
    "learning rate": re.compile(r"learning[\s_-]*rate|\blr\b", re.I),
    "batch size": re.compile(r"batch[\s_-]*size", re.I),
    "epochs": re.compile(r"\bepochs?\b|num_train_epochs", re.I),
    "steps": re.compile(r"\b\d[\d,.]*k?\s+(training\s+)?steps\b|max_steps", re.I),
    "warmup": re.compile(r"warm[\s_-]*up", re.I),
    "optimizer": re.compile(r"\b(adamw?|sgd|adafactor|lamb|optimi[sz]er)\b", re.I),
    "weight decay": re.compile(r"weight[\s_-]*decay", re.I),
    "seed": re.compile(r"\bseed\b", re.I),
}
#: Trainer outputs. training_args.bin is a pickle: its presence counts, its content is never read.
_HP_FILES = re.compile(
    r"(^|/)(trainer_state\.json|training_args\.(bin|json)|args\.json|hparams\.ya?ml|hyperparams?\.(json|ya?ml))$", re.I
)


@check(HYPERPARAMS)
def training_hyperparameters(ev: Evidence) -> Iterator[Finding]:
    meta = HYPERPARAMS
    seen: list[str] = []
    card = ev.card
    if card is not None:
        good = ct.filled(ct.blocks(card, ct.section_matcher(("training_hyperparameters",), _HP_TITLE)), min_words=3)
        seen += [b.describe() for b in good]
    for f in ev.files:
        if _HP_FILES.search(f.path):
            note = " (a pickle: presence only, never loaded)" if f.path.endswith(".bin") else ""
            seen.append(f"package file: {f.path}{note}")
    if seen:
        yield meta.passed("training hyperparameters documented", evidence=seen, details={"strength": "section-or-file"})
        return
    if card is not None:
        text = ct.prose(card.body)
        terms = [name for name, rx in _HP_TERMS.items() if _gate.search(rx, text)]
        if len(terms) >= 3:
            yield meta.passed(
                f"hyperparameters mentioned in prose ({', '.join(terms)}) but not in a dedicated section (weaker evidence)",
                evidence=(f"card text mentions: {', '.join(terms)}",),
                details={"strength": "card-text", "terms": terms},
            )
            return
    if card is None and not ev.files:
        yield meta.skipped("no card and no files to look at")
        return
    yield meta.failed(
        "no training hyperparameters documented",
        evidence=(
            "no hyperparameters section in the card" if card else "no model card",
            "no trainer_state.json or training_args file",
        ),
    )


# --- VET202 -----------------------------------------------------------------

ENVIRONMENT = CheckMeta(
    id="VET202",
    slug="framework-versions",
    attribute=Attribute.REPRODUCIBILITY,
    severity=Severity.MEDIUM,
    summary="The software environment (framework and library versions) the model was built with is recorded.",
    remedy="Record the framework versions: keep `transformers_version` in config.json and add a 'Framework versions' list to the card (or ship requirements.txt).",
    needs=frozenset({Need.CARD, Need.FILES}),
)
_VERSION = re.compile(r"\b\d+\.\d+(\.\d+)?")
_ENV_TITLE = re.compile(r"framework versions?|software|environment|requirements|dependencies", re.I)
_ENV_FILES = re.compile(
    r"(^|/)(requirements[\w-]*\.txt|environment\.ya?ml|pyproject\.toml|setup\.py|Pipfile|conda[\w-]*\.ya?ml)$", re.I
)


@check(ENVIRONMENT)
def framework_versions(ev: Evidence) -> Iterator[Finding]:
    meta = ENVIRONMENT
    seen: list[str] = []
    versions: dict[str, str] = {}
    for path, value in ct.config_values(ev.configs, "transformers_version"):
        seen.append(f"{path} transformers_version: {ct.quote(value, 30)}")
        versions.setdefault("transformers", str(value))
    for path, value in ct.config_values(ev.configs, "__version__"):
        if isinstance(value, Mapping):
            pairs = [f"{k} {v}" for k, v in value.items() if isinstance(v, (str, int, float))]
            if pairs:
                seen.append(f"{path} __version__: {ct.quote(', '.join(pairs))}")
                for k, v in value.items():
                    versions.setdefault(str(k), str(v))
    for path, value in ct.config_values(ev.configs, "library_version"):
        seen.append(f"{path} library_version: {ct.quote(value, 30)}")
    seen += [f"package file: {f.path}" for f in ev.files if _ENV_FILES.search(f.path)]
    card = ev.card
    if card is not None:
        for b in ct.blocks(card, ct.section_matcher(("software",), _ENV_TITLE)):
            if _VERSION.search(ct.prose(b.text)):
                seen.insert(0, b.describe())
    if seen:
        yield meta.passed(
            f"environment recorded ({len(seen)} source(s))", evidence=seen[:6], details={"versions": versions}
        )
        return
    if card is None and not ev.files:
        yield meta.skipped("no card and no files to look at")
        return
    yield meta.failed(
        "no framework or library versions recorded",
        evidence=(
            "no 'Framework versions' section" if card else "no model card",
            "no transformers_version in any config",
            "no requirements file",
        ),
    )


# --- VET203 -----------------------------------------------------------------

HARDWARE = CheckMeta(
    id="VET203",
    slug="training-hardware",
    attribute=Attribute.REPRODUCIBILITY,
    severity=Severity.LOW,
    summary="The hardware the model was trained on is documented.",
    remedy="Document the training hardware (accelerator type and count, hours) in a 'Compute Infrastructure' or 'Environmental Impact' section, or `co2_eq_emissions.hardware_used` metadata.",
    needs=frozenset({Need.CARD}),
)
_HW_TITLE = re.compile(r"hardware|compute|infrastructure|environmental impact", re.I)
_ACCELERATOR = re.compile(
    r"\b(\d+\s*x?\s*)?(TPUs?(\s*v\d(-\d+)?)?|GPUs?|[AHVPTLK]\d{1,3}G?\b|RTX\s*\d{3,4}\w*|GTX\s*\d{3,4}|TITAN\s*\w*|MI\d{3}\w?|Gaudi\d?|IPUs?|Trainium|Apple\s+M\d)\b",
)

#: A quote of an accelerator must name one of these (a bare "T5" or "A1" is a model size, not hardware).
_ACCELERATOR_NAMED = re.compile(r"TPU|GPU|RTX|GTX|TITAN|MI\d|Gaudi|IPU|Trainium|A100|V100|H100|H200|A10|T4|P100|K80|L4|\bL40")
#: The literal part of each of those names: a text holding none of them holds no quote that names one.
_ACCELERATOR_WORDS = tuple(re.sub(r"\\[bd]", "", alt) for alt in _ACCELERATOR_NAMED.pattern.split("|"))


@check(HARDWARE)
def training_hardware(ev: Evidence) -> Iterator[Finding]:
    meta = HARDWARE
    card = ev.card
    if card is None:
        yield meta.failed("no model card, so no training hardware is documented", evidence=("no model card",))
        return
    seen: list[str] = []
    co2 = card.metadata.get("co2_eq_emissions")
    if isinstance(co2, Mapping) and co2.get("hardware_used"):
        seen.append(f"card metadata co2_eq_emissions.hardware_used: {ct.quote(co2['hardware_used'])}")
    for b in ct.blocks(card, ct.section_matcher(("hardware", "compute_infrastructure"), _HW_TITLE)):
        if _ACCELERATOR.search(ct.prose(b.text)):
            seen.append(b.describe())
    text = ct.prose(card.body)
    # Only quotes naming an accelerator word are kept (below), and each quote is a piece of the text:
    # without any of those words in the text, no match can yield a quote.
    named = any(w in text for w in _ACCELERATOR_WORDS)
    quotes = [ct.snippet(text, m) for m in _ACCELERATOR.finditer(text) if not m.group(0).isdigit()] if named else []
    # A bare model-size-like token ("T5", "A1") is too weak alone; require an accelerator word nearby.
    quotes = [q for q in quotes if _ACCELERATOR_NAMED.search(q)]
    seen += [f"card text: {q}" for q in quotes[:3]]
    if seen:
        yield meta.passed("training hardware documented", evidence=seen[:5])
    else:
        yield meta.failed(
            "no training hardware documented",
            evidence=("no hardware section, co2_eq_emissions.hardware_used or accelerator named in the card",),
        )


# --- VET204 -----------------------------------------------------------------

EVAL_RESULTS = CheckMeta(
    id="VET204",
    slug="eval-results-machine-readable",
    attribute=Attribute.REPRODUCIBILITY,
    severity=Severity.MEDIUM,
    summary="Evaluation results are machine-readable (`model-index` in the card metadata or `.eval_results/`).",
    remedy="Add the results as `model-index` entries (task, dataset id/config/split, metric type and value) to the card metadata, so they can be checked automatically.",
    needs=frozenset({Need.CARD}),
)
_PROSE_RESULT = re.compile(
    r"^\|.*\b(acc|accuracy|f1|bleu|rouge[\w-]*|wer|cer|spearman|pearson|em|exact match)\b.*\|\s*$|\b(accuracy|f1|bleu|rouge[\w-]*|wer|perplexity|spearman|pearson|exact match|precision|recall|auc|map|mrr|ndcg)\b[^.\n]{0,40}?\d+(\.\d+)?\s*%?",
    re.I | re.M,
)


def _claim_text(c: Claim) -> str:
    ds = c.dataset or "?"
    if c.dataset_config and c.dataset_config != ds:
        ds += f"/{c.dataset_config}"
    value = c.value if c.value is not None else c.raw_value
    return f"{ds} {c.dataset_split or '(no split)'} {c.metric or '?'} = {value}"


@check(EVAL_RESULTS)
def eval_results_machine_readable(ev: Evidence) -> Iterator[Finding]:
    meta = EVAL_RESULTS
    claims = ev.claims
    if claims:
        sources = sorted({c.source for c in claims})
        yield meta.passed(
            f"{len(claims)} machine-readable result(s) ({', '.join(sources)})",
            evidence=[f"claim: {_claim_text(c)}" for c in claims[:5]],
            details={"claims": len(claims), "sources": sources},
        )
        return
    if ev.card is None:
        yield meta.failed(
            "no model card and no .eval_results/, so no machine-readable results", evidence=("no model card",)
        )
        return
    quotes = ct.find_in_prose(ev.card, _PROSE_RESULT)
    if quotes:
        yield meta.failed(
            "results are stated only in prose, not machine-readably",
            evidence=["no model-index in card metadata", *(f"card text: {q}" for q in quotes[:3])],
        )
    else:
        yield meta.failed(
            "no evaluation results in the card", evidence=("no model-index in card metadata", "no .eval_results/ files")
        )


# --- VET205 -----------------------------------------------------------------

EVAL_DATA = CheckMeta(
    id="VET205",
    slug="eval-data-identified",
    attribute=Attribute.REPRODUCIBILITY,
    severity=Severity.MEDIUM,
    summary="Each reported result names the dataset and the split it was measured on.",
    remedy="For every result, give the dataset id (and config) and the split (e.g. `dataset: {type: glue, config: sst2, split: validation}` in `model-index`).",
    needs=frozenset({Need.CARD}),
)
_EVAL_TITLE = re.compile(r"evaluat|results|benchmark|performance|testing data", re.I)
_SPLIT_WORDS = re.compile(
    r"\b(dev|development|test|testing|validation|val|held[\s-]?out|eval)\s+(set|split|data)\b|\b(matched|mismatched)\b",
    re.I,
)


@check(EVAL_DATA)
def eval_data_identified(ev: Evidence) -> Iterator[Finding]:
    meta = EVAL_DATA
    claims = ev.claims
    if claims:
        complete = [c for c in claims if c.dataset and c.dataset_split]
        missing = [c for c in claims if not (c.dataset and c.dataset_split)]
        if not missing:
            datasets = sorted(
                {
                    f"{c.dataset}{'/' + c.dataset_config if c.dataset_config else ''} [{c.dataset_split}]"
                    for c in complete
                }
            )
            yield meta.passed(
                f"all {len(claims)} result(s) name a dataset and a split",
                evidence=[f"claim dataset: {d}" for d in datasets[:5]],
                details={"datasets": datasets},
            )
        else:
            yield meta.failed(
                f"{len(missing)} of {len(claims)} result(s) lack a dataset or a split",
                evidence=[
                    f"claim without {'dataset' if not c.dataset else 'split'}: {_claim_text(c)}" for c in missing[:5]
                ],
                details={"missing": len(missing), "claims": len(claims)},
            )
        return
    if ev.card is None:
        yield meta.not_applicable("no evaluation results to tie to data (no card, no .eval_results/)")
        return
    found = ct.blocks(ev.card, ct.section_matcher(("evaluation", "testing_data", "results"), _EVAL_TITLE))
    prose_results = ct.find_in_prose(ev.card, _PROSE_RESULT)
    if not found and not prose_results:
        yield meta.not_applicable("the card reports no evaluation results (see VET204)")
        return
    text = "\n".join(b.text for b in found) + "\n" + ct.prose(ev.card.body)
    splits = list(dict.fromkeys(ct.snippet(text, m) for m in _gate.finditer(_SPLIT_WORDS, text)))
    if splits:
        yield meta.passed(
            "the card's prose names the evaluation split (weaker evidence: not machine-readable)",
            evidence=[f"card text: {q}" for q in splits[:3]],
            details={"strength": "card-text"},
        )
    else:
        yield meta.failed(
            "results are reported without naming the evaluation data split",
            evidence=[*(b.describe() for b in found[:3]), *(f"card text: {q}" for q in prose_results[:2])],
        )


# --- VET206 -----------------------------------------------------------------

USAGE = CheckMeta(
    id="VET206",
    slug="usage-example",
    attribute=Attribute.REPRODUCIBILITY,
    severity=Severity.MEDIUM,
    summary="The card shows how to run the model: a code snippet, a 'How to Get Started' section or a widget example.",
    remedy="Add a 'How to Get Started with the Model' section with a short, runnable code snippet (and `widget:` examples in the metadata).",
    needs=frozenset({Need.CARD}),
)
_USAGE_TITLE = re.compile(r"\busage\b|how to use|get(ting)? started|quick\s*start|example|inference|demo", re.I)


@check(USAGE)
def usage_example(ev: Evidence) -> Iterator[Finding]:
    meta = USAGE
    card = ev.card
    if card is None:
        yield meta.failed("no model card, so no usage example", evidence=("no model card",))
        return
    seen: list[str] = []
    code_sections = [b for b in ct.blocks(card, lambda s: True) if ct.has_code_block(b.section.text)]
    if code_sections:
        seen += [f'code block in card section "{ct.heading(b.section)}"' for b in code_sections[:3]]
    elif ct.has_code_block(card.body):
        seen.append("code block in the card")
    widget = card.metadata.get("widget")
    if widget:
        n = len(widget) if isinstance(widget, list) else 1
        seen.append(f"card metadata widget: {n} example(s)")
    for b in ct.filled(ct.blocks(card, ct.section_matcher(("get_started",), _USAGE_TITLE))):
        if not any(b.section is c.section for c in code_sections):
            seen.append(b.describe())
    if seen:
        yield meta.passed("usage example present", evidence=seen[:5])
    else:
        yield meta.failed(
            "no usage example or demo", evidence=("no code block, widget or getting-started section in the card",)
        )


CHECKS: tuple[Check, ...] = (
    training_hyperparameters,
    framework_versions,
    training_hardware,
    eval_results_machine_readable,
    eval_data_identified,
    usage_example,
)
