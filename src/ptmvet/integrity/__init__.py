"""Integrity of a model package: manifests, LFS pointers, registry hashes, signatures, commit signatures.

- :mod:`ptmvet.integrity.manifest` hashes every file (sha256, digests identical to
  ``model_signing``'s) into a deterministic JSON manifest and diffs two of them.
- :mod:`ptmvet.integrity.lfs` cross-checks local files against Git LFS pointers
  and the registry's ``siblings[].lfs.sha256`` (from the Hub or a metadata dump).
- :mod:`ptmvet.integrity.signing` signs and verifies through OpenSSF ``model_signing``.
- :mod:`ptmvet.enrich.integrity` hashes files and looks for signatures during a vetting run.
"""

from __future__ import annotations

from ptmvet.integrity.errors import FileChange, IntegrityMismatch, SignatureInvalid

__all__ = ["FileChange", "IntegrityMismatch", "SignatureInvalid"]
