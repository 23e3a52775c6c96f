"""The study's tables, computed from the registry store.

The ICSE'23 PTM-reuse study measured Hub packages once; these queries measure any
mined registry the same way. The headline of each table is the paper's own
definition (:mod:`ptmvet.registry.icse23`), stated in one line in ``rule``; a
looser definition sits beside it where it informs (``loose``). What a database
cannot tell (a listing has no cards, no configs, no git history) is *not
measured* -- ``None`` in the rows, never 0 -- and the table says why.

Tables: machine-readable performance claims by pipeline tag (Fig. 7), the dataset
of each claim and the architecture by ``model_type`` (Fig. 6), dataset tags,
card presence and per-section completeness, licences, signed commits (overall and
by organisation) and popularity concentration. Writers of CSV and Parquet files are
here; the terminal tables, JSON and the HTML page are drawn by :mod:`ptmvet.formats.study`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptmvet.atomic import require_parent, write_atomic
from ptmvet.card import TEMPLATE_SECTIONS, load_front_matter, split_front_matter
from ptmvet.errors import InputError
from ptmvet.registry import icse23
from ptmvet.registry.store import Store

TOP = 20


@dataclass(frozen=True)
class StudyTable:
    """One table of the study.

    ``rows`` hold ``None`` where the database cannot measure a value. ``chart`` is
    (label column, value column) to draw as bars; ``paper`` the column with the
    published figure for the same row, when the paper has one; ``common`` the
    column that every kind of database can measure (the basis of a trend).
    """

    name: str  # file stem for CSV/Parquet, key in JSON
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    chart: tuple[int, int] | None = None
    rule: str = ""
    loose: str = ""
    measured: bool = True
    paper: int | None = None
    common: int | None = None
    #: The rows list every value (a value without a row is 0), not the top N.
    complete: bool = False


@dataclass(frozen=True)
class Study:
    """Every table of one study run."""

    db: str
    models: int
    tables: tuple[StudyTable, ...] = field(default_factory=tuple)
    runs: tuple[dict[str, Any], ...] = ()
    #: With a second, older database or snapshot: one table per study table, headline old vs new (:func:`trend`).
    trend: tuple[StudyTable, ...] = ()
    #: The snapshot studied (runs.run_id of its mine run), when the database holds one.
    snapshot: int | None = None
    snapshot_label: str = ""

    @property
    def label(self) -> str:
        """The database, and which snapshot of it."""
        return f"{self.db}, {self.snapshot_label}" if self.snapshot_label else self.db

    def table(self, name: str) -> StudyTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)


def _q(store: Store, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.con.execute(sql, params or []).fetchall()]


def _share(n: int | None, d: int | None) -> float | None:
    if n is None or not d:  # a share of nothing is undefined, not 0
        return None
    return round(n / d, 4)


def _front_matter(text: str) -> dict[str, Any]:
    block, _ = split_front_matter(text)
    if block is None:
        return {}
    meta, _ = load_front_matter(block)
    return meta


# ----------------------------------------------------------------------------------
# Fig. 7: claims by pipeline tag
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claims:
    measured: bool
    basis: str
    metrics: dict[str, list[str | None]]  # model id -> dataset type of each metric (paper rule); absent: none
    underscore_only: int  # cards whose front matter uses only `model_index`


#: The cards that belong to a model of the snapshot being read. A card joining no model (a card
#: corpus ingested beside a ``--limit``-ed dump, a misnamed file) is no part of any table's basis:
#: counting it would put "16,590 cards" beside "260 of 500 models with a card".
_JOINED_CARDS = "(SELECT * FROM cards WHERE model_id IN (SELECT model_id FROM models))"


def _unjoined_note(store: Store) -> str:
    """``; N cards joining no model are not counted`` when there are such cards, else empty."""
    n = int(_q(store, "SELECT count(*) FROM cards WHERE model_id NOT IN (SELECT model_id FROM models)")[0][0])
    return f"; {n:,} cards joining no model are not counted" if n else ""


def _paper_claims(store: Store) -> _Claims:
    """Every model's claims under the paper's rule, from its card, else its record's cardData."""
    n_cards = int(_q(store, f"SELECT count(*) FROM {_JOINED_CARDS}")[0][0])  # noqa: S608 - fixed text
    n_cd = int(_q(store, "SELECT count(*) FROM models WHERE card_data IS NOT NULL")[0][0])
    metrics: dict[str, list[str | None]] = {}
    if not n_cards and not n_cd:
        return _Claims(False, "no card text and no cardData in this database", metrics, 0)
    # cardData is the Hub's parse of the card's front matter; a card ingested here wins.
    for mid, cd in _q(
        store,
        """SELECT model_id, card_data FROM models WHERE card_data LIKE '%model-index%'
           AND model_id NOT IN (SELECT model_id FROM cards)""",
    ):
        try:
            data = json.loads(cd)
        except ValueError:
            continue
        if isinstance(data, dict):
            found = icse23.paper_claims(data.get("model-index"))
            if found:
                metrics[mid] = found
    underscore = 0
    for mid, text in _q(store, f"SELECT model_id, text FROM {_JOINED_CARDS} WHERE has_model_index"):  # noqa: S608
        meta = _front_matter(text)
        if icse23.model_index_keys(meta) == "model_index":
            underscore += 1
        found = icse23.paper_claims(meta.get("model-index"))
        if found:
            metrics[mid] = found
    parts = []
    if n_cards:
        parts.append(f"front matter of {n_cards:,} ingested cards joining a model of this snapshot "
                     f"(a model without one has no claims{_unjoined_note(store)})")
    if n_cd:
        parts.append(f"cardData of {n_cd:,} registry records")
    return _Claims(True, " and ".join(parts), metrics, underscore)


