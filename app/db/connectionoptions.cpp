#include "db/connectionoptions.h"

#include <QMutex>
#include <QSet>

#include <algorithm>
#include <libpq-fe.h>

QString ConnectionOptions::validate() const
{
    if (database.isEmpty())
        return {};
    // A plain database name is always fine; anything that looks like a conninfo or URI must
    // parse, so that a typo is reported as bad usage rather than as a failed connection.
    const bool looksExpanded = database.contains(QLatin1Char('=')) ||
                               database.startsWith(QLatin1String("postgresql://")) ||
                               database.startsWith(QLatin1String("postgres://"));
    if (!looksExpanded)
        return {};
    char *errmsg = nullptr;
    PQconninfoOption *parsed = PQconninfoParse(database.toUtf8().constData(), &errmsg);
    if (!parsed) {
        const QString reason =
            errmsg ? QString::fromUtf8(errmsg).trimmed() : QStringLiteral("out of memory");
        PQfreemem(errmsg);
        return reason;
    }
    PQconninfoFree(parsed);
    return {};
}

QList<QPair<QByteArray, QByteArray>> ConnectionOptions::keywordValues() const
{
    QList<QPair<QByteArray, QByteArray>> pairs;
    // Defaults first: with expand_dbname, later pairs override what the dbname string says,
    // and anything the dbname string sets overrides these.
    if (qEnvironmentVariableIsEmpty("PGCONNECT_TIMEOUT"))
        pairs.append({"connect_timeout", QByteArray::number(connectTimeoutSeconds)});
    if (qEnvironmentVariableIsEmpty("PGAPPNAME"))
        pairs.append({"fallback_application_name", applicationName.toUtf8()});
    // A dead network path must not hang a run for hours: probe an idle connection after 30 s
    // and give up on unacknowledged writes after a minute (TCP only; ignored on sockets).
    pairs.append({QByteArray("keepalives_idle"), QByteArray("30")});
    pairs.append({QByteArray("keepalives_interval"), QByteArray("10")});
    pairs.append({QByteArray("keepalives_count"), QByteArray("3")});
    pairs.append({QByteArray("tcp_user_timeout"), QByteArray("60000")});
    QByteArray userOptions = qgetenv("PGOPTIONS");
    if (!database.isEmpty()) {
        pairs.append({"dbname", database.toUtf8()});
        if (PQconninfoOption *parsed = PQconninfoParse(database.toUtf8().constData(), nullptr)) {
            for (PQconninfoOption *option = parsed; option->keyword; ++option) {
                if (qstrcmp(option->keyword, "options") == 0 && option->val)
                    userOptions = option->val;
            }
            PQconninfoFree(parsed);
        }
    }
    if (sendStartupOptions) {
        // client_connection_check_interval: see db/clientcheck.h. A server that lacks it
        // refuses the connection, which is then made again without these options, the
        // settings going with each transaction instead (isRefusedStartupOptions()).
        pairs.append({"options", QStringLiteral("-c lock_timeout=%1 -c statement_timeout=%2 "
                                                "-c client_connection_check_interval=1000")
                                         .arg(lockTimeoutMs)
                                         .arg(statementTimeoutMs)
                                         .toUtf8() +
                                     (userOptions.isEmpty() ? QByteArray() : ' ' + userOptions)});
    } else if (!userOptions.isEmpty()) {
        pairs.append({"options", userOptions}); // only what the user asked for
    }
    if (!host.isEmpty())
        pairs.append({"host", host.toUtf8()});
    if (!port.isEmpty())
        pairs.append({"port", port.toUtf8()});
    if (!user.isEmpty())
        pairs.append({"user", user.toUtf8()});
    // Only the first dbname is expanded as a conninfo or URI; a later one is a plain name.
    if (!databaseOverride.isEmpty())
        pairs.append({"dbname", databaseOverride.toUtf8()});
    return pairs;
}

