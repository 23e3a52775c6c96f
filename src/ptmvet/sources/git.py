"""History of a git clone: commits, authors and commit signatures (``git log --format=%G?``).

The clone is untrusted. Its own ``.git/config`` could name a program for git to
run (a fake ``gpg.program`` that always says "good signature", a clean filter,
an fsmonitor hook) or an ``allowedSignersFile`` that vouches for the attacker's
key. So every ``gpg.*`` setting the repository defines for itself is replaced by
the user's own (or git's default), and the dirty check is skipped when the
repository configures filters or hooks. Nothing here writes to the clone.

Signature status per commit is git's ``%G?``: G good, B bad, U good with
unknown validity, X expired signature, Y expired key, R revoked key, E cannot
be checked (for instance no key or no allowed-signers file), N none. A commit
that carries a ``gpgsig`` header that git reports as N (ssh signatures without
an allowed-signers file) is recorded as E: signed, not checkable here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ptmvet.evidence import GitCommit, GitInfo

#: Read at most this many commits (newest first); GitInfo.truncated says when more exist.
MAX_COMMITS = 5000
TIMEOUT_S = 60.0
_FS, _RS = "\x1f", "\x1e"
_FORMAT = _FS.join(["%H", "%an", "%ae", "%aI", "%G?", "%GS", "%s"]) + _RS
_STATUSES = frozenset("GBUXYREN")
#: Repository-local settings that make git run a program or change whose signatures count.
_CMD_PREFIXES = ("filter.", "diff.", "core.fsmonitor", "core.hookspath", "core.sshcommand", "credential.", "merge.", "core.editor")
_DEFAULTS = {
    "gpg.program": "gpg",
    "gpg.openpgp.program": "gpg",
    "gpg.x509.program": "gpgsm",
    "gpg.ssh.program": "ssh-keygen",
}
#: gpg.* settings that name a program or decide which keys are trusted (gpg.format is harmless).
_TRUST_SUFFIXES = ("program", "allowedsignersfile", "revocationfile", "defaultkeycommand", "mintrustlevel")
_USERINFO = re.compile(r"^([a-z][a-z0-9+.\-]*://)[^/@]*@", re.IGNORECASE)


class _GitFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"})
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"):
        env.pop(var, None)
    return env


def _run(git: str, cwd: Path, args: list[str], *, check: bool = True) -> str:
    try:
        proc = subprocess.run(
            [git, "--no-pager", *args],
            cwd=cwd,
            capture_output=True,
            timeout=TIMEOUT_S,
            env=_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _GitFailed(f"git {args[0]} took longer than {TIMEOUT_S:.0f} s") from exc
    except OSError as exc:
        raise _GitFailed(f"cannot run git: {exc.strerror or exc}") from exc
    out = proc.stdout.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        err = " ".join(proc.stderr.decode("utf-8", "replace").split())
        raise _GitFailed(err[:300] or f"git {args[0]} exited with {proc.returncode}")
    return out


def _local_keys(git: str, path: Path) -> set[str]:
    """Names of the settings the repository's own config (and its includes) defines."""
    out = _run(git, path, ["config", "--local", "--includes", "--name-only", "--list"], check=False)
    return {line.strip().lower() for line in out.splitlines() if line.strip()}


def _outside_value(git: str, key: str) -> str | None:
    """The user's own (global/system) value of a setting, read outside any repository."""
    cwd = Path(os.path.expanduser("~"))
    if not cwd.is_dir():
        cwd = Path("/")
    proc_out = _run(git, cwd, ["config", "--global", "--get", key], check=False).strip()
    if proc_out:
        return proc_out
    return _run(git, cwd, ["config", "--system", "--get", key], check=False).strip() or None


def _overrides(git: str, local: set[str]) -> list[str]:
    """``-c`` options that put back the user's signature settings over the repository's own."""
    out: list[str] = []
    for key in sorted(k for k in local if k.startswith("gpg.") and k.endswith(_TRUST_SUFFIXES)):
        value = _outside_value(git, key)
        if value is None:
            value = _DEFAULTS.get(key, "")
        out += ["-c", f"{key}={value}"]
    return out


def redact_url(url: str) -> str:
    """A remote URL without any user name or token in it."""
    return _USERINFO.sub(r"\1", url.strip())


