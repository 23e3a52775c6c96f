"""Typed integrity errors: which files changed, appeared or vanished, and why a signature failed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ptmvet.errors import IntegrityError

#: How many file names an error message lists before it says "and N more".
_LIST_LIMIT = 10


@dataclass(frozen=True)
class FileChange:
    """One file whose content differs from what was expected."""

    path: str
    expected_sha256: str | None
    actual_sha256: str | None
    expected_size: int | None = None
    actual_size: int | None = None

    def describe(self) -> str:
        if self.expected_size is not None and self.actual_size is not None and self.expected_size != self.actual_size:
            return f"{self.path}: size {self.actual_size}, expected {self.expected_size}"
        exp = (self.expected_sha256 or "?")[:12]
        act = (self.actual_sha256 or "?")[:12]
        return f"{self.path}: sha256 {act}..., expected {exp}..."


def _names(items: Iterable[str]) -> str:
    items = list(items)
    shown = ", ".join(items[:_LIST_LIMIT])
    return shown + (f" and {len(items) - _LIST_LIMIT} more" if len(items) > _LIST_LIMIT else "")


class IntegrityMismatch(IntegrityError):
    """The files on disk do not match a manifest, a signature or the registry.

    ``changed`` lists files whose content differs, ``added`` files present on disk
    but not expected, ``removed`` files expected but absent.
    """

    def __init__(
        self,
        what: str,
        *,
        changed: Iterable[FileChange] = (),
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
        pointers: Iterable[FileChange] = (),
        hint: str | None = None,
    ) -> None:
        self.changed = tuple(changed)
        self.added = tuple(sorted(added))
        self.removed = tuple(sorted(removed))
        self.pointers = tuple(pointers)  # Git LFS pointers standing for the expected content (never downloaded)
        parts = []
        if self.changed:
            parts.append(f"{len(self.changed)} changed ({_names(c.path for c in self.changed)})")
        if self.pointers:
            parts.append(f"{len(self.pointers)} LFS pointer(s) without content ({_names(c.path for c in self.pointers)})")
        if self.added:
            parts.append(f"{len(self.added)} added ({_names(self.added)})")
        if self.removed:
            parts.append(f"{len(self.removed)} removed ({_names(self.removed)})")
        super().__init__(f"{what} does not match: " + "; ".join(parts or ["no difference listed"]), hint=hint)
        self.what = what

    def listing(self) -> str:
        """Every difference, one per line: ``changed  path: ...``, ``added    path``, ``removed  path``."""
        lines = [f"changed  {c.describe()}" for c in self.changed]
        lines += [f"pointer  {c.path}: content not downloaded (LFS oid {c.actual_sha256}, {c.actual_size} bytes)" for c in self.pointers]
        lines += [f"added    {p}" for p in self.added]
        lines += [f"removed  {p}" for p in self.removed]
        return "\n".join(lines)

    def diagnostics(self) -> str:
        return self.hint or "the differing files are listed above"


class SignatureInvalid(IntegrityError):
    """A signature is malformed, made with another key, or chains to an untrusted CA."""

    def __init__(self, message: str, *, signature: str, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.signature = signature
        self.reason = reason  # "key-mismatch", "bad-signature", "untrusted-certificate", "malformed", ...
