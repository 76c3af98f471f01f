#pragma once

#include "db/connectionoptions.h"
#include "db/dberror.h"

#include <QSqlDatabase>
#include <QSqlError>

#include <libpq-fe.h>

#include <optional>

// Qt Sql connections for the repositories. Each thread uses its own named connection (never
// the default one, never one connection on two threads); openSqlDatabase() makes it from the
// same ConnectionOptions as everything else, timeouts and keepalives included.
namespace SqlDatabase {

// Opens (blocking; run it on a worker thread) a QPSQL connection called `name`, replacing any
// earlier one of that name. On failure, `error` says why with libpq's words.
QSqlDatabase open(const ConnectionOptions &options, const QString &name, DbError *error);
// The timeouts that statements on `database` must set transaction-locally (set_config(..., true)
// in an explicit transaction of their own) because a pooler refused the start-up options that
// carry them; none when the connection has them for its whole session, or was not made by
// open().
struct TransactionTimeouts
{
    int lockTimeoutMs = 0;
    int statementTimeoutMs = 0;
};
std::optional<TransactionTimeouts> transactionTimeouts(const QSqlDatabase &database);
// What `database` was opened with (by open()): a second connection by the same path, for a
// LinkWatch. None for a connection open() did not make.
std::optional<ConnectionOptions> connectionOptions(const QSqlDatabase &database);
// After a batch gave up on a silent path: the connection's protocol state is unknown, so its
// socket is shut down; libpq then reports it lost and the next request opens a new one.
void abandon(const QSqlDatabase &database);
// Closes and removes the named connection (call on the thread that used it).
void close(const QString &name);
// The libpq handle under a QPSQL connection, for what Qt Sql cannot do: pipelines, cancel,
// LISTEN details. Null if the connection is not open.
PGconn *nativeHandle(const QSqlDatabase &database);
// A QSqlError as the project's error value (SQLSTATE from nativeErrorCode()).
DbError toDbError(const QSqlError &error, const QString &what, const QString &where = {});
// As above, for an error of `database`'s connection: connectionBad also says whether libpq has
// lost that connection (QPSQL gives no SQLSTATE when libpq finds the socket closed).
DbError toDbError(const QSqlDatabase &database, const QSqlError &error, const QString &what,
                  const QString &where = {});

} // namespace SqlDatabase
