"""The ICSE'23 PTM-reuse study's definitions, and its published figures.

Jiang et al., *An Empirical Study of Pre-Trained Model Reuse in the Hugging Face
Deep Learning Model Registry*, ICSE 2023. Their artifact
(``PurdueDualityLab/ICSE-23-PTM-Artifact``) computes the figures with
``plotData/ptm.py`` and ``measureRepositoriesWithSignedCommits/main.py``; the rules
here follow that code, not a paraphrase of it:

- **Fig. 7 claims**: ``PTM.get_claims`` reads ``cardData["model-index"][0]["results"]``
  and builds one metric per ``results[i]["metrics"][j]``; each metric needs ``name``,
  ``type`` and a ``value`` that ``float()`` accepts, each result a ``task`` and a
  ``dataset`` mapping. Any failure anywhere yields *no* claims for the model (a bare
  ``except``). Only the key ``model-index`` counts (the Hub ignores ``model_index``).
  ``plot_fig6`` (which draws Fig. 7) then groups every pipeline tag whose share of
  models with claims is under 0.1% into "other", together with models without a tag.
- **Fig. 6 architectures**: ``config["model_type"]``, "None" without one; the ten most
  common kept, the rest "other".
- **Signing**: a repository counts when ``git log --pretty=format:%GK`` prints
  anything, i.e. at least one commit carries a signature whose key git can name.

The published numbers are package data (``ptmvet/data/icse23_published.json``) so
the study page can show the paper's figure beside ours.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

#: Tags whose share of models with claims is under this go to "other" (ptm.py: ``v[0] < 0.001``).
OTHER_SHARE = 0.001
#: Fig. 6 keeps this many categories (ptm.py: ``sorted(...)[9]`` then "other").
FIG6_TOP = 10


def paper_claims(model_index: Any) -> list[str | None]:
    """The metrics the study's ``get_claims`` finds in one ``model-index`` value.

    One entry per metric: the ``type`` of the metric's dataset (None without one).
    Empty: the model has no claims under the paper's rule.
    """
    try:
        found: list[str | None] = []
        for r in model_index[0]["results"]:
            task = r["task"]
            dataset = r["dataset"]
            if type(dataset) is not dict:
                return []
            for m in r["metrics"]:
                m["name"], m["type"]
                float(m["value"])
                "verified" in m  # noqa: B015 - raises for a metric that is not a container, as in ptm.py
                "type" in task  # noqa: B015 - raises for a task that is None or a number, as in ptm.py
                ds_type = dataset.get("type")
                found.append(ds_type if isinstance(ds_type, str) else None if ds_type is None else str(ds_type))
        return found
    except Exception:  # noqa: BLE001 - the study's bare except: anything malformed means no claims
        return []


def paper_metric_count(model_index: Any) -> int:
    """How many metrics :func:`paper_claims` finds (0: no claims)."""
    return len(paper_claims(model_index))


def model_index_keys(meta: Mapping[str, Any]) -> str | None:
    """Which spelling(s) of the model-index key a card's front matter uses."""
    dash, under = "model-index" in meta, "model_index" in meta
    if dash and under:
        return "both"
    return "model-index" if dash else "model_index" if under else None


@cache
def published() -> dict[str, Any]:
    """The paper's published figures (see the ``reference`` field)."""
    text = resources.files("ptmvet").joinpath("data/icse23_published.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def group_other(rows: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Fig. 7 grouping: (tag, models, with_claims) rows with a share under 0.1% merge into "other"."""
    keep: list[tuple[str, int, int]] = []
    n_other = k_other = 0
    for tag, n, k in rows:
        if tag == "other" or not n or k / n < OTHER_SHARE:
            n_other += n
            k_other += k
        else:
            keep.append((tag, n, k))
    if n_other:
        keep.append(("other", n_other, k_other))
    return sorted(keep, key=lambda r: (-(r[2] / r[1] if r[1] else 0.0), r[0]))


def top_other(counts: Mapping[str, int], top: int = FIG6_TOP) -> list[tuple[str, int]]:
    """Fig. 6 grouping: the ``top`` most common kept, the rest as "other" (ties at the cut kept, as in ptm.py)."""
    if len(counts) <= top:
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    cut = sorted(counts.values(), reverse=True)[top - 1]
    kept = {k: v for k, v in counts.items() if v >= cut}
    other = sum(v for k, v in counts.items() if v < cut)
    rows = sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))
    if other:
        rows.append(("other", other))
    return rows