def claims_by_pipeline(store: Store, claims: _Claims) -> tuple[StudyTable, StudyTable]:
    """Fig. 7 by the paper's rule (grouped as the paper did), and every tag ungrouped."""
    # The ids as a list parameter, not a registered Arrow table: registering makes DuckDB
    # import pandas (a quarter of a second of CPU, more wall time on a busy machine).
    rows = _q(
        store,
        """SELECT coalesce(m.pipeline_tag, '(no tag)') AS tag, count(*) AS models,
                  count(p.model_id) AS with_claims,
                  count(*) FILTER (WHERE list_contains(m.tags, 'model-index')) AS hub_tag,
                  count(*) FILTER (WHERE m.has_model_index OR coalesce(c.has_model_index, false)) AS any_key
           FROM models m LEFT JOIN cards c USING (model_id)
           LEFT JOIN (SELECT DISTINCT unnest($ids::VARCHAR[]) AS model_id) p USING (model_id)
           GROUP BY tag ORDER BY models DESC, tag""",
        {"ids": list(claims.metrics)},
    )
    measured = claims.measured
    by_tag = {r[0]: r for r in rows}
    # Group by the paper's measure when there is one, else by the Hub's tag.
    key = 2 if measured else 3
    grouped = icse23.group_other([(r[0], int(r[1]), int(r[key])) for r in rows])
    kept = {g[0] for g in grouped} - {"other"}
    merged = sorted(t for t in by_tag if t not in kept)
    pub = {t: (k, n) for t, k, n in icse23.published()["fig7_claims_by_pipeline"]["rows"]}
    out = []
    for tag, n, _ in grouped:
        sub = [by_tag[t] for t in ([tag] if tag != "other" else merged)]
        k = sum(int(r[2]) for r in sub)
        hub = sum(int(r[3]) for r in sub)
        anyk = sum(int(r[4]) for r in sub)
        pk, pn = pub.get(tag, (None, None))
        out.append(
            (
                tag, n, k if measured else None, _share(k, n) if measured else None,
                hub, _share(hub, n), anyk, _share(anyk, n), pn, pk, _share(pk, pn),
            )
        )
    out.sort(key=lambda r: (-(r[3] if r[3] is not None else r[5] or 0.0), r[0]))
    columns = (
        "pipeline_tag", "models", "with_claims", "share", "model_index_tag", "tag_share",
        "any_model_index_key", "any_key_share", "paper_models", "paper_with_claims", "paper_share",
    )
    small = [t for t in merged if t != "other"]
    other_note = (
        f"'other' = {len(small)} pipeline tags whose share is under 0.1% plus models without a tag"
        + (": " + ", ".join(small[:40]) + (f", ... ({len(small) - 40} more)" if len(small) > 40 else "") if small else "")
        + ". Every tag is in table claims_by_pipeline_all."
    )
    notes = [f"Basis: {claims.basis}." if measured else f"Not measured: {claims.basis}; grouped by the Hub's tag.", other_note]
    if claims.underscore_only:
        notes.append(f"{claims.underscore_only:,} cards spell the key model_index only (ignored by the Hub, not counted).")
    fig7 = StudyTable(
        "claims_by_pipeline",
        "Fig. 7: models with machine-readable performance claims, by pipeline tag",
        columns,
        tuple(out),
        note=" ".join(notes),
        chart=(0, 3) if measured else (0, 5),
        rule="a model has claims when model-index[0].results yields at least one well-formed metric "
        "(ICSE'23 ptm.py get_claims); tags under 0.1% grouped as 'other'",
        loose="model_index_tag: the Hub's 'model-index' tag; any_model_index_key: any model-index or model_index "
        "key in the record or card, results or not",
        measured=measured,
        paper=10,
        common=5,
    )
    every = StudyTable(
        "claims_by_pipeline_all",
        "Claims by every pipeline tag (ungrouped)",
        ("pipeline_tag", "models", "with_claims", "share", "model_index_tag", "tag_share"),
        tuple(
            (r[0], int(r[1]), int(r[2]) if measured else None, _share(int(r[2]), int(r[1])) if measured else None,
             int(r[3]), _share(int(r[3]), int(r[1])))
            for r in rows
        ),
        rule=fig7.rule.split(";")[0],
        measured=measured,
        common=5,
        complete=True,
    )
    return fig7, every


