"""``mine --from-git``: the commit histories of many model repositories into the store.

Repositories are laid out as ``DIR/org/name`` or ``DIR/name`` (bare clones, as in
HFTorrent, or work trees). Each repository is committed in one transaction with
the run's cursor, so an interrupted run resumes after the last repository it
finished; running again later replaces a repository's rows with what it holds now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptmvet.errors import InputError
from ptmvet.progress import Progress
from ptmvet.registry.store import Store
from ptmvet.sources.git_history import RepoHistory, find_repositories, read_history


@dataclass
class GitMineStats:
    """Counters of one ``mine --from-git`` run (from the database, so resume-proof)."""

    run_id: int = 0
    resumed: bool = False
    repositories: int = 0
    unreadable: int = 0
    commits: int = 0
    signed_commits: int = 0
    with_signed_commit: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "resumed": self.resumed,
            "repositories": self.repositories,
            "unreadable": self.unreadable,
            "commits": self.commits,
            "signed_commits": self.signed_commits,
            "with_signed_commit": self.with_signed_commit,
        }


def _write_repo(store: Store, run_id: int, key: str, *, position: int, model_id: str, h: RepoHistory) -> None:
    con = store.con
    import pyarrow as pa

    with store.transaction():
        con.execute("DELETE FROM commits WHERE model_id = ?", [model_id])
        con.execute("DELETE FROM git_repos WHERE model_id = ?", [model_id])
        con.execute(
            "INSERT INTO git_repos VALUES (?, ?, ?, ?, ?, ?, ?)",
            [model_id, h.path, h.bare, h.head, None if h.error else len(h.commits), h.error, run_id],
        )
        if h.commits:
            n = len(h.commits)
            rows = pa.table(
                {
                    "model_id": pa.array([model_id] * n, pa.string()),
                    "sha": pa.array([c.sha for c in h.commits], pa.string()),
                    "date": pa.array([c.date for c in h.commits], pa.string()),
                    "signed": pa.array([c.kind != "none" for c in h.commits], pa.bool_()),
                    "signature_kind": pa.array([c.kind for c in h.commits], pa.string()),
                    "signer_key": pa.array([c.key for c in h.commits], pa.string()),
                    "verification": pa.array([c.verification for c in h.commits], pa.string()),
                    "signer": pa.array([c.signer or None for c in h.commits], pa.string()),
                    "author_email": pa.array([c.author_email for c in h.commits], pa.string()),
                    "run_id": pa.array([run_id] * n, pa.int32()),
                }
            )
            con.register("commit_rows", rows)
            try:
                con.execute(
                    "INSERT INTO commits (model_id, sha, date, signed, signature_kind, signer_key, verification, signer, "
                    "author_email, run_id) SELECT * FROM commit_rows"
                )
            finally:
                con.unregister("commit_rows")
        store.set_cursor(con, run_id, key, position, model_id)


def mine_git(
    store: Store,
    root: Path,
    *,
    allowed_signers: Path | None = None,
    progress: Progress | None = None,
) -> GitMineStats:
    """Read every repository under ``root`` into ``commits`` and ``git_repos``."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: no such folder of repositories", path=str(root))
    if allowed_signers is not None and not allowed_signers.is_file():
        raise InputError(f"{allowed_signers}: no such allowed-signers file", path=str(allowed_signers))
    repos = list(find_repositories(root))
    if not repos:
        raise InputError(
            f"{root}: no git repositories found (expected DIR/org/name or DIR/name, bare or not)", path=str(root)
        )
    key = "git:" + str(root.resolve())
    params = {"root": key, "allowed_signers": str(allowed_signers) if allowed_signers else None}
    run_id, resumed = store.start_run("mine", "git", params)
    start, _ = store.cursor(run_id, key)
    for position, (model_id, path) in enumerate(repos, 1):
        if position <= start:
            continue
        _write_repo(store, run_id, key, position=position, model_id=model_id,
                    h=read_history(path, allowed_signers=allowed_signers))
        if progress:
            progress(position, len(repos), model_id)
    stats = git_run_stats(store, run_id)
    stats.resumed = resumed
    store.finish_run(run_id, stats.to_dict())
    return stats


def git_run_stats(store: Store, run_id: int) -> GitMineStats:
    con = store.con
    row = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE error IS NOT NULL) FROM git_repos WHERE run_id = ?""", [run_id]
    ).fetchall()[0]
    crow = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE signed), count(DISTINCT model_id) FILTER (WHERE signed)
           FROM commits WHERE run_id = ?""",
        [run_id],
    ).fetchall()[0]
    errs = con.execute(
        "SELECT model_id, error FROM git_repos WHERE run_id = ? AND error IS NOT NULL ORDER BY model_id LIMIT 20", [run_id]
    ).fetchall()
    return GitMineStats(
        run_id=run_id,
        repositories=int(row[0]),
        unreadable=int(row[1]),
        commits=int(crow[0]),
        signed_commits=int(crow[1]),
        with_signed_commit=int(crow[2]),
        errors=[(str(a), str(b)) for a, b in errs],
    )
