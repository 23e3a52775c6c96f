"""The task-runner axis: load a model safely, stream data through it, keep per-row predictions.

Weights load only from safetensors (transformers, sentence-transformers) or
skops with trusted types (scikit-learn). A package with only pickle weights
(``pytorch_model.bin``) is refused with :class:`RefusedWeights`; with
``allow_pickle`` it is read through ``torch.load(weights_only=True)``, which
unpickles tensors and containers only.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ptmvet.errors import DependencyMissing, Error, ExitCode, InputError, UsageError

if TYPE_CHECKING:  # numpy-backed types: imported only where a measurement runs, so `ptmvet check` stays light
    from ptmvet.evaluate.datasets import ColumnMap, Dataset
    from ptmvet.evaluate.labels import LabelMap, PermutationCheck
    from ptmvet.evaluate.metrics import Predictions

from ptmvet.evaluate.tasks.table import RUNNERS, TASK_ALIASES
from ptmvet.progress import Progress

PICKLE_WEIGHTS = ("pytorch_model.bin", "model.pt", "model.pth", "pytorch_model.pt")


class RefusedWeights(Error):
    """The model's weights would need code execution (pickle) to load."""

    exit_code = ExitCode.FAILED


class MissingWeights(InputError):
    """The weight files are Git LFS pointers (or absent): the content was never fetched."""


class UnsupportedTask(Error):
    """No runner for this task, or the model does not fit it."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """How a runner runs. Keyword-only."""

    batch_size: int | None = None  # None: chosen from the free memory of the device (resolve_run_options)
    chunk_rows: int = 1024  # rows read, sorted by length and batched at a time
    device: str = "cpu"  # cpu, cuda, cuda:N, mps, or auto
    threads: int | None = None
    allow_pickle: bool = False
    max_length: int | None = None
    seed: int = 0


    @property
    def batch(self) -> int:
        """Rows per forward pass (``DEFAULT_BATCH`` until :func:`resolve_run_options` sized it)."""
        return self.batch_size or DEFAULT_BATCH


DEFAULT_BATCH = 32
DEVICES = ("cpu", "cuda", "mps", "auto")


def resolve_device(name: str) -> str:
    """A torch device for ``name``: ``auto`` is the first of cuda, mps, cpu that this machine has."""
    import torch

    want = name.strip().lower()
    if want == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    if want.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(f"--device {name}: no CUDA device is available here", hint="use --device auto or cpu")
    if want == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise UsageError("--device mps: Metal (MPS) is not available here", hint="use --device auto or cpu")
    if want != "cpu" and not want.startswith(("cuda", "mps")):
        raise UsageError(f"unknown device {name!r}", hint=f"one of {', '.join(DEVICES)}")
    return want


def free_memory(device: str) -> int | None:
    """Bytes free for a measurement on ``device``: the GPU's free memory, or the host's available memory."""
    import torch

    if device.startswith("cuda"):
        free, _total = torch.cuda.mem_get_info(torch.device(device))
        return int(free)
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


#: Largest batch worth taking: CPUs gain nothing past a few dozen rows; GPUs fill up to a few hundred.
MAX_BATCH = {"cpu": 64, "mps": 128, "cuda": 512}


def choose_batch_size(model_path: Path, device: str, *, max_length: int | None = None, free: int | None = None) -> int:
    """A batch size from the model's shape (config.json) and a quarter of the free memory of ``device``.

    The estimate per row is the activations of one layer at full length (hidden states,
    the feed-forward block and the attention maps in float32) times a safety factor of 4,
    rounded down to a power of two and capped at ``MAX_BATCH``.
    """
    cap = MAX_BATCH.get(device.split(":", 1)[0], 64)
    free = free if free is not None else free_memory(device)
    try:
        cfg = json.loads((model_path / "config.json").read_text("utf-8")) if model_path.is_dir() else {}
    except (OSError, ValueError):
        cfg = {}
    if not isinstance(cfg, Mapping) or free is None:
        return DEFAULT_BATCH
    hidden = int(cfg.get("hidden_size") or cfg.get("d_model") or 768)
    inter = int(cfg.get("intermediate_size") or cfg.get("encoder_ffn_dim") or 4 * hidden)
    heads = int(cfg.get("num_attention_heads") or cfg.get("encoder_attention_heads") or 12)
    length = int(max_length or cfg.get("max_position_embeddings") or 512)
    length = min(length, 512)
    per_row = 4 * 4 * (length * (2 * hidden + inter) + heads * length * length)
    fit = max(1, int(free * 0.25 // per_row))
    return max(1, min(cap, 1 << (fit.bit_length() - 1)))


def resolve_run_options(options: RunOptions, model_path: Path) -> RunOptions:
    """Options with a concrete device and batch size (chosen from free memory when not given)."""
    from dataclasses import replace

    device = resolve_device(options.device)
    batch = options.batch_size or choose_batch_size(model_path, device, max_length=options.max_length)
    return replace(options, device=device, batch_size=batch)


@dataclass(frozen=True)
class RunOutput:
    """What a runner returns: predictions for metrics, and what it learned on the way."""

    predictions: Predictions
    rows: int
    label_map: LabelMap | None = None
    permutation: PermutationCheck | None = None
    alternative: Predictions | None = None  # predictions under the suggested relabelling
    scores: Predictions | None = None  # per-row statistics of a second kind of metric (top-5 hits of a classifier)
    notes: tuple[str, ...] = ()
    weight_files: Mapping[str, str] = field(default_factory=dict)  # path -> sha256
    libraries: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class TaskRunner(Protocol):
    """Runs one kind of model over one dataset."""

    task: str

    def run(self, model_path: Path, data: Dataset, columns: ColumnMap, options: RunOptions, progress: Progress | None = None) -> RunOutput:
        """Predict every row; raise RefusedWeights, UnsupportedTask or InputError."""
        ...




def canonical_task(task: str | None) -> str | None:
    """A task name from a card mapped onto a runner's task, or None."""
    if not task:
        return None
    t = task.strip().lower().replace("_", "-")
    return t if t in RUNNERS else TASK_ALIASES.get(t)