def claim_datasets(claims: _Claims, total: int) -> StudyTable:
    """Fig. 6 (blue): the dataset type of each claim; 'None' counts the models without claims."""
    rule = "dataset.type of each model-index metric (ICSE'23 ptm.py), 'None' = models without claims; top 10, rest 'other'"
    pub = dict(icse23.published()["fig6_datasets"]["rows"])
    if not claims.measured:
        return StudyTable(
            "claim_datasets", "Fig. 6 (datasets): the dataset of each claim", ("dataset", "count", "share", "paper_share"),
            (), note=f"Not measured: {claims.basis}.", rule=rule, measured=False,
        )
    counts: dict[str, int] = {"None": total - len(claims.metrics)}
    for found in claims.metrics.values():
        for ds in found:
            if ds is not None:
                counts[ds] = counts.get(ds, 0) + 1
    rows = icse23.top_other(counts)
    denom = sum(v for _, v in rows)
    return StudyTable(
        "claim_datasets",
        "Fig. 6 (datasets): the dataset of each claim",
        ("dataset", "count", "share", "paper_share"),
        tuple((d, n, _share(n, denom), round(pub[d.split("/")[-1]] / 100, 4) if d.split("/")[-1] in pub else None) for d, n in rows),
        note="Shares of all counts (claims with a dataset type, plus one per model without claims), as in the paper.",
        chart=(0, 2),
        rule=rule,
        paper=3,
    )


# ----------------------------------------------------------------------------------
# Fig. 6 and the rest
# ----------------------------------------------------------------------------------


def dataset_tags(store: Store, total: int) -> tuple[StudyTable, StudyTable]:
    """How many models name a dataset in their tags, and which."""
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
    rule = "a model names a dataset when it carries a 'dataset:' tag (the Hub's tags from card metadata)"
    coverage = StudyTable(
        "dataset_tag_coverage",
        "Dataset tags",
        ("models", "with_dataset_tag", "without_dataset_tag", "share_without"),
        ((total, with_tag, total - with_tag, _share(total - with_tag, total)),),
        rule=rule,
        common=3,
        complete=True,
    )
    return coverage, StudyTable(
        "top_datasets",
        f"Top {TOP} dataset tags",
        ("dataset", "models", "share"),
        tuple((d, n, _share(n, total)) for d, n in top),
        chart=(0, 2),
        rule=rule,
        common=2,
    )


