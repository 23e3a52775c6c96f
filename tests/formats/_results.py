"""One result of every kind ptmvet renders, built from two small real packages.

``tiny``: a well-documented package (Apache-2.0 card with a claim, config,
a valid safetensors file). ``risky``: a package with findings in every
family (no licence, a pickle that imports ``os.system``, a thin card, a claim
without data). Both are written into a folder the caller gives; nothing is
unpickled or loaded. Volatile values (times, the folder, the version) are
fixed or normalised by :func:`normalise`, so whole outputs can be compared.
"""

from __future__ import annotations

import contextlib
import json
import re
import struct
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ptmvet import __version__
from ptmvet.card import Claim
from ptmvet.checks.catalogue import Catalogue
from ptmvet.compare import Comparison, rank
from ptmvet.evaluate.measurement import Measurement
from ptmvet.evaluate.remeasurement import Remeasurement
from ptmvet.evaluate.schema import check_schema
from ptmvet.integrity.errors import IntegrityMismatch
from ptmvet.integrity.lfs import compare_with_registry
from ptmvet.integrity.manifest import build_manifest, diff_manifests
from ptmvet.integrity.signing import SignResult
from ptmvet.integrity.snapshot import RegistryFile, RegistrySnapshot
from ptmvet.integrity.verification import Verification
from ptmvet.licenses.lineage import BaseRef, ModelRecord, Relation, build_lineage
from ptmvet.licenses.resolvers import StaticResolver
from ptmvet.pipeline import VetOptions, vet
from ptmvet.policy import Policy, gate
from ptmvet.registry.engines import AuditStats
from ptmvet.registry.gitmine import GitMineStats
from ptmvet.registry.ingest import MineStats
from ptmvet.registry.study import Study, StudyTable
from ptmvet.report import Report
from ptmvet.scan import scan_paths
from ptmvet.scan.result import ScanResult

#: The moment every result claims to have been made.
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TODAY = WHEN.date()

FIXTURES = ("tiny", "risky")

TINY_CARD = """---
license: apache-2.0
language: en
library_name: transformers
pipeline_tag: text-classification
base_model: google-bert/bert-base-uncased
datasets: [glue]
model-index:
- name: tiny-sentiment
  results:
  - task: {type: text-classification}
    dataset: {name: GLUE SST2, type: glue, config: sst2, split: validation}
    metrics:
    - {type: accuracy, value: 0.913}
---
# tiny-sentiment

A BERT fine-tuned for English sentiment (SST-2).

## Intended uses & limitations

Sentiment of short English reviews; not for other languages or medical text.

## Training procedure

learning_rate: 2e-05, train_batch_size: 32, seed: 42, num_epochs: 3, optimizer: AdamW.

## Evaluation results

Accuracy 91.3 on the SST-2 validation split.
"""

RISKY_CARD = """---
pipeline_tag: text-classification
model-index:
- name: risky
  results:
  - task: {type: text-classification}
    dataset: {name: imdb, type: imdb, split: test}
    metrics:
    - {type: accuracy, value: 0.99}
---
# risky

Works great.
"""

#: A protocol-2 pickle whose only global is os.system; written, never loaded.
DANGEROUS_PICKLE = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00echoq\x01\x85q\x02Rq\x03."


