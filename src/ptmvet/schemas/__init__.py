"""JSON Schemas shipped with ptmvet (report, policy)."""
