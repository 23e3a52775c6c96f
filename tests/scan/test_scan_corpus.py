"""The malicious corpus is flagged dangerous, benign real files are not, and nothing runs."""

from __future__ import annotations

import pickletools
from pathlib import Path

import pytest
from tests.scan.corpus_build import build_benign, build_malicious

from ptmvet.scan import Verdict, scan_file, scan_path

pytest.importorskip("torch")
pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], dict[str, Path], Path]:
    root = tmp_path_factory.mktemp("corpus")
    bad, good = root / "malicious", root / "benign"
    bad.mkdir()
    good.mkdir()
    canary = root / "CANARY"
    return build_malicious(bad, canary), build_benign(good), canary


def test_every_malicious_file_is_dangerous(corpus: tuple[dict[str, Path], dict[str, Path], Path]) -> None:
    bad, _, canary = corpus
    assert len(bad) >= 20
    for name, path in bad.items():
        report = scan_file(path)
        assert report.verdict is Verdict.DANGEROUS, (name, report)
        assert report.dangerous_globals, name
    assert not canary.exists(), "a payload ran during the scan"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("os_system_p0.pkl", "posix.system"),
        ("os_system_p5.pkl", "posix.system"),
        ("eval.pkl", "builtins.eval"),
        ("exec.pkl", "builtins.exec"),
        ("runpy.pkl", "runpy._run_code"),
        ("subprocess.pkl", "subprocess.Popen"),
        ("getattr_chain.pkl", "builtins.__import__"),
        ("getattr_reuse.pkl", "builtins.getattr"),
        ("stack_global_memo.pkl", "os.system"),
        ("stack_global_dynamic.pkl", "?.?.system"),
        ("torch_legacy_sysinfo.bin", "posix.system"),
    ],
)
def test_names_the_dangerous_global(corpus: tuple[dict[str, Path], dict[str, Path], Path], name: str, expected: str) -> None:
    report = scan_file(corpus[0][name])
    assert expected in {g.qualname for g in report.dangerous_globals}


def test_payload_locations(corpus: tuple[dict[str, Path], dict[str, Path], Path]) -> None:
    bad = corpus[0]
    legacy = scan_file(bad["torch_legacy_sysinfo.bin"])
    assert legacy.format == "torch-legacy"
    assert legacy.details["pickles"] == 5
    assert scan_file(bad["torch_legacy.pt"]).format == "torch-legacy"
    z = scan_file(bad["torch_zip.pt"])
    assert z.format == "torch-zip"
    assert any(g.location.endswith("data.pkl") for g in z.dangerous_globals)
    jb = scan_file(bad["model.joblib"])
    assert jb.format == "joblib" and jb.details["joblib_arrays"] >= 2
    assert scan_file(bad["compressed.joblib"]).details.get("compressed")
    assert scan_file(bad["object.npy"]).format == "numpy"
    assert scan_file(bad["object.npz"]).format == "npz"
    assert scan_file(bad["noext_payload"]).format == "pickle"


def test_every_protocol_is_covered(corpus: tuple[dict[str, Path], dict[str, Path], Path]) -> None:
    protos = set()
    for proto in range(6):
        report = scan_file(corpus[0][f"os_system_p{proto}.pkl"])
        protos.update(report.details.get("protocols", [0]))
    assert protos == {0, 2, 3, 4, 5} or protos == set(range(6))


def test_benign_files_are_not_dangerous(corpus: tuple[dict[str, Path], dict[str, Path], Path]) -> None:
    good = corpus[1]
    assert len(good) >= 12
    for name, path in good.items():
        report = scan_file(path)
        assert report.verdict is Verdict.SAFE, (name, report.globals, report.issues)


def test_real_training_args_bin_is_safe(corpora: Path) -> None:
    path = corpora / "hf-model-repos-github-mirrors" / "trainer-output__distilbert-base-uncased-finetuned-sst2" / "training_args.bin"
    report = scan_file(path)
    assert report.format == "torch-zip"
    assert report.verdict is Verdict.SAFE
    names = {g.qualname: g for g in report.globals}
    assert "transformers.training_args.TrainingArguments" in names
    # getattr is there, but only as getattr(Enum, "MEMBER")
    assert names["builtins.getattr"].verdict is Verdict.SAFE


def test_globals_match_pickletools(corpus: tuple[dict[str, Path], dict[str, Path], Path]) -> None:
    """Our walker finds the same GLOBAL/INST names pickletools disassembles (protocols 0-2)."""
    for proto in (0, 1, 2):
        path = corpus[0][f"os_system_p{proto}.pkl"]
        seen = {tuple(arg.split(" ", 1)) for op, arg, _ in pickletools.genops(path.read_bytes()) if op.name in ("GLOBAL", "INST")}
        found = {(g.module, g.name) for g in scan_file(path).globals}
        assert seen <= found | {("__builtin__", n) for _, n in seen}


def test_folder_scan_skips_git_and_text(tmp_path: Path, corpus: tuple[dict[str, Path], dict[str, Path], Path]) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "evil.pkl").write_bytes(corpus[0]["eval.pkl"].read_bytes())
    (tmp_path / "README.md").write_text("# hi\n")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.pkl").write_bytes(corpus[1]["numpy_p4.pkl"].read_bytes())
    outside = tmp_path.parent / f"{tmp_path.name}-outside.pkl"
    outside.write_bytes(corpus[0]["eval.pkl"].read_bytes())
    (tmp_path / "link.pkl").symlink_to(outside)
    reports = {Path(r.path).name: r for r in scan_path(tmp_path)}
    assert set(reports) == {"model.pkl", "link.pkl"}
    assert reports["model.pkl"].verdict is Verdict.SAFE
    assert reports["link.pkl"].verdict is Verdict.SKIPPED


def test_canary_would_appear_if_a_payload_ran(tmp_path: Path) -> None:
    """Positive control for the canary: the same kind of payload, loaded on purpose.

    This is the one place a crafted pickle is unpickled: our own payload, in a
    child process, writing into tmp_path. It shows that the canary checks above
    can fail, so their passing means the scanner really ran nothing.
    """
    import subprocess
    import sys

    from tests.scan.corpus_build import build_malicious

    d = tmp_path / "m"
    d.mkdir()
    canary = tmp_path / "CONTROL"
    files = build_malicious(d, canary)
    scan_path(d)
    assert not canary.exists()
    code = "import pickle, sys; pickle.loads(open(sys.argv[1], 'rb').read())"
    subprocess.run([sys.executable, "-c", code, str(files["eval.pkl"])], check=True, timeout=60)
    assert canary.exists(), "the control payload should have written the canary"


def test_a_device_or_pipe_named_directly_is_an_input_error(tmp_path: Path) -> None:
    import os

    from ptmvet.errors import InputError

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        scan_path(fifo)
