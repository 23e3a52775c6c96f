"""The task families of the study's claims, end to end on tiny random models built here.

Each model is saved with ``save_pretrained`` from a small random config; gold data is
made from the model's own outputs in a plain one-row-at-a-time loop (with some rows
changed), and ptmvet's batched run must give exactly what the reference metric
implementation (SQuAD script functions, rouge-score, jiwer, pycocotools, scikit-learn)
gives on that loop's outputs.
"""

from __future__ import annotations

import csv
import json
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_eval_metric_references import exact_match_score, f1_score, metric_max_over_ground_truths

from ptmvet.card import Claim
from ptmvet.evaluate.runner import ReproduceOptions, reproduce
from ptmvet.evaluate.tasks.interface import infer_task

WORDS = ["alice", "bob", "paris", "london", "met", "in", "the", "city", "walk", "talk", "and", "visit", "river", "north"]


def _claim(task: str, metric: str, value: float, dataset: str = "toy") -> Claim:
    return Claim(task_type=task, dataset_name=dataset, dataset_type=dataset, dataset_split="test", metric_type=metric, value=value)


def _word_tokenizer(folder: Path, *, specials: tuple[str, ...], **kw: Any) -> Any:
    """A word-level fast tokenizer (tokenizer.json) over WORDS."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate([*specials, *WORDS])}
    tk = Tokenizer(models.WordLevel(vocab, unk_token=specials[1]))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, **kw)
    tok.save_pretrained(folder)
    return tok


# ---------------------------------------------------------------- extractive QA


def test_question_answering_squad_em_f1(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizerFast

    from ptmvet.evaluate.tasks.question_answering import best_span

    (tmp_path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tok = BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    model = BertForQuestionAnswering(BertConfig(vocab_size=len(WORDS) + 5, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                                intermediate_size=64, max_position_embeddings=128, initializer_range=0.5)).eval()
    mdir = tmp_path / "model"
    model.save_pretrained(mdir)
    tok.save_pretrained(mdir)
    assert infer_task(mdir) == "question-answering"
    rng = np.random.default_rng(0)
    rows = []
    for i in range(60):
        ctx = " ".join(rng.choice(WORDS, size=int(rng.integers(8, 30))))
        q = " ".join(rng.choice(WORDS, size=3))
        with torch.inference_mode():  # the reference loop: one question at a time, same span rule
            enc = tok(q, ctx, return_offsets_mapping=True)
            out = model(**{k: torch.tensor([v]) for k, v in enc.items() if k != "offset_mapping"})
        span = best_span(out.start_logits[0].numpy(), out.end_logits[0].numpy(), enc["offset_mapping"],
                         [s == 1 for s in enc.sequence_ids()])
        pred = ctx[span[1] : span[2]] if span else ""
        gold = [pred] if i % 3 else [str(rng.choice(WORDS)), f"{pred} {rng.choice(WORDS)}"]
        rows.append({"id": i, "question": q, "context": ctx, "answers": {"text": gold, "answer_start": [0] * len(gold)}, "pred": pred})
    data = tmp_path / "squad-test.jsonl"
    data.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "pred"}) + "\n" for r in rows))
    em = 100 * np.mean([metric_max_over_ground_truths(exact_match_score, r["pred"], r["answers"]["text"]) for r in rows])
    f1 = 100 * np.mean([metric_max_over_ground_truths(f1_score, r["pred"], r["answers"]["text"]) for r in rows])
    assert 50 < em < 100 and f1 > em
    claims = [_claim("question-answering", "exact_match", round(em, 2)), _claim("question-answering", "f1", round(f1, 2)),
              _claim("question-answering", "f1", round(f1 + 10, 2))]
    ms = reproduce(mdir, claims, data=data, options=ReproduceOptions(resamples=200))
    assert [m.metric for m in ms] == ["exact_match", "squad_f1", "squad_f1"]
    assert ms[0].measured == pytest.approx(em) and ms[1].measured == pytest.approx(f1)
    assert [m.verdict for m in ms] == ["consistent", "consistent", "overstated"]


# ---------------------------------------------------------------- summarization


def test_summarization_rouge(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    rs = pytest.importorskip("rouge_score.rouge_scorer")
    from transformers import BartConfig, BartForConditionalGeneration

    mdir = tmp_path / "model"
    tok = _word_tokenizer(mdir, specials=("<pad>", "<unk>", "<s>", "</s>"), pad_token="<pad>", unk_token="<unk>",
                          bos_token="<s>", eos_token="</s>")
    torch.manual_seed(0)
    cfg = BartConfig(vocab_size=len(WORDS) + 4, d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                     decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=64,
                     pad_token_id=0, bos_token_id=2, eos_token_id=3, decoder_start_token_id=3, forced_eos_token_id=None,
                     init_std=1.0)  # large random weights: summaries of varied words, not an immediate end of sequence
    model = BartForConditionalGeneration(cfg).eval()
    model.generation_config.max_new_tokens = 6
    model.generation_config.min_new_tokens = 2
    model.generation_config.num_beams = 1
    model.save_pretrained(mdir)
    assert infer_task(mdir) == "summarization"
    rng = np.random.default_rng(1)
    docs = [" ".join(rng.choice(WORDS, size=int(rng.integers(5, 20)))) for _ in range(24)]
    preds = []
    with torch.inference_mode():
        for d in docs:
            out = model.generate(**tok(d, return_tensors="pt", return_token_type_ids=False), max_new_tokens=6)
            preds.append(tok.decode(out[0], skip_special_tokens=True))
    refs = [p if i % 2 else " ".join(rng.choice(WORDS, size=5)) for i, p in enumerate(preds)]
    for i, p in enumerate(preds):  # a third of the references: the summary's two halves as two lines, in the other order
        w = p.split()
        if i % 3 == 0 and len(w) > 1:
            refs[i] = f"{' '.join(w[len(w) // 2 :])}\n{' '.join(w[: len(w) // 2])}"
    data = tmp_path / "test.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["document", "summary"])
        w.writerows(zip(docs, refs, strict=True))
    keys = ("rouge1", "rouge2", "rougeL", "rougeLsum")
    scorer = rs.RougeScorer(list(keys))
    want = {k: 100 * float(np.mean([scorer.score(r, p)[k].fmeasure for r, p in zip(refs, preds, strict=True)])) for k in keys}
    assert 0 < want["rougeL"] < 100 and want["rougeLsum"] != pytest.approx(want["rougeL"])
    claims = [_claim("summarization", k, round(v, 3)) for k, v in want.items()]
    ms = reproduce(mdir, claims, data=data, options=ReproduceOptions(resamples=100, run=_run(batch_size=5)))
    assert [m.metric for m in ms] == list(keys)
    for m, v in zip(ms, want.values(), strict=True):
        assert m.measured == pytest.approx(v) and m.verdict == "consistent"


def _run(**kw: Any) -> Any:
    from ptmvet.evaluate.tasks.interface import RunOptions

    return RunOptions(**kw)


# ---------------------------------------------------------------- speech recognition (CTC)


def _write_wav(path: Path, x: np.ndarray, rate: int) -> None:  # type: ignore[type-arg]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


def _read_at_16k(path: Path) -> np.ndarray:  # type: ignore[type-arg]
    """The reference's read: the WAV at 16 kHz, other rates resampled by linear interpolation."""
    from ptmvet.evaluate.tasks.speech_recognition import read_wav

    audio, r = read_wav(path)
    if r != 16000:
        audio = np.interp(np.linspace(0, audio.size - 1, round(audio.size * 16000 / r)), np.arange(audio.size), audio).astype(np.float32)
    return audio


