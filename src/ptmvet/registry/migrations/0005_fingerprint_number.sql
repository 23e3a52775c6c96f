-- ptmvet registry store, schema version 5: the fingerprint is a number.
--
-- The fingerprint (change detection for records without sha or lastModified) was the
-- 32-digit md5 hex of the non-volatile fields: a unique string per model, the costliest
-- kind of column to compress. It is now md5_number_upper() of the same text: the first
-- eight bytes of the same md5, read as a little-endian UBIGINT. The value is a pure
-- function of the old one, so existing fingerprints are converted and a record that has
-- not changed still compares equal after the upgrade (no false "changed").
--
-- Revision keys of fingerprint-only records change spelling accordingly:
-- 'fp:' || printf('%016x', fingerprint), i.e. the same eight bytes in the other order
-- ('fp:900150983cd24fb0' becomes 'fp:b04fd23c98500190'). They are rewritten everywhere
-- a revision key is stored (models, revision_history, check_results, scores), so the
-- history and the audit results of a model stay attached to its revisions.

-- The tables are rebuilt (the write-ahead log replays an ALTER ... USING by its
-- expression, an INSERT by its rows), with the same columns in the same order.

CREATE TABLE models_v5 (
    model_id           VARCHAR NOT NULL,
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
    fingerprint        UBIGINT NOT NULL,      -- md5_number_upper of the non-volatile fields
    source             VARCHAR NOT NULL,
    first_run          INTEGER NOT NULL,
    last_run           INTEGER NOT NULL,
    changed_run        INTEGER NOT NULL,
    revision_first_run INTEGER,
    revision_last_run  INTEGER,
    tags               VARCHAR[]
);
INSERT INTO models_v5 SELECT
    model_id, author, sha, last_modified, created_at,
    CASE WHEN regexp_full_match(revision, 'fp:[0-9a-f]{16}')
        THEN 'fp:' || revision[18:19] || revision[16:17] || revision[14:15] || revision[12:13] || revision[10:11] || revision[8:9] || revision[6:7] || revision[4:5] ELSE revision END,
    pipeline_tag, library_name, architecture, model_type, downloads, downloads_all_time, likes, private, gated,
    disabled, license, has_model_index, card_data, used_storage, n_files,
    coalesce(CASE WHEN regexp_full_match(fingerprint[1:16], '[0-9a-f]{16}')
        THEN ('0x' || fingerprint[15:16] || fingerprint[13:14] || fingerprint[11:12] || fingerprint[9:10] || fingerprint[7:8] || fingerprint[5:6] || fingerprint[3:4] || fingerprint[1:2])::UBIGINT END,
        md5_number_upper(fingerprint)),
    source, first_run, last_run, changed_run, revision_first_run, revision_last_run, tags
FROM models;
DROP TABLE models;
ALTER TABLE models_v5 RENAME TO models;

CREATE TABLE revision_history_v5 (
    model_id      VARCHAR NOT NULL,
    revision      VARCHAR NOT NULL,           -- sha, else 'lm:<lastModified>', else 'fp:<fingerprint, 16 hex digits>'
    sha           VARCHAR,
    last_modified TIMESTAMP,
    fingerprint   UBIGINT NOT NULL,
    first_run     INTEGER NOT NULL,
    last_run      INTEGER NOT NULL
);
INSERT INTO revision_history_v5 SELECT
    model_id,
    CASE WHEN regexp_full_match(revision, 'fp:[0-9a-f]{16}')
        THEN 'fp:' || revision[18:19] || revision[16:17] || revision[14:15] || revision[12:13] || revision[10:11] || revision[8:9] || revision[6:7] || revision[4:5] ELSE revision END,
    sha, last_modified,
    coalesce(CASE WHEN regexp_full_match(fingerprint[1:16], '[0-9a-f]{16}')
        THEN ('0x' || fingerprint[15:16] || fingerprint[13:14] || fingerprint[11:12] || fingerprint[9:10] || fingerprint[7:8] || fingerprint[5:6] || fingerprint[3:4] || fingerprint[1:2])::UBIGINT END,
        md5_number_upper(fingerprint)),
    first_run, last_run
FROM revision_history;
DROP TABLE revision_history;
ALTER TABLE revision_history_v5 RENAME TO revision_history;

UPDATE check_results SET revision = 'fp:' || revision[18:19] || revision[16:17] || revision[14:15] || revision[12:13] || revision[10:11] || revision[8:9] || revision[6:7] || revision[4:5]
WHERE regexp_full_match(revision, 'fp:[0-9a-f]{16}');
UPDATE scores SET revision = 'fp:' || revision[18:19] || revision[16:17] || revision[14:15] || revision[12:13] || revision[10:11] || revision[8:9] || revision[6:7] || revision[4:5]
WHERE regexp_full_match(revision, 'fp:[0-9a-f]{16}');
