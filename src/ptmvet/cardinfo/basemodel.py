"""Base models a card really names, each with the strength of its evidence.

Strongest first: ``base_model`` metadata (``declared``); a phrase stating
derivation next to a model id or Hub link in the card text (``card-text``), in
English and in Chinese, Japanese, German, French, Spanish, Korean and Russian;
the config's ``_name_or_path`` (``config``, weakest: it is where the weights
were loaded from on the author's machine, often a local folder).

Not a base model: architectures compared with ("for comparison, bert-base
reaches..."), models trained "from scratch", local paths and folders, and the
model's own id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ptmvet.cardinfo import _gate
from ptmvet.cardinfo.known import model_id

_PHRASES = re.compile(
    r"fine-?tuned (?:version|checkpoint|variant|model) of|fine-?tuned (?:from|on top of)|finetuned (?:version of|from)"
    r"|\b(?:smaller |distilled |quantized |pruned |compressed )?versions? of|variant of|fork of|pre-?trained checkpoint|used the pre-?trained|base on\b"
    r"|(?:further |continued )?pre-?trained (?:from|on top of)|based (?:on|upon)|built (?:on|upon)|(?:the )?base model(?: is|:| used)?"
    r"|foundation model(?: is|:)?|initiali[sz]ed (?:from|with)|warm-?started from|checkpoint of|(?:exact )?copy of|derived from|converted from|ported (?:version )?of|port of"
    r"|distilled (?:version )?(?:from|of)|distilling (?:an ensemble of )?(?:\w+ )?teacher models?|(?:obtained|created|trained) by fine-?tuning|(?:quantized|quantised|merged|lora|adapter) (?:version )?(?:of|for)|starting from|trained on top of|adapted from"
    # Chinese, Japanese
    r"|基于|基於|微调自|微調自|在.{0,40}?基础上|基座模型|基础模型|底座模型|ベースモデル|をベースに|をファインチューニング|を元に|を基に|ファインチューニングした"
    # German, French, Spanish
    r"|basiert auf|basierend auf|feinabgestimmte version von|feinjustierte version von|basismodell|auf (?:der )?grundlage von|nachtrainiert"
    r"|bas[ée]e? sur|version affin[ée]e de|mod[èe]le de base|affin[ée] (?:à partir de|sur la base de)|ajust[ée] (?:à partir de|sur)"
    r"|basad[oa] en|versi[óo]n ajustada de|modelo base|afinad[oa] (?:a partir de|de)|ajustad[oa] a partir de"
    # Korean, Russian
    r"|기반|파인튜닝|미세 조정|베이스 모델|기본 모델"
    r"|основан[ао]? на|на основе|дообученная версия|дообучен[ао]? (?:на основе|из)|базов(?:ая|ой) модел",
    re.I,
)
#: The same phrases for lower-cased text, scanned by :func:`_phrase_matches` (only where a match can start).
_PHRASES_LOW = re.compile(_PHRASES.pattern)
_VERB = re.compile(r"(?=[fta])(?:(?:further\s+)?fine-?tuned|finetuned|trained further|adapted|trained on)\b")
_NEGATIVE = re.compile(
    r"from scratch|compar|outperform|than\b|\bvs\.?\b|versus|similar to|same (?:data|dataset|corpus|architecture|setup|as)|like\b|unlike|instead of|"
    r"von grund auf|à partir de zéro|desde cero|从头|ゼロから|처음부터|с нуля",
    re.I,
)
_HF_LINK = re.compile(
    r"huggingface\.co/(?!datasets/|spaces/|docs/|blog/|papers/|transformers/|models\?|join|login|settings)"
    r"([A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?)",
    re.I,
)
_GH_LINK = re.compile(r"github\.com/([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)", re.I)
_ID_TOKEN = re.compile(r"(?<![\w/.-])([A-Za-z0-9][\w.-]{1,95}(?:/[A-Za-z0-9][\w.-]{1,95})?)(?![\w/-])")
_LOCAL_NAMESPACES = frozenset(
    {"content", "home", "root", "tmp", "drive", "mydrive", "data", "output", "outputs", "models", "model", "checkpoints",
     "checkpoint", "workspace", "mnt", "users", "user", "kaggle", "results", "runs", "save", "saved_models", "gdrive", "opt", "var", "projects"}
)  # fmt: skip
_WINDOW = 160
#: "[org/name](https://huggingface.co/org/name) fine-tuned on ...", "This is longformer-base-4096 model fine-tuned on ...",
#: "Fine-tuned [facebook/wav2vec2-large-xlsr-53](...) on Ukrainian": the model named right before or after the verb.
#: "[org/name](https://huggingface.co/org/name) fine-tuned on ...", "This is longformer-base-4096 model fine-tuned on ...":
#: the model named right before the verb (found from the verb backwards).
_ID_BEFORE_VERB = re.compile(
    r"(\[[^\]]{2,120}\]\((?:https?://)?(?:www\.)?huggingface\.co/[^)\s]+\)|`[\w./-]{3,120}`|\b[A-Za-z][\w.-]*(?:/[\w.-]+)?)\**"
    r"\s+(model\s+|checkpoint\s+)?$"
)
#: "Fine-tuned [facebook/wav2vec2-large-xlsr-53](...) on Ukrainian"
_VERB_THEN_ID = re.compile(r"(?:^|\n|\. )\s*(?:fine-?tuned|finetuned)\s+(\[[^\]]{2,120}\]\([^)\s]+\)|`[\w./-]{3,120}`)", re.I)
#: Words before a GitHub link that make it a code base rather than where the weights came from.
_CODE = re.compile(r"code|implementation|repositor|paper|described|library|toolkit|script|github", re.I)
#: The same after a conversion phrase, where "the original [repo](...)" is where the weights were converted from.
_CONVERTED_CODE = re.compile(r"code|implementation|paper|described|library|toolkit|script", re.I)
_CONVERSION = re.compile(r"convert|port|(?:exact )?copy", re.I)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"[.!?](?=\s)|。|\n")


@dataclass(frozen=True)
class BaseModel:
    """A base model id (Hub id, or ``github:org/repo``) and how strongly the card supports it."""

    id: str
    strength: str  # declared | card-text | config
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "strength": self.strength, "evidence": self.evidence}


def _phrase_matches(pattern: re.Pattern[str], text: str, found: set[str] | None = None) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, trying the pattern only where one of its leads occurs (those are added to ``found``).

    ``str.find`` looks for the ~100 leads of the phrases many times faster
    than the engine enters their ~70 alternatives at every position; a lead
    that is not ASCII cannot occur in an ASCII text.
    """
    leads = _gate.leads(pattern)
    if leads is None:
        return pattern.finditer(text)
    if text.isascii():
        leads = tuple(lead for lead in leads if lead.isascii())
    return _gate.matches_at(pattern, text, _gate.starts(text, leads, found))


