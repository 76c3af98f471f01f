// The Metrics panel on the big demo database (1M changelog and 10M metric rows), on a direct
// connection and through algoadmin-delayproxy at MS (default 40) of round trip. The real
// MetricsPanel (offscreen, 1600 × 900) on its open connection, each time until the chart is
// painted:
//   - the first chart of one metric over its whole range (the "All" preset: the metric's time
//     range, then its buckets);
//   - the same metric of all 30 agents overlaid (30 series in one request);
//   - a zoom step (2× around the middle: the visible range re-bucketed by the server);
//   - the impact of a change (the marker in the middle of the range) and, apart, the past
//     changes of its parameter;
// and, on the GUI thread alone, 30 curves of about 1,000 buckets each set on the chart and
// painted.
// Peers, timed in the same run: psql running the very same statements (MetricSql's texts with
// the panel's values as literals, after the same MetricSql::ReadSettings; a string of several
// statements is one round trip and one transaction, as the panel's pipeline is) — the floor
// every SQL-backed chart pays, Grafana's included — and, for
// the first chart, psql fetching the metric's raw rows as a tool without server-side buckets
// would. psql's own \timing is used, so its process start and connection are not counted: both
// sides are timed on an open connection.
// Targets (issue 14): the panel ≤ 1.2× psql's time for the same statements plus the chart's
// paint (the "against psql plus the chart's paint" rows; the plain ratio is printed too); a zoom
// < 150 ms at 40 ms; an impact < 100 ms; 30 series × 1,000 points set and painted < 50 ms.
//
//   bench_metrics [--runs N] [--rtt MS] [--data-dir DIR]
#include "benchsupport.h"
#include "db/sqltimestamp.h"
#include "metrics/metricchartview.h"
#include "metrics/metricspanel.h"
#include "migrations/migrationengine.h"
#include "repositories/metricsql.h"
#include "repositories/repositorysupport.h"
#include "sandbox/demoseed.h"
#include "sandbox/localcluster.h"
#include "sandbox/sandbox.h"
#include "workers/metricsworker.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QTimer>

#include <cstdio>

using Bench::msSince;
using Bench::out;
using Bench::row;
using Bench::waitUntil;

