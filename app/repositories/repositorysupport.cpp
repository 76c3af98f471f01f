#include "repositories/repositorysupport.h"

#include "db/sqldatabase.h"

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
