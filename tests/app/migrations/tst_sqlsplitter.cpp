#include "migrations/sqlsplitter.h"

#include <QObject>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct SplitCase
{
    const char *name;
    QString sql;
    QStringList expected; // "line:text" per statement
};

// "line:text" so that a mismatch shows both numbers and texts side by side in QCOMPARE output.
QStringList render(const SqlSplitResult &result)
{
    QStringList rendered;
    for (const SqlStatement &statement : result.statements)
        rendered.append(QString::number(statement.line) + u':' + statement.text);
    return rendered;
}

// Shared by the expectation test and the exact-slice test, so every tricky input is also checked
// for mapping server positions back to the file.
QList<SplitCase> splitCases()
{
    return {
        // Boundaries, empties and line numbers
        {"empty input", u""_s, {}},
        {"whitespace only", u"  \n\t\n\f \r\n"_s, {}},
        {"comment-only file", u"-- just a comment\n/* block\n   comment */\n-- another"_s, {}},
        {"lone semicolons", u";;\n ; ;"_s, {}},
        {"semicolons and comments only", u"; -- x\n/* ; */ ;\n"_s, {}},
        {"single statement", u"SELECT 1;"_s, {u"1:SELECT 1"_s}},
        {"final statement without semicolon",
         u"SELECT 1;\nSELECT 2"_s,
         {u"1:SELECT 1"_s, u"2:SELECT 2"_s}},
        {"only statement without semicolon, trailing blank lines",
         u"\n\nSELECT 1\n\n\n"_s,
         {u"3:SELECT 1"_s}},
        {"statements sharing one line",
         u"SELECT 1; SELECT 2;SELECT 3"_s,
         {u"1:SELECT 1"_s, u"1:SELECT 2"_s, u"1:SELECT 3"_s}},
        {"statement spanning lines",
         u"\nCREATE TABLE t (\n    a int,\n    b text\n);\nSELECT 1;"_s,
         {u"2:CREATE TABLE t (\n    a int,\n    b text\n)"_s, u"6:SELECT 1"_s}},
        {"leading comments and blank lines are skipped",
         u"-- header\n\n/* block */\n   SELECT 1;"_s,
         {u"4:SELECT 1"_s}},
        {"block comment before the token on the same line",
         u"/* x */ SELECT 1;"_s,
         {u"1:SELECT 1"_s}},
        {"multi-line leading block comment", u"/* a\nb\n*/ SELECT 1;"_s, {u"3:SELECT 1"_s}},
        {"comments inside a statement are kept verbatim",
         u"SELECT 1 -- one\n  + /* two */ 2;"_s,
         {u"1:SELECT 1 -- one\n  + /* two */ 2"_s}},
        {"trailing comment before the semicolon stays in the statement",
         u"SELECT 1 -- c\n;"_s,
         {u"1:SELECT 1 -- c"_s}},
        {"comments after the last statement are dropped",
         u"SELECT 1; -- done\n/* end */\n"_s,
         {u"1:SELECT 1"_s}},
        {"line comment at end of input without newline", u"SELECT 1; -- bye"_s, {u"1:SELECT 1"_s}},
        {"trailing whitespace trimmed", u"SELECT 1   \n\t ;"_s, {u"1:SELECT 1"_s}},
        {"empty statements between real ones",
         u"SELECT 1;;\n;SELECT 2;"_s,
         {u"1:SELECT 1"_s, u"2:SELECT 2"_s}},
        {"non-ASCII identifiers and text",
         u"SELECT 'héllo;' AS ünïcode;\nSELECT 2;"_s,
         {u"1:SELECT 'héllo;' AS ünïcode"_s, u"2:SELECT 2"_s}},
        {"non-ASCII space is not trimmed (the server treats it as an identifier char)",
         u"SELECT 1\u00A0;"_s,
         {u"1:SELECT 1\u00A0"_s}},

        // Single-quoted strings
        {"semicolon in a string",
         u"SELECT 'a;b';SELECT 2;"_s,
         {u"1:SELECT 'a;b'"_s, u"1:SELECT 2"_s}},
        {"doubled quotes",
         u"SELECT 'it''s; fine'; SELECT 2"_s,
         {u"1:SELECT 'it''s; fine'"_s, u"1:SELECT 2"_s}},
        {"empty string and a lone doubled quote",
         u"SELECT '';SELECT '''';SELECT ''';''';"_s,
         {u"1:SELECT ''"_s, u"1:SELECT ''''"_s, u"1:SELECT ''';'''"_s}},
        {"backslash is not an escape in a plain string",
         u"SELECT 'C:\\';SELECT 2;"_s,
         {u"1:SELECT 'C:\\'"_s, u"1:SELECT 2"_s}},
        {"backslash-i inside a string is not a meta-command",
         u"SELECT '\n\\i x.sql\n';"_s,
         {u"1:SELECT '\n\\i x.sql\n'"_s}},
        {"multi-line string advances the line count",
         u"SELECT 'a\nb\n;c';\nSELECT 2;"_s,
         {u"1:SELECT 'a\nb\n;c'"_s, u"4:SELECT 2"_s}},
        {"comment markers inside strings",
         u"SELECT '--', '/*', $$/*$$;SELECT 2"_s,
         {u"1:SELECT '--', '/*', $$/*$$"_s, u"1:SELECT 2"_s}},
        {"double quote inside a string",
         u"SELECT '\";';SELECT 2"_s,
         {u"1:SELECT '\";'"_s, u"1:SELECT 2"_s}},
        {"N, B, X and U& strings are ordinary quoted strings",
         u"SELECT N'a;b', B'1;0', X'1;F', U&'d\\0061;t\\';SELECT 2"_s,
         {u"1:SELECT N'a;b', B'1;0', X'1;F', U&'d\\0061;t\\'"_s, u"1:SELECT 2"_s}},
        {"doubled quote inside a bit string",
         u"SELECT B'10''01;';SELECT 2"_s,
         {u"1:SELECT B'10''01;'"_s, u"1:SELECT 2"_s}},

        // standard_conforming_strings followed through the file as psql follows the server
        {"the issue's file: off, a string with \\' and ';', then reset",
         u"SET standard_conforming_strings = off;\nINSERT INTO t VALUES ('it\\'s; here');\n"
         u"RESET standard_conforming_strings;"_s,
         {u"1:SET standard_conforming_strings = off"_s,
          u"2:INSERT INTO t VALUES ('it\\'s; here')"_s, u"3:RESET standard_conforming_strings"_s}},
        {"on again after SET ... TO on, with a quoted value",
         u"SET standard_conforming_strings TO off;\nSELECT 'a\\'';\n"
         u"SET standard_conforming_strings = 'on';\nSELECT 'C:\\';"_s,
         {u"1:SET standard_conforming_strings TO off"_s, u"2:SELECT 'a\\''"_s,
          u"3:SET standard_conforming_strings = 'on'"_s, u"4:SELECT 'C:\\'"_s}},
        {"SET LOCAL and SET SESSION ... TO DEFAULT",
         u"SET LOCAL standard_conforming_strings = false;\nSELECT 'x\\';';\n"
         u"SET SESSION standard_conforming_strings TO DEFAULT;\nSELECT 'C:\\';"_s,
         {u"1:SET LOCAL standard_conforming_strings = false"_s, u"2:SELECT 'x\\';'"_s,
          u"3:SET SESSION standard_conforming_strings TO DEFAULT"_s, u"4:SELECT 'C:\\'"_s}},
        {"the new value applies from the next line, as psql reads it once per line",
         u"SET standard_conforming_strings = off; SELECT 'a\\';\nSELECT 'b\\'';\nRESET ALL;"_s,
         {u"1:SET standard_conforming_strings = off"_s, u"1:SELECT 'a\\'"_s, u"2:SELECT 'b\\''"_s,
          u"3:RESET ALL"_s}},
        {"boolean prefixes and numbers, upper case and a quoted name",
         u"set \"standard_conforming_strings\" = OF;\nSELECT 'a\\'';\n"
         u"SET STANDARD_CONFORMING_STRINGS TO 1;\nSELECT '\\';"_s,
         {u"1:set \"standard_conforming_strings\" = OF"_s, u"2:SELECT 'a\\''"_s,
          u"3:SET STANDARD_CONFORMING_STRINGS TO 1"_s, u"4:SELECT '\\'"_s}},
        {"B and X strings never escape, whatever the setting",
         u"SET standard_conforming_strings = off;\nSELECT B'1\\', X'f\\';\nDISCARD ALL;"_s,
         {u"1:SET standard_conforming_strings = off"_s, u"2:SELECT B'1\\', X'f\\'"_s,
          u"3:DISCARD ALL"_s}},
        {"an invalid value changes nothing (the server refuses the SET)",
         u"SET standard_conforming_strings = maybe;\nSELECT 'C:\\';"_s,
         {u"1:SET standard_conforming_strings = maybe"_s, u"2:SELECT 'C:\\'"_s}},
        {"a function's SET clause and SHOW leave the session's value alone",
         u"CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
         u"SET standard_conforming_strings = off AS 'SELECT 1';\n"
         u"SHOW standard_conforming_strings;\nSELECT 'C:\\';"_s,
         {u"1:CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
          u"SET standard_conforming_strings = off AS 'SELECT 1'"_s,
          u"3:SHOW standard_conforming_strings"_s, u"4:SELECT 'C:\\'"_s}},
        {"a string that only mentions it is data",
         u"INSERT INTO notes VALUES ('keep standard_conforming_strings on');"_s,
         {u"1:INSERT INTO notes VALUES ('keep standard_conforming_strings on')"_s}},
        {"a function body may mention it",
         u"CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n"
         u"  PERFORM set_config('standard_conforming_strings', 'on', true);\nEND $$;"_s,
         {u"1:CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n"
          u"  PERFORM set_config('standard_conforming_strings', 'on', true);\nEND $$"_s}},

        // pg_dump 17.6+ brackets its output with \\restrict KEY ... \\unrestrict KEY
        {"pg_dump's \\restrict and \\unrestrict lines are skipped",
         u"--\n-- PostgreSQL database dump\n--\n\n\\restrict AbC123xyz\n\n"
         u"SET client_encoding = 'UTF8';\nCREATE TABLE t (a int);\n\n"
         u"\\unrestrict AbC123xyz\n"_s,
         {u"7:SET client_encoding = 'UTF8'"_s, u"8:CREATE TABLE t (a int)"_s}},
        {"\\restrict in a CRLF file, after a statement on the same line",
         u"\\restrict k\r\nSELECT 1; \\unrestrict k\r\n"_s,
         {u"2:SELECT 1"_s}},

        // E'' escape strings
        {"E-string with backslash-escaped quote",
         u"SELECT E'a\\'; b';SELECT 2;"_s,
         {u"1:SELECT E'a\\'; b'"_s, u"1:SELECT 2"_s}},
        {"lower-case e-string",
         u"SELECT e'x\\';y';SELECT 2"_s,
         {u"1:SELECT e'x\\';y'"_s, u"1:SELECT 2"_s}},
        {"E-string ending in an escaped backslash",
         u"SELECT E'a\\\\';SELECT 2;"_s,
         {u"1:SELECT E'a\\\\'"_s, u"1:SELECT 2"_s}},
        {"E-string with doubled quote",
         u"SELECT E'it''s;';SELECT 2"_s,
         {u"1:SELECT E'it''s;'"_s, u"1:SELECT 2"_s}},
        {"E-string escaping a newline",
         u"SELECT E'a\\\n;';\nSELECT 2"_s,
         {u"1:SELECT E'a\\\n;'"_s, u"3:SELECT 2"_s}},
        {"E right after an operator starts an E-string",
         u"SELECT 1||E'\\';';SELECT 2"_s,
         {u"1:SELECT 1||E'\\';'"_s, u"1:SELECT 2"_s}},
        {"identifier ending in E is not an E-string",
         u"SELECT tablE'a\\';SELECT 2;"_s,
         {u"1:SELECT tablE'a\\'"_s, u"1:SELECT 2"_s}},
        {"identifier starting with e before a quote",
         u"SELECT expr'a\\';SELECT 2"_s,
         {u"1:SELECT expr'a\\'"_s, u"1:SELECT 2"_s}},
        {"identifier ending in e before a quote",
         u"SELECT some'x\\';SELECT 2"_s,
         {u"1:SELECT some'x\\'"_s, u"1:SELECT 2"_s}},
        {"E-string continued on the next line stays an E-string",
         u"SELECT E'a'\n'\\';';\nSELECT 2;"_s,
         {u"1:SELECT E'a'\n'\\';'"_s, u"3:SELECT 2"_s}},
        {"E-string continued after a comment line",
         u"SELECT E'a' -- c\n  -- d\n'\\';';SELECT 2;"_s,
         {u"1:SELECT E'a' -- c\n  -- d\n'\\';'"_s, u"3:SELECT 2"_s}},
        {"digits glued to e are not an E-string (PostgreSQL 16 lexes 1e as one token)",
         u"SELECT 1e'\\';SELECT 2"_s,
         {u"1:SELECT 1e'\\'"_s, u"1:SELECT 2"_s}},
        {"string after an E-string on the same line is a new plain string",
         u"SELECT E'a' '\\';SELECT 2;"_s,
         {u"1:SELECT E'a' '\\'"_s, u"1:SELECT 2"_s}},

        // Dollar quotes
        {"dollar-quoted body with semicolons",
         u"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT 2;"_s,
         {u"1:CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql"_s, u"2:SELECT 2"_s}},
        {"tagged dollar quote over several lines",
         u"CREATE FUNCTION f() RETURNS int AS $fn$\nBEGIN\n  RETURN 1;\nEND;\n$fn$ LANGUAGE "
         u"plpgsql;\nSELECT 2;"_s,
         {u"1:CREATE FUNCTION f() RETURNS int AS $fn$\nBEGIN\n  RETURN 1;\nEND;\n$fn$ LANGUAGE "
          u"plpgsql"_s,
          u"6:SELECT 2"_s}},
        {"nested different tags stay one body",
         u"DO $outer$ BEGIN EXECUTE $inner$ SELECT 1; $inner$; END $outer$;SELECT 2;"_s,
         {u"1:DO $outer$ BEGIN EXECUTE $inner$ SELECT 1; $inner$; END $outer$"_s, u"1:SELECT 2"_s}},
        {"tags are case-sensitive",
         u"SELECT $a$ $b$ ; $A$ ; $a$;SELECT 2"_s,
         {u"1:SELECT $a$ $b$ ; $A$ ; $a$"_s, u"1:SELECT 2"_s}},
        {"$$ inside a tagged body",
         u"SELECT $x$ $$ ; $$ $x$; SELECT 2"_s,
         {u"1:SELECT $x$ $$ ; $$ $x$"_s, u"1:SELECT 2"_s}},
        {"closing tag glued to other text",
         u"SELECT $d$ x$junk$d$; SELECT 2"_s,
         {u"1:SELECT $d$ x$junk$d$"_s, u"1:SELECT 2"_s}},
        {"quotes and comments inside a dollar body are plain text",
         u"SELECT $q$ ' \" /* -- ; $q$;SELECT 2"_s,
         {u"1:SELECT $q$ ' \" /* -- ; $q$"_s, u"1:SELECT 2"_s}},
        {"positional parameters are not dollar quotes",
         u"PREPARE p AS SELECT $1, $2 FROM t WHERE a = $3;SELECT $1;SELECT 4"_s,
         {u"1:PREPARE p AS SELECT $1, $2 FROM t WHERE a = $3"_s, u"1:SELECT $1"_s,
          u"1:SELECT 4"_s}},
        {"a digit cannot start a dollar-quote tag",
         u"SELECT $1$ ; SELECT $2$"_s,
         {u"1:SELECT $1$"_s, u"1:SELECT $2$"_s}},
        {"a dollar inside an identifier is part of it",
         u"SELECT a$b$ FROM t; SELECT $$;$$;"_s,
         {u"1:SELECT a$b$ FROM t"_s, u"1:SELECT $$;$$"_s}},
        {"identifier ending in $$",
         u"SELECT x$$ ; SELECT 2"_s,
         {u"1:SELECT x$$"_s, u"1:SELECT 2"_s}},
        {"lone dollar sign", u"SELECT $ ; SELECT 2"_s, {u"1:SELECT $"_s, u"1:SELECT 2"_s}},
        {"dollar followed by a word but no closing dollar",
         u"SELECT $abc ; SELECT 2"_s,
         {u"1:SELECT $abc"_s, u"1:SELECT 2"_s}},
        {"empty dollar body",
         u"SELECT $$$$;SELECT $t$$t$;"_s,
         {u"1:SELECT $$$$"_s, u"1:SELECT $t$$t$"_s}},
        {"plpgsql DO block: BEGIN/END inside the dollar quote do not count",
         u"DO $$\nBEGIN\n  PERFORM 1;\nEND\n$$;\nSELECT 2;"_s,
         {u"1:DO $$\nBEGIN\n  PERFORM 1;\nEND\n$$"_s, u"6:SELECT 2"_s}},
        {"DO with LANGUAGE and a tag",
         u"DO LANGUAGE plpgsql $body$ BEGIN NULL; END $body$;"_s,
         {u"1:DO LANGUAGE plpgsql $body$ BEGIN NULL; END $body$"_s}},
        {"CREATE FUNCTION with a plpgsql body",
         u"CREATE OR REPLACE FUNCTION f() RETURNS void AS $$ BEGIN NULL; END $$ LANGUAGE "
         u"plpgsql;\nSELECT 2"_s,
         {u"1:CREATE OR REPLACE FUNCTION f() RETURNS void AS $$ BEGIN NULL; END $$ LANGUAGE "
          u"plpgsql"_s,
          u"2:SELECT 2"_s}},

        // Double-quoted identifiers
        {"semicolon in a quoted identifier",
         u"CREATE TABLE \"weird;name\" (a int);SELECT 2"_s,
         {u"1:CREATE TABLE \"weird;name\" (a int)"_s, u"1:SELECT 2"_s}},
        {"doubled double quotes",
         u"SELECT 1 AS \"a\"\";b\";SELECT 2"_s,
         {u"1:SELECT 1 AS \"a\"\";b\""_s, u"1:SELECT 2"_s}},
        {"single quote inside a quoted identifier",
         u"SELECT 1 AS \"it's\";SELECT 2"_s,
         {u"1:SELECT 1 AS \"it's\""_s, u"1:SELECT 2"_s}},
        {"U& quoted identifier",
         u"SELECT 1 AS U&\"a;b\";SELECT 2"_s,
         {u"1:SELECT 1 AS U&\"a;b\""_s, u"1:SELECT 2"_s}},
        {"comment markers in a quoted identifier",
         u"SELECT 1 AS \"--/*\";SELECT 2"_s,
         {u"1:SELECT 1 AS \"--/*\""_s, u"1:SELECT 2"_s}},

        // Comments
        {"semicolon in a line comment",
         u"SELECT 1 -- not; the end\n, 2;SELECT 3"_s,
         {u"1:SELECT 1 -- not; the end\n, 2"_s, u"2:SELECT 3"_s}},
        {"semicolon in a block comment",
         u"SELECT 1 /* ; */ + 2;SELECT 3"_s,
         {u"1:SELECT 1 /* ; */ + 2"_s, u"1:SELECT 3"_s}},
        {"nested block comments",
         u"SELECT /* a /* b */ still comment; */ 1;SELECT 2"_s,
         {u"1:SELECT /* a /* b */ still comment; */ 1"_s, u"1:SELECT 2"_s}},
        {"stars before the closing slash",
         u"SELECT 1 /* ** / ; **/;SELECT 2"_s,
         {u"1:SELECT 1 /* ** / ; **/"_s, u"1:SELECT 2"_s}},
        {"slash-star-slash opens without closing",
         u"SELECT /*/ ; */ 1;SELECT 2"_s,
         {u"1:SELECT /*/ ; */ 1"_s, u"1:SELECT 2"_s}},
        {"quotes inside comments",
         u"SELECT 1 /* it's */;SELECT 2 -- don't\n;"_s,
         {u"1:SELECT 1 /* it's */"_s, u"1:SELECT 2 -- don't"_s}},
        {"a lone CR ends a line comment, as in psql",
         u"SELECT 1 -- c\rSELECT 2; SELECT 3"_s,
         {u"1:SELECT 1 -- c\rSELECT 2"_s, u"1:SELECT 3"_s}},
        {"dollar quote inside a comment",
         u"-- $$ not a body\nSELECT 1; /* $x$ */ SELECT 2;"_s,
         {u"2:SELECT 1"_s, u"2:SELECT 2"_s}},
        {"comment glued to an operator",
         u"SELECT 2+--c;\n3;SELECT 4"_s,
         {u"1:SELECT 2+--c;\n3"_s, u"2:SELECT 4"_s}},
        {"backslash inside comments is not a meta-command",
         u"-- \\i x\n/* \\set */ SELECT 1;"_s,
         {u"2:SELECT 1"_s}},

        // BEGIN ATOMIC bodies
        {"BEGIN ATOMIC function",
         u"CREATE FUNCTION add(a int, b int) RETURNS int\nLANGUAGE sql\nBEGIN ATOMIC\n  SELECT a "
         u"+ b;\nEND;\nSELECT 2;"_s,
         {u"1:CREATE FUNCTION add(a int, b int) RETURNS int\nLANGUAGE sql\nBEGIN ATOMIC\n  "
          u"SELECT a + b;\nEND"_s,
          u"6:SELECT 2"_s}},
        {"lower-case OR REPLACE PROCEDURE",
         u"create or replace procedure p()\nbegin atomic\n  insert into t values (1);\n  insert "
         u"into t values (2);\nend;\ncall p();"_s,
         {u"1:create or replace procedure p()\nbegin atomic\n  insert into t values (1);\n  "
          u"insert into t values (2);\nend"_s,
          u"6:call p()"_s}},
        {"CASE ... END inside BEGIN ATOMIC",
         u"CREATE FUNCTION sign_of(x int) RETURNS text\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 "
         u"THEN 'pos' ELSE 'neg' END;\n  SELECT 'done';\nEND;\nSELECT 3;"_s,
         {u"1:CREATE FUNCTION sign_of(x int) RETURNS text\nBEGIN ATOMIC\n  SELECT CASE WHEN x > "
          u"0 THEN 'pos' ELSE 'neg' END;\n  SELECT 'done';\nEND"_s,
          u"6:SELECT 3"_s}},
        {"CASE inside parentheses within BEGIN ATOMIC",
         u"CREATE PROCEDURE p(x int) BEGIN ATOMIC SELECT (CASE WHEN x THEN 1 END); SELECT 2; "
         u"END;SELECT 3"_s,
         {u"1:CREATE PROCEDURE p(x int) BEGIN ATOMIC SELECT (CASE WHEN x THEN 1 END); SELECT 2; "
          u"END"_s,
          u"1:SELECT 3"_s}},
        {"CASE outside a BEGIN block does not count",
         u"CREATE FUNCTION f(x int) RETURNS int RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END;\n"
         u"SELECT 2;"_s,
         {u"1:CREATE FUNCTION f(x int) RETURNS int RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END"_s,
          u"2:SELECT 2"_s}},
        {"transaction BEGIN/END outside CREATE FUNCTION",
         u"BEGIN;\nSELECT 1;\nEND;"_s,
         {u"1:BEGIN"_s, u"2:SELECT 1"_s, u"3:END"_s}},
        {"BEGIN as a word in a non-routine statement",
         u"CREATE TABLE t (begin int);\nSELECT begin FROM t;"_s,
         {u"1:CREATE TABLE t (begin int)"_s, u"2:SELECT begin FROM t"_s}},
        {"quoted \"begin\" identifier does not count",
         u"CREATE FUNCTION \"begin\"() RETURNS int LANGUAGE sql RETURN 1;SELECT 2;"_s,
         {u"1:CREATE FUNCTION \"begin\"() RETURNS int LANGUAGE sql RETURN 1"_s, u"1:SELECT 2"_s}},
        {"'begin' in a string does not count",
         u"CREATE FUNCTION f() RETURNS text LANGUAGE sql RETURN 'begin';SELECT 2"_s,
         {u"1:CREATE FUNCTION f() RETURNS text LANGUAGE sql RETURN 'begin'"_s, u"1:SELECT 2"_s}},
        {"words containing BEGIN do not count",
         u"CREATE FUNCTION beginning() RETURNS int LANGUAGE sql RETURN 1;SELECT 2"_s,
         {u"1:CREATE FUNCTION beginning() RETURNS int LANGUAGE sql RETURN 1"_s, u"1:SELECT 2"_s}},
        {"BEGIN in a comment does not count",
         u"CREATE FUNCTION f() RETURNS int LANGUAGE sql /* begin */ -- begin\nRETURN 1; SELECT 2"_s,
         {u"1:CREATE FUNCTION f() RETURNS int LANGUAGE sql /* begin */ -- begin\nRETURN 1"_s,
          u"2:SELECT 2"_s}},
        {"CREATE TRIGGER ... EXECUTE FUNCTION is not a routine definition",
         u"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION begin();SELECT 2"_s,
         {u"1:CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION begin()"_s,
          u"1:SELECT 2"_s}},
        {"unclosed BEGIN ATOMIC runs to the end of the file like in psql",
         u"CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1;\n"_s,
         {u"1:CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1;"_s}},
        {"depth resets for the next statement",
         u"CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END;\nCREATE FUNCTION g() "
         u"RETURNS int BEGIN ATOMIC SELECT 2; END;\nSELECT 3;"_s,
         {u"1:CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END"_s,
          u"2:CREATE FUNCTION g() RETURNS int BEGIN ATOMIC SELECT 2; END"_s, u"3:SELECT 3"_s}},

        // Parentheses (psql does not end a statement inside them either)
        {"semicolon inside parentheses",
         u"SELECT (1;2);SELECT 3"_s,
         {u"1:SELECT (1;2)"_s, u"1:SELECT 3"_s}},
        {"stray closing parenthesis is ignored",
         u"SELECT 1);SELECT 2"_s,
         {u"1:SELECT 1)"_s, u"1:SELECT 2"_s}},

        // CRLF
        {"CRLF line endings",
         u"-- c\r\nSELECT 1;\r\nSELECT\r\n  2\r\n;\r\n\r\nSELECT 3\r\n"_s,
         {u"2:SELECT 1"_s, u"3:SELECT\r\n  2"_s, u"7:SELECT 3"_s}},
        {"CRLF with a line comment before the semicolon",
         u"SELECT 1 -- c\r\n;\r\nSELECT 2\r\n"_s,
         {u"1:SELECT 1 -- c"_s, u"3:SELECT 2"_s}},
        {"CRLF inside a dollar body",
         u"DO $$\r\nBEGIN\r\nEND\r\n$$;\r\nSELECT 1;"_s,
         {u"1:DO $$\r\nBEGIN\r\nEND\r\n$$"_s, u"5:SELECT 1"_s}},
    };
}