namespace {

// `sql` with each $n replaced by values[n - 1] as a quoted literal (a null value: NULL).
QString bound(const char *sql, const QList<QByteArray> &values)
{
    static const QRegularExpression placeholder(QStringLiteral("\\$(\\d+)"));
    QString text = QString::fromUtf8(sql);
    QString result;
    qsizetype last = 0;
    for (auto it = placeholder.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        result += QStringView(text).mid(last, match.capturedStart() - last);
        const QByteArray value = values.value(match.captured(1).toInt() - 1);
        result += value.isNull() ? QStringLiteral("NULL")
                                 : QLatin1Char('\'') +
                                       QString::fromUtf8(value).replace(QLatin1Char('\''),
                                                                        QStringLiteral("''")) +
                                       QLatin1Char('\'');
        last = match.capturedEnd();
    }
    result += QStringView(text).mid(last);
    return result;
}

// psql (one process, on one connection) running each of `commands` (a -c each; the statements
// of one command go as one message, one round trip): the sum of the times its \timing prints,
// ms; -1 (and why on stderr) when a command fails.
double psqlTimed(const QString &conninfo, const QStringList &commands)
{
    QStringList arguments{QStringLiteral("-X"), QStringLiteral("-q"),
                          QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                          QStringLiteral("-o"), QStringLiteral("/dev/null"),
                          QStringLiteral("-d"), conninfo,
                          QStringLiteral("-c"), QStringLiteral("\\timing on")};
    for (const QString &command : commands)
        arguments << QStringLiteral("-c") << command;
    QProcess psql;
    psql.start(QStringLiteral("psql"), arguments);
    if (!psql.waitForFinished(300000) || psql.exitCode() != 0) {
        std::fprintf(stderr, "bench: psql failed: %s\n", psql.readAllStandardError().constData());
        return -1;
    }
    static const QRegularExpression timing(QStringLiteral("^Time: ([0-9.]+) ms"),
                                           QRegularExpression::MultilineOption);
    double total = 0;
    int times = 0;
    for (auto it = timing.globalMatch(QString::fromUtf8(psql.readAllStandardOutput()));
         it.hasNext();) {
        total += it.next().captured(1).toDouble();
        ++times;
    }
    if (times != commands.size()) {
        std::fprintf(stderr, "bench: psql printed %d times for %d commands\n", times,
                     int(commands.size()));
        return -1;
    }
    return total;
}

QByteArray sqlTime(const QDateTime &at)
{
    return SqlTimestamp::toSql(at).toUtf8();
}

// MetricSql::ReadSettings first, as every batch of the panel's reads begins (one message: one
// implicit transaction, as the panel's pipeline up to its Sync).
QString readSettings(const QString &statements)
{
    return QString::fromUtf8(MetricSql::ReadSettings) + QStringLiteral(";\n") + statements;
}

// MetricSql::Series for the chart's curve of `agent` as the panel asked for it.
QString seriesSql(const QString &agent, const QString &metric, const QDateTime &from,
                  const QDateTime &to, qint64 bucketSeconds)
{
    return bound(MetricSql::Series, {QByteArray::number(bucketSeconds), sqlTime(from),
                                     agent.toUtf8(), metric.toUtf8(), sqlTime(from), sqlTime(to)});
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("algoadmin-bench")); // its own settings
    const Bench::Options options = Bench::parseOptions(
        QCoreApplication::arguments(), {QStringLiteral("/tmp/algoadmin-bench-reads"), 5, 40, {}});
    LocalCluster cluster(options.dataDir);
    bool startedNow = false;
    if (!Bench::startMigrated(cluster, &startedNow))
        return 1;
    QString error;
    const QString metric = QStringLiteral("latency_ms");
    QStringList agents;
    {
        PgConnection admin;
        if (!Bench::open(admin, cluster))
            return 1;
        DbError dbError;
        // The demo's full size, as bench_repositories seeds it (the same data directory).
        const qint64 metricRows =
            admin.exec("SELECT count(*) FROM algorithm_metrics").value(0, 0).toLongLong();
        const qint64 changelogRows =
            admin.exec("SELECT count(*) FROM algorithm_changelog").value(0, 0).toLongLong();
        if (metricRows < 9000000) {
            out() << "seeding 10,000,000 metric and 1,000,000 changelog rows (about 85 s) …\n";
            out().flush();
            DemoSeedOptions seed;
            seed.metricRows = 10000000 - metricRows;
            seed.changelogRows = std::max<qint64>(0, 1000000 - changelogRows);
            seed.chatRows = 0;
            if (!runDemoSeed(admin, seed, nullptr, &dbError)) {
                std::fprintf(stderr, "bench: seed failed: %s\n", qPrintable(dbError.toString()));
                return 1;
            }
            admin.exec("VACUUM ANALYZE");
        }
        const PgResult ids = admin.exec("SELECT algorithm_id FROM algorithm_agents"
                                        " ORDER BY length(algorithm_id), algorithm_id");
        for (int i = 0; i < ids.rows(); ++i)
            agents.append(ids.value(i, 0));
        out() << "data: "
              << admin.exec("SELECT count(*) FROM algorithm_metrics").value(0, 0).toLongLong()
              << " metric rows, "
              << admin.exec("SELECT count(*) FROM algorithm_changelog").value(0, 0).toLongLong()
              << " changelog rows, " << agents.size() << " agents\n";
    }
    // The agents that have the metric, for the single-agent charts.
    QStringList withMetric;
    {
        PgConnection admin;
        if (!Bench::open(admin, cluster))
            return 1;
        for (const QString &agent : agents) {
            if (admin
                    .exec(QStringLiteral("SELECT 1 FROM algorithm_metrics WHERE algorithm_id = "
                                         "'%1' AND metric_name = '%2' LIMIT 1")
                              .arg(agent, metric)
                              .toUtf8())
                    .rows() > 0)
                withMetric.append(agent);
        }
    }
    if (withMetric.isEmpty()) {
        std::fprintf(stderr, "bench: no agent has %s\n", qPrintable(metric));
        return 1;
    }

