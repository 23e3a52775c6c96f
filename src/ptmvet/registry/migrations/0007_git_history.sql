-- ptmvet registry store, schema version 7: git history mined from clones
-- (`ptmvet mine --from-git`), with each commit's signature as git reports it.
--
-- `commits` gains the signature kind, the key git names for it (%GK: what the
-- ICSE'23 study counted) and git's verification verdict (%G?) with the keys at hand
-- when it was mined. `git_repos` lists every repository read, so that a repository
-- without a single signed commit counts in the denominator and one that could not be
-- read is kept apart instead of being dropped.

ALTER TABLE commits ADD COLUMN signature_kind VARCHAR;  -- 'gpg' | 'ssh' | 'x509' | 'none'
ALTER TABLE commits ADD COLUMN signer_key VARCHAR;      -- %GK: key id or fingerprint, '' when unsigned
ALTER TABLE commits ADD COLUMN verification VARCHAR;    -- %G?: G U X Y R E B N (git's letters)
ALTER TABLE commits ADD COLUMN signer VARCHAR;          -- %GS: the signer git names, when it can
ALTER TABLE commits ADD COLUMN author_email VARCHAR;
ALTER TABLE commits ADD COLUMN run_id INTEGER;
UPDATE commits SET signature_kind = CASE WHEN signed THEN NULL ELSE 'none' END,
                   signer_key = CASE WHEN signed THEN NULL ELSE '' END;

CREATE TABLE IF NOT EXISTS git_repos (
    model_id   VARCHAR PRIMARY KEY,           -- 'org/name' (or 'name') from the folder layout
    path       VARCHAR NOT NULL,              -- where the repository was read
    bare       BOOLEAN,
    head       VARCHAR,                       -- the commit HEAD named when mined
    n_commits  INTEGER,                       -- commits reachable from all refs
    error      VARCHAR,                       -- why it could not be read (then no commits rows)
    run_id     INTEGER NOT NULL
);