struct ErrorCase
{
    const char *name;
    QString sql;
    QString error;
    int line;
};

QString metaCommandError(const QString &name)
{
    return u"psql meta-command %1 is not supported: algoadmin runs SQL only; remove the line or "
           u"run the file with psql"_s.arg(name);
}

QList<ErrorCase> errorCases()
{
    const QString cannotFollow =
        u"this statement changes standard_conforming_strings in a way algoadmin cannot follow "
        u"(the setting decides whether a backslash escapes in '...' strings); change it only "
        u"with SET standard_conforming_strings = on|off or RESET standard_conforming_strings, "
        u"each a statement of its own"_s;
    const QString leftOff =
        u"SET standard_conforming_strings = off is still in effect at the end of the file, "
        u"where the migrations after it would run with it; add RESET "
        u"standard_conforming_strings; at the end of the file"_s;
    const QString unterminatedString = u"unterminated quoted string"_s;
    return {
        {"unterminated single quote", u"SELECT 1;\nSELECT 'abc;\n\n"_s, unterminatedString, 2},
        {"unterminated single quote after a multi-line statement", u"SELECT 1,\n2,\n'open"_s,
         unterminatedString, 3},
        {"doubled quote at the end leaves the string open", u"SELECT 'it''"_s, unterminatedString,
         1},
        {"quote opened in a comment-like string", u"-- 'not a string\nSELECT 'x"_s,
         unterminatedString, 2},
        {"unterminated B string", u"SELECT B'101"_s, unterminatedString, 1},
        {"unterminated U& string", u"SELECT\nU&'abc"_s, unterminatedString, 2},
        {"unterminated E-string", u"SELECT E'abc\\';\nSELECT 2;"_s, u"unterminated E'...' string"_s,
         1},
        {"E-string with a backslash at end of input", u"SELECT 1;\n\nSELECT e'abc\\"_s,
         u"unterminated E'...' string"_s, 3},
        {"E-string continuation left open", u"SELECT E'a'\n'b"_s, u"unterminated E'...' string"_s,
         1},
        {"unterminated tagged dollar quote",
         u"SELECT 1;\n\nCREATE FUNCTION f() AS $fn$\nBEGIN\n  -- $fn is not a close\nEND $f$;"_s,
         u"unterminated dollar-quoted string $fn$"_s, 3},
        {"unterminated $$", u"DO $$ BEGIN\nEND"_s, u"unterminated dollar-quoted string $$"_s, 1},
        {"dollar close tag differs in case", u"\nSELECT $Tag$ x $tag$"_s,
         u"unterminated dollar-quoted string $Tag$"_s, 2},
        {"unterminated quoted identifier", u"SELECT 1;\nSELECT \"abc;\n"_s,
         u"unterminated quoted identifier"_s, 2},
        {"unterminated U& quoted identifier", u"SELECT U&\"x"_s,
         u"unterminated quoted identifier"_s, 1},
        {"unterminated block comment", u"SELECT 1;\n/* comment\n;"_s, u"unterminated /* comment"_s,
         2},
        {"nested block comment left open", u"SELECT 1;\n/* outer /* inner */ still open\n;"_s,
         u"unterminated /* comment"_s, 2},
        {"block comment opened inside a statement", u"SELECT 1\n,\n2 /* x"_s,
         u"unterminated /* comment"_s, 3},
        {"CRLF error line", u"SELECT 1;\r\n\r\nSELECT 'x;\r\n"_s, unterminatedString, 3},
        {"\\i meta-command", u"SELECT 1;\n\\i other.sql\nSELECT 2;"_s, metaCommandError(u"\\i"_s),
         2},
        {"indented \\set", u"  \\set x 1\n"_s, metaCommandError(u"\\set"_s), 1},
        {"meta-command after comments", u"-- c\n/* d */\n\\connect db"_s,
         metaCommandError(u"\\connect"_s), 3},
        {"meta-command at end of a statement in progress", u"SELECT 1\n\\gset\n"_s,
         metaCommandError(u"\\gset"_s), 2},
        {"meta-command after a statement on the same line", u"SELECT 1; \\echo hi"_s,
         metaCommandError(u"\\echo"_s), 1},
        {"psql's \\; escape", u"SELECT 1 \\; SELECT 2;"_s, metaCommandError(u"\\;"_s), 1},
        {"psql's \\; escape glued to the next word", u"SELECT 1 \\;SELECT 2;"_s,
         metaCommandError(u"\\;"_s), 1},
        {"meta-command in a CRLF file", u"SELECT 1;\r\n\\ir x.sql\r\n"_s,
         metaCommandError(u"\\ir"_s), 2},
        {"pg_dump's \\restrict inside a statement", u"SELECT 1\n\\restrict k\n;"_s,
         metaCommandError(u"\\restrict"_s), 2},

        // standard_conforming_strings (issue 12)
        {"the issue's file, with the setting left off at its end",
         u"SET standard_conforming_strings = off;\nINSERT INTO t VALUES ('it\\'s; here');\n"_s,
         leftOff, 1},
        {"left off by the last of several changes",
         u"SET standard_conforming_strings = off;\nRESET standard_conforming_strings;\n"
         u"SELECT 1;\nSET LOCAL standard_conforming_strings TO false;\nSELECT 'a\\'b';"_s,
         leftOff, 4},
        {"set_config cannot be followed",
         u"SELECT 1;\nSELECT set_config('standard_conforming_strings', 'off', false);"_s,
         cannotFollow, 2},
        {"a DO body that sets it cannot be followed",
         u"DO $$ BEGIN\n  SET standard_conforming_strings = off;\nEND $$;"_s, cannotFollow, 1},
        {"a value that is not a plain word or string",
         u"SET standard_conforming_strings = E'off';"_s, cannotFollow, 1},
        {"SET with something after the value", u"SET standard_conforming_strings = off, on;"_s,
         cannotFollow, 1},
        {"a plain string left open because the setting is off",
         u"SET standard_conforming_strings = off;\nSELECT 'C:\\';\nRESET ALL;"_s,
         u"unterminated quoted string (read with standard_conforming_strings off, where a "
         u"backslash escapes the next character)"_s,
         2},
    };
}

