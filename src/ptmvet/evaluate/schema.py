"""Does this data fit this model? (``ptmvet schema``)

One streamed pass over the data collects, with memory bounded by the number
of columns and distinct labels (not rows):

- each column's type (text, integer, float, boolean, list, image, mixed) and
  the role it plays for the model's task;
- the label set against the model's labels (``id2label``, a classifier's
  ``classes_``), through the same label map ``reproduce`` uses;
- text lengths in tokens against the model's maximum (rows that would be
  truncated), with the tokenizer of the package (``tokenizer.json`` through
  ``tokenizers``, else transformers' ``AutoTokenizer`` on local files);
- image sizes and channels against the model's input size and channels;
- feature names and count against a scikit-learn (skops) model's.

*Problems* mean the data does not fit (missing columns or features, labels the
model does not have, non-numeric values, unreadable images); *warnings* mean
it fits with a caveat (rows truncated, labels assigned by assumed order,
images converted or resized).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import ColumnMap, Dataset, infer_columns, open_dataset
from ptmvet.progress import Progress

#: Distinct label values kept; more than this is not a label column.
MAX_DISTINCT = 10_000
#: Examples of a problem listed in messages.
SHOWN = 5
_INT = re.compile(r"^\s*[-+]?\d+\s*$")
_FLOAT = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


@dataclass(frozen=True)
class ColumnSummary:
    """One data column: its dominant type, how many rows hold a value, the role it plays."""

    name: str
    type: str
    non_empty: int
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "non_empty": self.non_empty, "role": self.role}


@dataclass(frozen=True)
class SchemaReport:
    """What ``check_schema`` found. ``fits`` is true when there is no problem."""

    model: str
    data: str
    task: str | None
    rows: int
    columns: tuple[ColumnSummary, ...]
    roles: Mapping[str, str]
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    labels: Mapping[str, Any] | None = None
    text: Mapping[str, Any] | None = None
    images: Mapping[str, Any] | None = None
    features: Mapping[str, Any] | None = None

    @property
    def fits(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "data": self.data,
            "task": self.task,
            "fits": self.fits,
            "rows": self.rows,
            "columns": [c.to_dict() for c in self.columns],
            "roles": dict(self.roles),
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "labels": dict(self.labels) if self.labels is not None else None,
            "text": dict(self.text) if self.text is not None else None,
            "images": dict(self.images) if self.images is not None else None,
            "features": dict(self.features) if self.features is not None else None,
        }


# ---------------------------------------------------------------- the model side


@dataclass
class ModelSide:
    """What the model expects, read from its files (weights are never loaded, except a skops model of trusted types)."""

    task: str | None
    labels: tuple[str, ...] | None = None
    max_tokens: int | None = None
    max_tokens_source: str | None = None
    tokenizer_dir: Path | None = None
    image_size: tuple[int, int] | None = None
    resizes: bool = True
    channels: int | None = None
    feature_names: tuple[str, ...] | None = None
    n_features: int | None = None
    notes: list[str] = field(default_factory=list)


def _json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _sane(n: Any) -> int | None:
    """A usable maximum length (tokenizers write 1e30 for 'no limit')."""
    return int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) and 0 < n < 1_000_000 else None


def read_model_side(model_path: Path, task: str | None) -> ModelSide:
    """The labels, token limit, image input and features a model package declares."""
    from ptmvet.evaluate.tasks.interface import infer_task

    task = task or infer_task(model_path)
    side = ModelSide(task=task)
    if task and task.startswith("tabular"):
        _read_skops(model_path, side)
        return side
    folder = model_path
    if (model_path / "modules.json").is_file():
        from ptmvet.evaluate.tasks.sentence_similarity import _transformer_dir

        folder = _transformer_dir(model_path)
    config = _json(folder / "config.json")
    raw = config.get("id2label")
    if isinstance(raw, Mapping) and raw and task not in (None, "sentence-similarity"):
        try:
            side.labels = tuple(str(raw[k]) for k in sorted(raw, key=int))
        except (TypeError, ValueError):
            side.labels = tuple(str(v) for v in raw.values())
    if task == "image-classification":
        pre = _json(folder / "preprocessor_config.json")
        size = pre.get("size", pre.get("crop_size"))
        if isinstance(size, Mapping):
            h, w = size.get("height", size.get("shortest_edge")), size.get("width", size.get("shortest_edge"))
            if isinstance(h, int) and isinstance(w, int):
                side.image_size = (h, w)
        elif isinstance(size, int):
            side.image_size = (size, size)
        elif isinstance(config.get("image_size"), int):
            side.image_size = (config["image_size"], config["image_size"])
        side.resizes = bool(pre.get("do_resize", True))
        side.channels = int(config.get("num_channels", 3) or 3)
        return side
    # text: the limit the runner applies (sentence-transformers' max_seq_length, else the tokenizer's, capped by positions)
    sbert = _sane(_json(model_path / "sentence_bert_config.json").get("max_seq_length"))
    tok_max = _sane(_json(folder / "tokenizer_config.json").get("model_max_length"))
    pos = _sane(config.get("max_position_embeddings"))
    if sbert:
        side.max_tokens, side.max_tokens_source = sbert, "sentence_bert_config.json max_seq_length"
    elif tok_max:
        side.max_tokens, side.max_tokens_source = min(tok_max, 512), "tokenizer_config.json model_max_length"
    elif pos:
        side.max_tokens, side.max_tokens_source = pos, "config.json max_position_embeddings"
    if (folder / "tokenizer.json").is_file() or (folder / "tokenizer_config.json").is_file() or (folder / "vocab.txt").is_file():
        side.tokenizer_dir = folder
    return side


def _read_skops(model_path: Path, side: ModelSide) -> None:
    from ptmvet.evaluate.tasks.tabular import load_skops

    model, _ = load_skops(model_path)
    names = getattr(model, "feature_names_in_", None)
    side.feature_names = tuple(str(n) for n in names) if names is not None else None
    n = getattr(model, "n_features_in_", None)
    side.n_features = int(n) if n is not None else None
    classes = getattr(model, "classes_", None)
    if classes is not None:
        side.labels = tuple(str(c) for c in classes)
        side.task = "tabular-classification"
    else:
        side.task = "tabular-regression"


# ---------------------------------------------------------------- token lengths


Lengths = Callable[[list[Any], list[Any] | None, bool], list[int]]


def load_lengths(folder: Path) -> tuple[Lengths, str]:
    """A function giving token counts (special tokens included, no truncation) and what it uses."""
    tj = folder / "tokenizer.json"
    if tj.is_file():
        try:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(tj))
            tok.no_truncation()
            tok.no_padding()

            def count(a: list[Any], b: list[Any] | None, pretokenized: bool) -> list[int]:
                inputs: list[Any] = list(zip(a, b, strict=True)) if b is not None else a
                return [len(e.ids) for e in tok.encode_batch(inputs, is_pretokenized=pretokenized)]

            return count, "tokenizer.json (tokenizers)"
        except ImportError:
            pass
        except Exception as exc:  # a malformed tokenizer.json: tokenizers raises its own Exception type
            raise InputError(f"{tj}: not a readable tokenizer ({exc})", path=str(tj)) from exc
    try:
        from transformers import AutoTokenizer
    except ImportError as exc:
        from ptmvet.errors import DependencyMissing

        raise DependencyMissing("tokenizers", "counting tokens") from exc
    try:
        hf = AutoTokenizer.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{folder}: cannot load the tokenizer ({exc})", path=str(folder)) from exc

    def count_hf(a: list[Any], b: list[Any] | None, pretokenized: bool) -> list[int]:
        enc = hf(a, b, truncation=False, is_split_into_words=pretokenized, verbose=False)
        return [len(x) for x in enc["input_ids"]]

    return count_hf, "AutoTokenizer (transformers, local files)"


# ---------------------------------------------------------------- streamed statistics


def value_kind(value: Any) -> str:
    """The type of one value as data: empty, boolean, integer, float, text, list, image, object."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "empty"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        if _INT.match(value):
            return "integer"
        if _FLOAT.match(value):
            return "float"
        return "text"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, (bytes, bytearray)) or (isinstance(value, Mapping) and ("bytes" in value or "path" in value)):
        return "image"
    return "object"