_LINK = re.compile(r"\[([^\]]{1,120})\]\([^)\s]{1,300}\)")


def _unlinked(text: str) -> tuple[str, list[int]]:
    """``text`` with each Markdown link replaced by its text, and the places in it where text was cut out."""
    pieces: list[str] = []
    cuts: list[int] = []
    last = size = 0
    for m in _LINK.finditer(text):
        label = m.group(1)
        pieces += (text[last : m.start()], label)
        size += m.start() - last
        cuts += (size, size + len(label))
        size += len(label)
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces), cuts


def _unlinked_phrases(unlinked_low: str, cuts: list[int], in_prose: set[str] | None) -> Iterator[re.Match[str]]:
    """``_PHRASES_LOW.finditer(unlinked_low)``, looking only for the leads that can occur in it.

    A lead occurs in the unlinked text either inside one piece of the prose
    (then it occurs in the prose: ``in_prose``, the leads found there) or across
    a cut, within a lead's length of it.
    """
    leads = _gate.leads(_PHRASES_LOW)
    if leads is None or in_prose is None:
        return _phrase_matches(_PHRASES_LOW, unlinked_low)
    reach = max(map(len, leads)) - 1
    around = "\0".join(unlinked_low[max(0, c - reach) : c + reach] for c in cuts)
    wanted = [lead for lead in leads if lead in in_prose or lead in around]
    return _gate.matches_at(_PHRASES_LOW, unlinked_low, _gate.starts(unlinked_low, wanted))