struct SummaryCase
{
    const char *name;
    QString statement;
    QString summary;
};

QList<SummaryCase> summaryCases()
{
    return {
        {"create table", u"CREATE TABLE algorithm_agents (id int)"_s,
         u"CREATE TABLE algorithm_agents"_s},
        {"create table if not exists, lower case, qualified",
         u"create table if not exists public.agents (id int)"_s, u"CREATE TABLE public.agents"_s},
        {"create unlogged table", u"CREATE UNLOGGED TABLE t (a int)"_s, u"CREATE TABLE t"_s},
        {"create temp table", u"CREATE TEMP TABLE t (a int)"_s, u"CREATE TABLE t"_s},
        {"create global temporary table", u"CREATE GLOBAL TEMPORARY TABLE t (a int)"_s,
         u"CREATE TABLE t"_s},
        {"quoted qualified name kept as written", u"CREATE TABLE \"Weird Name\".\"T\" (a int)"_s,
         u"CREATE TABLE \"Weird Name\".\"T\""_s},
        {"U& quoted identifier as the name", u"CREATE TABLE U&\"d\\0061ta\" (x int)"_s,
         u"CREATE TABLE U&\"d\\0061ta\""_s},
        {"table named like a kind word", u"CREATE TABLE data (x int)"_s, u"CREATE TABLE data"_s},
        {"create unique index", u"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_u ON t (a)"_s,
         u"CREATE UNIQUE INDEX idx_u"_s},
        {"create index", u"CREATE INDEX idx_agents_active ON algorithm_agents (active)"_s,
         u"CREATE INDEX idx_agents_active"_s},
        {"create index without a name", u"CREATE INDEX ON t (a)"_s, u"CREATE INDEX ON t"_s},
        {"create index concurrently without a name on only",
         u"CREATE INDEX CONCURRENTLY ON ONLY s.t (a)"_s, u"CREATE INDEX ON s.t"_s},
        {"alter table", u"ALTER TABLE algorithm_agents ADD COLUMN x int"_s,
         u"ALTER TABLE algorithm_agents"_s},
        {"alter table if exists only", u"ALTER TABLE IF EXISTS ONLY t DROP COLUMN x"_s,
         u"ALTER TABLE t"_s},
        {"alter sequence", u"ALTER SEQUENCE s RESTART"_s, u"ALTER SEQUENCE s"_s},
        {"alter default privileges",
         u"ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT SELECT ON "
         u"TABLES TO r"_s,
         u"ALTER DEFAULT PRIVILEGES"_s},
        {"drop table", u"DROP TABLE IF EXISTS a, b CASCADE"_s, u"DROP TABLE a"_s},
        {"drop index concurrently", u"DROP INDEX CONCURRENTLY IF EXISTS idx"_s,
         u"DROP INDEX idx"_s},
        {"drop function", u"DROP FUNCTION IF EXISTS f(int)"_s, u"DROP FUNCTION f"_s},
        {"create or replace function",
         u"CREATE OR REPLACE FUNCTION public.f(a int) RETURNS int "
         u"AS $$ SELECT a $$ LANGUAGE sql"_s,
         u"CREATE FUNCTION public.f"_s},
        {"create procedure", u"CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; END"_s,
         u"CREATE PROCEDURE p"_s},
        {"create trigger",
         u"CREATE TRIGGER trg_x BEFORE UPDATE ON t FOR EACH ROW EXECUTE "
         u"FUNCTION f()"_s,
         u"CREATE TRIGGER trg_x"_s},
        {"create or replace constraint trigger",
         u"CREATE OR REPLACE CONSTRAINT TRIGGER c AFTER INSERT ON t"_s,
         u"CREATE CONSTRAINT TRIGGER c"_s},
        {"create or replace view", u"CREATE OR REPLACE VIEW v AS SELECT 1"_s, u"CREATE VIEW v"_s},
        {"create or replace temp view", u"CREATE OR REPLACE TEMP VIEW v AS SELECT 1"_s,
         u"CREATE VIEW v"_s},
        {"create materialized view", u"CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1"_s,
         u"CREATE MATERIALIZED VIEW mv"_s},
        {"create schema", u"CREATE SCHEMA IF NOT EXISTS algo"_s, u"CREATE SCHEMA algo"_s},
        {"create extension", u"CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public"_s,
         u"CREATE EXTENSION pgcrypto"_s},
        {"create extension with a quoted name", u"CREATE EXTENSION \"uuid-ossp\""_s,
         u"CREATE EXTENSION \"uuid-ossp\""_s},
        {"create type", u"CREATE TYPE mood AS ENUM ('sad', 'ok')"_s, u"CREATE TYPE mood"_s},
        {"create sequence", u"CREATE SEQUENCE IF NOT EXISTS s START 1"_s, u"CREATE SEQUENCE s"_s},
        {"create temp sequence", u"CREATE TEMP SEQUENCE s"_s, u"CREATE SEQUENCE s"_s},
        {"create user mapping has no name", u"CREATE USER MAPPING FOR bob SERVER s"_s,
         u"CREATE USER MAPPING"_s},
        {"create cast has no name", u"CREATE CAST (int AS text) WITH INOUT"_s, u"CREATE CAST"_s},
        {"unknown create kind", u"CREATE FOO bar"_s, u"CREATE FOO"_s},
        {"insert into", u"INSERT INTO t (a) VALUES (1)"_s, u"INSERT INTO t"_s},
        {"insert into, lower case and qualified", u"insert into public.t values (1)"_s,
         u"INSERT INTO public.t"_s},
        {"update", u"UPDATE t SET a = 1"_s, u"UPDATE t"_s},
        {"update only", u"UPDATE ONLY t SET a = 1"_s, u"UPDATE t"_s},
        {"delete from", u"DELETE FROM t WHERE a = 1"_s, u"DELETE FROM t"_s},
        {"truncate", u"TRUNCATE TABLE ONLY t"_s, u"TRUNCATE TABLE t"_s},
        {"truncate without TABLE", u"TRUNCATE t CASCADE"_s, u"TRUNCATE t"_s},
        {"comment on column", u"COMMENT ON COLUMN t.c IS 'x'"_s, u"COMMENT ON COLUMN t.c"_s},
        {"comment on table", u"COMMENT ON TABLE public.t IS 'x'"_s, u"COMMENT ON TABLE public.t"_s},
        {"grant", u"GRANT SELECT ON t TO r"_s, u"GRANT"_s},
        {"revoke", u"REVOKE ALL ON t FROM r"_s, u"REVOKE"_s},
        {"select", u"SELECT 1"_s, u"SELECT"_s},
        {"lower-case select", u"select * from t"_s, u"SELECT"_s},
        {"do", u"DO $$ BEGIN PERFORM 1; END $$"_s, u"DO"_s},
        {"do with language", u"do language plpgsql $$ BEGIN END $$"_s, u"DO"_s},
        {"with", u"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x"_s, u"WITH"_s},
        {"refresh materialized view", u"REFRESH MATERIALIZED VIEW CONCURRENTLY mv"_s,
         u"REFRESH MATERIALIZED VIEW mv"_s},
        {"call", u"CALL p(1)"_s, u"CALL p"_s},
        {"leading comments are skipped", u"-- note\n/* c */ CREATE TABLE t (a int)"_s,
         u"CREATE TABLE t"_s},
        {"whitespace is collapsed", u"CREATE\n\tTABLE\r\n   t\n(a int)"_s, u"CREATE TABLE t"_s},
        {"comments between words", u"CREATE /* x */ TABLE -- y\n t (a int)"_s, u"CREATE TABLE t"_s},
        {"spaces around the qualifying dot", u"CREATE TABLE public . t ()"_s,
         u"CREATE TABLE public.t"_s},
        {"unknown statement: first two words", u"VACUUM analyze t"_s, u"VACUUM ANALYZE"_s},
        {"set", u"SET search_path TO public"_s, u"SET SEARCH_PATH"_s},
        {"single-word statement", u"begin"_s, u"BEGIN"_s},
        {"statement starting with a parenthesis", u"(SELECT 1)\n  UNION (SELECT 2)"_s,
         u"(SELECT 1) UNION (SELECT 2)"_s},
        {"empty statement", u""_s, u""_s},
        {"comment-only statement", u"-- nothing\n/* here */"_s, u""_s},
    };
}

