"""Evaluation data: local files, ``save_to_disk`` folders, the HF datasets cache.

A :class:`Dataset` streams batches of columns (``dict[str, list]``) and never
holds the whole file: delimited text is read with the ``csv`` module line by
line, Parquet and Arrow with pyarrow record batches, JSON Lines with pyarrow's
streaming reader. Columns are inferred from names (``text``, ``sentence1``/
``sentence2``, ``label``, ``score``, ``tokens``/``ner_tags``, ``image``) or,
for a file without a header, from the values; ``overrides`` name them
explicitly (``{"sentence1": "5"}`` uses the sixth field of a headerless file).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from ptmvet.card import Claim
from ptmvet.errors import DependencyMissing, InputError, UsageError
from ptmvet.integrity.manifest import hash_file

Batch = dict[str, list[Any]]

DELIMITED = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
JSONL = {".jsonl", ".ndjson", ".json"}
PARQUET = {".parquet", ".pq"}
ARROW = {".arrow"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
DATA_SUFFIXES = set(DELIMITED) | JSONL | PARQUET | ARROW
SPLIT_ALIASES: Mapping[str, tuple[str, ...]] = {
    "test": ("test", "testing", "eval", "evaluation"),
    "validation": ("validation", "valid", "val", "dev", "development"),
    "train": ("train", "training"),
}
#: Dataset names that mean the same benchmark.
DATASET_ALIASES: tuple[frozenset[str], ...] = (
    frozenset({"stsb", "stsbenchmark", "stsbenchmarksts", "sts", "stsb_multi_mt", "sentencetransformersstsb"}),
    frozenset({"sst2", "sst", "glue_sst2", "gluesst2", "stanfordnlpsst2"}),
    frozenset({"mrpc", "gluemrpc", "msrp", "msrparaphrase"}),
    frozenset({"conll2003", "conll03", "eriktksconll2003", "conll"}),
    frozenset({"imdb", "stanfordnlpimdb", "imdbtest"}),
)

ROLE_NAMES: Mapping[str, tuple[str, ...]] = {
    "text": ("text", "sentence", "review", "content", "document", "input", "utterance", "tweet", "sms", "comment"),
    "label": ("label", "labels", "sentiment", "class", "target", "y", "gold_label", "quality", "category", "intent"),
    "score": ("score", "similarity_score", "similarity", "relatedness_score", "relatedness", "gold_score"),
    "tokens": ("tokens", "words", "token"),
    "tags": ("ner_tags", "tags", "ner", "labels", "entities", "bio_tags"),
    "image": ("image", "img", "image_path", "filepath", "file", "filename", "path", "pixel_values"),
}
PAIR_NAMES: tuple[tuple[str, str], ...] = (
    ("sentence1", "sentence2"),
    ("text1", "text2"),
    ("text_a", "text_b"),
    ("premise", "hypothesis"),
    ("question1", "question2"),
    ("question", "sentence"),
    ("sentence_a", "sentence_b"),
    ("s1", "s2"),
    ("#1 string", "#2 string"),
    ("anchor", "positive"),
)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


@dataclass(frozen=True)
class Dataset:
    """One split of evaluation data, readable in batches."""

    path: Path
    format: str  # csv, tsv, jsonl, parquet, arrow, imagefolder, coco
    columns: tuple[str, ...]
    files: tuple[Path, ...]
    label_names: tuple[str, ...] | None = None  # ClassLabel names, when the data declares them
    tag_names: tuple[str, ...] | None = None  # Sequence(ClassLabel) names of token tags
    delimiter: str | None = None
    header: bool = True
    name: str | None = None
    split: str | None = None
    features: Mapping[str, Any] = field(default_factory=dict)

    def batches(self, batch_size: int = 1024) -> Iterator[Batch]:
        """Stream the rows as column batches of at most ``batch_size`` rows."""
        if self.format in ("csv", "tsv"):
            yield from _delimited_batches(self, batch_size)
        elif self.format == "jsonl":
            yield from _jsonl_batches(self, batch_size)
        elif self.format in ("parquet", "arrow"):
            yield from _arrow_batches(self, batch_size)
        elif self.format == "imagefolder":
            yield from _imagefolder_batches(self, batch_size)
        elif self.format == "coco":
            yield from _coco_batches(self, batch_size)
        else:  # pragma: no cover - open_dataset only builds the formats above
            raise InputError(f"unsupported data format {self.format}", path=str(self.path))

    def head(self, n: int = 200) -> Batch:
        """The first ``n`` rows (for column inference and the schema check)."""
        out: Batch = {c: [] for c in self.columns}
        got = 0
        for batch in self.batches(min(n, 1024)):
            take = min(n - got, len(next(iter(batch.values()), [])))
            for c in self.columns:
                out[c].extend(batch.get(c, [])[:take])
            got += take
            if got >= n:
                break
        return out

    def sha256(self) -> str:
        """sha256 of the data file (of the sorted file list's hashes when there are several)."""
        digests = [_sha256_file(f) for f in self.files]
        if len(digests) == 1:
            return digests[0]
        return hashlib.sha256("\n".join(f"{d}  {f.name}" for d, f in zip(digests, self.files, strict=True)).encode()).hexdigest()


def _sha256_file(path: Path) -> str:
    return hash_file(path)[0]


# ---------------------------------------------------------------- opening


def open_dataset(
    source: str | os.PathLike[str],
    *,
    split: str | None = None,
    config: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
) -> Dataset:
    """Open a data file, a ``save_to_disk`` folder, an image folder, or a dataset in the HF cache (by name)."""
    path = Path(source).expanduser()
    if path.is_file():
        return _open_file(path, delimiter=delimiter, header=header, split=split)
    if path.is_dir():
        return _open_dir(path, split=split)
    cached = find_cached_dataset(str(source), config=config, split=split)
    if cached is not None:
        return cached
    raise InputError(
        f"no data at {source}: not a file, not a folder, and not a dataset in the local Hugging Face cache",
        path=str(source),
        hint="pass a CSV/TSV/JSONL/Parquet file, a datasets.save_to_disk folder, or download the dataset first",
    )


def _open_file(path: Path, *, delimiter: str | None, header: bool | None, split: str | None) -> Dataset:
    suffix = path.suffix.lower()
    split = split or split_of(path)
    if suffix in DELIMITED or (delimiter and suffix not in DATA_SUFFIXES):
        return _open_delimited(path, delimiter=delimiter, header=header, split=split)
    if suffix == ".json" and is_coco_instances(path, sniff_only=False):
        return open_coco(path, split=split)
    if suffix in JSONL:
        return _open_jsonl(path, split=split)
    if suffix in PARQUET:
        pq = _pyarrow("parquet")
        try:
            schema = pq.ParquetFile(path).schema_arrow
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})", path=str(path)) from exc
        return _with_features(Dataset(path, "parquet", tuple(schema.names), (path,), split=split), schema)
    if suffix in ARROW:
        return _open_arrow_files([path], path, split=split)
    raise InputError(f"{path}: unsupported data file type {suffix or '(none)'}", path=str(path), hint="use CSV, TSV, JSONL or Parquet")


