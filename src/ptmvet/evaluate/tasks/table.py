"""The table of task runners: one row per task, read by the runner, the column inference and the card readers.

It imports nothing of the runners or the data readers, so both can read it (the data
readers take the column names of a task from its row) without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RunnerSpec:
    """One row of :data:`RUNNERS`: where a task's runner lives and what it serves.

    ``module`` is ``ptmvet.evaluate.tasks.<module>``, whose ``RUNNER`` (or ``runner(task)``
    when one module serves several tasks) runs the task. ``kinds`` are the kinds of metric
    its predictions feed (``metrics.Predictions.kind``); ``architectures`` are substrings of a
    config's ``architectures`` that name the task; ``aliases`` are the other names cards use;
    ``columns`` are the data column names of each role the runner reads, in order of preference
    (the classification families, whose columns are also told apart by their values, have
    theirs in ``datasets.TASK_ROLES``).
    """

    module: str
    kinds: frozenset[str]
    architectures: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


#: The task runners: adding one is its module plus one row here. Rows are matched against a
#: config's architectures in this order (the speech rows come before summarization, whose
#: ``ForConditionalGeneration`` also ends Whisper's name).
RUNNERS: Mapping[str, RunnerSpec] = {
    "text-classification": RunnerSpec(
        "text_classification", frozenset({"classes"}), ("ForSequenceClassification",),
        ("sentiment-analysis", "natural-language-inference", "text-pair-classification", "semantic-similarity-classification",
         "sequence-classification", "sentence-pair-classification", "paraphrase-identification")),
    "token-classification": RunnerSpec(
        "token_classification", frozenset({"entities"}), ("ForTokenClassification",), ("ner", "named-entity-recognition")),
    "sentence-similarity": RunnerSpec(
        "sentence_similarity", frozenset({"values"}), (), ("feature-extraction", "semantic-textual-similarity", "sts")),
    "tabular-classification": RunnerSpec("tabular", frozenset({"classes"})),
    "tabular-regression": RunnerSpec("tabular", frozenset({"values"})),
    "image-classification": RunnerSpec("image_classification", frozenset({"classes", "scores"}), ("ForImageClassification",)),
    "question-answering": RunnerSpec(
        "question_answering", frozenset({"scores"}), ("ForQuestionAnswering",), ("extractive-question-answering", "extractive-qa", "qa"),
        {"question": ("question", "query", "questions"),
         "context": ("context", "passage", "paragraph", "document", "text"),
         "answers": ("answers", "answer", "answer_text", "gold_answers", "label")}),
    # a summarization ``text`` column is the source, an ASR ``text`` column the transcript
    "automatic-speech-recognition": RunnerSpec(
        "speech_recognition", frozenset({"scores"}), ("Whisper", "Speech2Text", "SpeechEncoderDecoder", "ForCTC"),
        ("asr", "speech-recognition"),
        {"audio": ("audio", "audio_path", "path", "file", "filename", "speech", "wav"),
         "transcript": ("text", "transcript", "transcription", "sentence", "normalized_text", "label")}),
    "summarization": RunnerSpec(
        "summarization", frozenset({"scores"}), ("ForConditionalGeneration",), ("text2text-generation", "abstractive-summarization"),
        {"source": ("document", "article", "dialogue", "text", "source", "input", "content", "src"),
         "summary": ("summary", "highlights", "abstract", "target", "reference", "tgt", "headline")}),
    "object-detection": RunnerSpec(
        "object_detection", frozenset({"detections"}), ("ForObjectDetection",), ("detection",),
        {"image": ("image", "img", "image_path", "file_name", "filepath", "path"),
         "objects": ("objects", "annotations", "boxes", "detections", "bboxes")}),
}
TASK_ALIASES: Mapping[str, str] = {alias: task for task, spec in RUNNERS.items() for alias in spec.aliases}


__all__ = ["RUNNERS", "TASK_ALIASES", "RunnerSpec"]