// The server's whitespace set; a non-ASCII space is part of a token and may end a statement.
bool isSqlSpace(QChar c)
{
    return u" \t\n\r\f\v"_s.contains(c);
}

int lineAt(const QString &sql, qsizetype offset)
{
    return 1 + int(sql.left(offset).count(u'\n'));
}

} // namespace

class TstSqlSplitter : public QObject
{
    Q_OBJECT

private slots:
    void splits_data();
    void splits();
    void statementsAreExactSlices_data();
    void statementsAreExactSlices();
    void serverPositionsMapBack_data();
    void serverPositionsMapBack();
    void errors_data();
    void errors();
    void setLocalInANoTransactionFile();
    void summarize_data();
    void summarize();
    void summaryIsCapped();
    void summarizesSplitMigration();
};

void TstSqlSplitter::splits_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QStringList>("expected");
    for (const SplitCase &c : splitCases())
        QTest::newRow(c.name) << c.sql << c.expected;
}

void TstSqlSplitter::splits()
{
    QFETCH(QString, sql);
    QFETCH(QStringList, expected);

    const SqlSplitResult result = splitSqlStatements(sql);
    QVERIFY2(result.ok(), qPrintable(u"line %1: %2"_s.arg(result.errorLine).arg(result.error)));
    QCOMPARE(result.errorLine, 0);
    QCOMPARE(render(result), expected);
}

