"""End-to-end: hostile model packages each FAIL the default gate, with the finding that says why.

Each package is a small, well-documented model folder (it passes the default gate
as built) with one thing wrong. The gate runs in-process through the CLI, exactly
as a CI job runs it, and its JSON verdict is read back.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ptmvet.cli import main

CARD = """---
license: apache-2.0
base_model: bert-base-uncased
library_name: transformers
---
# tiny-encoder

A tiny BERT-style encoder published by the ptmvet test suite to exercise the package checks. It maps short
English sentences to embeddings and was trained for one epoch on a toy corpus of product reviews.

## Intended use

Use it to test tooling that reads model packages. It is not meant for production traffic or for decisions
about people.

## Limitations and bias

The model is tiny and was trained on very little data, so its outputs are close to random and reflect the
biases of a small English review corpus. Check every output by hand before relying on it, and expect it to
fail on text that differs from short product reviews: other languages, long documents, code, or domain
vocabulary such as medical or legal terms. It has not been evaluated for fairness across groups of people,
and no claim about its accuracy is made here; treat it as a fixture for tests, not as a model of language.
"""


def safetensors_bytes() -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + bytes(16)


def package(root: Path, *, weights: bool = True) -> Path:
    root.mkdir()
    (root / "README.md").write_text(CARD, encoding="utf-8")
    (root / "config.json").write_text(json.dumps({"model_type": "bert", "architectures": ["BertModel"]}), encoding="utf-8")
    if weights:
        (root / "model.safetensors").write_bytes(safetensors_bytes())
    return root


def gate(path: Path, tmp_path: Path, policy: str = "default") -> tuple[int, dict[str, object]]:
    out = tmp_path / f"gate-{path.name}-{policy}.json"
    code = main(["gate", str(path), "--policy", policy, "--format", "json", "--output", str(out)])
    raw = out.read_bytes()
    raw.decode("utf-8")  # the verdict is valid UTF-8 whatever the file names
    return code, json.loads(raw)


def failing(verdict: dict[str, object]) -> dict[str, str]:
    items = verdict["items"]
    assert isinstance(items, list)
    return {str(i["check_id"]): str(i["message"]) for i in items if i["status"] == "fail" and i["check_id"]}


def test_the_untouched_package_passes(tmp_path: Path) -> None:
    code, verdict = gate(package(tmp_path / "good"), tmp_path)
    assert code == 0 and verdict["passed"] is True, failing(verdict)


def _empty(d: Path) -> None:
    (d / "model.safetensors").write_bytes(b"")


def _truncated(d: Path) -> None:
    (d / "model.safetensors").write_bytes(safetensors_bytes()[:-8])


def _unrecognised(d: Path) -> None:
    (d / "model.safetensors").write_bytes(b"this is not a model, only text\n" * 4)


def _lfs_only(d: Path) -> None:
    pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + "ab" * 32 + "\nsize 1234567\n"
    (d / "model.safetensors").write_text(pointer, encoding="utf-8")


def _no_weights(d: Path) -> None:
    (d / "model.safetensors").unlink()


def _renamed(d: Path) -> None:
    (d / "model.safetensors").rename(d / "weights.dat")


def _symlink_out(d: Path) -> None:
    target = d.parent / "outside-secret.txt"
    target.write_text("a file of the machine running the gate\n", encoding="utf-8")
    os.symlink(target, d / "passwd.txt")


def _symlink_in(d: Path) -> None:
    os.symlink("README.md", d / "card-link.md")


def _dangling(d: Path) -> None:
    os.symlink("missing.bin", d / "extra.bin")


def _non_utf8_name(d: Path) -> None:
    (d / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"a file whose name is Latin-1\n")


def _trainer_files_only(d: Path) -> None:
    """A trainer's output folder without the model: training_args.bin is a pickle, never weights."""
    import pickle

    (d / "model.safetensors").unlink()
    (d / "training_args.bin").write_bytes(pickle.dumps({"learning_rate": 5e-5, "num_train_epochs": 3}))


