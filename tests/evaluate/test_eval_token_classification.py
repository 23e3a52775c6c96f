"""Token classification: a tiny random BERT token classifier, data tagged with its own word-level predictions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ptmvet.card import Claim
from ptmvet.evaluate.runner import ReproduceOptions, reproduce

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def _claim(value: float, metric: str = "f1") -> Claim:
    return Claim(task_type="token-classification", dataset_name="toy-ner", dataset_type="toy-ner", metric_type=metric, value=value)


def _write(path: Path, sents: list[list[str]], tags: list[list[str]]) -> Path:
    path.write_text("".join(json.dumps({"tokens": s, "ner_tags": t}) + "\n" for s, t in zip(sents, tags, strict=True)))
    return path


def test_own_predictions_exact_and_inflated_overstated(tiny_token_model: tuple[Path, list[list[str]], list[list[str]]], tmp_path: Path) -> None:
    from seqeval.metrics import f1_score, precision_score

    mdir, sents, preds = tiny_token_model
    exact = _write(tmp_path / "exact.jsonl", sents, preds)
    (m,) = reproduce(mdir, [_claim(100.0)], data=exact, options=ReproduceOptions(resamples=200))
    assert m.verdict == "consistent" and m.measured == pytest.approx(100.0) and m.metric == "entity_f1"
    assert m.n == len(sents) and m.permutation is not None and not m.permutation["suspect"]
    # gold = the model's predictions with 15% of the words re-tagged: the reference is seqeval itself
    rng = np.random.default_rng(7)
    gold = [[str(rng.choice(TAGS)) if rng.random() < 0.15 else t for t in p] for p in preds]
    noisy = _write(tmp_path / "noisy.jsonl", sents, gold)
    ref_f1 = float(f1_score(gold, preds))
    ref_p = float(precision_score(gold, preds))
    assert 0.4 < ref_f1 < 0.95
    ms = reproduce(mdir, [_claim(round(ref_f1 * 100, 2)), _claim(round(ref_f1 * 100 + 15, 2)), _claim(ref_p, "precision")],
                   data=noisy, options=ReproduceOptions(resamples=300))
    assert [m.verdict for m in ms] == ["consistent", "overstated", "consistent"]
    assert ms[0].measured == pytest.approx(ref_f1 * 100)
    assert ms[0].ci_low is not None and ms[0].ci_high is not None and ms[0].ci_low <= ms[0].measured <= ms[0].ci_high
    assert ms[2].metric == "entity_precision" and ms[2].measured == pytest.approx(ref_p)


def test_truncated_words_are_predicted_outside(tiny_token_model: tuple[Path, list[list[str]], list[list[str]]], tmp_path: Path) -> None:
    from ptmvet.evaluate.tasks.interface import RunOptions

    mdir, sents, preds = tiny_token_model
    data = _write(tmp_path / "exact.jsonl", sents, preds)
    (m,) = reproduce(mdir, [_claim(100.0)], data=data, options=ReproduceOptions(resamples=50, run=RunOptions(max_length=5)))
    assert m.measured is not None and m.measured < 100.0
    assert any("predicted as O" in n for n in m.notes)