def _safetensors(path: Path) -> None:
    header = json.dumps({"weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)
    path.write_bytes(struct.pack("<Q", len(header)) + header + struct.pack("<4f", 0.5, -0.5, 0.25, 1.0))


def write_package(root: Path, name: str) -> Path:
    """Write fixture package ``name`` (tiny or risky) under ``root``; returns its folder."""
    pkg = root / name
    pkg.mkdir(parents=True, exist_ok=True)
    config = {"model_type": "bert", "architectures": ["BertForSequenceClassification"], "id2label": {"0": "NEGATIVE", "1": "POSITIVE"}}
    (pkg / "config.json").write_text(json.dumps(config), encoding="utf-8")
    if name == "tiny":
        (pkg / "README.md").write_text(TINY_CARD, encoding="utf-8")
        _safetensors(pkg / "model.safetensors")
    elif name == "risky":
        (pkg / "README.md").write_text(RISKY_CARD, encoding="utf-8")
        (pkg / "pytorch_model.bin").write_bytes(DANGEROUS_PICKLE)
    else:
        raise ValueError(name)
    return pkg


#: The folder results claim their packages are in, so that no output depends on where the tests run.
SHOWN_ROOT = "/fixtures"


def report_of(pkg: Path, *, shown: str | None = None) -> Report:
    """The report of a package, made at :data:`WHEN`; with ``shown``, as if the package lay there."""
    report = vet(str(pkg), VetOptions(offline=True))
    report = replace(report, generated_at=WHEN)
    if shown is not None:
        report = replace(report, target=replace(report.target, local_path=shown))
    return report


def _lineage(name: str) -> Any:
    if name == "tiny":
        root = ModelRecord(id="acme/tiny-sentiment", license="apache-2.0", bases=(BaseRef("google-bert/bert-base-uncased", Relation.FINETUNE),), datasets=("glue",))
        known = [ModelRecord(id="google-bert/bert-base-uncased", license="apache-2.0")]
    else:
        root = ModelRecord(id="acme/risky", license="mit", bases=(BaseRef("org/base-nc", Relation.FINETUNE), BaseRef("org/ghost", Relation.FINETUNE)))
        known = [ModelRecord(id="org/base-nc", license="cc-by-nc-4.0", bases=(BaseRef("acme/risky", Relation.FINETUNE),))]
    return build_lineage(root, StaticResolver(known))


def _measurements(name: str) -> Remeasurement:
    from ptmvet.evaluate.stats import Verdict

    if name == "tiny":
        claim = Claim(task_type="text-classification", dataset_name="GLUE SST2", dataset_type="glue", metric_type="accuracy", value=0.913, dataset_config="sst2", dataset_split="validation")
        m = Measurement(claim=claim, task="text-classification", dataset="glue", split="validation", metric="accuracy", claimed=0.913,
                        verdict=Verdict.CONSISTENT, measured=0.9104, ci_low=0.8911, ci_high=0.9289, n=872, tolerance=0.01,
                        config="sst2", provenance={"data_file": "sst2-validation.parquet", "data_sha256": "ab" * 32, "rows": 872, "rows_per_second": 410.5, "seed": 0})  # fmt: skip
        return Remeasurement.of("acme/tiny-sentiment", [m])
    over = Claim(task_type="text-classification", dataset_name="imdb", dataset_type="imdb", metric_type="accuracy", value=0.99, dataset_split="test")
    none = Claim(task_type="text-classification", dataset_name="private-reviews", dataset_type=None, metric_type="f1", value=0.95)
    ms = [
        Measurement(claim=over, task="text-classification", dataset="imdb", split="test", metric="accuracy", claimed=0.99,
                    verdict=Verdict.OVERSTATED, measured=0.871, ci_low=0.858, ci_high=0.884, n=2500, tolerance=0.013,
                    notes=("the label order was assumed from config.json",)),
        Measurement(claim=none, task="text-classification", dataset="private-reviews", split=None, metric="f1", claimed=0.95,
                    verdict=Verdict.NOT_VERIFIABLE, reason="no local data for private-reviews (give --data or --data-dir)"),
    ]  # fmt: skip
    return Remeasurement.of("acme/risky", ms)


def _scan(root: Path, name: str) -> ScanResult:
    with contextlib.chdir(root):  # file names relative to the fixture folder, as a user in it would see them
        return ScanResult.of(scan_paths([name]))


def _schema_fit(root: Path, pkg: Path, name: str) -> Any:
    data = root / f"{name}-data.csv"
    if name == "tiny":
        data.write_text("text,label\ngreat film,POSITIVE\nawful plot,NEGATIVE\nfine,POSITIVE\n", encoding="utf-8")
    else:
        data.write_text("review,stars\ngreat film,5\nawful plot,1\n,3\n", encoding="utf-8")
    fit = check_schema(pkg, data, task="text-classification")
    return replace(fit, model=f"{SHOWN_ROOT}/{name}", data=f"{SHOWN_ROOT}/{data.name}")


def _verification(root: Path, pkg: Path, name: str) -> tuple[Verification, Verification]:
    manifest = build_manifest(pkg)
    snapshot_files = tuple(RegistryFile(e.path, e.sha256 if e.path.endswith((".safetensors", ".bin")) else None, e.size) for e in manifest.entries)
    if name == "tiny":
        diff = diff_manifests(manifest, build_manifest(pkg))
        snapshot = RegistrySnapshot("acme/tiny-sentiment", "0" * 40, snapshot_files, "hub")
        cmp = compare_with_registry(manifest, snapshot)
        return (
            Verification("manifest", True, "tiny.manifest.json", files=diff.matched),
            Verification("registry", True, "acme/tiny-sentiment@" + "0" * 40, files=len(cmp.matched), registry=cmp),
        )
    (pkg / "config.json").write_text('{"model_type": "gpt2"}', encoding="utf-8")
    (pkg / "extra.py").write_text("import os\n", encoding="utf-8")
    after = build_manifest(pkg)
    diff = diff_manifests(manifest, after)
    try:
        diff.raise_for("risky against risky.manifest.json")
        raise AssertionError("the changed package verified")
    except IntegrityMismatch as exc:
        mismatch = exc
    snapshot = RegistrySnapshot("acme/risky", None, (*snapshot_files, RegistryFile("tokenizer.json", "cd" * 32, 10)), "dump.jsonl.gz")
    cmp = compare_with_registry(after, snapshot)
    try:
        cmp.raise_for()
        raise AssertionError("the registry comparison matched")
    except IntegrityMismatch as exc:
        reg_mismatch = exc
    notes = ("finding: the local copy is not pinned to a commit; the registry listing has no revision and may describe other bytes",)
    return (
        Verification.failed("manifest", "risky.manifest.json", mismatch),
        Verification("registry", False, "acme/risky@unknown revision", files=len(cmp.matched), mismatch=reg_mismatch, registry=cmp, notes=notes),
    )


def shared_results() -> dict[str, Any]:
    """Results that do not depend on a package (same for every fixture)."""
    study = Study(
        db="hub-2024-07.duckdb",
        models=60,
        tables=(
            StudyTable("claims_by_pipeline", "Machine-readable performance claims by pipeline tag", ("pipeline_tag", "models", "with_model_index", "share"),
                       (("text-classification", 30, 12, 0.4), ("<script>alert(1)</script>", 30, 3, 0.1)), note="share = with_model_index / models", chart=(0, 3)),
            StudyTable("licences", "Top 20 declared licences", ("licence", "models", "share"), (("mit", 30, 0.5), ("apache-2.0", 30, 0.5)), chart=(0, 1)),
        ),
    )  # fmt: skip
    return {
        "study": study,
        "audit": AuditStats(run_id=3, engine="local", workers=2, models=60, findings=1234, seconds=2.5),
        "mining": MineStats(run_id=1, records=60, models_new=58, models_changed=2, cards=40, cards_changed=40, errors=1,
                            error_samples=[("dump.jsonl.gz:17", "not a JSON object")]),
        "git-mining": GitMineStats(run_id=2, repositories=3, unreadable=1, commits=42, signed_commits=5, with_signed_commit=1,
                                   errors=[("acme/broken", "not a git repository")]),
        "signing": SignResult(signature=Path("model.sig"), files=3, method="key"),
        "catalogue": Catalogue.registered(),
        **_attestations(),
        **_trail(),
    }


def _attestations() -> dict[str, Any]:
    from ptmvet.attest.dsse import Signer
    from ptmvet.attest.result import Attested
    from ptmvet.attest.verify import AttestationCheck, AttestationVerdict

    written = Attested(path="tiny.intoto.json", model="acme/tiny-sentiment", files=3, verdict="pass", stage="production",
                       policy="default", signatures=1, signer_keyid="ab12" * 16, items=("warn VET105 author-identified: no author",))
    signer = Signer(keyid="ab12" * 16, kind="certificate", identities=("release@acme.example",), issuer="Acme Release CA")
    verdict = AttestationVerdict(attestation="tiny.intoto.json", signers=(signer,), files=3, stage="production", verdict="pass",
                                 policy={"name": "default", "version": 2}, time=WHEN.isoformat(), model={"name": "acme/tiny-sentiment"},
                                 notes=("the attestation names no revision",))
    refused = AttestationCheck("risky.intoto.json", reason="files", message="risky does not match: 1 changed (config.json)",
                               changed=("config.json",))
    return {"attest": written, "verify-attestation": AttestationCheck("tiny.intoto.json", verdict=verdict),
            "verify-attestation_refused": refused}  # fmt: skip


def _trail() -> dict[str, Any]:
    from ptmvet.trail import GENESIS, TrailListing, TrailRecord, TrailVerdict

    record = TrailRecord(time=WHEN.isoformat(), command="gate", user="ci", host="runner-1", model="acme/tiny-sentiment",
                         repo_id="acme/tiny-sentiment", revision="0" * 40, weights_digest="cd" * 32, policy="default",
                         policy_digest="ef" * 32, stage="production", verdict="pass", tool_version="<VERSION>", seq=1,
                         prev=GENESIS, hash="12" * 32)  # fmt: skip
    return {
        "trail": TrailListing(where="audit.jsonl", records=(record,), model="acme/tiny-sentiment", since=TODAY),
        "trail-verify": TrailVerdict(where="audit.jsonl", count=1, head="12" * 32),
        "trail-verify_broken": TrailVerdict(where="audit.jsonl", count=0, head="", ok=False, message="record 1 was edited", index=1),
    }


def build(root: Path) -> dict[str, dict[str, Any]]:
    """fixture -> result name -> result, for every fixture; results of kind ``verify`` come as verify, verify_registry."""
    out: dict[str, dict[str, Any]] = {}
    reports: dict[str, Report] = {}
    policy = Policy.load("default")
    for name in FIXTURES:
        pkg = write_package(root, name)
        report = report_of(pkg, shown=f"{SHOWN_ROOT}/{name}")
        reports[name] = report
        results: dict[str, Any] = {
            "report": report,
            "gate": gate(report, policy, today=TODAY),
            "lineage": _lineage(name),
            "scan": _scan(root, name),
            "reproduce": _measurements(name),
            "schema": _schema_fit(root, pkg, name),
            "manifest": replace(build_manifest(pkg), model=name),
        }
        results["verify"], results["verify_registry"] = _verification(root, pkg, name)
        out[name] = results
    ranked = rank([(n, reports[n]) for n in FIXTURES], policy, today=TODAY)
    pair = Comparison(tuple(ranked), policy, "commercial", generated_at=WHEN)
    out["tiny"]["compare"] = pair
    from ptmvet.diff import diff

    out["tiny"]["diff"] = diff(str(root / "tiny"), str(root / "risky"), offline=True)
    out["shared"] = shared_results()
    return out


def normalise(text: str, root: Path) -> str:
    """The output with the fixture folder, the tool version and wall-clock times replaced by placeholders."""
    text = text.replace(str(root.resolve()), "<ROOT>").replace(str(root), "<ROOT>")
    text = text.replace(json.dumps(str(root))[1:-1], "<ROOT>")
    text = text.replace(__version__, "<VERSION>")
    text = re.sub(r"\d+(\.\d+)? rows/s", "<N> rows/s", text)
    return text


__all__ = ["FIXTURES", "TODAY", "WHEN", "build", "normalise", "report_of", "write_package"]