def _fifo_weights(d: Path) -> None:
    os.mkfifo(d / "pytorch_model.bin")


CASES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    # name: (how to break the package, the finding that must fail, words it must say)
    "empty": (_empty, "VET606", "empty"),
    "truncated": (_truncated, "VET606", "truncated"),
    "unrecognised": (_unrecognised, "VET606", "model.safetensors"),
    "lfs-only": (_lfs_only, "VET606", "Git LFS pointer"),
    "no-weights": (_no_weights, "VET606", "no weight file"),
    "renamed": (_renamed, "VET606", "under another name"),
    "trainer-files-only": (_trainer_files_only, "VET606", "no weight file in the package"),
    "symlink-out": (_symlink_out, "VET607", "outside the package"),
    "symlink-in": (_symlink_in, "VET607", "card-link.md -> README.md"),
    "dangling-symlink": (_dangling, "VET607", "extra.bin"),
    "non-utf8-name": (_non_utf8_name, "VET307", "caf\\xe9.txt"),
}
if hasattr(os, "mkfifo"):
    CASES["fifo-weights"] = (_fifo_weights, "VET606", "not a regular file")


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_package_fails_the_default_gate(case: str, tmp_path: Path) -> None:
    breaker, check_id, words = CASES[case]
    d = package(tmp_path / case)
    breaker(d)
    code, verdict = gate(d, tmp_path)
    fails = failing(verdict)
    assert code == 1 and verdict["passed"] is False
    assert check_id in fails, f"{case}: expected {check_id} to fail the gate, got {fails}"
    assert words in fails[check_id], fails[check_id]


#: The unprivileged user and group the unreadable case runs as when the suite runs as root.
NOBODY = 65534


