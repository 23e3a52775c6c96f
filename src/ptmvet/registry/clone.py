"""``mine --clone DIR``: bare clones of the mined models' repositories, for ``mine --from-git``.

The ICSE'23 study measured signing on HFTorrent, bare clones of every Hub model
repository taken with rate limiting. This takes the same kind of copy of the models a
run mined: ``git clone --bare`` (no work tree; Git LFS content is never fetched, only
the pointers that are part of the history) into ``DIR/org/name``, at most one clone
per ``interval`` seconds. A clone goes to a temporary folder and is renamed into place
when complete, so an interrupted run resumes by skipping the repositories already
there; a clone that fails is recorded in ``git_repos`` with its error and tried again
next time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ptmvet.errors import InputError
from ptmvet.progress import Progress
from ptmvet.registry.store import Store
from ptmvet.sources.git_history import is_repository

#: Seconds one clone may take.
CLONE_TIMEOUT_S = 600.0


@dataclass
class CloneStats:
    cloned: int = 0
    present: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def _endpoint() -> str:
    try:
        from huggingface_hub import constants

        return str(constants.ENDPOINT).rstrip("/")
    except ImportError:  # pragma: no cover - the registry extra brings it
        return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_LFS_SKIP_SMUDGE": "1", "LC_ALL": "C"})
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(var, None)
    return env


def _safe_parts(model_id: str) -> list[str] | None:
    parts = model_id.split("/")
    if not 1 <= len(parts) <= 2 or any(p in {"", ".", ".."} or p.startswith("-") or "\\" in p for p in parts):
        return None
    return parts


def clone_models(
    store: Store,
    model_ids: Sequence[str],
    dest: Path,
    *,
    run_id: int,
    interval: float = 1.0,
    endpoint: str | None = None,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CloneStats:
    """Bare-clone each model's repository into ``dest/org/name`` (skipping those already there)."""
    git = shutil.which("git")
    if git is None:
        raise InputError("git is not installed; --clone needs it")
    base = (endpoint or _endpoint()).rstrip("/")
    dest.mkdir(parents=True, exist_ok=True)
    stats = CloneStats()
    last = 0.0
    for n, model_id in enumerate(model_ids, 1):
        parts = _safe_parts(model_id)
        if parts is None:
            stats.failed.append((model_id, "not a repository id"))
            continue
        target = dest.joinpath(*parts)
        if target.is_dir() and is_repository(target):
            stats.present += 1
            continue
        wait = interval - (time.monotonic() - last)
        if wait > 0 and last:
            sleep(wait)
        last = time.monotonic()
        tmp = target.with_name(f".{target.name}.partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        error = None
        try:
            proc = subprocess.run(
                [git, "-c", "core.hooksPath=/dev/null", "clone", "--bare", "--quiet", "--no-tags", "--",
                 f"{base}/{model_id}", str(tmp)],
                capture_output=True, timeout=CLONE_TIMEOUT_S, env=_env(), check=False,
            )
            if proc.returncode != 0:
                error = " ".join(proc.stderr.decode("utf-8", "replace").split())[:300] or f"git clone exited {proc.returncode}"
        except subprocess.TimeoutExpired:
            error = f"clone took longer than {CLONE_TIMEOUT_S:.0f} s"
        if error is None:
            tmp.rename(target)
            stats.cloned += 1
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            stats.failed.append((model_id, error))
            with store.transaction() as con:
                con.execute("DELETE FROM git_repos WHERE model_id = ?", [model_id])
                con.execute(
                    "INSERT INTO git_repos VALUES (?, ?, NULL, NULL, NULL, ?, ?)",
                    [model_id, str(target), f"clone failed: {error}", run_id],
                )
        if progress:
            progress(n, len(model_ids), model_id)
    return stats
