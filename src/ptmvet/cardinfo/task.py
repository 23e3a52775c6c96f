"""The task a model is for, with the source it was read from.

Sources, strongest first: the card's ``pipeline_tag``; the registry's
``pipeline_tag``; a task among the card's ``tags``; the task types of
``model-index`` results; the library (``sentence-transformers`` ->
sentence-similarity); the config's architectures (``*ForSequenceClassification``
-> text-classification, with the model type deciding ambiguous heads); and
finally the card text (``pipeline("ner")``, ``AutoModelForSeq2SeqLM``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ptmvet.cardinfo import _gate

#: Hub pipeline tags (2022 and 2024 vocabularies).
TASKS = frozenset(
    {
        "text-classification", "token-classification", "table-question-answering", "question-answering",
        "zero-shot-classification", "translation", "summarization", "conversational", "feature-extraction",
        "text-generation", "text2text-generation", "fill-mask", "sentence-similarity", "text-to-speech",
        "text-to-audio", "automatic-speech-recognition", "audio-to-audio", "audio-classification",
        "voice-activity-detection", "image-classification", "object-detection", "image-segmentation",
        "text-to-image", "image-to-text", "image-to-image", "unconditional-image-generation",
        "video-classification", "reinforcement-learning", "tabular-classification", "tabular-regression",
        "structured-data-classification", "protein-folding", "speech-segmentation",
        "zero-shot-image-classification", "depth-estimation", "visual-question-answering",
        "document-question-answering", "robotics", "graph-ml", "mask-generation", "zero-shot-object-detection",
        "text-to-video", "image-feature-extraction", "keypoint-detection", "any-to-any", "image-text-to-text",
        "video-text-to-text", "time-series-forecasting", "text-ranking", "audio-text-to-text",
        "visual-document-retrieval", "multiple-choice", "image-to-video", "text-to-3d", "image-to-3d",
        "zero-shot-audio-classification", "time-series-classification",
    }
)  # fmt: skip

#: Other spellings of tasks seen in cards and model-index.
TASK_ALIASES: Mapping[str, str] = {
    "sentiment-analysis": "text-classification",
    "sequence-classification": "text-classification",
    "text-classificaiton": "text-classification",
    "natural-language-inference": "text-classification",
    "ner": "token-classification",
    "named-entity-recognition": "token-classification",
    "pos": "token-classification",
    "part-of-speech": "token-classification",
    "asr": "automatic-speech-recognition",
    "speech-recognition": "automatic-speech-recognition",
    "language-modeling": "fill-mask",
    "masked-language-modeling": "fill-mask",
    "causal-language-modeling": "text-generation",
    "causal-lm": "text-generation",
    "seq2seq": "text2text-generation",
    "tts": "text-to-speech",
    "extractive-qa": "question-answering",
    "qa": "question-answering",
    "semantic-similarity": "sentence-similarity",
    "sentence-embeddings": "sentence-similarity",
    "image-captioning": "image-to-text",
    "abstractive-summarization": "summarization",
    "machine-translation": "translation",
    "image-restoration": "image-to-image",
    "superresolution": "image-to-image",
    "super-resolution": "image-to-image",
    "image-super-resolution": "image-to-image",
}

#: Library (card ``library_name``, a tag, or the registry) -> the task it implies.
LIBRARY_TASKS: Mapping[str, str] = {
    "sentence-transformers": "sentence-similarity",
    "timm": "image-classification",
    "spacy": "token-classification",
    "flair": "token-classification",
    "stanza": "token-classification",
    "asteroid": "audio-to-audio",
    "diffusers": "text-to-image",
    "stable-baselines3": "reinforcement-learning",
    "ml-agents": "reinforcement-learning",
    "sample-factory": "reinforcement-learning",
    "tensorflowtts": "text-to-speech",
    "pyannote-audio": "voice-activity-detection",
    "sklearn": "tabular-classification",
    "scikit-learn": "tabular-classification",
    "open_clip": "zero-shot-image-classification",
}

_AUDIO_TYPES = frozenset({"wav2vec2", "hubert", "wavlm", "unispeech", "unispeech-sat", "data2vec-audio", "sew", "sew-d", "whisper", "ast", "wav2vec2-conformer"})
_ASR_SEQ2SEQ = frozenset({"speech_to_text", "speech-to-text", "whisper", "speech-encoder-decoder", "speecht5"})

#: Architecture class suffix -> task (longest suffix first).
_HEADS: tuple[tuple[str, str], ...] = (
    ("ForImageClassificationWithTeacher", "image-classification"),
    ("ForMultiLabelSequenceClassification", "text-classification"),
    ("ForMultilabelSequenceClassification", "text-classification"),
    ("ForSequenceClassification", "text-classification"),
    ("ForMultiLabelClassification", "text-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("WithLMHead", "text-generation"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("ForSeq2SeqLM", "text2text-generation"),
    ("ForCTC", "automatic-speech-recognition"),
    ("ForImageClassification", "image-classification"),
    ("ForObjectDetection", "object-detection"),
    ("ForSemanticSegmentation", "image-segmentation"),
    ("ForInstanceSegmentation", "image-segmentation"),
    ("ForUniversalSegmentation", "image-segmentation"),
    ("ForImageSegmentation", "image-segmentation"),
    ("ForAudioClassification", "audio-classification"),
    ("ForSpeechClassification", "audio-classification"),
    ("ForDepthEstimation", "depth-estimation"),
    ("ForVideoClassification", "video-classification"),
    ("ForZeroShotImageClassification", "zero-shot-image-classification"),
    ("ForVisualQuestionAnswering", "visual-question-answering"),
    ("ForDocumentQuestionAnswering", "document-question-answering"),
    ("ForMultipleChoice", "multiple-choice"),
    ("MTModel", "text2text-generation"),
    ("VisionEncoderDecoderModel", "image-to-text"),
    ("SpeechEncoderDecoderModel", "automatic-speech-recognition"),
    ("EncoderDecoderModel", "text2text-generation"),
    ("CLIPModel", "zero-shot-image-classification"),
    ("ContextEncoder", "feature-extraction"),
    ("QuestionEncoder", "feature-extraction"),
    ("Model", "feature-extraction"),
)

#: Heads whose task no pipeline serves: no task is inferred from them.
_NO_TASK = ("ForPreTraining", "ForPretraining", "ForNextSentencePrediction", "ForXVector", "ForAudioFrameClassification")

_PIPELINE_CALL = re.compile(r"""pipeline\(\s*(?:task\s*=\s*)?["']([a-z0-9_-]+)["']""")
_AUTO_CLASS = re.compile(r"\bAutoModel(?:For|With)(\w+)|\b(SentenceTransformer)\(|\bTFAutoModelFor(\w+)")
_AUTO_TASKS: Mapping[str, str] = {
    "SequenceClassification": "text-classification",
    "TokenClassification": "token-classification",
    "QuestionAnswering": "question-answering",
    "MaskedLM": "fill-mask",
    "CausalLM": "text-generation",
    "LMHead": "text-generation",
    "Seq2SeqLM": "text2text-generation",
    "CTC": "automatic-speech-recognition",
    "SpeechSeq2Seq": "automatic-speech-recognition",
    "ImageClassification": "image-classification",
    "ObjectDetection": "object-detection",
    "AudioClassification": "audio-classification",
    "SentenceTransformer": "sentence-similarity",
}


#: Statements of the task in card prose, most specific first.
_PROSE_TASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"problem type:\s*summari[sz]ation", re.I), "summarization"),
    (re.compile(r"problem type:\s*(?:binary|multi-?class|multi-?label) classification", re.I), "text-classification"),
    (re.compile(r"problem type:\s*extractive question answering", re.I), "question-answering"),
    (re.compile(r"problem type:\s*entity extraction", re.I), "token-classification"),
    (re.compile(r"zero-shot,? (?:arbitrary )?image classification", re.I), "zero-shot-image-classification"),
    (re.compile(r"\bmultiple[- ]choice\b", re.I), "multiple-choice"),
    (re.compile(r"(?:document|sentence|text)[- ]level (?:embedding|representation)|\bextract features\b", re.I), "feature-extraction"),
    (re.compile(r"causal language model(?:ing)?\b|pipeline for text generation", re.I), "text-generation"),
    (re.compile(r"masked language model(?:ing)?\b|pipeline for masked language modeling", re.I), "fill-mask"),
)
#: Generic tasks that a card's own statement may make more specific.
_REFINE: Mapping[str, tuple[str, ...]] = {
    "text2text-generation": ("summarization", "translation"),
    "feature-extraction": ("sentence-similarity",),
}
_TITLE_TASKS = ((re.compile(r"summari[sz]", re.I), "summarization"), (re.compile(r"\btranslat", re.I), "translation"))


