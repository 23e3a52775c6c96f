"""Task runners: one module per task, behind :mod:`ptmvet.evaluate.tasks.interface`."""

from __future__ import annotations

from ptmvet.evaluate.tasks.interface import TaskRunner, runner_for

__all__ = ["TaskRunner", "runner_for"]
