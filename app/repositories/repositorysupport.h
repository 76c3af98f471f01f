#pragma once

#include "db/dberror.h"
#include "db/pipeline.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <limits>

// What the repositories share: running a batch on a QPSQL connection's libpq handle (one
// round trip) and the text forms PostgreSQL takes and gives.
//
// One convention for every repository call: it returns its value (a list, a struct, a
// result; empty or default on failure unless documented otherwise) and takes a last
// `DbError *error` (may be null), which it sets to what failed or clears. No result struct
// carries an error of its own, and no call answers with a bool beside the error. Sibling
// arguments come in one order: what, then reason, then userId. Columns are named by an enum
// beside their SELECT, never read by a bare number.
namespace RepositorySupport {

// Sets `*error` (when given) to `failure`.
inline void report(const DbError &failure, DbError *error)
{
    if (error)
        *error = failure;
}
// Sets `*error` (when given) to `failure` and returns `value`: the convention above in one line.
template <typename T> T reported(T value, const DbError &failure, DbError *error)
{
    report(failure, error);
    return value;
}

// The results of a batch, by command index (an unset PgResult for a statement that never got
// one).
struct BatchResults
{
    bool ok = false; // the batch ran (statements may still have failed: check each result)
    QList<PgResult> results;
    DbError error; // the connection failed (08006) or was not open
};

// Runs `commands` in one round trip with unnamed statements only, so it works through a pooler
// in transaction pooling. On a connection whose start-up options a pooler refused
// (SqlDatabase::transactionTimeouts), each segment (statements up to a Sync) that does not
// begin a transaction of its own runs inside BEGIN; set_config(lock_timeout, statement_timeout,
// true); …; COMMIT, and the timeouts follow each BEGIN of the batch: the server connection
// keeps nothing of them. Results keep the commands' indexes either way.
BatchResults run(const QSqlDatabase &database, const QList<PipelineCommand> &commands,
                 const QString &what);
// As run(), handing each result over as it arrives instead of keeping it (a single-row
// command gives one result per row): for reads too large to hold. Returns whether the batch
// ran; `error` is set only when the connection failed or was not open.
bool stream(const QSqlDatabase &database, const QList<PipelineCommand> &commands,
            const Pipeline::ResultHandler &onResult, const QString &what, DbError *error);

// The first statement error of a batch (skipped statements are not errors), or none.
DbError firstError(const BatchResults &batch, const QString &what);

// The audit user id of a write when the profile names none: the changelog's user_id stays NULL
// (sql/005 reads an empty algoadmin.user_id as NULL).
inline constexpr int NoUserId = std::numeric_limits<int>::min();
// algoadmin.user_id's value for `userId`.
inline QByteArray userIdSetting(int userId)
{
    return userId == NoUserId ? QByteArray("") : QByteArray::number(userId);
}

// The results of runAuditedWrite: the batch, and each part of it by name.
struct AuditedWriteResults
{
    BatchResults batch;
    // The result of the write's statements.at(index).
    const PgResult &statement(int index) const { return batch.results.at(index + 2); }
    // The result of the closing COMMIT or ROLLBACK (tag ROLLBACK when the transaction failed).
    const PgResult &end() const { return batch.results.constLast(); }
};

enum class AuditedEnd
{
    Commit,
    Rollback // a dry run: the triggers run, nothing persists
};

// One audited write, one round trip: BEGIN; the transaction-local settings that the audit and
// config triggers read (algoadmin.user_id = `userId`, algoadmin.reason = `reason`,
// algoadmin.change_set = `changeSet`, null = NULL; sql/005, sql/007); `statements`, the last of
// them ending the segment; then COMMIT or ROLLBACK in a segment of its own. `what` names the
// operation in a connection error.
AuditedWriteResults runAuditedWrite(const QSqlDatabase &database, QList<PipelineCommand> statements,
                                    const QString &reason, int userId, const QString &changeSet,
                                    AuditedEnd end, const QString &what);

// A text[] literal: {"a","b",NULL}; a null QString is NULL.
QByteArray textArray(const QStringList &values);
// A QString as a parameter: null stays NULL.
QByteArray text(const QString &value);
// "YYYY-MM-DD\"T\"HH24:MI:SS.MS" as the queries format timestamps.
QDateTime timestamp(const QString &value);
// The SQL to format a timestamp column as timestamp() reads it.
inline constexpr char TimestampFormat[] = R"(YYYY-MM-DD"T"HH24:MI:SS.MS)";

} // namespace RepositorySupport
