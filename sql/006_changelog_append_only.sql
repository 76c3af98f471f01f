-- The changelog is history: rows are added, never changed or removed, by any client. A
-- correction is a new row. (A superuser or the table's owner can still drop the trigger; this
-- guards against mistakes and against clients that are not meant to rewrite history.)
CREATE OR REPLACE FUNCTION algoadmin_reject_changelog_rewrite() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = format('%s.%s is append-only: %s is not allowed',
                         TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP),
        ERRCODE = 'insufficient_privilege',
        HINT = 'Record a correction as a new changelog row.';
END
$$;

-- Statement-level: refused even when no row would be touched.
DROP TRIGGER IF EXISTS algoadmin_changelog_append_only ON algorithm_changelog;
CREATE TRIGGER algoadmin_changelog_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON algorithm_changelog
    FOR EACH STATEMENT EXECUTE FUNCTION algoadmin_reject_changelog_rewrite();