def _pyarrow(module: str) -> Any:
    try:
        import importlib

        return importlib.import_module(f"pyarrow.{module}") if module else importlib.import_module("pyarrow")
    except ImportError as exc:
        raise DependencyMissing("pyarrow", "reading Parquet, Arrow and JSON Lines data") from exc


_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or (isinstance(value, str) and bool(_NUMBER.match(value)))


def _open_delimited(path: Path, *, delimiter: str | None, header: bool | None, split: str | None) -> Dataset:
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as UTF-8 text ({exc})", path=str(path)) from exc
    if not first.strip():
        raise InputError(f"{path}: the file is empty", path=str(path))
    if delimiter is None:
        delimiter = "\t" if first.count("\t") > 0 and first.count("\t") >= first.count(",") else DELIMITED.get(path.suffix.lower(), ",")
    row = next(_reader([first], delimiter))
    if header is None:
        # A header names columns; a first row holding numbers is data (the STS Benchmark has no header).
        header = not any(_is_number(v) for v in row)
    columns = tuple(c.strip() for c in row) if header else tuple(str(i) for i in range(len(row)))
    if header and len(set(columns)) != len(columns):
        raise InputError(f"{path}: duplicate column names in the header", path=str(path))
    fmt = "tsv" if delimiter == "\t" else "csv"
    ds = Dataset(path, fmt, columns, (path,), delimiter=delimiter, header=header, split=split)
    if not header:
        # headerless files may have ragged rows; widen to the widest row of the sample
        width = max((len(r) for r in islice(_reader(_lines(path), delimiter), 500)), default=len(row))
        ds = Dataset(path, fmt, tuple(str(i) for i in range(width)), (path,), delimiter=delimiter, header=False, split=split)
    return ds


