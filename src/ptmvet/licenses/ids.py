"""Hub licence ids -> SPDX expressions.

The Hub lets a card declare ``license: <id>`` from a fixed list
(https://huggingface.co/docs/hub/repositories-licenses). Many of those ids are
SPDX ids in lower case; the ML-specific ones (OpenRAIL, Llama, Gemma, ...) and
the family ids (``gpl``, ``cc``, ``bsd``) have no SPDX id, so they map to a
``LicenseRef-`` id, which SPDX reserves for licences outside its list.

Every expression produced here is checked with ``license-expression``:
SPDX symbols must be known to its SPDX licensing, other symbols must be
well-formed ``LicenseRef-`` ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

#: Hub licence id -> (full name, SPDX expression or LicenseRef- id).
#: Ids from the Hub documentation's table (https://huggingface.co/docs/hub/repositories-licenses),
#: plus the Llama 3.x/4 and Apple ids the Hub offers in its licence picker.
HUB_LICENSES: Mapping[str, tuple[str, str]] = {
    "apache-2.0": ("Apache license 2.0", "Apache-2.0"),
    "mit": ("MIT", "MIT"),
    "openrail": ("OpenRAIL license family", "LicenseRef-OpenRAIL"),
    "bigscience-openrail-m": ("BigScience OpenRAIL-M", "LicenseRef-BigScience-OpenRAIL-M"),
    "creativeml-openrail-m": ("CreativeML OpenRAIL-M", "LicenseRef-CreativeML-OpenRAIL-M"),
    "bigscience-bloom-rail-1.0": ("BigScience BLOOM RAIL 1.0", "LicenseRef-BigScience-BLOOM-RAIL-1.0"),
    "bigcode-openrail-m": ("BigCode Open RAIL-M v1", "LicenseRef-BigCode-OpenRAIL-M"),
    "openrail++": ("Open Rail++-M License", "LicenseRef-OpenRAIL-plus-plus-M"),
    "afl-3.0": ("Academic Free License v3.0", "AFL-3.0"),
    "artistic-2.0": ("Artistic license 2.0", "Artistic-2.0"),
    "bsl-1.0": ("Boost Software License 1.0", "BSL-1.0"),
    "bsd": ("BSD license family", "LicenseRef-BSD-family"),
    "bsd-2-clause": ('BSD 2-clause "Simplified" license', "BSD-2-Clause"),
    "bsd-3-clause": ('BSD 3-clause "New" or "Revised" license', "BSD-3-Clause"),
    "bsd-3-clause-clear": ("BSD 3-clause Clear license", "BSD-3-Clause-Clear"),
    "c-uda": ("Computational Use of Data Agreement", "C-UDA-1.0"),
    "cc": ("Creative Commons license family", "LicenseRef-CC-family"),
    "cc0-1.0": ("Creative Commons Zero v1.0 Universal", "CC0-1.0"),
    "cc-by-2.0": ("Creative Commons Attribution 2.0", "CC-BY-2.0"),
    "cc-by-2.5": ("Creative Commons Attribution 2.5", "CC-BY-2.5"),
    "cc-by-3.0": ("Creative Commons Attribution 3.0", "CC-BY-3.0"),
    "cc-by-4.0": ("Creative Commons Attribution 4.0", "CC-BY-4.0"),
    "cc-by-sa-3.0": ("Creative Commons Attribution Share Alike 3.0", "CC-BY-SA-3.0"),
    "cc-by-sa-4.0": ("Creative Commons Attribution Share Alike 4.0", "CC-BY-SA-4.0"),
    "cc-by-nc-2.0": ("Creative Commons Attribution Non Commercial 2.0", "CC-BY-NC-2.0"),
    "cc-by-nc-3.0": ("Creative Commons Attribution Non Commercial 3.0", "CC-BY-NC-3.0"),
    "cc-by-nc-4.0": ("Creative Commons Attribution Non Commercial 4.0", "CC-BY-NC-4.0"),
    "cc-by-nd-4.0": ("Creative Commons Attribution No Derivatives 4.0", "CC-BY-ND-4.0"),
    "cc-by-nc-nd-3.0": ("Creative Commons Attribution Non Commercial No Derivatives 3.0", "CC-BY-NC-ND-3.0"),
    "cc-by-nc-nd-4.0": ("Creative Commons Attribution Non Commercial No Derivatives 4.0", "CC-BY-NC-ND-4.0"),
    "cc-by-nc-sa-2.0": ("Creative Commons Attribution Non Commercial Share Alike 2.0", "CC-BY-NC-SA-2.0"),
    "cc-by-nc-sa-3.0": ("Creative Commons Attribution Non Commercial Share Alike 3.0", "CC-BY-NC-SA-3.0"),
    "cc-by-nc-sa-4.0": ("Creative Commons Attribution Non Commercial Share Alike 4.0", "CC-BY-NC-SA-4.0"),
    "cdla-sharing-1.0": ("Community Data License Agreement - Sharing, Version 1.0", "CDLA-Sharing-1.0"),
    "cdla-permissive-1.0": ("Community Data License Agreement - Permissive, Version 1.0", "CDLA-Permissive-1.0"),
    "cdla-permissive-2.0": ("Community Data License Agreement - Permissive, Version 2.0", "CDLA-Permissive-2.0"),
    "wtfpl": ("Do What The F*ck You Want To Public License", "WTFPL"),
    "ecl-2.0": ("Educational Community License v2.0", "ECL-2.0"),
    "epl-1.0": ("Eclipse Public License 1.0", "EPL-1.0"),
    "epl-2.0": ("Eclipse Public License 2.0", "EPL-2.0"),
    "etalab-2.0": ("Etalab Open License 2.0", "etalab-2.0"),
    "eupl-1.1": ("European Union Public License 1.1", "EUPL-1.1"),
    "agpl-3.0": ("GNU Affero General Public License v3.0", "AGPL-3.0-only"),
    "gfdl": ("GNU Free Documentation License family", "LicenseRef-GFDL-family"),
    "gpl": ("GNU General Public License family", "LicenseRef-GPL-family"),
    "gpl-2.0": ("GNU General Public License v2.0", "GPL-2.0-only"),
    "gpl-3.0": ("GNU General Public License v3.0", "GPL-3.0-only"),
    "lgpl": ("GNU Lesser General Public License family", "LicenseRef-LGPL-family"),
    "lgpl-2.1": ("GNU Lesser General Public License v2.1", "LGPL-2.1-only"),
    "lgpl-3.0": ("GNU Lesser General Public License v3.0", "LGPL-3.0-only"),
    "isc": ("ISC", "ISC"),
    "lppl-1.3c": ("LaTeX Project Public License v1.3c", "LPPL-1.3c"),
    "ms-pl": ("Microsoft Public License", "MS-PL"),
    "mpl-2.0": ("Mozilla Public License 2.0", "MPL-2.0"),
    "odc-by": ("Open Data Commons License Attribution family", "ODC-By-1.0"),
    "odbl": ("Open Database License family", "ODbL-1.0"),
    "osl-3.0": ("Open Software License 3.0", "OSL-3.0"),
    "postgresql": ("PostgreSQL License", "PostgreSQL"),
    "ofl-1.1": ("SIL Open Font License 1.1", "OFL-1.1"),
    "ncsa": ("University of Illinois/NCSA Open Source License", "NCSA"),
    "unlicense": ("The Unlicense", "Unlicense"),
    "zlib": ("zLib License", "Zlib"),
    "pddl": ("Open Data Commons Public Domain Dedication and License", "PDDL-1.0"),
    "lgpl-lr": ("Lesser General Public License For Linguistic Resources", "LGPLLR"),
    "deepfloyd-if-license": ("DeepFloyd IF Research License Agreement", "LicenseRef-DeepFloyd-IF-Research"),
    "llama2": ("Llama 2 Community License Agreement", "LicenseRef-Llama-2-Community"),
    "llama3": ("Llama 3 Community License Agreement", "LicenseRef-Llama-3-Community"),
    "llama3.1": ("Llama 3.1 Community License Agreement", "LicenseRef-Llama-3.1-Community"),
    "llama3.2": ("Llama 3.2 Community License Agreement", "LicenseRef-Llama-3.2-Community"),
    "llama3.3": ("Llama 3.3 Community License Agreement", "LicenseRef-Llama-3.3-Community"),
    "llama4": ("Llama 4 Community License Agreement", "LicenseRef-Llama-4-Community"),
    "gemma": ("Gemma Terms of Use", "LicenseRef-Gemma-Terms-of-Use"),
    "apple-ascl": ("Apple Sample Code License", "LicenseRef-Apple-ASCL"),
    "apple-amlr": ("Apple Machine Learning Research Model License", "LicenseRef-Apple-AMLR"),
    "unknown": ("Unknown", "LicenseRef-unknown"),
    "other": ("Other", "LicenseRef-other"),
}

#: Spellings seen in cards and dumps that are not Hub ids -> Hub id.
ALIASES: Mapping[str, str] = {
    "apache 2.0": "apache-2.0",
    "apache2": "apache-2.0",
    "apache-2": "apache-2.0",
    "apache license 2.0": "apache-2.0",
    "apache license, version 2.0": "apache-2.0",
    "apache license version 2.0": "apache-2.0",
    "the mit license": "mit",
    "mit license": "mit",
    "gplv3": "gpl-3.0",
    "gpl-3": "gpl-3.0",
    "gplv2": "gpl-2.0",
    "agplv3": "agpl-3.0",
    "cc-by-nc": "cc-by-nc-4.0",
    "cc by-nc 4.0": "cc-by-nc-4.0",
    "cc by-nc-sa 4.0": "cc-by-nc-sa-4.0",
    "cc by-sa 4.0": "cc-by-sa-4.0",
    "cc by 4.0": "cc-by-4.0",
    "llama-2": "llama2",
    "llama 2": "llama2",
    "llama-3": "llama3",
    "llama 3": "llama3",
    "llama-3.1": "llama3.1",
    "llama-3.2": "llama3.2",
    "llama-3.3": "llama3.3",
    "llama-4": "llama4",
    "openrail-m": "openrail",
    "open-rail": "openrail",
    "none": "unknown",
    "no license": "unknown",
}

_LICENSEREF = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")
_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]+")


@dataclass(frozen=True)
class NormalizedLicense:
    """One declared licence, as written and as an SPDX expression."""

    raw: str  # what the author wrote
    hub_id: str | None  # the Hub id it corresponds to, if any
    spdx: str  # SPDX expression or LicenseRef- id (always valid)
    recognized: bool  # False when the text matched nothing known (spdx is then a LicenseRef- of it)

    def to_dict(self) -> dict[str, Any]:
        return {"raw": self.raw, "hub_id": self.hub_id, "spdx": self.spdx, "recognized": self.recognized}


@cache
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@cache
def _spdx_by_lower() -> dict[str, str]:
    """Lower-case SPDX key -> its canonical spelling, from license-expression's list."""
    out: dict[str, str] = {}
    for sym in _licensing().known_symbols.values():
        out[str(sym.key).lower()] = str(sym.key)
    return out


