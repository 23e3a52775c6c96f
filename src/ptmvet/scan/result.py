"""The result of ``ptmvet scan``: every file's report and the verdict over them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ptmvet.scan.api import overall
from ptmvet.scan.model import ScanReport, Verdict


@dataclass(frozen=True)
class ScanResult:
    """The reports of one scan, in the order the files were walked."""

    reports: tuple[ScanReport, ...]
    all_globals: bool = False  # show allowlisted globals too (terminal)

    @classmethod
    def of(cls, reports: Sequence[ScanReport], *, all_globals: bool = False) -> ScanResult:
        return cls(tuple(reports), all_globals)

    @property
    def scanned(self) -> tuple[ScanReport, ...]:
        """The reports of files that were looked at (not skipped)."""
        return tuple(r for r in self.reports if r.verdict is not Verdict.SKIPPED)

    @property
    def verdict(self) -> Verdict:
        """The worst verdict of the scanned files (SKIPPED when none was scanned), and at least
        UNKNOWN when a weight file was not analysed: nothing proves such a file safe."""
        worst = overall(self.scanned)
        if worst.rank < Verdict.UNKNOWN.rank and self.weights_not_analysed:
            return Verdict.UNKNOWN
        return worst

    @property
    def weights_not_analysed(self) -> tuple[str, ...]:
        """Paths of weight files (by name) whose content was not analysed: empty, unrecognised,
        a Git LFS pointer, or a link not followed."""
        from ptmvet.evidence import FileEntry

        return tuple(
            path
            for path, _ in self.not_analysed
            if FileEntry(path=path.replace("\\", "/"), size=None, local=True).weight_format is not None
        )

    @property
    def counts(self) -> dict[str, int]:
        """Verdict name -> number of files with it."""
        out: dict[str, int] = {}
        for r in self.reports:
            out[r.verdict.value] = out.get(r.verdict.value, 0) + 1
        return out

    def reaches(self, threshold: Verdict) -> bool:
        """Whether a file's verdict (other than a read error) is ``threshold`` or worse; a weight
        file that was not analysed counts as UNKNOWN, as in :attr:`verdict`."""
        if Verdict.UNKNOWN.rank >= threshold.rank and self.weights_not_analysed:
            return True
        return any(r.verdict.rank >= threshold.rank and r.verdict is not Verdict.ERROR for r in self.reports)

    @property
    def not_analysed(self) -> tuple[tuple[str, str], ...]:
        """(path, why) of every file whose content was not analysed: text, unknown binary, LFS pointers,
        symlinks not followed. Never counted as safe."""
        out = []
        for r in self.reports:
            if r.verdict is not Verdict.SKIPPED or r.format not in ("unrecognised", "lfs-pointer"):
                continue  # a config, template or Python file analysed with nothing found is not listed
            if r.issues:
                why = r.issues[0].message
            elif r.format == "lfs-pointer":
                why = "Git LFS pointer: the real file is not here"
            else:
                why = "content is not a format the scanner reads (text, or binary it does not recognise)"
            out.append((r.path, why))
        return tuple(out)

    @property
    def unreadable(self) -> bool:
        """Whether a file could not be read."""
        return any(r.verdict is Verdict.ERROR for r in self.reports)


__all__ = ["ScanResult"]
