"""Mine the live Hub listing (``HfApi.list_models`` with expanded fields).

Each listed model is turned back into the Hub's JSON record shape and goes
through the same batch writer as dumps, so a model mined from the Hub and from a
dump land in identical rows. The cursor (models committed, last id) is stored in
the database with each batch: a run interrupted and started again with the same
options resumes the same run. ``list_models`` exposes no page token, so resuming
re-lists the models already committed (they are skipped, not rewritten) and
checks that the last committed id is where the cursor says.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ptmvet.errors import DependencyMissing, HubError
from ptmvet.progress import Progress
from ptmvet.registry.ingest import BATCH_RECORDS, MineStats, _Batch, _write_batch, run_stats
from ptmvet.registry.store import Store

#: The model_info fields ptmvet stores (``expand=`` of the Hub API).
EXPAND: tuple[str, ...] = (
    "author",
    "cardData",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "gated",
    "lastModified",
    "library_name",
    "likes",
    "model-index",
    "pipeline_tag",
    "private",
    "sha",
    "siblings",
    "tags",
    "usedStorage",
)


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if value is not None else None


def record_from_model_info(info: Any) -> dict[str, Any]:
    """A ``huggingface_hub.ModelInfo`` as the Hub's JSON record (the shape dumps have)."""
    card: Any = getattr(info, "card_data", None)
    card_dict = card.to_dict() if card is not None and hasattr(card, "to_dict") else card
    siblings = getattr(info, "siblings", None)
    sib_out = None
    if siblings is not None:
        sib_out = []
        for s in siblings:
            lfs = getattr(s, "lfs", None)
            lfs_dict = None
            if lfs is not None:
                lfs_dict = {"sha256": getattr(lfs, "sha256", None), "size": getattr(lfs, "size", None)}
            sib_out.append(
                {"rfilename": s.rfilename, "size": getattr(s, "size", None), "blobId": getattr(s, "blob_id", None), "lfs": lfs_dict}
            )
    return {
        "id": info.id,
        "author": getattr(info, "author", None),
        "sha": getattr(info, "sha", None),
        "lastModified": _iso(getattr(info, "last_modified", None)),
        "createdAt": _iso(getattr(info, "created_at", None)),
        "private": getattr(info, "private", None),
        "disabled": getattr(info, "disabled", None),
        "gated": getattr(info, "gated", None),
        "pipeline_tag": getattr(info, "pipeline_tag", None),
        "library_name": getattr(info, "library_name", None),
        "downloads": getattr(info, "downloads", None),
        "downloadsAllTime": getattr(info, "downloads_all_time", None),
        "likes": getattr(info, "likes", None),
        "usedStorage": getattr(info, "used_storage", None),
        "tags": getattr(info, "tags", None),
        "siblings": sib_out,
        "config": getattr(info, "config", None),
        "cardData": card_dict,
        "model-index": getattr(info, "model_index", None),
    }


def mine_hub(
    store: Store,
    *,
    limit: int | None = None,
    filters: Sequence[str] = (),
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> MineStats:
    """List models on the Hub into ``store``; resumes an interrupted identical run."""
    try:
        import httpx2
        from huggingface_hub import HfApi
        from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
    except ImportError as exc:  # pragma: no cover
        raise DependencyMissing("huggingface_hub", "mining the Hub") from exc
    params = {"limit": limit, "filter": sorted(filters), "expand": list(EXPAND)}
    key = "hub:" + json.dumps(params, sort_keys=True)
    run_id, resumed = store.start_run("mine", "hub", params)
    store.begin_snapshot(run_id)  # a new snapshot: the previous one is kept first
    start, _ = store.cursor(run_id, key)
    batch_size = min(batch_size, BATCH_RECORDS)
    api = HfApi()
    listing = api.list_models(filter=list(filters) or None, limit=limit, expand=list(EXPAND))  # type: ignore[arg-type]
    ordinals: list[int] = []
    texts: list[str] = []
    labels: list[str] = []
    n = 0
    try:
        for info in listing:
            n += 1
            if n <= start:  # committed by the interrupted run; records are upserts either way
                continue
            ordinals.append(n)
            texts.append(json.dumps(record_from_model_info(info), default=str))
            labels.append(f"hub:{info.id}")
            if len(texts) >= batch_size:
                _write_batch(store, run_id, key, "hub", _Batch(ordinals, texts, labels, n), doc_errors=[])
                if progress:
                    progress(n, limit, "hub")
                ordinals, texts, labels = [], [], []
    except OfflineModeIsEnabled as exc:
        raise HubError("the Hub is unreachable in offline mode (HF_HUB_OFFLINE=1)", hint="unset HF_HUB_OFFLINE") from exc
    except HfHubHTTPError as exc:
        raise HubError(f"listing models on the Hub failed after {n - 1} models: {exc}", hint="run again to resume") from exc
    except (OSError, httpx2.HTTPError) as exc:
        raise HubError(f"listing models on the Hub failed after {n - 1} models: {exc}", hint="run again to resume") from exc
    if texts:
        _write_batch(store, run_id, key, "hub", _Batch(ordinals, texts, labels, n), doc_errors=[])
    stats = run_stats(store, run_id)
    stats.resumed = resumed
    store.finish_run(run_id, stats.to_dict())
    return stats
