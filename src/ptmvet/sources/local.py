"""A local folder in Hub repository layout (also used for cache snapshots and git clones)."""

from __future__ import annotations

import json
import os
import stat
import struct
from pathlib import Path
from typing import Any

from ptmvet import names
from ptmvet.card import Claim, ModelCard, parse_card, parse_eval_results
from ptmvet.errors import InputError, ModelNotFound
from ptmvet.evidence import Evidence, FileEntry, LfsPointer, Problem, SafetensorsInfo, Symlink, Target
from ptmvet.progress import Progress

LFS_HEADER = b"version https://git-lfs.github.com/spec/v1"
#: Git LFS pointers are at most a few hundred bytes; the spec caps them at 1024.
LFS_POINTER_MAX = 1024
CARD_MAX_BYTES = 5 * 1024 * 1024
JSON_MAX_BYTES = 20 * 1024 * 1024
LICENSE_MAX_BYTES = 1024 * 1024
SAFETENSORS_HEADER_MAX = 100 * 1024 * 1024
CARD_NAMES = ("README.md", "readme.md", "README.MD", "Readme.md", "MODEL_CARD.md", "model_card.md")
LICENSE_PREFIXES = ("license", "licence", "copying", "notice", "use_policy", "responsible_use")
JSON_NAMES = (
    "config.json",
    "tokenizer_config.json",
    "generation_config.json",
    "preprocessor_config.json",
    "adapter_config.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "special_tokens_map.json",
    "model_index.json",
    "quantize_config.json",
    "1_Pooling/config.json",
)

_DTYPE_BYTES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
    "U16": 2, "U32": 4, "U64": 8, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1, "F4": 1, "F6_E2M3": 1,
    "F6_E3M2": 1, "C64": 8,
}  # fmt: skip


def read_lfs_pointer(data: bytes) -> LfsPointer | None:
    """Parse a Git LFS pointer file's content, or None if it is not one."""
    if not data.startswith(LFS_HEADER) or len(data) > LFS_POINTER_MAX:
        return None
    oid = size = None
    for line in data.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(" ")
        if key == "oid" and value.startswith("sha256:"):
            oid = value[7:].strip().lower()
        elif key == "size" and value.strip().isdigit():
            size = int(value.strip())
    if oid is None or size is None or len(oid) != 64 or not all(c in "0123456789abcdef" for c in oid):
        return None  # the Git LFS spec: "oid sha256:" and 64 hex digits
    return LfsPointer(oid=oid, size=size)


