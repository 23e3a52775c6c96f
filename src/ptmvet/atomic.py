"""Write files so that nothing is ever left half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ptmvet.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def require_parent(path: str | os.PathLike[str]) -> Path:
    """The path, after checking that the folder it goes in exists (every output, every command)."""
    target = Path(path).expanduser()
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{target}: folder {parent} does not exist", path=str(target), hint="create the folder first")
    return target


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    The file gets the usual permissions (0666 less the umask), not the
    temporary file's private 0600. Raises :class:`InputError` naming the path.
    """
    target = require_parent(path)
    parent = target.parent if str(target.parent) else Path(".")
    # Encode before the temporary file exists: text that cannot be encoded (a lone surrogate
    # from an undecodable file name) is escaped, never a crash that leaves a temp file behind.
    payload = data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise InputError(f"{target}: cannot write ({exc.strerror or exc})", path=str(target)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{target}: cannot write ({exc.strerror or exc})", path=str(target)) from exc
    except BaseException:  # Ctrl-C, a full disk raising something else: never leave the temp file
        Path(tmp).unlink(missing_ok=True)
        raise
