"""Where a model says what its licence is, and whether the places agree.

Four places: the card's front matter (``license``), its ``license_name`` /
``license_link`` (for ``license: other``), LICENSE-like files shipped with
the package, and the card's prose (a "License" section, "licensed under ...").
Licence texts are recognised by phrases from their own headers; nothing
here reads files: it works on :class:`~ptmvet.evidence.Evidence`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ptmvet.cardinfo import _gate
from ptmvet.licenses.ids import NormalizedLicense, normalize

if TYPE_CHECKING:
    from ptmvet.evidence import Evidence

#: Phrases from the licence texts themselves (their titles and first lines) -> Hub id.
#: Ordered: more specific first (Llama 3.1 before Llama 3, NC-SA before NC).
TEXT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), hub)
    for p, hub in (
        (r"llama 4 community license", "llama4"),
        (r"llama 3\.3 community license", "llama3.3"),
        (r"llama 3\.2 community license", "llama3.2"),
        (r"llama 3\.1 community license", "llama3.1"),
        (r"(meta )?llama 3 community license", "llama3"),
        (r"llama 2 community license", "llama2"),
        (r"gemma terms of use", "gemma"),
        (r"deepfloyd if license", "deepfloyd-if-license"),
        (r"creativeml open ?rail-m", "creativeml-openrail-m"),
        (r"bloom rail(?: license)? v?1\.0|bigscience bloom rail", "bigscience-bloom-rail-1.0"),
        (r"bigscience open ?rail-m", "bigscience-openrail-m"),
        (r"bigcode open ?rail-m", "bigcode-openrail-m"),
        (r"open ?rail\+\+-m", "openrail++"),
        (r"apple sample code license", "apple-ascl"),
        (r"gnu affero general public license\W+version 3", "agpl-3.0"),
        (r"gnu lesser general public license\W+version 3", "lgpl-3.0"),
        (r"gnu lesser general public license\W+version 2\.1", "lgpl-2.1"),
        (r"gnu general public license\W+version 3", "gpl-3.0"),
        (r"gnu general public license\W+version 2", "gpl-2.0"),
        (r"mozilla public license,?\s+(version|v\.?)\s*2\.0", "mpl-2.0"),
        (r"apache license,?\s+version 2\.0", "apache-2.0"),
        (r"attribution-noncommercial-sharealike 4\.0", "cc-by-nc-sa-4.0"),
        (r"attribution-noncommercial-noderivatives 4\.0", "cc-by-nc-nd-4.0"),
        (r"attribution-noncommercial 4\.0", "cc-by-nc-4.0"),
        (r"attribution-sharealike 4\.0", "cc-by-sa-4.0"),
        (r"attribution-noderivatives 4\.0", "cc-by-nd-4.0"),
        (r"attribution 4\.0 international", "cc-by-4.0"),
        (r"cc0 1\.0 universal", "cc0-1.0"),
        (r"free and unencumbered software released into the public domain", "unlicense"),
        (r"boost software license", "bsl-1.0"),
        (r"do what the fuck you want", "wtfpl"),
        (r"eclipse public license\W+v(ersion)?\s*2\.0", "epl-2.0"),
        (r"academic free license", "afl-3.0"),
        (r"permission is hereby granted, free of charge", "mit"),
        (r"redistribution and use in source and binary forms.{0,1500}neither the name", "bsd-3-clause"),
        (r"redistribution and use in source and binary forms", "bsd-2-clause"),
    )
)

#: Short names as people write them in prose ("released under Apache 2.0") -> Hub id.
NAME_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), hub)
    for p, hub in (
        (r"\bllama[- ]?4\b", "llama4"),
        (r"\bllama[- ]?3\.3\b", "llama3.3"),
        (r"\bllama[- ]?3\.2\b", "llama3.2"),
        (r"\bllama[- ]?3\.1\b", "llama3.1"),
        (r"\bllama[- ]?3\b", "llama3"),
        (r"\bllama[- ]?2\b", "llama2"),
        (r"\bgemma\b", "gemma"),
        (r"creativeml[- ]open[- ]?rail[- ]?m", "creativeml-openrail-m"),
        (r"bigscience[- ]bloom[- ]rail", "bigscience-bloom-rail-1.0"),
        (r"bigscience[- ]open[- ]?rail[- ]?m", "bigscience-openrail-m"),
        (r"bigcode[- ]open[- ]?rail[- ]?m", "bigcode-openrail-m"),
        (r"open[- ]?rail\+\+", "openrail++"),
        (r"\bopen[- ]?rail\b", "openrail"),
        (r"\bcc[- ]by[- ]nc[- ]sa[- ]?4(\.0)?\b", "cc-by-nc-sa-4.0"),
        (r"\bcc[- ]by[- ]nc[- ]nd[- ]?4(\.0)?\b", "cc-by-nc-nd-4.0"),
        (r"\bcc[- ]by[- ]nc[- ]?4(\.0)?\b", "cc-by-nc-4.0"),
        (r"\bcc[- ]by[- ]sa[- ]?4(\.0)?\b", "cc-by-sa-4.0"),
        (r"\bcc[- ]by[- ]?4(\.0)?\b", "cc-by-4.0"),
        (r"\bcc0\b", "cc0-1.0"),
        (r"\bagpl[- ]?(v)?3", "agpl-3.0"),
        (r"\blgpl[- ]?(v)?3", "lgpl-3.0"),
        (r"\bgpl[- ]?(v)?3", "gpl-3.0"),
        (r"\bgpl[- ]?(v)?2", "gpl-2.0"),
        (r"\bapache(?:[- ]license)?,?[- ](?:version[- ])?2(?:\.0)?\b", "apache-2.0"),
        (r"\bmit\b(?! ?(?:university|csail|press))", "mit"),
        (r"\bbsd[- ]3", "bsd-3-clause"),
        (r"\bbsd[- ]2", "bsd-2-clause"),
        (r"\bunlicense\b", "unlicense"),
    )
)

_LICENSED_UNDER = re.compile(r"(?:licen[cs]ed|released|distributed|available)\s+under\s+(?:the\s+|a\s+)?([^\n.;]{2,100})", re.I)
_LICENSE_LINE = re.compile(r"^\s*[*_]*licen[cs]e[*_]*\s*[:=]\s*(.{2,100})$", re.I | re.M)

#: Names of shipped files that state the licence (use policies and notices add duties but are not the licence).
LICENSE_FILE_PREFIXES = ("license", "licence", "copying")


@dataclass(frozen=True)
class DetectedLicense:
    """One licence statement found in one place."""

    source: str  # "front-matter", "license-name", "license-file", "card-text"
    where: str  # field or file path or section title
    license: NormalizedLicense

    @property
    def specific(self) -> bool:
        """Names a concrete licence (not 'other', 'unknown', a family id or unrecognised text)."""
        return self.license.recognized and self.license.hub_id not in ("other", "unknown") and "-family" not in self.license.spdx

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "where": self.where, **self.license.to_dict()}


@dataclass(frozen=True)
class LicenseDetection:
    """Every licence statement of a package, and how they agree."""

    declared: tuple[DetectedLicense, ...] = ()  # front matter ``license``
    license_name: str | None = None
    license_link: str | None = None
    files: tuple[DetectedLicense, ...] = ()  # one per recognised LICENSE-like file
    unrecognized_files: tuple[str, ...] = ()  # LICENSE files whose text matched nothing known
    text: tuple[DetectedLicense, ...] = ()  # card prose
    disagreements: tuple[str, ...] = field(default=())

    @property
    def all(self) -> tuple[DetectedLicense, ...]:
        return self.declared + self.files + self.text

    @property
    def primary(self) -> NormalizedLicense | None:
        """The licence to reason with: front matter, else a LICENSE file, else the card text."""
        for group in (self.declared, self.files, self.text):
            specific = [d for d in group if d.specific]
            if specific:
                if group is self.declared and len(specific) > 1:
                    expr = " AND ".join(f"({d.license.spdx})" if " " in d.license.spdx else d.license.spdx for d in specific)
                    return NormalizedLicense(raw=", ".join(d.license.raw for d in specific), hub_id=None, spdx=expr, recognized=True)
                return specific[0].license
        for group in (self.declared, self.files, self.text):
            if group:
                return group[0].license
        return None

    def to_dict(self) -> dict[str, Any]:
        primary = self.primary
        return {
            "primary": primary.to_dict() if primary else None,
            "declared": [d.to_dict() for d in self.declared],
            "license_name": self.license_name,
            "license_link": self.license_link,
            "files": [d.to_dict() for d in self.files],
            "unrecognized_files": list(self.unrecognized_files),
            "text": [d.to_dict() for d in self.text],
            "disagreements": list(self.disagreements),
        }


def identify_text(text: str) -> str | None:
    """The Hub id of a full licence text, from phrases in its header (first 6,000 characters)."""
    head = " ".join(text[:6000].split())
    for pattern, hub in TEXT_PATTERNS:
        if pattern.search(head):
            return hub
    return None


def identify_name(text: str) -> str | None:
    """The Hub id named in a short phrase ("Apache 2.0", "CC BY-NC 4.0", "the Llama 2 license")."""
    phrase = " ".join(text.split())
    direct = normalize(phrase.strip(" .`*_\"'()[]"))
    if direct.recognized and direct.hub_id:
        return direct.hub_id
    for pattern, hub in TEXT_PATTERNS + NAME_PATTERNS:
        if pattern.search(phrase):
            return hub
    return None


def _declared(metadata: Mapping[str, Any]) -> list[str]:
    value = metadata.get("license")
    if isinstance(value, str):
        return [v for v in (value.strip(),) if v]
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, (str, int, float)) and str(v).strip()]
    return []


def _text_mentions(body: str, section_texts: Iterable[tuple[str, str]]) -> list[DetectedLicense]:
    found: list[DetectedLicense] = []
    seen: set[str] = set()

    def add(where: str, hub: str | None) -> None:
        if hub and hub not in seen:
            seen.add(hub)
            found.append(DetectedLicense("card-text", where, normalize(hub)))

    for title, text in section_texts:
        # A License section: its whole text names the licence (a link, a name, a sentence).
        add(f"section {title!r}", identify_text(text) or identify_name(text[:400]))
    # Through the substring gate: a card without "under" (most) is not scanned by the leading
    # alternation, and a scan stops only where a match can start.
    for m in _gate.finditer(_LICENSED_UNDER, body):
        add("'licensed under' sentence", identify_name(m.group(1)))
    for m in _gate.finditer(_LICENSE_LINE, body):
        add("'License:' line", identify_name(m.group(1)))
    return found


def _key(d: DetectedLicense) -> str:
    spdx = d.license.spdx
    return spdx.replace("-only", "").replace("-or-later", "").lower()


def detect(evidence: Evidence) -> LicenseDetection:
    """Collect every licence statement of the package and check they agree.

    Computed once per card, licence files and registry record: every licence
    check and the licence enricher of one vet share the result.
    """
    from ptmvet.cardinfo import _memo

    result: LicenseDetection = _memo("license", (evidence.card, evidence.license_texts, evidence.registry), lambda: detect_uncached(evidence))
    return result


def detect_uncached(evidence: Evidence) -> LicenseDetection:
    """:func:`detect` without the per-vet cache."""
    card = evidence.card
    metadata: Mapping[str, Any] = card.metadata if card else {}
    if not metadata and evidence.registry and evidence.registry.card_data:
        metadata = evidence.registry.card_data
    license_name = metadata.get("license_name") if isinstance(metadata.get("license_name"), str) else None
    license_link = metadata.get("license_link") if isinstance(metadata.get("license_link"), str) else None
    declared_raw = _declared(metadata)
    if not declared_raw and evidence.registry:
        declared_raw = [t.split(":", 1)[1] for t in evidence.registry.tags if t.startswith("license:")]
    declared = tuple(DetectedLicense("front-matter", "license", normalize(r, license_name=license_name)) for r in declared_raw)

    files: list[DetectedLicense] = []
    unrecognized: list[str] = []
    for path, text in sorted(evidence.license_texts.items()):
        name = path.rsplit("/", 1)[-1].lower()
        if not name.startswith(LICENSE_FILE_PREFIXES):
            continue
        hub = identify_text(text)
        if hub:
            files.append(DetectedLicense("license-file", path, normalize(hub)))
        else:
            unrecognized.append(path)

    text_found: list[DetectedLicense] = []
    if card is not None:
        sections = [(s.title, s.text) for s in card.sections if re.search(r"licen[cs]", s.title, re.I)]
        text_found = _text_mentions(card.body, sections)
    if license_name:
        hub = identify_name(license_name)
        if hub and hub not in ("other",):
            text_found.append(DetectedLicense("license-name", "license_name", normalize(hub)))

    disagreements = _disagreements(declared, tuple(files), tuple(text_found))
    return LicenseDetection(
        declared=declared,
        license_name=license_name,
        license_link=license_link,
        files=tuple(files),
        unrecognized_files=tuple(unrecognized),
        text=tuple(text_found),
        disagreements=disagreements,
    )


def _disagreements(declared: tuple[DetectedLicense, ...], files: tuple[DetectedLicense, ...], text: tuple[DetectedLicense, ...]) -> tuple[str, ...]:
    out: list[str] = []
    decl = {_key(d) for d in declared if d.specific}
    file_keys = {_key(d) for d in files if d.specific}
    text_keys = {_key(d) for d in text if d.specific}
    decl_names = ", ".join(sorted(d.license.spdx for d in declared if d.specific))
    if decl and file_keys and not (decl & file_keys):
        names = ", ".join(f"{d.where}: {d.license.spdx}" for d in files if d.specific)
        out.append(f"front matter declares {decl_names} but the licence file says {names}")
    if decl and text_keys and not (decl & text_keys):
        names = ", ".join(f"{d.where}: {d.license.spdx}" for d in text if d.specific)
        out.append(f"front matter declares {decl_names} but the card text says {names}")
    if not decl and file_keys and text_keys and not (file_keys & text_keys):
        out.append(
            "the licence file ("
            + ", ".join(d.license.spdx for d in files if d.specific)
            + ") and the card text ("
            + ", ".join(d.license.spdx for d in text if d.specific)
            + ") disagree"
        )
    return tuple(out)