def from_prose(body: str) -> tuple[str | None, str | None]:
    """(task, quote) from a sentence of the card that states it."""
    head = body[:20_000]
    hits = [(m.start(), task, m.group(0)) for rx, task in _PROSE_TASKS if (m := _gate.search(rx, head))]
    if not hits:
        return None, None
    _, task, quote = min(hits)  # the first statement in the card
    return task, quote


def _refined(task: str, body: str, tags: Iterable[str]) -> tuple[str, str] | None:
    """A more specific task the card states for a generic one (a T5 card titled "summarization")."""
    wanted = _REFINE.get(task, ())
    if not wanted:
        return None
    if "sentence-similarity" in wanted and re.search(r"SentenceTransformer\(|sentence-transformers", body):
        return "sentence-similarity", "the card loads it with sentence-transformers"
    title = next((line for line in body.splitlines() if line.lstrip().startswith("#")), "")
    words = " ".join([title, *tags])
    for rx, refined in _TITLE_TASKS:
        if refined in wanted and rx.search(words):
            return refined, f"card title/tags: {' '.join(title.split())[:80]}"
    m = re.search(r"problem type:\s*summari[sz]ation", body, re.I)
    if m and "summarization" in wanted:
        return "summarization", m.group(0)
    return None


@dataclass(frozen=True)
class TaskInference:
    """The task, where it was read (``front-matter:pipeline_tag``, ``config:architectures``...), and the alternatives seen."""

    task: str | None
    source: str | None
    evidence: str | None = None
    candidates: tuple[tuple[str, str], ...] = ()  # (task, source) for every source that named one

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "source": self.source, "evidence": self.evidence, "candidates": [list(c) for c in self.candidates]}


