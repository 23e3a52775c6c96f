"""Code paths beyond pickle: remote code, Keras Lambda layers, chat templates, SavedModel ops, ONNX custom ops.

Nothing written here is imported, rendered or run by the scanner.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from tests.checks.vetkit import safety_outcomes, scanned

from ptmvet.checks.interface import Outcome
from ptmvet.scan import Verdict, scan_file, scan_path

BENIGN_TEMPLATE = (
    "{% set ns = namespace(sys=false) %}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set ns.sys = true %}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] | trim + '<|im_end|>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
EVIL_TEMPLATES = [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ ''|attr('__class__')|attr('__mro__') }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ self._TemplateReference__context }}",
    "{{ request['application']['\\x5f\\x5fglobals\\x5f\\x5f'] }}",
    "{% set a = 'x' %}{{ ''|attr(a) }}",
]


def _codes(path: Path) -> set[str]:
    return {i.code for i in scan_file(path).issues}


def test_remote_code_auto_map_and_dangerous_calls(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps(
            {
                "model_type": "evil",
                "auto_map": {
                    "AutoConfig": "configuration_evil.EvilConfig",
                    "AutoModel": "modeling_evil.EvilModel",
                    "AutoModelForCausalLM": "other/repo--modeling_x.XModel",
                },
            }
        )
    )
    (tmp_path / "tokenizer_config.json").write_text(
        json.dumps({"auto_map": {"AutoTokenizer": ["tokenization_evil.EvilTokenizer", None]}})
    )
    (tmp_path / "modeling_evil.py").write_text(
        "import subprocess as sp\nfrom os import system\nimport torch\n\n"
        "class EvilModel(torch.nn.Module):\n    def __init__(self):\n        system('id')\n        sp.run(['ls'])\n"
    )
    (tmp_path / "configuration_evil.py").write_text("class EvilConfig:\n    model_type = 'evil'\n")
    cfg = scan_file(tmp_path / "config.json")
    assert cfg.format == "hf-config"
    assert cfg.details["remote_code_files"] == ["configuration_evil.py", "modeling_evil.py"]
    assert cfg.details["remote_code_repos"] == ["other/repo"]
    assert {"remote-code", "remote-code-elsewhere"} <= {i.code for i in cfg.issues}
    py = scan_file(tmp_path / "modeling_evil.py")
    assert py.verdict is Verdict.DANGEROUS and py.details["dangerous_calls"] == ["os.system", "subprocess.run"]
    assert scan_file(tmp_path / "configuration_evil.py").verdict is Verdict.SKIPPED
    out = safety_outcomes(scanned(tmp_path))
    assert out["VET707"].count(Outcome.FAIL) == 3  # config.json, tokenizer_config.json, modeling_evil.py


def test_plain_config_is_quiet(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 8}))
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"chat_template": BENIGN_TEMPLATE}))
    assert scan_path(tmp_path) == ()
    out = safety_outcomes(scanned(tmp_path))
    assert out["VET707"] == [Outcome.PASS] and out["VET709"] == [Outcome.PASS]


@pytest.mark.parametrize("template", EVIL_TEMPLATES)
def test_chat_template_injection(tmp_path: Path, template: str) -> None:
    p = tmp_path / "tokenizer_config.json"
    p.write_text(json.dumps({"chat_template": [{"name": "default", "template": template}]}))
    r = scan_file(p)
    assert r.verdict is Verdict.DANGEROUS and "template-injection" in {i.code for i in r.issues}


def test_chat_template_files_and_broken_templates(tmp_path: Path) -> None:
    (tmp_path / "chat.jinja").write_text(EVIL_TEMPLATES[0])
    assert "template-injection" in _codes(tmp_path / "chat.jinja")
    (tmp_path / "chat_template.json").write_text(json.dumps({"chat_template": "{% for x in %}"}))
    r = scan_file(tmp_path / "chat_template.json")
    assert r.verdict is Verdict.UNKNOWN and "template-error" in {i.code for i in r.issues}


def test_gguf_chat_template(tmp_path: Path) -> None:
    gguf = pytest.importorskip("gguf")
    np = pytest.importorskip("numpy")
    for name, template, dangerous in [("evil.gguf", EVIL_TEMPLATES[2], True), ("good.gguf", BENIGN_TEMPLATE, False)]:
        w = gguf.GGUFWriter(str(tmp_path / name), "llama")
        w.add_string("tokenizer.chat_template", template)
        w.add_tensor("t", np.zeros(4, dtype=np.float32))
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
        r = scan_file(tmp_path / name)
        assert r.format == "gguf"
        assert (r.verdict is Verdict.DANGEROUS) is dangerous, r.issues


def _keras_config(layer: dict[str, object]) -> dict[str, object]:
    return {
        "class_name": "Sequential",
        "config": {
            "name": "seq",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 4]}},
                layer,
                {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2}},
            ],
        },
    }


LAMBDA = {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "lambda", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}}}


def test_keras_archive_with_lambda(tmp_path: Path) -> None:
    p = tmp_path / "model.keras"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        zf.writestr("config.json", json.dumps(_keras_config(LAMBDA)))
        zf.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    r = scan_file(p)
    assert r.verdict is Verdict.DANGEROUS and "keras-lambda" in {i.code for i in r.issues}


def test_keras_h5_lambda_custom_and_clean(tmp_path: Path) -> None:
    def h5(name: str, config: dict[str, object], training: dict[str, object] | None = None) -> Path:
        blob = b"\x89HDF\r\n\x1a\n" + b"\0" * 100 + b"model_config\0" + json.dumps(config).encode() + b"\0" * 16
        if training is not None:
            blob += b"training_config\0" + json.dumps(training).encode() + b"\0"
        (tmp_path / name).write_bytes(blob)
        return tmp_path / name

    assert "keras-lambda" in _codes(h5("lambda.h5", _keras_config(LAMBDA)))
    custom = scan_file(h5("custom.h5", _keras_config({"class_name": "Backdoor", "config": {"name": "b"}})))
    assert custom.verdict is Verdict.UNKNOWN and custom.details["custom_objects"] == ["Backdoor"]
    loss = scan_file(h5("loss.h5", _keras_config({"class_name": "Dropout", "config": {}}), {"loss": "evil_loss"}))
    assert loss.details["custom_objects"] == ["loss evil_loss"]
    clean = scan_file(h5("clean.h5", _keras_config({"class_name": "Dropout", "config": {}}), {"loss": "mse"}))
    assert clean.format == "keras-h5" and clean.verdict is Verdict.SAFE


def test_savedmodel_file_ops(tmp_path: Path) -> None:
    d = tmp_path / "sm"
    d.mkdir()
    node = b"\x0a\x04read\x12\x08ReadFile" + b"\x0a\x05write\x12\x09WriteFile"
    (d / "saved_model.pb").write_bytes(b"\x08\x01\x12" + bytes([len(node) + 2]) + b"\x12" + bytes([len(node)]) + node)
    r = scan_file(d / "saved_model.pb")
    assert r.format == "savedmodel" and r.verdict is Verdict.DANGEROUS
    assert r.details["file_ops"] == ["ReadFile", "WriteFile"]
    (d / "saved_model.pb").write_bytes(b"\x08\x01\x12\x0c\x12\x0a\x0a\x01x\x12\x05MatMul")
    assert scan_file(d / "saved_model.pb").verdict is Verdict.SKIPPED or scan_file(d / "saved_model.pb").verdict is Verdict.SAFE


def test_onnx_custom_domain(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    node = helper.make_node("Evil", ["x"], ["y"], domain="com.evil.ops")
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.evil.ops", 1)])
    onnx.save(model, tmp_path / "model.onnx")
    r = scan_file(tmp_path / "model.onnx")
    assert "onnx-custom-op" in {i.code for i in r.issues} and r.details["custom_domains"] == ["com.evil.ops"]
    out = safety_outcomes(scanned(tmp_path))
    assert out["VET711"] == [Outcome.FAIL]