def dominant_type(kinds: Counter[str]) -> str:
    seen = {k: n for k, n in kinds.items() if k != "empty"}
    if not seen:
        return "empty"
    if set(seen) == {"integer", "float"}:
        return "float"
    if len(seen) == 1:
        return next(iter(seen))
    ranked = sorted(seen, key=lambda k: -seen[k])
    return "mixed (" + ", ".join(ranked[:3]) + ")"


class _Images:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.n = 0
        self.unreadable = 0
        self.examples: list[str] = []
        self.modes: Counter[str] = Counter()
        self.channels: Counter[int] = Counter()
        self.sizes: Counter[str] = Counter()
        self.min_wh: list[int] = []
        self.max_wh: list[int] = []

    def add(self, values: Sequence[Any]) -> None:
        from ptmvet.evaluate.datasets import open_image

        for v in values:
            self.n += 1
            try:
                with open_image(v, self.base) as im:
                    w, h = im.size
                    mode = im.mode
                    bands = len(im.getbands())
            except InputError as exc:
                self.unreadable += 1
                if len(self.examples) < SHOWN:
                    self.examples.append(exc.message)
                continue
            self.modes[mode] += 1
            self.channels[bands] += 1
            if len(self.sizes) < 1000 or f"{w}x{h}" in self.sizes:
                self.sizes[f"{w}x{h}"] += 1
            self.min_wh = [min(w, self.min_wh[0]), min(h, self.min_wh[1])] if self.min_wh else [w, h]
            self.max_wh = [max(w, self.max_wh[0]), max(h, self.max_wh[1])] if self.max_wh else [w, h]


