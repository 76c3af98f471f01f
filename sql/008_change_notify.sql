-- A change feed for open consoles: each audited change (a parameter's current value, an
-- agent's is_active) sends NOTIFY algoadmin_changes with a small JSON payload
--   {"algorithm_id": "A3", "parameter_name": "learning_rate", "change_set": "…" or null}
-- PostgreSQL delivers it when the transaction commits, and never if it rolls back; identical
-- payloads within one transaction are delivered once.
CREATE OR REPLACE FUNCTION algoadmin_notify_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parameter_name text;
BEGIN
    -- An argument names a fixed column (is_active); otherwise the row is a parameter's.
    IF TG_NARGS > 0 THEN
        parameter_name := TG_ARGV[0];
    ELSE
        parameter_name := NEW.parameter_name;
    END IF;
    PERFORM pg_notify('algoadmin_changes', json_build_object(
        'algorithm_id', NEW.algorithm_id,
        'parameter_name', parameter_name,
        'change_set', nullif(current_setting('algoadmin.change_set', true), ''))::text);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS algoadmin_notify_parameter ON algorithm_parameters;
CREATE TRIGGER algoadmin_notify_parameter
    AFTER UPDATE OF current_value ON algorithm_parameters
    FOR EACH ROW
    WHEN (OLD.current_value IS DISTINCT FROM NEW.current_value)
    EXECUTE FUNCTION algoadmin_notify_change();

DROP TRIGGER IF EXISTS algoadmin_notify_agent_active ON algorithm_agents;
CREATE TRIGGER algoadmin_notify_agent_active
    AFTER UPDATE OF is_active ON algorithm_agents
    FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION algoadmin_notify_change('is_active');
