-- An agent's current_config (JSON, read by the services that run the algorithms) follows its
-- parameters in the same transaction: when a current value changes, the key named after the
-- parameter gets the typed value (a JSON number for integer and float, built from the text so
-- that the decimal stays exact; a JSON boolean; a string), or is removed when the value
-- becomes NULL; last_modified_by/last_modified_at say who and when.
CREATE OR REPLACE FUNCTION algoadmin_sync_config() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind text := translate(btrim(NEW.parameter_type, E' \t\n\r\f\x0B'),
                           'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
    lowered text := translate(NEW.current_value, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                              'abcdefghijklmnopqrstuvwxyz');
    typed jsonb;
    user_id integer;
BEGIN
    -- The value passed the check of 004, except for rows that kept an unknown type or broken
    -- bounds from before it: those fall back to a JSON string rather than fail here.
    IF NEW.current_value IS NULL THEN
        typed := NULL;
    ELSIF kind IN ('integer', 'float', 'number', 'decimal')
          AND NEW.current_value ~ '^-?[0-9]+(\.[0-9]+)?$' THEN
        typed := to_jsonb(NEW.current_value::numeric);
    ELSIF kind = 'boolean' AND lowered IN ('true', 't', 'yes', 'y', 'on', '1') THEN
        typed := 'true'::jsonb;
    ELSIF kind = 'boolean' AND lowered IN ('false', 'f', 'no', 'n', 'off', '0') THEN
        typed := 'false'::jsonb;
    ELSE
        typed := to_jsonb(NEW.current_value);
    END IF;
    EXECUTE format('SELECT %I.algoadmin_setting_user_id()', TG_TABLE_SCHEMA) INTO user_id;
    EXECUTE format('UPDATE %I.algorithm_agents'
                   ' SET current_config = CASE WHEN $3::jsonb IS NULL'
                   '         THEN coalesce(current_config, ''{}'') - $2'
                   '         ELSE coalesce(current_config, ''{}'') || jsonb_build_object($2, $3::jsonb) END,'
                   '     last_modified_by = $4,'
                   '     last_modified_at = now()'
                   ' WHERE algorithm_id = $1', TG_TABLE_SCHEMA)
        USING NEW.algorithm_id::text, NEW.parameter_name::text, typed, user_id;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS algoadmin_sync_config ON algorithm_parameters;
CREATE TRIGGER algoadmin_sync_config
    AFTER UPDATE OF current_value ON algorithm_parameters
    FOR EACH ROW
    WHEN (OLD.current_value IS DISTINCT FROM NEW.current_value)
    EXECUTE FUNCTION algoadmin_sync_config();
