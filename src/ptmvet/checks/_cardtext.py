"""Shared helpers for checks that read model card text.

Cards are prose written by strangers: these helpers strip what is not prose
(HTML comments, code blocks, template placeholders) before anything is
counted, so an unfilled template does not pass for documentation. Results are cached
per text: the checks of one run all read the same card.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

from ptmvet.card import ModelCard, Section
from ptmvet.cardinfo import _gate

_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.S)
_FENCED = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(^[ \t]*\1[^\n]*$|\Z)", re.S | re.M)
_PLACEHOLDER = re.compile(
    r"\[\s*more information needed\s*\]|more information needed|\{\{[^}]*\}\}|\[needs more information\]", re.I
)
_HTML_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://[^\s)\]>\"'`|]+", re.I)
#: Markdown syntax that is not words: heading markers, table pipes and rules, horizontal rules, list bullets.
_MARKUP = re.compile(r"^[ \t]*#{1,6}(?=[ \t])|\||^[ \t]*[-:| \t]{3,}$|^[ \t]*[-*+](?=[ \t])", re.M)
_HEADING_LINE = re.compile(r"^[ \t]*#{1,6}[ \t].*$", re.M)
_FENCE_OPEN = re.compile(r"^[ \t]*(```|~~~)", re.M)

#: Words a card must carry (outside code and placeholders) to count as documentation.
MIN_SECTION_WORDS = 5


def strip_comments(text: str) -> str:
    return _COMMENT.sub(" ", text) if "<!--" in text else text


@lru_cache(maxsize=64)
def prose(text: str, *, keep_markup: bool = False) -> str:
    """The text without HTML comments, fenced code, HTML tags and template placeholders.

    Markdown markup (heading markers, table pipes, bullets) is removed too unless
    ``keep_markup``, so that word counts count words.
    """
    text = strip_comments(text)
    # _gate.quick: the same pattern led by a look-ahead on its first characters (same matches, fewer tries)
    if _gate.may_match(_FENCED, text):
        text = _gate.quick(_FENCED).sub(" ", text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    if not keep_markup:
        text = _gate.quick(_MARKUP).sub(" ", text)
    return _gate.quick(_PLACEHOLDER).sub(" ", text) if _gate.may_match(_PLACEHOLDER, text) else text


@lru_cache(maxsize=256)
def prose_words(text: str) -> int:
    return len(prose(text).split())


def has_placeholder(text: str) -> bool:
    return bool(_gate.search(_PLACEHOLDER, strip_comments(text)))


def has_code_block(text: str) -> bool:
    return bool(_gate.search(_FENCE_OPEN, strip_comments(text)))


@lru_cache(maxsize=64)
def urls(text: str) -> tuple[str, ...]:
    """Every http(s) URL in the text, in order, without trailing punctuation."""
    out: list[str] = []
    for m in _URL.finditer(strip_comments(text)):
        url = m.group(0).rstrip(".,;:!?*")
        if url not in out:
            out.append(url)
    return tuple(out)


def heading(section: Section) -> str:
    """A section's heading as written, e.g. ``## Intended uses``."""
    return f"{'#' * max(section.level, 1)} {section.title}"


@dataclass(frozen=True)
class Block:
    """A section together with the text of its subsections."""

    section: Section
    text: str

    @property
    def words(self) -> int:
        return prose_words(self.text)

    @property
    def placeholder_only(self) -> bool:
        return self.words == 0 and has_placeholder(self.text)

    def describe(self) -> str:
        if self.placeholder_only:
            return f'card section "{heading(self.section)}" holds only a template placeholder'
        return f'card section "{heading(self.section)}" ({self.words} words)'


def blocks(card: ModelCard, match: Callable[[Section], bool]) -> tuple[Block, ...]:
    """Sections for which ``match`` is true, each with its subsections' text."""
    out: list[Block] = []
    secs = card.sections
    for i, sec in enumerate(secs):
        if not match(sec):
            continue
        parts = [sec.text]
        for sub in secs[i + 1 :]:
            if sub.level <= sec.level:
                break
            parts.append(f"{'#' * sub.level} {sub.title}\n{sub.text}")
        out.append(Block(sec, "\n".join(parts)))
    return tuple(out)


