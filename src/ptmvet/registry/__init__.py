"""Mine a model registry into DuckDB, measure it, and audit every model.

- :mod:`ptmvet.registry.store` opens the database and applies migrations.
- :mod:`ptmvet.registry.ingest` streams dumps (listing pages, ``model_info`` JSONs, cards).
- :mod:`ptmvet.registry.hub` mines the live Hub listing.
- :mod:`ptmvet.registry.study` computes the study's tables.
- :mod:`ptmvet.registry.engines` runs the metadata-level checks over every model.
"""
