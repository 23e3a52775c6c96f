"""The only renderer: ``render(result, fmt)`` for every result ptmvet produces.

:data:`KINDS` is the table of result types: which class, which module of
``ptmvet.formats`` renders it, in which formats, and the name of its JSON
Schema (``schemas/<kind>.schema.json``). Each renderer module exposes
``RENDERERS`` (format name -> ``fn(result, **options) -> str``) and
``SCHEMA_VERSION`` (the integer every JSON output carries).

Adding a result type is one renderer module plus one row here (and its
schema, golden result and docs/json.md row); adding a report format is one
module with a :class:`Formatter` plus one line in :data:`FORMATS`. The tables are resolved lazily, so importing this package
does not import every subsystem.

Shared helpers: :mod:`~ptmvet.formats.page` (the HTML page with its CSP),
:mod:`~ptmvet.formats.svg` (every chart), :mod:`~ptmvet.formats.console`
(rich captured to text), :mod:`~ptmvet.formats.progress` (progress bars).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import import_module, resources
from types import ModuleType
from typing import Any

from ptmvet.formats.interface import Formatter, UnknownFormat


class _Formatters(Mapping[str, Formatter]):
    """Format name -> formatter, each imported on first use: a command that only needs the
    names (``--format`` choices) does not import the report and every subsystem behind it."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)  # name -> "module:Class"
        self._made: dict[str, Formatter] = {}

    def __getitem__(self, name: str) -> Formatter:
        if name not in self._made:
            module, _, cls = self._table[name].partition(":")
            self._made[name] = getattr(import_module(module), cls)()
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


#: ``--format`` name -> formatter of a :class:`~ptmvet.report.Report`. One line per format.
FORMATS: Mapping[str, Formatter] = _Formatters({
    "terminal": "ptmvet.formats.terminal:TerminalFormat",
    "json": "ptmvet.formats.json_format:JsonFormat",
    "md": "ptmvet.formats.markdown:MarkdownFormat",
    "html": "ptmvet.formats.html:HtmlFormat",
})

#: Other spellings users type.
ALIASES: Mapping[str, str] = {"markdown": "md", "text": "terminal", "txt": "terminal", "htm": "html"}

Renderer = Callable[..., str]


@dataclass(frozen=True)
class Kind:
    """One result type: what renders it, in which formats, under which JSON Schema."""

    name: str  # also the schema's file stem: schemas/<name>.schema.json
    result: str  # "module:Class" of the result type
    module: str  # the ptmvet.formats module with RENDERERS and SCHEMA_VERSION
    formats: tuple[str, ...]  # the format names its RENDERERS offer (for --format choices without importing it)

    @property
    def result_type(self) -> type:
        mod, _, cls = self.result.partition(":")
        found: type = getattr(import_module(mod), cls)
        return found

    @property
    def renderer_module(self) -> ModuleType:
        return import_module(self.module)

    @property
    def schema_version(self) -> int:
        version: int = self.renderer_module.SCHEMA_VERSION
        return version

    @property
    def schema_file(self) -> str:
        return f"{self.name}.schema.json"