def architectures(store: Store, total: int) -> tuple[StudyTable, StudyTable]:
    """Fig. 6 (orange): config.model_type, as the paper; beside it the class names (architectures[0])."""
    configs = int(_q(store, "SELECT count(*) FROM models WHERE model_type IS NOT NULL OR architecture IS NOT NULL")[0][0])
    pub = dict(icse23.published()["fig6_architectures"]["rows"])
    rule = "config.model_type, 'None' without one; the ten most common, the rest 'other' (ICSE'23 ptm.py)"
    if not configs:
        why = "Not measured: no record in this database carries a config (listings never do)."
        return (
            StudyTable("architectures", "Fig. 6 (architectures): model_type", ("model_type", "models", "share", "paper_share"),
                       (), note=why, rule=rule, measured=False),
            StudyTable("architecture_classes", f"Top {TOP} architecture classes", ("architecture", "models", "share"),
                       (), note=why, rule="config.architectures[0]", measured=False),
        )
    counts = {str(t if t is not None else "None"): int(n) for t, n in _q(store, "SELECT model_type, count(*) FROM models GROUP BY ALL")}
    rows = icse23.top_other(counts)
    fig6 = StudyTable(
        "architectures",
        "Fig. 6 (architectures): model_type",
        ("model_type", "models", "share", "paper_share"),
        tuple((t, n, _share(n, total), round(pub[t] / 100, 4) if t in pub else None) for t, n in rows),
        chart=(0, 2),
        rule=rule,
        loose="architecture_classes: config.architectures[0] (the class name)",
        paper=3,
    )
    cls = _q(
        store,
        f"""SELECT coalesce(architecture, 'None') AS arch, count(*) AS n FROM models
            GROUP BY arch ORDER BY n DESC, arch LIMIT {TOP}""",  # noqa: S608
    )
    classes = StudyTable(
        "architecture_classes",
        f"Top {TOP} architecture classes",
        ("architecture", "models", "share"),
        tuple((a, int(n), _share(int(n), total)) for a, n in cls),
        chart=(0, 2),
        rule="config.architectures[0], 'None' without one",
    )
    return fig6, classes


def card_presence(store: Store, total: int) -> tuple[StudyTable, StudyTable]:
    """Card presence and per-section completeness (ptmvet.card canonical sections)."""
    cards_known = _q(store, f"SELECT count(*) FROM {_JOINED_CARDS}")[0][0]  # noqa: S608 - fixed text
    rule = "a model has a card when its README.md is non-empty; sections as mapped by ptmvet.card.TEMPLATE_SECTIONS"
    with_card: int | None
    empty: int | None
    front: int | None
    if cards_known:
        row = _q(
            store,
            """SELECT count(c.model_id) FILTER (WHERE NOT c.empty), count(c.model_id) FILTER (WHERE c.empty),
                      count(c.model_id) FILTER (WHERE c.has_front_matter)
               FROM models m LEFT JOIN cards c USING (model_id)""",
        )[0]
        with_card, empty, front = int(row[0]), int(row[1]), int(row[2])
        basis = f"card text ingested, {int(cards_known):,} cards joining a model{_unjoined_note(store)}"
        measured = True
    else:
        listed = _q(
            store,
            """SELECT count(*) FILTER (WHERE n_files IS NOT NULL),
                      (SELECT count(DISTINCT model_id) FROM files WHERE lower(path) = 'readme.md') FROM models""",
        )[0]
        measured = bool(listed[0])
        with_card = int(listed[1]) if measured else None
        empty = front = None
        basis = (
            "README.md listed among the files (no card text ingested)"
            if measured
            else "not measured: no card text and no file lists in this database"
        )
    presence = StudyTable(
        "card_presence",
        "Model cards",
        ("models", "with_card", "empty_card", "with_front_matter", "share_with_card"),
        ((total, with_card, empty, front, _share(with_card, total)),),
        note=f"Basis: {basis}.",
        rule=rule,
        measured=measured,
        complete=True,
    )
    denom = int(_q(store, f"SELECT count(*) FROM {_JOINED_CARDS} WHERE NOT empty")[0][0])  # noqa: S608 - fixed text
    if not denom:
        return presence, StudyTable(
            "card_sections", "Card completeness: share of non-empty cards with each template section",
            ("section", "cards", "share"), (), note="Not measured: no card text in this database.", rule=rule, measured=False,
        )
    counts = dict(
        _q(store, "SELECT canonical, count(DISTINCT model_id) FROM card_sections WHERE words > 0 "
                  "AND model_id IN (SELECT model_id FROM models) GROUP BY canonical")
    )
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
        note=f"Of {denom:,} non-empty cards joining a model of this snapshot{_unjoined_note(store)}.",
        chart=(0, 2),
        rule=rule,
        complete=True,
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
        tuple((x, int(n), _share(int(n), total)) for x, n in rows),
        rule="as declared: the license: tag, else cardData.license, else the card's front matter; not normalised",
        chart=(0, 2),
        common=2,
    )