def _lines(path: Path) -> Iterator[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        yield from fh


def _reader(lines: Any, delimiter: str) -> Iterator[list[str]]:
    if delimiter == "\t":
        # Tab-separated files are not quoted (GLUE, STS Benchmark): a '"' is text.
        return csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return csv.reader(lines, delimiter=delimiter)


def _delimited_batches(ds: Dataset, batch_size: int) -> Iterator[Batch]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    rows = _reader(_lines(ds.path), ds.delimiter or ",")
    if ds.header:
        next(rows, None)
    width = len(ds.columns)
    buf: list[list[str]] = []
    for line_no, row in enumerate(rows, start=2 if ds.header else 1):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) < width:
            if ds.header:
                raise InputError(f"{ds.path}:{line_no}: {len(row)} fields where the header has {width}", path=str(ds.path))
            row = row + [""] * (width - len(row))
        buf.append(row[:width])
        if len(buf) >= batch_size:
            yield {c: [r[i] for r in buf] for i, c in enumerate(ds.columns)}
            buf = []
    if buf:
        yield {c: [r[i] for r in buf] for i, c in enumerate(ds.columns)}


def _open_jsonl(path: Path, *, split: str | None) -> Dataset:
    columns: dict[str, None] = {}
    try:
        with path.open("r", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= 200:
                    break
                if not line.strip():
                    continue
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise InputError(f"{path}:{i + 1}: each line must be a JSON object", path=str(path))
                columns.update(dict.fromkeys(obj))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON Lines ({exc})", path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})", path=str(path)) from exc
    if not columns:
        raise InputError(f"{path}: no rows", path=str(path))
    return Dataset(path, "jsonl", tuple(columns), (path,), split=split)


def _jsonl_batches(ds: Dataset, batch_size: int) -> Iterator[Batch]:
    buf: Batch = {c: [] for c in ds.columns}
    n = 0
    with ds.path.open("r", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{ds.path}:{line_no}: invalid JSON ({exc})", path=str(ds.path)) from exc
            for c in ds.columns:
                buf[c].append(obj.get(c) if isinstance(obj, dict) else None)
            n += 1
            if n >= batch_size:
                yield buf
                buf, n = {c: [] for c in ds.columns}, 0
    if n:
        yield buf


def _arrow_batches(ds: Dataset, batch_size: int) -> Iterator[Batch]:
    if ds.format == "parquet":
        pq = _pyarrow("parquet")
        for f in ds.files:
            for rb in pq.ParquetFile(f).iter_batches(batch_size=batch_size):
                yield rb.to_pydict()
        return
    for f in ds.files:
        for rb in _arrow_record_batches(f):
            for start in range(0, rb.num_rows, batch_size):
                yield rb.slice(start, batch_size).to_pydict()


def _arrow_record_batches(path: Path) -> Iterator[Any]:
    pa = _pyarrow("")
    ipc = _pyarrow("ipc")
    with pa.memory_map(str(path), "r") as source:
        try:
            reader = ipc.open_stream(source)
        except (OSError, ValueError):
            source.seek(0)
            reader = ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)
            return
        yield from reader


def _arrow_schema(path: Path) -> Any:
    pa = _pyarrow("")
    ipc = _pyarrow("ipc")
    try:
        with pa.memory_map(str(path), "r") as source:
            try:
                return ipc.open_stream(source).schema
            except (OSError, ValueError):
                source.seek(0)
                return ipc.open_file(source).schema
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable Arrow file ({exc})", path=str(path)) from exc


def _open_arrow_files(files: Sequence[Path], root: Path, *, split: str | None, name: str | None = None) -> Dataset:
    schema = _arrow_schema(files[0])
    ds = Dataset(root, "arrow", tuple(schema.names), tuple(files), split=split, name=name)
    return _with_features(ds, schema, root if root.is_dir() else None)


def _with_features(ds: Dataset, schema: Any, folder: Path | None = None) -> Dataset:
    """Read ClassLabel names from the datasets feature metadata (schema or dataset_info.json)."""
    features: Mapping[str, Any] = {}
    meta = schema.metadata or {}
    raw = meta.get(b"huggingface")
    if raw:
        try:
            features = json.loads(raw).get("info", {}).get("features", {}) or {}
        except (ValueError, AttributeError):
            features = {}
    if not features and folder is not None and (folder / "dataset_info.json").is_file():
        try:
            features = json.loads((folder / "dataset_info.json").read_text("utf-8")).get("features", {}) or {}
        except (OSError, ValueError, AttributeError):
            features = {}
    label_names = tag_names = None
    for col, feat in features.items() if isinstance(features, Mapping) else ():
        if not isinstance(feat, Mapping):
            continue
        if feat.get("_type") == "ClassLabel" and col in ROLE_NAMES["label"] and label_names is None:
            label_names = tuple(str(x) for x in feat.get("names", []))
        inner = feat.get("feature") if feat.get("_type") in ("Sequence", "List", "LargeList") else None
        if isinstance(inner, Mapping) and inner.get("_type") == "ClassLabel":
            tag_names = tuple(str(x) for x in inner.get("names", []))
    return Dataset(ds.path, ds.format, ds.columns, ds.files, label_names, tag_names, ds.delimiter, ds.header, ds.name, ds.split, features)


