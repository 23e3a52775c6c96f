"""Portability checks (VET3xx) on small evidence and tiny real files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from vetkit import lfs_file, make_evidence, one

from ptmvet.checks import portability as pt
from ptmvet.checks.interface import Outcome
from ptmvet.evidence import RegistryInfo
from ptmvet.sources.local import collect_folder


def test_safe_format_pass_mixed_fail_and_skip() -> None:
    f = one(pt.safe_weight_format, make_evidence(None, files=["model.safetensors"]))
    assert f.outcome is Outcome.PASS and f.details["formats"] == ["safetensors"]
    f = one(pt.safe_weight_format, make_evidence(None, files=["model.safetensors", "pytorch_model.bin"]))
    assert f.outcome is Outcome.PASS and f.details["code_executing"] == ["pytorch_model.bin"]
    f = one(pt.safe_weight_format, make_evidence(None, files=[lfs_file("pytorch_model.bin", 10)]))
    assert f.outcome is Outcome.FAIL
    assert f.evidence == ("pytorch_model.bin: pickle (a Git LFS pointer: content not present)",)
    assert f.remedy.startswith("Publish the weights as safetensors")
    # Trainer side files are not weights.
    assert (
        one(pt.safe_weight_format, make_evidence(None, files=["training_args.bin", "optimizer.pt"])).outcome
        is Outcome.SKIPPED
    )


def test_library_declared_tags_and_inferred() -> None:
    assert one(pt.library_declared, make_evidence("---\nlibrary_name: timm\n---\n")).evidence == (
        "card metadata library_name: timm",
    )
    assert one(pt.library_declared, make_evidence("---\ntags:\n- diffusers\n- art\n---\n")).evidence == (
        "card metadata tags: diffusers",
    )
    f = one(pt.library_declared, make_evidence("# M\n", files=["adapter_config.json"]))
    assert f.outcome is Outcome.PASS and f.details["strength"] == "inferred" and "peft" in f.message
    f = one(
        pt.library_declared, make_evidence(None, files=["config.json"], configs={"config.json": {"model_type": "bert"}})
    )
    assert "transformers" in f.message
    assert one(pt.library_declared, make_evidence("# M\n", files=["weights.xyz"])).outcome is Outcome.FAIL


def test_estimate_parameters_bert_and_distilbert() -> None:
    # bert-base-uncased: 109,482,240 parameters in BertModel (embeddings, 12 layers, pooler).
    bert = {"model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12, "intermediate_size": 3072, "vocab_size": 30522,
            "max_position_embeddings": 512, "type_vocab_size": 2}  # fmt: skip
    assert pt.estimate_parameters(bert) == 109_482_240
    distil = {"model_type": "distilbert", "dim": 768, "n_layers": 6, "hidden_dim": 3072, "vocab_size": 30522}
    assert pt.estimate_parameters(distil) == 66_362_880
    assert pt.estimate_parameters({"model_type": "vit", "hidden_size": 768}) is None
    assert pt.estimate_parameters({"model_type": "bert", "hidden_size": "768"}) is None


def test_model_size_from_real_safetensors_header(tmp_path: Path) -> None:
    save_file(
        {"a": np.zeros((3, 4), dtype=np.float32), "b": np.zeros((5,), dtype=np.float16)},
        str(tmp_path / "model.safetensors"),
    )
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "mystery"}))
    f = one(pt.model_size_known, collect_folder(tmp_path))
    assert f.outcome is Outcome.PASS
    assert f.details["parameters"] == 17 and f.details["parameters_source"] == "safetensors"
    assert f.details["dtypes"] == ["F16", "F32"]
    assert f.evidence[0] == "safetensors headers: 17 parameters in 2 tensors (F16, F32)"


def test_model_size_from_config_is_called_an_estimate(tmp_path: Path) -> None:
    # A truncated safetensors file gives no count; the BERT config's estimate must not read as a measured count.
    save_file({"a": np.zeros((64, 64), dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    data = (tmp_path / "model.safetensors").read_bytes()
    (tmp_path / "model.safetensors").write_bytes(data[: len(data) // 2])
    bert = {"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6, "intermediate_size": 1536,
            "vocab_size": 30522, "max_position_embeddings": 512, "type_vocab_size": 2}  # fmt: skip
    (tmp_path / "config.json").write_text(json.dumps(bert))
    f = one(pt.model_size_known, collect_folder(tmp_path))
    assert f.outcome is Outcome.PASS
    assert f.details["parameters_source"] == "estimate from config.json"
    assert f.message.startswith("≈22.7M parameters (estimate from config.json)")


def test_model_size_from_lfs_pointer_and_card() -> None:
    f = one(
        pt.model_size_known,
        make_evidence("# M\nA 110M parameters model.\n", files=[lfs_file("pytorch_model.bin", 440_000_000)]),
    )
    assert f.outcome is Outcome.PASS
    assert f.details["weights_bytes"] == {"pickle": 440_000_000}
    assert "pytorch_model.bin: 440.0MB (LFS pointer size)" in f.evidence
    assert any("110M parameters" in e for e in f.evidence)
    assert (
        one(
            pt.model_size_known,
            make_evidence("# M\n", files=["config.json"], configs={"config.json": {"model_type": "vit"}}),
        ).outcome
        is Outcome.FAIL
    )


def test_inference_requirements() -> None:
    assert (
        one(pt.inference_requirements, make_evidence("# M\nLatency is 12 ms per sentence on a T4.\n")).outcome
        is Outcome.PASS
    )
    assert (
        one(
            pt.inference_requirements,
            make_evidence("# M\n\n## Speeds, Sizes, Times\n\nIt needs about two gigabytes at fp16 precision.\n"),
        ).outcome
        is Outcome.PASS
    )
    assert one(pt.inference_requirements, make_evidence("# M\nA model.\n")).outcome is Outcome.FAIL


def test_alternative_formats() -> None:
    f = one(pt.alternative_formats, make_evidence(None, files=["model.safetensors", "onnx/model.onnx"]))
    assert f.outcome is Outcome.PASS and "export format: onnx/model.onnx" in f.evidence
    f = one(pt.alternative_formats, make_evidence(None, files=["model-q4_k_m.gguf"]))
    assert f.outcome is Outcome.PASS
    f = one(
        pt.alternative_formats,
        make_evidence(None, files=["model.safetensors"], configs={"config.json": {"quantization_config": {"bits": 4}}}),
    )
    assert "config.json: quantization_config" in f.evidence
    f = one(pt.alternative_formats, make_evidence(None, files=["model.safetensors"]))
    assert f.outcome is Outcome.FAIL and f.message == "weights published in one format only (safetensors)"
    assert one(pt.alternative_formats, make_evidence("# M\n")).outcome is Outcome.SKIPPED


def test_license_declared_variants() -> None:
    f = one(pt.license_declared, make_evidence("---\nlicense: apache-2.0\n---\n"))
    assert f.outcome is Outcome.PASS and f.evidence == ("card metadata license: apache-2.0",)
    f = one(pt.license_declared, make_evidence("# M\n", license_texts={"LICENSE": "MIT License ..."}))
    assert f.outcome is Outcome.PASS and f.details["files"] == ["LICENSE"]
    f = one(
        pt.license_declared, make_evidence("---\nlicense: other\nlicense_name: acme-1.0\nlicense_link: LICENSE\n---\n")
    )
    assert f.outcome is Outcome.PASS and "acme-1.0" in f.message
    assert one(pt.license_declared, make_evidence("---\nlicense: other\n---\n")).outcome is Outcome.FAIL
    assert one(pt.license_declared, make_evidence("---\nlicense: unknown\n---\n")).outcome is Outcome.FAIL
    f = one(pt.license_declared, make_evidence("# M\n"))
    assert f.outcome is Outcome.FAIL and f.message == "no licence declared"
    reg = RegistryInfo(source="hub", repo_id="o/m", tags=("license:mit",))
    assert one(pt.license_declared, make_evidence(None, registry=reg)).details["licenses"] == ["mit"]
