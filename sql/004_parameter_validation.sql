-- Parameter values are checked by the database itself, so that no client can store a value
-- that does not parse as its type or lies outside its bounds. app/parametervalidation.cpp
-- implements the same rules for editors and the command line, with the same messages:
--
--   types      integer (64-bit, ^-?[0-9]+$); float, number, decimal (^-?[0-9]+(\.[0-9]+)?$,
--              compared as exact decimals, never through float8); boolean (true/false, t/f,
--              yes/no, y/n, on/off, 1/0, any case); string (any text). Type names are matched
--              case-insensitively after trimming ASCII white space.
--   NULL       a NULL value is unset and accepted (the rule's own bounds must still be sound).
--   bounds     min_value/max_value (NULL or '' = none) apply to integer and float only; each
--              must parse as the type, and min <= max.
--   unknown    an unknown type rejects every non-NULL value.
--
-- Rows already in the table are not re-checked: the trigger applies to new writes only, and
-- an UPDATE checks only what it changes (a value it sets, or both values when it changes the
-- type or a bound), so that a legacy row with a bad default can still get a valid value.

-- NULL when `value` is acceptable, otherwise what is wrong with it (the part of the error
-- message after "algorithm …, parameter …: ").
CREATE OR REPLACE FUNCTION algoadmin_parameter_problem(value text, parameter_type text,
                                                       min_value text, max_value text)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- translate, not lower(): ASCII only, whatever the database's locale.
    kind text := translate(btrim(parameter_type, E' \t\n\r\f\x0B'),
                           'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
    lo text := nullif(min_value, '');
    hi text := nullif(max_value, '');
    noun text;
    pattern text;
    bound text;
    label text;
    allowed text;
BEGIN
    IF kind IN ('float', 'number', 'decimal') THEN
        kind := 'decimal';
    ELSIF kind IS NULL OR kind NOT IN ('integer', 'boolean', 'string') THEN
        IF value IS NULL THEN
            RETURN NULL;
        END IF;
        RETURN format('"%s" has the unknown type "%s" (expected integer, float, number, decimal, boolean or string)',
                      value, parameter_type);
    END IF;

    IF kind = 'string' THEN
        RETURN NULL;
    END IF;
    IF kind = 'boolean' THEN
        IF value IS NULL
           OR translate(value, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
              IN ('true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', 'on', 'off', '1', '0') THEN
            RETURN NULL;
        END IF;
        RETURN format('"%s" is not a boolean (use true/false, t/f, yes/no, y/n, on/off or 1/0)',
                      value);
    END IF;

    IF kind = 'integer' THEN
        noun := 'an integer';
        pattern := '^-?[0-9]+$';
    ELSE
        noun := 'a decimal number';
        pattern := '^-?[0-9]+(\.[0-9]+)?$';
    END IF;

    -- The bounds first: a rule that is itself broken accepts nothing.
    FOR i IN 1..2 LOOP
        bound := CASE i WHEN 1 THEN lo ELSE hi END;
        label := CASE i WHEN 1 THEN 'minimum' ELSE 'maximum' END;
        CONTINUE WHEN bound IS NULL;
        IF bound !~ pattern THEN
            RETURN format('the %s "%s" is not %s', label, bound, noun);
        END IF;
        IF kind = 'integer' THEN
            IF length(ltrim(ltrim(bound, '-'), '0')) > 19
               OR bound::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
                RETURN format('the %s %s is outside the 64-bit integer range', label, bound);
            END IF;
        END IF;
    END LOOP;
    IF lo IS NOT NULL AND hi IS NOT NULL THEN
        IF lo::numeric > hi::numeric THEN
            RETURN format('the minimum %s is above the maximum %s', lo, hi);
        END IF;
    END IF;
    allowed := CASE WHEN lo IS NOT NULL AND hi IS NOT NULL THEN format(' (allowed %s … %s)', lo, hi)
                    WHEN lo IS NOT NULL THEN format(' (allowed ≥ %s)', lo)
                    WHEN hi IS NOT NULL THEN format(' (allowed ≤ %s)', hi)
                    ELSE '' END;

    IF value IS NULL THEN
        RETURN NULL;
    END IF;
    IF value !~ pattern THEN
        RETURN format('"%s" is not %s%s', value, noun, allowed);
    END IF;
    IF kind = 'integer' THEN
        IF length(ltrim(ltrim(value, '-'), '0')) > 19
           OR value::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
            RETURN format('%s is outside the 64-bit integer range%s', value, allowed);
        END IF;
    END IF;
    -- numeric, never float8: 0.3 is not above a maximum of 0.3.
    IF lo IS NOT NULL THEN
        IF value::numeric < lo::numeric THEN
            RETURN format('%s is below the minimum %s%s', value, lo, allowed);
        END IF;
    END IF;
    IF hi IS NOT NULL THEN
        IF value::numeric > hi::numeric THEN
            RETURN format('%s is above the maximum %s%s', value, hi, allowed);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- The trigger: rejects the row with SQLSTATE 23514 (check_violation), naming the algorithm,
-- the parameter, the value and the bounds; DETAIL names the column.
CREATE OR REPLACE FUNCTION algoadmin_check_parameter() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    check_current boolean := true;
    check_default boolean := true;
    problem text;
    rejected text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.parameter_type IS NOT DISTINCT FROM OLD.parameter_type
           AND NEW.min_value IS NOT DISTINCT FROM OLD.min_value
           AND NEW.max_value IS NOT DISTINCT FROM OLD.max_value THEN
            check_current := NEW.current_value IS DISTINCT FROM OLD.current_value;
            check_default := NEW.default_value IS DISTINCT FROM OLD.default_value;
        END IF;
    END IF;
    -- The helper lives next to the table (a migration may be applied in any schema).
    IF check_current THEN
        EXECUTE format('SELECT %I.algoadmin_parameter_problem($1, $2, $3, $4)', TG_TABLE_SCHEMA)
            INTO problem USING NEW.current_value, NEW.parameter_type, NEW.min_value, NEW.max_value;
        rejected := 'current_value';
    END IF;
    IF problem IS NULL AND check_default THEN
        EXECUTE format('SELECT %I.algoadmin_parameter_problem($1, $2, $3, $4)', TG_TABLE_SCHEMA)
            INTO problem USING NEW.default_value, NEW.parameter_type, NEW.min_value, NEW.max_value;
        rejected := 'default_value';
    END IF;
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION USING
            MESSAGE = format('algorithm %s, parameter %s: %s',
                             NEW.algorithm_id, NEW.parameter_name, problem),
            ERRCODE = 'check_violation',
            DETAIL = format('Rejected %s of %s.%s; nothing was written.',
                            rejected, TG_TABLE_SCHEMA, TG_TABLE_NAME),
            SCHEMA = TG_TABLE_SCHEMA,
            TABLE = TG_TABLE_NAME,
            COLUMN = rejected;
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS algoadmin_check_parameter ON algorithm_parameters;
CREATE TRIGGER algoadmin_check_parameter
    BEFORE INSERT OR UPDATE OF current_value, default_value, min_value, max_value, parameter_type
    ON algorithm_parameters
    FOR EACH ROW EXECUTE FUNCTION algoadmin_check_parameter();
