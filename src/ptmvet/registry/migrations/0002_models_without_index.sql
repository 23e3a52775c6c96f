-- ptmvet registry store, schema version 2: `models` without its PRIMARY KEY index.
--
-- Keeping an ART index on model_id up to date cost more than half of the time of
-- ingesting a large listing (760,000 models), and nothing queries it by index.
-- The ingest keeps model_id unique itself: one row per model within a batch (the
-- later line wins), change detection against the current rows across batches, and
-- every batch commits atomically with its cursor. DuckDB cannot drop a constraint,
-- so the table is rebuilt with the same columns in the same order.

CREATE TABLE models_v2 (
    model_id           VARCHAR NOT NULL,      -- 'org/name' (or legacy 'name'); unique, kept so by the ingest
    author             VARCHAR,
    sha                VARCHAR,
    last_modified      TIMESTAMP,
    created_at         TIMESTAMP,
    revision           VARCHAR NOT NULL,
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
    fingerprint        VARCHAR NOT NULL,
    source             VARCHAR NOT NULL,
    first_run          INTEGER NOT NULL,
    last_run           INTEGER NOT NULL,
    changed_run        INTEGER NOT NULL
);

INSERT INTO models_v2 SELECT * FROM models;
DROP TABLE models;
ALTER TABLE models_v2 RENAME TO models;
