#include "repositories/repositorysupport.h"

#include "db/clientcheck.h"
#include "db/linkwatch.h"
#include "db/sqldatabase.h"

#include <QSet>

namespace {

const QByteArray BeginSql = "BEGIN";
const QByteArray CommitSql = "COMMIT";
const QByteArray RollbackSql = "ROLLBACK";
// Transaction-local (is_local = true): a pooled server connection keeps nothing of them.
const QByteArray SettingsSql = "SELECT set_config('algoadmin.user_id', $1, true),"
                               " set_config('algoadmin.reason', $2, true),"
                               " set_config('algoadmin.change_set', $3, true)";

// As the engine's (enginesession.cpp): transaction-local, so nothing outlives the transaction.
const QByteArray TimeoutsSql =
    "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, "
    "true)," ALGOADMIN_CLIENT_CHECK_SQL("true");

bool startsWith(const PipelineCommand &command, const char *keyword)
{
    return command.mode == PipelineCommand::Mode::Query &&
           command.sql.trimmed().toUpper().startsWith(keyword);
}

bool isBegin(const PipelineCommand &command)
{
    return startsWith(command, "BEGIN") || startsWith(command, "START TRANSACTION");
}

bool isEnd(const PipelineCommand &command)
{
    return startsWith(command, "COMMIT") || startsWith(command, "END") ||
           startsWith(command, "ABORT") ||
           (startsWith(command, "ROLLBACK") && !startsWith(command, "ROLLBACK TO"));
}

// Where a command that withTimeouts() sends comes from: the given command `index`, or (added)
// one it added for the segment of `index`, whose failure it then stands for.
struct Origin
{
    int index;
    bool added;
};

// `commands` with the timeouts set in every transaction (see run()); `origin` gets one entry
// per command sent.
QList<PipelineCommand> withTimeouts(const QList<PipelineCommand> &commands,
                                    const SqlDatabase::TransactionTimeouts &timeouts,
                                    QList<Origin> *origin)
{
    using After = PipelineCommand::After;
    const QList<QByteArray> values = {QByteArray::number(timeouts.lockTimeoutMs),
                                      QByteArray::number(timeouts.statementTimeoutMs)};
    QList<PipelineCommand> sent;
    auto add = [&](PipelineCommand command, int index, bool added) {
        sent.append(std::move(command));
        origin->append({index, added});
    };
    bool inTransaction = false; // an earlier segment's BEGIN is still open
    qsizetype start = 0;
    while (start < commands.size()) {
        qsizetype end = start; // the segment's last command
        while (end + 1 < commands.size() && commands.at(end).after != After::Sync)
            ++end;
        bool ownTransaction = inTransaction;
        for (qsizetype i = start; i <= end; ++i)
            ownTransaction = ownTransaction || isBegin(commands.at(i));
        if (ownTransaction) {
            for (qsizetype i = start; i <= end; ++i) {
                PipelineCommand command = commands.at(i);
                if (isBegin(command)) {
                    inTransaction = true;
                    const After after = command.after;
                    command.after = After::Nothing;
                    add(std::move(command), int(i), false);
                    add({TimeoutsSql, values, after}, int(i), true);
                } else {
                    if (isEnd(command))
                        inTransaction = false;
                    add(std::move(command), int(i), false);
                }
            }
        } else {
            // The COMMIT in a segment of its own: after an error the Sync leaves the
            // transaction aborted, and that COMMIT ends it (tag ROLLBACK) in the same round trip.
            add({BeginSql, {}, After::Nothing}, int(start), true);
            add({TimeoutsSql, values, After::Nothing}, int(start), true);
            for (qsizetype i = start; i <= end; ++i) {
                PipelineCommand command = commands.at(i);
                if (i == end)
                    command.after = After::Sync;
                add(std::move(command), int(i), false);
            }
            add({CommitSql, {}, After::Sync}, int(end), true);
        }
        start = end + 1;
    }
    return sent;
}

} // namespace

