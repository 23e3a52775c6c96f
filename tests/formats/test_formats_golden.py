"""Golden files: every format of every result kind, compared whole.

The results come from two small real packages and shared fixed results
(tests/formats/_results.py). Each output is normalised (the fixture folder,
the tool version and measured speeds replaced by placeholders; times are fixed
when the results are built) and compared with its file under
tests/formats/golden/. After an intended change of output, regenerate them all
and review the diff (see tests/formats/README.md):

    PTMVET_REGEN_GOLDEN=1 .venv/bin/python -m pytest -q tests/formats/test_formats_golden.py
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

import pytest
from _results import build, normalise

from ptmvet.formats import kind_of, render

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("PTMVET_REGEN_GOLDEN") == "1"
COMMAND = "PTMVET_REGEN_GOLDEN=1 .venv/bin/python -m pytest -q tests/formats/test_formats_golden.py"
SUFFIX = {"terminal": "txt", "json": "json", "md": "md", "html": "html", "sarif": "sarif"}
#: Width of terminal output in the golden files where the renderer would ask the terminal (others use their own default).
WIDTH = {"scan": 100}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """golden file name -> normalised output, for every fixture, result and format."""
    os.environ.pop("PTMVET_DOCS_URL", None)
    root = tmp_path_factory.mktemp("golden")
    out: dict[str, str] = {}
    for fixture, named in build(root).items():
        for label, result in named.items():
            for fmt in kind_of(result).formats:
                text = render(result, fmt, width=WIDTH.get(kind_of(result).name), color=False)
                out[f"{fixture}/{label}.{SUFFIX[fmt]}"] = _stable(normalise(text, root))
    return out


def _stable(text: str) -> str:
    return re.sub(r'"duration_s": [0-9.e+-]+', '"duration_s": 0', text)


def _names() -> list[str]:
    return sorted(str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file())


def test_golden_files(outputs: dict[str, str]) -> None:
    if REGEN:
        for old in GOLDEN.rglob("*"):
            if old.is_file() and str(old.relative_to(GOLDEN)) not in outputs:
                old.unlink()
        for name, text in outputs.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    assert _names() == sorted(outputs), f"golden files and outputs differ; regenerate with: {COMMAND}"
    failed: list[str] = []
    for name, text in sorted(outputs.items()):
        want = (GOLDEN / name).read_text(encoding="utf-8")
        if text != want:
            diff = difflib.unified_diff(want.splitlines(), text.splitlines(), f"golden/{name}", "now", lineterm="", n=1)
            failed.append("\n".join(list(diff)[:40]))
    assert not failed, f"{len(failed)} output(s) changed; if intended, regenerate with: {COMMAND}\n\n" + "\n\n".join(failed[:5])


def test_every_kind_and_format_has_a_golden_file(outputs: dict[str, Any]) -> None:
    from ptmvet.formats import KINDS

    covered = {(name.split("/")[1].split(".")[0], name.rsplit(".", 1)[1]) for name in outputs}
    labels = {name.split("/")[1].split(".")[0] for name in outputs}
    for k in KINDS:
        label = k.name
        assert label in labels, label
        for fmt in k.formats:
            assert (label, SUFFIX[fmt]) in covered, (label, fmt)


def test_terminal_outputs_carry_no_rich_markup(outputs: dict[str, str]) -> None:
    """Consoles print with markup off, so a style tag in a cell would reach the reader as literal text."""
    texts = {name: text for name, text in outputs.items() if name.endswith(".txt")}
    assert texts
    tagged = {name: m.group(0) for name, text in texts.items() if (m := re.search(r"\[/?(?:green|red|yellow|bold|dim)?\]|\[/\w*\]", text))}
    assert not tagged, tagged
