"""Card parsing over the 16,590 real Hub cards of Feb 2022: ptmvet vs huggingface_hub.

Peer: ``huggingface_hub.ModelCard(text)`` (what ``ModelCard.load`` does after
reading the file as utf-8-sig), i.e. ``REGEX_YAML_BLOCK`` + ``yaml.safe_load`` +
``ModelCardData`` (model-index -> ``EvalResult``). ptmvet: ``parse_card(text)``
(the same front-matter regex, libyaml's C loader, typed claims; the body is
split into sections lazily, so a second ptmvet figure forces ``.sections``).

Both run in the same process on the same decoded texts, interleaved in chunks
so that load from other processes on the machine falls on both alike. CPU time
(process_time) is the headline figure; wall time is printed beside it.

Then the front-matter results are compared card by card: HF's
``card.data.to_dict()`` against ptmvet's ``metadata`` with HF's documented
post-processing applied (keys whose value is None dropped, ``tags`` made a
unique list), and HF's ``eval_results`` against ptmvet's claims. Every
disagreement is put in a category and counted.

    .venv/bin/python bench/bench_cards.py [--limit N] [--examples K]
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from huggingface_hub import ModelCard  # noqa: E402
from huggingface_hub.utils import logging as hf_logging  # noqa: E402

from ptmvet.card import parse_card  # noqa: E402

TARBALL = ROOT.parent / "shared" / "corpora" / "hf-model-infos-cards-2022-02-saranscript" / "model_cards.tar.gz"
CHUNK = 250


def load_cards(limit: int | None) -> list[tuple[str, str]]:
    cards: list[tuple[str, str]] = []
    with tarfile.open(TARBALL) as tf:
        for member in tf:
            if not member.isfile():
                continue
            fh = tf.extractfile(member)
            if fh is None:
                continue
            raw = fh.read()
            # ModelCard.load reads utf-8-sig; 2 cards are not valid UTF-8 and are
            # decoded with replacement characters for both parsers.
            cards.append((member.name, raw.decode("utf-8-sig", errors="replace")))
            if limit and len(cards) >= limit:
                break
    return cards


def run_hf(texts: list[str]) -> list[Any]:
    out: list[Any] = []
    for text in texts:
        try:
            out.append(ModelCard(text))
        except Exception as exc:
            out.append(exc)
    return out


def run_ptmvet(texts: list[str]) -> list[Any]:
    return [parse_card(text) for text in texts]


def run_ptmvet_sections(texts: list[str]) -> list[Any]:
    out = []
    for text in texts:
        card = parse_card(text)
        _ = card.sections
        out.append(card)
    return out


def timed(fn: Any, texts: list[str], totals: dict[str, list[float]], name: str) -> list[Any]:
    w, c = time.perf_counter(), time.process_time()
    result: list[Any] = fn(texts)
    totals[name][0] += time.perf_counter() - w
    totals[name][1] += time.process_time() - c
    return list(result)


def same(a: Any, b: Any) -> bool:
    """Deep equality where NaN equals NaN (YAML's .nan)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def hf_view_of_ours(metadata: dict[str, Any]) -> dict[str, Any]:
    """Our metadata with HF's documented post-processing (CardData.to_dict)."""
    out = {k: v for k, v in metadata.items() if v is not None and k != "model-index"}
    tags = out.get("tags")
    if tags is not None:
        tags = [tags] if isinstance(tags, str) else tags
        unique: list[Any] = []
        for t in tags:
            if t not in unique:
                unique.append(t)
        out["tags"] = unique
    return out


def claim_key(c: Any) -> tuple[Any, ...]:
    return (c.task_type, c.dataset_type, c.dataset_name, c.dataset_config, c.dataset_split, c.dataset_revision, c.metric_type, c.metric_name, c.raw_value, c.verified)


def hf_claim_key(r: Any) -> tuple[Any, ...]:
    def s(v: Any) -> Any:
        return None if v is None else (str(v).strip() or None)

    raw = r.metric_value if isinstance(r.metric_value, (int, float, str)) and not isinstance(r.metric_value, bool) else None
    return (s(r.task_type), s(r.dataset_type), s(r.dataset_name), s(r.dataset_config), s(r.dataset_split), s(r.dataset_revision), s(r.metric_type), s(r.metric_name), raw, r.verified is True)


def categorise(ours: Any, hf: Any) -> str:
    errs = " | ".join(ours.errors)
    if isinstance(hf, Exception):
        msg = str(hf)
        if "should be a dict" in msg:
            return "HF raises: front matter is not a mapping; ptmvet records an error" if "not a mapping" in errs else "HF raises (non-dict) / ptmvet differs"
        if "model_index" in msg or "eval_results" in msg:
            return "HF raises: invalid model-index; ptmvet keeps the metadata and records claim errors"
        if "keywords must be strings" in msg:
            return "HF raises: non-string keys; ptmvet records an error"
        if type(hf).__module__.startswith("yaml"):
            if "contains tabs" in errs:
                return "HF raises on YAML with tabs; ptmvet parses it after expanding tabs (and records it)"
            if "not valid YAML" in errs:
                return "both reject invalid YAML (HF raises, ptmvet records an error)"
            if "'\\t'" in msg and not ours.front_matter_error:
                return "tab separators: libyaml (ptmvet) accepts them, PyYAML's pure-Python scanner (HF) raises"
            return f"HF YAML error, ptmvet differs: {type(hf).__name__}"
        return f"HF raises {type(hf).__name__}: {msg[:60]}"
    theirs = hf.data.to_dict()
    theirs.pop("model-index", None)
    if not same(hf_view_of_ours(dict(ours.metadata)), theirs):
        return "metadata differs"
    hf_claims = [hf_claim_key(r) for r in (hf.data.eval_results or [])]
    our_claims = [claim_key(c) for c in ours.claims]
    if hf_claims != our_claims:
        if "model_index" in ours.metadata and not hf_claims:
            return "agree on metadata; ptmvet also reads claims from 'model_index' (HF ignores the key)"
        return "claims differ"
    return "agree"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N cards")
    ap.add_argument("--examples", type=int, default=3, help="example card paths per disagreement category")
    args = ap.parse_args(argv)
    if not TARBALL.is_file():
        print(f"corpus not found: {TARBALL}", file=sys.stderr)
        return 2
    hf_logging.set_verbosity_error()  # a batch user silences the per-card warnings
    cards = load_cards(args.limit)
    names = [n for n, _ in cards]
    texts = [t for _, t in cards]
    print(f"cards: {len(texts)} ({sum(map(len, texts)) / 1e6:.1f} M characters) from {TARBALL.name}")

    totals: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    hf_out: list[Any] = []
    ours_out: list[Any] = []
    for i in range(0, len(texts), CHUNK):
        chunk = texts[i : i + CHUNK]
        order = ["hf", "ptmvet", "ptmvet+sections"]
        if (i // CHUNK) % 2:
            order.reverse()
        for name in order:
            if name == "hf":
                hf_out.extend(timed(run_hf, chunk, totals, name))
            elif name == "ptmvet":
                ours_out.extend(timed(run_ptmvet, chunk, totals, name))
            else:
                timed(run_ptmvet_sections, chunk, totals, name)

    hf_w, hf_c = totals["hf"]
    print(f"\n{'parser':<34}{'CPU s':>8}{'wall s':>8}{'ms/card':>9}{'x (CPU)':>9}{'x (wall)':>9}")
    for name, label in (
        ("hf", "huggingface_hub ModelCard(text)"),
        ("ptmvet", "ptmvet parse_card"),
        ("ptmvet+sections", "ptmvet parse_card + .sections"),
    ):
        w, c = totals[name]
        print(f"{label:<34}{c:8.2f}{w:8.2f}{1000 * c / len(texts):9.3f}{hf_c / c:9.2f}{hf_w / w:9.2f}")

    cats: collections.Counter[str] = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    for name, ours, hf in zip(names, ours_out, hf_out, strict=True):
        cat = categorise(ours, hf)
        cats[cat] += 1
        if len(examples[cat]) < args.examples:
            examples[cat].append(name.removeprefix("models/").removesuffix("/README.md"))
    both = sum(1 for hf in hf_out if not isinstance(hf, Exception))
    print(f"\nfront matter compared card by card: {len(texts)} cards, both parse {both}, agree {cats['agree']}")
    for cat, n in cats.most_common():
        ex = "" if cat == "agree" else "  e.g. " + ", ".join(examples[cat])
        print(f"  {n:6d}  {cat}{ex}")
    fm = sum(1 for c in ours_out if c.has_front_matter)
    with_claims = sum(1 for c in ours_out if c.claims)
    print(f"\nptmvet: {fm} cards with front matter, {with_claims} with claims ({sum(len(c.claims) for c in ours_out)} claims), {sum(1 for c in ours_out if c.front_matter_error)} with unusable front matter")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
