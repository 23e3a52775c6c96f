"""Atomic writes: the usual permissions, nothing half-written, clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ptmvet.atomic import write_atomic
from ptmvet.errors import InputError


def test_written_file_has_umask_permissions_and_no_leftovers(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.html", "<p>x</p>")
    finally:
        os.umask(old)
    assert (tmp_path / "r.html").read_text() == "<p>x</p>"
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "r.json", b"{}")
