"""What each licence allows: one table, each row citing the licence text it summarises.

The table answers the questions a model reuser asks (ICSE'23 PTM-reuse study:
licences "explicit to industry users"): may I use it commercially, must I
share alike, does it restrict *uses* (the RAIL family and the Llama/Gemma
acceptable-use policies), must I attribute, and does a human have to read it.

Compound SPDX expressions are classified too: ``A OR B`` takes the more
permissive choice (the licensee picks), ``A AND B`` adds both sets of duties.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from ptmvet.evidence.licenses import Commercial, Copyleft, Family, LicenseClass
from ptmvet.licenses.ids import normalize

__all__ = ["Commercial", "Copyleft", "Family", "LicenseClass", "classify", "classify_declared", "describe", "lookup", "restrictiveness", "unknown_class"]


_P, _PD, _WC, _C, _NC, _R, _M, _U = (
    Family.PERMISSIVE,
    Family.PUBLIC_DOMAIN,
    Family.WEAK_COPYLEFT,
    Family.COPYLEFT,
    Family.NON_COMMERCIAL,
    Family.RAIL,
    Family.MODEL_TERMS,
    Family.UNKNOWN,
)
_Y, _COND, _N, _UNK = Commercial.YES, Commercial.CONDITIONAL, Commercial.NO, Commercial.UNKNOWN
_W, _S, _NET = Copyleft.WEAK, Copyleft.STRONG, Copyleft.NETWORK


def _spdx(key: str) -> str:
    return f"https://spdx.org/licenses/{key}.html"


def _cc(kind: str, version: str) -> str:
    return f"https://creativecommons.org/licenses/{kind}/{version}/legalcode"


_ROWS: tuple[LicenseClass, ...] = (
    # Permissive
    LicenseClass("Apache-2.0", _P, _Y, source="https://www.apache.org/licenses/LICENSE-2.0"),
    LicenseClass("MIT", _P, _Y, source="https://opensource.org/license/mit"),
    LicenseClass("AFL-3.0", _P, _Y, source="https://opensource.org/license/afl-3-0-php"),
    LicenseClass("Artistic-2.0", _P, _Y, source="https://opensource.org/license/artistic-2-0"),
    LicenseClass("BSL-1.0", _P, _Y, source="https://www.boost.org/LICENSE_1_0.txt"),
    LicenseClass("BSD-2-Clause", _P, _Y, source="https://opensource.org/license/bsd-2-clause"),
    LicenseClass("BSD-3-Clause", _P, _Y, source="https://opensource.org/license/bsd-3-clause"),
    LicenseClass("BSD-3-Clause-Clear", _P, _Y, source=_spdx("BSD-3-Clause-Clear"), note="grants no patent rights"),
    LicenseClass("LicenseRef-BSD-family", _P, _Y, review=True, source=_spdx("BSD-3-Clause"), note="BSD family without a clause count"),
    LicenseClass("C-UDA-1.0", _P, _Y, source="https://github.com/microsoft/Computational-Use-of-Data-Agreement", note="computational use of data; results may be used freely"),
    LicenseClass("CC-BY-2.0", _P, _Y, source=_cc("by", "2.0")),
    LicenseClass("CC-BY-2.5", _P, _Y, source=_cc("by", "2.5")),
    LicenseClass("CC-BY-3.0", _P, _Y, source=_cc("by", "3.0")),
    LicenseClass("CC-BY-4.0", _P, _Y, source=_cc("by", "4.0")),
    LicenseClass("CDLA-Permissive-1.0", _P, _Y, source="https://cdla.dev/permissive-1-0/"),
    LicenseClass("CDLA-Permissive-2.0", _P, _Y, source="https://cdla.dev/permissive-2-0/"),
    LicenseClass("ECL-2.0", _P, _Y, source="https://opensource.org/license/ecl-2-0"),
    LicenseClass("etalab-2.0", _P, _Y, source="https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"),
    LicenseClass("ISC", _P, _Y, source="https://opensource.org/license/isc-license-txt"),
    LicenseClass("MS-PL", _P, _Y, source="https://opensource.org/license/ms-pl-html", note="source distributions must stay under MS-PL"),
    LicenseClass("NCSA", _P, _Y, source="https://opensource.org/license/uoi-ncsa-php"),
    LicenseClass("PostgreSQL", _P, _Y, source="https://opensource.org/license/postgresql"),
    LicenseClass("Zlib", _P, _Y, source="https://opensource.org/license/zlib"),
    LicenseClass("ODC-By-1.0", _P, _Y, source="https://opendatacommons.org/licenses/by/1-0/"),
    LicenseClass("LPPL-1.3c", _P, _Y, source="https://www.latex-project.org/lppl/lppl-1-3c/", note="modified files must be renamed"),
    LicenseClass("OFL-1.1", _P, _Y, source="https://openfontlicense.org/open-font-license-official-text/", note="font licence; derived fonts stay under OFL"),
    LicenseClass("LicenseRef-Apple-ASCL", _P, _Y, review=True, source="https://developer.apple.com/support/downloads/terms/apple-sample-code-license/Apple-Sample-Code-License.pdf"),
    # Public domain dedications
    LicenseClass("CC0-1.0", _PD, _Y, attribution=False, source=_cc("zero", "1.0").replace("/licenses/", "/publicdomain/")),
    LicenseClass("Unlicense", _PD, _Y, attribution=False, source="https://unlicense.org/"),
    LicenseClass("WTFPL", _PD, _Y, attribution=False, source="http://www.wtfpl.net/txt/copying/"),
    LicenseClass("PDDL-1.0", _PD, _Y, attribution=False, source="https://opendatacommons.org/licenses/pddl/1-0/"),
    # Weak copyleft
    LicenseClass("LGPL-2.1-only", _WC, _Y, _W, source="https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html"),
    LicenseClass("LGPL-3.0-only", _WC, _Y, _W, source="https://www.gnu.org/licenses/lgpl-3.0.html"),
    LicenseClass("LicenseRef-LGPL-family", _WC, _Y, _W, review=True, source="https://www.gnu.org/licenses/lgpl-3.0.html", note="LGPL without a version"),
    LicenseClass("LGPLLR", _WC, _Y, _W, source=_spdx("LGPLLR")),
    LicenseClass("MPL-2.0", _WC, _Y, _W, source="https://www.mozilla.org/en-US/MPL/2.0/"),
    LicenseClass("EPL-1.0", _WC, _Y, _W, source="https://www.eclipse.org/legal/epl-v10.html"),
    LicenseClass("EPL-2.0", _WC, _Y, _W, source="https://www.eclipse.org/legal/epl-2.0/"),
    # Strong copyleft / share-alike
    LicenseClass("GPL-2.0-only", _C, _Y, _S, source="https://www.gnu.org/licenses/old-licenses/gpl-2.0.html"),
    LicenseClass("GPL-3.0-only", _C, _Y, _S, source="https://www.gnu.org/licenses/gpl-3.0.html"),
    LicenseClass("GPL-2.0-or-later", _C, _Y, _S, source="https://www.gnu.org/licenses/old-licenses/gpl-2.0.html"),
    LicenseClass("GPL-3.0-or-later", _C, _Y, _S, source="https://www.gnu.org/licenses/gpl-3.0.html"),
    LicenseClass("LicenseRef-GPL-family", _C, _Y, _S, review=True, source="https://www.gnu.org/licenses/gpl-3.0.html", note="GPL without a version"),
    LicenseClass("LicenseRef-GFDL-family", _C, _Y, _S, review=True, source="https://www.gnu.org/licenses/fdl-1.3.html", note="GFDL without a version"),
    LicenseClass("GFDL-1.3-only", _C, _Y, _S, source="https://www.gnu.org/licenses/fdl-1.3.html"),
    LicenseClass("EUPL-1.1", _C, _Y, _S, source="https://joinup.ec.europa.eu/licence/european-union-public-licence-version-11-or-later-eupl"),
    LicenseClass("CC-BY-SA-3.0", _C, _Y, _S, source=_cc("by-sa", "3.0")),
    LicenseClass("CC-BY-SA-4.0", _C, _Y, _S, source=_cc("by-sa", "4.0")),
    LicenseClass("CDLA-Sharing-1.0", _C, _Y, _S, source="https://cdla.dev/sharing-1-0/"),
    LicenseClass("ODbL-1.0", _C, _Y, _S, source="https://opendatacommons.org/licenses/odbl/1-0/"),
    LicenseClass("AGPL-3.0-only", _C, _Y, _NET, source="https://www.gnu.org/licenses/agpl-3.0.html"),
    LicenseClass("AGPL-3.0-or-later", _C, _Y, _NET, source="https://www.gnu.org/licenses/agpl-3.0.html"),
    LicenseClass("OSL-3.0", _C, _Y, _NET, source="https://opensource.org/license/osl-3-0-php", note="external deployment counts as distribution"),
    # No derivatives
    LicenseClass("CC-BY-ND-4.0", _P, _Y, no_derivatives=True, source=_cc("by-nd", "4.0")),
    # Non-commercial
    LicenseClass("CC-BY-NC-2.0", _NC, _N, source=_cc("by-nc", "2.0")),
    LicenseClass("CC-BY-NC-3.0", _NC, _N, source=_cc("by-nc", "3.0")),
    LicenseClass("CC-BY-NC-4.0", _NC, _N, source=_cc("by-nc", "4.0")),
    LicenseClass("CC-BY-NC-SA-2.0", _NC, _N, _S, source=_cc("by-nc-sa", "2.0")),
    LicenseClass("CC-BY-NC-SA-3.0", _NC, _N, _S, source=_cc("by-nc-sa", "3.0")),
    LicenseClass("CC-BY-NC-SA-4.0", _NC, _N, _S, source=_cc("by-nc-sa", "4.0")),
    LicenseClass("CC-BY-NC-ND-3.0", _NC, _N, no_derivatives=True, source=_cc("by-nc-nd", "3.0")),
    LicenseClass("CC-BY-NC-ND-4.0", _NC, _N, no_derivatives=True, source=_cc("by-nc-nd", "4.0")),
    LicenseClass("LicenseRef-CC-family", _U, _UNK, review=True, source="https://creativecommons.org/licenses/", note="Creative Commons without naming which licence"),
    # Responsible AI licences: use-based restrictions that must be passed on
    LicenseClass("LicenseRef-OpenRAIL", _R, _Y, use_restrictions=True, review=True, source="https://www.licenses.ai/blog/2022/8/26/bigscience-open-rail-m-license", note="family id; the exact RAIL variant is not named"),
    LicenseClass("LicenseRef-BigScience-OpenRAIL-M", _R, _Y, use_restrictions=True, source="https://static.bigscience.huggingface.co/licenses/BigScience-OpenRAIL-M.pdf"),
    LicenseClass("LicenseRef-CreativeML-OpenRAIL-M", _R, _Y, use_restrictions=True, source="https://huggingface.co/spaces/CompVis/stable-diffusion-license"),
    LicenseClass("LicenseRef-BigScience-BLOOM-RAIL-1.0", _R, _Y, use_restrictions=True, source="https://huggingface.co/spaces/bigscience/license"),
    LicenseClass("LicenseRef-BigCode-OpenRAIL-M", _R, _Y, use_restrictions=True, source="https://huggingface.co/spaces/bigcode/bigcode-model-license-agreement"),
    LicenseClass("LicenseRef-OpenRAIL-plus-plus-M", _R, _Y, use_restrictions=True, source="https://github.com/Stability-AI/generative-models/blob/main/model_licenses/LICENSE-SDXL1.0"),
    # Vendor model licences
    LicenseClass("LicenseRef-Llama-2-Community", _M, _COND, use_restrictions=True, carries_terms=True, source="https://ai.meta.com/llama/license/", note="700M monthly active users cap; Acceptable Use Policy"),
    LicenseClass("LicenseRef-Llama-3-Community", _M, _COND, use_restrictions=True, carries_terms=True, source="https://llama.meta.com/llama3/license/", note="700M MAU cap; 'Built with Meta Llama 3'; Acceptable Use Policy"),
    LicenseClass("LicenseRef-Llama-3.1-Community", _M, _COND, use_restrictions=True, carries_terms=True, source="https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE", note="700M MAU cap; 'Built with Llama'; Acceptable Use Policy"),
    LicenseClass("LicenseRef-Llama-3.2-Community", _M, _COND, use_restrictions=True, carries_terms=True, source="https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/LICENSE", note="700M MAU cap; multimodal rights exclude the EU; Acceptable Use Policy"),
    LicenseClass("LicenseRef-Llama-3.3-Community", _M, _COND, use_restrictions=True, carries_terms=True, source="https://github.com/meta-llama/llama-models/blob/main/models/llama3_3/LICENSE", note="700M MAU cap; Acceptable Use Policy"),
    LicenseClass("LicenseRef-Llama-4-Community", _M, _COND, use_restrictions=True, carries_terms=True, source="https://github.com/meta-llama/llama-models/blob/main/models/llama4/LICENSE", note="700M MAU cap; Acceptable Use Policy"),
    LicenseClass("LicenseRef-Gemma-Terms-of-Use", _M, _Y, use_restrictions=True, carries_terms=True, source="https://ai.google.dev/gemma/terms", note="Prohibited Use Policy travels with derivatives"),
    LicenseClass("LicenseRef-DeepFloyd-IF-Research", _M, _N, research_only=True, use_restrictions=True, carries_terms=True, source="https://github.com/deep-floyd/IF/blob/develop/LICENSE-MODEL", note="non-commercial research only"),
    LicenseClass("LicenseRef-Apple-AMLR", _M, _N, research_only=True, carries_terms=True, source="https://huggingface.co/apple/DFN5B-CLIP-ViT-H-14/blob/main/LICENSE", note="research use only"),
    # Nothing usable declared
    LicenseClass("LicenseRef-other", _U, _UNK, review=True, source="https://huggingface.co/docs/hub/repositories-licenses", note="'other': the terms are in a LICENSE file or license_link"),
    LicenseClass("LicenseRef-unknown", _U, _UNK, review=True, attribution=False, source="https://huggingface.co/docs/hub/repositories-licenses", note="the author does not know the licence"),
)

#: The classification table: key (SPDX / LicenseRef-) -> row.
TABLE: Mapping[str, LicenseClass] = {row.key: row for row in _ROWS}
_LOWER: Mapping[str, LicenseClass] = {row.key.lower(): row for row in _ROWS}

#: Synonyms of table keys (SPDX deprecated ids, "-or-later" spellings of rows we keep as "-only").
_KEY_ALIASES: Mapping[str, str] = {
    "gpl-2.0": "GPL-2.0-only",
    "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only",
    "lgpl-3.0": "LGPL-3.0-only",
    "lgpl-2.1-or-later": "LGPL-2.1-only",
    "lgpl-3.0-or-later": "LGPL-3.0-only",
    "agpl-3.0": "AGPL-3.0-only",
    "gfdl-1.3-or-later": "GFDL-1.3-only",
    "gfdl-1.2-only": "GFDL-1.3-only",
    "gfdl-1.2-or-later": "GFDL-1.3-only",
    "eupl-1.2": "EUPL-1.1",
    "mit-0": "MIT",
    "bsd-2-clause-patent": "BSD-2-Clause",
    "0bsd": "MIT",
}


def unknown_class(key: str, note: str = "not in ptmvet's licence table") -> LicenseClass:
    """The row used for anything the table does not know: a human must read it."""
    return LicenseClass(key, Family.UNKNOWN, Commercial.UNKNOWN, review=True, attribution=False, note=note)


def lookup(key: str) -> LicenseClass:
    """The row of one SPDX / LicenseRef- id (unknown ids get a review row)."""
    k = key.strip()
    row = _LOWER.get(k.lower())
    if row is not None:
        return row
    alias = _KEY_ALIASES.get(k.lower())
    if alias:
        return TABLE[alias]
    if k.lower().startswith("licenseref-other-"):
        return replace(TABLE["LicenseRef-other"], key=k)
    return unknown_class(k)


def _combine_and(a: LicenseClass, b: LicenseClass) -> LicenseClass:
    """Both licences apply: the duties add up."""
    order = [_Y, _COND, _UNK, _N]
    commercial = max(a.commercial, b.commercial, key=order.index)
    return LicenseClass(
        key=f"{a.key} AND {b.key}",
        family=a.family if _family_rank(a.family) >= _family_rank(b.family) else b.family,
        commercial=commercial,
        copyleft=max(a.copyleft, b.copyleft, key=lambda c: c.rank),
        use_restrictions=a.use_restrictions or b.use_restrictions,
        attribution=a.attribution or b.attribution,
        no_derivatives=a.no_derivatives or b.no_derivatives,
        research_only=a.research_only or b.research_only,
        carries_terms=a.carries_terms or b.carries_terms,
        review=a.review or b.review,
        source=" ; ".join(s for s in (a.source, b.source) if s),
    )


def _family_rank(f: Family) -> int:
    return [
        Family.PUBLIC_DOMAIN,
        Family.PERMISSIVE,
        Family.WEAK_COPYLEFT,
        Family.COPYLEFT,
        Family.RAIL,
        Family.MODEL_TERMS,
        Family.NON_COMMERCIAL,
        Family.UNKNOWN,
    ].index(f)


def restrictiveness(c: LicenseClass) -> int:
    """A total order used only to pick the licensee's best choice in ``A OR B``."""
    score = len(c.restrictions) + (10 if c.review else 0)
    if c.commercial is Commercial.NO:
        score += 5
    return score


