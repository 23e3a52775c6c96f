"""Cross-check local files against Git LFS pointers and the registry's LFS sha256.

A Git LFS pointer names the sha256 and size of the content it stands for; the
Hub lists the same pair per LFS file (``siblings[].lfs``). Given a manifest of
the local files and a registry listing, :func:`compare_with_registry` says which
files match, which differ, which are only pointers (weights missing), which the
registry lists but the copy lacks, and which the copy adds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptmvet.integrity.errors import FileChange, IntegrityMismatch
from ptmvet.integrity.manifest import Manifest
from ptmvet.integrity.snapshot import RegistrySnapshot

#: Files that belong to the repository machinery, not the model; never "added".
_REPO_FILES = frozenset({".gitattributes", ".gitignore"})


@dataclass(frozen=True)
class RegistryComparison:
    """The files on disk against a registry listing."""

    snapshot: RegistrySnapshot
    matched: tuple[str, ...]  # sha256 equal
    changed: tuple[FileChange, ...]  # sha256 or size differ (content present)
    pointers: tuple[FileChange, ...]  # the local file is an LFS pointer: content missing
    pointer_mismatches: tuple[FileChange, ...]  # a local pointer names other content than the registry
    removed: tuple[str, ...]  # listed by the registry, absent locally
    added: tuple[str, ...]  # present locally, not listed
    unverified: tuple[str, ...]  # present in both, but the registry gives no sha256 (non-LFS files)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.pointers or self.pointer_mismatches or self.removed or self.added)

    def raise_for(self) -> None:
        """Raise :class:`IntegrityMismatch` listing every difference, unless there is none."""
        if self.ok:
            return
        hint = None
        if self.pointers:
            hint = f"{len(self.pointers)} file(s) are Git LFS pointers: the content was never downloaded (git lfs pull)"
        raise IntegrityMismatch(
            f"the local copy against the registry listing of {self.snapshot.repo_id}",
            # The same categories the summary line counts: a pointer naming other content is a change.
            changed=(*self.changed, *self.pointer_mismatches),
            pointers=self.pointers,
            added=self.added,
            removed=self.removed,
            hint=hint,
        )


def compare_with_registry(manifest: Manifest, snapshot: RegistrySnapshot) -> RegistryComparison:
    """Compare a manifest of local files with a registry listing."""
    local = manifest.by_path()
    listed = snapshot.by_path()
    matched: list[str] = []
    changed: list[FileChange] = []
    pointers: list[FileChange] = []
    pointer_mismatches: list[FileChange] = []
    unverified: list[str] = []
    for rel in sorted(local.keys() & listed.keys()):
        e, r = local[rel], listed[rel]
        if r.sha256 is None:
            if e.lfs_pointer is not None:  # content missing, whatever the listing says
                pointers.append(FileChange(rel, None, e.lfs_pointer.oid, r.size, e.lfs_pointer.size))
            else:
                unverified.append(rel)
            continue
        if e.lfs_pointer is not None and e.sha256 != r.sha256:
            change = FileChange(rel, r.sha256, e.lfs_pointer.oid, r.size, e.lfs_pointer.size)
            (pointers if e.lfs_pointer.oid == r.sha256 else pointer_mismatches).append(change)
        elif e.sha256 != r.sha256 or (r.size is not None and r.size != e.size):
            changed.append(FileChange(rel, r.sha256, e.sha256, r.size, e.size))
        else:
            matched.append(rel)
    removed = tuple(sorted(p for p in listed.keys() - local.keys() if p not in _REPO_FILES))
    added = tuple(sorted(p for p in local.keys() - listed.keys() if p not in _REPO_FILES))
    return RegistryComparison(
        snapshot=snapshot,
        matched=tuple(matched),
        changed=tuple(changed),
        pointers=tuple(pointers),
        pointer_mismatches=tuple(pointer_mismatches),
        removed=removed,
        added=added,
        unverified=tuple(unverified),
    )
