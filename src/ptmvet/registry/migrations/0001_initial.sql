-- ptmvet registry store, schema version 1.
-- Every table is documented in docs/registry.md. Names are plain so that other
-- tools (licence resolver, notebooks) can query them directly.

-- One row per mining or audit run. An interrupted run keeps status 'running'
-- and is resumed (same run_id) by the next run over the same inputs.
CREATE TABLE IF NOT EXISTS runs (
    run_id       INTEGER PRIMARY KEY,
    kind         VARCHAR NOT NULL,        -- 'mine' | 'audit'
    source       VARCHAR NOT NULL,        -- inputs, e.g. 'dump:/path/a.jsonl.gz' or 'hub'
    params       VARCHAR NOT NULL,        -- JSON of the options that define the run
    status       VARCHAR NOT NULL,        -- 'running' | 'done'
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    tool_version VARCHAR NOT NULL,
    stats        VARCHAR                  -- JSON counters written when the run ends
);

-- Resume points: how many records of one input a run has committed.
CREATE TABLE IF NOT EXISTS cursors (
    run_id     INTEGER NOT NULL,
    input      VARCHAR NOT NULL,          -- resolved path of a dump, or 'hub:<params>'
    position   BIGINT NOT NULL,           -- records consumed (lines, members, models)
    last_key   VARCHAR,                   -- last model id committed (checked on resume)
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, input)
);

-- Malformed input, never fatal: where it was and why.
CREATE TABLE IF NOT EXISTS ingest_errors (
    run_id   INTEGER NOT NULL,
    input    VARCHAR NOT NULL,
    position VARCHAR NOT NULL,            -- 'file:line' or 'archive:member'
    message  VARCHAR NOT NULL
);

-- The current state of each model (one row per repository id).
CREATE TABLE IF NOT EXISTS models (
    model_id           VARCHAR PRIMARY KEY,   -- 'org/name' (or legacy 'name')
    author             VARCHAR,
    sha                VARCHAR,               -- head commit, when the source gives it
    last_modified      TIMESTAMP,
    created_at         TIMESTAMP,
    revision           VARCHAR NOT NULL,      -- key of the current row in revisions
    pipeline_tag       VARCHAR,
    library_name       VARCHAR,
    architecture       VARCHAR,               -- config.architectures[0]
    model_type         VARCHAR,               -- config.model_type
    downloads          BIGINT,
    downloads_all_time BIGINT,
    likes              BIGINT,
    private            BOOLEAN,
    gated              VARCHAR,               -- 'false', 'true', 'auto', 'manual'
    disabled           BOOLEAN,
    license            VARCHAR,               -- licence id as declared (tag or card data), not normalised
    has_model_index    BOOLEAN NOT NULL,      -- machine-readable performance claims in the registry record
    card_data          VARCHAR,               -- JSON of cardData when the source gives it
    used_storage       BIGINT,
    n_files            INTEGER,               -- siblings, NULL when the source lists none
    fingerprint        VARCHAR NOT NULL,      -- md5 of the non-volatile fields (change detection)
    source             VARCHAR NOT NULL,      -- position of the record it came from
    first_run          INTEGER NOT NULL,
    last_run           INTEGER NOT NULL,      -- last run that saw the model
    changed_run        INTEGER NOT NULL       -- last run that saw it change
);

-- History: one row per distinct revision of a model ever seen.
CREATE TABLE IF NOT EXISTS revisions (
    model_id      VARCHAR NOT NULL,
    revision      VARCHAR NOT NULL,           -- sha, else 'lm:<lastModified>', else 'fp:<fingerprint>'
    sha           VARCHAR,
    last_modified TIMESTAMP,
    fingerprint   VARCHAR NOT NULL,
    first_run     INTEGER NOT NULL,
    last_run      INTEGER NOT NULL
);

-- Children of the current revision (replaced when the model changes).
CREATE TABLE IF NOT EXISTS tags (
    model_id VARCHAR NOT NULL,
    tag      VARCHAR NOT NULL                 -- raw Hub tag, e.g. 'dataset:glue', 'license:mit'
);

CREATE TABLE IF NOT EXISTS files (
    model_id VARCHAR NOT NULL,
    path     VARCHAR NOT NULL,                -- siblings[].rfilename
    size     BIGINT,
    sha256   VARCHAR,                         -- siblings[].lfs.sha256
    blob_id  VARCHAR
);

CREATE TABLE IF NOT EXISTS licences (
    model_id VARCHAR NOT NULL,
    license  VARCHAR NOT NULL,                -- as declared, lower-cased
    source   VARCHAR NOT NULL                 -- 'tag' | 'card_data' | 'card'
);

CREATE TABLE IF NOT EXISTS lineage (
    model_id  VARCHAR NOT NULL,               -- the derived model
    parent_id VARCHAR NOT NULL,               -- its base model
    relation  VARCHAR NOT NULL,               -- 'base' | 'finetune' | 'adapter' | 'quantized' | 'merge'
    source    VARCHAR NOT NULL                -- 'tag' | 'card_data' | 'card'
);

-- Model cards (README.md), one per model, with what parse_card understood.
CREATE TABLE IF NOT EXISTS cards (
    model_id         VARCHAR PRIMARY KEY,
    card_sha256      VARCHAR NOT NULL,
    text             VARCHAR NOT NULL,
    empty            BOOLEAN NOT NULL,        -- only whitespace
    has_front_matter BOOLEAN NOT NULL,
    has_model_index  BOOLEAN NOT NULL,        -- model-index (or model_index) in the front matter
    body_words       INTEGER NOT NULL,
    n_sections       INTEGER NOT NULL,
    n_claims         INTEGER NOT NULL,
    n_errors         INTEGER NOT NULL,
    errors           VARCHAR,                 -- JSON list of parse problems
    source           VARCHAR NOT NULL,
    run_id           INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS card_sections (
    model_id  VARCHAR NOT NULL,
    canonical VARCHAR NOT NULL,               -- ptmvet.card.TEMPLATE_SECTIONS key
    words     INTEGER NOT NULL                -- words under all headings mapped to it
);

CREATE TABLE IF NOT EXISTS claims (
    model_id      VARCHAR NOT NULL,
    ordinal       INTEGER NOT NULL,
    task_type     VARCHAR,
    dataset       VARCHAR,
    dataset_split VARCHAR,
    metric        VARCHAR,
    value         DOUBLE,
    verified      BOOLEAN NOT NULL,
    source        VARCHAR NOT NULL            -- 'model-index'
);

-- Git history, where a source provides it (clones; not in Hub listings).
CREATE TABLE IF NOT EXISTS commits (
    model_id VARCHAR NOT NULL,
    sha      VARCHAR NOT NULL,
    date     VARCHAR,
    signed   BOOLEAN NOT NULL
);

-- Audit results: one row per finding, for the revision the audit saw.
CREATE TABLE IF NOT EXISTS check_results (
    run_id    INTEGER NOT NULL,
    model_id  VARCHAR NOT NULL,
    revision  VARCHAR NOT NULL,
    check_id  VARCHAR NOT NULL,
    ordinal   INTEGER NOT NULL,               -- position among the check's findings
    outcome   VARCHAR NOT NULL,               -- pass | fail | not-applicable | skipped | error
    severity  VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,
    message   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS scores (
    run_id    INTEGER NOT NULL,
    model_id  VARCHAR NOT NULL,
    revision  VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,
    score     DOUBLE                          -- 0..10, NULL when not assessable
);