def _fine_tuned_then_ids(prose: str) -> Iterator[re.Match[str]]:
    """``_VERB_THEN_ID.finditer(prose)``, trying the pattern only at the line or sentence starts before a "fine".

    A match starts at the text's start, a newline or ". ", then spaces, then
    "fine"; the gate's folded text holds "fine" wherever the case-blind
    pattern can see it, so the places to try are found from its "fine"s
    backwards.
    """
    folded = _gate.folded(prose)
    starts: set[int] = set()
    k = folded.find("fine")
    while k >= 0:
        w = k
        while w > 0 and prose[w - 1].isspace():
            w -= 1
        if w == 0:
            starts.add(0)
        elif prose[w - 1] == "." and prose[w] == " ":
            starts.add(w - 1)
        starts.update(p for p in range(w, k) if prose[p] == "\n")
        k = folded.find("fine", k + 1)
    return _gate.matches_at(_VERB_THEN_ID, prose, sorted(starts))


def valid_hub_id(value: str) -> bool:
    """Whether ``value`` can be a Hub model id (not a local path, not a file, not a user folder)."""
    v = value.strip()
    if not v or v.startswith(("/", ".", "~", "\\")) or ":" in v or "\\" in v or v.count("/") > 1:
        return False
    if re.search(r"checkpoint-\d+|\.(?:bin|pt|pth|ckpt|json|py|md|txt|zip|tar|gz|safetensors)$", v, re.I):
        return False
    ns = v.split("/", 1)[0].lower() if "/" in v else ""
    return ns not in _LOCAL_NAMESPACES and bool(re.fullmatch(r"[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?", v))


def _own(own_ids: Iterable[str]) -> Callable[[str], bool]:
    """Whether a (lower-case) id is the model's own.

    A bare own name (a local folder's) matches that name in any namespace;
    with the namespace known, ``other-org/same-name`` is another model (a card
    that says it is "a copy of" or "a fork of" it names its origin).
    """
    full: set[str] = set()
    bare: set[str] = set()
    for i in own_ids:
        if i:
            full.add(i.lower())
            bare.add(i.lower().rsplit("/", 1)[-1])
    anywhere = {i for i in full if "/" not in i}

    def is_own(key: str) -> bool:
        name = key.rsplit("/", 1)[-1]
        # a GitHub repository named like the model is its own code or data far more often than its origin
        return key in full or name in anywhere or (("/" not in key or key.startswith("github:")) and name in bare)

    return is_own


def _ids_near(text: str) -> list[tuple[str, bool]]:
    """(id, linked) for model ids in a window of text: Hub links first, then GitHub links, then bare ids."""
    out: list[tuple[str, bool]] = []
    for m in _HF_LINK.finditer(text):
        out.append((m.group(1).rstrip("."), True))
    for m in _GH_LINK.finditer(text):
        out.append(("github:" + m.group(1).removesuffix(".git").rstrip("."), True))
    plain = _HF_LINK.sub(" ", _GH_LINK.sub(" ", re.sub(r"\]\([^)]*\)", "]", text)))
    for m in _ID_TOKEN.finditer(plain):
        out.append((m.group(1).rstrip("."), False))
    return out