    QProcess proxy;
    const int proxyPort =
        Bench::startDelayProxy(proxy, QStringLiteral(DELAYPROXY_BIN), cluster, options.rtt);
    if (proxyPort == 0) {
        std::fprintf(stderr, "bench: the delay proxy did not start\n");
        return 1;
    }
    const QList<Bench::Link> links = Bench::links(cluster, proxyPort, options.rtt);

    out() << "bench_metrics: " << metric << ", " << options.runs
          << " runs each, medians, ms; psql = the same statements on its open connection\n\n";
    Bench::header(QStringLiteral("psql"));
    for (const Bench::Link &link : links) {
        ConnectionContext context;
        context.profileName = link.name;
        context.options = link.options;
        QSettings().remove(QStringLiteral("metrics"));
        MetricsPanel panel;
        panel.resize(1600, 900);
        panel.show();
        MetricChartView *chart = panel.chart();
        int loads = 0;
        QObject::connect(&panel, &Panel::loaded, &panel, [&loads] { ++loads; });
        bool impactIn = false;
        QObject::connect(panel.worker(), &MetricsWorker::impactLoaded, &panel,
                         [&impactIn](int, const ChangelogEntry &, const MetricImpact &,
                                     const DbError &e) { impactIn = !e.isError(); });
        panel.setConnection(context);
        if (!waitUntil([&] { return !panel.isBusy() && chart->curveCount() > 0; }))
            return 1;
        // Times one step: `start` begins it, the chart's answer (a `loaded`) ends it, painted
        // (that paint alone: lastPaint).
        double lastPaint = 0;
        auto timed = [&](const std::function<void()> &start) -> double {
            if (!waitUntil([&] { return !panel.isBusy(); }))
                return -1;
            const int before = loads;
            QElapsedTimer clock;
            clock.start();
            start();
            if (!waitUntil([&] { return loads > before; }))
                return -1;
            QElapsedTimer painting;
            painting.start();
            chart->viewport()->repaint();
            lastPaint = msSince(painting);
            const double ms = msSince(clock);
            return waitUntil([&] { return !panel.isBusy(); }) ? ms : -1;
        };
        QList<double> first, firstPsql, raw, overlay, overlayPsql, zoom, zoomPsql, impact,
            impactPsql, history, paint, paintOnly, firstPaint, zoomPaint;
        qint64 firstPoints = 0, overlayPoints = 0, overlayCurves = 0, rawRows = 0, paintPoints = 0,
               markers = 0;
        for (int run = 0; run < options.runs; ++run) {
            const QString agent = withMetric.at(run % withMetric.size());
            if (!waitUntil([&] { return !panel.isBusy(); }) || !panel.selectAgent(agent) ||
                !waitUntil([&] { return !panel.isBusy(); }) || !panel.selectMetric(metric) ||
                !waitUntil([&] { return !panel.isBusy(); }) || panel.metric() != metric) {
                std::fprintf(stderr, "bench: could not show %s of %s\n", qPrintable(metric),
                             qPrintable(agent));
                return 1;
            }
            panel.setCompareAgents({});

            // 1. The whole range of one metric.
            first.append(timed([&] { panel.setPreset(MetricsPanel::Preset::All); }));
            firstPaint.append(lastPaint);
            // ALGOADMIN_GRAB_DIR: the panel with the whole range, to look at (bench-metrics-0.png
            // local, -1 at the round trip).
            if (const QString dir = qEnvironmentVariable("ALGOADMIN_GRAB_DIR");
                !dir.isEmpty() && run == 0)
                panel.grab().save(
                    dir + QStringLiteral("/bench-metrics-%1.png").arg(int(&link - links.data())));
            const QDateTime from = chart->rangeFrom();
            const QDateTime to = chart->rangeTo();
            const ChartCurve main = chart->curve(0);
            firstPoints = main.buckets.size();
            markers = panel.markerGroups().size();
            rawRows = 0;
            for (const MetricBucket &bucket : main.buckets)
                rawRows += bucket.count + bucket.excluded;
            firstPsql.append(psqlTimed(
                link.conninfo,
                {readSettings(bound(MetricSql::Extent, {agent.toUtf8(), metric.toUtf8()})),
                 readSettings(seriesSql(agent, metric, from, to, main.bucketSeconds))}));
            raw.append(psqlTimed(
                link.conninfo,
                {QStringLiteral("SELECT recorded_at, metric_value FROM algorithm_metrics"
                                " WHERE algorithm_id = '%1' AND metric_name = '%2'"
                                " AND recorded_at >= '%3' AND recorded_at < '%4'"
                                " ORDER BY recorded_at")
                     .arg(agent, metric, SqlTimestamp::toSql(from), SqlTimestamp::toSql(to))}));

            // 2. All 30 agents overlaid: the panel's 30 series in one request.
            QStringList others = agents;
            others.removeAll(agent);
            overlay.append(timed([&] { panel.setCompareAgents(others); }));
            QStringList statements;
            overlayPoints = overlayCurves = 0;
            for (int slot : chart->curveSlots()) {
                const ChartCurve curve = chart->curve(slot);
                overlayPoints += curve.buckets.size();
                overlayCurves += curve.buckets.isEmpty() ? 0 : 1;
            }
            statements.append(seriesSql(agent, metric, from, to, main.bucketSeconds));
            for (const QString &other : others)
                statements.append(seriesSql(other, metric, from, to, main.bucketSeconds));
            overlayPsql.append(
                psqlTimed(link.conninfo, {readSettings(statements.join(QStringLiteral(";\n")))}));

            // 3. The GUI thread alone: 30 curves of the real buckets set and painted.
            {
                QList<ChartCurve> full;
                for (int slot : chart->curveSlots()) {
                    if (!chart->curve(slot).buckets.isEmpty())
                        full.append(chart->curve(slot));
                }
                chart->clearCurves();
                chart->viewport()->repaint();
                paintPoints = 0;
                QElapsedTimer clock;
                clock.start();
                QMap<int, ChartCurve> thirty;
                for (int i = 0; i < 30; ++i) {
                    ChartCurve curve = full.at(i % full.size());
                    curve.label = QStringLiteral("curve %1").arg(i);
                    curve.band = i == 0;
                    paintPoints += curve.buckets.size();
                    thirty.insert(i, curve);
                }
                chart->setCurves(thirty); // as the panel does when the answer arrives
                chart->viewport()->repaint();
                paint.append(msSince(clock));
                clock.restart();
                chart->viewport()->repaint();
                paintOnly.append(msSince(clock));
            }
            panel.setCompareAgents({});
            if (!waitUntil([&] { return !panel.isBusy(); }))
                return 1;

            // 4. A zoom step: 2× around the middle.
            zoom.append(timed([&] { chart->zoomBy(2.0); }));
            zoomPaint.append(lastPaint);
            zoomPsql.append(psqlTimed(
                link.conninfo,
                {readSettings(seriesSql(agent, metric, chart->rangeFrom(), chart->rangeTo(),
                                        chart->curve(0).bucketSeconds))}));

            // 5. The impact of the change in the middle, and its parameter's past changes.
            const QList<QList<ChangelogEntry>> groups = panel.markerGroups();
            if (groups.isEmpty()) {
                std::fprintf(stderr, "bench: no change of %s in range\n", qPrintable(agent));
                return 1;
            }
            const ChangelogEntry change = groups.at(groups.size() / 2).constFirst();
            impactIn = false;
            QElapsedTimer clock;
            clock.start();
            panel.selectMarker(int(groups.size() / 2));
            if (!waitUntil([&] { return impactIn; }))
                return 1;
            QCoreApplication::processEvents(); // the pane shows it
            impact.append(msSince(clock));
            if (!waitUntil([&] { return !panel.isBusy(); }))
                return 1;
            history.append(msSince(clock));
            const QList<QByteArray> values{
                change.algorithmId.toUtf8(),
                (change.modifiedAtText.isEmpty() ? SqlTimestamp::toSql(change.modifiedAt)
                                                 : change.modifiedAtText)
                    .toUtf8(),
                QByteArray::number(24 * 3600),
                RepositorySupport::textArray({metric}),
                change.changeSet.isNull() ? QByteArray() : change.changeSet.toUtf8(),
                change.id.toUtf8(),
                QByteArray(),
                QByteArray()};
            impactPsql.append(
                psqlTimed(link.conninfo,
                          {readSettings(bound(MetricSql::Impacts, values) + QStringLiteral(";\n") +
                                        bound(MetricSql::OthersInWindow, values))}));
        }
        for (const QList<double> *times : {&first, &overlay, &zoom}) {
            if (times->contains(-1.0))
                return 1;
        }
        const QString at = QStringLiteral(", ") + link.name;
        row(QStringLiteral("first chart, whole range (%1 buckets)").arg(firstPoints) + at,
            Bench::median(first), Bench::median(firstPsql), QStringLiteral("—"));
        row(QStringLiteral("  against psql plus the chart's paint (%1 ms)")
                    .arg(Bench::median(firstPaint), 0, 'f', 1) +
                at,
            Bench::median(first), Bench::median(firstPsql) + Bench::median(firstPaint),
            QStringLiteral("≤ 1.2×"));
        row(QStringLiteral("  psql fetching its raw rows instead") + at, Bench::median(first),
            Bench::median(raw), QStringLiteral("—"));
        row(QStringLiteral("30 agents overlaid (%1 with data, %2 buckets)")
                    .arg(overlayCurves)
                    .arg(overlayPoints) +
                at,
            Bench::median(overlay), Bench::median(overlayPsql), QStringLiteral("≤ 1.2×"));
        row(QStringLiteral("zoom 2× (re-bucketed by the server)") + at, Bench::median(zoom),
            Bench::median(zoomPsql),
            link.name == QLatin1String("local") ? QStringLiteral("—") : QStringLiteral("< 150"));
        row(QStringLiteral("  against psql plus the chart's paint (%1 ms)")
                    .arg(Bench::median(zoomPaint), 0, 'f', 1) +
                at,
            Bench::median(zoom), Bench::median(zoomPsql) + Bench::median(zoomPaint),
            QStringLiteral("≤ 1.2×"));
        row(QStringLiteral("impact of a change, 24 h windows") + at, Bench::median(impact),
            Bench::median(impactPsql), QStringLiteral("< 100"));
        row(QStringLiteral("  and its parameter's 20 past changes") + at, Bench::median(history),
            -1, QStringLiteral("—"));
        row(QStringLiteral("30 curves (%1 buckets) set + painted, GUI").arg(paintPoints) + at,
            Bench::median(paint), -1, QStringLiteral("< 50"));
        row(QStringLiteral("  repainted only") + at, Bench::median(paintOnly), -1,
            QStringLiteral("—"));
        out() << QStringLiteral("    the whole range: %1 rows in %2 buckets, %3 change markers\n")
                     .arg(rawRows)
                     .arg(firstPoints)
                     .arg(markers);
        out().flush();
    }
    proxy.kill();
    proxy.waitForFinished();
    if (startedNow)
        cluster.stop(&error);
    return 0;
}