def _open_dir(path: Path, *, split: str | None) -> Dataset:
    if (path / "dataset_dict.json").is_file():
        try:
            splits = list(json.loads((path / "dataset_dict.json").read_text("utf-8")).get("splits", []))
        except (OSError, ValueError, AttributeError) as exc:
            raise InputError(f"{path}/dataset_dict.json: unreadable ({exc})", path=str(path)) from exc
        chosen = _pick_split(splits, split)
        if chosen is None:
            raise InputError(f"{path}: no split {split!r} (splits: {', '.join(splits)})", path=str(path), hint="pass --split")
        return _open_dir(path / chosen, split=chosen)
    arrows = sorted(path.glob("data-*.arrow")) or sorted(path.glob("*.arrow"))
    if arrows:
        return _open_arrow_files(arrows, path, split=split or split_of(path))
    coco = sorted(p for d in (path / "annotations", path) if d.is_dir() for p in d.glob("instances*.json"))
    if coco:
        by_split = {p.stem.split("_", 1)[-1]: p for p in coco}
        chosen = _pick_split(list(by_split), split)
        if chosen is None:
            raise InputError(f"{path}: no COCO instances file for split {split!r} (have: {', '.join(p.name for p in coco)})",
                             path=str(path), hint="pass --split, or the instances json itself as --data")
        return open_coco(by_split[chosen], split=split or split_of(by_split[chosen]))
    parquets = sorted(path.glob("*.parquet"))
    if parquets:
        pq = _pyarrow("parquet")
        schema = pq.ParquetFile(parquets[0]).schema_arrow
        return _with_features(Dataset(path, "parquet", tuple(schema.names), tuple(parquets), split=split), schema)
    classes = sorted(d.name for d in path.iterdir() if d.is_dir() and any(f.suffix.lower() in IMAGE_SUFFIXES for f in d.iterdir()))
    if classes:
        files = tuple(sorted(f for c in classes for f in (path / c).iterdir() if f.suffix.lower() in IMAGE_SUFFIXES))
        return Dataset(path, "imagefolder", ("image", "label"), files, label_names=tuple(classes), split=split)
    raise InputError(f"{path}: not a datasets save_to_disk folder nor an image folder", path=str(path))


def _imagefolder_batches(ds: Dataset, batch_size: int) -> Iterator[Batch]:
    names = ds.label_names or ()
    for start in range(0, len(ds.files), batch_size):
        chunk = ds.files[start : start + batch_size]
        # Paths relative to the folder: a runner resolves image paths against the data's folder.
        yield {"image": [str(f.relative_to(ds.path)) for f in chunk], "label": [names.index(f.parent.name) for f in chunk]}


def resolve_data_path(p: Path, base: Path) -> Path:
    """A path named in a data file: relative to the data file's folder, else to the working directory.

    Data files written next to their images name them relative to themselves; files
    written by a script run elsewhere often name them relative to where it ran.
    """
    if p.is_absolute():
        return p
    beside = base / p
    if beside.exists() or not p.exists():
        return beside
    return p


def open_image(value: Any, base: Path) -> Any:
    """A PIL image (lazily decoded) from a path (relative to ``base``), bytes, or a datasets ``{"bytes", "path"}`` cell."""
    import io

    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:
        raise DependencyMissing("pillow", "image data") from exc
    if isinstance(value, Mapping):
        value = value.get("bytes") or value.get("path")
    try:
        if isinstance(value, (bytes, bytearray)):
            return Image.open(io.BytesIO(bytes(value)))
        if isinstance(value, (str, os.PathLike)):
            return Image.open(resolve_data_path(Path(value), base))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        shown = str(value)[:80] if not isinstance(value, (bytes, bytearray)) else f"{len(value)} bytes"
        raise InputError(f"{shown}: not a readable image ({exc})", path=shown) from exc
    raise InputError(f"an image cell holds {type(value).__name__}, not a path or bytes")


def _pick_split(splits: Sequence[str], wanted: str | None) -> str | None:
    if wanted is None:
        for pref in ("test", "validation"):
            hit = _pick_split(splits, pref)
            if hit:
                return hit
        return splits[0] if len(splits) == 1 else None
    if wanted in splits:
        return wanted
    aliases = next((a for a in SPLIT_ALIASES.values() if wanted.lower() in a), (wanted.lower(),))
    return next((s for s in splits if _YEAR.sub("", s.lower()) in aliases), None)