def signature_armours(raw: str) -> dict[str, str]:
    """Each signed commit of ``git log --pretty=raw`` output with its signature's first line.

    A commit counts when its headers carry a ``gpgsig`` (or ``gpgsig-sha256``) header,
    whether or not the signature can be checked here.
    """
    armours: dict[str, str] = {}
    sha = None
    in_headers = False
    for line in raw.splitlines():
        if line.startswith("commit "):
            sha = line.split()[1] if len(line.split()) > 1 else None
            in_headers = True
        elif in_headers and line == "":
            in_headers = False
        elif in_headers and sha and line.startswith(("gpgsig ", "gpgsig-sha256 ")):
            armours.setdefault(sha, line.split(" ", 1)[1].strip())
    return armours


def _signed_shas(git: str, path: Path, overrides: list[str], limit: int) -> set[str]:
    """Commits that carry a signature header, whether or not it can be checked here."""
    raw = _run(git, path, [*overrides, "log", "--pretty=raw", f"--max-count={limit}"])
    return set(signature_armours(raw))


def collect_git(path: Path) -> GitInfo:
    """History of the git clone at ``path``. Never raises: failures land in ``GitInfo.error``."""
    path = Path(path)
    git = shutil.which("git")
    if git is None:
        return GitInfo(head=None, branch=None, remote_url=None, commits=(), error="git is not installed")
    try:
        top = _run(git, path, ["rev-parse", "--show-toplevel"]).strip()
    except _GitFailed as exc:
        return GitInfo(head=None, branch=None, remote_url=None, commits=(), error=f"not a readable git repository: {exc.message}")
    try:
        return _collect(git, path, top)
    except _GitFailed as exc:
        return GitInfo(head=None, branch=None, remote_url=None, commits=(), error=exc.message)


def _collect(git: str, path: Path, top: str) -> GitInfo:
    local = _local_keys(git, path)
    overrides = _overrides(git, local)
    head_out = _run(git, path, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], check=False).strip()
    head = head_out if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", head_out) else None
    branch = _run(git, path, ["symbolic-ref", "--quiet", "--short", "HEAD"], check=False).strip() or None
    shallow = _run(git, path, ["rev-parse", "--is-shallow-repository"], check=False).strip() == "true"
    remote_url = _remote(git, path, branch)
    commits: list[GitCommit] = []
    truncated = False
    if head is not None:
        limit = MAX_COMMITS + 1
        log = _run(git, path, [*overrides, "log", f"--format={_FORMAT}", f"--max-count={limit}"])
        signed_raw = _signed_shas(git, path, overrides, limit)
        for record in log.split(_RS):
            record = record.strip("\n")
            if not record:
                continue
            fields = record.split(_FS)
            if len(fields) != 7:
                continue
            sha, name, email, date, status, signer, subject = fields
            status = status.strip() or "N"
            if status not in _STATUSES:
                status = "E"
            if status == "N" and sha in signed_raw:
                status = "E"
            commits.append(GitCommit(sha=sha, author=name, author_email=email, date=date, subject=subject, signature=status, signer=signer))
        if len(commits) > MAX_COMMITS:
            commits = commits[:MAX_COMMITS]
            truncated = True
    dirty = False
    if head is not None and not any(k.startswith(_CMD_PREFIXES) for k in local):
        status_out = _run(
            git,
            path,
            ["-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "status", "--porcelain", "--untracked-files=no", "--ignore-submodules"],
            check=False,
        )
        dirty = bool(status_out.strip())
    del top
    return GitInfo(
        head=head,
        branch=branch,
        remote_url=remote_url,
        commits=tuple(commits),
        dirty=dirty,
        shallow=shallow,
        truncated=truncated,
    )


def _remote(git: str, path: Path, branch: str | None) -> str | None:
    name = None
    if branch:
        name = _run(git, path, ["config", "--get", f"branch.{branch}.remote"], check=False).strip() or None
    remotes = _run(git, path, ["remote"], check=False).split()
    if name not in remotes:
        name = "origin" if "origin" in remotes else (remotes[0] if remotes else None)
    if name is None:
        return None
    url = _run(git, path, ["config", "--get", f"remote.{name}.url"], check=False).strip()
    return redact_url(url) if url else None
