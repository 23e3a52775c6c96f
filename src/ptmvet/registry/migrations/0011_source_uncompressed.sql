-- ptmvet registry store, schema version 11: `models.source`, the position a model's
-- record was read from ('<file>:<line>', 'hub:<id>'), is stored uncompressed like the
-- other per-model unique strings (schema 9).
--
-- Compressing it (DICT_FSST) cost about 0.3 s of CPU of a first ingest of the
-- 760,000-model 2024 listing, a twentieth of the whole ingest, for about 25 MB of
-- file. The table is rebuilt with the same columns in the same order.

CREATE TABLE models_v11 (
    model_id           VARCHAR NOT NULL USING COMPRESSION uncompressed,
    author             VARCHAR USING COMPRESSION uncompressed,
    sha                VARCHAR,
    last_modified      TIMESTAMP,
    created_at         TIMESTAMP,
    revision           VARCHAR NOT NULL USING COMPRESSION uncompressed,
    pipeline_tag       VARCHAR,
    library_name       VARCHAR,
    architecture       VARCHAR,
    model_type         VARCHAR,
    downloads          BIGINT,
    downloads_all_time BIGINT,
    likes              BIGINT,
    private            BOOLEAN,
    gated              VARCHAR,
    disabled           BOOLEAN,
    license            VARCHAR,
    has_model_index    BOOLEAN NOT NULL,
    card_data          VARCHAR,
    used_storage       BIGINT,
    n_files            INTEGER,
    fingerprint        UBIGINT NOT NULL,
    source             VARCHAR NOT NULL USING COMPRESSION uncompressed,
    first_run          INTEGER NOT NULL,
    last_run           INTEGER NOT NULL,
    changed_run        INTEGER NOT NULL,
    revision_first_run INTEGER,
    revision_last_run  INTEGER,
    tags               VARCHAR[]
);
INSERT INTO models_v11 SELECT * FROM models;
DROP TABLE models;
ALTER TABLE models_v11 RENAME TO models;
