// Cold start of the window: from starting the process to the first painted window, and to a
// schema panel showing the migration status of a migrated database, on a direct connection and
// through algoadmin-delayproxy at MS (default 40) of round trip. Targets: under 0.5 s to the
// first paint, under 1 s to the loaded panel.
//
//   bench_startup [--runs N] [--rtt MS] [--data-dir DIR] [--platform NAME]
//
// Each run is a new `algoadmin -d … --panel schema --screenshot` process on the Qt platform
// NAME (default offscreen; xcb under xvfb-run or a desktop draws through an X server) with
// ALGOADMIN_STARTUP_TRACE=1, which prints when it first painted and when the panel loaded on the
// monotonic clock this program reads before starting it. The peers, timed the same way in the same
// run: a bare Qt Widgets window (this program with --peer-window: the toolkit's own floor for a
// first paint) and psql reading the same migration history.
#include "benchsupport.h"
#include "migrations/migrationengine.h"
#include "sandbox/localcluster.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

qint64 monotonicMs()
{
    QElapsedTimer now;
    now.start();
    return now.msecsSinceReference();
}

// The peer window: a QLabel, printing the same trace line on its first paint.
int peerWindow(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QLabel label(QStringLiteral("hello"));
    label.resize(1200, 760);
    struct Filter : QObject
    {
        bool eventFilter(QObject *, QEvent *event) override
        {
            if (event->type() == QEvent::Paint && !seen) {
                seen = true;
                QTimer::singleShot(0, qApp, [] {
                    std::fprintf(stderr, "startup first-paint %lld\n",
                                 static_cast<long long>(monotonicMs()));
                    QApplication::quit();
                });
            }
            return false;
        }
        bool seen = false;
    } filter;
    label.installEventFilter(&filter);
    label.show();
    return QApplication::exec();
}

struct Trace
{
    double firstPaintMs = -1;
    double panelLoadedMs = -1;
    double exitMs = -1;
    QString error;
};

QString g_platform = QStringLiteral("offscreen");

Trace traceProcess(const QString &program, const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ALGOADMIN_STARTUP_TRACE"), QStringLiteral("1"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), g_platform);
    // Not the user's saved window geometry and profiles: a private, empty configuration.
    static QTemporaryDir config;
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    process.setProcessEnvironment(env);
    Trace trace;
    const qint64 started = monotonicMs();
    process.start(program, arguments);
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
        trace.error = QString::fromUtf8(process.readAllStandardError());
        return trace;
    }
    trace.exitMs = double(monotonicMs() - started);
    for (const QByteArray &line : process.readAllStandardError().split('\n')) {
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() != 3 || parts.at(0) != "startup")
            continue;
        const double at = double(parts.at(2).toLongLong() - started);
        if (parts.at(1) == "first-paint")
            trace.firstPaintMs = at;
        else if (parts.at(1) == "panel-loaded")
            trace.panelLoadedMs = at;
    }
    return trace;
}

