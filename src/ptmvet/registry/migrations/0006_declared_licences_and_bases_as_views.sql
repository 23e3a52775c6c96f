-- ptmvet registry store, schema version 6: the licences and base models that a registry
-- record declares are read from its `models` row; `licences` and `lineage` became views
-- with the same columns as before.
--
-- Rows with source 'tag' (`license:` and `base_model:` tags) and 'card_data'
-- (cardData.license, cardData.base_model) are functions of models.tags and
-- models.card_data. They were written a second time next to each model (about 410,000
-- rows for the 760,000-model 2024 listing, all through the write-ahead log). They are
-- now computed when read; the rows that come from parsed model cards (source 'card')
-- stay in tables of their own.

CREATE TABLE licence_rows (
    model_id VARCHAR NOT NULL,
    license  VARCHAR NOT NULL,                -- as declared, lower-cased
    source   VARCHAR NOT NULL                 -- 'card'
);
INSERT INTO licence_rows SELECT model_id, license, source FROM licences WHERE source NOT IN ('tag', 'card_data');
DROP TABLE licences;

CREATE TABLE lineage_rows (
    model_id  VARCHAR NOT NULL,               -- the derived model
    parent_id VARCHAR NOT NULL,               -- its base model
    relation  VARCHAR NOT NULL,               -- 'base'
    source    VARCHAR NOT NULL                -- 'card'
);
INSERT INTO lineage_rows SELECT model_id, parent_id, relation, source FROM lineage WHERE source NOT IN ('tag', 'card_data');
DROP TABLE lineage;

-- (model_id, license, source): one row per distinct value a model declares in each place.
CREATE VIEW licences AS
SELECT model_id, license, source FROM (
    SELECT model_id, unnest(list_distinct([lower(t)[9:] FOR t IN tags IF starts_with(t, 'license:')])) AS license,
           'tag' AS source
    FROM models
    UNION ALL
    SELECT model_id, unnest(list_distinct([lower(x) FOR x IN
               CASE json_type(card_data, '$.license')
                   WHEN 'VARCHAR' THEN [card_data ->> '$.license']
                   WHEN 'ARRAY' THEN from_json(card_data -> '$.license', '["VARCHAR"]')
                   ELSE [] END])),
           'card_data'
    FROM models WHERE card_data IS NOT NULL
) WHERE license <> ''
UNION ALL
SELECT model_id, license, source FROM licence_rows;

-- (model_id, parent_id, relation, source): `model_id` derives from `parent_id`.
CREATE VIEW lineage AS
SELECT model_id, parent_id, relation, source FROM (
    SELECT model_id,
           CASE WHEN split_part(rest, ':', 1) IN ('finetune', 'adapter', 'quantized', 'merge')
                THEN substr(rest, strpos(rest, ':') + 1) ELSE rest END AS parent_id,
           CASE WHEN split_part(rest, ':', 1) IN ('finetune', 'adapter', 'quantized', 'merge')
                THEN split_part(rest, ':', 1) ELSE 'base' END AS relation,
           'tag' AS source
    FROM (SELECT model_id, unnest(list_distinct([t[12:] FOR t IN tags IF starts_with(t, 'base_model:')])) AS rest FROM models)
    UNION ALL
    SELECT model_id, unnest(list_distinct(
               CASE json_type(card_data, '$.base_model')
                   WHEN 'VARCHAR' THEN [card_data ->> '$.base_model']
                   WHEN 'ARRAY' THEN from_json(card_data -> '$.base_model', '["VARCHAR"]')
                   ELSE [] END)),
           'base', 'card_data'
    FROM models WHERE card_data IS NOT NULL
) WHERE parent_id <> ''
UNION ALL
SELECT model_id, parent_id, relation, source FROM lineage_rows;