def safetensors_header(path: Path, rel: str) -> SafetensorsInfo:
    """Read a safetensors header (8-byte length + JSON) without touching tensor data."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                return SafetensorsInfo(rel, 0, 0, (), error="file shorter than the 8-byte header length")
            (n,) = struct.unpack("<Q", head)
            if n > SAFETENSORS_HEADER_MAX or n > path.stat().st_size - 8:
                return SafetensorsInfo(rel, 0, 0, (), error=f"header length {n} exceeds the file")
            header = json.loads(fh.read(n))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return SafetensorsInfo(rel, 0, 0, (), error=f"unreadable header: {exc}")
    if not isinstance(header, dict):
        return SafetensorsInfo(rel, 0, 0, (), error="header is not a JSON object")
    meta = header.pop("__metadata__", None)
    params = 0
    dtypes: set[str] = set()
    tensors = 0
    data_size = path.stat().st_size - 8 - n
    for name, info in header.items():
        if not isinstance(info, dict) or not isinstance(info.get("shape"), list):
            return SafetensorsInfo(rel, 0, 0, (), error=f"tensor {name!r} has no shape")
        count = 1
        for dim in info["shape"]:
            if not isinstance(dim, int) or isinstance(dim, bool) or dim < 0:
                return SafetensorsInfo(rel, 0, 0, (), error=f"tensor {name!r} has a bad shape")
            count *= dim
        # A header alone proves nothing: the tensor's bytes must be where it says, and
        # as many as its shape and dtype need (else the file is truncated or forged).
        offsets = info.get("data_offsets")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1]
        ):
            return SafetensorsInfo(rel, 0, 0, (), error=f"tensor {name!r} has bad data_offsets")
        if offsets[1] > data_size:
            return SafetensorsInfo(
                rel, 0, 0, (), error=f"truncated: tensor {name!r} ends at byte {offsets[1]} of the data, which holds {max(data_size, 0)}"
            )
        width = _DTYPE_BYTES.get(str(info.get("dtype")))
        if width is not None and not str(info.get("dtype")).startswith(("F4", "F6")) and offsets[1] - offsets[0] != count * width:
            return SafetensorsInfo(
                rel, 0, 0, (), error=f"tensor {name!r} spans {offsets[1] - offsets[0]} bytes; its shape and dtype need {count * width}"
            )
        params += count
        tensors += 1
        dtypes.add(str(info.get("dtype")))
    metadata = {str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else {}
    return SafetensorsInfo(rel, tensors, params, tuple(sorted(dtypes)), metadata)


def _is_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def _read_text(path: Path, rel: str, limit: int, problems: list[Problem]) -> str | None:
    try:
        size = path.stat().st_size
        if size > limit:
            problems.append(Problem(rel, f"file is {size} bytes, larger than the {limit}-byte limit for this kind of file"))
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, f"unreadable: {exc.strerror or exc}"))
        return None
    if _is_binary(data):
        problems.append(Problem(rel, "binary content where text was expected"))
        return None
    return data.decode("utf-8", "replace")


def walk(
    root: Path,
    problems: list[Problem],
    *,
    links: list[Symlink] | None = None,
    odd_names: list[str] | None = None,
    root_real: Path | None = None,
) -> list[tuple[str, Path]]:
    """Files under root (relative POSIX path, path), skipping .git, never leaving root.

    Relative paths are in display form (:func:`ptmvet.names.display`): a name that is
    not UTF-8 or holds control characters is escaped and also appended to
    ``odd_names``. Every symbolic link met is appended to ``links``: a link to a
    file inside the package is followed; one that leaves it, dangles or names a
    folder is not (and is also a :class:`Problem`). ``root_real`` is ``root.resolve()``
    when the caller has it already.
    """
    root_real = root_real or root.resolve()
    out: list[tuple[str, Path]] = []
    link_list: list[Symlink] = links if links is not None else []
    odd_list: list[str] = odd_names if odd_names is not None else []

    def rel_of(p: Path) -> str:
        raw = p.relative_to(root).as_posix()
        shown = names.display(raw)
        if shown != raw:
            odd_list.append(shown)
        return shown

    def link(p: Path, rel: str, *, directory: bool) -> Symlink:
        try:
            written = names.display(os.readlink(p))
        except OSError:
            written = "?"
        try:
            target = p.resolve()
        except (OSError, RuntimeError):  # a link loop
            entry = Symlink(rel, written, inside=False, dangling=True, directory=directory)
            link_list.append(entry)
            return entry
        # The HF cache links snapshot files to ../../blobs; those are part of the package.
        blob = _is_cache_blob(root_real, target)
        inside = target.is_relative_to(root_real) or blob
        entry = Symlink(rel, written, inside=inside, dangling=not target.exists(), directory=directory, cache_blob=blob)
        link_list.append(entry)
        return entry

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        base = Path(dirpath)
        # Symlinked directories are never descended into; those that leave root are problems.
        for d in list(dirnames):
            p = base / d
            if p.is_symlink():
                dirnames.remove(d)
                entry = link(p, rel_of(p), directory=True)
                if not entry.inside:
                    problems.append(Problem(entry.path, f"symlink to {entry.target} leaves the model folder; not followed"))
                else:
                    problems.append(Problem(entry.path, f"symlink to the folder {entry.target}; not descended into"))
        for name in sorted(filenames):
            p = base / name
            rel = rel_of(p)
            try:
                mode = p.lstat().st_mode  # the file's own mode, unless it is a link
                if stat.S_ISLNK(mode):
                    entry = link(p, rel, directory=False)
                    if not entry.inside:
                        problems.append(Problem(rel, f"symlink to {entry.target} leaves the model folder; not followed"))
                        continue
                    if entry.dangling:
                        problems.append(Problem(rel, f"dangling symlink to {entry.target}"))
                        continue
                    mode = p.stat().st_mode
            except OSError as exc:
                problems.append(Problem(rel, f"unreadable: {exc.strerror or exc}"))
                continue
            # A FIFO, socket or device would block or never end when read (a FIFO
            # named pytorch_model.bin hung the run); only regular files are content.
            if not stat.S_ISREG(mode):
                problems.append(Problem(rel, "not a regular file (FIFO, socket or device); not read"))
                continue
            out.append((rel, p))
    return out


def _is_cache_blob(root: Path, target: Path) -> bool:
    # root = .../models--org--name/snapshots/<sha>; blobs live in .../models--org--name/blobs
    repo_dir = root.parent.parent
    return root.parent.name == "snapshots" and target.is_relative_to(repo_dir / "blobs")


def collect_folder(root: Path, *, target: Target | None = None, progress: Progress | None = None) -> Evidence:
    """Collect evidence from a folder in Hub repository layout."""
    if not root.exists():
        raise ModelNotFound(f"{root}: no such file or directory", path=str(root))
    if not root.is_dir():
        raise InputError(f"{root}: not a folder", path=str(root), hint="point ptmvet at the model's folder")
    problems: list[Problem] = []
    links: list[Symlink] = []
    odd: list[str] = []
    root_real = root.resolve()
    try:
        entries = walk(root, problems, links=links, odd_names=odd, root_real=root_real)
    except PermissionError as exc:
        raise InputError(f"{root}: cannot list folder ({exc.strerror})", path=str(root)) from exc
    if not entries:
        raise InputError(f"{root}: folder is empty", path=str(root), hint="the folder holds no model files")
    files: list[FileEntry] = []
    configs: dict[str, Any] = {}
    license_texts: dict[str, str] = {}
    st_infos: list[SafetensorsInfo] = []
    eval_claims: list[Claim] = []
    card: ModelCard | None = None
    total = len(entries)
    for i, (rel, path) in enumerate(entries):
        if progress:
            progress(i, total, rel)
        try:
            size = path.stat().st_size
        except OSError as exc:
            problems.append(Problem(rel, f"unreadable: {exc.strerror or exc}"))
            continue
        pointer = None
        if size <= LFS_POINTER_MAX:
            try:
                with path.open("rb") as fh:
                    pointer = read_lfs_pointer(fh.read(LFS_POINTER_MAX + 1))
            except OSError as exc:
                problems.append(Problem(rel, f"unreadable: {exc.strerror or exc}"))
                continue
        files.append(FileEntry(path=rel, size=size, local=True, lfs_pointer=pointer))
        if pointer is not None:
            continue
        lower = rel.lower()
        if "/" not in rel and rel in CARD_NAMES and card is None:
            text = _read_text(path, rel, CARD_MAX_BYTES, problems)
            if text is not None:
                card = parse_card(text, path=rel)
        elif rel in JSON_NAMES or (lower.endswith("config.json") and rel.count("/") <= 1):
            text = _read_text(path, rel, JSON_MAX_BYTES, problems)
            if text is not None:
                try:
                    configs[rel] = json.loads(text)
                except ValueError as exc:
                    problems.append(Problem(rel, f"invalid JSON: {exc}"))
        elif "/" not in rel and lower.startswith(LICENSE_PREFIXES):
            text = _read_text(path, rel, LICENSE_MAX_BYTES, problems)
            if text is not None:
                license_texts[rel] = text
        elif lower.endswith(".safetensors"):
            st_infos.append(safetensors_header(path, rel))
        elif rel.startswith(".eval_results/") and lower.endswith((".yaml", ".yml")):
            text = _read_text(path, rel, JSON_MAX_BYTES, problems)
            if text is not None:
                eval_claims.extend(_eval_results(text, rel, problems))
    if progress:
        progress(total, total, "files")
    tgt = target or Target(name=display_name(root, card, resolved=root_real), source="local", local_path=str(root))
    return Evidence(
        target=tgt,
        files=tuple(files),
        card=card,
        configs=configs,
        license_texts=license_texts,
        safetensors=tuple(st_infos),
        eval_results=tuple(eval_claims),
        problems=tuple(problems),
        symlinks=tuple(links),
        odd_names=tuple(odd),
    )


#: Folder names that say nothing about the model inside.
_GENERIC_NAMES = frozenset({"model", "models", "snapshot", "weights", "checkpoint", "final", "output", "export", "artifacts"})


def display_name(root: Path, card: ModelCard | None, *, resolved: Path | None = None) -> str:
    """A human name for a local folder: its name, unless that is generic (``model``).

    Then the card's title (its first level-1 heading) or the parent folder's name.
    ``resolved`` is ``root.resolve()`` when the caller has it already.
    """
    real = resolved or root.resolve()
    name = real.name
    if name.lower() not in _GENERIC_NAMES and not (len(name) == 40 and all(c in "0123456789abcdef" for c in name)):
        return name
    if card is not None:
        for section in card.sections:
            if section.level == 1 and 0 < len(section.title) <= 100:
                return section.title
    return real.parent.name or name


def _eval_results(text: str, rel: str, problems: list[Problem]) -> list[Claim]:
    claims, errors = parse_eval_results(text, path=rel)  # bounded YAML, never raises
    problems.extend(Problem(rel, e) for e in errors)
    return list(claims)