def is_valid_expression(expr: str) -> bool:
    """Whether ``expr`` parses and every symbol is a known SPDX id or a well-formed LicenseRef-."""
    from license_expression import ExpressionError

    licensing = _licensing()
    try:
        parsed = licensing.parse(expr, validate=False)
    except (ExpressionError, AttributeError, TypeError, ValueError):  # license-expression can raise AttributeError on odd input
        return False
    if parsed is None:
        return False
    known = _spdx_by_lower()
    for sym in licensing.license_symbols(parsed):
        key = str(sym.key)
        if key.startswith("LicenseRef-"):
            if not _LICENSEREF.match(key):
                return False
        elif key.lower() not in known:
            return False
    return True


def license_ref(text: str, *, prefix: str = "LicenseRef-") -> str:
    """A well-formed LicenseRef- id made from free text."""
    slug = _UNSAFE.sub("-", text.strip()).strip("-.")[:64] or "unnamed"
    return prefix + slug


def _canonical_spdx(expr: str) -> str | None:
    """A valid SPDX expression with canonical spelling, or None."""
    from license_expression import ExpressionError

    licensing = _licensing()
    try:
        info = licensing.validate(expr)
    except (ExpressionError, AttributeError, TypeError, ValueError):  # license-expression can raise AttributeError on odd input
        return None
    if info.errors or not info.normalized_expression:
        return None
    out = str(info.normalized_expression)
    return out if is_valid_expression(out) else None