@lru_cache(maxsize=1024)
def classify(spdx: str) -> LicenseClass:
    """Classify an SPDX expression (single id, AND, OR, WITH).

    Cached: a pure function of the expression with an immutable result, and
    parsing an expression costs more than the rest of a licence verdict.
    """
    from license_expression import AND, OR, ExpressionError, LicenseSymbol, LicenseWithExceptionSymbol

    from ptmvet.licenses.ids import _licensing

    try:
        parsed = _licensing().parse(spdx, validate=False)
    except (ExpressionError, AttributeError, TypeError, ValueError):  # license-expression can raise AttributeError on odd input
        return unknown_class(spdx, note="not a valid licence expression")
    if parsed is None:
        return unknown_class(spdx)

    def walk(node: Any) -> LicenseClass:
        if isinstance(node, LicenseWithExceptionSymbol):
            return lookup(str(node.license_symbol.key))
        if isinstance(node, LicenseSymbol):
            return lookup(str(node.key))
        if isinstance(node, OR):
            options = [walk(a) for a in node.args]
            return min(options, key=restrictiveness)
        if isinstance(node, AND):
            parts = [walk(a) for a in node.args]
            out = parts[0]
            for p in parts[1:]:
                out = _combine_and(out, p)
            return out
        return unknown_class(str(node))

    return walk(parsed)


def classify_declared(raw: str, *, license_name: str | None = None) -> LicenseClass:
    """Classify a licence as declared on a card (Hub id, SPDX id or alias)."""
    return classify(normalize(raw, license_name=license_name).spdx)


def describe(c: LicenseClass) -> str:
    """One line a human reads: what the licence allows and asks."""
    parts = [c.family.value, f"commercial use: {c.commercial.value}"]
    if c.copyleft is not Copyleft.NONE:
        parts.append(f"copyleft: {c.copyleft.value}")
    if c.use_restrictions:
        parts.append("use-based restrictions")
    if c.no_derivatives:
        parts.append("no derivatives")
    if c.research_only:
        parts.append("research only")
    if c.attribution:
        parts.append("attribution required")
    if c.review:
        parts.append("needs human review")
    return ", ".join(parts)