#: Every result type ptmvet renders. ``formats`` lists what ``--format`` accepts.
KINDS: tuple[Kind, ...] = (
    Kind("report", "ptmvet.report:Report", "ptmvet.formats.report", tuple(FORMATS)),
    Kind("compare", "ptmvet.compare:Comparison", "ptmvet.formats.compare", ("terminal", "json", "html")),
    Kind("gate", "ptmvet.policy:GateResult", "ptmvet.formats.gate", ("terminal", "json", "sarif")),
    Kind("lineage", "ptmvet.evidence.lineage:Lineage", "ptmvet.formats.lineage", ("terminal", "json")),
    Kind("scan", "ptmvet.scan.result:ScanResult", "ptmvet.formats.scan", ("terminal", "json")),
    Kind("reproduce", "ptmvet.evaluate.remeasurement:Remeasurement", "ptmvet.formats.measurements", ("terminal", "json")),
    Kind("schema", "ptmvet.evaluate.schema:SchemaReport", "ptmvet.formats.schema_fit", ("terminal", "json")),
    Kind("verify", "ptmvet.integrity.verification:Verification", "ptmvet.formats.verification", ("terminal", "json")),
    Kind("manifest", "ptmvet.integrity.manifest:Manifest", "ptmvet.formats.manifest", ("json",)),
    Kind("study", "ptmvet.registry.study:Study", "ptmvet.formats.study", ("terminal", "json", "html")),
    Kind("audit", "ptmvet.registry.engines:AuditStats", "ptmvet.formats.audit", ("terminal", "json")),
    Kind("mining", "ptmvet.registry.ingest:MineStats", "ptmvet.formats.mining", ("terminal", "json")),
    Kind("diff", "ptmvet.diff:Diff", "ptmvet.formats.diff", ("terminal", "json")),
    Kind("git-mining", "ptmvet.registry.gitmine:GitMineStats", "ptmvet.formats.git_mining", ("terminal", "json")),
    Kind("signing", "ptmvet.integrity.signing:SignResult", "ptmvet.formats.signing", ("terminal", "json")),
    Kind("catalogue", "ptmvet.checks.catalogue:Catalogue", "ptmvet.formats.catalogue", ("terminal", "json", "md")),
    Kind("attest", "ptmvet.attest.result:Attested", "ptmvet.formats.attestation", ("terminal", "json")),
    Kind("verify-attestation", "ptmvet.attest.verify:AttestationCheck", "ptmvet.formats.attestation", ("terminal", "json")),
    Kind("trail", "ptmvet.trail:TrailListing", "ptmvet.formats.trail", ("terminal", "json")),
    Kind("trail-verify", "ptmvet.trail:TrailVerdict", "ptmvet.formats.trail", ("terminal", "json")),
)

_BY_NAME: Mapping[str, Kind] = {k.name: k for k in KINDS}


def kind(name: str) -> Kind:
    """The row of :data:`KINDS` called ``name`` (KeyError otherwise: a programming error)."""
    return _BY_NAME[name]


def choices(name: str) -> tuple[str, ...]:
    """The ``--format`` names a command rendering kind ``name`` offers."""
    return _BY_NAME[name].formats


def kind_of(result: object) -> Kind:
    """The row of :data:`KINDS` whose result type ``result`` is (matched by class, nearest first)."""
    for cls in type(result).__mro__:
        for k in KINDS:
            if k.result.rpartition(":")[2] == cls.__name__ and isinstance(result, k.result_type):
                return k
    raise TypeError(f"ptmvet.formats has no renderer for {type(result).__name__}")


def get_format(name: str) -> Formatter:
    """The report formatter called ``name`` (or an alias); :class:`UnknownFormat` otherwise."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    try:
        return FORMATS[key]
    except KeyError:
        raise UnknownFormat(name, sorted(FORMATS)) from None


def renderer(result: object, fmt: str) -> Renderer:
    """The function that renders ``result`` as ``fmt``; :class:`UnknownFormat` when it has no such format."""
    k = kind_of(result)
    key = fmt.strip().lower()
    key = ALIASES.get(key, key)
    table: Mapping[str, Renderer] = k.renderer_module.RENDERERS
    fn = table.get(key)
    if fn is None:
        raise UnknownFormat(fmt, sorted(table))
    return fn


def render(result: object, fmt: str, **options: Any) -> str:
    """Render any ptmvet result (report, comparison, gate, scan, ...) as ``fmt``.

    ``options`` are passed to the renderer; every renderer accepts and may
    ignore ``color`` and ``width`` (terminal formats use them: the CLI passes
    ``color=True`` when writing to a terminal).
    """
    return renderer(result, fmt)(result, **options)


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of kind ``name``'s JSON, shipped as package data."""
    text = resources.files("ptmvet").joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


__all__ = [
    "ALIASES",
    "FORMATS",
    "KINDS",
    "Formatter",
    "Kind",
    "UnknownFormat",
    "choices",
    "get_format",
    "kind",
    "kind_of",
    "render",
    "renderer",
    "schema",
]