def signed_commits(store: Store) -> tuple[StudyTable, StudyTable]:
    """Repositories with at least one signed commit (the paper's %GK rule), overall and by organisation."""
    pub = icse23.published()["signed_commits"]
    rule = "a repository counts when at least one of its commits carries a signature (GPG, SSH or X.509 gpgsig header)"
    row = _q(
        store,
        """SELECT count(*), count(*) FILTER (WHERE signed > 0), count(*) FILTER (WHERE keyed > 0), sum(commits),
                  sum(signed), sum(gpg), sum(ssh), sum(x509), sum(verified)
           FROM (SELECT r.model_id, any_value(r.n_commits) AS commits,
                        count(c.sha) FILTER (WHERE c.signed) AS signed,
                        count(c.sha) FILTER (WHERE c.signer_key <> '') AS keyed,
                        count(c.sha) FILTER (WHERE c.signature_kind = 'gpg') AS gpg,
                        count(c.sha) FILTER (WHERE c.signature_kind = 'ssh') AS ssh,
                        count(c.sha) FILTER (WHERE c.signature_kind = 'x509') AS x509,
                        count(c.sha) FILTER (WHERE c.verification IN ('G', 'U')) AS verified
                 FROM git_repos r LEFT JOIN commits c USING (model_id)
                 WHERE r.error IS NULL GROUP BY r.model_id)""",
    )[0]
    repos, signed = int(row[0]), int(row[1])
    unreadable = int(_q(store, "SELECT count(*) FROM git_repos WHERE error IS NOT NULL")[0][0])
    measured = repos > 0
    cols = ("repositories", "with_signed_commit", "share", "with_key_named", "commits", "signed_commits", "gpg", "ssh",
            "x509", "verified_here", "paper_repositories", "paper_with_signed_commit", "paper_share")
    paper = (pub["repositories"], pub["with_signed_commit"], _share(pub["with_signed_commit"], pub["repositories"]))
    if measured:
        vals: tuple[Any, ...] = (repos, signed, _share(signed, repos), *(int(x or 0) for x in row[2:]))
    else:
        vals = (None,) * 10
    notes = []
    if not measured:
        notes.append("Not measured: no git history in this database (mine --from-git; Hub listings carry none).")
    if unreadable:
        notes.append(f"{unreadable:,} repositories could not be read and are left out (table git_repos, column error).")
    overall = StudyTable(
        "signed_commits",
        "Repositories with at least one signed commit",
        cols,
        ((*vals, *paper),),
        note=" ".join(notes),
        rule=rule,
        loose="with_key_named: the study's literal test, git log %GK non-empty (git names no key for an SSH "
        "signature it cannot check); verified_here: commits git verified with the keys at hand (%G? G or U)",
        measured=measured,
        paper=12,
        complete=True,
    )
    orgs = _q(
        store,
        """SELECT coalesce(nullif(split_part(r.model_id, '/', 1), r.model_id), '(no organisation)') AS org,
                  count(DISTINCT r.model_id) AS repos,
                  count(DISTINCT c.model_id) FILTER (WHERE c.signed) AS signed
           FROM git_repos r LEFT JOIN commits c USING (model_id) WHERE r.error IS NULL
           GROUP BY org ORDER BY signed DESC, repos DESC, org LIMIT 50""",
    )
    by_org = StudyTable(
        "signed_commits_by_org",
        "Signed commits by organisation",
        ("organisation", "repositories", "with_signed_commit", "share"),
        tuple((o, int(n), int(k), _share(int(k), int(n))) for o, n, k in orgs),
        note="" if measured else "Not measured: no git history in this database.",
        chart=(0, 3),
        rule=rule,
        measured=measured,
    )
    return overall, by_org


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
        note=f"{n:,} models with a download count, {total:,} downloads in all." if n else "Not measured: no download counts.",
        chart=(0, 3),
        rule="downloads as the registry reports them (the Hub: last 30 days)",
        measured=bool(n),
        common=3,
        complete=True,
    )


