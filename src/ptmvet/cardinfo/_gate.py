"""Plain substring tests that rule a regex out before it scans a card.

Python's regex engine tries every alternative of a pattern at every position
of the text, so a card-length text costs each pattern tens of microseconds even
when the words it looks for are nowhere in the card, and a vet runs a hundred
patterns. :func:`required_words` reads, from a compiled pattern, words of
which every match must contain at least one; ``str.__contains__`` rules them
out far faster than the engine. The result of :func:`search` and
:func:`finditer` is always the pattern's own: the gate only skips a scan that
could not have matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, wraps
from typing import Any, TypeVar

_parser: Any = getattr(re, "_parser", None)
if _parser is None:  # pragma: no cover - Python < 3.11 named it sre_parse
    import sre_parse as _parser

_c = _parser  # the opcodes (LITERAL, BRANCH, ...) are re-exported by the parser module
#: Nodes that consume nothing: the characters on either side of them are adjacent in the match.
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())
#: Shorter words rule out too little to pay for the test.
_MIN_WORD = 2
#: Non-ASCII letters that ``re.IGNORECASE`` equates with ASCII ones (``İ ı`` with i, ``ſ`` with s, the Kelvin
#: sign with k): mapped before lower-casing, so that a case-insensitive match of an ASCII word shows as that word.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLDED = ("\u0130", "\u0131", "\u017f", "\u212a")


@lru_cache(maxsize=32)
def folded(text: str) -> str:
    """``text`` lower-cased for substring tests standing in for case-insensitive ASCII matches.

    Same length as ``text`` (U+0130, the one letter whose lower case is two
    characters, is mapped first), so positions in it are positions in ``text``.
    """
    if not text.isascii() and any(c in text for c in _FOLDED):
        text = text.translate(_FOLD)  # slow (a dict look-up per character), so only when needed
    return text.lower()


_R = TypeVar("_R")


def per_pattern(fn: Callable[[re.Pattern[str]], _R]) -> Callable[[re.Pattern[str]], _R]:
    """Cache ``fn`` by the identity of its pattern argument.

    ``functools.lru_cache`` hashes its key on every call, and a compiled
    pattern's hash covers its whole compiled program: several microseconds for
    a long alternation, on every look-up. The patterns here are module
    constants, so identity is the right key; each entry keeps its pattern
    alive, so an id is never reused while its entry stands.
    """
    cache: dict[int, tuple[re.Pattern[str], _R]] = {}

    @wraps(fn)
    def cached(pattern: re.Pattern[str]) -> _R:
        hit = cache.get(id(pattern))
        if hit is not None and hit[0] is pattern:
            return hit[1]
        value = fn(pattern)
        if len(cache) >= 2048:
            cache.clear()
        cache[id(pattern)] = (pattern, value)
        return value

    return cached


#: At most this many words in one alternative set: more substring tests cost about what they save.
_MAX_WORDS = 12


def _usable(words: frozenset[str] | None) -> bool:
    return bool(words) and min(map(len, words or ())) >= _MIN_WORD and len(words or ()) <= _MAX_WORDS


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective of several word sets: longest shortest word, then fewest words."""
    usable = [o for o in options if _usable(o)]
    if not usable:
        return None
    return max(usable, key=lambda o: (min(map(len, o)), -len(o)))


def _options(items: Any, icase: bool) -> list[frozenset[str]]:
    """Word sets that every match of the parsed sequence ``items`` meets (one word of each set occurs)."""
    options: list[frozenset[str]] = []
    run: list[str] = []

    def close() -> None:
        if run:
            options.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            ch = chr(av)
            if icase and not ch.isascii():
                close()  # non-ASCII case folding has more variants than lower() shows
                continue
            run.append(ch.lower() if icase else ch)
            continue
        if op in _ZERO_WIDTH:
            continue
        close()
        if op is _c.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            if not add_flags and not del_flags:
                options.extend(_options(body, icase))
        elif getattr(_c, "ATOMIC_GROUP", None) is not None and op is _c.ATOMIC_GROUP:
            options.extend(_options(av, icase))
        elif op is _c.BRANCH:
            alts = [_best(_options(b, icase)) for b in av[1]]
            if all(a is not None for a in alts):
                options.append(frozenset().union(*[a for a in alts if a is not None]))
        elif op in _REPEATS:
            low, _high, body = av
            if low >= 1:
                options.extend(_options(body, icase))
    close()
    return options


