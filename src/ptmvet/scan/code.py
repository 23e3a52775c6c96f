"""Code paths beyond pickle, found statically: remote code, Keras layers, chat templates, SavedModel ops.

Nothing here imports, compiles or renders what it reads: Python files are
parsed with :mod:`ast`, Jinja templates with ``jinja2``'s parser (no
rendering), Keras configurations and Hugging Face configs as JSON, SavedModel
graphs by searching the protobuf for the op names that touch files.
Each function returns :class:`~ptmvet.evidence.scan.ScanIssue` objects and a
few facts; none raises on bad input.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ptmvet.scan.model import ScanIssue, Verdict

_MAX_TEXT = 16 << 20  # JSON and Python files read whole up to this size


@dataclass
class CodeResult:
    """Issues and facts from one text artefact."""

    format: str
    issues: list[ScanIssue] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, code: str, verdict: Verdict, message: str, location: str = "") -> None:
        self.issues.append(ScanIssue(code=code, verdict=verdict, message=message, location=location))


# -- Hugging Face configs: auto_map and chat templates -------------------------------------------

#: Config files that transformers reads by name and that may carry ``auto_map`` or a chat template.
CONFIG_NAMES = frozenset(
    {
        "config.json",
        "tokenizer_config.json",
        "processor_config.json",
        "preprocessor_config.json",
        "feature_extractor_config.json",
        "image_processor_config.json",
        "generation_config.json",
        "chat_template.json",
        "video_preprocessor_config.json",
    }
)


def _auto_map_entries(auto_map: Any) -> Iterator[tuple[str, str]]:
    """(Auto class, reference) pairs; tokenizers map to a [slow, fast] pair."""
    if not isinstance(auto_map, dict):
        return
    for auto, ref in auto_map.items():
        refs = ref if isinstance(ref, list) else [ref]
        for r in refs:
            if isinstance(r, str) and r:
                yield str(auto), r


def scan_hf_config(doc: Any, *, location: str = "") -> CodeResult:
    """``auto_map`` (code that ``trust_remote_code=True`` runs) and chat templates of one config JSON."""
    res = CodeResult("hf-config")
    if not isinstance(doc, dict):
        return res
    entries = list(_auto_map_entries(doc.get("auto_map")))
    if entries:
        shipped: dict[str, list[str]] = {}
        remote: dict[str, list[str]] = {}
        for auto, ref in entries:
            if "--" in ref:  # "org/repo--module.Class": code from another repository
                repo, _, target = ref.partition("--")
                remote.setdefault(repo, []).append(f"{auto} -> {target}")
            else:
                module = ref.rsplit(".", 1)[0]
                shipped.setdefault(f"{module.replace('.', '/')}.py", []).append(f"{auto} -> {ref}")
        res.details["auto_map"] = {a: r for a, r in entries}
        res.details["remote_code_files"] = sorted(shipped)
        if remote:
            res.details["remote_code_repos"] = sorted(remote)
        lines = [f"{f} ({', '.join(v)})" for f, v in sorted(shipped.items())]
        lines += [f"another repository {repo} ({', '.join(v)})" for repo, v in sorted(remote.items())]
        res.add(
            "remote-code",
            Verdict.UNKNOWN,
            "loading needs trust_remote_code=True, which runs Python from " + "; ".join(lines),
            location,
        )
        if remote:
            res.add(
                "remote-code-elsewhere",
                Verdict.UNKNOWN,
                f"auto_map points at code in other repositories ({', '.join(sorted(remote))}): "
                "not in this package, so not analysed",
                location,
            )
    templates = doc.get("chat_template")
    if isinstance(templates, str):
        scan_template(templates, res, location=f"{location}#chat_template" if location else "chat_template")
    elif isinstance(templates, list):
        for i, t in enumerate(templates):
            if isinstance(t, dict) and isinstance(t.get("template"), str):
                name = str(t.get("name", i))
                scan_template(t["template"], res, location=f"{location}#chat_template[{name}]")
    return res


# -- Jinja chat templates -----------------------------------------------------------------------

#: Globals of Jinja or of the frameworks around it that lead to interpreter internals.
_DANGEROUS_TEMPLATE_NAMES = frozenset(
    {"self", "cycler", "joiner", "lipsum", "config", "request", "url_for", "get_flashed_messages", "__builtins__",
     "getattr", "os", "subprocess", "eval", "exec", "__import__"}
)  # fmt: skip
#: Attribute names no chat template needs: a walk towards modules, frames or the OS.
_DANGEROUS_ATTRS = frozenset(
    {"os", "subprocess", "sys", "popen", "system", "spawn", "eval", "exec", "import_module", "builtins",
     "modules", "environ", "func_globals", "f_globals", "f_locals", "gi_frame", "gi_code", "cr_frame",
     "co_code", "mro", "_module", "application", "check_output", "getoutput", "load", "loads", "b64decode",
     "urlopen", "open", "read", "write", "remove", "unlink", "rmtree", "fromhex", "decode"}
)  # fmt: skip


def scan_template(source: str, res: CodeResult, *, location: str = "") -> None:
    """Parse a Jinja template (never render it) and flag walks to interpreter internals or the OS."""
    res.details["chat_templates"] = res.details.get("chat_templates", 0) + 1
    try:
        from jinja2 import nodes
        from jinja2.exceptions import TemplateSyntaxError
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ImportError:  # pragma: no cover - jinja2 is a core dependency
        res.add("not-analysed", Verdict.UNKNOWN, "jinja2 is not installed: chat template not analysed", location)
        return
    env = ImmutableSandboxedEnvironment()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        res.add("template-error", Verdict.UNKNOWN, f"chat template does not parse: {exc.message}", location)
        return
    except (RecursionError, MemoryError, ValueError) as exc:
        res.add("template-error", Verdict.UNKNOWN, f"chat template does not parse: {type(exc).__name__}", location)
        return
    hits: list[str] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Filter, nodes.Const)):
        what: str | None = None
        if isinstance(node, nodes.Getattr):
            what = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            what = node.arg.value
        elif isinstance(node, nodes.Name) and node.name in _DANGEROUS_TEMPLATE_NAMES:
            hits.append(f"global {node.name}")
            continue
        elif isinstance(node, nodes.Filter) and node.name == "attr":
            arg = node.args[0] if node.args else None
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                what = arg.value
            else:
                hits.append("attr filter with a computed name")
                continue
        elif isinstance(node, nodes.Const) and isinstance(node.value, str) and "__" in node.value:
            what = node.value if re.fullmatch(r"__\w+__", node.value) else None
        if what is not None and (what.startswith("__") or what in _DANGEROUS_ATTRS):
            hits.append(f"attribute {what}")
    if hits:
        uniq = list(dict.fromkeys(hits))
        res.add(
            "template-injection",
            Verdict.DANGEROUS,
            "chat template reaches interpreter internals or the OS: " + ", ".join(uniq[:8])
            + (f" (+{len(uniq) - 8} more)" if len(uniq) > 8 else ""),
            location,
        )


# -- Python files that trust_remote_code runs ---------------------------------------------------

#: Fully qualified callables whose call in shipped model code runs commands, loads code or reaches the network.
_DANGEROUS_CALLS = frozenset(
    {"eval", "exec", "compile", "__import__", "builtins.eval", "builtins.exec", "builtins.__import__",
     "os.system", "os.popen", "os.execv", "os.execve", "os.execl", "os.execlp", "os.execvp", "os.spawnl",
     "os.spawnv", "os.spawnlp", "os.fork", "os.forkpty", "os.kill", "os.remove", "os.unlink", "os.rmdir",
     "os.removedirs", "os.putenv", "shutil.rmtree", "pickle.load", "pickle.loads", "cPickle.loads", "dill.load",
     "dill.loads", "marshal.loads", "marshal.load", "importlib.import_module", "webbrowser.open",
     "code.interact", "runpy.run_path", "runpy.run_module", "ctypes.CDLL", "ctypes.cdll.LoadLibrary",
     "urllib.request.urlopen", "urllib.request.urlretrieve", "requests.get", "requests.post", "httpx.get",
     "httpx.post", "socket.socket", "socket.create_connection", "pty.spawn", "base64.b64decode"}
)  # fmt: skip
_DANGEROUS_PREFIXES = ("subprocess.", "pty.", "socket.", "ctypes.", "requests.", "http.client.", "ftplib.", "smtplib.")


def _qualname(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def scan_python(source: bytes, *, location: str = "") -> CodeResult:
    """Calls in a Python file that run commands, load code or reach the network, found with ``ast``."""
    res = CodeResult("python")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        res.add("not-analysed", Verdict.UNKNOWN, f"Python file does not parse: {type(exc).__name__}", location)
        return res
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[(a.asname or a.name).split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            q = _qualname(node.func, aliases)
            if q and (q in _DANGEROUS_CALLS or q.startswith(_DANGEROUS_PREFIXES)):
                found.setdefault(q, getattr(node, "lineno", 0))
    res.details["dangerous_calls"] = sorted(found)
    if found:
        res.add(
            "dangerous-call",
            Verdict.DANGEROUS,
            "calls that run commands, load code or reach the network: "
            + ", ".join(f"{q} (line {ln})" for q, ln in sorted(found.items(), key=lambda kv: kv[1])[:10]),
            location,
        )
    return res


# -- Keras ------------------------------------------------------------------------------------------

#: Keras layer classes that hold Python code.
_CODE_LAYERS = frozenset({"Lambda", "TFOpLambda", "SlicingOpLambda"})
_KERAS_MODULES = ("keras", "tensorflow", "tf_keras", "keras_nlp", "keras_hub", "keras_cv")


#: Class names Keras itself provides (layers, initializers, regularizers, optimizers, losses, metrics);
#: a ``class_name`` outside them, without a ``keras`` module, needs custom Python code at load time.
KERAS_BUILTINS = frozenset(
    ["InputLayer", "Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "Flatten", "Reshape", "Permute", "RepeatVector", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization", "Embedding", "LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell", "SimpleRNNCell", "StackedRNNCells", "RNN", "ConvLSTM2D", "Bidirectional", "TimeDistributed", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Rescaling", "Normalization", "Resizing", "CenterCrop", "Masking", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Functional", "Sequential", "Model", "DTypePolicy", "Policy", "DTypePolicyMap", "Identity", "TextVectorization", "StringLookup", "IntegerLookup", "CategoryEncoding", "Hashing", "Discretization", "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation", "RandomCrop", "RandomBrightness", "EinsumDense", "SyncBatchNormalization", "InputSpec", "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal", "Orthogonal", "VarianceScaling", "L1", "L2", "L1L2", "OrthogonalRegularizer", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion", "LossScaleOptimizer", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts", "InverseTimeDecay", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy", "CategoricalFocalCrossentropy", "SparseCategoricalCrossentropy", "Huber", "KLDivergence", "Hinge", "SquaredHinge", "CategoricalHinge", "Poisson", "CosineSimilarity", "LogCosh", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "AUC", "Precision", "Recall", "Mean", "Sum", "MeanMetricWrapper", "RootMeanSquaredError", "F1Score", "FBetaScore", "MeanIoU", "IoU", "OneHotIoU", "OneHotMeanIoU", "R2Score", "TruePositives", "TrueNegatives", "FalsePositives", "FalseNegatives", "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity", "Sigmoid", "Tanh", "Swish", "Gelu", "Linear"]
)
#: Loss and metric names Keras resolves from a string.
KERAS_BUILTIN_STRINGS = frozenset(
    ["mse", "mae", "mape", "msle", "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_focal_crossentropy", "categorical_focal_crossentropy", "kld", "kl_divergence", "kullback_leibler_divergence", "huber", "huber_loss", "hinge", "squared_hinge", "categorical_hinge", "poisson", "cosine_similarity", "log_cosh", "logcosh", "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "precision", "recall", "crossentropy", "ce", "bce"]
)


def _walk_keras(obj: Any, res: CodeResult, location: str, depth: int = 0) -> None:
    if depth > 200:
        res.add("limit-nesting", Verdict.UNKNOWN, "Keras configuration nested too deep; not fully analysed", location)
        return
    if isinstance(obj, dict):
        cls = obj.get("class_name")
        if isinstance(cls, str):
            module = obj.get("module")
            if cls in _CODE_LAYERS:
                conf = obj.get("config")
                res.details.setdefault("lambda_layers", []).append(
                    str(conf.get("name", cls))[:80] if isinstance(conf, dict) else cls
                )
            elif isinstance(module, str) and module and not module.startswith(_KERAS_MODULES):
                res.details.setdefault("custom_objects", []).append(f"{module}.{cls}"[:120])
            elif not module and cls not in KERAS_BUILTINS and cls != "function":
                res.details.setdefault("custom_objects", []).append(cls[:120])
        for key in ("loss", "metrics", "weighted_metrics"):
            v = obj.get(key)
            names = v if isinstance(v, list) else list(v.values()) if isinstance(v, dict) else [v]
            for n in names:
                if isinstance(n, str) and n not in KERAS_BUILTIN_STRINGS and n.lower() not in KERAS_BUILTIN_STRINGS:
                    res.details.setdefault("custom_objects", []).append(f"{key} {n}"[:120])
        for v in obj.values():
            _walk_keras(v, res, location, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            _walk_keras(v, res, location, depth + 1)


def scan_keras_config(doc: Any, res: CodeResult, *, location: str = "") -> None:
    """Lambda layers (Python bytecode) and custom objects in a Keras model configuration."""
    scan_keras_configs([doc], res, location=location)


def scan_keras_configs(docs: list[Any], res: CodeResult, *, location: str = "") -> None:
    """:func:`scan_keras_config` over several configuration documents of one file, with one issue per kind."""
    for doc in docs:
        _walk_keras(doc, res, location)
    lambdas = res.details.get("lambda_layers", [])
    custom = sorted(set(res.details.get("custom_objects", [])))
    if custom:
        res.details["custom_objects"] = custom
    if lambdas:
        res.add(
            "keras-lambda",
            Verdict.DANGEROUS,
            f"Lambda layer(s) carry Python code that runs when the model is loaded without safe_mode or called: "
            f"{', '.join(lambdas[:5])}",
            location,
        )
    if custom:
        res.add(
            "keras-custom-object",
            Verdict.UNKNOWN,
            f"custom objects need their Python code at load time: {', '.join(custom[:5])}",
            location,
        )


def _json_objects(data: bytes, marker: bytes) -> Iterator[Any]:
    """JSON objects embedded in binary data (an HDF5 attribute), found from ``marker`` by brace matching."""
    start = data.find(marker)
    seen = 0
    while start >= 0 and seen < 16:
        seen += 1
        depth = 0
        in_str = esc = False
        end = -1
        for i in range(start, min(len(data), start + _MAX_TEXT)):
            c = data[i]
            if in_str:
                if esc:
                    esc = False
                elif c == 0x5C:
                    esc = True
                elif c == 0x22:
                    in_str = False
            elif c == 0x22:
                in_str = True
            elif c == 0x7B:
                depth += 1
            elif c == 0x7D:
                depth -= 1
                if depth == 0:
                    end = i + 1
                    break
        if end < 0:
            return
        doc = load_json(data[start:end])
        if doc is not None:
            yield doc
        start = data.find(marker, end)


def scan_hdf5(data: bytes, *, location: str = "") -> CodeResult:
    """A Keras ``.h5`` file: the model configuration JSON stored in its ``model_config`` attribute."""
    res = CodeResult("keras-h5")
    configs = list(_json_objects(data, b'{"class_name"')) + list(_json_objects(data, b'{"loss"'))
    res.details["keras_configs"] = len(configs)
    scan_keras_configs(configs, res, location=location)
    if not configs and b"model_config" in data:
        res.add(
            "not-analysed",
            Verdict.UNKNOWN,
            "HDF5 file has a model_config attribute the scanner could not read (compressed or chunked)",
            location,
        )
    # a Lambda's marshalled bytecode is stored base64 in the config; its presence alone is decisive
    return res


# -- TensorFlow SavedModel ----------------------------------------------------------------------------

#: Graph ops that read, write or list files, or call back into Python, when the graph runs.
SAVEDMODEL_FILE_OPS = (
    "ReadFile", "WriteFile", "MatchingFiles", "DeleteFile", "PyFunc", "PyFuncStateless", "EagerPyFunc",
    "ImmutableConst", "LoadLibrary", "DebugIdentityV2", "PrintV2", "WholeFileReader", "WholeFileReaderV2",
)  # fmt: skip
#: NodeDef.op is field 2 (tag 0x12), a length-prefixed string.
_OP_PATTERNS = tuple((op, b"\x12" + bytes([len(op)]) + op.encode()) for op in SAVEDMODEL_FILE_OPS)
_OP_RISK = {"PrintV2": Verdict.UNKNOWN, "DebugIdentityV2": Verdict.UNKNOWN, "ImmutableConst": Verdict.UNKNOWN}


def scan_savedmodel(data: bytes, *, location: str = "") -> CodeResult:
    """Ops in a SavedModel graph (``saved_model.pb``) that touch files or run Python, without TensorFlow."""
    res = CodeResult("savedmodel")
    found = [op for op, pat in _OP_PATTERNS if pat in data]
    res.details["file_ops"] = found
    danger = [op for op in found if op not in _OP_RISK]
    if danger:
        res.add(
            "savedmodel-file-op",
            Verdict.DANGEROUS,
            f"graph ops that read or write files or call Python when the model runs: {', '.join(danger)}",
            location,
        )
    elif found:
        res.add("savedmodel-file-op", Verdict.UNKNOWN, f"graph ops that touch files: {', '.join(found)}", location)
    return res


def load_json(data: bytes) -> Any:
    """A JSON document, or None when it is not one (never raises)."""
    if len(data) > _MAX_TEXT:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None
