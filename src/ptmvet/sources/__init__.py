"""Sources: the only code that does I/O on a model package.

:func:`collect` dispatches a reference to the right source: a local folder
(with its git history when it is a clone), the HF cache offline, or the Hub
online (falling back to the cache when the Hub cannot be reached).
"""

from __future__ import annotations

import os
from dataclasses import replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ptmvet.errors import HubError, ModelNotFound

if TYPE_CHECKING:
    from ptmvet.evidence import Evidence
    from ptmvet.progress import Progress
    from ptmvet.ref import ModelRef
    from ptmvet.sources.hf_cache import collect_cached
    from ptmvet.sources.hub import collect_hub
    from ptmvet.sources.local import collect_folder

# The sources are imported on first use, so that a light submodule (reach: is the Hub
# reachable?) can be imported without the evidence model and every source behind it.
_LAZY = {
    "Progress": "ptmvet.progress",
    "collect_cached": "ptmvet.sources.hf_cache",
    "collect_hub": "ptmvet.sources.hub",
    "collect_folder": "ptmvet.sources.local",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def hub_offline() -> bool:
    """Whether huggingface_hub is told to stay offline."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def collect(
    ref: str | Path | ModelRef,
    *,
    revision: str | None = None,
    offline: bool | None = None,
    progress: Progress | None = None,
) -> Evidence:
    """Collect the evidence for a model reference."""
    from ptmvet.evidence import Problem
    from ptmvet.ref import ModelRef
    from ptmvet.sources.hf_cache import collect_cached
    from ptmvet.sources.hub import collect_hub
    from ptmvet.sources.local import collect_folder

    mref = ref if isinstance(ref, ModelRef) else ModelRef.parse(ref, revision=revision)
    if mref.path is not None:
        evidence = collect_folder(mref.path, progress=progress)
        if (mref.path / ".git").exists():
            evidence = _with_git(evidence, mref.path)
        return evidence
    assert mref.repo_id is not None
    if offline if offline is not None else hub_offline():
        return collect_cached(mref.repo_id, mref.revision, progress=progress)
    try:
        return collect_hub(mref.repo_id, mref.revision, progress=progress)
    except HubError as exc:
        try:
            evidence = collect_cached(mref.repo_id, mref.revision, progress=progress)
        except ModelNotFound:
            raise exc from None
        note = Problem("(hub)", f"the Hub was not reachable ({exc.message}); used the local cache")
        return replace(evidence, problems=(*evidence.problems, note))


def _with_git(evidence: Evidence, path: Path) -> Evidence:
    from ptmvet.sources.git import collect_git

    info = collect_git(path)
    target = evidence.target
    if info.head and target.revision is None:
        target = replace(target, source="git", revision=info.head, requested_revision=info.branch or info.head)
    return replace(evidence, git=info, target=target)


__all__ = ["Progress", "collect", "collect_cached", "collect_folder", "collect_hub", "hub_offline"]
