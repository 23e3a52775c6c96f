"""Licence study over real Hub data: what ptmvet's licence code finds, next to published annotations.

1. Licence distribution of the 760,000-model Hub listing (July 2024): share without a licence, top ids,
   families, ids ptmvet does not recognise.
2. The 1,463 base->derivative licence chains of Stalnaker et al. (analysis.zip): the conflicts ptmvet
   finds (a derived licence dropping an ancestor's restrictions) against the chains' own tags
   (license_change, unknown_license, undeclared_llama_dependency, ...).
3. PeaTMOSS (22,861 GitHub repo <-> Hub model rows): ptmvet's compatibility verdict (Hub licence upstream,
   GitHub licence downstream) against the Linux Foundation table the PeaTMOSS authors used, with the
   same license aliases and the same "one GitHub licence per repo" filter; agreement rate and every kind
   of disagreement.

Run:  .venv/bin/python bench/license_study.py [--corpora ../shared/corpora] [--json out.json]
Streams the big files (gzip + one JSON object per line); memory stays small.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from ptmvet.licenses.classify import LicenseClass, classify
from ptmvet.licenses.compat import compatibility
from ptmvet.licenses.ids import normalize
from ptmvet.licenses.lineage import BaseRef, ModelRecord, Relation, build_lineage
from ptmvet.licenses.resolvers import StaticResolver

ROOT = Path(__file__).resolve().parents[1]


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.2f}%" if d else "n/a"


# --- 1. distribution ---------------------------------------------------------------------------------------


def distribution(listing: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    total = none = multi = 0
    first: Counter[str] = Counter()
    families: Counter[str] = Counter()
    unrecognized: Counter[str] = Counter()
    with gzip.open(listing, "rt", encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            total += 1
            lic = [t[8:] for t in obj.get("tags") or [] if isinstance(t, str) and t.startswith("license:")]
            if not lic:
                none += 1
                families["(none)"] += 1
                continue
            if len(lic) > 1:
                multi += 1
            first[lic[0]] += 1
            norm = normalize(lic[0])
            if not norm.recognized:
                unrecognized[lic[0]] += 1
            families[classify(norm.spdx).family.value] += 1
    return {
        "models": total,
        "without_license": none,
        "without_license_share": none / total if total else 0.0,
        "with_several_license_tags": multi,
        "distinct_ids": len(first),
        "top_ids": first.most_common(15),
        "families": families.most_common(),
        "unrecognized_ids": unrecognized.most_common(),
        "seconds": round(time.perf_counter() - t0, 1),
    }


# --- 2. chains ---------------------------------------------------------------------------------------------


def _chain_license(values: list[str]) -> str | None:
    vals = [v for v in values if v and v.upper() != "UNKNOWN"]
    if not vals:
        return None
    v = vals[0]
    m = re.match(r"^(.*) \(other\)$", v)  # "llama3-taide-... (other)": a named 'other' licence
    return "other" if m else v


def chains(analysis_zip: Path) -> dict[str, Any]:
    with zipfile.ZipFile(analysis_zip) as z:
        data = json.loads(z.read("analysis/licensing_changes.json"))
    n = len(data)
    ours: Counter[str] = Counter()
    cross: Counter[tuple[str, str]] = Counter()
    tag_vs: dict[str, Counter[str]] = {}
    dropped: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    examples: dict[str, list[str]] = {}
    for entry in data:
        chain = entry["chain"]
        tags = set(entry["tags"])
        records: list[ModelRecord] = []
        for i, node in enumerate(chain):
            bases = (BaseRef(chain[i - 1]["model"], Relation.FINETUNE, True),) if i else ()
            records.append(ModelRecord(id=node["model"], license=_chain_license(node["license"]), bases=bases))
        lin = build_lineage(records[-1], StaticResolver(records[:-1]), with_datasets=False)
        serious = [c for c in lin.conflicts if c.serious]
        attribution_only = [c for c in lin.conflicts if not c.serious]
        review = bool(lin.review) or any(r.license is None for r in records)
        if serious:
            verdict = "conflict"
        elif attribution_only:
            verdict = "attribution-only"
        elif review:
            verdict = "review"
        else:
            verdict = "ok"
        ours[verdict] += 1
        cross[(verdict, "license_change" if "license_change" in tags else "no license_change")] += 1
        for t in tags:
            tag_vs.setdefault(t, Counter())[verdict] += 1
        for c in lin.conflicts:
            if c.direct:
                for d in c.dropped:
                    dropped[d.split(":")[0]] += 1
                pairs[(c.ancestor_license, c.child_license)] += 1
        key = f"{verdict}/{'license_change' if 'license_change' in tags else 'none'}"
        if len(examples.setdefault(key, [])) < 2:
            examples[key].append(" -> ".join(f"{r.id} [{r.license}]" for r in records))
    return {
        "chains": n,
        "ptmvet": dict(ours),
        "cross_license_change": {f"{a} | {b}": v for (a, b), v in sorted(cross.items())},
        "by_tag": {t: dict(c) for t, c in sorted(tag_vs.items())},
        "dropped_restrictions_direct_hops": dropped.most_common(),
        "top_conflicting_pairs": [(f"{a} -> {b}", v) for (a, b), v in pairs.most_common(12)],
        "examples": examples,
    }


# --- 3. PeaTMOSS vs Linux Foundation table ------------------------------------------------------------------

# The PeaTMOSS script's own aliases and grouping (licenseCompatibilitiesSankey.py), reproduced to get the
# reference verdicts exactly as the authors computed them.
REF_ALIASES = {
    "bsd-new": "bsd-3-clause",
    "bsd-modified": "bsd-3-clause",
    "bsd-simplified": "bsd-2-clause",
    "openrail++": "openrail",
    "gpl-2.0": "gpl-2.0-only",
    "gpl-3.0": "gpl-3.0-only",
    "gpl-3.0-plus": "gpl-3.0-or-later",
    "agpl-3.0": "agpl-3.0-only",
    "lgpl-3.0": "lgpl-3.0-only",
    "lgpl-3.0-plus": "lgpl-3.0-or-later",
    "lgpl-2.1": "lgpl-2.1-only",
}
REF_OTHERS = {"other", "unknown", "unknown-license-reference", "warranty-disclaimer", "generic-cla", "commercial-license", "other-permissive", "other-copyleft"}

# GitHub licences come as ScanCode keys; these are the SPDX ids they stand for.
SCANCODE_TO_SPDX = {
    "bsd-new": "BSD-3-Clause",
    "bsd-modified": "BSD-3-Clause",
    "bsd-simplified": "BSD-2-Clause",
    "gpl-3.0-plus": "GPL-3.0-or-later",
    "gpl-2.0-plus": "GPL-2.0-or-later",
    "gpl-1.0-plus": "GPL-1.0-or-later",
    "lgpl-3.0-plus": "LGPL-3.0-or-later",
    "lgpl-2.1-plus": "LGPL-2.1-or-later",
    "lgpl-2.0-plus": "LGPL-2.0-or-later",
    "agpl-3.0-plus": "AGPL-3.0-or-later",
    "boost-1.0": "BSL-1.0",
    "mit-0": "MIT-0",
    "public-domain": "LicenseRef-public-domain",
    "odc-by-1.0": "ODC-By-1.0",
    "uoi-ncsa": "NCSA",
    "x11": "X11",
    "python": "Python-2.0",
    "wtfpl-2.0": "WTFPL",
    "upl-1.0": "UPL-1.0",
    "bsd-zero": "0BSD",
    "clear-bsd": "BSD-3-Clause-Clear",
    "elastic-license-v2": "Elastic-2.0",
    "hippocratic-1.2": "Hippocratic-2.1",
}


def read_xlsx(path: Path) -> dict[str, dict[str, str]]:
    """The LF table as {row (derivative licence): {column (original licence): yes|no|?}}."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        shared = ["".join(t.text or "" for t in si.iter(f"{ns}t")) for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(f"{ns}si")]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows: list[dict[str, str]] = []
    for r in sheet.iter(f"{ns}row"):
        row: dict[str, str] = {}
        for c in r.findall(f"{ns}c"):
            col = re.match(r"[A-Z]+", c.get("r", "")).group()  # type: ignore[union-attr]
            v = c.find(f"{ns}v")
            if v is not None and v.text is not None:
                row[col] = shared[int(v.text)] if c.get("t") == "s" else v.text
        rows.append(row)
    header = rows[0]
    table: dict[str, dict[str, str]] = {}
    for row in rows[1:]:
        name = row.get("A")
        if not name:
            continue
        table[name] = {header[col]: val for col, val in row.items() if col != "A" and col in header and header[col] != "Compatibility"}
    return table