def runner_for(task: str) -> TaskRunner:
    """The runner for a (canonical) task."""
    spec = RUNNERS.get(task)
    if spec is None:
        raise UnsupportedTask(f"no runner for task {task!r}", hint=f"supported: {', '.join(sorted(RUNNERS))}")
    mod = spec.module
    try:
        module = importlib.import_module(f"ptmvet.evaluate.tasks.{mod}")
    except ModuleNotFoundError as exc:
        if exc.name != f"ptmvet.evaluate.tasks.{mod}":
            raise
        raise UnsupportedTask(f"unsupported task {task!r}: no runner in this version") from exc
    runner: TaskRunner = module.RUNNER
    return runner if runner.task == task else module.runner(task)  # type: ignore[no-any-return]


def infer_task(model_path: Path, configs: Mapping[str, Any] | None = None) -> str | None:
    """The task a model package is for, from its files and config."""
    if model_path.suffix == ".skops" or any(model_path.glob("*.skops")):
        return "tabular-classification"
    if (model_path / "modules.json").is_file() or (model_path / "config_sentence_transformers.json").is_file():
        return "sentence-similarity"
    config = (configs or {}).get("config.json") if configs else None
    if config is None and (model_path / "config.json").is_file():
        try:
            config = json.loads((model_path / "config.json").read_text("utf-8"))
        except (OSError, ValueError):
            config = None
    archs = " ".join(config.get("architectures") or []) if isinstance(config, Mapping) else ""
    for task, spec in RUNNERS.items():
        if any(a in archs for a in spec.architectures):
            return task
    return None


# ---------------------------------------------------------------- weights


