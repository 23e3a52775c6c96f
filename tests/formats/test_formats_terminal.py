"""Terminal format (rich) and the FORMATS table."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from _fmt_reports import folder_report, meta, synthetic_report

from ptmvet.checks.interface import Attribute
from ptmvet.errors import UsageError
from ptmvet.formats import FORMATS, Formatter, UnknownFormat, get_format, render
from ptmvet.formats.terminal import render_to_string
from ptmvet.pipeline import vet_evidence
from ptmvet.report import score_findings
from ptmvet.sources.local import collect_folder


def test_header_scores_findings_claims() -> None:
    out = render_to_string(synthetic_report(), width=110)
    for text in ("acme/sentiment-mit", "0123456789ab", "hub", "mit", "pickle, safetensors", "67.0M", "255.4 MiB"):
        assert text in out, text
    assert out.count("not assessable") == sum(1 for v in synthetic_report().scores.values() if v is None)
    assert "0.0/10" in out and "6.7/10" in out
    # Failures first, the worse severity first; then the rest.
    assert out.index("VET501") < out.index("VET103") < out.index("VET201") < out.index("VET301") < out.index("VET401")
    assert "→ Add an arXiv link" in out
    assert "accuracy" in out and "91.3" in out
    assert "overstated" in out and "[81.1, 83.3]" in out
    assert "finetune ← org/base-nc" in out and "conflict:" in out
    assert "bad.json: invalid JSON" in out
    assert "Intended use" in out and "commercial: conflict" in out and "README says Apache-2.0" in out
    assert "Serialization scan: dangerous" in out and "dangerous: os.system" in out and "imports os.system" in out
    assert "ancestors named but not found: org/ghost" in out and "merge ← org/ghost" in out
    assert "dataset glue" in out and "not found (1): secret-data" in out
    assert "Integrity" in out and "Files hashed" in out and "1.0 KiB" in out


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_width_is_respected_and_messages_kept(width: int) -> None:
    out = render_to_string(synthetic_report(), width=width)
    assert max(len(line) for line in out.splitlines()) <= width
    assert "no paper link" in out and "weights in safetensors" in out
    assert "\x1b[" not in out


def test_color_output_uses_ansi() -> None:
    assert "\x1b[" in render_to_string(synthetic_report(), color=True)
    assert "\x1b[" in render(synthetic_report(), "terminal", color=True)


def test_card_text_is_not_rich_markup() -> None:
    evil = "[bold red]FAKE PASS[/bold red] [link=http://evil]x[/link] :smile:"
    findings = (*synthetic_report().findings, meta("VET402", "intended-use", Attribute.DOCUMENTATION).failed(evil))
    report = replace(synthetic_report(evil), findings=findings, scores=score_findings(findings))
    out = render_to_string(report, width=200)
    assert "[bold red]FAKE PASS[/bold red]" in out
    assert ":smile:" in out


def test_real_reports(tmp_path: Path, minilm_path: Path) -> None:
    out = render_to_string(folder_report(tmp_path / "tiny", "---\nlicense: mit\n---\n# Tiny\n"))
    assert "tiny" in out and "mit" in out
    out = render_to_string(vet_evidence(collect_folder(minilm_path)))
    assert "apache-2.0" in out and "safetensors" in out and "22.7M" in out


def test_formats_table() -> None:
    assert set(FORMATS) >= {"terminal", "json", "md", "html"}
    report = synthetic_report()
    for name, fmt in FORMATS.items():
        assert isinstance(fmt, Formatter)
        assert fmt.name == name and fmt.suffix.startswith(".") and "/" in fmt.media_type
        text = fmt.render(report)
        assert isinstance(text, str) and "acme/sentiment-mit" in text
    assert get_format("markdown") is FORMATS["md"]
    assert get_format(" HTML ") is FORMATS["html"]
    with pytest.raises(UnknownFormat) as info:
        get_format("pdf")
    assert isinstance(info.value, UsageError) and "html" in info.value.diagnostics()


def test_scan_terminal_names_every_file_it_counts(tmp_path: Path) -> None:
    """The scan's counts include configs read with nothing found; the terminal must not drop them."""
    from ptmvet.scan import scan_paths
    from ptmvet.scan.result import ScanResult

    (tmp_path / "config.json").write_text('{"model_type": "bert", "architectures": ["BertModel"]}')
    (tmp_path / "tokenizer_config.json").write_text('{"model_max_length": 512}')
    (tmp_path / "README.md").write_text("# m\n")
    (tmp_path / "model.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    result = ScanResult.of(scan_paths([tmp_path], None, keep_skipped=True))
    text = render(result, "terminal", width=200)
    assert sum(result.counts.values()) == 4
    for r in result.reports:
        assert r.path in text, r.path
