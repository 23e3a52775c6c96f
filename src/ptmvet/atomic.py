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


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    The file gets the usual permissions (0666 less the umask), not the
    temporary file's private 0600. Raises :class:`InputError` naming the path.
    """
    target = Path(path).expanduser()
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{target}: folder {parent} does not exist", path=str(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise InputError(f"{target}: cannot write ({exc.strerror or exc})", path=str(target)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{target}: cannot write ({exc.strerror or exc})", path=str(target)) from exc