@per_pattern
def required_words(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], ...] | None:
    """Word sets such that every match contains a word of each set (lower case for a case-insensitive pattern).

    None when the pattern gives no usable word (too short, too many, or unknown).
    """
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an unparsable pattern simply gets no gate
        return None
    if parsed.state.flags & re.IGNORECASE and not pattern.flags & re.IGNORECASE:
        return None  # an inline (?i) the flags do not show
    sets = {o for o in _options(parsed.data, bool(pattern.flags & re.IGNORECASE)) if _usable(o)}
    if not sets:
        return None
    # Longest words first: a long word is the likelier to be absent, which ends the test early.
    ordered = sorted(sets, key=lambda o: (-min(map(len, o)), len(o), sorted(o)))
    return tuple(tuple(sorted(o, key=lambda w: (-len(w), w))) for o in ordered)


#: A first-character class larger than this rules out too few positions to pay for itself.
_MAX_FIRST = 40


def _class_items(av: Any) -> set[str] | None:
    """A character class's members as class source (``\\x..`` escapes), None when negated or too broad."""
    out: set[str] = set()
    for op, v in av:
        if op is _c.LITERAL:
            out.add(_esc(v))
        elif op is _c.RANGE:
            out.add(f"{_esc(v[0])}-{_esc(v[1])}")
        elif op is _c.CATEGORY and v is _c.CATEGORY_DIGIT:
            out.add("\\d")
        elif op is _c.CATEGORY and v is _c.CATEGORY_SPACE:
            out.add("\\s")
        else:
            return None  # negation, \\w, \\W, ...: not selective or not expressible here
    return out