def sha256_file(path: Path) -> str:
    """sha256 of a weight file (the manifest's hashing: large reads)."""
    from ptmvet.integrity.manifest import hash_file

    return hash_file(path)[0]


def _hub_id(model_path: Path) -> str | None:
    """The Hub id of a folder in the HF cache (``models--org--name/snapshots/REV``), else None."""
    for part in model_path.resolve().parts:
        if part.startswith("models--"):
            return part[len("models--") :].replace("--", "/")
    return None


def lfs_pointer_files(files: list[Path]) -> list[tuple[Path, int]]:
    """The files among ``files`` that are Git LFS pointers, with the size of the content they stand for."""
    from ptmvet.sources.local import read_lfs_pointer

    out: list[tuple[Path, int]] = []
    for f in files:
        try:
            if f.stat().st_size > 1024:
                continue
            ptr = read_lfs_pointer(f.read_bytes())
        except OSError:
            continue
        if ptr is not None:
            out.append((f, ptr.size))
    return out


def check_not_pointers(files: list[Path], model_path: Path) -> None:
    """Raise :class:`MissingWeights` naming the LFS pointers among ``files`` and how to fetch their content."""
    pointers = lfs_pointer_files(files)
    if not pointers:
        return
    names = ", ".join(f"{p.name} (pointer to {size:,} bytes)" for p, size in pointers)
    hub_id = _hub_id(model_path)
    git = any((d / ".git").exists() for d in (model_path, *model_path.resolve().parents))
    if hub_id:
        hint = f"fetch them with `huggingface-cli download {hub_id}`"
    elif git:
        hint = f"fetch them with `git lfs pull` in {model_path}"
    else:
        hint = (f"fetch them with `git lfs pull` in the clone they came from, or "
                f"`huggingface-cli download ORG/NAME --local-dir {model_path}`")
    raise MissingWeights(
        f"{model_path}: the weights are Git LFS pointers, not weights: {names}; the content was never downloaded",
        path=str(pointers[0][0]),
        hint=hint,
    )


def weight_policy(model_path: Path, *, allow_pickle: bool) -> tuple[str, list[Path]]:
    """('safetensors' | 'pickle', files) for a transformers folder; raises MissingWeights or RefusedWeights."""
    st = sorted(model_path.glob("*.safetensors"))
    if st:
        check_not_pointers(st, model_path)
        return "safetensors", st
    pk = [model_path / n for n in PICKLE_WEIGHTS if (model_path / n).is_file()] + sorted(model_path.glob("pytorch_model-*.bin"))
    if not pk:
        raise MissingWeights(f"{model_path}: no weight file (model.safetensors or pytorch_model.bin) found")
    check_not_pointers(pk, model_path)
    if not allow_pickle:
        raise RefusedWeights(
            f"{model_path}: only pickle weights ({', '.join(p.name for p in pk)}); loading them can run code",
            hint="convert them to safetensors, or pass --allow-pickle to load them with torch.load(weights_only=True)",
        )
    return "pickle", pk


class BackgroundHashes(Mapping[str, str]):
    """sha256 of weight files, computed in a thread while the model runs (hashlib releases the GIL).

    Reading it (``dict(hashes)``) waits for the hashes; a read error surfaces there.
    """

    def __init__(self, files: list[Path], root: Path) -> None:
        import threading

        self._files = files
        self._root = root
        self._result: dict[str, str] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="ptmvet-hash", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            self._result = {str(f.relative_to(self._root)) if f.is_relative_to(self._root) else f.name: sha256_file(f)
                            for f in self._files}
        except BaseException as exc:  # noqa: BLE001 - re-raised in the reader's thread
            self._error = exc

    def _get(self) -> dict[str, str]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def __getitem__(self, key: str) -> str:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def hash_weights(files: list[Path], root: Path) -> Mapping[str, str]:
    """sha256 per weight file (relative name -> digest), computed in the background."""
    return BackgroundHashes(files, root)


