"""The progress observer every long-running library function accepts.

``progress(done, total, label)``: ``total`` is None while unknown. The CLI
draws it (rich); the library never prints, so notebooks and CI stay quiet.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int | None, str], None]