double timeProcess(const QString &program, const QStringList &arguments)
{
    QProcess process;
    QElapsedTimer clock;
    clock.start();
    process.start(program, arguments);
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        return -1;
    return double(clock.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc > 1 && qstrcmp(argv[1], "--peer-window") == 0)
        return peerWindow(argc, argv);
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    const Bench::Options options =
        Bench::parseOptions(arguments, {QStringLiteral("/tmp/algoadmin-bench-startup"), 7, 40, {}});
    const QString dataDir = options.dataDir;
    const int runs = options.runs;
    const int rtt = options.rtt;
    for (qsizetype i = 0; i + 1 < options.rest.size(); i += 2) {
        if (options.rest.at(i) == QLatin1String("--platform"))
            g_platform = options.rest.at(i + 1);
    }

    qputenv("ALGOADMIN_LOCAL_UNSAFE_FAST", "1");
    LocalCluster cluster(dataDir);
    QString error;
    bool startedNow = false;
    if (!cluster.start(&error, &startedNow)) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(error));
        return 1;
    }
    // A migrated database: the panel lists the bundled migrations as applied.
    const RunReport migrated =
        MigrationEngine(cluster.connectionOptions(), MigrationSet::bundled()).migrate();
    if (migrated.outcome != RunReport::Outcome::Ok) {
        std::fprintf(stderr, "bench: migrate failed: %s\n", qPrintable(migrated.error.toString()));
        return 1;
    }

    QProcess proxy;
    const int proxyPort =
        Bench::startDelayProxy(proxy, QStringLiteral(DELAYPROXY_BIN), cluster, rtt);
    if (proxyPort == 0) {
        std::fprintf(stderr, "bench: the delay proxy did not start\n");
        return 1;
    }
    struct Link
    {
        QString name;
        QString conninfo;
    };
    const QList<Link> links = {
        {QStringLiteral("local socket"),
         QStringLiteral("host=%1 port=%2 dbname=%3 user=%4")
             .arg(cluster.socketDir())
             .arg(cluster.port())
             .arg(LocalCluster::databaseName(), LocalCluster::superuser())},
        {QStringLiteral("%1 ms RTT").arg(rtt),
         QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=%3 sslmode=disable")
             .arg(proxyPort)
             .arg(LocalCluster::databaseName(), LocalCluster::superuser())}};

    QTemporaryDir shots;
    const QString self = QCoreApplication::applicationFilePath();
    out() << "bench_startup: " << runs << " runs each, medians, ms from process start; "
          << g_platform << " platform\n\n";
    out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("operation"), -44)
                 .arg(QStringLiteral("algoadmin"), 10)
                 .arg(QStringLiteral("peer"), 10)
                 .arg(QStringLiteral("ratio"), 7)
                 .arg(QStringLiteral("target"), 8);
    int failures = 0;
    for (const Link &link : links) {
        QList<double> paint, loaded, peerPaint, peerQuery;
        for (int run = 0; run < runs; ++run) {
            const Trace ours =
                traceProcess(QStringLiteral(ALGOADMIN_BIN),
                             {QStringLiteral("-d"), link.conninfo, QStringLiteral("--panel"),
                              QStringLiteral("schema"), QStringLiteral("--screenshot"),
                              shots.filePath(QStringLiteral("shot.png")),
                              QStringLiteral("--screenshot-delay"), QStringLiteral("1")});
            if (!ours.error.isEmpty() || ours.firstPaintMs < 0 || ours.panelLoadedMs < 0) {
                std::fprintf(stderr, "bench: algoadmin failed: %s\n", qPrintable(ours.error));
                return 1;
            }
            paint.append(ours.firstPaintMs);
            loaded.append(ours.panelLoadedMs);
            const Trace peer = traceProcess(self, {QStringLiteral("--peer-window")});
            peerPaint.append(peer.firstPaintMs);
            peerQuery.append(timeProcess(
                QStringLiteral("psql"),
                {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-d"), link.conninfo,
                 QStringLiteral("-c"),
                 QStringLiteral("SELECT version, name, applied_at, applied_by, total_ms FROM "
                                "algoadmin_schema_history ORDER BY version")}));
        }
        const auto row = [&](const QString &what, double ours, double peer, double target,
                             const QString &peerName) {
            out() << QStringLiteral("%1 %2 %3 %4 %5  (peer: %6)\n")
                         .arg(what, -44)
                         .arg(ours, 10, 'f', 0)
                         .arg(peer, 10, 'f', 0)
                         .arg(ours / peer, 6, 'f', 2)
                         .arg(QStringLiteral("< %1").arg(target), 8)
                         .arg(peerName);
            failures += ours >= target;
        };
        row(QStringLiteral("first painted window, ") + link.name, Bench::median(paint),
            Bench::median(peerPaint), 500, QStringLiteral("bare Qt window"));
        row(QStringLiteral("schema panel loaded, ") + link.name, Bench::median(loaded),
            Bench::median(peerQuery), 1000, QStringLiteral("psql reading the history"));
    }
    out() << (failures ? "\nsome targets missed\n" : "\nall targets met\n");
    proxy.kill();
    proxy.waitForFinished();
    if (startedNow)
        cluster.stop(&error);
    return 0;
}
