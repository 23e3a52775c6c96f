"""The Hugging Face Hub, online, through ``huggingface_hub``.

``model_info`` with files metadata gives each file's size and LFS sha256, the
security scan status, downloads, likes, last modified and the gated flag. The
card and the small JSON files are downloaded (into the HF cache); weights are
not. :func:`registry_from_json` translates a raw ``model_info`` JSON (the Hub's
API, or a metadata dump of 2022 or 2024 shape) into the same types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ptmvet.errors import DependencyMissing, HubError, ModelNotFound, RevisionNotFound
from ptmvet.evidence import Evidence, FileEntry, RegistryInfo, Target
from ptmvet.progress import Progress
from ptmvet.sources.local import JSON_NAMES, collect_folder

#: Small files fetched with the card so that checks can read them.
SMALL_FILES = ("README.md", "LICENSE", "LICENSE.md", "LICENSE.txt", *JSON_NAMES)


def _dt(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def registry_from_json(data: Mapping[str, Any], *, source: str = "dump") -> tuple[RegistryInfo, tuple[FileEntry, ...]]:
    """Translate a raw ``model_info`` JSON (2022 or 2024 shape) into our types."""
    repo_id = str(data.get("id") or data.get("modelId") or "")
    tags = data.get("tags")
    card_data = data.get("cardData") if isinstance(data.get("cardData"), Mapping) else None
    files: list[FileEntry] = []
    siblings = data.get("siblings")
    for s in siblings if isinstance(siblings, list) else []:
        if not isinstance(s, Mapping) or not isinstance(s.get("rfilename"), str):
            continue
        lfs = s.get("lfs") if isinstance(s.get("lfs"), Mapping) else None
        sha = lfs.get("sha256") or lfs.get("oid") if lfs else None
        files.append(
            FileEntry(
                path=s["rfilename"],
                size=_int(s.get("size")) or (_int(lfs.get("size")) if lfs else None),
                local=False,
                registry_sha256=str(sha).removeprefix("sha256:") if sha else None,
                registry_size=_int(lfs.get("size")) if lfs else _int(s.get("size")),
                blob_id=s.get("blobId") if isinstance(s.get("blobId"), str) else None,
            )
        )
    security = data.get("securityStatus") or data.get("security_repo_status")
    info = RegistryInfo(
        source=source,
        repo_id=repo_id,
        sha=data.get("sha") if isinstance(data.get("sha"), str) else None,
        author=data.get("author") if isinstance(data.get("author"), str) else (repo_id.split("/", maxsplit=1)[0] if "/" in repo_id else None),
        downloads=_int(data.get("downloads")),
        downloads_all_time=_int(data.get("downloadsAllTime")),
        likes=_int(data.get("likes")),
        last_modified=_dt(data.get("lastModified") or data.get("last_modified")),
        created_at=_dt(data.get("createdAt") or data.get("created_at")),
        gated=data.get("gated") if isinstance(data.get("gated"), (bool, str)) else None,
        private=data.get("private") if isinstance(data.get("private"), bool) else None,
        disabled=data.get("disabled") if isinstance(data.get("disabled"), bool) else None,
        pipeline_tag=data.get("pipeline_tag") if isinstance(data.get("pipeline_tag"), str) else None,
        library_name=data.get("library_name") if isinstance(data.get("library_name"), str) else None,
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        security_scan=security if isinstance(security, Mapping) else None,
        card_data=card_data,
        used_storage=_int(data.get("usedStorage")),
    )
    return info, tuple(files)


def _from_model_info(info: Any) -> tuple[RegistryInfo, tuple[FileEntry, ...]]:
    """Translate a ``huggingface_hub.ModelInfo`` into our types (attributes read defensively)."""

    def get(name: str) -> Any:
        return getattr(info, name, None)

    files: list[FileEntry] = []
    for s in get("siblings") or ():
        lfs = getattr(s, "lfs", None)
        lfs_sha = getattr(lfs, "sha256", None) if lfs is not None else None
        lfs_size = getattr(lfs, "size", None) if lfs is not None else None
        if isinstance(lfs, Mapping):
            lfs_sha, lfs_size = lfs.get("sha256"), lfs.get("size")
        files.append(
            FileEntry(
                path=str(getattr(s, "rfilename", "")),
                size=_int(getattr(s, "size", None)) or _int(lfs_size),
                local=False,
                registry_sha256=str(lfs_sha) if lfs_sha else None,
                registry_size=_int(lfs_size) if lfs_size is not None else _int(getattr(s, "size", None)),
                blob_id=getattr(s, "blob_id", None),
            )
        )
    card_data = get("card_data")
    if card_data is not None and hasattr(card_data, "to_dict"):
        card_data = card_data.to_dict()
    security = get("security_repo_status")
    repo_id = str(get("id") or "")
    reg = RegistryInfo(
        source="hub",
        repo_id=repo_id,
        sha=get("sha"),
        author=get("author") or (repo_id.split("/", maxsplit=1)[0] if "/" in repo_id else None),
        downloads=_int(get("downloads")),
        downloads_all_time=_int(get("downloads_all_time")),
        likes=_int(get("likes")),
        last_modified=_dt(get("last_modified") or get("lastModified")),
        created_at=_dt(get("created_at")),
        gated=get("gated") if isinstance(get("gated"), (bool, str)) else None,
        private=get("private") if isinstance(get("private"), bool) else None,
        disabled=get("disabled") if isinstance(get("disabled"), bool) else None,
        pipeline_tag=get("pipeline_tag"),
        library_name=get("library_name"),
        tags=tuple(get("tags") or ()),
        security_scan=security if isinstance(security, Mapping) else None,
        card_data=card_data if isinstance(card_data, Mapping) else None,
        used_storage=_int(get("used_storage")),
    )
    return reg, tuple(files)


def merge_files(local: Iterable[FileEntry], remote: Iterable[FileEntry]) -> tuple[FileEntry, ...]:
    """Join local files with the registry's view of the same paths."""
    by_path = {f.path: f for f in remote}
    out: list[FileEntry] = []
    for f in local:
        r = by_path.pop(f.path, None)
        if r is not None:
            f = replace(f, registry_sha256=r.registry_sha256, registry_size=r.registry_size, blob_id=r.blob_id)
        out.append(f)
    out.extend(by_path.values())
    return tuple(sorted(out, key=lambda f: f.path))


