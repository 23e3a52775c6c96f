"""Every commit of a model repository with its signature, for the registry study.

The ICSE'23 study counted a repository as signed when ``git log --pretty=format:%GK``
printed anything: at least one commit whose signature names a key. This reads the
same field for every commit reachable from any ref, plus what the study could not
tell apart: the *kind* of signature, from the commit's own ``gpgsig`` header
(``-----BEGIN PGP SIGNATURE-----`` GPG, ``-----BEGIN SSH SIGNATURE-----`` SSH,
``-----BEGIN SIGNED MESSAGE-----`` X.509/CMS), and git's verdict ``%G?`` with the
keys at hand (the caller's ``GNUPGHOME`` and an allowed-signers file).

Repositories are untrusted: as in :mod:`ptmvet.sources.git`, the repository's own
``gpg.*`` programs and trust settings are replaced by the user's, nothing is
written to it, and a clone that cannot be read yields an error string, never an
exception.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ptmvet.sources.git import _GitFailed, _local_keys, _overrides, _run, signature_armours

_FS, _RS = "\x1f", "\x1e"
_FORMAT = _FS.join(["%H", "%aI", "%ae", "%G?", "%GK", "%GS"]) + _RS
_KINDS = {
    "-----BEGIN PGP SIGNATURE-----": "gpg",
    "-----BEGIN SSH SIGNATURE-----": "ssh",
    "-----BEGIN SIGNED MESSAGE-----": "x509",
}


@dataclass(frozen=True)
class SignedCommit:
    """One commit and its signature as git reports it."""

    sha: str
    date: str
    author_email: str
    kind: str  # 'gpg' | 'ssh' | 'x509' | 'other' | 'none'
    key: str  # %GK ('' when git names no key)
    verification: str  # %G?
    signer: str  # %GS


@dataclass(frozen=True)
class RepoHistory:
    """The history of one repository (``error`` set when it could not be read)."""

    path: str
    bare: bool | None
    head: str | None
    commits: tuple[SignedCommit, ...]
    error: str | None = None


def is_repository(path: Path) -> bool:
    """A work tree with ``.git``, or a bare repository (HEAD, objects/, refs/)."""
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def find_repositories(root: Path) -> Iterator[tuple[str, Path]]:
    """(model id, path) for ``root/name`` and ``root/org/name`` repositories, sorted.

    A trailing ``.git`` on a bare clone's folder name is dropped (``org/name.git`` -> ``org/name``).
    """
    def mid(*parts: str) -> str:
        name = "/".join(parts)
        return name[:-4] if name.endswith(".git") and len(name) > 4 else name

    if is_repository(root):
        yield mid(root.name), root
        return
    for child in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if is_repository(child):
            yield mid(child.name), child
            continue
        for grand in sorted(p for p in child.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if is_repository(grand):
                yield mid(child.name, grand.name), grand


def _kinds(git: str, path: Path, base: list[str]) -> dict[str, str]:
    """Signature kind of every signed commit, from its raw headers."""
    raw = _run(git, path, [*base, "log", "--all", "--pretty=raw"])
    return {sha: _KINDS.get(armour, "other") for sha, armour in signature_armours(raw).items()}


def read_history(path: Path, *, allowed_signers: Path | None = None) -> RepoHistory:
    """Every commit of the repository at ``path`` (all refs), with its signature."""
    git = shutil.which("git")
    if git is None:
        return RepoHistory(str(path), None, None, (), "git is not installed")
    base = ["-c", f"safe.directory={path}"]
    try:
        bare = _run(git, path, [*base, "rev-parse", "--is-bare-repository"]).strip() == "true"
        local = _local_keys(git, path)
        base += _overrides(git, local)
        if allowed_signers is not None:
            base += ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers}"]
        head_out = _run(git, path, [*base, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"], check=False).strip()
        refs = _run(git, path, [*base, "for-each-ref", "--format=%(objectname)"]).split()
        if not refs and not head_out:
            return RepoHistory(str(path), bare, None, ())
        kinds = _kinds(git, path, base)
        log = _run(git, path, [*base, "log", "--all", f"--format={_FORMAT}"])
    except _GitFailed as exc:
        return RepoHistory(str(path), None, None, (), exc.message)
    commits = []
    for record in log.split(_RS):
        record = record.strip("\n")
        if not record:
            continue
        fields = record.split(_FS)
        if len(fields) != 6:
            continue
        sha, date, email, status, key, signer = fields
        kind = kinds.get(sha, "none")
        commits.append(SignedCommit(sha, date, email, kind, key.strip(), status.strip() or "N", signer))
    return RepoHistory(str(path), bare, head_out or None, tuple(commits))
