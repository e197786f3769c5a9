-- Step "descriptions": what a table or view and each of its columns mean, from the domain's definitions
-- (domain/descriptions.ts; twin of sql/duckdb/08_descriptions.sql), shown in the BigQuery console's
-- schema tab. Rendered once per object.
ALTER {{object_kind}} {{object}} SET OPTIONS (description = {{object_description}});

ALTER {{object_kind}} {{object}}
{{column_descriptions}};
