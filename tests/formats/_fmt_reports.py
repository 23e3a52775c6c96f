"""Reports for the format tests: real ones built from evidence, and synthetic ones with every section."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from ptmvet.card import Claim
from ptmvet.cardinfo import BaseModel, CardInfo, DatasetMention, TaskInference
from ptmvet.checks.interface import Attribute, CheckMeta, Finding, Outcome, Severity
from ptmvet.evidence import Evidence, IntegrityInfo, Problem, Target
from ptmvet.evidence.licenses import IntendedUse
from ptmvet.evidence.lineage import DatasetLicense, LicenseConflict, Lineage, LineageEdge, LineageNode, Relation
from ptmvet.evidence.measurement import ClaimVerdict, Measurement, Unverifiable
from ptmvet.evidence.scan import GlobalImport, ScanIssue, ScanReport, ScanVerdict
from ptmvet.licenses.classify import classify
from ptmvet.licenses.compat import Status, UseVerdict
from ptmvet.licenses.detect import DetectedLicense, LicenseDetection
from ptmvet.licenses.ids import NormalizedLicense
from ptmvet.licenses.verdict import LicenseAssessment
from ptmvet.pipeline import vet_evidence
from ptmvet.report import Report, Summary, score_findings
from ptmvet.sources.local import collect_folder

XSS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus '",
    "<svg onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "<iframe src=javascript:alert(1)></iframe>",
)
PAYLOAD = " ".join(XSS)


def meta(cid: str, slug: str, attr: Attribute, sev: Severity = Severity.MEDIUM) -> CheckMeta:
    return CheckMeta(id=cid, slug=slug, attribute=attr, severity=sev, summary=f"{slug} summary", remedy=f"Fix {slug}.")


def sample_findings(text: str = "") -> list[Finding]:
    """Findings of every outcome over several attributes; ``text`` is appended to untrusted fields."""
    lic = meta("VET501", "license-declared", Attribute.LICENSE, Severity.HIGH)
    base = meta("VET101", "base-model-declared", Attribute.PROVENANCE)
    paper = meta("VET103", "paper-linked", Attribute.PROVENANCE, Severity.LOW)
    fmt = meta("VET301", "safe-weight-format", Attribute.PORTABILITY, Severity.HIGH)
    card = meta("VET401", "card-present", Attribute.DOCUMENTATION)
    scan = meta("VET701", "pickle-scan", Attribute.SAFETY, Severity.CRITICAL)
    hp = meta("VET201", "hyperparameters", Attribute.REPRODUCIBILITY)
    return [
        lic.failed(f"no licence declared {text}", evidence=[f"README.md front matter: license missing {text}"]),
        base.passed(f"base model: bert-base-uncased {text}", evidence=[f"base_model: {text}"]),
        paper.failed(f"no paper link {text}", remedy=f"Add an arXiv link {text}"),
        fmt.passed("weights in safetensors", evidence=["model.safetensors"]),
        card.not_applicable(f"not applicable {text}"),
        scan.skipped(f"weights not present {text}"),
        hp.finding(Outcome.ERROR, f"check crashed: ValueError {text}"),
    ]


def sample_claims(text: str = "") -> tuple[Claim, ...]:
    return (
        Claim(
            task_type="text-classification",
            dataset_name=f"SST-2 {text}",
            dataset_type="glue",
            metric_type="accuracy",
            value=91.3,
            dataset_config="sst2",
            dataset_split="validation",
        ),
        Claim(
            task_type=None,
            dataset_name=None,
            dataset_type=None,
            metric_type=f"f1 {text}",
            value=None,
            source="eval-results",
        ),
    )


def sample_measurements(text: str = "") -> tuple[Measurement, ...]:
    claim = sample_claims(text)[0]
    return (
        Measurement(claim=claim, task="sentence-similarity", dataset=f"stsb {text}", split="test", metric="spearman",
                    claimed=82.03, verdict=ClaimVerdict.CONSISTENT, measured=82.2, ci_low=81.1, ci_high=83.3, n=1379),
        Measurement(claim=claim, task="sentence-similarity", dataset="stsb", split="test", metric="spearman",
                    claimed=86.0, verdict=ClaimVerdict.OVERSTATED, measured=82.2, ci_low=81.1, ci_high=83.3, n=1379),
        Measurement(claim=claim, task="ner", dataset="conll2003", split="test", metric="f1", claimed=91.0,
                    verdict=ClaimVerdict.NOT_VERIFIABLE, cause=Unverifiable.NO_DATA, reason=f"no data {text}"),
    )  # fmt: skip


def sample_lineage(text: str = "") -> Lineage:
    root, ghost = f"acme/sentiment-mit {text}", f"org/ghost {text}"
    mit, nc, apache = classify("MIT"), classify("CC-BY-NC-4.0"), classify("Apache-2.0")
    return Lineage(
        root=root,
        source="static",
        nodes=(
            LineageNode(root, "mit", "MIT", mit, 0),
            LineageNode("org/base-nc", "cc-by-nc-4.0", "CC-BY-NC-4.0", nc, 1),
            LineageNode("google/bert-base", "apache-2.0", "Apache-2.0", apache, 2),
            LineageNode(ghost, None, "LicenseRef-unknown", classify("LicenseRef-unknown"), 1, found=False),
        ),
        edges=(
            LineageEdge(root, "org/base-nc", Relation.FINETUNE),
            LineageEdge("org/base-nc", "google/bert-base", Relation.FINETUNE),
            LineageEdge(root, ghost, Relation.MERGE),
        ),
        conflicts=(
            LicenseConflict(root, "org/base-nc", "MIT", "CC-BY-NC-4.0", ("non-commercial",), serious=True, direct=True,
                            reason=f"acme/sentiment-mit declares MIT but org/base-nc is non-commercial {text}"),
            LicenseConflict(root, "google/bert-base", "MIT", "Apache-2.0", ("attribution",), serious=False, direct=False,
                            reason=""),
        ),
        missing=(ghost,),
        datasets=(
            DatasetLicense("glue", "cc-by-4.0", "CC-BY-4.0", classify("CC-BY-4.0"), found=True),
            DatasetLicense(f"secret-data {text}", None, None, None, found=False),
        ),
        datasets_resolved=True,
    )  # fmt: skip


def sample_license(text: str = "") -> LicenseAssessment:
    mit = NormalizedLicense(raw="mit", hub_id="mit", spdx="MIT", recognized=True)
    detection = LicenseDetection(
        declared=(DetectedLicense("front-matter", "license", mit),),
        disagreements=(f"README says Apache-2.0 {text}",),
    )
    use = UseVerdict(Status.CONFLICT, reasons=(f"ancestor is non-commercial {text}",), duties=("keep notices",))
    return LicenseAssessment(IntendedUse.COMMERCIAL, detection, klass=classify("MIT"), use=use)


def sample_scan(text: str = "") -> tuple[ScanReport, ...]:
    danger = ScanVerdict.DANGEROUS
    return (
        ScanReport("model.safetensors", "safetensors", ScanVerdict.SAFE),
        ScanReport(
            f"pytorch_model.bin {text}",
            "pickle",
            danger,
            globals=(GlobalImport("os", f"system {text}", danger, f"module os reaches the OS {text}"),),
            issues=(ScanIssue("dangerous-global", danger, f"imports os.system {text}"),),
        ),
    )


def sample_card_info(text: str = "") -> CardInfo:
    return CardInfo(
        task=TaskInference("text-classification", "front-matter:pipeline_tag"),
        datasets=(DatasetMention("glue", "front-matter", "datasets: glue"), DatasetMention(f"imdb {text}", "card-text", "trained on imdb")),
        base_models=(BaseModel(f"org/base-nc {text}", "declared", "base_model"),),
    )


def sample_evidence(text: str = "", target: Target | None = None) -> Evidence:
    """Evidence with every typed result a report shows: integrity, scan, lineage, measurements."""
    return Evidence(
        target=target or Target(name="m", source="local", local_path="/models/m"),
        integrity=IntegrityInfo(hashes={"model.safetensors": "ab" * 32, f"pytorch_model.bin {text}": "cd" * 32}, bytes_hashed=1024),
        scan=sample_scan(text),
        lineage=sample_lineage(text),
        measurements=sample_measurements(text),
    )


def synthetic_report(text: str = "") -> Report:
    """A report with every typed result (licence, lineage, scan, measurements, integrity, card facts) filled in."""
    findings = tuple(sample_findings(text))
    target = Target(
        name=f"acme/sentiment-mit {text}",
        source="hub",
        repo_id=f"acme/sentiment-mit {text}",
        revision="0123456789abcdef0123456789abcdef01234567",
        requested_revision="main",
        local_path=f"/models/acme/sentiment-mit {text}",
    )
    return Report(
        target=target,
        findings=findings,
        scores=score_findings(findings),
        claims=sample_claims(text),
        summary=Summary(
            license=f"mit {text}",
            pipeline_tag="text-classification",
            library="transformers",
            base_model=(f"org/base-nc {text}",),
            datasets=("glue",),
            weight_formats=("pickle", "safetensors"),
            parameters=66_955_010,
            weights_bytes=267_832_560,
            files=9,
            claims=2,
            problems=(Problem(f"bad.json {text}", f"invalid JSON {text}"),),
        ),
        evidence=sample_evidence(text, target),
        license=sample_license(text),
        card_info=sample_card_info(text),
        generated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


def folder_report(root: Path, card: str) -> Report:
    """A real report: a tiny Hub-layout folder collected by the local source and vetted by every registered check."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(card, encoding="utf-8")
    (root / "config.json").write_text('{"model_type": "bert", "architectures": ["BertModel"]}', encoding="utf-8")
    return vet_evidence(collect_folder(root))


URL_ATTRS = {"href", "src", "xlink:href", "action", "formaction", "data", "poster", "background"}


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(doc: str) -> Collector:
    p = Collector()
    p.feed(doc)
    p.close()
    return p


def assert_inert(doc: str) -> Collector:
    """No script element, no event-handler attribute, no javascript: or remote URL anywhere."""
    p = parse(doc)
    names = [t for t, _ in p.tags]
    for banned in ("script", "iframe", "object", "embed", "link", "base", "form", "img", "meta-refresh"):
        assert banned not in names, banned
    for tag, attrs in p.tags:
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name, value)
            v = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            assert "javascript:" not in v, (tag, name, value)
            if name.lower() in URL_ATTRS:
                assert not v.startswith(("http:", "https:", "//", "data:text")), (tag, name, value)
        if tag == "meta":
            assert dict(attrs).get("http-equiv", "").lower() != "refresh"
    return p
