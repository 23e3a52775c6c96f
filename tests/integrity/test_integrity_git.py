"""Git source: commit signatures (ssh signing), repository-level counts, hostile repository config."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ptmvet.checks.integrity import commits_signed
from ptmvet.checks.interface import Outcome
from ptmvet.evidence import Evidence, Target
from ptmvet.sources.git import collect_git, redact_url

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("ssh-keygen") is None, reason="needs git and ssh-keygen")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def signer(tmp_path: Path) -> Path:
    """An ed25519 key registered as the user's (global) allowed signer. HOME is a temp dir (conftest)."""
    key = tmp_path / "sshkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dev@example.org", "-f", str(key)], check=True)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"dev@example.org {key.with_suffix('.pub').read_text().strip()}\n")
    home = Path.home()
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "config", "--global", "gpg.ssh.allowedSignersFile", str(allowed)], check=True)
    return key


def _repo(tmp_path: Path, signer: Path | None, plan: list[bool], name: str = "repo") -> Path:
    repo = tmp_path / name
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "Dev")
    _git(repo, "config", "user.email", "dev@example.org")
    if signer is not None:
        _git(repo, "config", "gpg.format", "ssh")
        _git(repo, "config", "user.signingkey", str(signer.with_suffix(".pub")))
    for i, signed in enumerate(plan):
        (repo / f"f{i}.txt").write_text(str(i))
        _git(repo, "add", f"f{i}.txt")
        _git(repo, "commit", "-q", *(["-S"] if signed else ["--no-gpg-sign"]), "-m", f"commit {i}")
    return repo


def test_signed_and_unsigned_commits(tmp_path: Path, signer: Path) -> None:
    repo = _repo(tmp_path, signer, [False, True, False, True])
    _git(repo, "remote", "add", "origin", "https://user:hf_secret@huggingface.co/org/model")
    info = collect_git(repo)
    assert info.error is None and info.branch == "main" and not info.dirty and not info.shallow
    assert info.head == _git(repo, "rev-parse", "HEAD").strip()
    assert [c.signature for c in info.commits] == ["G", "N", "G", "N"]  # newest first
    assert info.commits[0].signer == "dev@example.org" and info.commits[0].subject == "commit 3"
    assert info.any_signed
    assert info.remote_url == "https://huggingface.co/org/model"  # the token is never recorded
    finding = next(iter(commits_signed.fn(Evidence(target=Target(name="r", source="git"), git=info))))
    assert finding.outcome is Outcome.PASS and finding.details["signed"] == 2 and finding.details["by_status"] == {"G": 2, "N": 2}


def test_no_signed_commit_fails_the_check(tmp_path: Path) -> None:
    repo = _repo(tmp_path, None, [False, False])
    (repo / "f0.txt").write_text("changed")
    info = collect_git(repo)
    assert [c.signature for c in info.commits] == ["N", "N"] and info.dirty
    finding = next(iter(commits_signed.fn(Evidence(target=Target(name="r", source="git"), git=info))))
    assert finding.outcome is Outcome.FAIL and "none of 2" in finding.message


def test_signature_without_allowed_signers_is_e_not_n(tmp_path: Path, signer: Path) -> None:
    repo = _repo(tmp_path, signer, [True])
    subprocess.run(["git", "config", "--global", "--unset", "gpg.ssh.allowedSignersFile"], check=True)
    info = collect_git(repo)
    assert [c.signature for c in info.commits] == ["E"]  # signed, not checkable here: still counts as signed
    assert info.any_signed


def test_repository_cannot_vouch_for_itself(tmp_path: Path, signer: Path) -> None:
    """A repo-local allowed-signers file and gpg program are ignored in favour of the user's own."""
    repo = _repo(tmp_path, signer, [True])
    subprocess.run(["git", "config", "--global", "--unset", "gpg.ssh.allowedSignersFile"], check=True)
    own = repo / ".git" / "allowed"
    own.write_text(f"dev@example.org {signer.with_suffix('.pub').read_text().strip()}\n")
    canary = tmp_path / "ran"
    fake = tmp_path / "fake-gpg.sh"
    fake.write_text(f"#!/bin/sh\ntouch {canary}\nexit 0\n")
    fake.chmod(0o755)
    _git(repo, "config", "gpg.ssh.allowedSignersFile", str(own))
    _git(repo, "config", "gpg.ssh.program", str(fake))
    _git(repo, "config", "gpg.program", str(fake))
    _git(repo, "config", "core.fsmonitor", str(fake))
    info = collect_git(repo)
    assert info.error is None
    assert info.commits[0].signature != "G"  # the repo's own allowed-signers file does not make it "good"
    assert info.commits[0].signed
    assert not canary.exists()


def test_shallow_clone(tmp_path: Path) -> None:
    origin = _repo(tmp_path, None, [False, False, False], name="origin")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True, capture_output=True)
    info = collect_git(clone)
    assert info.shallow and len(info.commits) == 1 and info.error is None
    finding = next(iter(commits_signed.fn(Evidence(target=Target(name="r", source="git"), git=info))))
    assert "shallow clone" in finding.message


def test_errors_land_in_gitinfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    not_repo = tmp_path / "plain"
    not_repo.mkdir()
    info = collect_git(not_repo)
    assert info.error and "not a readable git repository" in info.error and info.commits == ()
    empty = tmp_path / "empty"
    empty.mkdir()
    _git(empty, "init", "-q", "-b", "main")
    info = collect_git(empty)
    assert info.error is None and info.head is None and info.commits == () and info.branch == "main"
    finding = next(iter(commits_signed.fn(Evidence(target=Target(name="r", source="git"), git=info))))
    assert finding.outcome is Outcome.SKIPPED
    monkeypatch.setattr("ptmvet.sources.git.shutil.which", lambda name: None)
    assert collect_git(empty).error == "git is not installed"


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://user:tok@huggingface.co/a/b", "https://huggingface.co/a/b"),
        ("https://hf_token@hf.co/a/b", "https://hf.co/a/b"),
        ("git@github.com:a/b.git", "git@github.com:a/b.git"),
        ("ssh://git@host/a", "ssh://host/a"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