def find_base_models(
    metadata: Mapping[str, Any], prose: str, *, config: Mapping[str, Any] | None = None, own_ids: Iterable[str] = ()
) -> tuple[BaseModel, ...]:
    """Every base model the card and config support, strongest evidence first."""
    is_own = _own(own_ids)
    out: list[BaseModel] = []
    seen: set[str] = set()

    def add(mid: str, strength: str, evidence: str) -> None:
        key = mid.lower()
        if key in seen or is_own(key):
            return
        seen.add(key)
        out.append(BaseModel(mid, strength, evidence))

    raw = metadata.get("base_model")
    for v in [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []:
        if isinstance(v, str) and valid_hub_id(v):
            add(v.strip(), "declared", f"base_model: {v.strip()}")
    low = prose.lower()
    in_prose: set[str] | None = set() if len(low) == len(prose) else None
    phrases = _phrase_matches(_PHRASES_LOW, low, in_prose) if in_prose is not None else _PHRASES.finditer(prose)
    for m in phrases:
        head = prose[max(0, m.start() - 400) : m.start()]
        ends = list(_SENTENCE_END.finditer(head))
        before = head[ends[-1].end() :] if ends else head
        window = prose[m.end() : m.end() + _WINDOW]
        cut = re.search(r"\.(?!\d)(?:\s|$)|\n\n|。", window)
        window = window[: cut.start()] if cut else window
        if _NEGATIVE.search(before[-80:]) or _NEGATIVE.search(window):
            continue
        # CJK phrases put the model before the verb ("基于 X" or "X をベースに"): look both ways.
        text = window if m.group(0)[:1].isascii() or m.group(0) in ("基于", "基於", "微调自", "微調自") else before[-_WINDOW:] + " " + window
        for mid, linked in _ids_near(text)[:2]:
            if mid.startswith("github:"):
                lead = window[: window.lower().find("github.com")]
                # "based on the code in [repo](github...)" names a code base, but weights "converted from the
                # [timm repository](github...)" or "a ported version of [fairseq ...](github...)" came from that repository
                code = _CONVERTED_CODE if _CONVERSION.match(m.group(0)) else _CODE
                if not code.search(lead) and len(lead) < 60:
                    add(mid, "card-text", " ".join((m.group(0) + window).split())[:160])
                    break
                continue
            if not valid_hub_id(mid):
                continue
            known = model_id(mid)
            if known or (linked and "/" in mid) or (linked and model_id(mid) is not None):
                add(known or mid, "card-text", " ".join((m.group(0) + window).split())[:160])
                break
    verbs = _phrase_matches(_VERB, low) if len(low) == len(prose) else ()
    for v in verbs:
        head = prose[max(0, v.start() - 200) : v.start()]
        prior = _ID_BEFORE_VERB.search(head)
        if prior is None or _BLANK_LINE.search(prior.group(0)):
            continue  # an id a paragraph above ("moved to: org/name" then "Fine-tuned X on ...") is not the verb's subject
        linked = prior.group(1).startswith("[")
        if v.group(0) == "trained on" and not (linked or prior.group(2)):
            continue  # "X trained on" needs a linked id or "X model trained on"
        if _NEGATIVE.search(head[max(0, prior.start() - 80) :]):
            continue
        for mid, is_link in _ids_near(prior.group(1))[:1]:
            if mid.startswith("github:") or not valid_hub_id(mid):
                continue
            known = model_id(mid)
            if known or (is_link and "/" in mid):
                add(known or mid, "card-text", " ".join((prior.group(0) + v.group(0)).split())[:160])
    for m in _fine_tuned_then_ids(prose) if "fine" in low else ():
        if _NEGATIVE.search(prose[max(0, m.start() - 80) : m.start()]):
            continue
        for mid, is_link in _ids_near(m.group(1))[:1]:
            if mid.startswith("github:") or not valid_hub_id(mid):
                continue
            known = model_id(mid)
            if known or (is_link and "/" in mid):
                add(known or mid, "card-text", " ".join(m.group(0).split())[:160])
    # "An [adapter](https://adapterhub.ml) for the `roberta-base` model": a phrase split by a link
    if "](" in prose and "`" in prose:
        unlinked, cuts = _unlinked(prose)
        unlinked_low = unlinked.lower()
        found = _unlinked_phrases(unlinked_low, cuts, in_prose) if len(unlinked_low) == len(unlinked) else _PHRASES.finditer(unlinked)
        for m in found:
            tick = re.match(r"\s*(?:the\s+)?`([\w./-]{3,120})`", unlinked[m.end() : m.end() + 130])
            if tick and valid_hub_id(tick.group(1)) and model_id(tick.group(1)):
                add(model_id(tick.group(1)) or tick.group(1), "card-text", " ".join(unlinked[m.start() : m.end() + 60].split()))
    cfg = config or {}
    path = cfg.get("_name_or_path")
    if isinstance(path, str) and valid_hub_id(path):
        known = model_id(path)
        if known:
            add(known, "config", f"config.json _name_or_path: {path}")
    return tuple(out)
