-- Every change of a parameter's current value, and every toggle of an agent's is_active, is
-- written to algorithm_changelog by the database in the same transaction, whichever client
-- made it (this application, psql, a script). Who made it comes from transaction-local
-- settings that a client may set before its UPDATE:
--
--   SET LOCAL algoadmin.user_id = '42';        -- the application user (integer), else NULL
--   SET LOCAL algoadmin.reason = 'why';        -- else NULL
--   SET LOCAL algoadmin.change_set = 'uuid';   -- groups the rows of one apply, else NULL
--
-- and from the session: db_role = session_user, source = application_name (NULL if empty).

-- algoadmin.user_id as an integer: NULL when unset or empty, an error when it is not one.
CREATE OR REPLACE FUNCTION algoadmin_setting_user_id() RETURNS integer
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    setting text := nullif(btrim(current_setting('algoadmin.user_id', true)), '');
BEGIN
    IF setting IS NULL THEN
        RETURN NULL;
    END IF;
    IF setting ~ '^-?[0-9]{1,10}$' THEN
        IF setting::bigint BETWEEN -2147483648 AND 2147483647 THEN
            RETURN setting::integer;
        END IF;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = format('the setting algoadmin.user_id must be an integer user id, not "%s"',
                         setting),
        ERRCODE = 'invalid_parameter_value',
        HINT = 'Set it with SET LOCAL algoadmin.user_id = ''42'' before the change, or leave it unset.';
END
$$;

-- One changelog row for one change; the table is the trigger's own schema's.
CREATE OR REPLACE FUNCTION algoadmin_write_changelog(schema_name text, algorithm_id text,
                                                     parameter_name text, old_value text,
                                                     new_value text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    user_id integer;
BEGIN
    EXECUTE format('SELECT %I.algoadmin_setting_user_id()', schema_name) INTO user_id;
    EXECUTE format('INSERT INTO %I.algorithm_changelog (algorithm_id, user_id, parameter_name,'
                   ' old_value, new_value, reason, modified_at, db_role, source, change_set)'
                   ' VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8, $9)', schema_name)
        USING algorithm_id, user_id, parameter_name, old_value, new_value,
              nullif(current_setting('algoadmin.reason', true), ''),
              session_user::text,
              nullif(current_setting('application_name', true), ''),
              nullif(current_setting('algoadmin.change_set', true), '');
END
$$;

CREATE OR REPLACE FUNCTION algoadmin_audit_parameter() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('SELECT %I.algoadmin_write_changelog($1, $2, $3, $4, $5)', TG_TABLE_SCHEMA)
        USING TG_TABLE_SCHEMA::text, NEW.algorithm_id::text, NEW.parameter_name::text,
              OLD.current_value, NEW.current_value;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION algoadmin_audit_agent_active() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('SELECT %I.algoadmin_write_changelog($1, $2, $3, $4, $5)', TG_TABLE_SCHEMA)
        USING TG_TABLE_SCHEMA::text, NEW.algorithm_id::text, 'is_active'::text,
              OLD.is_active::text, NEW.is_active::text;
    RETURN NULL;
END
$$;

-- Column triggers with a WHEN clause: an UPDATE that does not name the column (such as the
-- cascade of a renamed algorithm_id) or that leaves its value as it was writes nothing.
DROP TRIGGER IF EXISTS algoadmin_audit_parameter ON algorithm_parameters;
CREATE TRIGGER algoadmin_audit_parameter
    AFTER UPDATE OF current_value ON algorithm_parameters
    FOR EACH ROW
    WHEN (OLD.current_value IS DISTINCT FROM NEW.current_value)
    EXECUTE FUNCTION algoadmin_audit_parameter();

DROP TRIGGER IF EXISTS algoadmin_audit_agent_active ON algorithm_agents;
CREATE TRIGGER algoadmin_audit_agent_active
    AFTER UPDATE OF is_active ON algorithm_agents
    FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION algoadmin_audit_agent_active();
