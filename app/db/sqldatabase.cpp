#include "db/sqldatabase.h"

#include "db/pgconnection.h"

#include <QHash>
#include <QMutex>
#include <QSqlDriver>
#include <QVariant>

#include <sys/socket.h>

namespace SqlDatabase {

static const char ResetByteaOutputSql[] = "RESET bytea_output";

// By connection name: the connections that open() made without our start-up options. Names
// are per thread in practice, but the map is shared by all of them.
static QMutex timeoutsMutex;
static QHash<QString, TransactionTimeouts> timeoutsByName;
static QHash<QString, ConnectionOptions> optionsByName;

static void rememberTimeouts(const QString &name, const ConnectionOptions &connected)
{
    QMutexLocker lock(&timeoutsMutex);
    optionsByName.insert(name, connected);
    if (connected.sendStartupOptions)
        timeoutsByName.remove(name);
    else
        timeoutsByName.insert(name, {connected.lockTimeoutMs, connected.statementTimeoutMs});
}

static void configure(QSqlDatabase &database, const ConnectionOptions &options);

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
    ConnectionOptions connect = options.forConnect();
    configure(database, connect);
    if (!database.open() && connect.sendStartupOptions &&
        ConnectionOptions::isRefusedStartupOptions(database.lastError().databaseText())) {
        // A pooler refused the start-up options that carry our timeouts: open it again
        // without them (see PgConnection::open).
        connect.noteRefusesStartupOptions();
        connect.sendStartupOptions = false;
        configure(database, connect);
        database.open();
    }
    rememberTimeouts(name, connect);
    if (database.isOpen() && !connect.sendStartupOptions) {
        // QPSQL's open() sends SET bytea_output TO escape as a session setting, which PgBouncer
        // (unlike DateStyle and client_encoding) does not track: in transaction pooling it
        // stays on the server connection for its later clients. Take it back at once: PgBouncer
        // hands out the server connection released last first, so this lands where the SET did
        // unless another client took that connection in between (then one server connection
        // keeps escape, Qt's doing; nothing of ours). We do not need it: our reads go through
        // libpq, and PQunescapeBytea reads either format.
        PgResult(PQexec(nativeHandle(database), ResetByteaOutputSql));
    }
    if (!database.isOpen()) {
        if (error) {
            *error =
                toDbError(database.lastError(), QStringLiteral("connect"), options.displayName());
            error->sqlState = QStringLiteral("08001");
            if (ConnectionOptions::isRefusedStartupOptions(error->message)) {
                error->sqlState = QStringLiteral("08P01");
                error->hint = ConnectionOptions::refusedOptionsHint();
            }
        }
    }
    return database;
}

static void configure(QSqlDatabase &database, const ConnectionOptions &options)
{
    // QPSQL appends its connect options to the conninfo it builds, with ';' read as a
    // separator: hand it every key=value, already quoted, so URIs and libpq's environment
    // work exactly as for the engine's own connections.
    // QPSQL splits its connect options on ';', so values that may hold one (a password) go
    // through the setters, which QPSQL quotes itself; the rest as key='value' options.
    QStringList rest;
    const QString conninfo = options.toConninfo();
    PQconninfoOption *parsed = PQconninfoParse(conninfo.toUtf8().constData(), nullptr);
    for (PQconninfoOption *option = parsed; option && option->keyword; ++option) {
        if (!option->val)
            continue;
        const QString key = QString::fromUtf8(option->keyword);
        const QString value = QString::fromUtf8(option->val);
        if (key == QLatin1String("host"))
            database.setHostName(value);
        else if (key == QLatin1String("port"))
            database.setPort(value.toInt());
        else if (key == QLatin1String("dbname"))
            database.setDatabaseName(value);
        else if (key == QLatin1String("user"))
            database.setUserName(value);
        else if (key == QLatin1String("password"))
            database.setPassword(value);
        else
            rest.append(key + QStringLiteral("='") +
                        QString(value)
                            .replace(QLatin1Char('\\'), QLatin1String("\\\\"))
                            .replace(QLatin1Char('\''), QLatin1String("\\'")) +
                        QLatin1Char('\''));
    }
    PQconninfoFree(parsed);
    database.setConnectOptions(rest.join(QLatin1Char(';')));
}

std::optional<TransactionTimeouts> transactionTimeouts(const QSqlDatabase &database)
{
    QMutexLocker lock(&timeoutsMutex);
    const auto it = timeoutsByName.constFind(database.connectionName());
    if (it == timeoutsByName.constEnd())
        return std::nullopt;
    return *it;
}

std::optional<ConnectionOptions> connectionOptions(const QSqlDatabase &database)
{
    QMutexLocker lock(&timeoutsMutex);
    const auto it = optionsByName.constFind(database.connectionName());
    if (it == optionsByName.constEnd())
        return std::nullopt;
    return *it;
}

void abandon(const QSqlDatabase &database)
{
    if (PGconn *conn = nativeHandle(database))
        ::shutdown(PQsocket(conn), SHUT_RDWR);
}

void close(const QString &name)
{
    {
        QMutexLocker lock(&timeoutsMutex);
        timeoutsByName.remove(name);
        optionsByName.remove(name);
    }
    if (!QSqlDatabase::contains(name))
        return;
    {
        QSqlDatabase database = QSqlDatabase::database(name, false);
        database.close();
    }
    QSqlDatabase::removeDatabase(name);
}

// The libpq handle under `database` whatever its status (QPSQL's isOpen() is CONNECTION_OK).
static PGconn *driverHandle(const QSqlDatabase &database)
{
    if (!database.driver())
        return nullptr;
    const QVariant handle = database.driver()->handle();
    // Qt documents "PGconn*"; its metatype spells libpq's struct tag, "pg_conn*".
    if (qstrcmp(handle.typeName(), "PGconn*") != 0 && qstrcmp(handle.typeName(), "pg_conn*") != 0)
        return nullptr;
    return *static_cast<PGconn *const *>(handle.data());
}

PGconn *nativeHandle(const QSqlDatabase &database)
{
    if (!database.isOpen())
        return nullptr;
    return driverHandle(database);
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

DbError toDbError(const QSqlDatabase &database, const QSqlError &error, const QString &what,
                  const QString &where)
{
    DbError result = toDbError(error, what, where);
    result.noteConnection(driverHandle(database));
    return result;
}

} // namespace SqlDatabase
