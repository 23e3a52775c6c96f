"""Synthetic registry records for the registry tests."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from ptmvet.registry.store import TABLES, Store

TASKS = ("text-classification", "token-classification", None, "fill-mask")


def record(i: int, *, sha: str | None = None, downloads: int | None = None, **extra: Any) -> dict[str, Any]:
    task = TASKS[i % len(TASKS)]
    tags = ["transformers", "pytorch", f"license:{'mit' if i % 2 else 'apache-2.0'}"]
    if i % 3 == 0:
        tags.append(f"dataset:ds{i % 5}")
    if i % 7 == 0:
        tags.append("model-index")
    if i % 11 == 0:
        tags.append(f"base_model:finetune:org/base{i % 4}")
    rec: dict[str, Any] = {
        "modelId": f"org{i % 9}/model-{i}",
        "sha": sha or f"{i:040x}",
        "lastModified": f"2022-01-{1 + i % 28:02d}T10:00:00.000Z",
        "tags": tags,
        "pipeline_tag": task,
        "siblings": [{"rfilename": "config.json"}, {"rfilename": "pytorch_model.bin" if i % 2 else "model.safetensors"}],
        "config": {"architectures": [f"Arch{i % 3}"], "model_type": "bert"},
        "private": False,
        "downloads": downloads if downloads is not None else i * 10,
        "likes": i % 5,
    }
    rec.update(extra)
    return rec


def write_jsonl_gz(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
    return path


def write_cards_tar(path: Path, cards: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for mid, text in cards.items():
            data = text.encode()
            info = tarfile.TarInfo(f"models/{mid}/README.md")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


CARD_WITH_CLAIMS = """---
license: mit
base_model: org/base
model-index:
- name: m
  results:
  - task: {type: text-classification}
    dataset: {name: SST-2, type: glue, split: validation}
    metrics:
    - {type: accuracy, value: 0.91}
---
# Model

## Training data

Some text about the data.

## Evaluation

It works well.
"""


def snapshot(store: Store, skip: tuple[str, ...] = ("runs", "cursors")) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted (bookkeeping tables with timestamps left out)."""
    out = {}
    for t in TABLES:
        if t in skip:
            continue
        rows = store.con.execute(f"SELECT * FROM {t}").fetchall()
        out[t] = sorted(rows, key=repr)
    return out


def lines_of(records: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(r) for r in records]