_YEAR = re.compile(r"(?<=[a-z])(19|20)\d\d$")


def split_of(path: Path) -> str | None:
    """The split a file or folder name suggests (``sts-test.csv`` -> ``test``)."""
    tokens = re.split(r"[^a-z0-9]+", path.stem.lower() if path.is_file() or path.suffix else path.name.lower())
    tokens = [_YEAR.sub("", t) or t for t in tokens]  # COCO's val2017, train2014
    for split, aliases in SPLIT_ALIASES.items():
        if any(t in aliases for t in tokens):
            return split
    return None


# ---------------------------------------------------------------- HF cache


def _datasets_cache() -> Path:
    env = os.environ.get("HF_DATASETS_CACHE")
    if env:
        return Path(env)
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache")), "huggingface")
    return Path(home) / "datasets"


def _hub_cache() -> Path:
    env = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if env:
        return Path(env)
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache")), "huggingface")
    return Path(home) / "hub"


def find_cached_dataset(name: str, *, config: str | None = None, split: str | None = None) -> Dataset | None:
    """A dataset already in the local HF caches (offline): the datasets cache, then the Hub cache."""
    if not re.fullmatch(r"[\w.\-]+(/[\w.\-]+)?", name):
        return None
    split = split or "test"
    key = name.replace("/", "___")
    root = _datasets_cache()
    for cand in (root / key, root / name.rsplit("/", maxsplit=1)[-1]):
        if not cand.is_dir():
            continue
        configs = [cand / config] if config else sorted(p for p in cand.iterdir() if p.is_dir())
        for cfg in configs:
            arrows = sorted(cfg.glob(f"*/*/*-{split}.arrow")) + sorted(cfg.glob(f"*/*/*-{split}-*.arrow"))
            if arrows:
                folder = arrows[0].parent
                return _open_arrow_files(arrows, folder, split=split, name=name)
    hub = _hub_cache() / f"datasets--{name.replace('/', '--')}" / "snapshots"
    if hub.is_dir():
        for snap in sorted(hub.iterdir()):
            files = [p for p in snap.rglob("*") if p.suffix.lower() in PARQUET | set(DELIMITED) | JSONL and p.is_file()]
            if config:
                files = [p for p in files if config.lower() in _norm(str(p.relative_to(snap))) or config in p.parts]
            picked = [p for p in files if split_of(p) == (_pick_split([split], split) or split)]
            if picked:
                picked.sort()
                if picked[0].suffix.lower() in PARQUET:
                    pq = _pyarrow("parquet")
                    schema = pq.ParquetFile(picked[0]).schema_arrow
                    return _with_features(Dataset(picked[0], "parquet", tuple(schema.names), tuple(picked), split=split, name=name), schema)
                return _open_file(picked[0], delimiter=None, header=None, split=split)
    return None


# ---------------------------------------------------------------- matching claims


def _aliases(name: str) -> set[str]:
    n = _norm(name)
    short = _norm(name.rsplit("/", maxsplit=1)[-1])
    out = {n, short}
    for group in DATASET_ALIASES:
        if n in group or short in group:
            out |= group
    return {a for a in out if a}


def match_claim(claim: Claim, data_dir: Path) -> tuple[Path | None, str]:
    """The file or folder in ``data_dir`` holding the claim's dataset, config and split, and why."""
    names = [n for n in (claim.dataset_type, claim.dataset_name) if n]
    if not names:
        return None, "the claim names no dataset"
    wanted: set[str] = set()
    for n in names:
        wanted |= _aliases(n)
    if claim.dataset_config:
        wanted |= _aliases(claim.dataset_config) - {""}
    want_split = (claim.dataset_split or "").lower() or None
    want_split = next((k for k, a in SPLIT_ALIASES.items() if want_split in a), want_split) if want_split else None
    best: tuple[int, Path] | None = None
    for cand in _candidates(data_dir):
        rel = cand.relative_to(data_dir)
        parts = [_norm(p) for p in (*rel.parent.parts, Path(rel.name).stem if cand.is_file() else rel.name)]
        tokens = {t for p in rel.parts for t in re.split(r"[^a-z0-9]+", p.lower()) if t}
        joined = "".join(parts)
        name_hit = any(a in parts or (len(a) >= 4 and a in joined) for a in wanted)
        if not name_hit:
            continue
        score = 2
        if claim.dataset_config and (_norm(claim.dataset_config) in joined):
            score += 1
        split = split_of(cand)
        if want_split:
            if split == want_split or want_split in tokens:
                score += 2
            elif split is not None:
                continue  # a different split is never a match
        else:
            # No split claimed: results are reported on test (else validation), never preferably on train.
            score += {"test": 2, "validation": 1, None: 1}.get(split, 0)
        if best is None or score > best[0]:
            best = (score, cand)
    if best is None:
        return None, f"no file in {data_dir} matches dataset {names[0]!r}" + (f" split {claim.dataset_split!r}" if claim.dataset_split else "")
    return best[1], f"matched {best[1].relative_to(data_dir)}"


