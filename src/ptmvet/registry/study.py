"""The study's tables, computed from the registry store.

The ICSE'23 PTM-reuse study measured Hub packages once; these queries measure
any mined registry the same way: machine-readable performance claims by
pipeline tag (its Fig. 7), dataset-tag and architecture distributions (Fig. 6),
card presence and per-section completeness, licences, signed commits and
popularity concentration. Writers of CSV and Parquet files are here; the terminal
tables, JSON and the HTML page are drawn by :mod:`ptmvet.formats.study`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptmvet.atomic import write_atomic
from ptmvet.card import TEMPLATE_SECTIONS
from ptmvet.errors import InputError
from ptmvet.registry.store import Store

TOP = 20


@dataclass(frozen=True)
class StudyTable:
    """One table of the study."""

    name: str  # file stem for CSV/Parquet
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    chart: tuple[int, int] | None = None  # (label column, value column) to draw as bars, value in 0..1 or counts


@dataclass(frozen=True)
class Study:
    """Every table of one study run."""

    db: str
    models: int
    tables: tuple[StudyTable, ...] = field(default_factory=tuple)

    def table(self, name: str) -> StudyTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)


def _q(store: Store, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.con.execute(sql, params or []).fetchall()]


def _share(n: int, d: int) -> float:
    return round(n / d, 4) if d else 0.0


def claims_by_pipeline(store: Store) -> StudyTable:
    """Fig. 7: per pipeline tag, models with machine-readable performance claims (model-index)."""
    rows = _q(
        store,
        """SELECT coalesce(m.pipeline_tag, 'other') AS tag, count(*) AS models,
                  count(*) FILTER (WHERE m.has_model_index OR coalesce(c.has_model_index, false)) AS with_claims
           FROM models m LEFT JOIN cards c USING (model_id)
           GROUP BY tag ORDER BY models DESC, tag""",
    )
    out = tuple((t, n, k, _share(k, n)) for t, n, k in rows)
    return StudyTable(
        "claims_by_pipeline",
        "Machine-readable performance claims (model-index) by pipeline tag",
        ("pipeline_tag", "models", "with_model_index", "share"),
        out,
        note="'other' = no pipeline tag. A model counts when its registry record (tag, field or cardData) "
        "or its card front matter carries model-index.",
        chart=(0, 3),
    )


def dataset_tags(store: Store, total: int) -> tuple[StudyTable, StudyTable]:
    """Fig. 6 (left): how many models name a dataset, and which."""
    # One scan of the tag lists for both tables: each model's distinct dataset names.
    rows = _q(
        store,
        f"""WITH d AS MATERIALIZED (
                SELECT list_distinct([substr(t, 9) FOR t IN tags IF starts_with(t, 'dataset:')]) AS ds FROM models)
            SELECT NULL AS dataset, count(*) FILTER (WHERE len(ds) > 0) AS models FROM d
            UNION ALL
            (SELECT dataset, count(*) AS models FROM (SELECT unnest(ds) AS dataset FROM d)
             GROUP BY dataset ORDER BY models DESC, dataset LIMIT {TOP})""",  # noqa: S608
    )
    with_tag = int(next(n for d, n in rows if d is None))
    top = sorted(((d, int(n)) for d, n in rows if d is not None), key=lambda r: (-r[1], r[0]))
    coverage = StudyTable(
        "dataset_tag_coverage",
        "Dataset tags",
        ("models", "with_dataset_tag", "without_dataset_tag", "share_without"),
        ((total, with_tag, total - with_tag, _share(total - with_tag, total)),),
    )
    return coverage, StudyTable(
        "top_datasets",
        f"Top {TOP} dataset tags",
        ("dataset", "models", "share"),
        tuple((d, n, _share(n, total)) for d, n in top),
        chart=(0, 1),
    )


def architectures(store: Store, total: int) -> StudyTable:
    """Fig. 6 (right): architecture distribution (config.architectures[0], else model_type)."""
    rows = _q(
        store,
        f"""SELECT coalesce(architecture, model_type, 'unknown') AS arch, count(*) AS n FROM models
            GROUP BY arch ORDER BY n DESC, arch LIMIT {TOP}""",  # noqa: S608
    )
    return StudyTable(
        "architectures",
        f"Top {TOP} architectures",
        ("architecture", "models", "share"),
        tuple((a, n, _share(n, total)) for a, n in rows),
        note="'unknown': the record has no config (listings never do).",
        chart=(0, 1),
    )


def card_presence(store: Store, total: int) -> tuple[StudyTable, StudyTable]:
    """Card presence and per-section completeness (ptmvet.card canonical sections)."""
    cards_known = _q(store, "SELECT count(*) FROM cards")[0][0]
    if cards_known:
        row = _q(
            store,
            """SELECT count(c.model_id) FILTER (WHERE NOT c.empty), count(c.model_id) FILTER (WHERE c.empty),
                      count(c.model_id) FILTER (WHERE c.has_front_matter)
               FROM models m LEFT JOIN cards c USING (model_id)""",
        )[0]
        with_card, empty, front = int(row[0]), int(row[1]), int(row[2])
        basis = "card text ingested"
    else:
        listed = _q(
            store,
            "SELECT count(DISTINCT model_id) FROM files WHERE lower(path) = 'readme.md'",
        )[0][0]
        with_card, empty, front = int(listed), 0, 0
        basis = "README.md listed among the files (no card text ingested)"
    presence = StudyTable(
        "card_presence",
        "Model cards",
        ("models", "with_card", "empty_card", "with_front_matter", "share_with_card"),
        ((total, with_card, empty, front, _share(with_card, total)),),
        note=f"Basis: {basis}.",
    )
    counts = dict(
        _q(store, "SELECT canonical, count(DISTINCT model_id) FROM card_sections WHERE words > 0 GROUP BY canonical")
    )
    denom = _q(store, "SELECT count(*) FROM cards WHERE NOT empty")[0][0]
    rows = tuple(
        sorted(
            ((k, int(counts.get(k, 0)), _share(int(counts.get(k, 0)), denom)) for k in TEMPLATE_SECTIONS),
            key=lambda r: (-r[1], r[0]),
        )
    )
    sections = StudyTable(
        "card_sections",
        "Card completeness: share of non-empty cards with each template section",
        ("section", "cards", "share"),
        rows,
        note=f"Of {denom} non-empty cards; sections as mapped by ptmvet.card.TEMPLATE_SECTIONS.",
        chart=(0, 2),
    )
    return presence, sections


def licences(store: Store, total: int) -> StudyTable:
    rows = _q(
        store,
        f"""SELECT coalesce(license, '(none)') AS lic, count(*) AS n FROM models
            GROUP BY lic ORDER BY n DESC, lic LIMIT {TOP}""",  # noqa: S608
    )
    return StudyTable(
        "licences",
        f"Top {TOP} declared licences",
        ("license", "models", "share"),
        tuple((x, n, _share(n, total)) for x, n in rows),
        note="As declared (license: tag, else cardData, else card front matter), not normalised.",
        chart=(0, 1),
    )


def signed_commits(store: Store) -> StudyTable:
    row = _q(
        store,
        """SELECT count(DISTINCT model_id), count(DISTINCT model_id) FILTER (WHERE signed) FROM commits""",
    )[0]
    with_git, signed = int(row[0]), int(row[1])
    return StudyTable(
        "signed_commits",
        "Repositories with at least one signed commit",
        ("models_with_git_data", "with_signed_commit", "share"),
        ((with_git, signed, _share(signed, with_git)),),
        note="" if with_git else "No git history in this database (Hub listings carry none).",
    )


def popularity(store: Store) -> StudyTable:
    """Share of all downloads held by the top k models."""
    total_row = _q(store, "SELECT count(*), coalesce(sum(downloads), 0) FROM models WHERE downloads IS NOT NULL")[0]
    n, total = int(total_row[0]), int(total_row[1])
    ks = [10, 100, 1000, max(1, n // 100), max(1, n // 10)]
    labels = ["top 10", "top 100", "top 1000", "top 1%", "top 10%"]
    rows = []
    if n:
        # The downloads of the top k do not depend on how ties are ordered: one top-N
        # pass (a heap, not a sort of every model) gives the largest counts, and the
        # sums of their prefixes are exact.
        top = max(min(k, n) for k in ks)
        held_by = _q(
            store,
            """SELECT [list_sum(d[1:k]) FOR k IN $ks] FROM (
                   SELECT list(downloads ORDER BY downloads DESC) AS d FROM (
                       SELECT downloads FROM models WHERE downloads IS NOT NULL ORDER BY downloads DESC LIMIT $top))""",
            {"ks": [min(k, n) for k in ks], "top": top},
        )[0][0]
        for label, k, held_k in zip(labels, ks, held_by, strict=True):
            held = int(held_k if held_k is not None else 0)
            rows.append((label, min(k, n), held, _share(held, total)))
    return StudyTable(
        "popularity",
        "Popularity concentration: share of downloads held by the top k",
        ("group", "models", "downloads", "share"),
        tuple(rows),
        note=f"{n} models with a download count, {total} downloads in all.",
        chart=(0, 3),
    )


def compute_study(store: Store) -> Study:
    """Every table of the study."""
    total = int(_q(store, "SELECT count(*) FROM models")[0][0])
    if total == 0:
        raise InputError(f"{store.path}: no models in the database", path=store.path, hint="run `ptmvet mine` first")
    coverage, top_ds = dataset_tags(store, total)
    presence, sections = card_presence(store, total)
    tables = (
        claims_by_pipeline(store),
        coverage,
        top_ds,
        architectures(store, total),
        presence,
        sections,
        licences(store, total),
        signed_commits(store),
        popularity(store),
    )
    return Study(db=store.path, models=total, tables=tables)


# ----------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------


def _atomic_bytes(path: Path, data: bytes) -> None:
    write_atomic(path, data)


def _ensure_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create folder ({exc})", path=str(directory)) from exc


def write_csv(study: Study, directory: Path) -> list[Path]:
    """One CSV per table."""
    _ensure_dir(directory)
    out = []
    for t in study.tables:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(t.columns)
        w.writerows(t.rows)
        path = directory / f"{t.name}.csv"
        _atomic_bytes(path, buf.getvalue().encode("utf-8"))
        out.append(path)
    return out


def write_parquet(study: Study, directory: Path) -> list[Path]:
    """One Parquet file per table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    _ensure_dir(directory)
    out = []
    for t in study.tables:
        cols = list(zip(*t.rows, strict=True)) if t.rows else [() for _ in t.columns]
        table = pa.table({c: pa.array(list(v)) for c, v in zip(t.columns, cols, strict=True)})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        path = directory / f"{t.name}.parquet"
        _atomic_bytes(path, sink.getvalue().to_pybytes())
        out.append(path)
    return out
