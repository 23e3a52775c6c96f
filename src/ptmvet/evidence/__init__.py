"""The frozen snapshot of everything ptmvet knows about one model package.

Sources (``ptmvet.sources``) are the only code that does I/O on a model; they
translate what they find (a folder, the HF cache, the Hub, a git clone) into
one :class:`Evidence`. Checks read it and nothing else.

This package is the bottom layer: it imports nothing from ``scan``,
``licenses`` or ``evaluate``. The value types those stages produce (scan
reports, licence classes, lineage, measurements) live in its submodules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ptmvet.card import Claim, ModelCard
from ptmvet.evidence.licenses import IntendedUse
from ptmvet.evidence.lineage import Lineage
from ptmvet.evidence.measurement import Measurement
from ptmvet.evidence.scan import ScanReport

#: Files whose suffix marks model weights, and whether loading them can run code.
WEIGHT_SUFFIXES: Mapping[str, str] = {
    ".safetensors": "safetensors",
    ".gguf": "gguf",
    ".onnx": "onnx",
    ".bin": "pickle",
    ".pt": "pickle",
    ".pth": "pickle",
    ".ckpt": "pickle",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".joblib": "pickle",
    ".h5": "hdf5",
    ".keras": "keras",
    ".msgpack": "msgpack",
    ".tflite": "tflite",
    ".pb": "protobuf",
    ".mlmodel": "coreml",
    ".skops": "skops",
    ".npz": "numpy",
    ".npy": "numpy",
    ".ot": "libtorch",
    ".nemo": "nemo",
}

#: Formats whose loading runs no code chosen by the file's author.
SAFE_FORMATS = frozenset({"safetensors", "gguf", "onnx", "msgpack", "tflite", "skops", "coreml"})

#: Files that are never weights even when their suffix says so.
NON_WEIGHT_NAMES = frozenset({"training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state.pth", "scaler.pt"})


@dataclass(frozen=True)
class LfsPointer:
    """A Git LFS pointer file found where content should be."""

    oid: str  # sha256 hex
    size: int


@dataclass(frozen=True)
class FileEntry:
    """One file of the package, local or only known from the registry."""

    path: str  # POSIX path relative to the package root
    size: int | None  # bytes on disk, or the registry's size
    local: bool  # present on this machine
    lfs_pointer: LfsPointer | None = None  # the local file is an LFS pointer, not content
    registry_sha256: str | None = None  # the registry's LFS sha256 (siblings[].lfs.sha256)
    registry_size: int | None = None
    blob_id: str | None = None  # the registry's git blob id

    @property
    def suffix(self) -> str:
        name = self.path.rsplit("/", 1)[-1]
        return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def weight_format(self) -> str | None:
        """The weight format this file holds, or None if it is not a weight file."""
        if self.name in NON_WEIGHT_NAMES:
            return None
        return WEIGHT_SUFFIXES.get(self.suffix)


@dataclass(frozen=True)
class SafetensorsInfo:
    """What a safetensors header says (read without loading any tensor)."""

    path: str
    tensors: int
    parameters: int
    dtypes: tuple[str, ...]
    metadata: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class GitCommit:
    """One commit of a git clone, with its signature status (``%G?``)."""

    sha: str
    author: str
    author_email: str
    date: str
    subject: str
    signature: str  # G, B, U, X, Y, R, E or N (git log --format=%G?)
    signer: str = ""

    @property
    def signed(self) -> bool:
        return self.signature != "N"


@dataclass(frozen=True)
class GitInfo:
    """History of a git clone of the package."""

    head: str | None
    branch: str | None
    remote_url: str | None
    commits: tuple[GitCommit, ...]
    dirty: bool = False
    error: str | None = None
    shallow: bool = False  # a shallow clone: older commits (and their signatures) are not here
    truncated: bool = False  # only the most recent commits were read

    @property
    def any_signed(self) -> bool:
        return any(c.signed for c in self.commits)


@dataclass(frozen=True)
class RegistryInfo:
    """What a model registry (the Hub, or a metadata dump) says of the model."""

    source: str  # "hub", "dump", "cache"
    repo_id: str
    sha: str | None = None
    author: str | None = None
    downloads: int | None = None
    downloads_all_time: int | None = None
    likes: int | None = None
    last_modified: datetime | None = None
    created_at: datetime | None = None
    gated: bool | str | None = None
    private: bool | None = None
    disabled: bool | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    tags: tuple[str, ...] = ()
    security_scan: Mapping[str, Any] | None = None
    card_data: Mapping[str, Any] | None = None
    used_storage: int | None = None
    #: When this information was true. Time-relative checks (age since last
    #: modified) measure against it, so an audit of a dump is reproducible.
    observed_at: datetime | None = None


@dataclass(frozen=True)
class Symlink:
    """A symbolic link in the package. Only links that stay inside the package are followed."""

    path: str  # the link, package-relative (display form, see ptmvet.names)
    target: str  # what the link points to, as written in it
    inside: bool  # resolves inside the package (or, for an HF cache snapshot, its blob store)
    dangling: bool = False  # points at nothing
    directory: bool = False  # points at a folder (never descended into)
    cache_blob: bool = False  # an HF cache snapshot's link to its blob store (the cache's own layout)


@dataclass(frozen=True)
class Problem:
    """Something that went wrong while collecting evidence (not a check result)."""

    path: str
    message: str


@dataclass(frozen=True)
class Target:
    """The model being vetted, as resolved."""

    name: str  # display name: repo id or folder name
    source: str  # "local", "hf-cache", "hub", "git"
    repo_id: str | None = None
    revision: str | None = None  # commit sha when known
    requested_revision: str | None = None  # what the user asked for (branch, tag, sha)
    local_path: str | None = None

    @property
    def pinned(self) -> bool:
        """Whether the package is identified by a full commit sha."""
        return _is_sha(self.revision) and (self.requested_revision is None or _is_sha(self.requested_revision))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "repo_id": self.repo_id,
            "revision": self.revision,
            "requested_revision": self.requested_revision,
            "local_path": self.local_path,
            "pinned": self.pinned,
        }


def _is_sha(value: str | None) -> bool:
    return bool(value) and len(value or "") == 40 and all(c in "0123456789abcdef" for c in (value or ""))


@dataclass(frozen=True)
class ExpectedHash:
    """A sha256 a local file should have, and where that expectation comes from."""

    sha256: str
    size: int | None
    source: str  # "hf-cache-blob", "manifest", ...


@dataclass(frozen=True)
class SignatureStatus:
    """A model signature found in the package (OpenSSF model_signing bundle)."""

    path: str  # the signature file, package-relative
    verified: bool | None  # True/False: checked against a trusted key or CA; None: not authenticated
    method: str | None = None  # "key", "certificate", "sigstore", or None when unknown
    digests_match: bool | None = None  # the signed file digests agree with the files on disk
    signed_files: int = 0
    mismatched: tuple[str, ...] = ()  # changed, added or removed files
    message: str = ""
    identities: tuple[str, ...] = ()  # who the verified signing certificate names
    issuer: str | None = None  # the verified signing certificate's issuer
    anchor_given: bool = False  # a trusted key or CA was given (verified None then: it could not be used)


@dataclass(frozen=True)
class IntegrityInfo:
    """What hashing the local files established (filled by the integrity enricher)."""

    hashes: Mapping[str, str] = field(default_factory=dict)  # local path -> sha256 of its content
    expected: Mapping[str, ExpectedHash] = field(default_factory=dict)  # path -> expected digest
    signature: SignatureStatus | None = None
    signature_files: tuple[str, ...] = ()  # every *.sig / signature bundle seen
    unreadable: tuple[str, ...] = ()  # local files that could not be hashed
    bytes_hashed: int = 0  # bytes read to compute ``hashes``


@dataclass(frozen=True)
class Evidence:
    """Everything the checks may look at. Built once by a source, then read-only."""

    target: Target
    files: tuple[FileEntry, ...] = ()
    card: ModelCard | None = None
    configs: Mapping[str, Any] = field(default_factory=dict)  # json files by path (config.json, ...)
    license_texts: Mapping[str, str] = field(default_factory=dict)  # LICENSE-like files by path
    safetensors: tuple[SafetensorsInfo, ...] = ()
    eval_results: tuple[Claim, ...] = ()  # from .eval_results/
    git: GitInfo | None = None
    registry: RegistryInfo | None = None
    problems: tuple[Problem, ...] = ()
    symlinks: tuple[Symlink, ...] = ()  # every symbolic link met while listing the package
    odd_names: tuple[str, ...] = ()  # paths whose name is not UTF-8 or holds control characters (escaped)
    integrity: IntegrityInfo | None = None  # local hashes and signature (integrity enricher)
    scan: tuple[ScanReport, ...] = ()  # static safety scan of local files (ptmvet.enrich.scan)
    intended_use: IntendedUse = IntendedUse.COMMERCIAL  # VetOptions.intended_use; a bad value is a UsageError
    lineage: Lineage | None = None  # base-model ancestry with licences (ptmvet.enrich.licenses)
    measurements: tuple[Measurement, ...] = ()  # re-measured claims (ptmvet.enrich.measurements)
    measurements_skipped: str | None = None  # why re-measurement was asked for but not run

    def __post_init__(self) -> None:
        if not isinstance(self.intended_use, IntendedUse):
            object.__setattr__(self, "intended_use", IntendedUse.parse(self.intended_use))

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Every performance claim: the card's model-index, then .eval_results/."""
        card_claims = self.card.claims if self.card else ()
        return tuple(card_claims) + tuple(self.eval_results)

    @property
    def local_files(self) -> tuple[FileEntry, ...]:
        return tuple(f for f in self.files if f.local)

    @property
    def weight_files(self) -> tuple[FileEntry, ...]:
        return tuple(f for f in self.files if f.weight_format is not None)

    def file(self, path: str) -> FileEntry | None:
        for f in self.files:
            if f.path == path:
                return f
        return None

    @property
    def config(self) -> Mapping[str, Any]:
        """The parsed ``config.json`` (empty when absent)."""
        value = self.configs.get("config.json")
        return value if isinstance(value, Mapping) else {}
