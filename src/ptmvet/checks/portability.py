"""Portability checks."""

from __future__ import annotations

from ptmvet.checks.interface import Check

CHECKS: tuple[Check, ...] = ()
