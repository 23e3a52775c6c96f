"""Progress display: a rich progress bar on stderr fed by the library's callback.

The library reports progress through :data:`ptmvet.progress.Progress`
callbacks and never prints; commands draw them with :func:`progress_bar`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ptmvet.progress import Progress


@contextmanager
def progress_bar(label: str, *, enabled: bool | None = None) -> Iterator[Progress]:
    """A progress bar on stderr, quiet when stderr is not a terminal (CI, pipes) so logs stay clean."""
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield lambda done, total, what: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[what]}", style="dim"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, what="")

        def update(done: int, total: int | None, what: str) -> None:
            bar.update(task, completed=done, total=total, what=what[-60:])

        yield update


__all__ = ["progress_bar"]
