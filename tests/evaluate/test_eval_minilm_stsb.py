"""The real all-MiniLM-L6-v2 on the real STS Benchmark test split (published Spearman 82.03)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptmvet.cli import main


@pytest.mark.slow
@pytest.mark.corpora
def test_minilm_stsb_claims(minilm_path: Path, corpora: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = corpora / "eval-datasets" / "stsbenchmark" / "sts-test.csv"
    out = tmp_path / "r.json"
    code = main(["reproduce", str(minilm_path), "--data", str(data), "--claim", "stsb/test:spearman=82.03",
                 "--claim", "stsb/test:spearman=86", "--claim", "stsb/test:pearson=0.8274", "--format", "json", "-o", str(out)])
    ms = json.loads(out.read_text())["measurements"]
    assert code == 1  # one claim is overstated
    assert [m["verdict"] for m in ms] == ["consistent", "overstated", "consistent"]
    spearman = ms[0]
    assert spearman["n"] == 1379
    assert spearman["measured"] == pytest.approx(82.03, abs=0.05)
    assert spearman["ci_low"] < 82.03 < spearman["ci_high"]
    assert spearman["provenance"]["rows"] == 1379
    assert spearman["provenance"]["data_sha256"] == "affe45928a66ee5a708531233c95b7dacbbdc57f974f002a3d32ea0180cf816a"