def remeasurement(store: Store) -> StudyTable:
    """SCORED'22-style re-measurement: per task, claims re-measured, validated, and with a gap over one point.

    From the latest finished ``ptmvet audit --reproduce`` run. *Validated* is a verdict of
    consistent or understated (the model does at least as well as claimed, within the
    bootstrap tolerance); the gap is claimed minus measured in points of a 0-100 scale
    (metrics bounded by 1); a claim measured on a sample of its split is counted apart,
    never as validated.
    """
    title = "Claims re-measured on local data (SCORED'22 style)"
    columns = ("task", "claims", "measured", "validated", "validated_share", "gap_over_1pt", "gap_over_1pt_share",
               "sample_only", "not_verifiable")
    run = _q(store, "SELECT max(run_id) FROM runs WHERE kind = 'remeasure' AND status = 'done'")[0][0]
    if run is None:
        return StudyTable("remeasurement", title, columns, (), measured=False,
                          note="not measured: no `ptmvet audit --reproduce` run in this database")
    rows = _q(store, """
        SELECT coalesce(task, '(unknown)') AS task, count(*) AS claims,
               count(*) FILTER (WHERE verdict NOT IN ('not-verifiable', 'label-map-suspect')) AS measured,
               count(*) FILTER (WHERE verdict IN ('consistent', 'understated')) AS validated,
               count(*) FILTER (WHERE verdict NOT IN ('not-verifiable', 'label-map-suspect') AND abs(gap_points) > 1) AS gap,
               count(*) FILTER (WHERE subset AND measured IS NOT NULL) AS sample_only,
               count(*) FILTER (WHERE verdict IN ('not-verifiable', 'label-map-suspect')) AS nv
        FROM measurements WHERE run_id = ? GROUP BY ALL ORDER BY claims DESC, task""", [run])
    out: list[tuple[Any, ...]] = [(t, c, m, v, _share(v, m), g, _share(g, m), s, nv) for t, c, m, v, g, s, nv in rows]
    if out:
        tot = [sum(int(r[i]) for r in out) for i in (1, 2, 3, 5, 7, 8)]
        out.append(("all", tot[0], tot[1], tot[2], _share(tot[2], tot[1]), tot[3], _share(tot[3], tot[1]), tot[4], tot[5]))
    return StudyTable("remeasurement", title, columns, tuple(out), chart=(0, 4), complete=True,
                      rule="validated = consistent or understated within max(95% bootstrap CI half-width, 1 point); "
                           "gap = |claimed - measured| > 1 point on a 0-100 scale; shares of the claims measured",
                      note=f"run {run}; claims without local data or cached weights are not in this table (see the run's stats)")


def compute_study(store: Store, *, snapshot: int | None = None) -> Study:
    """Every table of the study, of one snapshot of the database (None: the latest).

    A database mined more than once holds one snapshot per mine run that read model
    records (:meth:`Store.snapshots`); the study of one reads it as that run left it.
    """
    with store.at_snapshot(snapshot) as snap:
        study = _compute_study(store)
    if snap is None:
        return study
    return dataclasses.replace(study, snapshot=snap.run_id, snapshot_label=snap.label)


def _compute_study(store: Store) -> Study:
    total = int(_q(store, "SELECT count(*) FROM models")[0][0])
    if total == 0 and not int(_q(store, "SELECT count(*) FROM git_repos")[0][0]):
        raise InputError(f"{store.path}: no models in the database", path=store.path, hint="run `ptmvet mine` first")
    claims = _paper_claims(store)
    fig7, fig7_all = claims_by_pipeline(store, claims)
    coverage, top_ds = dataset_tags(store, total)
    arch, arch_cls = architectures(store, total)
    presence, sections = card_presence(store, total)
    signed, signed_orgs = signed_commits(store)
    tables = (
        fig7,
        fig7_all,
        claim_datasets(claims, total),
        arch,
        arch_cls,
        coverage,
        top_ds,
        presence,
        sections,
        licences(store, total),
        signed,
        signed_orgs,
        popularity(store),
        remeasurement(store),
    )
    runs = tuple(
        {"run_id": int(r[0]), "kind": r[1], "source": r[2], "status": r[3],
         "started_at": str(r[4]), "finished_at": None if r[5] is None else str(r[5])}
        for r in _q(store, "SELECT run_id, kind, source, status, started_at, finished_at FROM runs ORDER BY run_id")
    )
    return Study(db=store.path, models=total, tables=tables, runs=runs)


# ----------------------------------------------------------------------------------
# A trend between two studies
# ----------------------------------------------------------------------------------