#: SPDX id (lower case) -> the Hub id that maps onto it, so "Apache-2.0" in a card finds "apache-2.0".
@cache
def _hub_by_spdx() -> Mapping[str, str]:
    return {spdx.lower(): hub for hub, (_name, spdx) in HUB_LICENSES.items()}


def normalize(raw: str, *, license_name: str | None = None) -> NormalizedLicense:
    """Map one declared licence (a Hub id, an SPDX id or expression, a common alias) onto SPDX.

    ``license_name`` is the card's ``license_name`` for ``license: other``; it names the
    ``LicenseRef-other-<name>`` id so that two different "other" licences stay apart.
    """
    text = " ".join(str(raw).split())
    key = text.lower()
    key = ALIASES.get(key, key)
    if key in HUB_LICENSES:
        spdx = HUB_LICENSES[key][1]
        if key == "other" and license_name and license_name.strip():
            spdx = license_ref(license_name, prefix="LicenseRef-other-")
        return NormalizedLicense(raw=text, hub_id=key, spdx=spdx, recognized=True)
    by_spdx = _hub_by_spdx()
    if key in by_spdx:
        hub = by_spdx[key]
        return NormalizedLicense(raw=text, hub_id=hub, spdx=HUB_LICENSES[hub][1], recognized=True)
    if text.startswith("LicenseRef-") and _LICENSEREF.match(text):
        return NormalizedLicense(raw=text, hub_id=None, spdx=text, recognized=True)
    canon = _canonical_spdx(text) if text else None
    if canon is not None:
        return NormalizedLicense(raw=text, hub_id=by_spdx.get(canon.lower()), spdx=canon, recognized=True)
    return NormalizedLicense(raw=text, hub_id=None, spdx=license_ref(text or "unknown", prefix="LicenseRef-unrecognized-"), recognized=False)