def collect_hub(repo_id: str, revision: str | None = None, *, progress: Progress | None = None) -> Evidence:
    """Evidence from the Hub: model info with file metadata, plus the card and small JSON files."""
    try:
        import huggingface_hub as hf
        from huggingface_hub import errors as hf_errors
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise DependencyMissing("huggingface_hub", "reading from the Hub") from exc
    api = hf.HfApi()
    if progress:
        progress(0, None, f"model info {repo_id}")
    try:
        info = api.model_info(repo_id, revision=revision, files_metadata=True, securityStatus=True)
    except hf_errors.RevisionNotFoundError as exc:
        raise RevisionNotFound(f"{repo_id}@{revision}: no such revision on the Hub") from exc
    except hf_errors.RepositoryNotFoundError as exc:
        raise ModelNotFound(f"{repo_id}: no such model on the Hub (or it is private)", hint="check the id, or log in with a token") from exc
    except hf_errors.GatedRepoError as exc:
        raise HubError(f"{repo_id}: gated model; accept its conditions and log in") from exc
    except hf_errors.OfflineModeIsEnabled as exc:
        raise HubError(f"{repo_id}: the Hub is disabled (HF_HUB_OFFLINE=1) and the model is not cached") from exc
    except Exception as exc:
        raise HubError(f"{repo_id}: the Hub could not be reached: {type(exc).__name__}: {exc}") from exc
    registry, remote_files = _from_model_info(info)
    # The time this information was true: age checks (VET903) measure against it, never the clock.
    registry = replace(registry, observed_at=datetime.now(UTC))
    sha = registry.sha
    wanted = [f.path for f in remote_files if f.path in SMALL_FILES or f.path.startswith(".eval_results/")]
    snapshot: Path | None = None
    for i, name in enumerate(wanted):
        if progress:
            progress(i, len(wanted), name)
        try:
            snapshot = Path(api.hf_hub_download(repo_id, name, revision=sha or revision)).parent
            # nested files (1_Pooling/config.json) sit deeper: climb to the snapshot root
            for _ in range(name.count("/")):
                snapshot = snapshot.parent
        except Exception as exc:
            raise HubError(f"{repo_id}: could not download {name}: {type(exc).__name__}: {exc}") from exc
    target = Target(
        name=repo_id, source="hub", repo_id=repo_id, revision=sha, requested_revision=revision or "main",
        local_path=str(snapshot) if snapshot else None,
    )
    if snapshot is not None:
        base = collect_folder(snapshot, target=target)
        files = merge_files(base.files, remote_files)
        # Downloaded files are metadata only; weights stay remote.
        return replace(base, files=files, registry=registry)
    return Evidence(target=target, files=remote_files, registry=registry)