def _write_transcripts(data: Path, rows: list[tuple[str, str, str]]) -> None:
    """A CSV of (audio, text): each row's clip and its gold transcript."""
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["audio", "text"])
        w.writerows(r[:2] for r in rows)


def test_speech_recognition_wer(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    jiwer = pytest.importorskip("jiwer")
    from transformers import (
        Wav2Vec2Config,
        Wav2Vec2CTCTokenizer,
        Wav2Vec2FeatureExtractor,
        Wav2Vec2ForCTC,
        Wav2Vec2Processor,
    )

    mdir = tmp_path / "model"
    mdir.mkdir()
    letters = list("abcdeo")
    vocab = {"<pad>": 0, "<unk>": 1, "|": 2, **{c: i + 3 for i, c in enumerate(letters)}}
    (tmp_path / "vocab.json").write_text(json.dumps(vocab))
    tok = Wav2Vec2CTCTokenizer(str(tmp_path / "vocab.json"), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|")
    fe = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0, do_normalize=True, return_attention_mask=True)
    Wav2Vec2Processor(feature_extractor=fe, tokenizer=tok).save_pretrained(mdir)
    torch.manual_seed(0)
    cfg = Wav2Vec2Config(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                         conv_dim=(16, 16), conv_stride=(5, 4), conv_kernel=(10, 8), num_conv_pos_embeddings=8,
                         num_conv_pos_embedding_groups=2, feat_extract_norm="layer", do_stable_layer_norm=True,
                         pad_token_id=0, initializer_range=1.0)
    model = Wav2Vec2ForCTC(cfg).eval()
    model.save_pretrained(mdir)
    assert infer_task(mdir) == "automatic-speech-recognition"
    proc = Wav2Vec2Processor.from_pretrained(mdir)
    rng = np.random.default_rng(2)
    (tmp_path / "clips").mkdir()
    rows = []
    for i in range(20):
        rate = 16000 if i % 4 else 8000  # a quarter at another rate: resampled
        x = (rng.normal(size=int(rng.integers(2000, 6000))) * 0.3).astype(np.float32)
        _write_wav(tmp_path / "clips" / f"{i}.wav", x, rate)
        audio = _read_at_16k(tmp_path / "clips" / f"{i}.wav")
        with torch.inference_mode():
            logits = model(**proc(audio, sampling_rate=16000, return_tensors="pt")).logits
        hyp = proc.batch_decode(logits.argmax(-1))[0]
        words = hyp.split()
        gold = " ".join([*words[:-1], "eddie"]) if i % 3 == 0 and words else (hyp if hyp.strip() else "silence")
        rows.append((f"clips/{i}.wav", gold, hyp))
    data = tmp_path / "test.csv"
    _write_transcripts(data, rows)
    want = 100 * jiwer.wer([r[1] for r in rows], [r[2] for r in rows])
    assert 0 < want < 100
    (m,) = reproduce(mdir, [_claim("automatic-speech-recognition", "wer", round(want, 3))], data=data,
                     options=ReproduceOptions(resamples=100, run=_run(batch_size=4)))
    assert m.metric == "wer" and m.measured == pytest.approx(want) and m.verdict == "consistent"
    assert any("resampled" in n for n in m.notes)
    (m,) = reproduce(mdir, [_claim("automatic-speech-recognition", "wer", 2.0)], data=data, options=ReproduceOptions(resamples=100))
    assert m.measured == pytest.approx(want)  # the default batch size gives the same transcripts
    assert m.measured is not None and m.tolerance is not None and m.measured - 2.0 > m.tolerance
    assert m.verdict == "overstated"  # a lower error rate than measured is an overstated claim


# ---------------------------------------------------------------- speech recognition (Whisper, generate)


def _tiny_whisper(mdir: Path) -> None:
    """A random Whisper (16 mel bins, a 1 s window, d_model 16) with a byte-level BPE tokenizer built here, offline."""
    import torch
    from transformers import (
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
    )
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    byte_chars = list(bytes_to_unicode().values())  # every byte, as GPT-2's byte-level BPE spells it
    vocab = {t: i for i, t in enumerate([*byte_chars, *(f"\u0120{w}" for w in WORDS)])}
    tok = WhisperTokenizer(vocab=vocab, merges=[], unk_token="<|endoftext|>", bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                           pad_token="<|endoftext|>")
    specials = ["<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|translate|>", "<|notimestamps|>"]
    tok.add_special_tokens({"additional_special_tokens": specials})
    eot, sot = tok.convert_tokens_to_ids(["<|endoftext|>", "<|startoftranscript|>"])
    fe = WhisperFeatureExtractor(feature_size=16, sampling_rate=16000, chunk_length=1, hop_length=160, n_fft=400)
    WhisperProcessor(feature_extractor=fe, tokenizer=tok).save_pretrained(mdir)
    torch.manual_seed(0)
    cfg = WhisperConfig(vocab_size=len(tok), num_mel_bins=16, d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_source_positions=50, max_target_positions=32,
                        pad_token_id=eot, bos_token_id=eot, eos_token_id=eot, decoder_start_token_id=sot, init_std=1.0,
                        begin_suppress_tokens=None, suppress_tokens=None)
    model = WhisperForConditionalGeneration(cfg).eval()
    gen = model.generation_config
    gen.max_new_tokens = 6
    gen.suppress_tokens = list(range(len(byte_chars)))  # transcripts of whole words: the byte tokens are never generated
    model.save_pretrained(mdir)


def test_speech_recognition_whisper_generate(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    jiwer = pytest.importorskip("jiwer")
    from transformers import AutoModelForSpeechSeq2Seq, AutoProcessor

    mdir = tmp_path / "model"
    _tiny_whisper(mdir)
    model = AutoModelForSpeechSeq2Seq.from_pretrained(mdir).eval()  # the package as a user loads it
    assert infer_task(mdir) == "automatic-speech-recognition"
    proc = AutoProcessor.from_pretrained(mdir)
    rng = np.random.default_rng(6)
    (tmp_path / "clips").mkdir()
    rows = []
    for i in range(16):
        rate = 16000 if i % 4 else 8000  # a quarter at another rate: resampled
        size = 20000 if i == 5 else int(rng.integers(3000, 9000)) * rate // 16000  # one longer than the 1 s window: cut
        x = (rng.normal(size=size) * 0.3).astype(np.float32)
        _write_wav(tmp_path / "clips" / f"{i}.wav", x, rate)
    for i in range(16):  # the reference loop: one utterance at a time, Whisper's own generate and decode
        audio = _read_at_16k(tmp_path / "clips" / f"{i}.wav")
        with torch.inference_mode():
            ids = model.generate(**proc(audio, sampling_rate=16000, return_tensors="pt"))
        hyp = proc.batch_decode(ids, skip_special_tokens=True)[0]
        words = hyp.split()
        gold = " ".join([*words[:-1], "walk"]) if i % 3 == 0 and words else (hyp.strip() or "silence")
        rows.append((f"clips/{i}.wav", gold, hyp))
    assert len({r[2] for r in rows}) > 1 and all(r[2].split() for r in rows)  # varied, non-empty transcripts
    data = tmp_path / "test.csv"
    _write_transcripts(data, rows)
    want = 100 * jiwer.wer([r[1] for r in rows], [r[2] for r in rows])
    assert 0 < want < 100
    ms = reproduce(mdir, [_claim("automatic-speech-recognition", "wer", round(want, 3)), _claim("asr", "wer", 2.0)],
                   data=data, options=ReproduceOptions(resamples=100, run=_run(batch_size=5)))
    assert [m.metric for m in ms] == ["wer", "wer"]
    assert ms[0].measured == pytest.approx(want) and ms[0].verdict == "consistent"
    assert ms[1].measured == pytest.approx(want) and ms[1].verdict == "overstated"
    assert any("resampled" in n for n in ms[0].notes)
    assert any("1 utterances longer than the model's 1 s window" in n for n in ms[0].notes)


# ---------------------------------------------------------------- object detection


def test_object_detection_coco_map(tmp_path: Path, tiny_yolos: tuple[Path, Any, Any]) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("pycocotools")
    from PIL import Image
    from test_eval_metric_references import pycoco_stats

    mdir, model, proc = tiny_yolos
    labels = [model.config.id2label[i] for i in range(3)]
    assert infer_task(mdir) == "object-detection"
    rng = np.random.default_rng(3)
    (tmp_path / "img").mkdir()
    images, anns, dets, rows = [], [], [], []
    aid = 1
    for i in range(16):
        im = Image.fromarray((rng.random((32, 40, 3)) * 255).astype(np.uint8), "RGB")
        im.save(tmp_path / "img" / f"{i}.png")
        with torch.inference_mode():
            out = model(**proc(images=[im], return_tensors="pt"))
        res = proc.post_process_object_detection(out, threshold=0.0, target_sizes=[(32, 40)])[0]
        objs: dict[str, list[Any]] = {"bbox": [], "category": []}
        images.append({"id": i + 1, "width": 40, "height": 32})
        for b, s, c in zip(res["boxes"].tolist(), res["scores"].tolist(), res["labels"].tolist(), strict=True):
            box = [b[0], b[1], b[2] - b[0], b[3] - b[1]]
            dets.append({"image_id": i + 1, "category_id": int(c), "bbox": box, "score": s})
        for b, c in zip(res["boxes"].tolist()[:3], res["labels"].tolist()[:3], strict=True):  # truth: three of its boxes, jittered
            box = [b[0] + float(rng.normal(0, 1)), b[1], b[2] - b[0], b[3] - b[1]]
            cat = labels[int(c)] if rng.random() < 0.8 else labels[(int(c) + 1) % 3]
            objs["bbox"].append(box)
            objs["category"].append(cat)
            anns.append({"id": aid, "image_id": i + 1, "category_id": labels.index(cat), "bbox": box, "area": box[2] * box[3], "iscrowd": 0})
            aid += 1
        rows.append({"image": f"img/{i}.png", "objects": objs})
    data = tmp_path / "test.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    want = pycoco_stats({"info": {}, "images": images, "annotations": anns, "categories": [{"id": k} for k in range(3)]}, dets)
    assert 0 < want[0] < 1
    claims = [_claim("object-detection", "mAP", round(want[0] * 100, 3)), _claim("object-detection", "AP50", round(want[1], 4))]
    ms = reproduce(mdir, claims, data=data, options=ReproduceOptions(resamples=50, run=_run(batch_size=5)))
    assert ms[0].metric == "map" and ms[0].measured == pytest.approx(want[0] * 100, abs=1e-6)
    assert ms[1].metric == "map_50" and ms[1].measured == pytest.approx(want[1], abs=1e-6)
    assert ms[0].n == 16 and ms[0].ci_low is not None and ms[0].ci_low <= ms[0].measured <= ms[0].ci_high


# ---------------------------------------------------------------- image classification top-5


def test_image_classification_top5(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from PIL import Image
    from sklearn.metrics import top_k_accuracy_score
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    labels = [f"c{i}" for i in range(8)]
    torch.manual_seed(0)
    cfg = ViTConfig(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                    num_labels=8, initializer_range=0.5, id2label=dict(enumerate(labels)), label2id={n: i for i, n in enumerate(labels)})
    model = ViTForImageClassification(cfg).eval()
    proc = ViTImageProcessor(size={"height": 32, "width": 32})
    mdir = tmp_path / "model"
    model.save_pretrained(mdir)
    proc.save_pretrained(mdir)
    rng = np.random.default_rng(4)
    gold, logits = [], []
    for i in range(48):
        im = Image.fromarray((rng.random((32, 32, 3)) * 255).astype(np.uint8), "RGB")
        g = labels[int(rng.integers(0, 8))]
        (tmp_path / "test" / g).mkdir(parents=True, exist_ok=True)
        im.save(tmp_path / "test" / g / f"{i}.png")
        with torch.inference_mode():
            logits.append(model(**proc(images=[im], return_tensors="pt")).logits[0].numpy())
        gold.append(labels.index(g))
    order = np.argsort([f"{labels[g]}/{i}.png" for i, g in enumerate(gold)])  # the image folder's order does not matter
    want = 100 * top_k_accuracy_score(np.asarray(gold)[order], np.asarray(logits)[order], k=5, labels=range(8))
    ms = reproduce(mdir, [_claim("image-classification", "top5_accuracy", round(want, 2)), _claim("image-classification", "accuracy", 50)],
                   data=tmp_path / "test", options=ReproduceOptions(resamples=100))
    assert ms[0].metric == "top5_accuracy" and ms[0].measured == pytest.approx(want) and ms[0].verdict == "consistent"
    assert ms[1].metric == "accuracy" and ms[1].measured is not None


# ---------------------------------------------------------------- sentence-pair classification


def test_sentence_pair_classification(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from sklearn.metrics import accuracy_score
    from sklearn.metrics import f1_score as sk_f1
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    (tmp_path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tok = BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(1)
    model = BertForSequenceClassification(BertConfig(
        vocab_size=len(WORDS) + 5, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=64, num_labels=2, initializer_range=0.5,
        id2label={0: "not_equivalent", 1: "equivalent"}, label2id={"not_equivalent": 0, "equivalent": 1})).eval()
    rng = np.random.default_rng(5)
    pairs = [(" ".join(rng.choice(WORDS, size=6)), " ".join(rng.choice(WORDS, size=7))) for _ in range(120)]
    with torch.inference_mode():
        logits = np.stack([model(**tok(a, b, return_tensors="pt")).logits[0].numpy() for a, b in pairs])
        model.classifier.bias[1] -= float(np.median(logits[:, 1] - logits[:, 0]))
        pred = np.asarray([int(model(**tok(a, b, return_tensors="pt")).logits.argmax(-1)) for a, b in pairs])
    mdir = tmp_path / "model"
    model.save_pretrained(mdir)
    tok.save_pretrained(mdir)
    gold = np.where(rng.random(120) < 0.15, 1 - pred, pred)
    data = tmp_path / "msr_paraphrase_test.tsv"
    with data.open("w", newline="") as fh:  # MRPC's own layout
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"])
        w.writerows([int(g), i, i + 1000, a, b] for i, (g, (a, b)) in enumerate(zip(gold, pairs, strict=True)))
    acc, f1 = 100 * accuracy_score(gold, pred), 100 * sk_f1(gold, pred)
    ms = reproduce(mdir, [_claim("sentence-pair-classification", "accuracy", round(acc, 2), "mrpc"),
                          _claim("sentence-pair-classification", "f1", round(f1, 2), "mrpc")],
                   data=data, options=ReproduceOptions(resamples=100, split_size=120))
    assert ms[0].task == "text-classification" and ms[0].measured == pytest.approx(acc) and ms[1].measured == pytest.approx(f1)
    assert [m.verdict for m in ms] == ["consistent", "consistent"]
