"""The licence enrichment stage: intended use and lineage into the evidence.

Checks are pure, so what needs I/O happens here: the ``base_model`` chain is
looked up in the registry data the run was given (``VetOptions.registry_db``,
``VetOptions.dump``, or the Hub when online). Without any of them lineage is
skipped with the reason, and the lineage checks report *skipped*.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ptmvet.cardinfo import for_evidence
from ptmvet.cardinfo.basemodel import valid_hub_id
from ptmvet.enrich.interface import VetOptions
from ptmvet.evidence import Evidence
from ptmvet.evidence.lineage import Lineage, LineageEdge, Relation
from ptmvet.licenses.detect import detect
from ptmvet.licenses.lineage import BaseRef, ModelRecord, Resolver, bases_from, build_lineage, node_for
from ptmvet.licenses.resolvers import DuckDBResolver, DumpResolver, HubResolver
from ptmvet.progress import Progress


def root_record(evidence: Evidence) -> ModelRecord:
    """The vetted model as a lineage record: licence, parents and datasets from its card and registry data."""
    target = evidence.target
    model_id = target.repo_id or target.name
    card_meta: dict[str, Any] = dict(evidence.card.metadata) if evidence.card else {}
    tags: list[str] = list(evidence.registry.tags) if evidence.registry else []
    if not card_meta and evidence.registry and evidence.registry.card_data:
        card_meta = dict(evidence.registry.card_data)
    primary = detect(evidence).primary
    datasets: list[str] = []
    if evidence.card:
        datasets.extend(evidence.card.meta_list("datasets"))
    for t in tags:
        if t.startswith("dataset:") and t.split(":", 1)[1] not in datasets:
            datasets.append(t.split(":", 1)[1])
    # Card metadata is what the author wrote for this revision; registry tags are the fallback.
    bases = bases_from(model_id, [t for t in tags if not t.startswith("base_model:")], card_meta) if card_meta.get("base_model") else bases_from(model_id, tags, None)
    if not bases and evidence.card is not None:
        # A parent named only in the card's prose or config.json (VET101's weaker evidence) is still a parent:
        # lineage lists it (inferred) rather than reading as "no base model" beside VET101.
        own = {model_id.lower(), target.name.lower()}
        named = [b.id for b in for_evidence(evidence).base_models if b.strength != "declared" and not b.id.startswith("github:")]
        path = evidence.config.get("_name_or_path")
        if isinstance(path, str) and valid_hub_id(path) and "/" in path:
            named.append(path.strip())
        unique = {n.lower(): n for n in reversed(named) if n.lower() not in own and n.lower().rsplit("/", 1)[-1] not in own}
        bases = tuple(BaseRef(n, Relation.FINETUNE, inferred=True) for n in reversed(unique.values()))
    return ModelRecord(id=model_id, license=primary.spdx if primary else None, bases=bases, datasets=tuple(datasets))


def _offline(options: VetOptions) -> bool:
    if options.offline is not None:
        return options.offline
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def resolver_for(options: VetOptions) -> tuple[Resolver | None, str]:
    """The registry data to walk lineage through, or None and why not."""
    datasets = options.datasets_dump
    if options.registry_db is not None:
        return DuckDBResolver(Path(options.registry_db)), f"registry database {options.registry_db}"
    if options.dump is not None:
        return DumpResolver(Path(options.dump), Path(datasets) if datasets else None), f"metadata dump {options.dump}"
    if not _offline(options):
        return HubResolver(), "the Hub"
    return None, "offline and no registry data given (pass --registry hub.duckdb or --dump listing.jsonl.gz)"


def lineage_for(evidence: Evidence, options: VetOptions, progress: Progress | None = None) -> Lineage:
    """Look up the lineage of the vetted model, or a root-only lineage saying why not."""
    root = root_record(evidence)
    if not root.bases and not root.datasets:
        return Lineage(root=root.id, source="card", nodes=(node_for(root, root.id, 0),))
    resolver, why = resolver_for(options)
    if resolver is None:
        # The parents the card names are still shown (as not looked up), never as "no base model".
        named = tuple(node_for(None, b.id, 1) for b in root.bases)
        edges = tuple(LineageEdge(root.id, b.id, b.relation, b.inferred) for b in root.bases)
        return Lineage(root=root.id, source="none", nodes=(node_for(root, root.id, 0), *named), edges=edges, skipped=f"lineage not looked up: {why}")
    return build_lineage(root, resolver, progress=progress)


def license_enricher(evidence: Evidence, options: VetOptions, progress: Progress | None = None) -> Evidence:
    """Enricher: set the intended use and look up the lineage (the report's licence verdict reads both)."""
    return replace(evidence, intended_use=options.use, lineage=lineage_for(evidence, options, progress))
