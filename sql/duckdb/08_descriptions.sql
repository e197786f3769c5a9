-- Step "descriptions": what a table or view and each of its columns mean, from the domain's definitions
-- (domain/descriptions.ts; twin of sql/bigquery/08_descriptions.sql). Rendered once per object; the
-- main and quarantine views are described again after every merge, which replaces them.
COMMENT ON {{object_kind}} {{object}} IS {{object_description}};

{{column_descriptions}}