class _Texts:
    def __init__(self, count: Lengths, limit: int | None) -> None:
        self.count = count
        self.limit = limit
        self.rows = 0
        self.truncated = 0
        self.longest = 0
        self.total = 0
        self.first_truncated: list[int] = []

    def add(self, lengths: Sequence[int], offset: int) -> None:
        for i, n in enumerate(lengths):
            self.rows += 1
            self.total += n
            self.longest = max(self.longest, n)
            if self.limit is not None and n > self.limit:
                self.truncated += 1
                if len(self.first_truncated) < SHOWN:
                    self.first_truncated.append(offset + i + 1)


def check_schema(
    model_path: Path | str,
    data: Path | str,
    *,
    columns: Mapping[str, str] | None = None,
    task: str | None = None,
    split: str | None = None,
    max_length: int | None = None,
    chunk_rows: int = 1024,
    progress: Progress | None = None,
) -> SchemaReport:
    """Check that ``data`` fits the model at ``model_path`` in one streamed pass."""
    from ptmvet.evaluate.tasks.interface import canonical_task

    model_path = Path(model_path)
    if not model_path.exists():
        raise InputError(f"{model_path}: no such model file or folder", path=str(model_path))
    ds = open_dataset(data, split=split)
    wanted = canonical_task(task) if task else None
    if task and wanted is None:
        from ptmvet.errors import UsageError

        raise UsageError(f"unknown task {task!r}")
    side = read_model_side(model_path, wanted)
    problems: list[str] = []
    warnings: list[str] = list(side.notes)
    if max_length:
        side.max_tokens, side.max_tokens_source = max_length, "--max-length"
    cmap: ColumnMap | None = None
    if side.task is None:
        problems.append("cannot tell the model's task from its files; pass --task")
    else:
        try:
            cmap = infer_columns(ds, side.task, columns)
        except InputError as exc:
            problems.append(exc.message)
    roles = dict(cmap.roles) if cmap else {}
    role_of = {c: r for r, c in roles.items()}
    if cmap is not None and side.task and side.task.startswith("tabular"):
        label = roles.get("label")
        roles = {"label": label} if label else {}
        role_of = {label: "label"} if label else {}
    scan = _Scan(ds, side, roles, problems, warnings)
    for batch in ds.batches(chunk_rows):
        scan.add(batch)
        if progress is not None:
            progress(scan.rows, None, "rows checked")
    if scan.rows == 0:
        problems.append(f"{ds.path.name}: no rows")
    cols = tuple(
        ColumnSummary(c, "image path" if role_of.get(c) == "image" and dominant_type(scan.kinds[c]) == "text" else dominant_type(scan.kinds[c]),
                      scan.rows - scan.kinds[c]["empty"], role_of.get(c))
        for c in ds.columns
    )
    scan.finish()
    return SchemaReport(
        model=str(model_path),
        data=str(ds.path),
        task=side.task,
        rows=scan.rows,
        columns=cols,
        roles=roles,
        problems=tuple(problems),
        warnings=tuple(warnings),
        labels=scan.label_section(),
        text=scan.text_section(),
        images=scan.image_section(),
        features=scan.feature_section(),
    )


