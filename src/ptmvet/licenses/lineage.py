"""Model lineage: follow ``base_model`` through registry data, licence at each hop.

A model card names its parents in ``base_model`` (the Hub turns them into
``base_model:[relation:]<id>`` tags). :func:`build_lineage` walks those links
breadth-first through a :class:`Resolver` (the Hub online, a metadata dump
offline, a mining database), detects cycles and missing ancestors, and
compares each derived licence with its ancestors'
(:func:`ptmvet.licenses.compat.inheritance`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ptmvet.evidence.lineage import DatasetLicense, LicenseConflict, Lineage, LineageEdge, LineageNode, Relation
from ptmvet.licenses.classify import classify
from ptmvet.licenses.compat import Status, inheritance
from ptmvet.licenses.ids import normalize
from ptmvet.progress import Progress

# The value types live in ptmvet.evidence.lineage; they are re-exported for callers of build_lineage.
__all__ = [
    "LEGACY_NAMESPACES",
    "BaseRef",
    "DatasetLicense",
    "LicenseConflict",
    "Lineage",
    "LineageEdge",
    "LineageNode",
    "ModelRecord",
    "Relation",
    "Resolver",
    "bases_from",
    "build_lineage",
    "find_cycles",
    "infer_relation",
    "node_for",
    "record_from_api",
]

_RELATIONS = {r.value: r for r in Relation}
_QUANT = re.compile(r"(gguf|gptq|awq|exl2|bnb|[48][- ]?bit|int[48]|quantized|\bq[2-8]_)", re.I)


@dataclass(frozen=True)
class BaseRef:
    """One parent named by a model."""

    id: str
    relation: Relation
    inferred: bool = False  # relation guessed from tags/name, not stated

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "relation": self.relation.value, "inferred": self.inferred}


@dataclass(frozen=True)
class ModelRecord:
    """What a registry says of one model, reduced to what lineage needs."""

    id: str
    license: str | None = None  # as declared (Hub id, SPDX id or free text)
    license_name: str | None = None
    bases: tuple[BaseRef, ...] = ()
    datasets: tuple[str, ...] = ()


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def infer_relation(model_id: str, tags: Iterable[str], n_bases: int, stated: str | None = None) -> tuple[Relation, bool]:
    """The relation to the base: stated if given, else guessed from tags and name."""
    if stated and stated.strip().lower() in _RELATIONS:
        return _RELATIONS[stated.strip().lower()], False
    tags_l = [t.lower() for t in tags]
    if n_bases > 1 or any(t in ("merge", "mergekit") for t in tags_l):
        return Relation.MERGE, True
    if any(t in ("gguf", "gptq", "awq", "exl2", "4-bit", "8-bit", "bitsandbytes") for t in tags_l) or _QUANT.search(model_id.rsplit("/", 1)[-1]):
        return Relation.QUANTIZED, True
    if any(t in ("peft", "lora", "adapter-transformers") for t in tags_l):
        return Relation.ADAPTER, True
    return Relation.FINETUNE, True


def bases_from(model_id: str, tags: Iterable[str], card_data: Mapping[str, Any] | None = None) -> tuple[BaseRef, ...]:
    """Parents from ``base_model:[relation:]id`` tags, else from card data ``base_model``."""
    tags = list(tags)
    explicit: list[tuple[str, str | None]] = []
    for t in tags:
        if not t.startswith("base_model:"):
            continue
        rest = t[len("base_model:") :]
        head, _, tail = rest.partition(":")
        if tail and head in _RELATIONS:
            explicit.append((tail, head))
        else:
            explicit.append((rest, None))
    if not explicit and card_data:
        stated = card_data.get("base_model_relation")
        explicit = [(b, stated if isinstance(stated, str) else None) for b in _as_list(card_data.get("base_model"))]
    # Newer Hub tags list the parent twice: base_model:X and base_model:finetune:X.
    by_id: dict[str, str | None] = {}
    for bid, rel in explicit:
        if bid not in by_id or (rel and not by_id[bid]):
            by_id[bid] = rel
    out: list[BaseRef] = []
    for bid, rel in by_id.items():
        relation, inferred = infer_relation(model_id, tags, len(by_id), rel)
        out.append(BaseRef(bid, relation, inferred))
    return tuple(out)


def record_from_api(data: Mapping[str, Any]) -> ModelRecord:
    """A record from a ``GET /api/models`` list entry or a ``model_info`` JSON."""
    model_id = str(data.get("id") or data.get("modelId") or "")
    tags = [t for t in data.get("tags") or [] if isinstance(t, str)]
    card = data.get("cardData") if isinstance(data.get("cardData"), Mapping) else None
    lic: str | None = None
    name: str | None = None
    if card:
        values = _as_list(card.get("license"))
        lic = values[0] if values else None
        name = card.get("license_name") if isinstance(card.get("license_name"), str) else None
    if lic is None:
        lic = next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)
    datasets = [t.split(":", 1)[1] for t in tags if t.startswith("dataset:")]
    if not datasets and card:
        datasets = _as_list(card.get("datasets"))
    return ModelRecord(id=model_id, license=lic, license_name=name, bases=bases_from(model_id, tags, card), datasets=tuple(datasets))


@runtime_checkable
class Resolver(Protocol):
    """Registry data lineage can be walked through. Ids are matched case-insensitively."""

    name: str

    def models(self, ids: Collection[str]) -> Mapping[str, ModelRecord]:
        """Records of the models found, keyed by lower-cased id; absent ids are missing."""
        ...

    def dataset_licenses(self, ids: Collection[str]) -> Mapping[str, str | None]:
        """Declared licence of each dataset found (None: found, no licence), keyed by lower-cased id."""
        ...


def node_for(record: ModelRecord | None, model_id: str, depth: int) -> LineageNode:
    if record is None:
        norm = normalize("unknown")
        return LineageNode(model_id, None, norm.spdx, classify(norm.spdx), depth, found=False)
    norm = normalize(record.license or "unknown", license_name=record.license_name)
    return LineageNode(record.id or model_id, record.license, norm.spdx, classify(norm.spdx), depth)


def find_cycles(edges: Sequence[LineageEdge]) -> tuple[tuple[str, ...], ...]:
    """Every elementary cycle reachable in the parent graph (ids lower-cased), each once."""
    graph: dict[str, list[str]] = {}
    for e in edges:
        graph.setdefault(e.child.lower(), []).append(e.parent.lower())
    cycles: list[tuple[str, ...]] = []
    seen_sets: set[frozenset[str]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for p in graph.get(n, ()):
            if state.get(p) == 1:
                cyc = tuple(stack[stack.index(p) :])
                key = frozenset(cyc)
                if key not in seen_sets:
                    seen_sets.add(key)
                    cycles.append(cyc)
            elif p not in state:
                visit(p)
        stack.pop()
        state[n] = 2

    for start in list(graph):
        if start not in state:
            visit(start)
    return tuple(cycles)


#: Organisations the Hub moved its un-namespaced models into in 2024 (``bert-base-uncased``
#: -> ``google-bert/bert-base-uncased``, ``gpt2`` -> ``openai-community/gpt2``,
#: ``xlm-roberta-base`` -> ``FacebookAI/xlm-roberta-base``, ``distilgpt2`` ->
#: ``distilbert/distilgpt2``, ...). The Hub redirects the old ids, but a listing or a
#: database written since holds only the new ones, while ``base_model`` tags and cards
#: still name the old: in the July-2024 listing, 16,547 base-model links name an id
#: without a namespace that the listing does not hold, and 16,194 of them (50 ids) are
#: found under these organisations. An ancestor not found under an id without a
#: namespace is looked up in them, in this order, and the rename is reported.
LEGACY_NAMESPACES = (
    "google-bert",
    "FacebookAI",
    "openai-community",
    "distilbert",
    "google-t5",
    "albert",
    "xlnet",
    "almanach",
    "flaubert",
    "transfo-xl",
    "Salesforce",
)


def _renamed(resolver: Resolver, ids: Sequence[str]) -> dict[str, ModelRecord]:
    """Models found under a namespace of :data:`LEGACY_NAMESPACES` for old ids (lower-cased keys)."""
    try:
        found = resolver.models([f"{ns}/{i}" for i in ids for ns in LEGACY_NAMESPACES])
    except Exception:  # noqa: BLE001 - a failed second look-up leaves the ancestor missing, as before
        return {}
    out: dict[str, ModelRecord] = {}
    for i in ids:
        for ns in LEGACY_NAMESPACES:
            got = found.get(f"{ns}/{i}".lower())
            if got is not None:
                out[i.lower()] = got
                break
    return out


def build_lineage(
    root: ModelRecord,
    resolver: Resolver,
    *,
    max_depth: int = 16,
    max_nodes: int = 512,
    with_datasets: bool = True,
    progress: Progress | None = None,
) -> Lineage:
    """Walk ``base_model`` links from ``root`` through ``resolver``, breadth-first."""
    records: dict[str, ModelRecord] = {root.id.lower(): root}
    depth_of: dict[str, int] = {root.id.lower(): 0}
    display: dict[str, str] = {root.id.lower(): root.id}
    missing: list[str] = []
    renamed: list[tuple[str, str]] = []  # (id as named, id the registry holds it under)
    edges: list[LineageEdge] = []
    unresolved: list[str] = []
    frontier = [root]
    truncated = False
    depth = 0
    while frontier:
        wanted: dict[str, str] = {}
        for rec in frontier:
            for base in rec.bases:
                edges.append(LineageEdge(rec.id, base.id, base.relation, base.inferred))
                key = base.id.lower()
                if key not in records and key not in depth_of and key not in wanted:
                    wanted[key] = base.id
        if not wanted:
            break
        depth += 1
        if depth > max_depth or len(depth_of) + len(wanted) > max_nodes:
            truncated = True
            for key, bid in wanted.items():
                depth_of.setdefault(key, depth)
                display.setdefault(key, bid)
            break
        if progress:
            progress(len(depth_of), None, f"lineage depth {depth}: {len(wanted)} model(s)")
        try:
            found = resolver.models(list(wanted.values()))
        except Exception as exc:  # noqa: BLE001 - a failing registry leaves the ancestors unresolved, not the run broken
            unresolved.extend(wanted.values())
            unresolved.append(f"{type(exc).__name__}: {exc}")
            for key, bid in wanted.items():
                depth_of[key] = depth
                display[key] = bid
            break
        # (The Hub itself answers an old id with the model it moved: nothing to look up again there.)
        legacy = [bid for key, bid in wanted.items() if key not in found and "/" not in bid]
        moved = _renamed(resolver, legacy) if legacy and not getattr(resolver, "follows_renames", False) else {}
        frontier = []
        for key, bid in wanted.items():
            depth_of[key] = depth
            display[key] = bid
            got = found.get(key)
            if got is None and key in moved:
                got = moved[key]
                renamed.append((bid, got.id))
                display[key] = got.id
                if got.id.lower() in depth_of or got.id.lower() in wanted:  # also named by its new id: one node
                    del depth_of[key]
                    continue
            if got is None:
                missing.append(bid)
            else:
                records[key] = got
                display[key] = got.id or bid
                frontier.append(got)

    nodes = tuple(node_for(records.get(key), display.get(key, key), d) for key, d in sorted(depth_of.items(), key=lambda kv: (kv[1], kv[0])))
    # Point edges at display ids so the graph reads as the registry spells them.
    edges = [LineageEdge(display.get(e.child.lower(), e.child), display.get(e.parent.lower(), e.parent), e.relation, e.inferred) for e in edges]
    cycles = find_cycles(edges)
    conflicts, review = _conflicts(nodes, edges)

    datasets: tuple[DatasetLicense, ...] = ()
    resolved = False
    if with_datasets and root.datasets:
        try:
            lic = resolver.dataset_licenses(root.datasets)
            resolved = True
        except Exception as exc:  # noqa: BLE001
            lic = {}
            unresolved.append(f"datasets: {type(exc).__name__}: {exc}")
        datasets = tuple(_dataset(d, lic) for d in root.datasets)
    return Lineage(
        root=root.id,
        source=resolver.name,
        nodes=nodes,
        edges=tuple(edges),
        cycles=cycles,
        missing=tuple(missing),
        renamed=tuple(renamed),
        conflicts=conflicts,
        review=review,
        datasets=datasets,
        datasets_resolved=resolved,
        truncated=truncated,
        unresolved=tuple(unresolved),
    )


def _dataset(dataset_id: str, licenses: Mapping[str, str | None]) -> DatasetLicense:
    key = dataset_id.lower()
    if key not in licenses:
        return DatasetLicense(dataset_id, None, None, None, found=False)
    raw = licenses[key]
    if raw is None:
        return DatasetLicense(dataset_id, None, None, None, found=True)
    norm = normalize(raw)
    return DatasetLicense(dataset_id, raw, norm.spdx, classify(norm.spdx), found=True)


def _conflicts(nodes: Sequence[LineageNode], edges: Sequence[LineageEdge]) -> tuple[tuple[LicenseConflict, ...], tuple[str, ...]]:
    """Each model vs every found ancestor: direct hops, then the root vs deeper ancestors."""
    by_key = {n.id.lower(): n for n in nodes}
    parents: dict[str, list[str]] = {}
    for e in edges:
        parents.setdefault(e.child.lower(), []).append(e.parent.lower())

    def ancestors(start: str) -> dict[str, bool]:
        out: dict[str, bool] = {}
        todo = [(p, True) for p in parents.get(start, [])]
        while todo:
            k, direct = todo.pop()
            if k in out or k == start:
                continue
            out[k] = direct
            todo.extend((p, False) for p in parents.get(k, []))
        return out

    conflicts: list[LicenseConflict] = []
    review: list[str] = []
    root = nodes[0].id.lower() if nodes else ""
    for child_key in parents:
        child = by_key.get(child_key)
        if child is None or not child.found:
            continue
        anc = ancestors(child_key)
        for anc_key, direct in anc.items():
            if not direct and child_key != root:
                continue  # deeper pairs are reported for the root only
            ancestor = by_key.get(anc_key)
            if ancestor is None or not ancestor.found:
                continue
            verdict = inheritance(ancestor.klass, child.klass)
            if verdict.status is Status.CONFLICT:
                conflicts.append(
                    LicenseConflict(
                        child=child.id,
                        ancestor=ancestor.id,
                        child_license=child.spdx,
                        ancestor_license=ancestor.spdx,
                        dropped=verdict.dropped,
                        serious=verdict.serious,
                        direct=direct,
                        reason=verdict.reason,
                    )
                )
            elif verdict.status is Status.REVIEW and direct:
                review.append(f"{child.id} <- {ancestor.id}: {verdict.reason}")
    return tuple(conflicts), tuple(review)
