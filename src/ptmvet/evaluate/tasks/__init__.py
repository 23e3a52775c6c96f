"""Task runners: one module per task, behind :mod:`ptmvet.evaluate.tasks.interface`.

Adding a runner is two edits: a module here whose ``RUNNER`` has a ``run`` method built on
the shared loop of :mod:`ptmvet.evaluate.tasks.inference`, and one row in
:data:`ptmvet.evaluate.tasks.table.RUNNERS` (its module, the metric kinds it serves,
the architectures and card names that mean its task, and the data column names it reads).
"""

from __future__ import annotations

from ptmvet.evaluate.tasks.interface import TaskRunner, runner_for

__all__ = ["TaskRunner", "runner_for"]