def canonical(task: str | None) -> str | None:
    """A task name as a Hub pipeline tag, or None when it names none."""
    if not isinstance(task, str):
        return None
    t = task.strip().lower().replace("_", "-").replace(" ", "-")
    if t in TASKS:
        return t
    if t.startswith("translation"):  # pipeline("translation_en_to_de")
        return "translation"
    return TASK_ALIASES.get(t)


def from_architectures(architectures: Iterable[str], model_type: str | None = None) -> str | None:
    """The task an architecture class implies, with the model type deciding ambiguous heads."""
    mt = (model_type or "").lower()
    for arch in architectures:
        if not isinstance(arch, str) or arch.endswith(_NO_TASK):
            continue
        for suffix, task in _HEADS:
            if not arch.endswith(suffix):
                continue
            if task == "text-classification" and mt in _AUDIO_TYPES:
                return "audio-classification"
            if task == "question-answering" and mt == "tapas":
                return "table-question-answering"
            if task in ("text2text-generation", "text-generation") and mt in _ASR_SEQ2SEQ:
                return "automatic-speech-recognition"
            if task == "text-generation" and mt in ("xlm", "flaubert") and "WithLMHead" in arch:
                return "fill-mask"  # XLMWithLMHeadModel is a masked language model
            if task == "text-generation" and arch.startswith("T5"):
                return "text2text-generation"
            return task
    return None


def from_text(body: str) -> tuple[str | None, str | None]:
    """(task, quote) from usage code in the card: a ``pipeline("...")`` call, then an Auto class."""
    m = _gate.search(_PIPELINE_CALL, body)
    if m:
        task = canonical(m.group(1))
        if task:
            return task, m.group(0)
    for m in _gate.finditer(_AUTO_CLASS, body):
        key = m.group(1) or m.group(2) or m.group(3)
        task = _AUTO_TASKS.get(key or "")
        if task:
            return task, m.group(0)
    return None, None


def _strs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def infer_task(
    metadata: Mapping[str, Any],
    body: str = "",
    *,
    config: Mapping[str, Any] | None = None,
    registry_pipeline_tag: str | None = None,
    registry_library: str | None = None,
    registry_tags: Iterable[str] = (),
    files: Iterable[str] = (),
) -> TaskInference:
    """Infer the task from every source; the strongest that names one wins."""
    found: list[tuple[str, str, str]] = []  # (task, source, evidence)

    def add(task: str | None, source: str, evidence: str) -> None:
        if task and all(task != t or source != s for t, s, _ in found):
            found.append((task, source, evidence))

    tag = metadata.get("pipeline_tag")
    add(canonical(tag) if isinstance(tag, str) else None, "front-matter:pipeline_tag", f"pipeline_tag: {tag}")
    add(canonical(registry_pipeline_tag), "registry:pipeline_tag", f"registry pipeline_tag {registry_pipeline_tag}")
    tags = _strs(metadata.get("tags"))
    for t in tags:
        key = t.strip().lower().replace("_", "-")
        add(canonical(t) if key in TASKS or key in TASK_ALIASES else None, "front-matter:tags", f"tag {t}")
    index = metadata.get("model-index") or metadata.get("model_index")
    for entry in index if isinstance(index, list) else []:
        results = entry.get("results") if isinstance(entry, Mapping) else None
        for result in results if isinstance(results, list) else []:
            rt: Any = result.get("task") if isinstance(result, Mapping) else None
            rt = rt[0] if isinstance(rt, list) and rt else rt
            if isinstance(rt, Mapping):
                add(canonical(rt.get("type")), "front-matter:model-index", f"model-index task {rt.get('type')}")
    libraries = [*_strs(metadata.get("library_name")), *([registry_library] if registry_library else []), *tags, *registry_tags]
    file_set = set(files)
    if "config_sentence_transformers.json" in file_set or "modules.json" in file_set:
        libraries.append("sentence-transformers")
    for lib in libraries:
        add(LIBRARY_TASKS.get(lib.strip().lower()), "library", f"library {lib}")
    cfg = config or {}
    archs = _strs(cfg.get("architectures"))
    mt = cfg.get("model_type") if isinstance(cfg.get("model_type"), str) else None
    add(from_architectures(archs, mt), "config:architectures", f"architectures {', '.join(archs)}" + (f" (model_type {mt})" if mt else ""))
    if body and not found:
        task, quote = from_text(body)
        if task is None:
            task, quote = from_prose(body)
        add(task, "card-text", f"card text: {quote}")
    if not found:
        return TaskInference(None, None)
    best = found[0]
    if body and best[1] in ("config:architectures", "library"):
        refined = _refined(best[0], body, tags)
        if refined is not None:
            found.insert(0, (refined[0], "card-text", refined[1]))
            best = found[0]
    return TaskInference(best[0], best[1], best[2], tuple((t, s) for t, s, _ in found))
