"""Per-row statistics of the generation and extraction metrics: SQuAD EM/F1, ROUGE, WER.

Each function returns the numbers one row contributes, so the corpus metric is a
ratio of column sums (a mean when the denominator is one per row) and the
bootstrap resamples rows (see ``metrics.Predictions`` kind ``scores``).

* SQuAD exact match and F1: the official ``evaluate-v1.1.py`` rules (lower-case,
  strip punctuation, the articles a/an/the and extra white space; the best over the
  gold answers); the corpus figure is the mean, in percent in the script.
* ROUGE-1/2/L: ``rouge-score``'s rules (lower-case, non-alphanumerics as spaces,
  no stemming: the default of the ``rouge`` metric); F-measure per row, averaged.
* ROUGE-Lsum: ``rouge-score``'s ``rougeLsum``, the summary-level LCS of the ROUGE
  paper (section 3.2): sentences are the lines of a summary (split on newlines, the
  convention of the Hugging Face summarization scripts), each reference sentence
  takes the union of its LCS with every predicted sentence, and a token counts once.
* WER: word edit distance over reference words summed over the corpus (``jiwer``'s
  default: words split on white space, no other normalisation).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

# ---------------------------------------------------------------- SQuAD

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)


def squad_normalize(s: str) -> str:
    """Lower text and remove punctuation, articles and extra white space (the SQuAD v1.1 script)."""
    s = "".join(ch for ch in s.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", s).split())


def squad_f1(prediction: str, truth: str) -> float:
    pred = squad_normalize(prediction).split()
    gold = squad_normalize(truth).split()
    common = Counter(pred) & Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0.0
    p = same / len(pred)
    r = same / len(gold)
    return 2 * p * r / (p + r)


def squad_row(prediction: str, answers: Sequence[str]) -> tuple[float, float]:
    """(exact match, F1) of one question: the best over its gold answers (0, 0 without any)."""
    if not answers:
        return 0.0, 0.0
    em = max(float(squad_normalize(prediction) == squad_normalize(a)) for a in answers)
    f1 = max(squad_f1(prediction, a) for a in answers)
    return em, f1


# ---------------------------------------------------------------- ROUGE

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def rouge_tokens(text: str) -> list[str]:
    """rouge-score's tokenizer without stemming."""
    return [t for t in _NON_ALNUM.sub(" ", text.lower()).split() if t]


def _fmeasure(overlap: int, n_pred: int, n_gold: int) -> float:
    p = overlap / max(n_pred, 1)
    r = overlap / max(n_gold, 1)
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (row-by-row dynamic programme, O(len(b)) memory)."""
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def lcs_indices(a: Sequence[str], b: Sequence[str]) -> list[int]:
    """Positions in ``a`` of one longest common subsequence with ``b`` (rouge-score's table and backtrack)."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a, start=1):
        row, up = table[i], table[i - 1]
        for j, y in enumerate(b, start=1):
            row[j] = up[j - 1] + 1 if x == y else max(up[j], row[j - 1])
    i, j = len(a), len(b)
    out: list[int] = []
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            out.append(i - 1)
            i -= 1
            j -= 1
        elif table[i][j - 1] > table[i - 1][j]:
            j -= 1
        else:
            i -= 1
    out.reverse()
    return out


def rouge_lsum(prediction: str, reference: str) -> float:
    """Summary-level ROUGE-L F-measure (``rougeLsum``): sentences are the non-empty lines of each summary."""
    gold = [rouge_tokens(s) for s in reference.split("\n") if s]
    pred = [rouge_tokens(s) for s in prediction.split("\n") if s]
    m = sum(map(len, gold))
    n = sum(map(len, pred))
    if not m or not n:
        return 0.0
    left_gold = Counter(t for s in gold for t in s)
    left_pred = Counter(t for s in pred for t in s)
    hits = 0
    for sent in gold:
        union = sorted(set().union(*(lcs_indices(sent, p) for p in pred)))
        for t in (sent[i] for i in union):
            if left_pred[t] > 0 and left_gold[t] > 0:  # a token is counted once, as ROUGE 1.5.5 does
                hits += 1
                left_pred[t] -= 1
                left_gold[t] -= 1
    return _fmeasure(hits, n, m)


def rouge_row(prediction: str, reference: str) -> tuple[float, float, float, float]:
    """(ROUGE-1, ROUGE-2, ROUGE-L, ROUGE-Lsum) F-measures of one summary against its reference."""
    pred, gold = rouge_tokens(prediction), rouge_tokens(reference)
    out: list[float] = []
    for n in (1, 2):
        pc, gc = _ngrams(pred, n), _ngrams(gold, n)
        out.append(_fmeasure(sum((pc & gc).values()), sum(pc.values()), sum(gc.values())))
    if not pred or not gold:
        out.append(0.0)
    else:
        out.append(_fmeasure(lcs_length(gold, pred), len(pred), len(gold)))
    return out[0], out[1], out[2], rouge_lsum(prediction, reference)


# ---------------------------------------------------------------- WER


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference words) of one utterance."""
    ref = reference.split()
    hyp = hypothesis.split()
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        cur = [i]
        for j, h in enumerate(hyp, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1], len(ref)


__all__ = ["lcs_indices", "lcs_length", "rouge_lsum", "rouge_row", "rouge_tokens", "squad_f1", "squad_normalize", "squad_row", "word_errors"]