def _gate_as_nobody(d: Path, out_dir: Path) -> tuple[int, dict[str, object]]:
    """The default gate on ``d`` in a child process running as uid/gid 65534.

    Root reads a file whatever its mode, so as root the real permission case needs
    another user. The child is forked from this interpreter rather than started anew:
    the interpreter lives under /root here, which that user cannot enter; everything
    the gate imports is imported beforehand, by a first run on a readable package.
    """
    out = out_dir / "gate.json"
    log = out_dir / "child.log"
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 96
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                (d / "model.safetensors").open("rb").close()
                code = 97  # still able to read it: not the case under test
            except PermissionError:
                for var in ("HOME", "HF_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
                    os.environ[var] = str(out_dir / var.lower())
                code = main(["gate", str(d), "--no-log", "--format", "json", "--output", str(out)])
        except PermissionError:
            code = 98  # the privilege drop itself was refused (no CAP_SETUID)
        except BaseException:
            import traceback

            log.write_text(traceback.format_exc(), encoding="utf-8")
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 98:
        pytest.skip("running as root but not allowed to switch to an unprivileged user")
    assert code not in (96, 97), log.read_text(encoding="utf-8") if log.exists() else f"child exited {code}"
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_trainer_side_files_are_not_taken_for_renamed_weights(tmp_path: Path) -> None:
    d = package(tmp_path / "trainer")
    _trainer_files_only(d)
    _, verdict = gate(d, tmp_path)
    message = failing(verdict)["VET606"]
    assert "under another name" not in message and "renamed" not in message, message


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_weights_fail_the_default_gate(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        d = package(tmp_path / "unreadable")
        (d / "model.safetensors").chmod(0)
        try:
            if os.access(d / "model.safetensors", os.R_OK):
                pytest.skip("this user reads files whatever their mode")
            code, verdict = gate(d, tmp_path)
        finally:
            (d / "model.safetensors").chmod(0o644)
    else:
        # A folder that user can traverse (pytest's own temporary root is private to root).
        import shutil
        import tempfile

        shared = Path(tempfile.mkdtemp(prefix="ptmvet-nobody-"))
        try:
            shared.chmod(0o755)
            d = package(shared / "unreadable")
            d.chmod(0o755)
            out_dir = shared / "out"
            out_dir.mkdir()
            out_dir.chmod(0o777)
            # the same gate on the readable package first: it passes, and imports all the gate needs
            assert gate(d, tmp_path)[0] == 0
            (d / "model.safetensors").chmod(0)
            code, verdict = _gate_as_nobody(d, out_dir)
        finally:
            shutil.rmtree(shared, ignore_errors=True)
    fails = failing(verdict)
    assert code == 1 and verdict["passed"] is False
    assert "VET606" in fails, fails
    assert "model.safetensors: not read: unreadable: Permission denied" in fails["VET606"], fails["VET606"]


#: Cases whose weights the scanner never analysed (VET706 must say so) and cases with no weight to judge.
UNANALYSED = ("empty", "lfs-only", "dangling-symlink", "fifo-weights")
NO_USABLE_WEIGHTS = ("empty", "truncated", "unrecognised", "no-weights", "renamed")


@pytest.mark.parametrize("case", sorted({*UNANALYSED, *NO_USABLE_WEIGHTS} & set(CASES)))
def test_weights_not_checked_score_no_full_safety_and_no_pass_on_them(case: str, tmp_path: Path) -> None:
    d = package(tmp_path / case)
    CASES[case][0](d)
    out = tmp_path / "report.json"
    assert main(["check", str(d), "--format", "json", "--output", str(out)]) in (0, 1)
    report = json.loads(out.read_text(encoding="utf-8"))
    safety = report["scores"]["safety"]
    assert safety is None or safety < 10, f"{case}: safety {safety}/10 on weights never analysed"
    outcomes: dict[str, set[str]] = {}
    for f in report["findings"]:
        outcomes.setdefault(f["check_id"], set()).add(f["outcome"])
    assert outcomes["VET606"] == {"fail"}
    if case in NO_USABLE_WEIGHTS:
        # no weight file could be judged: neither the format check nor the pickle check may pass on it
        assert "pass" not in outcomes["VET301"] | outcomes["VET701"], (outcomes["VET301"], outcomes["VET701"])
    if case in UNANALYSED:
        assert "fail" in outcomes["VET706"], outcomes["VET706"]


@pytest.mark.parametrize(
    ("case", "check_id", "uri"),
    [
        ("empty", "VET606", "model.safetensors"),
        ("empty", "VET706", "model.safetensors"),
        ("lfs-only", "VET602", "model.safetensors"),
        ("renamed", "VET606", "weights.dat"),
        ("symlink-out", "VET607", "passwd.txt"),
        ("symlink-in", "VET607", "card-link.md"),
        ("dangling-symlink", "VET607", "extra.bin"),
        ("truncated", "VET705", "model.safetensors"),
    ],
)
def test_sarif_locates_each_failure_at_its_file(case: str, check_id: str, uri: str, tmp_path: Path) -> None:
    d = package(tmp_path / case)
    CASES[case][0](d)
    out = tmp_path / "gate.sarif"
    assert main(["gate", str(d), "--no-log", "--format", "sarif", "--output", str(out)]) == 0
    results = [r for r in json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"] if r["ruleId"] == check_id and r["level"] == "error"]
    assert results, check_id
    for r in results:
        locations = [loc["physicalLocation"]["artifactLocation"] for loc in r["locations"]]
        assert [loc["uri"] for loc in locations] == [uri], (check_id, locations)  # not the model card


def test_escaping_symlink_fails_every_preset(tmp_path: Path) -> None:
    d = package(tmp_path / "escape")
    _symlink_out(d)
    for policy in ("default", "strict", "research"):
        code, verdict = gate(d, tmp_path, policy)
        assert code == 1 and "VET607" in failing(verdict), policy


def test_symlink_inside_is_followed_but_only_research_tolerates_it(tmp_path: Path) -> None:
    d = package(tmp_path / "inside")
    _symlink_in(d)
    code, verdict = gate(d, tmp_path, "research")
    assert code == 0, failing(verdict)
    out = tmp_path / "report.json"
    assert main(["check", str(d), "--format", "json", "--output", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    vet607 = next(f for f in report["findings"] if f["check_id"] == "VET607")
    assert vet607["details"]["inside"] == [{"path": "card-link.md", "target": "README.md", "directory": False}]
    # followed: the link's content was hashed as part of the package
    paths = {f["check_id"]: f for f in report["findings"]}
    assert paths["VET606"]["outcome"] == "pass"


def test_non_utf8_names_stay_valid_utf8_in_every_report(tmp_path: Path) -> None:
    d = package(tmp_path / "names")
    (d / os.fsdecode(b"w\xffeights.bin")).write_bytes(b"\x80\x02}q\x00.")
    runs = [["check", "--format", fmt] for fmt in ("json", "md", "html", "terminal")]
    runs += [["gate", "--format", "sarif"], ["bom", "--format", "spdx"], ["bom", "--format", "cyclonedx"]]
    for i, (command, *opts) in enumerate(runs):
        out = tmp_path / f"out-{i}"
        assert main([command, str(d), *opts, "--output", str(out)]) in (0, 1), runs[i]
        text = out.read_bytes().decode("utf-8")  # valid UTF-8
        assert "w\\xffeights.bin" in text.replace("\\\\", "\\"), runs[i]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_compare_ranks_packages_without_weights_last(tmp_path: Path) -> None:
    good = package(tmp_path / "good")
    linked = package(tmp_path / "linked")
    _symlink_in(linked)  # fails the gate, but has weights
    bare = package(tmp_path / "bare", weights=False)  # a well-documented card and no weights at all
    pointer = package(tmp_path / "pointer", weights=False)
    _lfs_only(pointer)
    out = tmp_path / "compare.json"
    assert main(["compare", str(bare), str(pointer), str(linked), str(good), "--format", "json", "--output", str(out)]) == 0
    ranked = [c["name"] for c in json.loads(out.read_text(encoding="utf-8"))["candidates"]]
    assert ranked[:2] == ["good", "linked"]
    assert set(ranked[2:]) == {"bare", "pointer"}


@pytest.mark.parametrize(("case", "why"), [("empty", "content is not a format"), ("lfs-only", "Git LFS pointer")])
def test_scan_lists_skipped_weights_with_the_reason_and_fails(case: str, why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = package(tmp_path / case)
    CASES[case][0](d)
    assert main(["scan", str(d)]) == 1  # not proven safe
    out = capsys.readouterr().out
    assert f"{d / 'model.safetensors'}: {why}" in out
    assert "overall: unknown" in out  # the summary line agrees with the exit code
    assert main(["scan", str(d), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert any(str(e["path"]).endswith("model.safetensors") for e in doc["not_analysed"])
    assert doc["verdict"] == "unknown"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_scan_lists_a_fifo_named_as_weights_and_is_not_safe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pipe is never read (it could block), and never dropped from the listing either."""
    d = package(tmp_path / "fifo")
    _fifo_weights(d)
    assert main(["scan", str(d)]) == 1
    out = capsys.readouterr().out
    assert f"{d / 'pytorch_model.bin'}: not a regular file (a device, pipe or socket); not read" in out
    assert "overall: unknown" in out


@pytest.mark.parametrize("name", ["model.safetensors", "pytorch_model.bin"])
def test_safetensors_header_of_128_bytes_is_not_read_as_a_pickle(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The header length's low byte 0x80 is also pickle's PROTO opcode."""
    meta = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"pad": ""}}
    meta["__metadata__"]["pad"] = "x" * (128 - len(json.dumps(meta).encode()))
    header = json.dumps(meta).encode()
    assert len(header) == 128
    path = tmp_path / name
    path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
    assert main(["scan", str(path), "--format", "json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)["files"]
    assert report["format"] == "safetensors" and report["verdict"] == "safe"