#: Files that sit beside data but never are data, whatever their suffix.
_NOT_DATA = re.compile(r"^(license|licence|copying|notice|readme|changelog|citation|manifest|dataset_info|dataset_dict|state)([._-]|$)", re.I)


def is_data_file(path: Path) -> bool:
    """Whether a file found in a data folder is evaluation data (CSV/TSV/JSONL/Parquet).

    ``.csv``, ``.tsv``, ``.jsonl`` and Parquet files are data by name; a ``.txt`` only when its
    first line is tab-separated (GLUE's ``msr_paraphrase_test.txt``), a ``.json`` only when its
    first line is a JSON object (JSON Lines). Licences, read-mes and metadata never are.
    """
    suffix = path.suffix.lower()
    if suffix not in DATA_SUFFIXES - ARROW or _NOT_DATA.match(path.name):
        return False
    if suffix not in (".txt", ".json"):
        return True
    if suffix == ".json" and path.name.lower().startswith("instances"):
        return True  # COCO's instances_*.json, by name
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline(1 << 20 if suffix == ".json" else 1 << 16)
    except OSError:
        return False
    if suffix == ".txt":
        return first.count("\t") >= 1
    try:
        obj = json.loads(first)
    except ValueError:
        return False
    # A COCO file without boxes (captions) is one JSON document, not a one-row JSON Lines file.
    return isinstance(obj, dict) and (_is_coco_document(obj) or not ("images" in obj and "annotations" in obj))


# ---------------------------------------------------------------- COCO instances


def is_coco_instances(path: Path, *, sniff_only: bool = True) -> bool:
    """Whether a ``.json`` file is a COCO instances file (``annotations/instances_val2017.json``).

    By name (COCO's ``instances_*.json``), or by content: a single-line document whose object
    has ``images`` and ``annotations`` with boxes. Without ``sniff_only`` a document that is not JSON Lines
    (its first line is no complete object) counts too, and opening it says what is wrong.
    """
    if path.suffix.lower() != ".json":
        return False
    if path.name.lower().startswith("instances"):
        return True
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline(1 << 20)
    except OSError:
        return False
    try:
        obj = json.loads(first)
    except ValueError:
        return not sniff_only and first.lstrip().startswith("{")
    return _is_coco_document(obj)


def _is_coco_document(obj: Any) -> bool:
    """Whether a parsed JSON document has COCO's ``images`` and ``annotations`` lists, with boxes."""
    if not isinstance(obj, dict) or not isinstance(obj.get("images"), list) or not isinstance(obj.get("annotations"), list):
        return False
    first_ann = obj["annotations"][0] if obj["annotations"] else None
    return isinstance(first_ann, dict) and "bbox" in first_ann  # captions and other COCO files have no boxes


@dataclass(frozen=True)
class CocoIndex:
    """What a COCO instances file says, kept compact: per image its file name and boxes (no segmentation)."""

    images: tuple[str, ...]
    objects: tuple[Mapping[str, list[Any]], ...]
    categories: Mapping[int, str]


@functools.lru_cache(maxsize=2)
def _coco_index(path: str, _mtime_ns: int, _size: int) -> CocoIndex:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})", path=path) from exc
    except ValueError as exc:
        raise InputError(f"{path}: not a JSON document ({exc})", path=path) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("images"), list) or not isinstance(doc.get("annotations"), list):
        raise InputError(f"{path}: not a COCO instances file (an object with images and annotations lists)", path=path)
    try:
        cats = {int(c["id"]): str(c.get("name", c["id"])) for c in doc.get("categories") or []}
        order = [(int(im["id"]), str(im["file_name"])) for im in doc["images"]]
        boxes: dict[int, dict[str, list[Any]]] = {i: {"bbox": [], "category": [], "iscrowd": []} for i, _ in order}
        if len(boxes) < len(order):  # two images under one id would both get its boxes: ground truth counted twice
            dup = next(i for i, n in Counter(i for i, _ in order).items() if n > 1)
            raise InputError(f"{path}: image id {dup} is listed more than once in images", path=path)
        for a in doc["annotations"]:
            img = boxes.get(int(a["image_id"]))
            if img is None:
                raise InputError(f"{path}: annotation {a.get('id')} names image {a['image_id']}, which is not in images", path=path)
            cid = int(a["category_id"])
            if cats and cid not in cats:
                raise InputError(f"{path}: annotation {a.get('id')} has category {cid}, which is not in categories", path=path)
            bb = a["bbox"]
            if not isinstance(bb, list) or len(bb) != 4:
                raise InputError(f"{path}: annotation {a.get('id')} has no [x, y, width, height] bbox", path=path)
            img["bbox"].append([float(v) for v in bb])
            img["category"].append(cats.get(cid, str(cid)))
            img["iscrowd"].append(int(a.get("iscrowd", 0) or 0))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{path}: a COCO image or annotation lacks a field or has a bad value ({type(exc).__name__}: {exc})", path=path) from exc
    return CocoIndex(tuple(f for _, f in order), tuple(boxes[i] for i, _ in order), cats)


