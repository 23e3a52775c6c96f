"""Model cards: front matter, sections and performance claims.

Real cards are written by hand and are often broken: CRLF line ends, tabs in
YAML, ``model_index`` instead of ``model-index``, a string where a list is
expected, a front matter that is a list, or a YAML "billion laughs" built from
anchors and aliases. :func:`parse_card` never raises on card content; what it
cannot understand is recorded in :attr:`ModelCard.errors` and becomes a finding.

The front matter block is found with the same regular expression as
``huggingface_hub`` (``repocard.REGEX_YAML_BLOCK``), so ptmvet and the Hub
library agree on what the metadata of a card is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, overload

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster

# Same block shape as huggingface_hub 2.x's REGEX_YAML_BLOCK (repocard.py), so
# both agree on what the front matter is.
_YAML_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")

#: Front matter larger than this is not parsed (real cards with a long
#: model-index stay well under 100 kB).
MAX_FRONT_MATTER_CHARS = 1_000_000
#: Card body read for documentation, licence text and claims. The largest of the
#: 16,590 real 2022 cards is 600 kB; a larger body is cut here, with an error
#: saying so (VET405), so that one hostile card cannot make a vet take minutes.
MAX_BODY_CHARS = 1_000_000
#: A YAML document whose aliases expand to more nodes than this is rejected
#: (a "billion laughs" document is small on disk and huge once expanded).
MAX_YAML_NODES = 100_000

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_HEADING = re.compile(r"^ {0,3}<h([1-6])(?:\s[^>]*)?>(.*?)</h\1\s*>", re.IGNORECASE)
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[-*+>|]|\d+[.)][ \t]|<|#)|^ {4}|^\t")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_PLACEHOLDER = re.compile(r"\[?more information needed\]?\.?", re.IGNORECASE)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")
_NON_WORD = re.compile(r"[^a-z0-9]+")

#: The official Hub model card template (huggingface_hub modelcard_template.md):
#: canonical section -> heading fragments that map onto it. The first fragment
#: of each key is the template's own heading (normalised: lower case, words
#: only). Fragments match whole words, and a trailing "s" (plural) is allowed.
TEMPLATE_SECTIONS: Mapping[str, tuple[str, ...]] = {
    "model_details": ("model details", "details of the model", "overview", "about", "introduction", "model summary"),
    "model_description": ("model description", "description"),
    "model_sources": ("model sources", "sources", "repository", "resources", "links"),
    "uses": ("uses", "intended use", "intended uses", "use case", "use cases", "applications"),
    "direct_use": ("direct use",),
    "downstream_use": ("downstream use",),
    "out_of_scope_use": ("out of scope use", "out of scope", "misuse", "not intended", "prohibited use"),
    "bias_risks_limitations": (
        "bias risks and limitations",
        "bias",
        "biases",
        "risks",
        "limitation",
        "ethical considerations",
        "ethics",
        "caveats",
        "disclaimer",
    ),
    "recommendations": ("recommendations",),
    "get_started": (
        "how to get started with the model",
        "how to get started",
        "getting started",
        "get started",
        "quick start",
        "quickstart",
        "how to use",
        "usage",
        "example",
        "example usage",
        "usage example",
        "installation",
        "inference",
        "code",
    ),
    "training_details": ("training details", "training"),
    "training_data": ("training data", "training dataset", "pretraining data", "dataset", "data used"),
    "training_procedure": (
        "training procedure",
        "fine tuning",
        "finetuning",
        "pretraining",
        "pre training",
        "training setup",
        "training results",
    ),
    "preprocessing": ("preprocessing", "pre processing", "tokenization"),
    "training_hyperparameters": (
        "training hyperparameters",
        "hyperparameters",
        "hyper parameters",
        "training parameters",
        "training config",
        "training configuration",
    ),
    "speeds_sizes_times": ("speeds sizes times", "speeds", "sizes", "throughput"),
    "evaluation": ("evaluation",),
    "testing_data_factors_metrics": ("testing data factors and metrics",),
    "testing_data": ("testing data", "test data", "evaluation data", "test set"),
    "factors": ("factors",),
    "metrics": ("metrics", "metric"),
    "results": (
        "results",
        "benchmark",
        "performance",
        "evaluation results",
        "eval results",
        "validation metrics",
        "scores",
        "accuracy",
    ),
    "summary": ("summary",),
    "model_examination": ("model examination", "interpretability", "explainability"),
    "environmental_impact": ("environmental impact", "carbon", "co2", "emissions"),
    "technical_specifications": ("technical specifications", "technical specs", "specifications"),
    "architecture": ("model architecture and objective", "model architecture", "architecture", "objective"),
    "compute_infrastructure": ("compute infrastructure", "infrastructure", "compute"),
    "hardware": ("hardware",),
    "software": ("software", "framework versions", "framework", "requirements", "dependencies"),
    "citation": ("citation", "bibtex", "cite", "citing", "reference", "how to cite"),
    "glossary": ("glossary",),
    "more_information": ("more information",),
    "card_authors": ("model card authors", "card authors", "authors", "author"),
    "card_contact": ("model card contact", "contact", "contacts"),
}

#: Frequent headings that are not in the template but cover two of its
#: sections (measured on the 2022 Hub cards: the Trainer's generated card).
_MULTI: Mapping[str, tuple[str, ...]] = {
    "intended uses and limitations": ("uses", "bias_risks_limitations"),
    "intended use and limitations": ("uses", "bias_risks_limitations"),
    "limitations and bias": ("bias_risks_limitations",),
    "training and evaluation data": ("training_data", "testing_data"),
    "evaluation results": ("results", "evaluation"),
    "eval results": ("results", "evaluation"),
    "model description": ("model_description", "model_details"),
    "citing and authors": ("citation", "card_authors"),
}


@dataclass(frozen=True)
class Claim:
    """A performance claim: a metric value on a dataset split for a task.

    From ``model-index`` (README front matter) or from ``.eval_results/*.yaml``.
    ``verified`` is the card's own flag (``verified: true`` in model-index, a
    ``verifyToken`` in eval results); ptmvet does not check the signature.
    """

    task_type: str | None
    dataset_name: str | None
    dataset_type: str | None
    metric_type: str | None
    value: float | None
    dataset_config: str | None = None
    dataset_split: str | None = None
    dataset_revision: str | None = None
    metric_name: str | None = None
    metric_config: str | None = None
    raw_value: Any = None
    verified: bool = False
    source: str = "model-index"  # model-index, eval-results, user, cli
    task_name: str | None = None
    model_name: str | None = None
    task_id: str | None = None  # eval results: the benchmark's task (e.g. gpqa_diamond)
    verify_token: str | None = None
    source_url: str | None = None  # where the result comes from (eval logs, paper)
    date: str | None = None
    notes: str | None = None

    @property
    def dataset(self) -> str | None:
        """The dataset's id (type) if given, else its display name."""
        return self.dataset_type or self.dataset_name

    @property
    def metric(self) -> str | None:
        """The metric's id (type) if given, else its display name."""
        return self.metric_type or self.metric_name

    def to_dict(self) -> dict[str, Any]:
        """The claim as the report's JSON object (see schemas/report.schema.json)."""
        return {
            "task": self.task_type,
            "task_name": self.task_name,
            "dataset": self.dataset,
            "dataset_name": self.dataset_name,
            "config": self.dataset_config,
            "split": self.dataset_split,
            "dataset_revision": self.dataset_revision,
            "metric": self.metric,
            "metric_name": self.metric_name,
            "value": self.value,
            "verified": self.verified,
            "source": self.source,
        }


@dataclass(frozen=True)
class Section:
    """A markdown section of the card body."""

    title: str
    level: int
    canonical: str | None  # key of TEMPLATE_SECTIONS, or None
    text: str  # body text under the heading (without subsections)
    keys: tuple[str, ...] = ()  # every template section the heading covers; canonical first

    @property
    def visible_text(self) -> str:
        """The text without HTML comments and "[More Information Needed]" placeholders."""
        text = _COMMENT.sub(" ", self.text) if "<!--" in self.text else self.text
        return _PLACEHOLDER.sub(" ", text) if "nformation" in text else text

    @property
    def words(self) -> int:
        """Words a reader sees (template comments and placeholders do not count)."""
        return len(self.visible_text.split())

    @property
    def is_placeholder(self) -> bool:
        """True when the section holds nothing but template comments or placeholders."""
        return self.words == 0


class _LazySections:
    """``ModelCard.sections``: as given, or split from the body on first use.

    Splitting the body costs as much as parsing the front matter, and a
    registry-wide scan of metadata never needs it, so it is deferred.
    """

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> None: ...

    @overload
    def __get__(self, obj: ModelCard, objtype: type | None = None) -> tuple[Section, ...]: ...

    def __get__(self, obj: ModelCard | None, objtype: type | None = None) -> tuple[Section, ...] | None:
        if obj is None:
            return None  # the dataclass default: "split the body when asked"
        value: tuple[Section, ...] | None = obj.__dict__.get("_sections")
        if value is None:
            value = parse_sections(obj.body)
            obj.__dict__["_sections"] = value
        return value

    def __set__(self, obj: ModelCard, value: tuple[Section, ...] | None) -> None:
        obj.__dict__["_sections"] = value


@dataclass(frozen=True)
class ModelCard:
    """A parsed model card. Built by :func:`parse_card`, never raises on content."""

    raw: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    has_front_matter: bool = False
    body: str = ""
    sections: _LazySections = _LazySections()  # tuple[Section, ...]; computed from body when not given
    claims: tuple[Claim, ...] = ()
    errors: tuple[str, ...] = ()  # what could not be understood
    path: str = "README.md"
    #: Why the front matter could not be used (its metadata is then empty), else None.
    front_matter_error: str | None = None

    @property
    def body_words(self) -> int:
        return len(self.body.split())

    def section(self, canonical: str) -> tuple[Section, ...]:
        """Sections mapped onto one canonical template section."""
        return tuple(s for s in self.sections if s.canonical == canonical or canonical in s.keys)

    def has_section(self, canonical: str, *, min_words: int = 1) -> bool:
        """Whether a section for ``canonical`` has at least ``min_words`` visible words."""
        return any(s.words >= min_words for s in self.section(canonical))

    def meta_list(self, key: str) -> tuple[str, ...]:
        """A metadata field as a tuple of strings, whatever shape the author used."""
        return as_str_list(self.metadata.get(key))

    def meta_str(self, key: str) -> str | None:
        """A metadata field as one string (the first, if a list), or None."""
        value = self.metadata.get(key)
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, list) and value and isinstance(value[0], str):
            return value[0].strip() or None
        return None


def as_str_list(value: Any) -> tuple[str, ...]:
    """Normalise ``None``/str/list/dict-ish metadata to a tuple of non-empty strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, Mapping):
        return tuple(str(k) for k in value)
    if isinstance(value, Iterable):
        out: list[str] = []
        for item in value:
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                out.append(str(item))
            elif isinstance(item, Mapping):
                name = item.get("name") or item.get("id")
                if isinstance(name, str) and name.strip():
                    out.append(name.strip())
        return tuple(out)
    return ()


def split_front_matter(text: str) -> tuple[str | None, str]:
    """Split a card into its YAML block (or None) and its body."""
    match = _YAML_BLOCK.search(text)
    if match is None:
        return None, text
    return match.group(2), text[match.end() :]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


class _YamlTooBig(Exception):
    pass


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodes in the document once aliases are expanded; raises past ``limit`` or on a cycle.

    Memoised per node, so it costs one pass over the composed graph however
    many times an anchor is referenced.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _YamlTooBig("front matter has a recursive alias")
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        active.discard(key)
        if total > limit:
            raise _YamlTooBig(f"front matter expands to more than {limit} YAML nodes (anchors and aliases)")
        sizes[key] = total
        return total

    return size(root)


class _Fallback(Exception):
    pass


_SAFE = yaml.constructor.SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp", "binary")
)


def _construct(node: yaml.Node) -> Any:
    """Build the Python value of a composed node, as SafeConstructor does.

    Covers what front matter holds (plain maps, lists and the YAML 1.1 scalar
    types) without SafeConstructor's per-node bookkeeping; anything else (merge
    keys, sets, unhashable keys, unknown tags) raises _Fallback and the caller
    uses SafeConstructor itself, so results and errors stay PyYAML's.
    """
    tag = node.tag
    if tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    if tag == _MAP_TAG and isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise _Fallback
            key = _construct(key_node)
            try:
                out[key] = _construct(value_node)
            except TypeError as exc:  # an unhashable key
                raise _Fallback from exc
        return out
    if tag == _SEQ_TAG and isinstance(node, yaml.SequenceNode):
        return [_construct(child) for child in node.value]
    if tag in _SCALAR_TAGS and isinstance(node, yaml.ScalarNode):
        return _SAFE.yaml_constructors[tag](_SAFE, node)
    raise _Fallback


def _load_yaml(block: str) -> Any:
    """Load one YAML document like ``yaml.safe_load``, bounding alias expansion."""
    loader = _Loader(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in block and "&" in block:  # aliases: bound what they expand to
            _expanded_size(node, MAX_YAML_NODES)
        try:
            return _construct(node)
        except (_Fallback, RecursionError):
            return loader.construct_document(node)
    finally:
        loader.dispose()


def load_front_matter(block: str) -> tuple[dict[str, Any], list[str]]:
    """Parse a YAML block. Returns (mapping, errors); never raises.

    On any error the mapping is empty and the first error says why.
    """
    if len(block) > MAX_FRONT_MATTER_CHARS:
        return {}, [f"front matter is too large ({len(block)} characters; limit {MAX_FRONT_MATTER_CHARS})"]
    errors: list[str] = []
    try:
        try:
            data = _load_yaml(block)
        except yaml.YAMLError as exc:
            # Tabs are the commonest hand-written mistake: retry with them expanded.
            if "\t" not in block:
                raise
            try:
                data = _load_yaml(block.replace("\t", "  "))
            except yaml.YAMLError:
                raise exc from None
            errors.append("front matter contains tabs (parsed after expanding them; the Hub rejects it)")
    except yaml.YAMLError as exc:
        return {}, [f"front matter is not valid YAML: {_one_line(exc)}"]
    except _YamlTooBig as exc:
        return {}, [str(exc)]
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:  # pathological YAML
        return {}, [f"front matter could not be parsed: {type(exc).__name__}: {_one_line(exc)}"]
    if data is None:
        return {}, errors
    if not isinstance(data, dict):
        return {}, [f"front matter is a {type(data).__name__}, not a mapping", *errors]
    if not all(isinstance(k, str) for k in data):
        errors.append("front matter has keys that are not strings: " + ", ".join(repr(k) for k in data if not isinstance(k, str))[:120])
        return {str(k): v for k, v in data.items()}, errors
    return data, errors


def _clean_heading(title: str) -> str:
    if "<" in title:
        title = re.sub(r"<[^>]*>", "", title)
    if "[" in title:
        title = re.sub(r"\[optional\]", "", title, flags=re.I)
        title = _LINK.sub(r"\1", title)
    if "*" in title or "_" in title or "`" in title:
        title = _EMPHASIS.sub("", title)
    return title.strip(" :\t")


def _normalise(title: str) -> str:
    t = title.lower().replace("&", " and ")
    t = t.replace("[optional]", " ")
    return _NON_WORD.sub(" ", t).strip()


def _build_exact() -> dict[str, tuple[str, ...]]:
    exact: dict[str, tuple[str, ...]] = {}
    for key, fragments in TEMPLATE_SECTIONS.items():
        for frag in fragments:
            exact.setdefault(_normalise(frag), (key,))
    for heading, keys in _MULTI.items():
        exact[_normalise(heading)] = keys
    return exact


_EXACT = _build_exact()


def _build_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word of each fragment -> (fragment words, key), longest fragment first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, frags in TEMPLATE_SECTIONS.items():
        for frag in frags:
            words = tuple(_normalise(frag).split())
            index.setdefault(words[0], []).append((words, key))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


_INDEX = _build_index()


def _word_eq(word: str, frag_word: str) -> bool:
    return word == frag_word or (word == frag_word + "s")


@lru_cache(maxsize=8192)
def section_keys(title: str) -> tuple[str, ...]:
    """Every template section a heading covers, the main one first ("" -> ()).

    An exact template heading maps to its one section. Otherwise template
    fragments are looked up as whole words (a plural "s" allowed); the
    fragment that starts first in the heading (the longest, on a tie) gives
    the main section, and words already covered by a longer fragment are not
    matched again.
    """
    t = _normalise(title)
    if not t:
        return ()
    exact = _EXACT.get(t)
    if exact is not None:
        return exact
    words = t.split()
    covered = [False] * len(words)
    out: list[str] = []
    for i, word in enumerate(words):
        if covered[i]:
            continue
        candidates = _INDEX.get(word)
        if candidates is None and word.endswith("s"):
            candidates = _INDEX.get(word[:-1])
        if not candidates:
            continue
        for frag, key in candidates:
            n = len(frag)
            if i + n <= len(words) and all(_word_eq(words[i + j], frag[j]) for j in range(n)):
                for j in range(i, i + n):
                    covered[j] = True
                if key not in out:
                    out.append(key)
                break
    return tuple(out)


def canonical_section(title: str) -> str | None:
    """Map a heading onto the Hub template section it corresponds to."""
    keys = section_keys(title)
    return keys[0] if keys else None


# Lines that may change the section structure; everything else is plain text
# and is never looked at line by line (that keeps parsing 16k cards fast).
# The leading newline lets the regex engine skip ahead by a literal search.
# (An HTML comment that hides headings starts a line, as a CommonMark HTML block.)
_INTERESTING = re.compile(r"\n {0,3}(?:#|```|~~~|<(?:[hH][1-6]|!--)|=+[ \t]*\n|-+[ \t]*\n)")
_FENCE_CLOSE: dict[tuple[str, int], re.Pattern[str]] = {}


def _fence_close(char: str, length: int) -> re.Pattern[str]:
    pattern = _FENCE_CLOSE.get((char, length))
    if pattern is None:
        pattern = re.compile(r"\n {0,3}" + re.escape(char) + "{" + str(length) + r",}[ \t]*(?=\n)")
        _FENCE_CLOSE[(char, length)] = pattern
    return pattern


def parse_sections(body: str) -> tuple[Section, ...]:
    """Split the markdown body into sections.

    Recognises ATX (``## Title``), setext (``Title`` over ``===``/``---``) and
    one-line HTML (``<h2>Title</h2>``) headings, outside code fences and HTML
    comments, as CommonMark does. Text before the first heading is not a section.
    """
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    body = "\n" + body + "\n"  # every line, the first included, follows a newline
    sections: list[Section] = []
    title: str | None = None
    level = 0
    text_start = 0  # where the current section's text starts
    floor = 0  # a setext heading's text line must start at or after this offset
    n = len(body)

    def close(end: int) -> None:
        if title is not None:
            keys = section_keys(title)
            sections.append(
                Section(
                    title=title,
                    level=level,
                    canonical=keys[0] if keys else None,
                    text=body[text_start:end].strip(),
                    keys=keys,
                )
            )

    pos = 0
    while True:
        m = _INTERESTING.search(body, pos)
        if m is None:
            break
        line_start = m.start() + 1
        line_end = body.find("\n", line_start)  # always found: body ends with a newline
        line = body[line_start:line_end]
        pos = line_end  # the next search starts at this line's newline
        first = line.lstrip(" ")[:1]
        if first == "<" and line.lstrip(" ").startswith("<!--"):
            close_at = body.find("-->", line_start)
            if close_at < 0:
                break  # an unclosed comment hides the rest of the card
            pos = body.find("\n", close_at)
            floor = pos + 1
            continue
        if first in "`~":
            fm = _FENCE.match(line)
            if fm is None:
                continue
            opening = fm.group(1)
            if opening[0] == "`" and "`" in line[fm.end() :]:
                continue  # an info string may not hold a backtick: inline code
            closing = _fence_close(opening[0], len(opening)).search(body, line_end + 1)
            if closing is None:
                break  # an unclosed fence runs to the end of the card
            pos = closing.end()
            floor = pos + 1
            continue
        if first == "#":
            atx = _ATX.match(line)
            if atx is None:
                continue
            close(line_start)
            level = len(atx.group(1))
            title = _clean_heading(_ATX_CLOSE.sub("", atx.group(2) or ""))
            text_start = floor = line_end + 1
            continue
        if first == "<":
            h = _HTML_HEADING.match(line)
            if h is None:
                continue
            close(line_start)
            level = int(h.group(1))
            title = _clean_heading(h.group(2))
            text_start = floor = line_end + 1
            continue
        # a setext underline: the line above, if it is paragraph text, is a heading
        prev_start = body.rfind("\n", 0, line_start - 1) + 1
        prev = body[prev_start : line_start - 1]
        if prev_start < floor or not prev.strip() or _NOT_PARAGRAPH.match(prev) is not None:
            continue
        close(prev_start)
        level = 1 if first == "=" else 2
        title = _clean_heading(prev.strip())
        text_start = floor = line_end + 1
    close(n)
    return tuple(sections)


def to_float(value: Any) -> float | None:
    """A metric value as a float, or None. Accepts '91.3', '91.3%', numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            f = float(value)
        except OverflowError:
            return None
        return f if math.isfinite(f) else None
    if isinstance(value, str):
        s = value.strip().rstrip("%").strip()
        if len(s) > 64:
            return None
        try:
            f = float(s)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _s(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    s = str(value).strip()
    return s or None


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _raw(value: Any) -> Any:
    return value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None


def claims_from_model_index(index: Any, *, source: str = "model-index") -> tuple[tuple[Claim, ...], list[str]]:
    """Typed claims from a ``model-index`` value. Returns (claims, errors).

    Tolerates a single mapping where a list is expected, a task or dataset
    given as a list, and missing fields (left as None, with an error).
    """
    claims: list[Claim] = []
    errors: list[str] = []
    entries = _mappings(index)
    if index is not None and not entries and index != []:
        errors.append(f"model-index is a {type(index).__name__}, not a list of models")
    for entry in entries:
        model_name = _s(entry.get("name"))
        results = _mappings(entry.get("results"))
        if not results and entry.get("results") != []:  # [] is the Trainer's "no evaluation"
            errors.append(f"model-index entry without results (model {model_name or '?'})")
        for result in results:
            task = (_mappings(result.get("task")) or [{}])[0]
            ds = (_mappings(result.get("dataset")) or [{}])[0]
            src = (_mappings(result.get("source")) or [{}])[0]
            metrics = _mappings(result.get("metrics"))
            if not metrics:
                errors.append(f"model-index result without metrics (model {model_name or '?'})")
            elif not ds:
                errors.append(f"model-index result without a dataset (model {model_name or '?'})")
            for metric in metrics:
                raw = metric.get("value")
                value = to_float(raw)
                if value is None and raw is not None:
                    errors.append(f"metric {metric.get('type') or metric.get('name')!s} has a non-numeric value {str(raw)[:40]!r}")
                claims.append(
                    Claim(
                        task_type=_s(task.get("type")),
                        task_name=_s(task.get("name")),
                        dataset_name=_s(ds.get("name")),
                        dataset_type=_s(ds.get("type")),
                        dataset_config=_s(ds.get("config")),
                        dataset_split=_s(ds.get("split")),
                        dataset_revision=_s(ds.get("revision")),
                        metric_type=_s(metric.get("type")),
                        metric_name=_s(metric.get("name")),
                        metric_config=_s(metric.get("config")),
                        value=value,
                        raw_value=_raw(raw),
                        verified=metric.get("verified") is True,
                        verify_token=_s(metric.get("verifyToken")),
                        source=source,
                        model_name=model_name,
                        source_url=_s(src.get("url")),
                    )
                )
    return tuple(claims), errors


def _eval_result_entry(item: Mapping[str, Any], path: str, errors: list[str]) -> Claim | None:
    """One entry of the ``.eval_results/*.yaml`` format (hub-docs eval_results.yaml)."""
    data = item.get("data", item) if isinstance(item.get("data"), Mapping) else item
    if "error" in item and "data" not in item:  # the Hub API marks files it rejected
        errors.append(f"{path}: rejected by the Hub: {str(item.get('error'))[:120]}")
        return None
    ds = (_mappings(data.get("dataset")) or [{}])[0]
    src = (_mappings(data.get("source")) or [{}])[0]
    dataset_id = _s(ds.get("id"))
    raw = data.get("value")
    value = to_float(raw)
    if dataset_id is None:
        errors.append(f"{path}: eval result without dataset.id")
    if raw is None:
        errors.append(f"{path}: eval result without a value (dataset {dataset_id or '?'})")
    elif value is None:
        errors.append(f"{path}: eval result has a non-numeric value {str(raw)[:40]!r}")
    task_id = _s(ds.get("task_id"))
    token = _s(data.get("verifyToken"))
    return Claim(
        task_type=None,
        task_name=task_id,
        task_id=task_id,
        dataset_name=dataset_id,
        dataset_type=dataset_id,
        dataset_config=_s(ds.get("config")),
        dataset_split=_s(ds.get("split")),
        dataset_revision=_s(ds.get("revision")),
        metric_type=None,
        value=value,
        raw_value=_raw(raw),
        verified=token is not None,
        verify_token=token,
        source="eval-results",
        source_url=_s(src.get("url")),
        date=_s(data.get("date")),
        notes=_s(data.get("notes")),
    )


def claims_from_eval_results(data: Any, *, path: str = ".eval_results") -> tuple[tuple[Claim, ...], list[str]]:
    """Claims from one parsed ``.eval_results/*.yaml`` document. Returns (claims, errors).

    The format (huggingface_hub 2.x ``EvalResultEntry``, hub-docs
    ``eval_results.yaml``) is a list of entries::

        - dataset: {id: cais/hle, task_id: default, revision: <sha>}   # config/split in early drafts
          value: 20.90
          verifyToken: ...          # optional signature
          date: "2025-01-15"        # optional
          source: {url: ..., name: ..., user: ..., org: ...}
          notes: no-tools

    The Hub API wraps entries as ``{"data": {...}, "filename": ...}`` (or
    ``{"error": ...}``); both are accepted. A ``model-index``-shaped document
    is accepted too.
    """
    if isinstance(data, Mapping) and ("model-index" in data or "model_index" in data):
        return claims_from_model_index(data.get("model-index", data.get("model_index")), source="eval-results")
    if isinstance(data, Mapping) and "dataset" not in data and isinstance(data.get("results"), list):
        data = data["results"]
    items = _mappings(data)
    claims: list[Claim] = []
    errors: list[str] = []
    for item in items:
        if "metrics" in item and "dataset" in item and "value" not in item:  # a model-index result
            sub, errs = claims_from_model_index([{"results": [item]}], source="eval-results")
            claims.extend(sub)
            errors.extend(errs)
            continue
        claim = _eval_result_entry(item, path, errors)
        if claim is not None:
            claims.append(claim)
    if not items and data is not None:
        errors.append(f"{path}: no eval results found (expected a list of entries, got {type(data).__name__})")
    return tuple(claims), errors


def parse_eval_results(text: str, *, path: str = ".eval_results/results.yaml") -> tuple[tuple[Claim, ...], list[str]]:
    """Parse the text of one ``.eval_results/*.yaml`` file. Never raises on content."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_FRONT_MATTER_CHARS:
        return (), [f"{path}: too large ({len(text)} characters)"]
    try:
        data = _load_yaml(text)
    except yaml.YAMLError as exc:
        return (), [f"{path}: invalid YAML: {_one_line(exc)}"]
    except _YamlTooBig as exc:
        return (), [f"{path}: {exc}"]
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
        return (), [f"{path}: could not be parsed: {type(exc).__name__}"]
    return claims_from_eval_results(data, path=path)


def _unrecognised_fence(text: str) -> str | None:
    """Why a card that looks like it starts with front matter has none (or None)."""
    start = text.lstrip()
    if not start.startswith("---"):
        return None
    first, _, rest = start.partition("\n")
    first = first.rstrip("\r")
    if first.strip() == "---":
        if re.match(r"---[ \t]*\r?(?:\n|$)", rest):
            return None  # "---" twice: an empty front matter, nothing is lost
        return "front matter is not closed: no '---' line after the opening '---'; the metadata is ignored"
    if set(first.strip()) == {"-"} and re.search(r"^-{3,}[ \t]*\r?$", rest, re.M):
        return f"front matter opens with {first.strip()!r} instead of '---'; the Hub ignores it"
    return None


#: Metadata fields the Hub reads as an id or a list of ids (strings).
_ID_FIELDS = ("license", "base_model", "datasets", "library_name", "pipeline_tag", "language", "tags")


def _id_field_errors(metadata: Mapping[str, Any]) -> list[str]:
    """Fields the Hub expects as a string or a list of strings but that hold something else.

    The readers stay lenient (a number or a mapping is still read for what it says); the
    problem is reported, so a value such as ``base_model: 42`` never reads as a clean card.
    """
    out: list[str] = []
    # None (an empty entry) and booleans (YAML 1.1 reads the language code `no` as False, where the
    # Hub's YAML 1.2 reads a string) are not counted: on 16,590 real cards they were the only
    # non-strings that are not the author's mistake.
    for key in _ID_FIELDS:
        value = metadata.get(key)
        if value is None or isinstance(value, (str, bool)):
            continue
        if isinstance(value, list):
            bad = [v for v in value if v is not None and not isinstance(v, (str, bool))]
            if bad:
                out.append(f"{key} lists {len(bad)} value(s) that are not strings, e.g. {str(bad[0])[:40]!r}")
            continue
        out.append(f"{key} is a {type(value).__name__} ({str(value)[:40]!r}), not a string or a list of strings")
    return out


def parse_card(text: str, *, path: str = "README.md") -> ModelCard:
    """Parse a model card. Never raises on content; problems go to ``errors``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    block, body = split_front_matter(text)
    metadata: dict[str, Any] = {}
    errors: list[str] = []
    fm_error: str | None = None
    if block is not None:
        metadata, errors = load_front_matter(block)
        if not metadata and errors:
            fm_error = errors[0]
    else:
        fm_error = _unrecognised_fence(text)
        if fm_error:
            errors.append(fm_error)
    index = metadata.get("model-index")
    if index is None and "model_index" in metadata:
        index = metadata["model_index"]
        errors.append("uses 'model_index' instead of 'model-index' (the Hub ignores it)")
    claims, claim_errors = claims_from_model_index(index)
    errors.extend(claim_errors)
    errors.extend(_id_field_errors(metadata))
    if len(body) > MAX_BODY_CHARS:
        errors.append(
            f"card body is {len(body):,} characters; only the first {MAX_BODY_CHARS:,} are read (documentation, licence and claims after that are not seen)"
        )
        body = body[:MAX_BODY_CHARS]
    return ModelCard(
        raw=text,
        metadata=metadata,
        has_front_matter=block is not None,
        body=body,
        claims=claims,
        errors=tuple(errors),
        path=path,
        front_matter_error=fm_error,
    )