def _esc(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _first(items: Any) -> tuple[set[str], bool] | None:
    """(class items one of which every match's first character is, whether the sequence can match empty); None if unknown."""
    acc: set[str] = set()
    for op, av in items:
        if op is _c.ASSERT_NOT and not av[1]:
            return acc, False  # "(?!)": nothing after it is ever matched
        if op in _ZERO_WIDTH:
            continue
        if op is _c.LITERAL:
            acc.add(_esc(av))
            return acc, False
        if op is _c.IN:
            members = _class_items(av)
            if members is None:
                return None
            return acc | members, False
        if op is _c.SUBPATTERN or (getattr(_c, "ATOMIC_GROUP", None) is not None and op is _c.ATOMIC_GROUP):
            if op is _c.SUBPATTERN:
                _group, add_flags, del_flags, body = av
                if add_flags or del_flags:
                    return None
            else:
                body = av
            got = _first(body)
            if got is None:
                return None
            acc |= got[0]
            if not got[1]:
                return acc, False
            continue
        if op is _c.BRANCH:
            alts = [_first(b) for b in av[1]]
            if any(a is None for a in alts):
                return None
            nullable = False
            for a in alts:
                if a is not None:
                    acc |= a[0]
                    nullable = nullable or a[1]
            if not nullable:
                return acc, False
            continue
        if op in _REPEATS:
            low, _high, body = av
            got = _first(body)
            if got is None:
                return None
            acc |= got[0]
            if low >= 1 and not got[1]:
                return acc, False
            continue
        return None  # any character, a negated literal, a back-reference, ...
    return acc, True


@per_pattern
def quick(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` led by a look-ahead on the characters a match can start with, when that is known and selective.

    The same matches at the same positions (the look-ahead only restates a
    condition every match meets), but the engine tests one character class
    per position instead of entering every alternative: several times faster
    for patterns that start with ``\\b``, a group or an alternation, which the
    engine's own prefix search does not cover.
    """
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001
        return pattern
    if parsed.state.flags != pattern.flags or parsed.state.groups - 1 != pattern.groups:
        return pattern  # inline global flags would not survive the wrapping below
    data = parsed.data
    if data and data[0][0] in (_c.LITERAL, _c.IN):
        return pattern  # the engine already searches for a literal prefix or a leading class
    if data and data[0][0] is _c.ASSERT and data[0][1][0] == 1:
        return pattern  # already led by a look-ahead (written by hand)
    first = _first(data)
    if first is None or first[1] or not first[0] or len(first[0]) > _MAX_FIRST:
        return pattern
    try:
        return re.compile(f"(?=[{''.join(sorted(first[0]))}])(?:{pattern.pattern})", pattern.flags)
    except re.error:  # pragma: no cover - every piece above is valid class syntax
        return pattern


_IGNORECASE = int(re.IGNORECASE)  # an int: ``int & RegexFlag`` goes through the enum machinery, 20x slower
_VERBOSE = int(re.VERBOSE)


@per_pattern
def _gate(pattern: re.Pattern[str]) -> tuple[tuple[tuple[str, ...], ...] | None, bool]:
    """(required words, whether they are tested on the folded text)."""
    return required_words(pattern), bool(pattern.flags & _IGNORECASE)


def may_match(pattern: re.Pattern[str], text: str) -> bool:
    """False only when ``pattern`` cannot match anywhere in ``text``."""
    sets, icase = _gate(pattern)
    if sets is None:
        return True
    hay = folded(text) if icase else text
    for words in sets:
        for w in words:
            if w in hay:
                break
        else:
            return False
    return True


#: Texts at least this long are scanned with the alternatives they cannot hold ruled out (:func:`pruned`).
#: On an ordinary card the substring tests and the compiled variants cost more than they save; on a
#: card of megabytes a scan for twelve alternatives costs tens of milliseconds, the tests a fraction.
_PRUNE_FROM = 100_000


def _scanner(pattern: re.Pattern[str], text: str) -> re.Pattern[str] | None:
    """The pattern to scan ``text`` with (led by :func:`quick`, pruned for long texts); None when it cannot match."""
    if len(text) >= _PRUNE_FROM:
        reduced = pruned(pattern, text)
        return quick(reduced) if reduced is not None else None
    return quick(pattern) if may_match(pattern, text) else None


def search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)``, skipped when a substring test rules every match out."""
    scanner = _scanner(pattern, text)
    return scanner.search(text) if scanner is not None else None


def finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, skipped when a substring test rules every match out."""
    scanner = _scanner(pattern, text)
    return scanner.finditer(text) if scanner is not None else iter(())


# ------------------------------------------------------------- pruning alternatives

#: What changes how the rest of the pattern reads (inline flags, back-references, comments): not split.
_UNSPLITTABLE = re.compile(r"\\[1-9]|\(\?P=|\(\?#|\(\?[aiLmsux-]+[:)]")


def _top_level_split(source: str) -> list[str] | None:
    """``source`` cut at its top-level ``|`` (outside groups and classes); None when unbalanced."""
    parts: list[str] = []
    depth = 0
    in_class = False
    start = 0
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if source[i + 1 : i + 2] == "^":
                i += 1
            if source[i + 1 : i + 2] == "]":
                i += 1  # a leading "]" is a member, not the end
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    if depth or in_class:
        return None
    parts.append(source[start:])
    return parts


@per_pattern
def _alternatives(pattern: re.Pattern[str]) -> tuple[tuple[str, re.Pattern[str]], ...] | None:
    """The pattern's top-level alternatives (source, compiled alone), None when it has fewer than two or cannot be split."""
    if pattern.flags & _VERBOSE or _UNSPLITTABLE.search(pattern.pattern):
        return None  # in verbose mode a "|" or "(" may sit in a comment
    parts = _top_level_split(pattern.pattern)
    if parts is None or len(parts) < 2:
        return None
    try:
        return tuple((p, re.compile(p, pattern.flags)) for p in parts)
    except re.error:
        return None


_PRUNED: dict[tuple[int, tuple[int, ...]], tuple[re.Pattern[str], re.Pattern[str]]] = {}


def pruned(pattern: re.Pattern[str], text: str) -> re.Pattern[str] | None:
    """``pattern`` with the top-level alternatives that cannot match anywhere in ``text`` ruled out; None when none can.

    An alternative that cannot match anywhere never wins at any position, so the
    pruned pattern finds the same matches at the same positions, with the same
    groups: a ruled-out alternative stays in place behind ``(?!)``, which fails
    at once, so every group keeps its number. :func:`quick` then leads the
    pattern with the first characters of the alternatives left, and the engine
    stops at far fewer positions.
    """
    alts = _alternatives(pattern)
    if alts is None:
        return pattern if may_match(pattern, text) else None
    kept = tuple(i for i, (_src, alone) in enumerate(alts) if may_match(alone, text))
    if not kept:
        return None
    if len(kept) == len(alts):
        return pattern
    key = (id(pattern), kept)
    hit = _PRUNED.get(key)
    if hit is not None and hit[0] is pattern:
        return hit[1]
    if len(_PRUNED) >= 256:
        _PRUNED.clear()
    compiled = re.compile("|".join(src if i in kept else f"(?!)(?:{src})" for i, (src, _alone) in enumerate(alts)), pattern.flags)
    _PRUNED[key] = (pattern, compiled)
    return compiled


# ------------------------------------------------------------- scanning from leading strings

#: Characters of each lead: long enough that a lead is rare in prose ("the base", not "the ").
_LEAD_CHARS = 8
#: More leads than this cost about what scanning with the engine does.
_MAX_LEADS = 200


def _leads_of(items: list[Any], prefix: str, out: set[str]) -> bool:
    """Add to ``out`` the strings (``prefix`` extended by up to ``_LEAD_CHARS``) one of which starts every match of ``items``.

    False when that is unknown (a match could start with anything), or when there are too many.
    """
    c = _c
    for i, (op, av) in enumerate(items):
        if len(prefix) >= _LEAD_CHARS:
            break
        rest = items[i + 1 :]
        if op is c.LITERAL:
            prefix += chr(av)
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # \b and look-arounds consume nothing (and only narrow where a match starts)
        elif op is c.IN and 0 < len(av) <= 4 and all(o is c.LITERAL for o, _ in av):
            return all(_leads_of([(c.LITERAL, v), *rest], prefix, out) for _, v in av)
        elif op is c.SUBPATTERN and not av[1] and not av[2]:
            return _leads_of([*av[3].data, *rest], prefix, out)
        elif op is c.BRANCH:
            return all(_leads_of([*alt.data, *rest], prefix, out) for alt in av[1])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            return _leads_of([*av[2].data, *rest], prefix, out) and _leads_of(rest, prefix, out)
        else:
            break  # a repeat, any character, a class: the lead ends here
    out.add(prefix)
    return bool(prefix) and len(out) <= _MAX_LEADS


@per_pattern
def leads(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of a case-sensitive ``pattern`` starts with (none a prefix of another); None if unknown."""
    if pattern.flags & _IGNORECASE:
        return None
    out: set[str] = set()
    if not _leads_of(list(_parser.parse(pattern.pattern, pattern.flags).data), "", out):
        return None
    kept: list[str] = []
    for lead in sorted(out, key=len):
        if not any(lead.startswith(k) for k in kept):
            kept.append(lead)
    return tuple(kept)


def starts(text: str, leads: Iterable[str], found: set[str] | None = None) -> list[int]:
    """Where in ``text`` one of ``leads`` occurs, in order; the leads that occur are added to ``found``."""
    starts: set[int] = set()
    for lead in leads:
        at = text.find(lead)
        if at >= 0 and found is not None:
            found.add(lead)
        while at >= 0:
            starts.add(at)
            at = text.find(lead, at + 1)
    return sorted(starts)


def matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` when every match starts at one of ``starts``.

    finditer tries every position from the end of the last match on and
    keeps the first that matches; trying only the positions a match can start
    at, in order, finds the same matches.
    """
    end = 0
    for at in starts:
        if at >= end:
            m = pattern.match(text, at)
            if m is not None:
                yield m
                end = m.end()