def _ref_process(lic: str | None) -> str:
    if lic is None or lic == "unlicense":
        return "no license"
    if lic in REF_OTHERS:
        return "other"
    return REF_ALIASES.get(lic, lic)


def _ref_verdict(table: dict[str, dict[str, str]], hf: str, gh: str) -> str:
    cols = next(iter(table.values())).keys()
    if hf not in cols or gh not in table:
        return "unknown"
    if hf == gh:
        return "compatible"
    return {"yes": "compatible", "no": "incompatible"}.get(table[gh].get(hf, "?"), "unknown")


def _gh_class(key: str) -> LicenseClass | None:
    if key in ("no license",):
        return None
    spdx = SCANCODE_TO_SPDX.get(key)
    norm = normalize(spdx or key)
    return classify(norm.spdx)


def peatmoss(folder: Path) -> dict[str, Any]:
    table = read_xlsx(folder / "Linux-Foundation-OSS-License-Compatibility.xlsx")
    gh = json.loads((folder / "all_gh_licenses.json").read_text(encoding="utf-8"))
    rows = skipped = 0
    confusion: Counter[tuple[str, str]] = Counter()
    kinds: Counter[tuple[str, str, str]] = Counter()
    pairs: dict[tuple[str, str, str], Counter[tuple[str, str]]] = {}
    with (folder / "mapping.csv").open(encoding="utf-8", newline="") as fh:
        for rec in csv.reader(fh):
            if len(rec) < 4:
                continue
            rows += 1
            hf_raw = rec[3].strip().lower() or None
            m = re.search(r"github\.com[/:](.+/.+?)(?:\.git)?$", rec[0])
            gh_lic = gh.get(m.group(1)) if m else None
            gh_list = gh_lic if isinstance(gh_lic, list) else ["no license"]
            if len(gh_list) > 1:  # the reference analyses one-licence repositories only
                skipped += 1
                continue
            gh_key = str(gh_list[0]).lower()
            ref = _ref_verdict(table, _ref_process(hf_raw), _ref_process(None if gh_key == "no license" else gh_key))
            up = classify(normalize(hf_raw or "unknown").spdx)
            down = _gh_class(gh_key)
            ours = compatibility(up, down)
            confusion[(ref, ours.verdict.value)] += 1
            if ref != ours.verdict.value:
                k = (ref, ours.verdict.value, ours.kind)
                kinds[k] += 1
                pairs.setdefault(k, Counter())[(hf_raw or "none", gh_key)] += 1
    both = sum(v for (r, o), v in confusion.items() if r != "unknown" and o != "unknown")
    agree = sum(v for (r, o), v in confusion.items() if r == o and r != "unknown")
    analysed = rows - skipped
    return {
        "rows": rows,
        "skipped_multi_license_repos": skipped,
        "analysed": analysed,
        "confusion(reference, ptmvet)": {f"{r} | {o}": v for (r, o), v in sorted(confusion.items())},
        "both_definite": both,
        "agree_when_both_definite": agree,
        "agreement_rate_both_definite": agree / both if both else 0.0,
        "agreement_rate_all_analysed": sum(v for (r, o), v in confusion.items() if r == o) / analysed if analysed else 0.0,
        "disagreement_kinds": [
            {"reference": r, "ptmvet": o, "rule": k, "rows": v, "top_pairs": [f"{a} -> {b}: {c}" for (a, b), c in pairs[(r, o, k)].most_common(4)]}
            for (r, o, k), v in kinds.most_common()
        ],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    ap.add_argument("--skip-listing", action="store_true", help="skip the 760k-model pass (about 15 s)")
    args = ap.parse_args(argv)
    hub = args.corpora / "hf-hub-models-2024-07"
    out: dict[str, Any] = {}
    if not args.skip_listing:
        out["distribution"] = d = distribution(hub / "hf_models_list_2024-07.jsonl.gz")
        print(f"== 1. licence distribution: {d['models']:,} models ({d['seconds']} s)")
        print(f"   no licence: {d['without_license']:,} ({pct(d['without_license'], d['models'])}); several licence tags: {d['with_several_license_tags']}; distinct ids: {d['distinct_ids']}")
        print("   top ids: " + ", ".join(f"{k} {v:,} ({pct(v, d['models'])})" for k, v in d["top_ids"]))
        print("   families: " + ", ".join(f"{k} {v:,}" for k, v in d["families"]))
        print(f"   ids ptmvet does not recognise: {d['unrecognized_ids'] or 'none'}")
    out["chains"] = c = chains(hub / "analysis.zip")
    print(f"\n== 2. base->derivative chains: {c['chains']:,}")
    print(f"   ptmvet verdicts: {c['ptmvet']}")
    for k, v in c["cross_license_change"].items():
        print(f"   {k}: {v}")
    print("   by upstream tag: " + "; ".join(f"{t}: {dict(v)}" for t, v in c["by_tag"].items()))
    print(f"   restrictions dropped on direct hops: {c['dropped_restrictions_direct_hops']}")
    print(f"   top conflicting licence pairs (ancestor -> derived): {c['top_conflicting_pairs']}")
    out["peatmoss"] = p = peatmoss(args.corpora / "hf-license-analysis-peatmoss")
    print(f"\n== 3. PeaTMOSS: {p['rows']:,} rows, {p['skipped_multi_license_repos']:,} skipped (multi-licence repos, as in the reference), {p['analysed']:,} analysed")
    for k, v in p["confusion(reference, ptmvet)"].items():
        print(f"   reference | ptmvet = {k}: {v:,}")
    print(f"   agreement where both decide: {p['agree_when_both_definite']:,}/{p['both_definite']:,} = {pct(p['agree_when_both_definite'], p['both_definite'])}")
    print(f"   agreement over all analysed rows (unknown = unknown counts): {100 * p['agreement_rate_all_analysed']:.2f}%")
    print("   disagreement kinds:")
    for k in p["disagreement_kinds"]:
        print(f"     ref={k['reference']:<12} ptmvet={k['ptmvet']:<12} rule={k['rule']:<20} rows={k['rows']:>6}  e.g. {'; '.join(k['top_pairs'])}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
