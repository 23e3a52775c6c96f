"""``ptmvet diff``: two revisions of a model, from folders, the HF cache, JSON reports and manifests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from safetensors.numpy import save_file

from ptmvet.cli import main
from ptmvet.diff import diff, is_weight

SCHEMA = json.loads((Path(__file__).parents[2] / "src/ptmvet/schemas/diff.schema.json").read_text())

CARD = """---
license: {lic}
base_model: {base}
model-index:
- name: m
  results:
  - task: {{type: text-classification}}
    dataset: {{name: SST-2, type: glue, split: validation}}
    metrics:
    - {{name: Accuracy, type: accuracy, value: {acc}}}
---
# Model

## Training data

Described.
"""


def make_revision(root: Path, *, lic: str = "mit", base: str = "org/base", acc: float = 0.91, scale: float = 1.0) -> Path:
    root.mkdir(parents=True)
    (root / "README.md").write_text(CARD.format(lic=lic, base=base, acc=acc))
    (root / "config.json").write_text(json.dumps({"model_type": "bert", "architectures": ["BertModel"]}))
    save_file({"w": (np.arange(12, dtype=np.float32) * scale).reshape(3, 4)}, str(root / "model.safetensors"))
    return root


def test_is_weight() -> None:
    assert is_weight("model.safetensors") and is_weight("sub/pytorch_model.bin")
    assert not is_weight("training_args.bin") and not is_weight("config.json")


def test_same_revision_twice_is_no_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_revision(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    d = diff(str(a), str(b))
    assert not d.changed and d.unchanged_files == 3 and d.files_compared
    assert main(["diff", str(a), str(b)]) == 0
    assert "no change" in capsys.readouterr().out


def test_weights_licence_base_and_claims(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_revision(tmp_path / "a")
    b = make_revision(tmp_path / "b", lic="cc-by-nc-4.0", base="org/other", acc=0.95, scale=2.0)
    (b / "tokenizer.json").write_text("{}")
    d = diff(str(a), str(b))
    files = {f.path: f for f in d.files}
    assert files["model.safetensors"].change == "changed" and files["model.safetensors"].weights
    assert files["tokenizer.json"].change == "added" and not files["tokenizer.json"].weights
    assert d.weights_changed and d.licence_changed
    what = {c.what: c for c in d.changes}
    assert what["licence"].old.lower() == "mit" and what["licence"].new.lower() == "cc-by-nc-4.0"
    assert what["base models"].old == ["org/base"] and what["base models"].new == ["org/other"]
    assert what["claims"].old == ["text-classification / glue / validation / accuracy = 0.91"]
    assert what["claims"].new == ["text-classification / glue / validation / accuracy = 0.95"]
    assert any(k.startswith("findings VET") for k in what)
    out = tmp_path / "d.json"
    assert main(["diff", str(a), str(b), "-f", "json", "-o", str(out)]) == 1
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["weights_changed"] and doc["licence_changed"]
    assert main(["diff", str(a), str(b)]) == 1
    assert "CHANGED: weights changed, licence changed" in capsys.readouterr().out


def test_only_a_card_edit_exits_zero(tmp_path: Path) -> None:
    a = make_revision(tmp_path / "a")
    b = make_revision(tmp_path / "b", acc=0.99)
    d = diff(str(a), str(b))
    assert [f.path for f in d.files] == ["README.md"] and not d.weights_changed and not d.licence_changed
    assert main(["diff", str(a), str(b)]) == 0


def test_two_hf_cache_revisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "hf" / "hub" / "models--org--name"
    old, new = "1" * 40, "2" * 40
    make_revision(repo / "snapshots" / old)
    make_revision(repo / "snapshots" / new, scale=3.0)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(new)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    d = diff(f"org/name@{old}", f"org/name@{new}", offline=True)
    assert d.old.revision == old and d.new.revision == new and d.old.kind == "hf-cache"
    assert [f.path for f in d.files] == ["model.safetensors"] and d.weights_changed


def test_json_reports_and_manifests(tmp_path: Path) -> None:
    a = make_revision(tmp_path / "a")
    b = make_revision(tmp_path / "b", lic="apache-2.0")
    ra, rb = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["check", str(a), "-f", "json", "-o", str(ra)]) in (0, 1)
    assert main(["check", str(b), "-f", "json", "-o", str(rb)]) in (0, 1)
    d = diff(str(ra), str(rb))
    assert not d.files_compared and any("files" in x for x in d.not_compared)
    assert d.licence_changed and not d.weights_changed
    ma, mb = tmp_path / "a.manifest.json", tmp_path / "b.manifest.json"
    assert main(["manifest", str(a), "-o", str(ma)]) == 0
    assert main(["manifest", str(b), "-o", str(mb)]) == 0
    dm = diff(str(ma), str(mb))
    assert dm.files_compared and [f.path for f in dm.files] == ["README.md"] and "licence" in dm.not_compared


def test_unreadable_side_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_revision(tmp_path / "a")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert main(["diff", str(a), str(bad)]) == 3
    assert main(["diff", str(a), str(tmp_path / "missing")]) == 3
    assert "bad.json" in capsys.readouterr().err


def test_a_folder_and_its_json_report_read_the_same(tmp_path: Path) -> None:
    """The side made now is read from the typed report, the saved one from its JSON: both must say the same."""
    from dataclasses import replace

    from ptmvet.diff import read_side

    a = make_revision(tmp_path / "a", lic="apache-2.0", base="org/base")
    saved = tmp_path / "a.json"
    assert main(["check", str(a), "--offline", "-f", "json", "-o", str(saved)]) in (0, 1)
    live, stored = read_side(str(a), offline=True), read_side(str(saved))
    assert live.licence == "Apache-2.0" and live.base_models == ("org/base",)
    assert live.claims == ("text-classification / glue / validation / accuracy = 0.91",)
    assert replace(live, label="", kind="", files=None) == replace(stored, label="", kind="", files=None)


def test_json_reports_whose_weights_differ_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Two JSON reports carry no per-file digests; a pickle added beside the weights used to exit 0,
    # "changed (no weights or licence)". The reports' own summary of the weights now decides.
    a = make_revision(tmp_path / "a")
    b = make_revision(tmp_path / "b")
    (b / "pytorch_model.bin").write_bytes(b"\x80\x02}q\x00.")
    ra, rb = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["check", str(a), "-f", "json", "-o", str(ra)]) == 0
    assert main(["check", str(b), "-f", "json", "-o", str(rb)]) == 0
    d = diff(str(ra), str(rb))
    assert not d.files_compared and d.weights_changed
    (change,) = [c for c in d.changes if c.what == "weights"]
    assert change.old["formats"] == ["safetensors"] and change.new["formats"] == ["pickle", "safetensors"]
    capsys.readouterr()
    assert main(["diff", str(ra), str(rb), "--format", "json"]) == 1
    jsonschema.validate(json.loads(capsys.readouterr().out), SCHEMA)
    assert not diff(str(ra), str(ra)).weights_changed
