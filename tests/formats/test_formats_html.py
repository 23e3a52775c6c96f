"""HTML format: one self-contained file, card text escaped everywhere, charts drawn in SVG."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from _fmt_reports import PAYLOAD, XSS, assert_inert, folder_report, meta, parse, synthetic_report

from ptmvet.checks.interface import Attribute, Severity
from ptmvet.formats import FORMATS
from ptmvet.formats.html import bar_chart_svg, esc, page, render_html
from ptmvet.pipeline import vet_evidence
from ptmvet.report import Report, score_findings
from ptmvet.sources.local import collect_folder


def xss_report() -> Report:
    findings = [
        meta("VET401", "card-present", Attribute.DOCUMENTATION).failed(
            f"card says {PAYLOAD}", evidence=list(XSS), remedy=f"remedy {PAYLOAD}"
        ),
        meta("VET103", "paper-linked", Attribute.PROVENANCE, Severity.LOW).passed(
            f"paper {PAYLOAD}", evidence=list(XSS)
        ),
    ]
    base = synthetic_report(PAYLOAD)
    assert base.evidence is not None
    allf = (*base.findings, *findings)
    evidence = replace(base.evidence, measurements_skipped=f"skipped {PAYLOAD}")
    return replace(base, findings=allf, scores=score_findings(allf), evidence=evidence)


def test_card_text_cannot_inject_markup() -> None:
    doc = render_html(xss_report())
    p = assert_inert(doc)
    text = "".join(p.text)
    # The payloads are shown to the reader, literally, not dropped.
    for payload in XSS:
        assert payload in text or " ".join(payload.split()) in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    # The only <title> is ours, and it holds the escaped name.
    assert doc.count("<title>ptmvet report:") == 1


def test_real_card_with_payloads_is_escaped(tmp_path: Path) -> None:
    front = {
        "license": "other",
        "license_name": XSS[1],
        "license_link": XSS[3],
        "pipeline_tag": XSS[1],
        "base_model": XSS[3],
        "model-index": [
            {
                "name": "x",
                "results": [
                    {
                        "task": {"type": XSS[6]},
                        "dataset": {"name": XSS[2], "type": XSS[0], "split": XSS[4]},
                        "metrics": [{"type": XSS[1], "value": 0.5}],
                    }
                ],
            }
        ],
    }
    card = f"---\n{yaml.safe_dump(front)}---\n# {XSS[0]}\n\n{PAYLOAD}\n"
    report = folder_report(tmp_path / XSS[0].replace("/", "_").replace("<", "_").replace(">", "_"), card)
    assert report.claims and "<script>" in report.claims[0].dataset_type
    doc = render_html(report)
    assert_inert(doc)
    assert "&lt;script&gt;" in doc


def test_document_is_self_contained_and_has_no_script() -> None:
    doc = render_html(synthetic_report())
    assert doc.startswith("<!DOCTYPE html>")
    assert_inert(doc)
    assert "<style>" in doc and "<svg" in doc
    # URLs appear only as text (a licence's source) and as the SVG namespace: nothing is fetched.
    for _tag, attrs in parse(doc).tags:
        for name, value in attrs:
            assert "://" not in (value or "") or name == "xmlns", (name, value)
    assert "@import" not in doc and "url(http" not in doc and "url(//" not in doc
    metas = [dict(a) for t, a in parse(doc).tags if t == "meta"]
    csp = [m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0] or "") and "script-src" not in (csp[0] or "")


def test_scores_chart_distinguishes_not_assessable_from_zero() -> None:
    report = synthetic_report()
    assert report.scores[Attribute.LICENSE] == 0.0 and report.scores[Attribute.INTEGRITY] is None
    doc = render_html(report)
    chart = doc[doc.index('<section class="card" id="scores">') :]
    chart = chart[: chart.index("</section>")]
    n_none = sum(1 for s in report.scores.values() if s is None)
    assert chart.count(">not assessable</text>") == n_none
    assert "Licence: 0.0</title>" in chart
    assert "Integrity: not assessable</title>" in chart


def test_sections_are_rendered_when_present() -> None:
    doc = render_html(synthetic_report())
    assert 'id="measurements"' in doc and "overstated" in doc and "[81.1, 83.3]" in doc
    assert 'class="lineage"' in doc and "org/base-nc" in doc and "Licence conflicts" in doc
    assert 'id="scan"' in doc and "os.system" in doc and "imports os.system" in doc
    assert 'id="license"' in doc and "commercial: conflict" in doc and "README says Apache-2.0" in doc
    assert 'id="section-integrity"' in doc and "Files hashed" in doc
    assert 'id="section-card"' in doc and "imdb (card-text)" in doc
    assert "org/ghost" in doc and 'stroke-dasharray="5 4"' in doc  # a missing ancestor is drawn dashed
    assert "Training datasets" in doc and "CC-BY-4.0" in doc and "secret-data" in doc
    assert "drops restrictions of google/bert-base (Apache-2.0)" in doc  # a conflict without a reason still says why
    assert "Generated by ptmvet 0.1.0" in doc
    bare = render_html(replace(synthetic_report(), evidence=None, license=None, card_info=None))
    for section in ('id="measurements"', 'class="lineage"', 'id="license"', 'id="scan"', 'id="section-integrity"', 'id="section-card"'):
        assert section not in bare


def test_findings_grouped_by_attribute_with_remedy() -> None:
    doc = render_html(synthetic_report())
    order = [m.group(1) for m in re.finditer(r'id="attr-([a-z]+)"', doc)]
    assert order == [a.value for a in Attribute if a.value in order]
    assert "Remedy:</b> Add an arXiv link" in doc
    prov = doc[doc.index('id="attr-provenance"') :]
    assert prov.index("VET103") < prov.index("VET101")  # the failure comes first


def test_minilm_html(minilm_path: Path) -> None:
    report = vet_evidence(collect_folder(minilm_path))
    doc = FORMATS["html"].render(report)
    assert_inert(doc)
    assert "apache-2.0" in doc and "safetensors" in doc


def test_shared_helpers() -> None:
    assert esc('"><x onerror=1>') == "&quot;&gt;&lt;x onerror=1&gt;"
    assert esc(None) == ""
    doc = page("<script>t</script>", "<p>body</p>", footer_html="f")
    assert "<title>&lt;script&gt;t&lt;/script&gt;</title>" in doc and "<footer>f</footer>" in doc
    assert_inert(doc)
    svg = bar_chart_svg([("a<b", 5.0), ("c", None)], max_value=10)
    assert "a&lt;b" in svg and "not assessable" in svg and svg.startswith("<svg")
    assert_inert(svg)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(path: Path, tmp_path: Path) -> str:
    assert CHROMIUM
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=2000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_no_script_runs_in_headless_chromium(tmp_path: Path) -> None:
    # Each payload, if it ran, would add a <pwned> element to the live DOM.
    run = "document.body.appendChild(document.createElement('pwn'+'ed'))"
    payloads = (
        f"<script>{run}</script>",
        f'<img src=x onerror="{run}">',
        f'<svg onload="{run}"></svg>',
        f'" onmouseover="{run}" autofocus onfocus="{run}" x="',
        f'<a href="javascript:{run}">x</a>',
        f'<iframe srcdoc="<script>parent.{run}</script>"></iframe>',
    )
    text = " ".join(payloads)
    base = synthetic_report(text)
    findings = (
        *base.findings,
        meta("VET402", "intended-use", Attribute.DOCUMENTATION).failed(text, evidence=list(payloads)),
    )
    report = replace(base, findings=findings, scores=score_findings(findings))
    page_path = tmp_path / "report.html"
    page_path.write_text(render_html(report), encoding="utf-8")
    # Control: the same harness does see a script that runs.
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><body>{payloads[0]}{payloads[1]}</body></html>", encoding="utf-8")
    assert "<pwned>" in dump_dom(control, tmp_path)
    dom = dump_dom(page_path, tmp_path)
    assert "<pwned>" not in dom
    assert "report card" in dom.lower() and "acme/sentiment-mit" in dom
    # Escaping alone suffices: without the Content-Security-Policy nothing runs either.
    html_doc = page_path.read_text(encoding="utf-8")
    no_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html_doc)
    assert no_csp != html_doc
    page_path.write_text(no_csp, encoding="utf-8")
    assert "<pwned>" not in dump_dom(page_path, tmp_path)