void TstSqlSplitter::statementsAreExactSlices_data()
{
    splits_data();
}

// The server's error position is an offset into the text we send; the engine maps it back to a
// file line by counting newlines from SqlStatement::line. That only works if each text is an
// untouched slice of the file starting on the reported line.
void TstSqlSplitter::statementsAreExactSlices()
{
    QFETCH(QString, sql);

    const SqlSplitResult result = splitSqlStatements(sql);
    QVERIFY(result.ok());
    qsizetype searchFrom = 0;
    for (const SqlStatement &statement : result.statements) {
        QVERIFY(!statement.text.isEmpty());
        QVERIFY2(!isSqlSpace(statement.text.front()) && !isSqlSpace(statement.text.back()),
                 qPrintable(statement.text));

        qsizetype offset = sql.indexOf(statement.text, searchFrom);
        while (offset >= 0 && lineAt(sql, offset) != statement.line)
            offset = sql.indexOf(statement.text, offset + 1);
        QVERIFY2(
            offset >= 0,
            qPrintable(u"not a slice on line %1: %2"_s.arg(statement.line).arg(statement.text)));
        for (qsizetype i = 0; i < statement.text.size(); ++i) {
            const int mapped = statement.line + int(statement.text.left(i).count(u'\n'));
            QCOMPARE(mapped, lineAt(sql, offset + i));
        }
        searchFrom = offset + statement.text.size();
    }
}

