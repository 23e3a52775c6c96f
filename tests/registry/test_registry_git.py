"""``mine --from-git``: real repositories with SSH- and GPG-signed commits, bare and not."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ptmvet.cli import main
from ptmvet.registry.gitmine import mine_git
from ptmvet.registry.store import open_store
from ptmvet.registry.study import compute_study
from ptmvet.sources.git_history import find_repositories, read_history

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

_ID = ["-c", "user.name=Signer", "-c", "user.email=signer@example.org", "-c", "commit.gpgsign=false"]


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(["git", *_ID, *args], cwd=repo, check=True, capture_output=True, text=True, env=env)
    return out.stdout


def _commit(repo: Path, name: str, *sign: str, env: dict[str, str] | None = None) -> None:
    (repo / name).write_text(name)
    _git(repo, "add", name, env=env)
    _git(repo, *sign, "commit", "-q", *(["-S"] if sign else []), "-m", name, env=env)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """An SSH key (ssh-keygen) and a GPG key in a temporary GNUPGHOME (batch mode)."""
    if shutil.which("ssh-keygen") is None or shutil.which("gpg") is None:
        pytest.skip("ssh-keygen or gpg is not installed")
    d = tmp_path_factory.mktemp("keys")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "ssh")], check=True)
    home = d / "gnupg"
    home.mkdir(mode=0o700)
    env = dict(os.environ, GNUPGHOME=str(home))
    (d / "params").write_text(
        "%no-protection\nKey-Type: eddsa\nKey-Curve: ed25519\nName-Real: Signer\nName-Email: signer@example.org\n"
        "Expire-Date: 0\n%commit\n"
    )
    subprocess.run(["gpg", "--batch", "--gen-key", str(d / "params")], check=True, env=env, capture_output=True)
    out = subprocess.run(["gpg", "--list-secret-keys", "--with-colons"], check=True, env=env, capture_output=True, text=True)
    fpr = next(line.split(":")[9] for line in out.stdout.splitlines() if line.startswith("fpr:"))
    allowed = d / "allowed_signers"
    allowed.write_text(f"signer@example.org {(d / 'ssh.pub').read_text().strip()}\n")
    return {"ssh": d / "ssh.pub", "env": env, "fpr": fpr, "home": home, "allowed": allowed}


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, object]) -> Path:
    """DIR/orga/ssh (work tree), DIR/orga/gpg.git (bare clone), DIR/plain (no org), DIR/orgb/broken."""
    root = tmp_path_factory.mktemp("repos")
    env = keys["env"]
    assert isinstance(env, dict)
    work = tmp_path_factory.mktemp("work")
    ssh = root / "orga" / "ssh"
    ssh.mkdir(parents=True)
    _git(ssh, "init", "-q")
    _commit(ssh, "a", "-c", "gpg.format=ssh", "-c", f"user.signingkey={keys['ssh']}")
    _commit(ssh, "b")
    gpg = work / "gpg"
    gpg.mkdir()
    _git(gpg, "init", "-q")
    _commit(gpg, "a")
    _commit(gpg, "b", "-c", f"user.signingkey={keys['fpr']}", env=env)
    subprocess.run(["git", "clone", "-q", "--bare", str(gpg), str(root / "orga" / "gpg.git")], check=True)
    plain = root / "plain"
    plain.mkdir()
    _git(plain, "init", "-q")
    _commit(plain, "a")
    broken = root / "orgb" / "broken"
    (broken / ".git").mkdir(parents=True)  # looks like a repository, is not one
    return root


def test_layout_and_signature_kinds(repos: Path) -> None:
    found = dict(find_repositories(repos))
    assert set(found) == {"orga/ssh", "orga/gpg", "plain", "orgb/broken"}
    ssh = read_history(found["orga/ssh"])
    kinds = sorted(c.kind for c in ssh.commits)
    assert kinds == ["none", "ssh"] and ssh.bare is False
    # Without an allowed-signers file git names no key for an SSH signature: the study's
    # %GK test misses it, the header does not.
    assert all(c.key == "" for c in ssh.commits)
    gpg = read_history(found["orga/gpg"])
    assert gpg.bare is True and sorted(c.kind for c in gpg.commits) == ["gpg", "none"]
    signed = next(c for c in gpg.commits if c.kind == "gpg")
    assert signed.key  # %GK names the key id even where the key is not at hand
    assert read_history(found["orgb/broken"]).error


def test_mine_git_and_the_study(repos: Path, keys: dict[str, object], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GNUPGHOME", str(keys["home"]))
    db = tmp_path / "g.duckdb"
    allowed = keys["allowed"]
    assert isinstance(allowed, Path)
    with open_store(db) as s:
        stats = mine_git(s, repos, allowed_signers=allowed)
        assert (stats.repositories, stats.unreadable, stats.commits, stats.signed_commits) == (4, 1, 5, 2)
        verdicts = dict(s.con.execute("SELECT signature_kind, verification FROM commits WHERE signed").fetchall())
        assert verdicts["ssh"] == "G"  # verified with the allowed-signers file
        assert verdicts["gpg"] in {"G", "U"}  # verified with the keyring at hand
        study = compute_study(s)
        again = mine_git(s, repos, allowed_signers=allowed)  # a new run replaces, never duplicates
        assert again.run_id == stats.run_id + 1
        assert s.con.execute("SELECT count(*) FROM commits").fetchall()[0][0] == 5
    row = dict(zip(study.table("signed_commits").columns, study.table("signed_commits").rows[0], strict=True))
    assert (row["repositories"], row["with_signed_commit"], row["share"]) == (3, 2, round(2 / 3, 4))
    assert (row["gpg"], row["ssh"], row["x509"], row["verified_here"]) == (1, 1, 0, 2)
    assert row["paper_with_signed_commit"] == 132
    assert "could not be read" in study.table("signed_commits").note
    by_org = {r[0]: r[1:] for r in study.table("signed_commits_by_org").rows}
    assert by_org["orga"] == (2, 2, 1.0) and by_org["(no organisation)"] == (1, 0, 0.0)


def test_mine_from_git_command(repos: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.duckdb"
    assert main(["mine", "--from-git", str(repos), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "4 repositories (1 unreadable)" in err and "unreadable: orgb/broken" in err
    assert main(["mine", "--from-git", str(tmp_path / "nothing"), "--db", str(db)]) != 0


def test_mine_with_clone_makes_bare_copies_and_resumes(repos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import huggingface_hub.constants as hf_constants
    from registry_helpers import lines_of, write_jsonl_gz

    # The "Hub" is a folder of repositories reached through file:// URLs.
    monkeypatch.setattr(hf_constants, "ENDPOINT", repos.as_uri())
    listing = [{"id": "orga/ssh", "tags": []}, {"id": "plain", "tags": []}, {"id": "orga/missing", "tags": []}]
    dump = write_jsonl_gz(tmp_path / "l.jsonl.gz", lines_of(listing))
    clones = tmp_path / "clones"
    db = tmp_path / "c.duckdb"
    argv = ["mine", "--from-dump", str(dump), "--clone", str(clones), "--clone-interval", "0", "--db", str(db)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "clones: 2 new, 0 already there, 1 failed" in err and "clone failed: orga/missing" in err
    assert (clones / "orga" / "ssh" / "HEAD").is_file() and not (clones / "orga" / "ssh" / ".git").exists()  # bare
    assert main(argv) == 0  # resumes: nothing cloned twice
    assert "clones: 0 new, 2 already there, 1 failed" in capsys.readouterr().err
    with open_store(db, read_only=True) as s:
        study = compute_study(s)
    row = dict(zip(study.table("signed_commits").columns, study.table("signed_commits").rows[0], strict=True))
    assert (row["repositories"], row["with_signed_commit"], row["ssh"]) == (2, 1, 1)
    assert "1 repositories could not be read" in study.table("signed_commits").note


def test_clones_are_rate_limited(repos: Path, tmp_path: Path) -> None:
    from ptmvet.registry.clone import clone_models

    waits: list[float] = []
    with open_store(tmp_path / "r.duckdb") as s:
        stats = clone_models(s, ["orga/ssh", "plain", "../escape"], tmp_path / "c", run_id=1, interval=30.0,
                             endpoint=repos.as_uri(), sleep=waits.append)
    assert stats.cloned == 2 and stats.failed == [("../escape", "not a repository id")]
    assert len(waits) == 1 and 29.0 < waits[0] <= 30.0  # the second clone waited for the interval
