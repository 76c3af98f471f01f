#pragma once

// What the benchmarks share: medians, waiting on the event loop, the table rows, and the delay
// proxy in front of a local cluster.

#include "db/pgconnection.h"
#include "migrations/migrationengine.h"
#include "sandbox/localcluster.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>

namespace Bench {

// --data-dir DIR, --runs N and --rtt MS, the options every benchmark takes.
struct Options
{
    QString dataDir;
    int runs = 5;
    int rtt = 40;
    QStringList rest; // other "--name value" pairs, for the benchmark's own options
};

inline Options parseOptions(const QStringList &arguments, Options defaults)
{
    Options options = std::move(defaults);
    for (qsizetype i = 1; i + 1 < arguments.size(); i += 2) {
        const QString &name = arguments.at(i);
        const QString &value = arguments.at(i + 1);
        if (name == QLatin1String("--data-dir"))
            options.dataDir = value;
        else if (name == QLatin1String("--runs"))
            options.runs = std::max(1, value.toInt());
        else if (name == QLatin1String("--rtt"))
            options.rtt = std::max(1, value.toInt());
        else
            options.rest << name << value;
    }
    return options;
}

// The median of `values`; 0 for none.
inline double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

// Standard output, for the tables.
inline QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

inline double msSince(const QElapsedTimer &clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

// Runs the event loop until `done()` holds; false after 120 s. It sleeps between events (the
// timer wakes it every 5 ms at the latest): processEvents(flags, maxTime) ignores
// WaitForMoreEvents and would spin, taking a core from the server on a 2-core machine.
inline bool waitUntil(const std::function<bool()> &done)
{
    QElapsedTimer clock;
    clock.start();
    QTimer tick;
    tick.start(5);
    while (!done()) {
        if (clock.elapsed() > 120000)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// A row of the table: what, ours, the peer's (none when <= 0), their ratio, the target.
inline void row(const QString &what, double ours, double peer, const QString &target)
{
    out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(what, -52)
                 .arg(ours, 10, 'f', 1)
                 .arg(peer > 0 ? QString::number(peer, 'f', 1) : QStringLiteral("—"), 9)
                 .arg(peer > 0 ? QString::number(ours / peer, 'f', 2) : QStringLiteral("—"), 6)
                 .arg(target, 10);
    out().flush();
}

// The table's header, `peer` naming the second column.
inline void header(const QString &peer)
{
    out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("operation"), -52)
                 .arg(QStringLiteral("algoadmin"), 10)
                 .arg(peer, 9)
                 .arg(QStringLiteral("ratio"), 6)
                 .arg(QStringLiteral("target"), 10);
}

// Milliseconds a new process of `program` takes to run to its end; -1 (and why on stderr) when
// it fails or takes over `timeoutMs`.
inline double timeProcess(const QString &program, const QStringList &arguments,
                          int timeoutMs = 600000)
{
    QProcess process;
    QElapsedTimer clock;
    clock.start();
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs) || process.exitCode() != 0) {
        std::fprintf(stderr, "bench: %s failed: %s\n", qPrintable(program),
                     process.readAllStandardError().constData());
        return -1;
    }
    return double(clock.nsecsElapsed()) / 1e6;
}

// Starts algoadmin-delayproxy (`program`) in front of `cluster`'s Unix socket with `rttMs` of
// round trip; returns the TCP port it listens on, or 0 when it did not start.
inline int startDelayProxy(QProcess &proxy, const QString &program, const LocalCluster &cluster,
                           int rttMs)
{
    proxy.start(program,
                {QStringLiteral("--target-unix"),
                 cluster.socketDir() + QStringLiteral("/.s.PGSQL.%1").arg(cluster.port()),
                 QStringLiteral("--listen-port"), QStringLiteral("0"), QStringLiteral("--rtt-ms"),
                 QString::number(rttMs), QStringLiteral("--max-seconds"), QStringLiteral("3600")});
    proxy.waitForReadyRead(10000);
    return QString::fromUtf8(proxy.readLine()).trimmed().section(QLatin1Char(' '), 2, 2).toInt();
}

// Starts `cluster` (fast and unsafe: a benchmark's private one) unless it runs, and migrates it
// with the bundled migrations; false (and why on stderr) when either fails. `startedNow`: this
// call started it (the benchmark stops it at its end).
inline bool startMigrated(LocalCluster &cluster, bool *startedNow)
{
    qputenv("ALGOADMIN_LOCAL_UNSAFE_FAST", "1");
    QString error;
    if (!cluster.start(&error, startedNow)) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(error));
        return false;
    }
    if (MigrationEngine(cluster.connectionOptions(), MigrationSet::bundled()).migrate().outcome !=
        RunReport::Outcome::Ok) {
        std::fprintf(stderr, "bench: migrate failed\n");
        return false;
    }
    return true;
}

// Opens `connection` on `cluster`'s socket; false (and why on stderr) when it fails.
inline bool open(PgConnection &connection, const LocalCluster &cluster)
{
    DbError error;
    if (connection.open(cluster.connectionOptions(), &error))
        return true;
    std::fprintf(stderr, "bench: %s\n", qPrintable(error.toString()));
    return false;
}

// A way to the benchmark's cluster: its name in the table, the options the program connects
// with, and a conninfo for psql.
struct Link
{
    QString name;
    ConnectionOptions options;
    QString conninfo;
};

// `cluster` on its Unix socket (named `localName`), and through the delay proxy listening on
// `proxyPort` at `rttMs` (named "`rttMs` ms" and `rttSuffix`).
inline QList<Link> links(const LocalCluster &cluster, int proxyPort, int rttMs,
                         const QString &localName = QStringLiteral("local"),
                         const QString &rttSuffix = QString())
{
    ConnectionOptions delayed;
    delayed.database = QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=%3 sslmode=disable")
                           .arg(proxyPort)
                           .arg(LocalCluster::databaseName(), LocalCluster::superuser());
    const QString direct = QStringLiteral("host=%1 port=%2 dbname=%3 user=%4")
                               .arg(cluster.socketDir())
                               .arg(cluster.port())
                               .arg(LocalCluster::databaseName(), LocalCluster::superuser());
    return {{localName, cluster.connectionOptions(), direct},
            {QStringLiteral("%1 ms").arg(rttMs) + rttSuffix, delayed, delayed.database}};
}

} // namespace Bench
