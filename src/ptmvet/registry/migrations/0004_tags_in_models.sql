-- ptmvet registry store, schema version 4: a model's tags are a list column of its
-- `models` row; `tags` became a view with the same columns as before.
--
-- The tags of the current revision were a child table of (model_id, tag) rows: about
-- six per model, 4.8 million rows for a 760,000-model listing, written and compressed
-- a second time next to the model. They are now written with the model, in one
-- insert; the view unnests them for readers that want rows.

ALTER TABLE models ADD COLUMN tags VARCHAR[];               -- raw Hub tags of the current revision

UPDATE models SET tags = t.tags
FROM (SELECT model_id, list(tag ORDER BY tag) AS tags FROM tags GROUP BY model_id) t
WHERE t.model_id = models.model_id;
UPDATE models SET tags = [] WHERE tags IS NULL;

DROP TABLE tags;

-- (model_id, tag) rows: raw Hub tags ('dataset:glue', 'license:mit', 'base_model:...').
CREATE VIEW tags AS
SELECT model_id, tag FROM (SELECT model_id, unnest(tags) AS tag FROM models) WHERE tag IS NOT NULL;
