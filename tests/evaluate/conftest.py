"""Tiny random models built once per session for the evaluate tests (token classifier, ViT)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

WORDS = ["alice", "bob", "paris", "london", "met", "in", "the", "city", "walk", "talk", "and", "visit"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, "##s", "##ing", "##ed"]
SUFFIXES = ["", "", "s", "ing", "ed"]  # words with a suffix split into two sub-tokens
TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def sentences(rng: np.random.Generator, n: int) -> list[list[str]]:
    return [[str(rng.choice(WORDS)) + str(rng.choice(SUFFIXES)) for _ in range(int(rng.integers(3, 10)))] for _ in range(n)]


@pytest.fixture(scope="session")
def tiny_token_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[str]], list[list[str]]]:
    """A random BERT token classifier (safetensors + tokenizer.json), sentences, and its word-level predictions (first sub-token)."""
    torch = pytest.importorskip("torch")
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    root = tmp_path_factory.mktemp("tinyner")
    (root / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    tok = BertTokenizerFast(vocab_file=str(root / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=len(TAGS), initializer_range=1.0,
                        id2label=dict(enumerate(TAGS)), label2id={t: i for i, t in enumerate(TAGS)})
    model = BertForTokenClassification(config).eval()
    mdir = root / "model"
    model.save_pretrained(mdir)
    tok.save_pretrained(mdir)
    sents = sentences(np.random.default_rng(3), 120)
    preds: list[list[str]] = []
    with torch.inference_mode():  # the reference: a plain loop, one sentence at a time
        for words in sents:
            enc = tok(words, is_split_into_words=True, return_tensors="pt")
            ids = model(**enc).logits.argmax(-1)[0].tolist()
            first: dict[int, str] = {}
            for pos, w in enumerate(enc.word_ids(0)):
                if w is not None and w not in first:
                    first[w] = TAGS[ids[pos]]
            preds.append([first[i] for i in range(len(words))])
    return mdir, sents, preds


@pytest.fixture(scope="session")
def tiny_vit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """A random tiny ViT (image 32, patch 8, hidden 32, 2 layers), an image folder of generated images, its predictions."""
    torch = pytest.importorskip("torch")
    from PIL import Image
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    root = tmp_path_factory.mktemp("tinyvit")
    labels = ["cat", "dog", "fox"]
    torch.manual_seed(0)
    cfg = ViTConfig(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=64, num_labels=3, initializer_range=0.5,
                    id2label=dict(enumerate(labels)), label2id={n: i for i, n in enumerate(labels)})
    model = ViTForImageClassification(cfg).eval()
    proc = ViTImageProcessor(size={"height": 32, "width": 32})
    mdir = root / "model"
    model.save_pretrained(mdir)
    proc.save_pretrained(mdir)
    rng = np.random.default_rng(5)
    images: list[Any] = []
    for i in range(90):
        w, h = (32, 32) if i % 3 else (40, 28)
        arr = (rng.random((h, w, 3)) * 255).astype(np.uint8)
        arr[..., i % 3] //= 4  # vary the colour balance so the model predicts several classes
        images.append(Image.fromarray(arr, "RGB"))
    with torch.inference_mode():
        logits = model(**proc(images=images, return_tensors="pt")).logits
    pred = [labels[int(k)] for k in logits.argmax(-1).tolist()]
    (root / "images.json").write_text(json.dumps(pred))
    raw = root / "raw"
    raw.mkdir()
    for i, im in enumerate(images):
        im.save(raw / f"img{i:03d}.png")
    return mdir, raw, pred


@pytest.fixture(scope="session")
def tiny_yolos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Any]:
    """A random tiny YOLOS detector (image 32, patch 8, 6 detection tokens, labels cat/dog/fox): its folder, the model, its processor."""
    torch = pytest.importorskip("torch")
    from transformers import YolosConfig, YolosForObjectDetection, YolosImageProcessor

    labels = ["cat", "dog", "fox"]
    torch.manual_seed(0)
    cfg = YolosConfig(image_size=[32, 32], patch_size=8, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                      intermediate_size=64, num_detection_tokens=6, num_labels=3, initializer_range=0.5,
                      id2label=dict(enumerate(labels)), label2id={n: i for i, n in enumerate(labels)})
    model = YolosForObjectDetection(cfg).eval()
    proc = YolosImageProcessor(size={"height": 32, "width": 32}, do_pad=False)
    mdir = tmp_path_factory.mktemp("tinyyolos") / "model"
    model.save_pretrained(mdir)
    proc.save_pretrained(mdir)
    return mdir, model, proc