def section_matcher(canonicals: Iterable[str] = (), title: re.Pattern[str] | None = None) -> Callable[[Section], bool]:
    """Match sections by canonical template key or by a regex on the heading."""
    keys = frozenset(canonicals)

    def match(sec: Section) -> bool:
        return (sec.canonical in keys) or (title is not None and bool(title.search(sec.title)))

    return match


def filled(found: Iterable[Block], min_words: int = MIN_SECTION_WORDS) -> tuple[Block, ...]:
    """The blocks that carry real content."""
    return tuple(b for b in found if b.words >= min_words)


def snippet(text: str, match: re.Match[str], width: int = 60) -> str:
    """A one-line quote around a regex match."""
    start = max(0, match.start() - width // 2)
    end = min(len(text), match.end() + width // 2)
    s = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + s + ("…" if end < len(text) else "")


def find_in_prose(card: ModelCard, pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Quotes of the first five matches of ``pattern`` in the card's prose (code and headings excluded)."""
    return _find_in_prose(card.body, pattern)


#: (card body, id of pattern) -> (pattern, quotes): several checks look for the same pattern in the same
#: card (VET204 and VET205 both quote results). Keyed by the pattern's identity, not its hash, which
#: covers the whole compiled program (see ``_gate.per_pattern``); the entry keeps the pattern alive.
_FOUND: dict[tuple[str, int], tuple[re.Pattern[str], tuple[str, ...]]] = {}


def _find_in_prose(body: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    key = (body, id(pattern))
    hit = _FOUND.get(key)
    if hit is not None and hit[0] is pattern:
        return hit[1]
    if len(_FOUND) >= 256:
        _FOUND.clear()
    found = _find_in_prose_uncached(body, pattern)
    _FOUND[key] = (pattern, found)
    return found


def _find_in_prose_uncached(body: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    text = _search_text(body)
    fast = _lowercase_variant(pattern)
    if fast is not None:
        low = _lower(text)
        if len(low) == len(text):
            return tuple(snippet(text, m) for m in islice(_gate.finditer(fast, low), 5))
    return tuple(snippet(text, m) for m in islice(_gate.finditer(pattern, text), 5))


@lru_cache(maxsize=16)
def _lower(text: str) -> str:
    return text.lower()


@_gate.per_pattern
def _lowercase_variant(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The case-insensitive ``pattern`` as a case-sensitive one for lower-cased text, when that is exact.

    The regex engine cannot skip ahead on a case-insensitive alternation; on
    lower-cased text without ``re.I`` it can (3-7x faster on long cards).
    Letters are lower-cased except right after a backslash (``\\S``, ``\\b``);
    patterns with escapes that name characters (``\\x``, ``\\u``, ``\\N``) do not qualify.
    """
    if not pattern.flags & re.IGNORECASE:
        return None
    src = pattern.pattern
    if re.search(r"\\[pPNuUxX]|\(\?P", src):
        return None
    out: list[str] = []
    escaped = False
    for ch in src:
        out.append(ch if escaped else ch.lower())
        escaped = ch == "\\" and not escaped
    try:
        return re.compile("".join(out), pattern.flags & ~re.IGNORECASE)
    except re.error:
        return None


@lru_cache(maxsize=16)
def _search_text(body: str) -> str:
    text = strip_comments(body)
    return prose(_gate.quick(_HEADING_LINE).sub(" ", text) if "#" in text else text, keep_markup=True)


def metadata_tags(card: ModelCard | None) -> tuple[str, ...]:
    return card.meta_list("tags") if card else ()


def config_values(configs: Mapping[str, Any], key: str) -> tuple[tuple[str, Any], ...]:
    """(path, value) for every parsed JSON config that has ``key`` at top level."""
    out: list[tuple[str, Any]] = []
    for path, data in sorted(configs.items()):
        if isinstance(data, Mapping) and key in data and data[key] not in (None, ""):
            out.append((path, data[key]))
    return tuple(out)


def quote(value: Any, limit: int = 80) -> str:
    s = " ".join(str(value).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
