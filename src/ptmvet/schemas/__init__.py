"""JSON Schemas shipped with ptmvet: ``<kind>.schema.json`` for every JSON output, and the policy.

One file per row of :data:`ptmvet.formats.KINDS` (report, compare, gate,
lineage, scan, reproduce, schema, verify, manifest, study, audit, mining,
git-mining, signing, catalogue, attest, verify-attestation, trail,
trail-verify), plus ``policy.schema.json`` for policy files. Each
output's ``schema_version`` is an integer that its schema pins with
``const``; docs/json.md lists every version and what changed.
"""
