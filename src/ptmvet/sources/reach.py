"""Is the Hub reachable? Asked once, fast, before a command that needs it starts work.

Without a network, ``huggingface_hub`` retries for about 25 seconds and then
raises a transport error from deep inside a listing. A command that cannot do
anything without the Hub asks here first, so it fails in a few seconds with one
line, and before it creates a database or a file.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

from ptmvet.errors import HubError

#: Seconds to wait for the name look-up and the TCP connection together.
PROBE_TIMEOUT_S = 3.0


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
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise HubError(f"{what} needs the Hub, and {host or endpoint} cannot be reached ({reason})", hint=hint) from exc
