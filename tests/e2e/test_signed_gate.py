"""End-to-end: the gate authenticates signatures, so a signed package can pass `strict` and an unsigned one cannot.

The package is a small but fully documented model in a git clone (so the strict
preset has nothing else to object to); it is signed with a throw-away CA.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from _pki import make_pki
from ptmvet.cli import main

pytest.importorskip("model_signing")
pytest.importorskip("OpenSSL")

CARD = """---
license: apache-2.0
base_model: bert-base-uncased
library_name: transformers
datasets:
- imdb
language:
- en
model-index:
- name: tiny-encoder
  results:
  - task:
      type: text-classification
    dataset:
      name: imdb
      type: imdb
      split: test
    metrics:
    - type: accuracy
      value: 0.51
---
# tiny-encoder

A tiny BERT-style encoder published by the ptmvet test suite to exercise the package checks. It maps short
English sentences to embeddings and was fine-tuned for one epoch on the IMDB reviews dataset. Developed by
the ptmvet maintainers (organisation: ptmvet project).

## Training procedure

Training hyperparameters: learning_rate 5e-05, train_batch_size 16, num_epochs 1, optimizer Adam, seed 42.

Framework versions: Transformers 4.44.0, PyTorch 2.4.0, Tokenizers 0.19.1.

Trained on one NVIDIA T4 GPU for ten minutes.

## How to use

```python
from transformers import AutoModel
model = AutoModel.from_pretrained("ptmvet/tiny-encoder")
```

## Intended use

Use it to test tooling that reads model packages. It is not meant for production traffic or for decisions
about people.

## Limitations and bias

The model is tiny and was trained on very little data, so its outputs are close to random and reflect the
biases of a small English review corpus. Check every output by hand before relying on it, and expect it to
fail on text that differs from short product reviews: other languages, long documents, code, or domain
vocabulary such as medical or legal terms. It has not been evaluated for fairness across groups of people;
treat it as a fixture for tests, not as a model of language.
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args], check=True, capture_output=True)


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(package, CA certificate, unsigned copy of the package)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from test_hostile_packages import safetensors_bytes

    root = tmp_path / "tiny-encoder"
    root.mkdir()
    (root / "README.md").write_text(CARD, encoding="utf-8")
    config = {"model_type": "bert", "architectures": ["BertModel"], "transformers_version": "4.44.0"}
    (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (root / "model.safetensors").write_bytes(safetensors_bytes())
    unsigned = tmp_path / "unsigned" / "tiny-encoder"
    shutil.copytree(root, unsigned)
    pki = make_pki(tmp_path / "pki", root_cn="Example Release CA", leaf_cn="release signer", email="release@example.org")
    ca = pki.ca
    assert main(["sign", str(root), "--key", str(pki.leaf_key), "--cert", str(pki.leaf), "--chain", str(ca)]) == 0
    for d in (root, unsigned):
        _git(d, "init", "-q")
        _git(d, "add", "-A")
        _git(d, "commit", "-qm", "release")
    return root, ca, unsigned


def _lineage_dump(folder: Path) -> Path:
    """Registry data for the card's base model and dataset: without it the lineage checks are skipped,
    and a skipped check counts against the licence score, which `strict` requires to be at least 8."""
    folder.mkdir(exist_ok=True)
    models = folder / "hf_models_list.jsonl.gz"
    with gzip.open(models, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "bert-base-uncased", "tags": ["license:apache-2.0"]}) + "\n")
    with gzip.open(folder / "hf_datasets_list.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "imdb", "tags": ["license:other"], "cardData": {"license": "other"}}) + "\n")
    return models


def _gate(tmp_path: Path, *args: str) -> tuple[int, dict[str, object]]:
    out = tmp_path / "gate.json"
    dump = _lineage_dump(tmp_path / "registry")
    code = main(["gate", *args, "--dump", str(dump), "--format", "json", "--output", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


def _failures(verdict: dict[str, object]) -> list[str]:
    items = verdict["items"]
    assert isinstance(items, list)
    return [str(i["message"]) for i in items if i["status"] == "fail"]


def test_signed_package_passes_strict_with_the_trust_anchor(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    root, ca, _ = signed
    code, verdict = _gate(tmp_path, str(root), "--policy", "strict", "--chain", str(ca), "--identity", "release@example.org")
    assert code == 0, _failures(verdict)
    code, verdict = _gate(tmp_path, str(root), "--policy", "strict", "--chain", str(ca), "--issuer", "Example Release CA")
    assert code == 0, _failures(verdict)


def test_signed_package_without_anchor_or_with_another_identity_fails_strict(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    root, ca, _ = signed
    code, verdict = _gate(tmp_path, str(root), "--policy", "strict")
    assert code == 1 and any("requires a valid signature" in m and "trust anchor" in m for m in _failures(verdict))
    code, verdict = _gate(tmp_path, str(root), "--policy", "strict", "--chain", str(ca), "--identity", "someone@else.org")
    assert code == 1 and any("not someone@else.org" in m for m in _failures(verdict)), _failures(verdict)


def test_unsigned_package_fails_strict(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, ca, unsigned = signed
    code, verdict = _gate(tmp_path, str(unsigned), "--policy", "strict", "--chain", str(ca))
    assert code == 1 and _failures(verdict) == [
        "VET603 signature-valid: no model signature in the package (model.sig or *.sig)",
        "the policy requires a valid signature: no model signature in the package (model.sig or *.sig)",
    ]


def test_policy_signature_block_names_anchor_and_identity(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    root, ca, unsigned = signed
    shutil.copy(ca, tmp_path / "release-ca.pem")
    policy = tmp_path / "release.yaml"
    policy.write_text(
        "version: 1\nextends: default\nsignature:\n  required: true\n  chain: [release-ca.pem]\n  identity: release@example.org\n",
        encoding="utf-8",
    )
    code, verdict = _gate(tmp_path, str(root), "--policy", str(policy))
    assert code == 0, _failures(verdict)
    code, verdict = _gate(tmp_path, str(unsigned), "--policy", str(policy))
    assert code == 1 and any("requires a valid signature" in m for m in _failures(verdict))
    other = tmp_path / "other.yaml"
    other.write_text(policy.read_text(encoding="utf-8").replace("release@example.org", "someone@else.org"), encoding="utf-8")
    code, verdict = _gate(tmp_path, str(root), "--policy", str(other))
    assert code == 1 and any("someone@else.org" in m for m in _failures(verdict))


def test_required_signature_in_a_policy_extending_default_is_enforced(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, _, unsigned = signed
    policy = tmp_path / "p.yaml"
    policy.write_text("version: 1\nextends: default\nsignature:\n  required: true\n", encoding="utf-8")
    code, verdict = _gate(tmp_path, str(unsigned), "--policy", str(policy))
    assert code == 1 and any("requires a valid signature" in m for m in _failures(verdict))