#: The state of one side of a trend row: a value the table measured; no such row in a
#: table that was measured (0 where the table lists every value, else below its top N
#: or merged into 'other'); or a table that snapshot cannot measure at all.
MEASURED, ABSENT, NOT_MEASURED = "measured", "absent", "not measured"


def _keyed(t: StudyTable, col: int, *, labelled: bool) -> dict[str, Any]:
    if not t.rows:
        return {}
    if not labelled:
        return {"(all)": t.rows[0][col]}
    return {str(r[0]): r[col] for r in t.rows}


def _side(t: StudyTable, values: dict[str, Any], key: str, *, measured: bool) -> tuple[Any, str]:
    if not measured:
        return None, NOT_MEASURED
    if key not in values:
        return (0 if t.complete else None), ABSENT
    v = values[key]
    return v, (MEASURED if v is not None else NOT_MEASURED)


def trend(old: Study, new: Study) -> tuple[StudyTable, ...]:
    """Every table's headline value in ``old`` and ``new``, side by side, on a basis both measure.

    A table's headline is its chart column. Where one side cannot measure it (a
    listing has no cards), both sides use the table's ``common`` column instead (e.g.
    the Hub's ``model-index`` tag for Fig. 7) and the note says so. Each row says for
    each side whether the value was measured, is absent from a measured table (0 when
    the table lists every value, else not among its top rows), or is not measured:
    a value that is not measured is None, never 0.
    """
    out = []
    for t_new in new.tables:
        try:
            t_old = old.table(t_new.name)
        except KeyError:
            continue
        head = t_new.chart or t_old.chart
        col = head[1] if head else (t_new.common if t_new.common is not None else None)
        if col is None and len(t_new.columns) > 1:
            col = len(t_new.columns) - 1
        if col is None:
            continue
        basis = f"{t_new.columns[col]} ({t_new.rule or t_new.title})"
        both = t_old.measured and t_new.measured
        common = not both and t_new.common is not None
        if common and t_new.common is not None:
            col = t_new.common
            basis = f"{t_new.columns[col]}, the basis both sides measure ({t_new.loose or t_new.rule})"
        elif not both:
            basis = "not measured in " + ("either side" if not (t_old.measured or t_new.measured)
                                          else (old.label if not t_old.measured else new.label))
        sample = (t_new.rows or t_old.rows or (("",),))[0][0]
        labelled = isinstance(sample, str)
        a, b = _keyed(t_old, col, labelled=labelled), _keyed(t_new, col, labelled=labelled)
        keys = list(b) + [k for k in a if k not in b]
        rows = []
        for k in keys:
            va, sa = _side(t_old, a, k, measured=t_old.measured or common)
            vb, sb = _side(t_new, b, k, measured=t_new.measured or common)
            delta = round(vb - va, 4) if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else None
            rows.append((k, va, vb, delta, sa, sb))
        absent = (
            " A row absent on one side is 0 there (the table lists every value)."
            if t_new.complete
            else " A row absent on one side was not among that side's top rows (or was merged into 'other'): "
            "no value, and not 0."
        )
        out.append(
            StudyTable(
                f"trend_{t_new.name}",
                f"Trend: {t_new.title}",
                (t_new.columns[0] if labelled else "row", "old", "new", "change", "old_state", "new_state"),
                tuple(rows),
                note=f"Basis: {basis}. old = {old.label} ({old.models:,} models), new = {new.label} "
                f"({new.models:,} models).{absent}",
                rule=t_new.rule,
                measured=both or common,
                complete=t_new.complete,
            )
        )
    return tuple(out)


# ----------------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------------


def _ensure_dir(directory: Path) -> None:
    # The output folder itself is made, like a file is; a missing parent is an error, as for every output.
    require_parent(directory)
    try:
        directory.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create folder ({exc})", path=str(directory)) from exc


def write_csv(study: Study, directory: Path) -> list[Path]:
    """One CSV per table (an unmeasured value is an empty cell)."""
    _ensure_dir(directory)
    out = []
    for t in study.tables:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(t.columns)
        w.writerows(t.rows)
        path = directory / f"{t.name}.csv"
        write_atomic(path, buf.getvalue().encode("utf-8"))
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
        write_atomic(path, sink.getvalue().to_pybytes())
        out.append(path)
    return out
