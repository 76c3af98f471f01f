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

// Splits SQL text into top-level statements the way psql does: ';' ends a statement except
// inside single quotes (with '' doubling), E'' strings (backslash escapes), dollar quotes
// ($$ and $tag$), double-quoted identifiers, -- comments, nested /* */ comments, and
// BEGIN ATOMIC ... END bodies of CREATE FUNCTION/PROCEDURE. Empty statements are dropped.
// psql meta-commands (a line starting with a backslash) are reported as an error.
SqlSplitResult splitSqlStatements(const QString &sql);

// A short, human summary of a statement for reports: "CREATE TABLE algorithm_agents",
// "CREATE INDEX idx_agents_active", "ALTER TABLE algorithm_agents", "INSERT INTO t", "DO".
// Optional clauses such as IF NOT EXISTS / OR REPLACE / CONCURRENTLY are left out. (Implemented
// in statementsummary.cpp; both functions read tokens from sqllexer.h.)
QString summarizeStatement(const QString &statement);
