"""Every registered check FAILS when it should, on tiny evidence built here (no ../shared corpora needed).

One case per check id of ``ptmvet.checks.REGISTRY``: evidence that must make
that check FAIL (no check has a worse outcome than FAIL; ERROR is a crash and
is never accepted here). Cases build the evidence the way a run does where
that is cheap: real files in ``tmp_path`` read by the local source and the
scan, integrity and licence enrichers; otherwise the frozen evidence the
enrichers would produce. A check added to the registry without a case here
fails ``test_every_check_has_a_fail_case``.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vetkit import lfs_file, make_evidence, scanned

from _licensekit import APACHE, lineage_dump
from ptmvet.card import Claim
from ptmvet.checks import REGISTRY
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.enrich.interface import VetOptions
from ptmvet.enrich.licenses import license_enricher
from ptmvet.evidence import Evidence, FileEntry, GitCommit, GitInfo, IntegrityInfo, RegistryInfo, Target
from ptmvet.evidence.measurement import ClaimVerdict, Measurement, Unverifiable
from ptmvet.sources.local import collect_folder

Builder = Callable[[Path], Evidence]

BARE_CARD = "# model\n\nSome words.\n"
HUB_TARGET = Target(name="o/m", source="hub", repo_id="o/m", revision="a" * 40, requested_revision="main")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _bare(_: Path) -> Evidence:
    """A card with a title and three words: no metadata, sections, links or results."""
    return make_evidence(BARE_CARD)


def _pickle_weights(_: Path) -> Evidence:
    return make_evidence("# model\n", files=["pytorch_model.bin", "config.json"], configs={"config.json": {}})


def _claim(**kw: object) -> Claim:
    fields: dict[str, object] = {
        "task_type": "text-classification", "dataset_name": "sst2", "dataset_type": "glue", "metric_type": "accuracy", "value": 95.0,
    }  # fmt: skip
    fields.update(kw)
    return Claim(**fields)  # type: ignore[arg-type]


def _measured(verdict: ClaimVerdict, **kw: object) -> Measurement:
    fields: dict[str, object] = {
        "claim": _claim(dataset_split="validation"), "task": "text-classification", "dataset": "glue", "split": "validation",
        "metric": "accuracy", "claimed": 95.0, "verdict": verdict,
    }  # fmt: skip
    fields.update(kw)
    return Measurement(**fields)  # type: ignore[arg-type]


# --- reproducibility ---------------------------------------------------------


def _eval_data_unnamed(_: Path) -> Evidence:
    return make_evidence(BARE_CARD, eval_results=(_claim(dataset_split=None),))


# --- licence -----------------------------------------------------------------


def _licence_unknown(_: Path) -> Evidence:
    return make_evidence("---\nlicense: apachy\n---\n# model\n")


def _licences_disagree(_: Path) -> Evidence:
    ev = make_evidence("---\nlicense: mit\n---\n# model\n", files=["LICENSE"])
    return replace(ev, license_texts={"LICENSE": APACHE})


def _non_commercial(_: Path) -> Evidence:
    return make_evidence("---\nlicense: cc-by-nc-4.0\n---\n# model\n")  # commercial use (the default) is not allowed


def _with_lineage(name: str, card: str) -> Builder:
    def build(tmp_path: Path) -> Evidence:
        ev = make_evidence(card, target=Target(name="me/model", source="local", repo_id="me/model"))
        return license_enricher(ev, VetOptions(dump=lineage_dump(tmp_path), offline=True), None)

    build.__name__ = f"lineage_{name}"
    return build


# --- integrity -----------------------------------------------------------------


def _hash_mismatch(_: Path) -> Evidence:
    files = (FileEntry("model.safetensors", 10, True, registry_sha256="a" * 64, registry_size=10),)
    return Evidence(target=Target(name="m", source="local"), files=files, integrity=IntegrityInfo(hashes={"model.safetensors": "b" * 64}))


def _lfs_pointer(_: Path) -> Evidence:
    return make_evidence("# model\n", files=[lfs_file("model.safetensors", 10_000_000)])


def _unsigned(tmp_path: Path) -> Evidence:
    (tmp_path / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    ev = collect_folder(tmp_path)
    return replace(ev, integrity=IntegrityInfo(hashes={"model.safetensors": "c" * 64}))


def _unpinned(_: Path) -> Evidence:
    return make_evidence("# model\n", target=HUB_TARGET)


def _unsigned_commits(_: Path) -> Evidence:
    commits = tuple(GitCommit(sha=c * 40, author="Dev", author_email="dev@example.org", date="2026-01-01", subject="c", signature="N") for c in "ab")
    git = GitInfo(head="a" * 40, branch="main", remote_url=None, commits=commits)
    return make_evidence("# model\n", git=git)


# --- package (real folders read by the local source) ---------------------------------


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "pkg"
    root.mkdir()
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def _windows_name(tmp_path: Path) -> Evidence:
    return collect_folder(_folder(tmp_path, {"model.safetensors": b"x" * 64, "aux.json": b"{}"}))  # AUX is reserved on Windows


def _no_weights(tmp_path: Path) -> Evidence:
    return collect_folder(_folder(tmp_path, {"README.md": b"# model\n", "config.json": b"{}"}))


def _escaping_link(tmp_path: Path) -> Evidence:
    outside = tmp_path / "secret.txt"
    outside.write_text("not part of the package")
    root = _folder(tmp_path, {"model.safetensors": b"x" * 64})
    (root / "notes.txt").symlink_to(outside)
    return collect_folder(root)


# --- safety (real files read by the scan enricher; none is ever loaded) ----------


class _Payload:
    """Pickles as a call to ``func(*args)``; only ever dumped here, never loaded."""

    def __init__(self, func: object, args: tuple[object, ...]) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (self.func, self.args)


def _scanned(files: dict[str, bytes]) -> Builder:
    def build(tmp_path: Path) -> Evidence:
        return scanned(_folder(tmp_path, files))

    build.__name__ = "scan_" + "+".join(files)
    return build


_SYSTEM_PICKLE = pickle.dumps({"w": _Payload(os.system, ("true",))}, protocol=2)
_CUSTOM_PICKLE = b"\x80\x02cmypkg.layers\nHead\n)\x81."
_SAFETENSORS_HEADER_PAST_END = b"\x10\x00\x00\x00\x00\x00\x00\x00{}"


def _keras_lambda() -> bytes:
    layer = {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}}}
    config = {"class_name": "Sequential", "config": {"name": "seq", "layers": [layer]}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    return buf.getvalue()


def _savedmodel_readfile() -> bytes:
    node = b"\x0a\x04read\x12\x08ReadFile"
    return b"\x08\x01\x12" + bytes([len(node) + 2]) + b"\x12" + bytes([len(node)]) + node


def _onnx_custom_domain() -> bytes:
    """A ModelProto written field by field: ir_version 8, an empty graph, an opset from a custom domain."""
    domain = b"com.evil.ops"
    opset = b"\x0a" + bytes([len(domain)]) + domain + b"\x10\x01"
    return b"\x08\x08" + b"\x3a\x00" + b"\x42" + bytes([len(opset)]) + opset


_EVIL_TEMPLATE = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
_REMOTE_CODE_CONFIG = json.dumps({"model_type": "evil", "auto_map": {"AutoModel": "modeling_evil.EvilModel"}}).encode()


# --- claims and maintenance --------------------------------------------------------


def _overstated(_: Path) -> Evidence:
    m = _measured(ClaimVerdict.OVERSTATED, measured=80.0, ci_low=78.0, ci_high=82.0, n=872, tolerance=2.0, scale=100.0)
    return make_evidence("# model\n", measurements=(m,))


def _labels_permuted(_: Path) -> Evidence:
    perm = {"suspect": True, "suggested": {"0": "1", "1": "0"}, "used_accuracy": 0.1, "best_accuracy": 0.9}
    m = _measured(ClaimVerdict.OVERSTATED, measured=10.0, alternative=90.0, permutation=perm, label_map={"method": "order"}, data_path="sst2.csv")
    return make_evidence("# model\n", measurements=(m,))


def _unmeasurable(_: Path) -> Evidence:
    m = _measured(ClaimVerdict.NOT_VERIFIABLE, cause=Unverifiable.REFUSED_WEIGHTS, reason="only pickled weights")
    return make_evidence("# model\n", measurements=(m,))


def _unpopular_and_stale(_: Path) -> Evidence:
    reg = RegistryInfo(source="dump", repo_id="o/m", downloads=0, likes=0, last_modified=datetime(2020, 1, 1, tzinfo=UTC), observed_at=NOW)
    return make_evidence("# model\n", registry=reg)


#: check id -> builders of evidence on which it must FAIL
FAILS: dict[str, tuple[Builder, ...]] = {
    **{cid: (_bare,) for cid in ("VET101", "VET102", "VET103", "VET104", "VET105", "VET106", "VET107")},
    **{cid: (_bare,) for cid in ("VET201", "VET202", "VET203", "VET204", "VET206")},
    "VET205": (_eval_data_unnamed,),
    "VET301": (_pickle_weights,),
    "VET302": (_bare,),
    "VET303": (_bare,),
    "VET304": (_bare,),
    "VET305": (_pickle_weights,),
    "VET306": (_bare,),
    **{cid: (_bare,) for cid in ("VET401", "VET402", "VET403", "VET404", "VET405", "VET406", "VET407", "VET408")},
    "VET501": (_licence_unknown,),
    "VET502": (_licences_disagree,),
    "VET503": (_bare, _non_commercial),
    "VET504": (_with_lineage("base_licence_dropped", "---\nlicense: mit\nbase_model: org/nc-base\n---\n# model\n"),),
    "VET505": (_with_lineage("non_commercial_dataset", "---\nlicense: mit\ndatasets:\n- tatsu-lab/alpaca\n---\n# model\n"),),
    "VET506": (_with_lineage("cycle", "---\nlicense: mit\nbase_model: org/loop\n---\n# model\n"),),
    "VET601": (_hash_mismatch,),
    "VET602": (_lfs_pointer,),
    "VET603": (_unsigned,),
    "VET604": (_unpinned,),
    "VET605": (_unsigned_commits,),
    "VET307": (_windows_name,),
    "VET606": (_no_weights,),
    "VET607": (_escaping_link,),
    "VET701": (_scanned({"pytorch_model.bin": _SYSTEM_PICKLE}),),
    "VET702": (_scanned({"pytorch_model.bin": _SYSTEM_PICKLE}),),
    "VET703": (_scanned({"custom.pkl": _CUSTOM_PICKLE}),),
    "VET704": (_scanned({"pytorch_model.bin": pickle.dumps({"w": [0.0] * 4}, protocol=4)}),),
    "VET705": (_scanned({"model.safetensors": _SAFETENSORS_HEADER_PAST_END}),),
    "VET706": (_scanned({"pytorch_model.bin": b"PK\x03\x04" + b"\0" * 26 + b"truncated zip"}),),
    "VET707": (_scanned({"config.json": _REMOTE_CODE_CONFIG, "modeling_evil.py": b"import os\nos.system('id')\n"}),),
    "VET708": (_scanned({"model.keras": _keras_lambda()}),),
    "VET709": (_scanned({"tokenizer_config.json": json.dumps({"chat_template": _EVIL_TEMPLATE}).encode()}),),
    "VET710": (_scanned({"saved_model.pb": _savedmodel_readfile()}),),
    "VET711": (_scanned({"model.onnx": _onnx_custom_domain()}),),
    "VET801": (_overstated,),
    "VET802": (_labels_permuted,),
    "VET803": (_unmeasurable,),
    "VET901": (_unpopular_and_stale,),
    "VET902": (_unpopular_and_stale,),
    "VET903": (_unpopular_and_stale,),
}

CASES = [pytest.param(cid, i, id=f"{cid}-{b.__name__.strip('_')}") for cid, builders in sorted(FAILS.items()) for i, b in enumerate(builders)]


def test_every_check_has_a_fail_case() -> None:
    registered = {c.meta.id for c in REGISTRY}
    assert len(registered) == len(REGISTRY) >= 50
    assert registered - set(FAILS) == set(), f"no FAIL case for {sorted(registered - set(FAILS))}"
    assert set(FAILS) - registered == set(), f"FAIL cases for unregistered checks {sorted(set(FAILS) - registered)}"
    families = {c.fn.__module__.rsplit(".", 1)[-1] for c in REGISTRY}
    assert len(families) >= 10


@pytest.mark.parametrize(("check_id", "case"), CASES)
def test_check_fails_on_bad_evidence(check_id: str, case: int, tmp_path: Path) -> None:
    (check,) = [c for c in REGISTRY if c.meta.id == check_id]
    findings = run_check(check, FAILS[check_id][case](tmp_path))
    assert findings and all(f.check_id == check_id for f in findings)
    outcomes = [f"{f.outcome}: {f.message}" for f in findings]
    assert Outcome.ERROR not in {f.outcome for f in findings}, outcomes
    assert Outcome.FAIL in {f.outcome for f in findings}, outcomes
    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    assert all(f.remedy for f in failed), "a failing finding says what to do"


def test_every_check_family_has_its_test_module() -> None:
    """tests/checks mirrors src/ptmvet/checks: one test_checks_<family>.py per module that registers checks."""
    families = sorted({c.fn.__module__.rsplit(".", 1)[-1] for c in REGISTRY})
    here = Path(__file__).parent
    missing = [f for f in families if not (here / f"test_checks_{f}.py").is_file()]
    assert missing == [], f"no tests/checks/test_checks_<family>.py for {missing}"