@contextmanager
def quiet_loading() -> Iterator[None]:
    """Silence transformers' own progress bars and info logs while a model loads.

    The library never prints: progress reaches the caller through its callback.
    """
    try:
        tr_logging: Any = importlib.import_module("transformers.utils.logging")
    except ImportError:  # pragma: no cover - transformers is an extra
        yield
        return
    bars = tr_logging.is_progress_bar_enabled()
    level = tr_logging.get_verbosity()
    tr_logging.disable_progress_bar()
    tr_logging.set_verbosity_error()
    try:
        yield
    finally:
        tr_logging.set_verbosity(level)
        if bars:
            tr_logging.enable_progress_bar()


def load_hf_model(auto_class: Any, model_path: Path, *, allow_pickle: bool) -> tuple[Any, Mapping[str, str]]:
    """Load a transformers model from safetensors only (or weights_only pickle behind the flag)."""
    kind, files = weight_policy(model_path, allow_pickle=allow_pickle)
    if kind == "safetensors":
        with quiet_loading():
            model = auto_class.from_pretrained(str(model_path), use_safetensors=True, local_files_only=True, trust_remote_code=False)
    else:
        import torch
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(str(model_path), local_files_only=True, trust_remote_code=False)
        model = auto_class.from_config(config)
        state: dict[str, Any] = {}
        for f in files:
            try:
                state.update(torch.load(str(f), map_location="cpu", weights_only=True))
            except Exception as exc:  # torch raises UnpicklingError, RuntimeError, EOFError, ... on foreign bytes
                raise RefusedWeights(
                    f"{f}: not loadable as tensors only ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})",
                    hint="only weights_only pickles (tensors and plain containers) are loaded; convert the weights to safetensors",
                ) from exc
        model.load_state_dict(state, strict=False)
    model.eval()
    return model, hash_weights(files, model_path)


def configure_threads(options: RunOptions) -> None:
    """Use the CPUs this process may run on (or ``threads``), and no more."""
    import torch

    want = options.threads
    if want is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            cpus = os.cpu_count() or 1
        # On a shared machine, threads beyond the idle CPUs only contend with each other.
        try:
            idle = cpus - os.getloadavg()[0]
        except OSError:  # pragma: no cover
            idle = float(cpus)
        want = max(1, min(cpus, round(idle)))
    if want > 0 and torch.get_num_threads() != want:
        torch.set_num_threads(want)


def library_versions(*names: str) -> dict[str, str]:
    from importlib import metadata

    out: dict[str, str] = {}
    for n in ("ptmvet", "numpy", *names):
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            continue
    return out


def require(module: str, feature: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyMissing(module.split(".", maxsplit=1)[0], feature) from exc


class Meter:
    """Progress with rows per second, reported to the observer."""

    def __init__(self, progress: Progress | None, label: str) -> None:
        self.progress = progress
        self.label = label
        self.start = time.perf_counter()
        self.rows = 0

    def add(self, rows: int) -> None:
        self.rows += rows
        if self.progress is not None:
            rate = self.rows / max(time.perf_counter() - self.start, 1e-9)
            self.progress(self.rows, None, f"{self.label} ({rate:,.0f} rows/s)")

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def pad(features: list[dict[str, list[int]]], pad_id: int) -> dict[str, Any]:
    """Dynamic padding of tokenised rows to the longest in the batch, as int64 tensors."""
    import numpy as np
    import torch

    longest = max(len(f["input_ids"]) for f in features)
    out: dict[str, Any] = {}
    for key in features[0]:
        if key not in ("input_ids", "attention_mask", "token_type_ids"):
            continue
        fill = pad_id if key == "input_ids" else 0
        arr = np.full((len(features), longest), fill, dtype=np.int64)
        for i, f in enumerate(features):
            arr[i, : len(f[key])] = f[key]
        out[key] = torch.from_numpy(arr)
    return out
