-- ptmvet registry store, schema version 10: snapshots. Each `mine` run that reads
-- model records (a dump with records, or a Hub listing) is a snapshot of the registry,
-- named by its run_id. The live tables hold the latest snapshot; when the next one
-- begins, the rows that belong to the previous one are copied into `snapshot_<table>`
-- (with the snapshot's run_id first) before anything changes, so that
-- `ptmvet study --snapshot` and `--trend` can study it again: the models that run saw
-- (models.last_run) and their files, and the cards, claims, card licences and bases,
-- and git history ingested with it or after it. Nothing is copied by a first ingest.
--
-- A migration that changes the columns of one of these tables changes its snapshot
-- table the same way.

CREATE TABLE snapshots (
    snapshot  INTEGER PRIMARY KEY,            -- runs.run_id of the mine run
    frozen_at TIMESTAMP NOT NULL,             -- when its rows were copied
    models    BIGINT NOT NULL                 -- models in it
);

CREATE TABLE snapshot_models AS SELECT 0::INTEGER AS snapshot, * FROM models LIMIT 0;
CREATE TABLE snapshot_files AS SELECT 0::INTEGER AS snapshot, * FROM files LIMIT 0;
CREATE TABLE snapshot_cards AS SELECT 0::INTEGER AS snapshot, * FROM cards LIMIT 0;
CREATE TABLE snapshot_card_sections AS SELECT 0::INTEGER AS snapshot, * FROM card_sections LIMIT 0;
CREATE TABLE snapshot_claims AS SELECT 0::INTEGER AS snapshot, * FROM claims LIMIT 0;
CREATE TABLE snapshot_licence_rows AS SELECT 0::INTEGER AS snapshot, * FROM licence_rows LIMIT 0;
CREATE TABLE snapshot_lineage_rows AS SELECT 0::INTEGER AS snapshot, * FROM lineage_rows LIMIT 0;
CREATE TABLE snapshot_git_repos AS SELECT 0::INTEGER AS snapshot, * FROM git_repos LIMIT 0;
CREATE TABLE snapshot_commits AS SELECT 0::INTEGER AS snapshot, * FROM commits LIMIT 0;