class _Scan:
    """The running state of one pass."""

    def __init__(self, ds: Dataset, side: ModelSide, roles: Mapping[str, str], problems: list[str], warnings: list[str]) -> None:
        self.ds, self.side, self.roles = ds, side, roles
        self.problems, self.warnings = problems, warnings
        self.rows = 0
        self.kinds: dict[str, Counter[str]] = {c: Counter() for c in ds.columns}
        task = side.task or ""
        self.label_col = roles.get("tags") if task == "token-classification" else roles.get("label")
        self.label_counts: Counter[str] = Counter()
        self.raw_labels: dict[str, Any] = {}
        self.too_many_labels = False
        self.scores = roles.get("score") if task == "sentence-similarity" else None
        self.score_bad = 0
        self.score_range: list[float] = []
        self.texts: _Texts | None = None
        self.tokenizer_used: str | None = None
        text_roles = [r for r in ("text", "sentence1", "sentence2", "tokens") if r in roles]
        if text_roles and side.tokenizer_dir is not None:
            count, self.tokenizer_used = load_lengths(side.tokenizer_dir)
            self.texts = _Texts(count, side.max_tokens)
        elif text_roles:
            warnings.append("the model has no tokenizer files: text lengths not checked")
        self.images = _Images(ds.path.parent if ds.path.is_file() else ds.path) if "image" in roles else None
        self.features: list[str] | None = None
        self.non_numeric: Counter[str] = Counter()
        if task.startswith("tabular"):
            label = roles.get("label")
            if side.feature_names is not None:
                self.features = [c for c in side.feature_names if c in ds.columns]
            else:
                self.features = [c for c in ds.columns if c != label]

    def add(self, batch: Mapping[str, list[Any]]) -> None:
        n = len(next(iter(batch.values()), []))
        offset = self.rows
        self.rows += n
        for c in self.ds.columns:
            kinds = self.kinds[c]
            for v in batch.get(c, ()):
                kinds[value_kind(v)] += 1
        if self.label_col:
            for v in batch.get(self.label_col, ()):
                for x in (v if isinstance(v, (list, tuple)) else [v]):
                    key = str(x).strip() if x is not None else ""
                    if key in self.label_counts or len(self.label_counts) < MAX_DISTINCT:
                        self.label_counts[key] += 1
                        self.raw_labels.setdefault(key, x)
                    else:
                        self.too_many_labels = True
        if self.scores:
            for v in batch.get(self.scores, ()):
                try:
                    x = float(v)
                except (TypeError, ValueError):
                    self.score_bad += 1
                    continue
                self.score_range = [min(x, self.score_range[0]), max(x, self.score_range[1])] if self.score_range else [x, x]
        if self.texts is not None:
            self._add_texts(batch, offset)
        if self.images is not None:
            self.images.add(batch.get(self.roles["image"], []))
        if self.features is not None:
            for c in self.features:
                self.non_numeric[c] += sum(1 for v in batch.get(c, ()) if value_kind(v) not in ("integer", "float", "boolean"))

    def _add_texts(self, batch: Mapping[str, list[Any]], offset: int) -> None:
        assert self.texts is not None
        r = self.roles
        task = self.side.task
        if "tokens" in r and task == "token-classification":
            words = [[str(w) for w in (v or [])] for v in batch[r["tokens"]]]
            lengths = self.texts.count(words, None, True)
        elif task == "sentence-similarity" and "sentence1" in r:
            a = self.texts.count([str(x) for x in batch[r["sentence1"]]], None, False)
            b = self.texts.count([str(x) for x in batch[r["sentence2"]]], None, False)
            lengths = [max(x, y) for x, y in zip(a, b, strict=True)]  # each sentence is encoded on its own
        elif "text" in r:
            lengths = self.texts.count([str(x) for x in batch[r["text"]]], None, False)
        elif "sentence1" in r and "sentence2" in r:
            lengths = self.texts.count([str(x) for x in batch[r["sentence1"]]], [str(x) for x in batch[r["sentence2"]]], False)
        else:
            return
        self.texts.add(lengths, offset)

    # -------------------------------------------------------------- verdicts

    def finish(self) -> None:
        side = self.side
        if self.scores and self.score_bad:
            self.problems.append(f"{self.score_bad} rows of {self.scores!r} hold a non-numeric score")
        if self.texts is not None and self.texts.truncated:
            t = self.texts
            self.warnings.append(
                f"{t.truncated} of {t.rows} rows exceed the model's maximum of {side.max_tokens} tokens and would be truncated "
                f"(longest {t.longest}; first rows {', '.join(map(str, t.first_truncated))})"
            )
        if self.images is not None:
            im = self.images
            if im.unreadable:
                self.problems.append(f"{im.unreadable} of {im.n} images cannot be read: " + "; ".join(im.examples))
            if side.channels is not None:
                other = sum(n for ch, n in im.channels.items() if ch != side.channels)
                if other:
                    modes = ", ".join(f"{m} {n}" for m, n in im.modes.most_common(4))
                    self.warnings.append(f"{other} images do not have the model's {side.channels} channels ({modes}): converted to RGB before the model")
            if side.image_size is not None and im.sizes and set(im.sizes) != {f"{side.image_size[1]}x{side.image_size[0]}"}:
                msg = f"images range from {im.min_wh[0]}x{im.min_wh[1]} to {im.max_wh[0]}x{im.max_wh[1]}; the model takes {side.image_size[1]}x{side.image_size[0]}"
                if side.resizes:
                    self.warnings.append(msg + " (the image processor resizes them)")
                else:
                    self.problems.append(msg + " and its image processor does not resize")
        if self.features is not None:
            self._finish_features()
        self._finish_labels()

    def _finish_features(self) -> None:
        side, label = self.side, self.roles.get("label")
        if side.feature_names is not None:
            missing = [c for c in side.feature_names if c not in self.ds.columns]
            if missing:
                self.problems.append(f"{len(missing)} of the model's {len(side.feature_names)} features are not columns of the data: {missing[:SHOWN]}")
        elif side.n_features is not None and self.features is not None and len(self.features) != side.n_features:
            self.problems.append(
                f"the model takes {side.n_features} features; the data has {len(self.features)} columns besides the label"
                + (f" {label!r}" if label else "")
            )
        bad = {c: n for c, n in self.non_numeric.items() if n}
        if bad:
            self.problems.append("non-numeric feature values: " + ", ".join(f"{c!r} {n} rows" for c, n in list(bad.items())[:SHOWN]))

    def _finish_labels(self) -> None:
        side = self.side
        if not self.label_col or side.labels is None or (side.task or "") == "tabular-regression":
            return
        from ptmvet.evaluate.labels import _same, build_label_map, is_generic

        if self.too_many_labels:
            self.problems.append(f"column {self.label_col!r} holds more than {MAX_DISTINCT} distinct values: not a label column")
            return
        names = self.ds.tag_names if side.task == "token-classification" else self.ds.label_names
        values = [self.raw_labels[k] for k in self.label_counts if k != ""]
        lm = build_label_map(side.labels, values, names)
        self._label_map = lm
        by_name = lm.method == "names" or (not is_generic(side.labels) and (names is not None or not all(_INT.match(k) for k in self.label_counts if k)))
        if by_name:  # named labels: one the model does not name is unknown, whatever order fallback the map took
            named = set(names) if names is not None else None
            unknown = {k: n for k, n in self.label_counts.items()
                       if k != "" and not any(_same(self._data_name(k, named), m) for m in side.labels)}
        else:
            unknown = {k: n for k, n in self.label_counts.items() if k != "" and lm.encode(self.raw_labels[k]) >= lm.n_classes}
        empty = self.label_counts.get("", 0)
        unit = "tags" if side.task == "token-classification" else "rows"
        if unknown:
            shown = ", ".join(f"{k!r} ({n})" for k, n in sorted(unknown.items(), key=lambda kv: -kv[1])[:SHOWN])
            self.problems.append(f"{sum(unknown.values())} {unit} carry labels the model does not have: {shown}; model labels {list(side.labels)[:10]}")
        if empty:
            self.problems.append(f"{empty} {unit} have no label")
        if lm.method == "assumed-order":
            self.warnings.append("labels matched by assumed sorted order, not by name: " + "; ".join(lm.notes))
        used = {lm.encode(self.raw_labels[k]) for k in self.label_counts if k != ""}
        unused = [side.labels[i] for i in range(len(side.labels)) if i not in used]
        if unused and side.task != "token-classification":
            self.warnings.append(f"the data has no rows of model labels {unused[:SHOWN]}")

    def _data_name(self, key: str, names: set[str] | None) -> str:
        """A data label as a name (an integer index into ClassLabel names becomes the name)."""
        names_t = self.ds.tag_names if self.side.task == "token-classification" else self.ds.label_names
        if names is not None and names_t and _INT.match(key) and 0 <= int(key) < len(names_t):
            return names_t[int(key)]
        return key

    def label_section(self) -> dict[str, Any] | None:
        if not self.label_col:
            if self.scores:
                return {"column": self.scores, "kind": "score", "min": self.score_range[0] if self.score_range else None,
                        "max": self.score_range[1] if self.score_range else None, "non_numeric": self.score_bad}
            return None
        lm = getattr(self, "_label_map", None)
        return {
            "column": self.label_col,
            "model_labels": list(self.side.labels) if self.side.labels is not None else None,
            "data_labels": dict(self.label_counts.most_common(50)),
            "distinct": len(self.label_counts),
            "mapping": lm.to_dict() if lm is not None else None,
        }

    def text_section(self) -> dict[str, Any] | None:
        t = self.texts
        if t is None:
            return None
        return {
            "tokenizer": self.tokenizer_used,
            "max_tokens": self.side.max_tokens,
            "max_tokens_source": self.side.max_tokens_source,
            "rows": t.rows,
            "truncated": t.truncated,
            "longest": t.longest,
            "mean": round(t.total / t.rows, 2) if t.rows else None,
        }

    def image_section(self) -> dict[str, Any] | None:
        im = self.images
        if im is None:
            return None
        return {
            "column": self.roles.get("image"),
            "images": im.n,
            "unreadable": im.unreadable,
            "modes": dict(im.modes),
            "channels": {str(k): v for k, v in im.channels.items()},
            "min_size": im.min_wh or None,
            "max_size": im.max_wh or None,
            "sizes": dict(im.sizes.most_common(10)),
            "model_size": list(self.side.image_size) if self.side.image_size else None,
            "model_channels": self.side.channels,
        }

    def feature_section(self) -> dict[str, Any] | None:
        if self.features is None:
            return None
        side = self.side
        extra = [c for c in self.ds.columns if c not in (self.features or []) and c != self.roles.get("label")]
        return {
            "model_features": list(side.feature_names) if side.feature_names is not None else None,
            "model_n_features": side.n_features,
            "data_features": list(self.features),
            "missing": [c for c in side.feature_names or () if c not in self.ds.columns],
            "ignored_columns": extra,
            "non_numeric": {c: n for c, n in self.non_numeric.items() if n},
        }


__all__ = ["ColumnSummary", "SchemaReport", "check_schema"]