void TstSqlSplitter::serverPositionsMapBack_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<int>("statementIndex");
    QTest::addColumn<int>("expectedLine"); // the line of the word "bogus" in the file

    QTest::newRow("after comments inside the statement")
        << u"-- head\nCREATE TABLE t (\n  a int, -- why\n  /* multi\n  line */\n  b bogus\n);"_s
        << 0 << 6;
    QTest::newRow("second statement, CRLF")
        << u"SELECT 1;\r\n\r\n/* c */ INSERT INTO t\r\nVALUES\r\n  (bogus);\r\n"_s << 1 << 5;
    QTest::newRow("after a dollar body")
        << u"SELECT 1; DO $$\nBEGIN\n  NULL;\nEND\n$$ LANGUAGE plpgsql\n  bogus;"_s << 1 << 6;
    QTest::newRow("inside BEGIN ATOMIC")
        << u"CREATE FUNCTION f() RETURNS int\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT bogus;\nEND;"_s
        << 0 << 4;
}

void TstSqlSplitter::serverPositionsMapBack()
{
    QFETCH(QString, sql);
    QFETCH(int, statementIndex);
    QFETCH(int, expectedLine);

    const SqlSplitResult result = splitSqlStatements(sql);
    QVERIFY(result.ok());
    QVERIFY(statementIndex < result.statements.size());
    const SqlStatement &statement = result.statements.at(statementIndex);
    // The server reports 1-based character positions.
    const qsizetype position = statement.text.indexOf(u"bogus"_s) + 1;
    QVERIFY(position > 0);
    const int line = statement.line + int(statement.text.left(position - 1).count(u'\n'));
    QCOMPARE(line, expectedLine);
}

