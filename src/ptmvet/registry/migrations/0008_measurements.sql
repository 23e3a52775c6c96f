-- ptmvet registry store, schema version 8: claims re-measured on local data
-- (`ptmvet audit --reproduce`). One row per claim of a model revision per run; a
-- claim that could not be measured keeps its verdict 'not-verifiable' and the reason,
-- so the study's denominators count it instead of dropping it.

CREATE TABLE IF NOT EXISTS measurements (
    run_id          INTEGER NOT NULL,
    model_id        VARCHAR NOT NULL,
    revision        VARCHAR NOT NULL,          -- models.revision the claims came from
    snapshot        VARCHAR,                   -- the HF cache snapshot (commit) that was run
    ordinal         INTEGER NOT NULL,          -- claims.ordinal
    task            VARCHAR,
    dataset         VARCHAR,
    split           VARCHAR,
    metric          VARCHAR,                   -- canonical metric name
    claimed         DOUBLE,
    measured        DOUBLE,                    -- on the claim's scale
    ci_low          DOUBLE,
    ci_high         DOUBLE,
    n               INTEGER,
    verdict         VARCHAR NOT NULL,          -- consistent | overstated | understated | not-verifiable | label-map-suspect
    reason          VARCHAR,
    gap_points      DOUBLE,                    -- claimed minus measured, in points of a 0-100 scale, positive = claim better
    subset          BOOLEAN NOT NULL,          -- the data was a sample of the claimed split
    data_path       VARCHAR,
    data_sha256     VARCHAR,
    device          VARCHAR,
    rows_per_second DOUBLE,
    seconds         DOUBLE
);
