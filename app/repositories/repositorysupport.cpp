#include "repositories/repositorysupport.h"

#include "db/sqldatabase.h"

namespace {

const QByteArray BeginSql = "BEGIN";
const QByteArray CommitSql = "COMMIT";
const QByteArray RollbackSql = "ROLLBACK";
// Transaction-local (is_local = true): a pooled server connection keeps nothing of them.
const QByteArray SettingsSql = "SELECT set_config('algoadmin.user_id', $1, true),"
                               " set_config('algoadmin.reason', $2, true),"
                               " set_config('algoadmin.change_set', $3, true)";

} // namespace

namespace RepositorySupport {

BatchResults run(const QSqlDatabase &database, const QList<PipelineCommand> &commands,
                 const QString &what)
{
    BatchResults batch;
    batch.results.resize(commands.size());
    PGconn *conn = SqlDatabase::nativeHandle(database);
    if (!conn) {
        batch.error.what = what;
        batch.error.message = QStringLiteral("the database connection is not open");
        batch.error.sqlState = QStringLiteral("08003");
        batch.error.hint = QStringLiteral("Reconnect, then try again.");
        return batch;
    }
    Pipeline pipeline(conn, database.connectionName());
    batch.ok = pipeline.run(
        commands, [&](int index, const PgResult &result) { batch.results[index] = result; },
        &batch.error);
    if (!batch.ok)
        batch.error.what = what;
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