void TstSqlSplitter::errors_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("error");
    QTest::addColumn<int>("line");
    for (const ErrorCase &c : errorCases())
        QTest::newRow(c.name) << c.sql << c.error << c.line;
}

void TstSqlSplitter::errors()
{
    QFETCH(QString, sql);
    QFETCH(QString, error);
    QFETCH(int, line);

    const SqlSplitResult result = splitSqlStatements(sql);
    QVERIFY(!result.ok());
    QCOMPARE(result.error, error);
    QCOMPARE(result.errorLine, line);
    // A file that cannot be split completely must not be partially executed.
    QVERIFY(result.statements.isEmpty());
}

// Outside a transaction block SET LOCAL does nothing, inside one it lasts until the block ends:
// a no-transaction file may open blocks of its own, which the splitter does not follow.
void TstSqlSplitter::setLocalInANoTransactionFile()
{
    const QString sql = u"SELECT 1;\nSET LOCAL standard_conforming_strings = off;\n"_s;
    const SqlSplitResult inTransaction = splitSqlStatements(sql + u"RESET ALL;"_s);
    QVERIFY2(inTransaction.ok(), qPrintable(inTransaction.error));

    SqlSplitOptions options;
    options.transactional = false;
    const SqlSplitResult refused = splitSqlStatements(sql, options);
    QCOMPARE(refused.errorLine, 2);
    QVERIFY2(refused.error.startsWith(
                 u"SET LOCAL standard_conforming_strings in a no-transaction file"_s),
             qPrintable(refused.error));
    QVERIFY(refused.statements.isEmpty());
}

