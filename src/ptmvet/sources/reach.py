"""Is the Hub reachable? Asked once, fast, before a command that needs it starts work.

Without a network, ``huggingface_hub`` retries for about 25 seconds and then
raises a transport error from deep inside a listing. A command that cannot do
anything without the Hub asks here first, so it fails within
:data:`PROBE_TIMEOUT_S` with one line, before it creates a database or a file.
This module stays light (no evidence model, no source), and the commands import
it before their heavy modules, so the failure is quick on a loaded machine too.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from ptmvet.errors import HubError

#: Seconds to wait for the name look-up and the TCP connection together.
PROBE_TIMEOUT_S = 3.0

_AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]


def _resolve(host: str, port: int, timeout: float) -> list[_AddrInfo]:
    """``getaddrinfo`` bounded by ``timeout``: the look-up itself has no timeout, and with an
    unreachable name server it blocks for the resolver's retries (10 s and more)."""
    found: list[list[_AddrInfo]] = []
    failed: list[OSError] = []

    def look_up() -> None:
        try:
            found.append(list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
        except OSError as exc:
            failed.append(exc)

    # A daemon thread: if the look-up hangs, it is left behind and never delays the exit.
    worker = threading.Thread(target=look_up, name="ptmvet-hub-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    if failed:
        raise failed[0]
    if not found:
        raise TimeoutError(f"no answer to the name look-up within {timeout:g} s")
    return found[0]


def _connect(host: str, port: int, timeout: float) -> None:
    """Open and close a TCP connection to ``host:port`` within ``timeout`` seconds in all."""
    deadline = time.monotonic() + timeout
    last: OSError = TimeoutError(f"no connection within {timeout:g} s")
    for family, kind, proto, _, address in _resolve(host, port, timeout):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        with socket.socket(family, kind, proto) as sock:
            sock.settimeout(left)
            try:
                sock.connect(address)
                return
            except OSError as exc:
                last = exc
    raise last


def hub_endpoint() -> str:
    try:
        from huggingface_hub import constants

        return str(constants.ENDPOINT)
    except ImportError:  # pragma: no cover - huggingface_hub is a core dependency
        return os.environ.get("HF_ENDPOINT", "https://huggingface.co")


def offline_mode() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def require_hub(what: str, *, hint: str = "check the network, or work from a dump (--dump / --from-dump)") -> None:
    """Raise :class:`HubError` (exit 3) naming ``what`` unless the Hub endpoint accepts a TCP connection."""
    endpoint = hub_endpoint()
    if offline_mode():
        raise HubError(f"{what} needs the Hub, and offline mode is on (HF_HUB_OFFLINE=1)", hint="unset HF_HUB_OFFLINE, or " + hint.rsplit(", or ", maxsplit=1)[-1])
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        _connect(host, port, PROBE_TIMEOUT_S)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise HubError(f"{what} needs the Hub, and {host or endpoint} cannot be reached ({reason})", hint=hint) from exc
