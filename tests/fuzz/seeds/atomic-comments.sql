CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT a + 1;
  SELECT a;
END;
/* nested /* comment ; */ still */ SELECT 1;
SELECT "quoted;identifier" FROM "t""x";