void TstSqlSplitter::summarize_data()
{
    QTest::addColumn<QString>("statement");
    QTest::addColumn<QString>("summary");
    for (const SummaryCase &c : summaryCases())
        QTest::newRow(c.name) << c.statement << c.summary;
}

void TstSqlSplitter::summarize()
{
    QFETCH(QString, statement);
    QFETCH(QString, summary);

    QCOMPARE(summarizeStatement(statement), summary);
}

void TstSqlSplitter::summaryIsCapped()
{
    const QString name = u'"' + QString(100, u'a') + u'"';
    const QString summary = summarizeStatement(u"CREATE TABLE "_s + name + u" (x int)"_s);
    QCOMPARE(summary.size(), 80);
    QVERIFY(summary.startsWith(u"CREATE TABLE \"aaaa"_s));
    QVERIFY(summary.endsWith(QChar(0x2026)));

    // Cutting must not split a surrogate pair: here the 79th unit is a high surrogate.
    QString emoji;
    for (int i = 0; i < 50; ++i)
        emoji += u"\U0001F600"_s;
    const QString cut = summarizeStatement(u"CREATE TABLE \""_s + emoji + u"\" (x int)"_s);
    QCOMPARE(cut.size(), 79);
    QVERIFY(cut.endsWith(QChar(0x2026)));
    QVERIFY(!cut.at(cut.size() - 2).isHighSurrogate());

    const QString exact = u"CREATE TABLE "_s + QString(80 - 13, u'b');
    QCOMPARE(summarizeStatement(exact + u" (x int)"_s), exact);
}

void TstSqlSplitter::summarizesSplitMigration()
{
    const QString sql = uR"(-- 001_agents.sql
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE IF NOT EXISTS algorithm_agents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL, -- shown in the UI; must be unique
    active boolean NOT NULL DEFAULT true
);
CREATE INDEX idx_agents_active ON algorithm_agents (active);
CREATE INDEX ON algorithm_agents (name);

CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $fn$
BEGIN
    NEW.updated := now(); -- ; inside the body
    RETURN NEW;
END;
$fn$ LANGUAGE plpgsql;

/* seed */
INSERT INTO algorithm_agents (name) VALUES ('it''s; fine'), (E'back\'slash;');
COMMENT ON COLUMN algorithm_agents.name IS 'display name';
DO $$ BEGIN RAISE NOTICE 'done'; END $$
)"_s;

    const SqlSplitResult result = splitSqlStatements(sql);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QStringList summaries;
    for (const SqlStatement &statement : result.statements)
        summaries.append(QString::number(statement.line) + u' ' +
                         summarizeStatement(statement.text));
    const QStringList expected = {
        u"2 CREATE EXTENSION pgcrypto"_s,
        u"4 CREATE TABLE algorithm_agents"_s,
        u"9 CREATE INDEX idx_agents_active"_s,
        u"10 CREATE INDEX ON algorithm_agents"_s,
        u"12 CREATE FUNCTION touch"_s,
        u"20 INSERT INTO algorithm_agents"_s,
        u"21 COMMENT ON COLUMN algorithm_agents.name"_s,
        u"22 DO"_s,
    };
    QCOMPARE(summaries, expected);
}

QTEST_APPLESS_MAIN(TstSqlSplitter)

#include "tst_sqlsplitter.moc"