def coco_index(path: Path) -> CocoIndex:
    """The parsed instances file (cached while the file is unchanged: the schema check, the columns and the run read it)."""
    st = path.stat()
    return _coco_index(str(path), st.st_mtime_ns, st.st_size)


def coco_images_dir(path: Path, first: str | None) -> Path:
    """Where the images of an instances file are: ``val2017/`` beside ``annotations/`` (COCO's layout), or nearby."""
    sub = path.stem.split("_", 1)[1] if "_" in path.stem else path.stem
    roots = [path.parent.parent, path.parent] if path.parent.name == "annotations" else [path.parent]
    tried: list[Path] = []
    for root in roots:
        for cand in (root / sub, root / "images" / sub, root / "images", root):
            tried.append(cand)
            if first is None or (cand / first).is_file():
                return cand
    raise InputError(f"{path}: the images it names ({first}, ...) are not in {', '.join(str(t) for t in dict.fromkeys(tried))}",
                     path=str(path), hint=f"put the images in {roots[0] / sub}")


def open_coco(path: Path, *, split: str | None) -> Dataset:
    """A COCO instances file and its images folder as detection data: columns ``image`` and ``objects``."""
    index = coco_index(path)
    if not index.images:
        raise InputError(f"{path}: no images", path=str(path))
    folder = coco_images_dir(path, index.images[0])
    files = (path, *(folder / f for f in index.images))
    return Dataset(path, "coco", ("image", "objects"), files, split=split or split_of(path), name=path.stem,
                   features={"images_dir": str(folder)})


def _coco_batches(ds: Dataset, batch_size: int) -> Iterator[Batch]:
    index = coco_index(ds.path)
    folder = Path(str(ds.features["images_dir"]))
    for start in range(0, len(index.images), batch_size):
        yield {"image": [str(folder / f) for f in index.images[start : start + batch_size]],
               "objects": [dict(o) for o in index.objects[start : start + batch_size]]}


def is_image_folder(path: Path) -> bool:
    """A folder with one sub-folder of images per class."""
    try:
        return any(d.is_dir() and any(f.suffix.lower() in IMAGE_SUFFIXES for f in d.iterdir()) for d in path.iterdir())
    except OSError:
        return False


