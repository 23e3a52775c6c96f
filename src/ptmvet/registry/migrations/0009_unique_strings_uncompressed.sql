-- ptmvet registry store, schema version 9: the string columns that hold a distinct
-- value in (nearly) every row of `models` -- model_id, revision, author -- are stored
-- uncompressed.
--
-- DuckDB's only string compression (DICT_FSST) finds little to share in unique
-- strings, and compressing them was the largest single cost of a first ingest: on the
-- 760,000-model 2024 listing about 1.2 s of CPU of the models insert (model_id 0.8 s,
-- revision 0.3 s, author 0.2 s), for about 27 MB of file saved. The other string
-- columns (tags, licences, pipeline tags, positions) repeat and stay compressed. The
-- table is rebuilt with the same columns in the same order; only storage changes.

CREATE TABLE models_v9 (
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
    source             VARCHAR NOT NULL,
    first_run          INTEGER NOT NULL,
    last_run           INTEGER NOT NULL,
    changed_run        INTEGER NOT NULL,
    revision_first_run INTEGER,
    revision_last_run  INTEGER,
    tags               VARCHAR[]
);
INSERT INTO models_v9 SELECT * FROM models;
DROP TABLE models;
ALTER TABLE models_v9 RENAME TO models;
