-- ptmvet registry store, schema version 3: the current revision of each model lives
-- in its `models` row; `revision_history` keeps the others; `revisions` is a view
-- over both, with the same columns as before.
--
-- A first ingest no longer writes every model's id, revision key and fingerprint a
-- second time (a third of the write volume of a 760,000-model listing).

ALTER TABLE models ADD COLUMN revision_first_run INTEGER;   -- first run that saw the current revision
ALTER TABLE models ADD COLUMN revision_last_run INTEGER;    -- last run that saw the current revision

UPDATE models SET revision_first_run = r.first_run, revision_last_run = r.last_run
FROM revisions r WHERE r.model_id = models.model_id AND r.revision = models.revision;
UPDATE models SET revision_first_run = coalesce(revision_first_run, changed_run),
                  revision_last_run = coalesce(revision_last_run, last_run)
WHERE revision_first_run IS NULL OR revision_last_run IS NULL;

-- Revisions of a model other than its current one.
CREATE TABLE revision_history (
    model_id      VARCHAR NOT NULL,
    revision      VARCHAR NOT NULL,           -- sha, else 'lm:<lastModified>', else 'fp:<fingerprint>'
    sha           VARCHAR,
    last_modified TIMESTAMP,
    fingerprint   VARCHAR NOT NULL,
    first_run     INTEGER NOT NULL,
    last_run      INTEGER NOT NULL
);

INSERT INTO revision_history
SELECT r.* FROM revisions r
WHERE NOT EXISTS (SELECT 1 FROM models m WHERE m.model_id = r.model_id AND m.revision = r.revision);

DROP TABLE revisions;

-- History: every revision of every model ever seen (one row per model and revision).
CREATE VIEW revisions AS
SELECT model_id, revision, sha, last_modified, fingerprint, first_run, last_run FROM revision_history
UNION ALL
SELECT model_id, revision, sha, last_modified, fingerprint, revision_first_run, revision_last_run FROM models;
