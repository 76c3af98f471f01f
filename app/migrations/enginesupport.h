#pragma once

#include "db/dberror.h"
#include "migrations/migration.h"

#include <QElapsedTimer>
#include <QString>

// What the parts of the migration engine share besides the session (enginesession.h): what a
// migration's statements may do, and the errors every operation reports the same way.

// The error of every operation on a set that could not be loaded (`set.ok()` is false).
DbError loadMigrationsError(const MigrationSet &set);

// BEGIN, COMMIT, ROLLBACK and the like at the statement's start.
bool isTransactionControl(const QString &statement);
// COPY … FROM STDIN / TO STDOUT.
bool isClientCopy(const QString &statement);
// The statement in a form that runs inside a transaction block (CONCURRENTLY taken out), or a
// null QString for one that can only run outside one (VACUUM, transaction control…).
QString transactionSafe(const QString &statement);
// Whether a statement of `migration` adds a value to an enum type (ALTER TYPE … ADD VALUE):
// PostgreSQL lets the new value be used only after the transaction that added it commits.
bool addsEnumValue(const Migration &migration);
// The file line of a server error at `position` (1-based characters, as the server counts)
// inside `statement`.
int lineOfError(const SqlStatement &statement, int position);

// `report` as an operation returns it, with its wallMs set to the time since `clock` started.
// Verify and baseline return through it from every exit, early failures included.
template <typename Report> Report withWallTime(Report report, const QElapsedTimer &clock)
{
    report.wallMs = clock.nsecsElapsed() / 1e6;
    return report;
}
