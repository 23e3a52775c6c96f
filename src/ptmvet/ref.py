"""Model references: ``org/name@rev``, a local folder, or a cache entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ptmvet.errors import UsageError

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.\-]{0,95}(/[\w.\-]{1,96})?$")


@dataclass(frozen=True)
class ModelRef:
    """What the user asked to vet."""

    raw: str
    path: Path | None = None  # a local folder
    repo_id: str | None = None  # org/name on a registry
    revision: str | None = None  # branch, tag or commit sha

    @property
    def is_local(self) -> bool:
        return self.path is not None

    @classmethod
    def parse(cls, ref: str | Path, *, revision: str | None = None) -> ModelRef:
        """Parse a reference. A path that exists, or looks like one, is local."""
        if isinstance(ref, Path):
            return cls(raw=str(ref), path=ref, revision=revision)
        text = ref.strip()
        if not text:
            raise UsageError("empty model reference", hint="give a folder or org/name[@revision]")
        p = Path(text).expanduser()
        if p.exists() or text.startswith((".", "/", "~")) or text.endswith("/") or "\\" in text:
            return cls(raw=text, path=p, revision=revision)
        repo, _, rev = text.partition("@")
        if rev and revision and rev != revision:
            raise UsageError(f"two revisions given for {repo}: {rev!r} and {revision!r}")
        if not _REPO_ID.match(repo) or ".." in repo:
            raise UsageError(
                f"{text!r} is neither an existing folder nor a model id",
                hint="use a path to a folder in Hub layout, or org/name[@revision]",
            )
        return cls(raw=text, repo_id=repo, revision=rev or revision)
