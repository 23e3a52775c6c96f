"""The substring gate before card regexes: it may skip a scan only when the pattern cannot match."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

from _corpuscards import cards_2022
from ptmvet.cardinfo import _gate, basemodel, claims, datasets, task
from ptmvet.checks import _cardtext, documentation, portability, provenance, reproducibility

ALPHABET = "abkAsBK \n-.İıſKé"

_atom = st.sampled_from(["a", "b", "k", "s", "A", "K", "ab", "ba", "[ab]", ".", "\\b", "^", "$", "é", "İ", "-", "\\s", "\\w"])


def _regex() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}|{t[1]}"),
            inner.map(lambda s: f"(?:{s})"),
            inner.map(lambda s: f"({s})"),
            st.tuples(inner, st.sampled_from(["?", "*", "+", "{1,2}", "{2}", "*?"])).map(lambda t: f"(?:{t[0]}){t[1]}"),
            inner.map(lambda s: f"(?={s})"),
            inner.map(lambda s: f"(?<!a){s}"),
        )

    return st.recursive(_atom, extend, max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(src=_regex(), flags=st.sampled_from([0, re.I, re.I | re.M, re.M]), text=st.text(alphabet=ALPHABET, max_size=40))
def test_gate_never_hides_a_match(src: str, flags: int, text: str) -> None:
    pattern = re.compile(src, flags)
    want = [m.span() for m in pattern.finditer(text)]
    got = [m.span() for m in _gate.finditer(pattern, text)]
    assert got == want
    assert (_gate.search(pattern, text) is None) == (pattern.search(text) is None)


@settings(max_examples=400, deadline=None)
@given(src=_regex(), flags=st.sampled_from([0, re.I, re.I | re.M, re.M]), text=st.text(alphabet=ALPHABET, max_size=40))
def test_pruned_pattern_finds_the_same_matches_and_groups(src: str, flags: int, text: str) -> None:
    pattern = re.compile(src, flags)
    reduced = _gate.pruned(pattern, text)
    want = [(m.span(), m.groups()) for m in pattern.finditer(text)]
    assert ([] if reduced is None else [(m.span(), m.groups()) for m in _gate.quick(reduced).finditer(text)]) == want


def test_pruning_rules_out_only_alternatives_that_cannot_match() -> None:
    pattern = re.compile(r"\blatency\b|(?:\d+ ?ms)|tokens?\s*/\s*s\b|[|(]x|y]", re.I)
    assert _gate._top_level_split(pattern.pattern) == [r"\blatency\b", r"(?:\d+ ?ms)", r"tokens?\s*/\s*s\b", "[|(]x", "y]"]
    reduced = _gate.pruned(pattern, "it answers in 12 ms")
    # "latency", "token" and "y]" are ruled out, in place (the groups keep their numbers)
    assert reduced is not None and reduced.pattern == r"(?!)(?:\blatency\b)|(?:\d+ ?ms)|(?!)(?:tokens?\s*/\s*s\b)|[|(]x|(?!)(?:y])"
    assert _gate.quick(reduced).pattern.startswith("(?=[\\d\\x28\\x7c])")
    assert _gate.pruned(pattern, "LATENCY 12 ms, 9 tokens/s, y]") is pattern  # every alternative may match: the pattern itself
    assert _gate.pruned(re.compile("latency|throughput"), "nothing here") is None
    # back-references and inline flags tie the alternatives together: not split
    for src in (r"(a)b|\1c", r"(?i)ab|cd", r"(?P<x>a)|(?P=x)", r"a(?#x|y)|b"):
        assert _gate._alternatives(re.compile(src)) is None
    assert _gate._alternatives(re.compile("a  # one | two\n| b", re.X)) is None
    assert _gate._top_level_split("(a|b") is None and _gate._top_level_split("a)|b") is None


def test_long_texts_are_scanned_pruned_with_the_same_matches_and_groups() -> None:
    pattern = re.compile(r"(latency) (\d+)|(\d+) ?(ms)\b|tokens?/s", re.I)
    text = "x " * _gate._PRUNE_FROM + " answers in 12 ms and 30ms"
    got = [(m.span(), m.groups()) for m in _gate.finditer(pattern, text)]
    assert got == [(m.span(), m.groups()) for m in pattern.finditer(text)]
    assert [m.group(3) for m in _gate.finditer(pattern, text)] == ["12", "30"]
    assert _gate.search(pattern, text).group(4) == "ms"  # type: ignore[union-attr]
    assert _gate.search(re.compile("latency|throughput"), text) is None


def test_required_words_of_card_patterns() -> None:
    assert _gate.required_words(re.compile(r"\barxiv\s*:\s*\d{4}\.\d{4,5}", re.I)) == (("arxiv",),)
    assert _gate.required_words(re.compile(r"batch[\s_-]*size", re.I)) == (("batch",), ("size",))
    # Case-sensitive words keep their case; a case-insensitive pattern's are lower-cased.
    assert _gate.required_words(re.compile(r"GPUs?|TPUs?")) == (("GPU", "TPU"),)
    assert _gate.required_words(re.compile(r"Fine-?Tuned|Based On", re.I)) == (("based on", "tuned"),)  # the longer word of "fine-?tuned"
    # Nothing required: an optional word, a bare class, a non-ASCII letter under IGNORECASE.
    assert _gate.required_words(re.compile(r"(?:seed)?\d+")) is None
    assert _gate.required_words(re.compile(r"[A-Z]\d")) is None
    assert _gate.required_words(re.compile(r"é", re.I)) is None


def test_gate_skips_a_card_without_the_words() -> None:
    pattern = re.compile(r"\b(adamw?|sgd|adafactor)\b", re.I)
    assert not _gate.may_match(pattern, "Trained for three epochs with a learning rate of 2e-5.")
    assert _gate.may_match(pattern, "Optimiser: AdamW.")
    assert _gate.search(pattern, "Optimiser: AdamW.") is not None


def test_folded_keeps_positions_and_the_letters_ignorecase_equates() -> None:
    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    assert len(_gate.folded(every)) == len(every)
    assert _gate.folded("İSTANBUL ıſ\u212a") == "istanbul isk"
    for ch in "İıſ\u212a":
        assert re.fullmatch(_gate.folded(ch), ch, re.I)  # each maps to the ASCII letter re.I matches it with


def _patterns(*modules: ModuleType) -> list[re.Pattern[str]]:
    out: list[re.Pattern[str]] = []
    for m in modules:
        for value in vars(m).values():
            values = value.values() if isinstance(value, dict) else [value]
            out.extend(v for v in values if isinstance(v, re.Pattern) and isinstance(v.pattern, str))
    return out


PATTERNS = _patterns(_cardtext, provenance, reproducibility, documentation, portability, basemodel, claims, datasets, task)


def test_gate_agrees_with_every_card_pattern_on_real_cards(corpora: Path) -> None:
    """Each module-level pattern of the checks and card readers, gated and not, on 80 real 2022 cards."""
    texts = cards_2022(corpora, every=200, count=80, max_chars=8_000)
    texts += ["Fine-tuned on İSTANBUL data with ADAMW, ſeed 42 (K80 GPU)", "arXiv: 2101.00001", ""]
    assert len(PATTERNS) > 60
    gated = 0
    for pattern in PATTERNS:
        gated += _gate.required_words(pattern) is not None
        for text in texts:
            assert [m.span() for m in _gate.finditer(pattern, text)] == [m.span() for m in pattern.finditer(text)], pattern.pattern
            reduced = _gate.pruned(pattern, text)  # what a text over _gate._PRUNE_FROM is scanned with, led by quick()
            want = [(m.span(), m.groups()) for m in pattern.finditer(text)]
            assert ([] if reduced is None else [(m.span(), m.groups()) for m in _gate.quick(reduced).finditer(text)]) == want, pattern.pattern
    assert gated > 20
    # and the path a long card takes: the real cards joined into one text over the pruning threshold
    long = "\n\n".join(texts)
    assert len(long) >= _gate._PRUNE_FROM
    for pattern in PATTERNS:
        want = [(m.span(), m.groups()) for m in pattern.finditer(long)]
        assert [(m.span(), m.groups()) for m in _gate.finditer(pattern, long)] == want, pattern.pattern


def test_quick_leads_with_the_first_characters_only_when_that_is_exact() -> None:
    plain = re.compile(r"\b(?:seed|epochs?)\b|\d+ steps", re.I)
    led = _gate.quick(plain)
    assert led.pattern.startswith("(?=[")
    text = "Seed 42, 3 EPOCHS, 100 steps"
    assert [m.group(0) for m in led.finditer(text)] == ["Seed", "EPOCHS", "100 steps"]
    assert [m.span() for m in led.finditer(text)] == [m.span() for m in plain.finditer(text)]
    # A literal prefix is the engine's own fast path; a pattern that can match empty, or start anywhere, is left alone.
    for src in (r"arxiv\.org/", r"(?:seed)?", r".+x", r"[^a]b"):
        plain = re.compile(src)
        assert _gate.quick(plain) is plain
