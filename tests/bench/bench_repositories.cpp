// The repositories' reads on the big demo data (seed-demo --changelog-rows 1000000
// --metric-rows 10000000): the first changelog page unfiltered and filtered, a page 500,000 rows
// deep through the keyset cursor, the planner's row estimate, a 30-day metric series in 1,000
// buckets, a change's impact and a chat page; then a CSV export of the whole changelog with the
// process's peak memory before and after. Targets: each under 50 ms, at most 2 round trips.
//
//   bench_repositories [--data-dir DIR] [--runs N] [--rtt MS]
//
// DIR (default /tmp/algoadmin-bench-reads) keeps the seeded cluster between runs, so only the
// first run pays the ~85 s of seeding. Times are medians of N runs (default 5) of a repeated
// read on a direct Unix-socket connection, the statement already prepared (as a panel
// re-reads). Round trips are measured, not assumed: the same read through algoadmin-delayproxy
// with MS (default 50) of round-trip time, (delayed - direct) / MS.
#include "benchsupport.h"
#include "db/pgconnection.h"
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/agentrepository.h"
#include "repositories/changelogrepository.h"
#include "repositories/chatrepository.h"
#include "repositories/metricsrepository.h"
#include "repositories/parameterrepository.h"
#include "sandbox/localcluster.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

// VmHWM of /proc/self/status, in kB.
qint64 peakResidentKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

bool runTool(const QStringList &arguments, QString *output)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(ALGOADMIN_BIN), arguments);
    process.waitForFinished(-1);
    *output = QString::fromUtf8(process.readAll());
    return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

// The repositories of one connection.
struct Readers
{
    QSqlDatabase database;
    std::unique_ptr<ChangelogRepository> changelog;
    std::unique_ptr<MetricsRepository> metrics;
    std::unique_ptr<ChatRepository> chat;
    std::unique_ptr<AgentRepository> agents;
    std::unique_ptr<ParameterRepository> parameters;
};

