"""Check documentation: one page per check, with fixed headings.

The canonical pages live in the repository at ``docs/checks/VET###.md``.
Installed packages carry them as package data under ``ptmvet/data/checks/``
(in the source tree that folder is a symbolic link to ``docs/checks``, so a
wheel built from a checkout ships exactly the repository's pages). Lookup
prefers the repository folder when running from a checkout and falls back to
the package data otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from ptmvet.checks.interface import CheckMeta
from ptmvet.errors import InputError, UsageError

#: The headings every page has, in this order, after the ``# VET### slug`` title.
HEADINGS = ("## What it checks", "## Why it matters", "## Example", "## Remediation", "## References")

_ID = re.compile(r"^VET[1-9]\d\d$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def repo_docs_dir() -> Path | None:
    """``docs/checks`` of the source checkout this module runs from, if any."""
    here = Path(__file__).resolve()
    # src/ptmvet/checks/docs.py -> repository root is three levels above ptmvet/
    for root in (here.parents[3], here.parents[2]):
        candidate = root / "docs" / "checks"
        if candidate.is_dir():
            return candidate
    return None


def package_docs_dir() -> Path | None:
    """The pages shipped as package data (``ptmvet/data/checks``), if present."""
    try:
        base = resources.files("ptmvet") / "data" / "checks"
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - ptmvet is importable here
        return None
    path = Path(str(base))
    return path if path.is_dir() else None


def docs_dirs() -> tuple[Path, ...]:
    """Where pages are looked up, most authoritative first."""
    return tuple(d for d in (repo_docs_dir(), package_docs_dir()) if d is not None)


def page_path(check_id: str) -> Path | None:
    """The doc page of a check id, or None when no folder has it."""
    for d in docs_dirs():
        p = d / f"{check_id}.md"
        if p.is_file():
            return p
    return None


def explain(check_id: str) -> str:
    """The doc page of a check, by id (``VET101``) or slug (``base-model-declared``)."""
    from ptmvet.checks import lookup

    found = lookup(check_id)
    if found is None:
        raise UsageError(f"no check {check_id!r}", hint="`ptmvet checks list` shows every id and slug")
    path = page_path(found.meta.id)
    if path is None:
        raise InputError(
            f"no documentation page for {found.meta.id}",
            path=found.meta.doc_path,
            hint="reinstall ptmvet, or run from a checkout that has docs/checks/",
        )
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})", path=str(path)) from exc


def page_problems(text: str, meta: CheckMeta) -> list[str]:
    """What is wrong with a page for ``meta`` (empty when it follows the fixed shape)."""
    problems: list[str] = []
    lines = text.splitlines()
    title = f"# {meta.id} {meta.slug}"
    if not lines or lines[0].strip() != title:
        problems.append(f"first line must be {title!r}, got {lines[0] if lines else ''!r}")
    found = [line.strip() for line in lines if line.startswith("## ")]
    if tuple(found) != HEADINGS:
        problems.append(f"level-2 headings must be exactly {list(HEADINGS)}, got {found}")
    # Each heading must be followed by some text before the next one.
    bodies: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines[1:]:
        if line.startswith("## "):
            current = line.strip()
            bodies[current] = []
        elif current is not None and line.strip():
            bodies[current].append(line)
    problems += [f"section {h!r} is empty" for h in HEADINGS if h in bodies and not bodies[h]]
    return problems


def meta_problems(metas: Iterable[CheckMeta]) -> list[str]:
    """Ids and slugs that are malformed or not unique."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    seen_slugs: set[str] = set()
    for m in metas:
        if not _ID.match(m.id):
            problems.append(f"{m.id}: id must look like VET###")
        if not _SLUG.match(m.slug):
            problems.append(f"{m.id}: slug {m.slug!r} is not kebab-case")
        if m.id in seen_ids:
            problems.append(f"{m.id}: duplicate id")
        if m.slug in seen_slugs:
            problems.append(f"{m.id}: duplicate slug {m.slug!r}")
        seen_ids.add(m.id)
        seen_slugs.add(m.slug)
        if not m.summary.strip() or not m.remedy.strip():
            problems.append(f"{m.id}: summary and remedy must not be empty")
    return problems


_INDEX_START = "<!-- checks-index:start -->"
_INDEX_END = "<!-- checks-index:end -->"


def render_index_table(metas: Iterable[CheckMeta]) -> str:
    """The index table of docs/checks/README.md (between its marker comments)."""
    rows = ["| id | slug | attribute | severity | summary |", "|---|---|---|---|---|"]
    for m in sorted(metas, key=lambda m: m.id):
        summary = m.summary.replace("|", "\\|")
        rows.append(f"| [{m.id}]({m.id}.md) | `{m.slug}` | {m.attribute.value} | {m.severity.value} | {summary} |")
    return "\n".join(rows)


def update_index(readme: str, metas: Iterable[CheckMeta]) -> str:
    """``readme`` with the text between the index markers replaced by a fresh table."""
    start = readme.find(_INDEX_START)
    end = readme.find(_INDEX_END)
    if start < 0 or end < start:
        raise InputError("docs/checks/README.md has no checks-index markers", path="docs/checks/README.md")
    return readme[: start + len(_INDEX_START)] + "\n" + render_index_table(metas) + "\n" + readme[end:]


def write_index(readme_path: Path | None = None) -> Path:
    """Regenerate the index table in ``docs/checks/README.md`` from the registry (a maintainer tool)."""
    from ptmvet.checks import all_meta

    path = readme_path or ((repo_docs_dir() or Path("docs/checks")) / "README.md")
    new = update_index(path.read_text(encoding="utf-8"), all_meta())
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
    return path


if __name__ == "__main__":  # pragma: no cover - `python -m ptmvet.checks.docs` refreshes the index
    write_index()
