"""The batched-inference loop the task runners share.

Every runner does the same thing around its own model call: load the weights
safely, put the model on the device, read the data in chunks of
``RunOptions.chunk_rows`` rows (memory stays flat however many rows there are),
cut each chunk into batches of ``RunOptions.batch`` rows (shortest first when
the rows have lengths, so dynamic padding wastes least), move each batch to the
device under ``torch.inference_mode``, count rows for the progress observer,
and fail with one clear error when the data had no rows. That loop lives here
once; a runner keeps only what is its own (what a row is, what it keeps).

    with hf_inference("AutoModelForSequenceClassification", path, options, progress,
                      feature="text classification", unit="rows") as inf:
        for chunk in inf.chunks(data):
            enc = tok(chunk["text"])
            for sel in inf.batches(len(chunk["text"]), lengths=...):
                logits = inf.forward(pad(...)).logits
        inf.require_rows(data)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ptmvet.errors import InputError
from ptmvet.evaluate.tasks.interface import Meter, RunOptions, configure_threads, load_hf_model, require
from ptmvet.progress import Progress

if TYPE_CHECKING:
    from ptmvet.evaluate.datasets import Batch, Dataset


class Inference:
    """A loaded model, its weight hashes, and the shared loop over a dataset (see the module docstring)."""

    def __init__(self, model: Any, weight_files: Mapping[str, str], options: RunOptions, progress: Progress | None, unit: str) -> None:
        self.model = model
        self.weight_files = weight_files
        self.options = options
        self.meter = Meter(progress, unit)

    @property
    def seconds(self) -> float:
        return self.meter.seconds

    @property
    def rows(self) -> int:
        return self.meter.rows

    def chunks(self, data: Dataset) -> Iterator[Batch]:
        """The data as column batches of ``chunk_rows`` rows; a chunk's rows count as done when the caller asks for the next."""
        for chunk in data.batches(self.options.chunk_rows):
            n = len(next(iter(chunk.values()), []))
            if not n:
                continue
            yield chunk
            self.meter.add(n)

    def batches(self, n: int, lengths: np.ndarray[Any, Any] | None = None, *, size: int | None = None) -> Iterator[np.ndarray[Any, Any]]:
        """Row indices of ``n`` rows, ``size`` (default ``batch``) at a time; sorted by ``lengths`` (stable) when given."""
        order = np.argsort(lengths, kind="stable") if lengths is not None else np.arange(n)
        step = max(1, size or self.options.batch)
        for start in range(0, n, step):
            yield order[start : start + step]

    def to_device(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The tensors of ``inputs`` on the run's device (anything else as it is)."""
        dev = self.options.device
        return {k: v.to(dev) if hasattr(v, "to") else v for k, v in inputs.items()}

    def forward(self, inputs: Mapping[str, Any]) -> Any:
        """The model's output on one batch."""
        return self.model(**self.to_device(inputs))

    def generate(self, inputs: Mapping[str, Any], **kwargs: Any) -> Any:
        """Generated token ids for one batch (sequence-to-sequence models)."""
        return self.model.generate(**self.to_device(inputs), **kwargs)

    def require_rows(self, data: Dataset) -> None:
        """Raise InputError when the data held no rows."""
        if not self.meter.rows:
            raise InputError(f"{data.path.name}: no rows", path=str(data.path))


@contextmanager
def inference(model: Any, weight_files: Mapping[str, str], options: RunOptions, progress: Progress | None, *,
              unit: str, torch_mode: bool = True) -> Iterator[Inference]:
    """The shared loop around an already loaded model; under ``torch.inference_mode`` unless ``torch_mode`` is off."""
    if torch_mode:
        import torch

        mode: Any = torch.inference_mode()
    else:
        mode = nullcontext()
    with mode:
        yield Inference(model, weight_files, options, progress, unit)


@contextmanager
def hf_inference(auto_class: str | Any, model_path: Path, options: RunOptions, progress: Progress | None, *,
                 feature: str, unit: str) -> Iterator[Inference]:
    """Load a transformers model (safetensors only, or weights_only pickle behind the flag) onto the device and loop.

    ``auto_class`` is a transformers class or its name (``"AutoModelForCTC"``).
    """
    tr = require("transformers", feature)
    configure_threads(options)
    cls = getattr(tr, auto_class) if isinstance(auto_class, str) else auto_class
    model, hashes = load_hf_model(cls, model_path, allow_pickle=options.allow_pickle)
    model.to(options.device)
    with inference(model, hashes, options, progress, unit=unit) as inf:
        yield inf


def local_pretrained(auto_class: str, model_path: Path, *, what: str, feature: str) -> Any:
    """A tokenizer or processor of the package (local files only, no remote code); InputError naming what is missing."""
    tr = require("transformers", feature)
    try:
        return getattr(tr, auto_class).from_pretrained(str(model_path), local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{model_path}: no usable {what}: {' '.join(str(exc).split())[:200]}", path=str(model_path)) from exc


__all__ = ["Inference", "hf_inference", "inference", "local_pretrained"]