bool openReaders(Readers &readers, const ConnectionOptions &options, const QString &name)
{
    DbError error;
    readers.database = SqlDatabase::open(options, name, &error);
    if (!readers.database.isOpen()) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(error.toString()));
        return false;
    }
    readers.changelog = std::make_unique<ChangelogRepository>(readers.database);
    readers.metrics = std::make_unique<MetricsRepository>(readers.database);
    readers.chat = std::make_unique<ChatRepository>(readers.database);
    readers.agents = std::make_unique<AgentRepository>(readers.database);
    readers.parameters = std::make_unique<ParameterRepository>(readers.database);
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    const Bench::Options options =
        Bench::parseOptions(arguments, {QStringLiteral("/tmp/algoadmin-bench-reads"), 5, 50, {}});
    const QString dataDir = options.dataDir;
    const int runs = options.runs;
    const int rtt = options.rtt;

    qputenv("ALGOADMIN_LOCAL_UNSAFE_FAST", "1");
    LocalCluster cluster(dataDir);
    QString error;
    bool startedNow = false;
    out() << "private PostgreSQL in " << cluster.dataDir() << " …\n";
    out().flush();
    if (!cluster.start(&error, &startedNow)) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(error));
        return 1;
    }
    const QString url = cluster.url();
    QString output;
    if (!runTool({QStringLiteral("migrate"), QStringLiteral("-d"), url}, &output)) {
        std::fprintf(stderr, "bench: migrate failed:\n%s\n", qPrintable(output));
        return 1;
    }
    PgConnection admin;
    DbError dbError;
    if (!admin.open(cluster.connectionOptions(), &dbError)) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(dbError.toString()));
        return 1;
    }
    const qint64 changelogRows =
        admin.exec("SELECT count(*) FROM algorithm_changelog").value(0, 0).toLongLong();
    if (changelogRows < 1000000) {
        out() << "seeding 1,000,000 changelog and 10,000,000 metric rows (about 85 s) …\n";
        out().flush();
        QElapsedTimer seeding;
        seeding.start();
        if (!runTool({QStringLiteral("seed-demo"), QStringLiteral("-d"), url,
                      QStringLiteral("--changelog-rows"), QStringLiteral("1000000"),
                      QStringLiteral("--metric-rows"), QStringLiteral("10000000")},
                     &output)) {
            std::fprintf(stderr, "bench: seed-demo failed:\n%s\n", qPrintable(output));
            return 1;
        }
        admin.exec("VACUUM ANALYZE");
        out() << "seeded in " << seeding.elapsed() / 1000 << " s\n";
    }
    const QString serverVersion = admin.exec("SHOW server_version").value(0, 0);
    const qint64 rowsNow =
        admin.exec("SELECT count(*) FROM algorithm_changelog").value(0, 0).toLongLong();
    const qint64 metricRows =
        admin.exec("SELECT count(*) FROM algorithm_metrics").value(0, 0).toLongLong();

    // The inputs, found once (not timed): the cursor of row 500,000, a metric and its last
    // 30 days, a change of that algorithm inside them.
    const PgResult deep = admin.exec("SELECT modified_at::text, id FROM algorithm_changelog"
                                     " ORDER BY modified_at DESC, id DESC OFFSET 499999 LIMIT 1");
    const ChangelogCursor deepCursor{deep.value(0, 0), deep.value(0, 1)};
    const QString metric =
        admin.exec("SELECT min(metric_name) FROM algorithm_metrics WHERE algorithm_id = 'A1'")
            .value(0, 0);
    const QDateTime metricEnd =
        SqlTimestamp::fromSql(admin
                                  .exec("SELECT max(recorded_at)::text FROM algorithm_metrics"
                                        " WHERE algorithm_id = 'A1' AND metric_name = $1",
                                        {metric.toUtf8()})
                                  .value(0, 0));
    const QDateTime metricStart = metricEnd.addDays(-30);
    const PgResult changeRow = admin.exec(
        "SELECT id, modified_at::text FROM algorithm_changelog WHERE algorithm_id = 'A1'"
        " AND modified_at >= $1::timestamp + interval '7 days' ORDER BY modified_at LIMIT 1",
        {SqlTimestamp::toSql(metricStart).toUtf8()});
    ChangelogEntry change;
    change.id = changeRow.value(0, 0);
    change.algorithmId = QStringLiteral("A1");
    change.modifiedAtText = changeRow.value(0, 1);
    change.modifiedAt = SqlTimestamp::fromSql(change.modifiedAtText);

    // The delay proxy, in front of the cluster's socket.
    QProcess proxy;
    const int proxyPort =
        Bench::startDelayProxy(proxy, QStringLiteral(DELAYPROXY_BIN), cluster, rtt);
    if (proxyPort == 0) {
        std::fprintf(stderr, "bench: the delay proxy did not start\n");
        return 1;
    }
    ConnectionOptions delayedOptions;
    delayedOptions.database = QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=%3"
                                             " sslmode=disable")
                                  .arg(proxyPort)
                                  .arg(LocalCluster::databaseName(), LocalCluster::superuser());

    Readers direct;
    Readers delayed;
    if (!openReaders(direct, cluster.connectionOptions(), QStringLiteral("direct")) ||
        !openReaders(delayed, delayedOptions, QStringLiteral("delayed")))
        return 1;

    struct Operation
    {
        QString name;
        std::function<bool(Readers &, QString *)> run; // false with a message on failure
        int maxRoundTrips = 2;                         // the target: reads 2, apply 3
    };
    // Ten numeric parameters that the apply benchmark flips between their default and another
    // valid value; `values` follows what each apply wrote, so every apply starts from the truth.
    QList<Parameter> tunable;
    {
        DbError e;
        for (const QString &agent : {QStringLiteral("A1"), QStringLiteral("A2"),
                                     QStringLiteral("A3"), QStringLiteral("A4")}) {
            for (const Parameter &parameter : direct.parameters->load(agent, &e)) {
                const bool numeric = parameter.kind == ParameterKind::Integer ||
                                     parameter.kind == ParameterKind::Decimal;
                if (numeric && parameter.valueValid && !parameter.minValue.isEmpty() &&
                    parameter.minValue != parameter.defaultValue && tunable.size() < 10)
                    tunable.append(parameter);
            }
        }
        if (tunable.size() < 10) {
            std::fprintf(stderr, "bench: fewer than 10 tunable parameters: %s\n",
                         qPrintable(e.toString()));
            return 1;
        }
    }
    QHash<QString, QString> values;
    for (const Parameter &parameter : std::as_const(tunable))
        values.insert(parameter.algorithmId + QLatin1Char('/') + parameter.name,
                      parameter.currentValue);
    const auto tenChanges = [&]() {
        QList<ParameterChange> changes;
        for (const Parameter &parameter : std::as_const(tunable)) {
            const QString key = parameter.algorithmId + QLatin1Char('/') + parameter.name;
            const QString from = values.value(key);
            const QString to =
                from == parameter.defaultValue ? parameter.minValue : parameter.defaultValue;
            changes.append({parameter.algorithmId, parameter.name, from, to});
        }
        return changes;
    };
    ChangelogFilter byAlgorithm;
    byAlgorithm.algorithmId = QStringLiteral("A7");
    ChangelogFilter byUser;
    byUser.userId = 3;
    ChangelogFilter byReason;
    byReason.reasonText = QStringLiteral("latency");
    const auto page = [](const ChangelogFilter &filter, std::optional<ChangelogCursor> cursor) {
        return [filter, cursor](Readers &r, QString *message) {
            DbError e;
            const auto p = r.changelog->page(filter, cursor, 100, &e);
            *message = p ? QStringLiteral("%1 rows").arg(p->entries.size()) : e.toString();
            return p.has_value();
        };
    };
    const QList<Operation> operations = {
        {QStringLiteral("agents: list, all 30"),
         [&](Readers &r, QString *message) {
             DbError e;
             const QList<Agent> list = r.agents->list({}, &e);
             *message = e.isError() ? e.toString() : QStringLiteral("%1 agents").arg(list.size());
             return !e.isError();
         }},
        {QStringLiteral("parameters: load agent A1"),
         [&](Readers &r, QString *message) {
             DbError e;
             const QList<Parameter> list = r.parameters->load(QStringLiteral("A1"), &e);
             *message =
                 e.isError() ? e.toString() : QStringLiteral("%1 parameters").arg(list.size());
             return !e.isError();
         }},
        {QStringLiteral("parameters: simulate 10 changes"),
         [&](Readers &r, QString *message) {
             DbError e;
             const SimulateResult result = r.parameters->simulate(
                 tenChanges(), QStringLiteral("benchmark: simulate ten changes"), 1, &e);
             *message = result.ok ? QStringLiteral("%1 changes, %2 configs")
                                        .arg(result.changes.size())
                                        .arg(result.configs.size())
                                  : e.toString();
             return result.ok;
         }},
        {QStringLiteral("parameters: apply 10 changes"),
         [&](Readers &r, QString *message) {
             const QList<ParameterChange> changes = tenChanges();
             DbError e;
             const ApplyResult result = r.parameters->apply(
                 changes, QStringLiteral("benchmark: apply ten changes"), 1, &e);
             *message = result.ok
                            ? QStringLiteral("%1 changes committed").arg(result.changes.size())
                            : e.toString();
             if (result.ok) {
                 for (const ParameterChange &change : changes)
                     values.insert(change.algorithmId + QLatin1Char('/') + change.name, change.to);
             }
             return result.ok;
         },
         3},
        {QStringLiteral("changelog: first page (100), unfiltered"), page({}, std::nullopt)},
        {QStringLiteral("changelog: first page, algorithm A7"), page(byAlgorithm, std::nullopt)},
        {QStringLiteral("changelog: first page, user 3"), page(byUser, std::nullopt)},
        {QStringLiteral("changelog: first page, reason ILIKE %latency%"),
         page(byReason, std::nullopt)},
        {QStringLiteral("changelog: page 500,000 rows deep (cursor)"), page({}, deepCursor)},
        {QStringLiteral("changelog: estimateCount, algorithm A7"),
         [&](Readers &r, QString *message) {
             DbError e;
             const qint64 n = r.changelog->estimateCount(byAlgorithm, &e);
             *message = n >= 0 ? QStringLiteral("~%1 rows").arg(n) : e.toString();
             return n >= 0;
         }},
        {QStringLiteral("metrics: 30-day series, 1,000 buckets"),
         [&](Readers &r, QString *message) {
             DbError e;
             const auto s =
                 r.metrics->series(QStringLiteral("A1"), metric, metricStart, metricEnd, 1000, &e);
             *message = s ? QStringLiteral("%1 buckets").arg(s->size()) : e.toString();
             return s.has_value() && !s->isEmpty() && s->size() <= 1000;
         }},
        {QStringLiteral("metrics: impact of a change, 3-day window"),
         [&](Readers &r, QString *message) {
             DbError e;
             const auto i = r.metrics->impact(change, metric, 3 * 86400, &e);
             *message = i ? QStringLiteral("%1 + %2 rows").arg(i->countBefore).arg(i->countAfter)
                          : e.toString();
             return i.has_value();
         }},
        {QStringLiteral("chat: first page (50), A1"),
         [&](Readers &r, QString *message) {
             DbError e;
             const auto p = r.chat->page(QStringLiteral("A1"), std::nullopt, 50, &e);
             *message = p ? QStringLiteral("%1 rows").arg(p->messages.size()) : e.toString();
             return p.has_value();
         }},
    };

    out() << "\nAlgoAdmin repository reads: PostgreSQL " << serverVersion << ", " << rowsNow
          << " changelog rows, " << metricRows << " metric rows; median of " << runs
          << " repeated reads (statement prepared); round trips measured through "
          << "algoadmin-delayproxy at " << rtt << " ms RTT\n\n";
    out() << "| operation | result | median ms | round trips | target (<50 ms, <=2; apply <=3) |\n"
          << "|---|---|---:|---:|---|\n";
    out().flush();
    bool allMet = true;
    for (const Operation &op : operations) {
        QString message;
        // Warm up (prepares the statement, loads the pages) on both connections.
        if (!op.run(direct, &message) || !op.run(delayed, &message)) {
            std::fprintf(stderr, "bench: %s: %s\n", qPrintable(op.name), qPrintable(message));
            return 1;
        }
        QList<double> times;
        for (int i = 0; i < runs; ++i) {
            QElapsedTimer timer;
            timer.start();
            op.run(direct, &message);
            times.append(double(timer.nsecsElapsed()) / 1e6);
        }
        const double ms = Bench::median(times);
        QElapsedTimer timer;
        timer.start();
        op.run(delayed, &message);
        const double delayedMs = double(timer.nsecsElapsed()) / 1e6;
        const int roundTrips = int(std::lround((delayedMs - ms) / rtt));
        const bool met = ms < 50 && roundTrips <= op.maxRoundTrips;
        allMet = allMet && met;
        out() << "| " << op.name << " | " << message << " | " << QString::number(ms, 'f', 2)
              << " | " << roundTrips << " | " << (met ? "met" : "MISSED") << " |\n";
        out().flush();
    }

    // The whole changelog as CSV into /dev/null: time, and how far the peak resident memory
    // moved (a streamed export stays flat; one holding every row would add hundreds of MB).
    {
        QFile sink(QStringLiteral("/dev/null"));
        sink.open(QIODevice::WriteOnly);
        const qint64 peakBefore = peakResidentKb();
        QElapsedTimer timer;
        timer.start();
        int progressCalls = 0;
        DbError e;
        const qint64 exported = direct.changelog->exportCsv(
            {}, &sink,
            [&](qint64) {
                ++progressCalls;
                return true;
            },
            &e);
        const qint64 ms = timer.elapsed();
        out() << "\nCSV export of the whole changelog: " << exported << " rows in " << ms << " ms, "
              << progressCalls << " progress reports, peak resident memory " << peakBefore / 1024
              << " MB before, " << peakResidentKb() / 1024 << " MB after\n";
        if (exported < 0)
            std::fprintf(stderr, "bench: %s\n", qPrintable(e.toString()));
    }

    direct = {};
    delayed = {};
    SqlDatabase::close(QStringLiteral("direct"));
    SqlDatabase::close(QStringLiteral("delayed"));
    proxy.kill();
    proxy.waitForFinished();
    if (startedNow)
        cluster.stop(&error);
    return allMet ? 0 : 3;
}
