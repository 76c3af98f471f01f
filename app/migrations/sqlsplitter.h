#pragma once

#include <QList>
#include <QString>

// One top-level statement of a migration file.
struct SqlStatement
{
    QString
        text; // the statement without its terminating ';' and without leading comments/blank lines
    int line = 0; // 1-based line of the statement's first token in the file
};

struct SqlSplitResult
{
    QList<SqlStatement> statements;
    QString error;     // empty on success; e.g. "unterminated dollar-quoted string $fn$"
    int errorLine = 0; // 1-based line where the offending construct starts
    bool ok() const { return error.isEmpty(); }
};

struct SqlSplitOptions
{
    // False for a no-transaction file, where a SET LOCAL lasts only until the end of a
    // transaction block the file opens itself, which the splitter does not follow.
    bool transactional = true;
};

// Splits SQL text into top-level statements the way psql does: ';' ends a statement except
// inside single quotes (with '' doubling), E'' strings (backslash escapes), dollar quotes
// ($$ and $tag$), double-quoted identifiers, -- comments, nested /* */ comments, and
// BEGIN ATOMIC ... END bodies of CREATE FUNCTION/PROCEDURE. Empty statements are dropped.
// standard_conforming_strings starts on and follows the file's own SET/RESET statements as
// psql follows the server's report (from the line after the statement); a change the splitter
// cannot follow, or the setting left off at the end of the file, is an error naming it.
// pg_dump's \restrict and \unrestrict lines between statements are skipped (they only switch
// psql's own meta-commands off and on); any other psql meta-command is an error.
SqlSplitResult splitSqlStatements(const QString &sql, const SqlSplitOptions &options = {});

// A short, human summary of a statement for reports: "CREATE TABLE algorithm_agents",
// "CREATE INDEX idx_agents_active", "ALTER TABLE algorithm_agents", "INSERT INTO t", "DO".
// Optional clauses such as IF NOT EXISTS / OR REPLACE / CONCURRENTLY are left out. (Implemented
// in statementsummary.cpp; both functions read tokens from sqllexer.h.)
QString summarizeStatement(const QString &statement);
