"""A ``mine --from-git`` run: repositories, commits and signatures, or JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.json_format import dumps
from ptmvet.registry.gitmine import GitMineStats

#: Version of the git-mining JSON.
SCHEMA_VERSION = 1

#: Unreadable repositories named in the terminal summary (all are in table git_repos).
SHOWN_ERRORS = 10


def render_terminal(stats: GitMineStats, **_: Any) -> str:
    d = stats.to_dict()
    lines = [
        f"run {d['run_id']}{' (resumed)' if d['resumed'] else ''}: {d['repositories']:,} repositories "
        f"({d['unreadable']:,} unreadable), {d['commits']:,} commits, {d['signed_commits']:,} signed; "
        f"{d['with_signed_commit']:,} repositories with at least one signed commit"
    ]
    lines += [f"  unreadable: {model_id}: {message}" for model_id, message in stats.errors[:SHOWN_ERRORS]]
    if stats.unreadable > SHOWN_ERRORS:
        lines.append(f"  ... {stats.unreadable - SHOWN_ERRORS} more in table git_repos")
    return "\n".join(lines) + "\n"


def render_json(stats: GitMineStats, **_: Any) -> str:
    errors = [{"model_id": m, "error": e} for m, e in stats.errors[:SHOWN_ERRORS]]
    return dumps({"schema_version": SCHEMA_VERSION, **stats.to_dict(), "unreadable_samples": errors})


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal"]
