"""Errors raised by ptmvet.

Every error the library raises derives from :class:`Error`. Each carries
structured fields and a ``diagnostics()`` hint for humans. The CLI maps each
class to a one-line message and an exit code through :data:`EXIT_CODES`;
nothing else in the library prints or exits.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (docs/exit-codes.md)."""

    OK = 0
    FAILED = 1  # a gate, verification or reproduction verdict said no
    USAGE = 2  # bad command line or malformed policy/claims file
    INPUT = 3  # the model reference or an input file cannot be read
    INTEGRITY = 4  # a hash, signature or manifest did not verify
    DEPENDENCY = 5  # an optional dependency is missing
    INTERNAL = 70  # a bug in ptmvet
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report 128 + 2


class Error(Exception):
    """Base of every ptmvet error."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> str:
        """A human explanation of what went wrong and what to do next."""
        return self.hint or ""

    def __str__(self) -> str:
        return self.message


class UsageError(Error):
    """The caller asked for something that does not make sense."""

    exit_code = ExitCode.USAGE


class InputError(Error):
    """An input (model folder, file, reference) is missing or unreadable."""

    exit_code = ExitCode.INPUT

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path


class ModelNotFound(InputError):
    """A model reference resolves to nothing (no folder, no cache entry, offline)."""


class RevisionNotFound(InputError):
    """A revision of a model cannot be found in the cache or on the registry."""


class UnsafePath(InputError):
    """A path escapes the model folder (symlink or ``..``)."""


class HubError(Error):
    """The Hub could not be reached or answered an error."""

    exit_code = ExitCode.INPUT


class IntegrityError(Error):
    """Hashes, manifests or signatures do not verify."""

    exit_code = ExitCode.INTEGRITY


class DependencyMissing(Error):
    """An optional dependency needed for this feature is not installed."""

    exit_code = ExitCode.DEPENDENCY

    def __init__(self, package: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the Python package {package!r}, which is not installed",
            hint=f"pip install {package}",
        )
        self.package = package
        self.feature = feature


class PolicyError(UsageError):
    """A policy file is malformed or names unknown checks."""


class VerdictFailed(Error):
    """A gate, verification or reproduction decided against the model."""

    exit_code = ExitCode.FAILED
