CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$
BEGIN
  RETURN 1; -- $$ not the end
END;
$fn$;
SELECT $$a;b$$, $x$ $$ $x$;
