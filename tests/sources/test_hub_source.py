"""The Hub source, against recorded-shape responses served by a mock transport."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import huggingface_hub
import huggingface_hub.constants as hf_constants
import pytest

from ptmvet.errors import ModelNotFound
from ptmvet.sources import collect
from ptmvet.sources.hub import registry_from_json

SHA = "1" * 40
README = b"---\nlicense: apache-2.0\nbase_model: bert-base-uncased\n---\n# A model\n\nSome words about it.\n"
CONFIG = json.dumps({"architectures": ["BertModel"], "model_type": "bert"}).encode()
WEIGHTS_SHA = hashlib.sha256(b"weights").hexdigest()

MODEL_INFO = {
    "_id": "x",
    "id": "org/model",
    "modelId": "org/model",
    "author": "org",
    "sha": SHA,
    "lastModified": "2024-05-01T10:00:00.000Z",
    "createdAt": "2023-01-01T00:00:00.000Z",
    "private": False,
    "gated": False,
    "disabled": False,
    "downloads": 1234,
    "likes": 56,
    "library_name": "transformers",
    "pipeline_tag": "feature-extraction",
    "tags": ["transformers", "safetensors", "license:apache-2.0"],
    "cardData": {"license": "apache-2.0", "base_model": "bert-base-uncased"},
    "securityRepoStatus": {"scansDone": True, "filesWithIssues": []},
    "siblings": [
        {"rfilename": "README.md", "size": len(README), "blobId": "a" * 40},
        {"rfilename": "config.json", "size": len(CONFIG), "blobId": "b" * 40},
        {
            "rfilename": "model.safetensors",
            "size": 7,
            "blobId": "c" * 40,
            "lfs": {"sha256": WEIGHTS_SHA, "size": 7, "pointerSize": 130},
        },
    ],
}

FILES = {"README.md": README, "config.json": CONFIG}


def _handler(request: httpx2.Request) -> httpx2.Response:
    path = request.url.path
    if path in ("/api/models/org/model", f"/api/models/org/model/revision/{SHA}", "/api/models/org/model/revision/main"):
        return httpx2.Response(200, json=MODEL_INFO)
    if path.startswith("/api/models/"):
        return httpx2.Response(404, headers={"x-error-code": "RepoNotFound"}, json={"error": "Repository not found"})
    for name, body in FILES.items():
        if path.endswith(f"/resolve/{SHA}/{name}") or path.endswith(f"/resolve/main/{name}"):
            headers = {
                "x-repo-commit": SHA,
                "etag": '"' + hashlib.sha1(body).hexdigest() + '"',
                "content-length": str(len(body)),
            }
            return httpx2.Response(200, headers=headers, content=b"" if request.method == "HEAD" else body)
    return httpx2.Response(404, headers={"x-error-code": "EntryNotFound"})


@pytest.fixture
def mock_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    huggingface_hub.set_client_factory(lambda: httpx2.Client(transport=httpx2.MockTransport(_handler)))
    yield
    huggingface_hub.set_client_factory(httpx2.Client)  # type: ignore[arg-type]


def test_hub_source_reads_model_info_and_card(mock_hub: None) -> None:
    ev = collect("org/model", offline=False)
    assert ev.target.source == "hub"
    assert ev.target.revision == SHA
    assert ev.registry is not None
    assert ev.registry.downloads == 1234
    assert ev.registry.likes == 56
    assert ev.registry.last_modified is not None and ev.registry.last_modified.year == 2024
    assert ev.registry.gated is False
    weights = ev.file("model.safetensors")
    assert weights is not None and not weights.local
    assert weights.registry_sha256 == WEIGHTS_SHA and weights.registry_size == 7
    assert ev.card is not None and ev.card.metadata["license"] == "apache-2.0"
    assert ev.config["model_type"] == "bert"
    readme = ev.file("README.md")
    assert readme is not None and readme.local


def test_hub_source_unknown_model_is_a_clear_error(mock_hub: None) -> None:
    with pytest.raises(ModelNotFound, match="org/missing"):
        collect("org/missing", offline=False)


def test_registry_from_json_reads_2022_and_2024_shapes() -> None:
    old = {"modelId": "bert-base-uncased", "sha": SHA, "lastModified": "2021-05-18T16:20:12.000Z",
           "tags": ["pytorch"], "pipeline_tag": "fill-mask", "siblings": [{"rfilename": "pytorch_model.bin"}]}  # fmt: skip
    info, files = registry_from_json(old)
    assert info.repo_id == "bert-base-uncased" and info.pipeline_tag == "fill-mask"
    assert files[0].path == "pytorch_model.bin" and files[0].registry_sha256 is None
    info2, files2 = registry_from_json(MODEL_INFO)
    assert info2.repo_id == "org/model" and info2.downloads == 1234
    assert [f.registry_sha256 for f in files2 if f.path.endswith(".safetensors")] == [WEIGHTS_SHA]
