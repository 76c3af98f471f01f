#include "sqldatabase.h"

#include <QSqlDriver>
#include <QVariant>

namespace SqlDatabase {

QSqlDatabase open(const ConnectionOptions &options, const QString &name, DbError *error)
{
    close(name);
    QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    if (!database.isValid()) {
        if (error)
            *error = {QStringLiteral("open a database connection"),
                      {},
                      QStringLiteral("the Qt PostgreSQL driver (QPSQL) is not available"),
                      {},
                      {},
                      QStringLiteral("Install the Debian package libqt6sql6-psql.")};
        return database;
    }
    // QPSQL appends its connect options to the conninfo it builds, with ';' read as a
    // separator: hand it every key=value, already quoted, so URIs and libpq's environment
    // work exactly as for the engine's own connections.
    QString conninfo = options.toConninfo();
    database.setConnectOptions(conninfo);
    if (!database.open()) {
        if (error) {
            *error =
                toDbError(database.lastError(), QStringLiteral("connect"), options.displayName());
            error->sqlState = QStringLiteral("08001");
        }
        return database;
    }
    return database;
}

void close(const QString &name)
{
    if (!QSqlDatabase::contains(name))
        return;
    {
        QSqlDatabase database = QSqlDatabase::database(name, false);
        database.close();
    }
    QSqlDatabase::removeDatabase(name);
}

PGconn *nativeHandle(const QSqlDatabase &database)
{
    if (!database.isOpen() || !database.driver())
        return nullptr;
    const QVariant handle = database.driver()->handle();
    // Qt documents "PGconn*"; its metatype spells libpq's struct tag, "pg_conn*".
    if (qstrcmp(handle.typeName(), "PGconn*") != 0 && qstrcmp(handle.typeName(), "pg_conn*") != 0)
        return nullptr;
    return *static_cast<PGconn *const *>(handle.data());
}

DbError toDbError(const QSqlError &error, const QString &what, const QString &where)
{
    DbError result;
    result.what = what;
    result.where = where;
    result.message = error.databaseText().trimmed();
    if (result.message.isEmpty())
        result.message = error.driverText().trimmed();
    result.sqlState = error.nativeErrorCode();
    return result;
}

} // namespace SqlDatabase