namespace RepositorySupport {

bool stream(const QSqlDatabase &database, const QList<PipelineCommand> &commands,
            const Pipeline::ResultHandler &onResult, const QString &what, DbError *error)
{
    PGconn *conn = SqlDatabase::nativeHandle(database);
    if (!conn) {
        if (error) {
            *error = {};
            error->what = what;
            error->message = QStringLiteral("the database connection is not open");
            error->sqlState = QStringLiteral("08003");
            error->hint = QStringLiteral("Reconnect, then try again.");
        }
        return false;
    }
    Pipeline pipeline(conn, database.connectionName());
    // A path gone silent (no answer, TCP still open) is noticed after LinkWatch's limit.
    std::optional<LinkWatch> watch;
    if (const std::optional<ConnectionOptions> options = SqlDatabase::connectionOptions(database))
        watch.emplace(*options, PQbackendPID(conn));
    if (watch)
        pipeline.setTickHandler([&](int, qint64 waitedMs) { return watch->tick(waitedMs); }, 250);
    const std::optional<SqlDatabase::TransactionTimeouts> timeouts =
        SqlDatabase::transactionTimeouts(database);
    bool ok = false;
    if (!timeouts) {
        ok = pipeline.run(commands, onResult, error);
    } else {
        QList<Origin> origin;
        const QList<PipelineCommand> sent = withTimeouts(commands, *timeouts, &origin);
        // A failure of what was added stands for the statements of its segment: those the
        // server then skipped, or (a failed COMMIT) the last one, whose work did not commit.
        QSet<int> failed;
        ok = pipeline.run(
            sent,
            [&](int index, const PgResult &result) {
                const Origin from = origin.at(index);
                if (from.added) {
                    if (!result.ok() && result.status() != PGRES_PIPELINE_ABORTED) {
                        failed.insert(from.index);
                        onResult(from.index, result);
                    }
                    return;
                }
                if (failed.contains(from.index) && result.status() == PGRES_PIPELINE_ABORTED)
                    return;
                onResult(from.index, result);
            },
            error);
    }
    if (!ok && error)
        error->what = what;
    if (!ok && PQstatus(conn) == CONNECTION_OK)
        SqlDatabase::abandon(database); // gave up waiting: what comes later belongs to no one
    return ok;
}

BatchResults run(const QSqlDatabase &database, const QList<PipelineCommand> &commands,
                 const QString &what)
{
    BatchResults batch;
    batch.results.resize(commands.size());
    batch.ok = stream(
        database, commands,
        [&](int index, const PgResult &result) { batch.results[index] = result; }, what,
        &batch.error);
    return batch;
}

DbError firstError(const BatchResults &batch, const QString &what)
{
    if (!batch.ok)
        return batch.error;
    for (const PgResult &result : batch.results) {
        if (result.isNull() || result.ok() || result.status() == PGRES_PIPELINE_ABORTED)
            continue;
        return result.error(what);
    }
    return {};
}

AuditedWriteResults runAuditedWrite(const QSqlDatabase &database, QList<PipelineCommand> statements,
                                    const QString &reason, int userId, const QString &changeSet,
                                    AuditedEnd end, const QString &what)
{
    using After = PipelineCommand::After;
    QList<PipelineCommand> commands;
    commands.reserve(statements.size() + 3);
    commands.append({BeginSql, {}, After::Nothing});
    commands.append(
        {SettingsSql, {userIdSetting(userId), reason.toUtf8(), text(changeSet)}, After::Nothing});
    for (PipelineCommand &statement : statements) {
        statement.after = After::Nothing;
        commands.append(std::move(statement));
    }
    // The Sync ends the segment; after an error the transaction is aborted and the COMMIT of
    // the next segment rolls it back (tag ROLLBACK), so one round trip always ends it.
    commands.last().after = After::Sync;
    commands.append({end == AuditedEnd::Commit ? CommitSql : RollbackSql, {}, After::Sync});
    return {run(database, commands, what)};
}

QByteArray textArray(const QStringList &values)
{
    QByteArray literal = "{";
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            literal += ',';
        const QString &value = values.at(i);
        if (value.isNull()) {
            literal += "NULL";
            continue;
        }
        literal += '"';
        for (const char c : value.toUtf8()) {
            if (c == '"' || c == '\\')
                literal += '\\';
            literal += c;
        }
        literal += '"';
    }
    literal += '}';
    return literal;
}

QByteArray text(const QString &value)
{
    return value.isNull() ? QByteArray() : value.toUtf8();
}

QDateTime timestamp(const QString &value)
{
    if (value.isEmpty())
        return {};
    return QDateTime::fromString(value, Qt::ISODateWithMs);
}

} // namespace RepositorySupport