QString ConnectionOptions::displayName() const
{
    QString host;
    QString port;
    QString dbname;
    QString userName;
    const QString conninfo = toConninfo();
    PQconninfoOption *parsed = PQconninfoParse(conninfo.toUtf8().constData(), nullptr);
    for (PQconninfoOption *option = parsed; option && option->keyword; ++option) {
        const QString value = option->val ? QString::fromUtf8(option->val) : QString();
        if (qstrcmp(option->keyword, "host") == 0)
            host = value;
        else if (qstrcmp(option->keyword, "port") == 0)
            port = value;
        else if (qstrcmp(option->keyword, "dbname") == 0)
            dbname = value;
        else if (qstrcmp(option->keyword, "user") == 0)
            userName = value;
    }
    PQconninfoFree(parsed);
    // Unset parts come from libpq's environment, as they will when connecting.
    const auto orEnv = [](const QString &value, const char *variable) {
        return value.isEmpty() ? qEnvironmentVariable(variable) : value;
    };
    return QStringLiteral("%1@%2:%3/%4")
        .arg(orEnv(userName, "PGUSER"), orEnv(host, "PGHOST"), orEnv(port, "PGPORT"),
             orEnv(dbname, "PGDATABASE"));
}

static QString quoteConninfoValue(const QString &value)
{
    QString escaped = value;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

QString ConnectionOptions::toConninfo() const
{
    // A URI cannot be mixed with key=value pairs, so expand everything into key=value form.
    QList<QPair<QByteArray, QByteArray>> merged;
    const auto put = [&merged](const QByteArray &key, const QByteArray &value) {
        for (auto &pair : merged) {
            if (pair.first == key) {
                pair.second = value;
                return;
            }
        }
        merged.append({key, value});
    };
    for (const auto &[key, value] : keywordValues()) {
        PQconninfoOption *parsed = nullptr;
        if (key == "dbname" && (value.contains('=') || value.startsWith("postgres")))
            parsed = PQconninfoParse(value.constData(), nullptr);
        if (!parsed) {
            put(key, value);
            continue;
        }
        for (PQconninfoOption *option = parsed; option->keyword; ++option) {
            if (option->val)
                put(option->keyword, option->val);
        }
        PQconninfoFree(parsed);
    }
    QStringList parts;
    for (const auto &[key, value] : merged)
        parts.append(QString::fromUtf8(key) + QLatin1Char('=') +
                     quoteConninfoValue(QString::fromUtf8(value)));
    return parts.join(QLatin1Char(' '));
}

bool ConnectionOptions::isLocalHost(const QString &host)
{
    const QStringList hosts = host.split(QLatin1Char(','));
    return std::all_of(hosts.cbegin(), hosts.cend(), [](const QString &entry) {
        const QString h = entry.trimmed();
        return h.isEmpty() || h.startsWith(QLatin1Char('/')) || h.startsWith(QLatin1Char('@')) ||
               h.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
               h.startsWith(QLatin1String("127.")) || h == QLatin1String("::1");
    });
}

bool ConnectionOptions::isRefusedStartupOptions(const QString &serverMessage)
{
    // PgBouncer: "unsupported startup parameter: options" (any other parameter it refuses
    // is named the same way). A server before PostgreSQL 14, or one on a platform without
    // client_connection_check_interval, refuses that setting.
    return serverMessage.contains(QLatin1String("unsupported startup parameter: options")) ||
           (serverMessage.contains(QLatin1String("client_connection_check_interval")) &&
            (serverMessage.contains(QLatin1String("unrecognized configuration parameter")) ||
             serverMessage.contains(QLatin1String("must be set to 0"))));
}

// Targets (their conninfo without our options) that refused the start-up options.
static QMutex refusingMutex;
static QSet<QString> refusingTargets;

static QString targetKey(const ConnectionOptions &options)
{
    ConnectionOptions plain = options;
    plain.sendStartupOptions = false;
    return plain.toConninfo();
}

bool ConnectionOptions::refusesStartupOptions() const
{
    const QString key = targetKey(*this);
    QMutexLocker lock(&refusingMutex);
    return refusingTargets.contains(key);
}

void ConnectionOptions::noteRefusesStartupOptions() const
{
    const QString key = targetKey(*this);
    QMutexLocker lock(&refusingMutex);
    refusingTargets.insert(key);
}

ConnectionOptions ConnectionOptions::forConnect() const
{
    ConnectionOptions options = *this;
    if (options.sendStartupOptions && refusesStartupOptions())
        options.sendStartupOptions = false;
    return options;
}

QString ConnectionOptions::refusedOptionsHint()
{
    return QStringLiteral(
        "A connection pooler (PgBouncer) refused the start-up parameter `options`, which comes "
        "from the connection string or PGOPTIONS: remove it there, or add `options` to the "
        "pooler's ignore_startup_parameters. (AlgoAdmin itself needs no start-up options.)");
}
