"""Performance claims stated in card prose and in results tables.

A claim needs a number, a metric named next to it and, for a table, a row or
column that says what was measured. Numbers next to hyperparameters, sizes or
dates are never claims, nor are the per-epoch logs of a Trainer's "Training
results" table. Each claim carries its source (``card-text`` or
``card-table``) and a confidence: 0.9 when the dataset and the split are named
where the number is, lower when they come from the rest of the card.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ptmvet.card import Claim
from ptmvet.cardinfo import _gate
from ptmvet.cardinfo.known import dataset_id, norm

#: Metric spellings -> metric id (the ids ``evaluate/metrics.py`` knows).
METRICS: dict[str, str] = {
    "accuracy": "accuracy", "acc": "accuracy", "top1": "accuracy", "top1accuracy": "accuracy",
    "top5": "top5_accuracy", "top5accuracy": "top5_accuracy",
    "f1": "f1", "f1score": "f1", "f1macro": "f1", "macrof1": "f1", "microf1": "f1", "f1micro": "f1",
    "weightedf1": "f1", "f1weighted": "f1", "f": "f1", "fscore": "f1", "f1measure": "f1",
    "exactmatch": "exact_match", "em": "exact_match", "exact": "exact_match",
    "precision": "precision", "recall": "recall",
    "bleu": "bleu", "sacrebleu": "bleu", "chrf": "chrf", "meteor": "meteor",
    "rouge1": "rouge1", "rouge2": "rouge2", "rougel": "rougeL", "rougelsum": "rougeLsum",
    "wer": "wer", "cer": "cer", "perplexity": "perplexity", "ppl": "perplexity",
    "pearson": "pearson", "spearman": "spearman", "pearsonr": "pearson", "spearmanr": "spearman",
    "spearmancorrelation": "spearman", "pearsoncorrelation": "pearson",
    "mcc": "matthews_correlation", "matthewscorrelation": "matthews_correlation", "matthewscorr": "matthews_correlation",
    "auc": "roc_auc", "rocauc": "roc_auc", "aucroc": "roc_auc", "map": "map", "mrr": "mrr", "mrr10": "mrr", "ndcg": "ndcg",
    "ndcg10": "ndcg", "miou": "mean_iou", "meaniou": "mean_iou", "bertscore": "bertscore", "ter": "ter", "gleu": "google_bleu",
    "las": "las", "uas": "uas", "pesq": "pesq", "stoi": "stoi", "sisdr": "si_sdr", "sdr": "sdr", "eer": "eer",
    "bleu1": "bleu1", "bleu2": "bleu2", "bleu3": "bleu3", "bleu4": "bleu4", "bpb": "bpb", "bpc": "bpc",
}  # fmt: skip
#: spaCy's scorer keys (TOKEN_F, DEP_UAS, LEMMA_ACC): the part after the last "_" names the metric.
_SPACY_SUFFIX = {"f": "f1", "p": "precision", "r": "recall", "acc": "accuracy", "uas": "uas", "las": "las"}
#: Qualifiers of correlation metrics ("Cosine Pearson", "Euclidean Spearman").
_QUALIFIERS = re.compile(r"^(?:(?:average|avg\.?|mean|macro|micro|weighted|overall|test|dev|validation|eval)[ _-]+)+", re.I)
_CORR_PREFIX = re.compile(r"^(?:cosine|cos|euclidean|manhattan|dot|dotproduct)[ _-]*", re.I)
_METRIC_WORDS = sorted(
    {"accuracy", "acc", "top-1", "top-5", "f1", "f1-score", "f1 score", "f-score", "f-measure", "macro-f1", "micro-f1",
     "macro f1", "micro f1", "weighted f1", "exact match", "em", "precision", "recall", "bleu", "sacrebleu", "chrf", "meteor",
     "rouge-1", "rouge-2", "rouge-l", "rouge1", "rouge2", "rougel", "rougelsum", "rouge-lsum", "wer", "cer", "perplexity", "ppl",
     "pearson", "spearman", "pearson correlation", "spearman correlation", "mcc", "matthews correlation", "matthews corr",
     "auc", "roc-auc", "roc auc", "map", "mrr", "mrr@10", "ndcg", "ndcg@10", "miou", "mean iou", "bertscore", "las", "uas",
     "eer", "si-sdr", "sdr", "pesq", "stoi"},
    key=len,
    reverse=True,
)  # fmt: skip
_METRIC_RE = "|".join(re.escape(w) for w in _METRIC_WORDS)
_NUM = r"(\d{1,3}(?:\.\d+)?|0?\.\d+)\s*(%|percent)?"
# "accuracy of 91.3", "F1: 0.91", "a WER of 12.3%", "accuracy is 91.3"
_METRIC_THEN_NUM = re.compile(
    rf"(?<![\w-])({_METRIC_RE})(?![\w-])(?:\s*\([^)]{{0,30}}\))?\s*(?:score|value|rate)?\s*(?:of|:|=|is|was|reaches|achieves|at|\||≈|~|-)?\s*(?:about|around|approximately|roughly|~)?\s*\(?{_NUM}(?![\w.]*\d)",
    re.I,
)
# "91.3% accuracy", "88.5 F1", "91.3 accuracy"
_NUM_THEN_METRIC = re.compile(
    rf"(?<![\w.]){_NUM}\s*(?:points?\s+(?:of\s+)?)?(?:in\s+|on\s+)?(?:(?:question|interaction|exact|top|match|macro|micro|weighted|average|mean|overall|test|dev|validation)[ -]+){{0,2}}({_METRIC_RE})(?![\w-])",
    re.I,
)
_NOT_A_CLAIM = re.compile(
    r"learning[ _-]?rate|\blr\b|batch|epoch|warm-?up|seed|step|hidden|layers?\b|heads?\b|params|parameters|dropout|"
    r"weight[ _-]decay|max[ _-]?(?:seq|len)|sequence length|tokens?\b|vocab|\bGB\b|\bMB\b|size|dimension|\bdim\b|"
    r"\bversion\b|\bv\d|licen[cs]e|\b(?:19|20)\d\d\b|gradient|beta|epsilon|momentum|threshold|temperature|top[_-]?[kp]\b",
    re.I,
)
_SPLIT = re.compile(r"\b(dev(?:elopment)?|validation|val|eval(?:uation)?|held[- ]out|test(?:ing)?)(?:[- ](?:set|split|data|sets))?\b", re.I)
_SPLIT_MAP = {"dev": "validation", "development": "validation", "validation": "validation", "val": "validation",
              "eval": "validation", "evaluation": "validation", "held-out": "test", "held out": "test", "test": "test",
              "testing": "test"}  # fmt: skip
_ON_DATASET = re.compile(r"\b(?:on|for|in)\s+(?:the\s+)?(?:\[)?([A-Z][\w.+-]*(?:[ -][A-Z0-9][\w.+-]*){0,3}|[a-z][\w-]*\d[\w-]*|[a-z]+_[a-z_]+)", re.U)
_TRAINER_RESULTS = re.compile(
    r"achieves the following results on the (evaluation|test|validation) set|^#+\s*(validation|test|evaluation) metrics\s*$", re.I | re.M
)
_TRAINER_LINE = re.compile(r"^\s*[-*]\s*([A-Za-z][\w @./-]{0,40}?)\s*:\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$", re.M)
_LOG_HEADERS = re.compile(r"^(epoch|step|steps|training loss|train loss|validation loss|loss|learning rate|lr|batch size|runtime|samples per second|time)$", re.I)


@dataclass(frozen=True)
class TextClaim:
    """A claim read from the card text or a table, with how sure the reading is."""

    claim: Claim
    confidence: float
    quote: str


def metric_id(text: str) -> str | None:
    """The metric id a header or phrase names, or None."""
    text = text.strip().strip("`*_ ")
    spacy = re.fullmatch(r"[A-Z]+(?:_[A-Z]+)*_(F|P|R|ACC|UAS|LAS)", text)
    if spacy:
        return _SPACY_SUFFIX[spacy.group(1).lower()]
    outside = re.sub(r"\(.*?\)", "", text).strip()
    if not outside and text.startswith("("):
        outside = text.strip("() ")  # a "(PPL)" cell names its metric in parentheses
    outside = _QUALIFIERS.sub("", outside)
    key = norm(_CORR_PREFIX.sub("", outside))
    if key in METRICS:
        return METRICS[key]
    for suffix in ("score", "value", "rate"):
        if key.endswith(suffix) and key[: -len(suffix)] in METRICS:
            return METRICS[key[: -len(suffix)]]
    return None


def _value(num: str, pct: str | None) -> float | None:
    try:
        v = float(num)
    except ValueError:
        return None
    if v < 0 or v > 100 or (pct is None and v > 1 and "." not in num and v < 2):
        return None
    return v


def _split_of(text: str) -> str | None:
    m = _SPLIT.search(text)
    if m is None:
        return None
    return _SPLIT_MAP.get(m.group(1).lower().replace("-", " ").replace("held out", "held-out"))


def _dataset_in(text: str, known: Sequence[str]) -> str | None:
    """A dataset named in a sentence: one the card declares, else a known id after "on/for/in"."""
    low = norm(text)
    for ds in known:
        short = norm(ds.rsplit("/", 1)[-1])
        if len(short) >= 3 and short in low:
            return ds
    for m in _ON_DATASET.finditer(text):
        words = m.group(1).split()
        for n in range(len(words), 0, -1):
            found = dataset_id(" ".join(words[:n]))
            if found:
                return found
    return None


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_DIGIT = re.compile(r"\d")


def _numeric_sentences(prose: str) -> Iterable[str]:
    """The sentences outside tables that hold a digit: the only ones that can state a result."""
    for para in _PARAGRAPH_BREAK.split(prose):
        para = para.replace("**", "").replace("__", "")
        for line in para.split("\n"):
            if line.lstrip().startswith("|") or line.count("|") >= 2:
                continue  # tables are read by table_claims
            if not _DIGIT.search(line):
                continue
            if "." in line or "!" in line or "?" in line:
                yield from (s for s in _SENTENCE_BREAK.split(line) if s.strip())
            else:
                yield line  # no sentence end, so one sentence


def text_claims(prose: str, *, datasets: Sequence[str] = (), task: str | None = None) -> list[TextClaim]:
    """Claims stated in sentences ("reaches an accuracy of 91.3 on the dev set")."""
    out: list[TextClaim] = []
    seen: set[tuple[str, float]] = set()
    default_ds = datasets[0] if len(datasets) == 1 else None
    trainer = _gate.search(_TRAINER_RESULTS, prose)
    sentences_from = prose
    if trainer is not None:
        split = _SPLIT_MAP.get((trainer.group(1) or trainer.group(2)).lower())
        parts = prose[trainer.end() : trainer.end() + 8000].split("\n\n", 2)
        lines = "\n".join(parts[:2]) if len(parts) > 1 and not parts[0].strip() else parts[0]
        # the list is read here only: a line whose name is not a metric ("Adj Precision: 0.91", one
        # tag of seqeval's per-label breakdown) is not a claim, so the sentence pass must not read it
        sentences_from = prose.replace(lines, "\n", 1) if lines.strip() else prose
        for m in _TRAINER_LINE.finditer(lines):
            metric = metric_id(m.group(1))
            value = _value(m.group(2), None)
            if metric is None or value is None or (metric, value) in seen:
                continue
            seen.add((metric, value))
            out.append(TextClaim(_claim(task, default_ds, split, metric, m.group(1), value, m.group(2), "card-text"), 0.8 if default_ds else 0.6, m.group(0).strip()))
    for sentence in _numeric_sentences(sentences_from):
        if len(sentence) > 600 or not _DIGIT.search(sentence):
            continue
        hits = [(m.group(1), m.group(2), m.group(3), m.start(), m.group(0)) for m in _gate.finditer(_METRIC_THEN_NUM, sentence)]
        hits += [(m.group(3), m.group(1), m.group(2), m.start(), m.group(0)) for m in _gate.finditer(_NUM_THEN_METRIC, sentence)]
        for word, num, pct, start, quote in hits:
            context = sentence[max(0, start - 40) : start + len(quote) + 10]
            if _NOT_A_CLAIM.search(quote) or re.search(r"(?:19|20)\d\d", num) or _NOT_A_CLAIM.search(context.replace(quote, " ")[:40]):
                continue
            metric = metric_id(word)
            value = _value(num, pct)
            if metric is None or value is None or (metric, value) in seen:
                continue
            if re.search(r"for comparison|compared to|than\b|\bvs\.?\b|versus|baseline|previous|state[- ]of[- ]the[- ]art|sota", sentence[: start + len(quote) + 30], re.I) and not re.search(r"\b(this|our) model\b", sentence, re.I):
                # "(for comparison, bert-base reaches 92.7)": a number about another model
                before = sentence[:start]
                if re.search(r"for comparison|compared to|than\b|\bvs\.?\b|versus|baseline|previous|sota", before, re.I):
                    continue
            ds = _dataset_in(sentence, datasets)
            split = _split_of(sentence)
            # named in the sentence > the card's only dataset > none; a named split adds certainty
            confidence = (0.9 if split else 0.7) if ds else (0.8 if split else 0.6) if default_ds else 0.4
            seen.add((metric, value))
            out.append(TextClaim(_claim(task, ds or default_ds, split, metric, word, value, num + (pct or ""), "card-text"), confidence, " ".join(sentence.split())[:200]))
    return out


def _claim(task: str | None, ds: str | None, split: str | None, metric: str, name: str, value: float, raw: str, source: str) -> Claim:  # noqa: PLR0917
    return Claim(
        task_type=task,
        dataset_name=ds,
        dataset_type=ds,
        dataset_split=split,
        metric_type=metric,
        metric_name=name.strip(),
        value=value,
        raw_value=raw.strip(),
        source=source,
    )


# --------------------------------------------------------------------- tables

_ROW = re.compile(r"^\s*\|?(.+?)\|?\s*$")
_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HTML_TABLE = re.compile(r"<table\b.*?</table>", re.I | re.S)
_HTML_ROW = re.compile(r"<tr\b.*?</tr>", re.I | re.S)
_HTML_CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_CELL_NUM = re.compile(r"^\s*[*_]*\s*(\d{1,3}(?:\.\d+)?|0?\.\d+)\s*(%)?\s*(?:±\s*[\d.]+)?\s*[*_]*\s*$")


def markdown_tables(text: str, *, with_headings: bool = False) -> list[Any]:
    """Pipe tables (header, rule, rows) and HTML tables as lists of rows of cell texts.

    With ``with_headings``, each table comes with the text of the last
    Markdown heading above it (``(rows, heading)``).
    """
    tables: list[tuple[list[list[str]], str]] = []
    lines = text.split("\n") if "|" in text else []  # no pipe, no pipe table
    heading = ""
    i = 0
    while i < len(lines) - 1:
        if lines[i].lstrip().startswith("#"):
            heading = lines[i].strip("# \t")
        if "|" in lines[i] and _RULE.match(lines[i + 1]) and "-" in lines[i + 1]:
            rows = [_cells(lines[i])]
            j = i + 2
            while j < len(lines) and "|" in lines[j] and lines[j].strip():
                rows.append(_cells(lines[j]))
                j += 1
            tables.append((rows, heading))
            i = j
        else:
            i += 1
    if "<" in text and "<table" in text.lower():
        for t in _HTML_TABLE.finditer(text):
            html_rows = []
            for r in _HTML_ROW.finditer(t.group(0)):
                html_rows.append([" ".join(html.unescape(_TAG.sub(" ", c)).split()) for c in _HTML_CELL.findall(r.group(0))])
            if len(html_rows) >= 2:
                tables.append((html_rows, ""))
    return tables if with_headings else [t[0] for t in tables]


_DATA_HEADER = re.compile(r"^(?:test ?sets?|datasets?|data|benchmarks?|tasks?|corpus|corpora|eval(?:uation)? sets?|language pairs?)$", re.I)


def _err_metric(text: str, rows: list[list[str]], heading: str) -> str | None:
    """The metric of an ESPnet-style error table (an "Err" column under a "WER"/"CER"/"TER" heading)."""
    if not rows or "Err" not in rows[0]:
        return None
    h = heading.strip().upper()
    return h.lower() if h in ("WER", "CER", "TER") else None


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip().strip("*_` ") for c in re.split(r"(?<!\\)\|", s)]


def _num(cell: str) -> tuple[float, str] | None:
    m = _CELL_NUM.match(cell)
    if m is None:
        return None
    v = _value(m.group(1), m.group(2))
    return (v, m.group(1)) if v is not None else None


def table_claims(text: str, *, datasets: Sequence[str] = (), task: str | None = None, own_names: Sequence[str] = ()) -> list[TextClaim]:
    """Claims from results tables: metric columns x dataset rows, or metric rows x one value column."""
    out: list[TextClaim] = []
    own = {norm(n) for n in own_names if n} | {norm(n.rsplit("/", 1)[-1]) for n in own_names if n} | {"ours", "thismodel", "ourmodel"}
    default_ds = datasets[0] if len(datasets) == 1 else None
    for rows, heading_before in markdown_tables(text, with_headings=True):
        header = rows[0]
        body = [r for r in rows[1:] if any(c for c in r)]
        if not body or any(_LOG_HEADERS.match(h) for h in header if h):
            continue  # a training log (epoch, step, loss) or a table without rows
        metric_row = next((r for r in body[:2] if r and len(r) > 2 and sum(1 for c in r[1:] if c and metric_id(c)) * 2 >= len(r) - 1), None)
        if metric_row is not None and not any(metric_id(h) for h in header[1:] if h):
            # datasets across the header, metrics in a row below it, values in the next rows (GPT-2's card)
            for r in body[body.index(metric_row) + 1 :]:
                label = r[0] if r else ""
                if label and norm(label) not in own:
                    continue
                for i in range(1, min(len(r), len(header), len(metric_row))):
                    metric = metric_id(metric_row[i])
                    got = _num(r[i].replace(",", ".")) if metric else None
                    if metric is None or got is None:
                        continue
                    ds = _row_dataset(header[i], datasets)
                    out.append(TextClaim(_claim(task, ds, None, metric, metric_row[i], got[0], got[1], "card-table"), 0.6 if ds else 0.5, f"{header[i]} {metric_row[i]} {r[i]}"))
            continue
        metric_cols = {i: metric_id(h) for i, h in enumerate(header) if h and metric_id(h)}
        rows_are_data = bool(header and _DATA_HEADER.match(header[0] or ""))
        err_metric = _err_metric(text, rows, heading_before)
        if err_metric is not None:
            # ESPnet's scoring tables: "### WER" over |dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|
            col = header.index("Err")
            for r in body:
                got = _num(r[col]) if col < len(r) else None
                if got is None or not r[0]:
                    continue
                split = _split_of(r[0].rsplit("/", 1)[-1].rstrip("0123456789_")) or _split_of(r[0])
                out.append(TextClaim(_claim(task, default_ds, split, err_metric, err_metric.upper(), got[0], got[1], "card-table"), 0.6, " | ".join(r)[:200]))
            continue
        if metric_cols:
            # rows are datasets (or this model among others); columns are metrics
            for r in body:
                label = r[0] if r else ""
                ds = _row_dataset(label, datasets)
                is_own = norm(label) in own
                if ds is None and rows_are_data and label:
                    ds = label  # a test set named in a "testset"/"dataset" column
                if ds is None and not is_own and len(body) > 1:
                    continue  # a row about another model, or an unknown dataset
                split = _split_of(" ".join([*header, label]))
                for i, metric in metric_cols.items():
                    if i >= len(r) or metric is None:
                        continue
                    got = _num(r[i])
                    if got is None:
                        continue
                    conf = 0.9 if ds and split else 0.7 if ds else 0.5
                    out.append(TextClaim(_claim(task, ds or default_ds, split, metric, header[i], got[0], got[1], "card-table"), conf, " | ".join(r)[:200]))
            continue
        # metric rows: first column names the metric, one numeric column is this model's
        first_col_metrics = [(r, metric_id(r[0])) for r in body if r and metric_id(r[0])]
        if first_col_metrics and len(first_col_metrics) * 2 >= len(body):
            value_cols = [i for i in range(1, len(header)) if _row_dataset(header[i], datasets) or norm(header[i]) in own or len(header) == 2]
            for r, metric in first_col_metrics:
                for i in value_cols:
                    if i >= len(r) or metric is None:
                        continue
                    got = _num(r[i])
                    if got is None:
                        continue
                    ds = _row_dataset(header[i], datasets) or default_ds
                    split = _split_of(" ".join(header))
                    out.append(TextClaim(_claim(task, ds, split, metric, r[0], got[0], got[1], "card-table"), 0.7 if ds else 0.5, " | ".join(r)[:200]))
    return out


def _row_dataset(label: str, datasets: Sequence[str]) -> str | None:
    if not label or _num(label) is not None:
        return None
    key = norm(label)
    for ds in datasets:
        short = norm(ds.rsplit("/", 1)[-1])
        if short and (short == key or (len(short) >= 3 and short in key)):
            return ds
    return dataset_id(re.sub(r"\((?:dev|test|val\w*)\)|\b(dev|test|validation)\b", "", label, flags=re.I).strip())
