"""Known Hub dataset and model ids (package data built by ``bench/build_cardinfo_data.py``).

Names written in prose ("fine-tuned on SQuAD", "the CoNLL-2003 dataset") are
matched against these ids so that a name becomes an id, and an id named in
prose is believed only when the registry knows it.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def norm(name: str) -> str:
    """A name reduced for matching: lower case, letters and digits only."""
    return _NON_ALNUM.sub("", name.lower())


@lru_cache(maxsize=2)
def _table(name: str) -> dict[str, int]:
    try:
        raw = (resources.files("ptmvet.cardinfo") / "data" / name).read_bytes()
    except (FileNotFoundError, OSError):  # a build without the data: nothing is known
        return {}
    out: dict[str, int] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        key, _, count = line.partition("\t")
        out[key] = int(count) if count.isdigit() else 1
    return out


@lru_cache(maxsize=1)
def dataset_ids() -> dict[str, int]:
    """Known dataset id -> popularity (downloads + 1)."""
    return _table("datasets.txt.gz")


@lru_cache(maxsize=1)
def model_ids_lower() -> dict[str, str]:
    """Known model id (lower case) -> id as spelled on the Hub."""
    return {k.lower(): k for k in _table("models.txt.gz")}


#: Spellings in prose -> dataset id, for names whose id is not their spelling.
DATASET_ALIASES: dict[str, str] = {
    "sst2": "sst2",
    "sst": "sst2",
    "stanfordsentimenttreebank": "sst2",
    "squadv2": "squad_v2",
    "squad20": "squad_v2",
    "squad2": "squad_v2",
    "squadv11": "squad",
    "squad11": "squad",
    "squad": "squad",
    "conll2003": "conll2003",
    "conll03": "conll2003",
    "multinli": "multi_nli",
    "mnli": "multi_nli",
    "snli": "snli",
    "xnli": "xnli",
    "imdb": "imdb",
    "commonvoice": "common_voice",
    "mozillacommonvoice": "common_voice",
    "librispeech": "librispeech_asr",
    "librispeechasr": "librispeech_asr",
    "wikitext": "wikitext",
    "wikitext2": "wikitext",
    "wikitext103": "wikitext",
    "bookcorpus": "bookcorpus",
    "bookscorpus": "bookcorpus",
    "openwebtext": "openwebtext",
    "cnndailymail": "cnn_dailymail",
    "cnndm": "cnn_dailymail",
    "xsum": "xsum",
    "glue": "glue",
    "superglue": "super_glue",
    "mrpc": "glue",
    "cola": "glue",
    "qnli": "glue",
    "qqp": "glue",
    "rte": "glue",
    "stsb": "stsb_multi_mt",
    "stsbenchmark": "stsb_multi_mt",
    "emotion": "emotion",
    "tweeteval": "tweet_eval",
    "agnews": "ag_news",
    "yelppolarity": "yelp_polarity",
    "yelpreviewfull": "yelp_review_full",
    "amazonpolarity": "amazon_polarity",
    "wmt14": "wmt14",
    "wmt16": "wmt16",
    "wmt19": "wmt19",
    "opus100": "opus100",
    "wikiann": "wikiann",
    "panx": "wikiann",
    "mlqa": "mlqa",
    "xquad": "xquad",
    "tydiqa": "tydiqa",
    "samsum": "samsum",
    "c4": "c4",
    "mc4": "mc4",
    "oscar": "oscar",
    "cc100": "cc100",
    "thepile": "EleutherAI/pile",
    "pile": "EleutherAI/pile",
    "imagenet": "imagenet-1k",
    "imagenet1k": "imagenet-1k",
    "ilsvrc2012": "imagenet-1k",
    "imagenet21k": "imagenet-21k",
    "imagenet22k": "imagenet-21k",
    "cifar10": "cifar10",
    "cifar100": "cifar100",
    "mnist": "mnist",
    "coco": "detection-datasets/coco",
    "mscoco": "detection-datasets/coco",
    "timit": "timit_asr",
    "voxpopuli": "facebook/voxpopuli",
    "wikipedia": "wikipedia",
    "englishwikipedia": "wikipedia",
    "ontonotes": "conll2012_ontonotesv5",
    "ontonotes5": "conll2012_ontonotesv5",
    "germeval14": "germeval_14",
    "wnut17": "wnut_17",
    "ncbidisease": "ncbi_disease",
    "scitail": "scitail",
    "boolq": "boolq",
    "race": "race",
    "swag": "swag",
    "hellaswag": "hellaswag",
    "piqa": "piqa",
    "winogrande": "winogrande",
    "anli": "anli",
    "fever": "fever",
    "msmarco": "ms_marco",
    "naturalquestions": "natural_questions",
    "triviaqa": "trivia_qa",
    "hotpotqa": "hotpot_qa",
    "newsqa": "newsqa",
    "quac": "quac",
    "coqa": "coqa",
    "dailydialog": "daily_dialog",
    "personachat": "conv_ai_2",
    "blendedskilltalk": "blended_skill_talk",
    "empatheticdialogues": "empathetic_dialogues",
    "kor_nli": "kor_nli",
    "klue": "klue",
    "paws": "paws",
    "pawsx": "paws-x",
    "universaldependencies": "universal_dependencies",
    "financialphrasebank": "financial_phrasebank",
    "ade20k": "scene_parse_150",
    "cityscapes": "cityscapes",
    "billsum": "billsum",
    "bigpatent": "big_patent",
    "multinews": "multi_news",
    "arxiv": "scientific_papers",
    "pubmed": "scientific_papers",
    "gigaword": "gigaword",
    "reddit": "reddit",
    "opus": "OPUS",
    "ud": "universal_dependencies",
}


def dataset_id(name: str) -> str | None:
    """The dataset id a name in prose refers to, or None when unknown.

    Exact ids win (``glue``, ``lhoestq/demo1``); then the aliases above; then a
    known canonical (namespace-free) id with the same letters and digits.
    """
    name = name.strip().strip("`*_\"'.,;:()[]")
    if not name or len(name) > 120:
        return None
    key = norm(name)
    if not key or key.isdigit():
        return None
    if key in DATASET_ALIASES:
        return DATASET_ALIASES[key]
    if name in dataset_ids():
        return name
    lower = _lower_ids().get(name.lower())
    if lower:
        return lower
    return _dataset_by_norm().get(key)


@lru_cache(maxsize=1)
def _lower_ids() -> dict[str, str]:
    """Lower-case dataset id -> id ("MOZILLA-FOUNDATION/COMMON_VOICE_8_0" in a Trainer card)."""
    return {k.lower(): k for k in dataset_ids()}


@lru_cache(maxsize=1)
def _dataset_by_norm() -> dict[str, str]:
    """norm(id) -> id for canonical ids and for the most popular namespaced id of each name."""
    best: dict[str, tuple[int, int, str]] = {}
    for ds, pop in dataset_ids().items():
        canonical = "/" not in ds
        short = ds.rsplit("/", 1)[-1]
        key = norm(short)
        if len(key) < 3:
            continue
        # canonical ids first, then popularity; a namespaced id needs real use to own a bare name
        if not canonical and pop < 1000:
            continue
        rank = (1 if canonical else 0, pop, ds)
        if key not in best or rank > best[key]:
            best[key] = rank
    return {k: v[2] for k, v in best.items()}


def model_id(name: str) -> str | None:
    """The Hub model id as spelled in the registry, or None when the registry does not know it.

    A name without its organisation ("longformer-base-4096") resolves when
    exactly one known model has that name.
    """
    key = name.strip().lower()
    found = model_ids_lower().get(key)
    if found or "/" in key or not re.fullmatch(r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+){2,}", key):
        return found  # a bare word ("your", "bert") never resolves to someone's namespaced model
    return _unique_names().get(key)


@lru_cache(maxsize=1)
def _unique_names() -> dict[str, str]:
    seen: dict[str, str | None] = {}
    for low, spelled in model_ids_lower().items():
        if "/" not in low:
            continue
        short = low.rsplit("/", 1)[1]
        seen[short] = None if short in seen else spelled
    return {k: v for k, v in seen.items() if v is not None}