def _candidates(root: Path, depth: int = 4) -> Iterator[Path]:
    if depth < 0 or not root.is_dir():
        return
    for p in sorted(root.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_file() and is_data_file(p):
            yield p
        elif p.is_dir():
            if (p / "dataset_dict.json").is_file() or (p / "state.json").is_file() or is_image_folder(p):
                yield p
            else:
                yield from _candidates(p, depth - 1)


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class ColumnMap:
    """Which data column plays which role for a task."""

    roles: Mapping[str, str]  # role -> column
    inferred: bool = True

    def get(self, role: str) -> str | None:
        return self.roles.get(role)

    def __getitem__(self, role: str) -> str:
        return self.roles[role]


TASK_ROLES: Mapping[str, tuple[tuple[str, ...], ...]] = {
    # alternatives of required roles, first that fits wins
    "sentence-similarity": (("sentence1", "sentence2", "score"),),
    "text-classification": (("text", "label"), ("sentence1", "sentence2", "label")),
    "token-classification": (("tokens", "tags"),),
    "image-classification": (("image", "label"),),
    "tabular-classification": (("label",),),
    "tabular-regression": (("label",),),
}


def task_role_names(task: str) -> Mapping[str, tuple[str, ...]]:
    """The column names of each role of a task whose columns are read by name (its row of the runner table), else empty."""
    from ptmvet.evaluate.tasks.table import RUNNERS

    spec = RUNNERS.get(task)
    return spec.columns if spec is not None else {}


def _infer_task_roles(ds: Dataset, task: str, overrides: Mapping[str, str]) -> ColumnMap:
    names = task_role_names(task)
    by_norm = {c.strip().lower(): c for c in ds.columns}
    roles: dict[str, str] = dict(overrides)
    for role, candidates in names.items():
        if role in roles:
            continue
        col = next((by_norm[n] for n in candidates if n in by_norm and by_norm[n] not in roles.values()), None)
        if col is not None:
            roles[role] = col
    missing = [r for r in names if r not in roles]
    if missing:
        raise InputError(
            f"{ds.path.name}: cannot tell which columns hold {'+'.join(names)} for {task} (columns: {', '.join(ds.columns)})",
            path=str(ds.path),
            hint=f"name them with --column ROLE=COLUMN, e.g. --column {missing[0]}=...",
        )
    return ColumnMap(roles, inferred=not overrides)


def infer_columns(ds: Dataset, task: str, overrides: Mapping[str, str] | None = None, sample: Batch | None = None) -> ColumnMap:
    """Assign columns to the roles ``task`` needs; ``overrides`` win. Raises InputError naming the columns seen."""
    overrides = dict(overrides or {})
    for role, col in overrides.items():
        if col not in ds.columns:
            raise UsageError(f"column {col!r} (for {role}) is not in {ds.path.name}; columns: {', '.join(ds.columns)}")
    if task_role_names(task):
        return _infer_task_roles(ds, task, overrides)
    sample = sample if sample is not None else ds.head(200)
    by_norm = {c.strip().lower(): c for c in ds.columns}
    roles: dict[str, str] = {}
    for a, b in PAIR_NAMES:
        if a in by_norm and b in by_norm:
            roles["sentence1"], roles["sentence2"] = by_norm[a], by_norm[b]
            break
    for role, names in ROLE_NAMES.items():
        for nm in names:
            if nm in by_norm and by_norm[nm] not in roles.values():
                col = by_norm[nm]
                values = [v for v in sample.get(col, []) if v is not None][:50]
                if role in ("tokens", "tags") and values and not all(isinstance(v, list) for v in values):
                    continue
                if role == "label" and values and all(isinstance(v, list) for v in values):
                    continue
                roles[role] = col
                break
    if "score" not in roles and "label" in roles and task == "sentence-similarity":
        roles["score"] = roles["label"]  # GLUE stsb: a float 'label'
    if not ds.header:
        _infer_headerless(ds, sample, roles, task)
    if task.startswith("tabular"):
        roles.pop("text", None)
    roles.update(overrides)
    for alternative in TASK_ROLES.get(task, ()):
        if all(r in roles for r in alternative):
            return ColumnMap(roles, inferred=not overrides)
    needs = " or ".join("+".join(a) for a in TASK_ROLES.get(task, ()))
    raise InputError(
        f"{ds.path.name}: cannot tell which columns hold {needs} for {task} (columns: {', '.join(ds.columns)})",
        path=str(ds.path),
        hint="name them with --column ROLE=COLUMN, e.g. --column sentence1=5",
    )


def _infer_headerless(ds: Dataset, sample: Batch, roles: dict[str, str], task: str) -> None:
    """Guess roles from values: long strings are text, fractional numbers a score, small integers a label."""
    text_cols, score_cols, label_cols = [], [], []
    for c in ds.columns:
        vals = [v for v in sample.get(c, []) if v not in (None, "")]
        if not vals:
            continue
        numeric = sum(_is_number(v) for v in vals) / len(vals)
        if numeric > 0.95:
            nums = [float(v) for v in vals if _is_number(v)]
            fractional = any(x != int(x) for x in nums)
            distinct = len(set(nums))
            if fractional:
                score_cols.append(c)
            elif distinct <= 20:
                label_cols.append(c)
        elif numeric < 0.05:
            mean_len = sum(len(str(v)) for v in vals) / len(vals)
            spaced = sum(" " in str(v) for v in vals) / len(vals)
            if mean_len >= 12 and spaced > 0.5:
                text_cols.append(c)
    if len(text_cols) >= 2 and "sentence1" not in roles:
        roles["sentence1"], roles["sentence2"] = text_cols[-2], text_cols[-1]
    elif text_cols and "text" not in roles:
        roles["text"] = text_cols[-1]
    if score_cols and "score" not in roles:
        roles["score"] = score_cols[-1]
    if "label" not in roles:
        if label_cols:
            roles["label"] = label_cols[-1]
        elif score_cols and task != "sentence-similarity":
            roles["label"] = score_cols[-1]
