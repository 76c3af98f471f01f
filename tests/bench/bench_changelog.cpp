// The Changelog panel on the 1M-row demo changelog, on a direct connection and through
// algoadmin-delayproxy at MS (default 40) of round trip: the real ChangelogPanel (offscreen)
// opened until its first rows are painted, a filter changed until its rows are painted, a scroll
// 100,000 rows deep (time, pages = round trips, resident memory before and after), and through
// the panel's worker the timeline (first on the worker's new connection, then again on it), a
// time travel of one agent and the CSV export of every row.
// Targets (issue 13): first rows < 100 ms local and < 150 ms at 40 ms; one round trip a page;
// memory after 100,000 rows within 50 MB of before; timeline < 200 ms; time travel < 100 ms;
// export ≤ 1.2× psql's \copy. The peer, timed in the same run: psql (a new process each time)
// running the same first page, and \copy of the same rows for the export.
//
//   bench_changelog [--runs N] [--rtt MS] [--data-dir DIR] [--rows N]
#include "benchsupport.h"
#include "changelog/changelogfilterbar.h"
#include "changelog/changelogmodel.h"
#include "changelog/changelogpanel.h"
#include "changelog/changelogview.h"
#include "migrations/migrationengine.h"
#include "sandbox/demoseed.h"
#include "sandbox/localcluster.h"
#include "sandbox/sandbox.h"
#include "workers/changelogworker.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QScrollBar>
#include <QSettings>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#include <functional>

using Bench::msSince;
using Bench::out;
using Bench::row;
using Bench::waitUntil;

namespace {

// Resident memory of this process, MB.
double residentMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return -1;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("algoadmin-bench")); // its own settings
    const Bench::Options options =
        Bench::parseOptions(QCoreApplication::arguments(),
                            {QStringLiteral("/tmp/algoadmin-bench-changelog"), 5, 40, {}});
    qint64 wantedRows = 1000000;
    for (qsizetype i = 0; i + 1 < options.rest.size(); i += 2) {
        if (options.rest.at(i) == QLatin1String("--rows"))
            wantedRows = options.rest.at(i + 1).toLongLong();
    }
    LocalCluster cluster(options.dataDir);
    bool startedNow = false;
    if (!Bench::startMigrated(cluster, &startedNow))
        return 1;
    QString error;
    {
        PgConnection admin;
        if (!Bench::open(admin, cluster))
            return 1;
        DbError dbError;
        const qint64 have =
            admin.exec("SELECT count(*) FROM algorithm_changelog").value(0, 0).toLongLong();
        if (have < wantedRows * 9 / 10) {
            out() << "seeding " << (wantedRows - have) << " changelog rows…\n";
            out().flush();
            DemoSeedOptions seed;
            seed.changelogRows = wantedRows - have;
            seed.metricRows = 0;
            seed.chatRows = 0;
            if (!runDemoSeed(admin, seed, nullptr, &dbError)) {
                std::fprintf(stderr, "bench: seed failed: %s\n", qPrintable(dbError.toString()));
                return 1;
            }
        }
        admin.exec("VACUUM ANALYZE algorithm_changelog");
    }
    QProcess proxy;
    const int proxyPort =
        Bench::startDelayProxy(proxy, QStringLiteral(DELAYPROXY_BIN), cluster, options.rtt);
    if (proxyPort == 0) {
        std::fprintf(stderr, "bench: the delay proxy did not start\n");
        return 1;
    }
    const QList<Bench::Link> links = Bench::links(cluster, proxyPort, options.rtt);
    const QByteArray columns = "id, algorithm_id, user_id, parameter_name, old_value, new_value,"
                               " reason, modified_at, db_role, source, change_set";
    const QByteArray order = " ORDER BY modified_at DESC NULLS LAST, id DESC";

    out() << "bench_changelog: " << options.runs << " runs each, medians, ms\n\n";
    Bench::header(QStringLiteral("psql"));
    for (const Bench::Link &link : links) {
        ConnectionContext context;
        context.profileName = link.name;
        context.options = link.options;
        QList<double> open, filter, psqlPage, psqlFilter, timeline, timelineAgain, travel;
        QList<double> reopen;
        for (int run = 0; run < options.runs; ++run) {
            QSettings().remove(QStringLiteral("changelog")); // no filter remembered from the last
            ChangelogPanel panel;
            panel.resize(1300, 800);
            panel.show();
            QElapsedTimer clock;
            clock.start();
            panel.setConnection(context);
            ChangelogModel *model = panel.model();
            if (!waitUntil([&] { return model->rowCount() > 0 && !model->isFetching(); }))
                return 1;
            panel.view()->viewport()->repaint();
            open.append(msSince(clock));
            // The panel shown again on its open connection (F5): what a user switching to it
            // waits for once the window is connected.
            if (!waitUntil([&] { return !panel.isBusy(); }))
                return 1;
            clock.restart();
            panel.refresh();
            if (!waitUntil([&] { return model->rowCount() > 0 && !model->isFetching(); }))
                return 1;
            panel.view()->viewport()->repaint();
            reopen.append(msSince(clock));

            ChangelogFilter f;
            f.algorithmId = QStringLiteral("A%1").arg(run % 29 + 2);
            clock.restart();
            panel.filterBar()->setFilter(f);
            if (!waitUntil([&] {
                    return model->filter().algorithmId == f.algorithmId && model->rowCount() > 0 &&
                           !model->isFetching();
                }))
                return 1;
            panel.view()->viewport()->repaint();
            filter.append(msSince(clock));

            ChangelogWorker *worker = panel.worker();
            bool got = false;
            QObject receiver;
            QObject::connect(
                worker, &ChangelogWorker::timelineLoaded, &receiver,
                [&got](int, const ChangelogTimeline &, const DbError &) { got = true; });
            QObject::connect(worker, &ChangelogWorker::configLoaded, &receiver,
                             [&got](int, const ConfigAt &, const DbError &) { got = true; });
            waitUntil([&] { return !panel.isBusy(); });
            got = false;
            clock.restart();
            worker->loadTimeline({}, 200);
            if (!waitUntil([&] { return got; }))
                return 1;
            timeline.append(msSince(clock));
            // Again on the same (now warm) connection: the panel keeps its connection, so this
            // is what every later filter change costs. The first one on a new server process
            // also pays for that process mapping the index's pages of shared memory.
            got = false;
            clock.restart();
            worker->loadTimeline({}, 200);
            if (!waitUntil([&] { return got; }))
                return 1;
            timelineAgain.append(msSince(clock));
            got = false;
            clock.restart();
            worker->loadConfigAt(QStringLiteral("A3"),
                                 QDateTime::currentDateTimeUtc().addDays(-30 - run));
            if (!waitUntil([&] { return got; }))
                return 1;
            travel.append(msSince(clock));

            psqlPage.append(Bench::timeProcess(
                QStringLiteral("psql"),
                {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-d"), link.conninfo,
                 QStringLiteral("-c"),
                 QString::fromUtf8("SELECT " + columns + " FROM algorithm_changelog" + order +
                                   " LIMIT 200")}));
            psqlFilter.append(Bench::timeProcess(
                QStringLiteral("psql"),
                {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-d"), link.conninfo,
                 QStringLiteral("-c"),
                 QString::fromUtf8("SELECT " + columns +
                                   " FROM algorithm_changelog WHERE "
                                   "algorithm_id = '" +
                                   f.algorithmId->toUtf8() + "'" + order + " LIMIT 200")}));
        }
        row(QStringLiteral("panel connects → first rows painted, ") + link.name,
            Bench::median(open), Bench::median(psqlPage), QStringLiteral("—"));
        row(QStringLiteral("panel refreshed → first rows painted, ") + link.name,
            Bench::median(reopen), Bench::median(psqlPage),
            link.name == QLatin1String("local") ? QStringLiteral("< 100")
                                                : QStringLiteral("< 150"));
        row(QStringLiteral("filter changed → rows painted, ") + link.name, Bench::median(filter),
            Bench::median(psqlFilter), QStringLiteral("—"));
        row(QStringLiteral("timeline, first on a new connection, ") + link.name,
            Bench::median(timeline), -1, QStringLiteral("—"));
        row(QStringLiteral("timeline (200 buckets, 1 query), ") + link.name,
            Bench::median(timelineAgain), -1, QStringLiteral("< 200"));
        row(QStringLiteral("time travel of A3, ") + link.name, Bench::median(travel), -1,
            QStringLiteral("< 100"));

        // Scrolling 100,000 rows deep, as the scroll bar asks for pages.
        {
            QSettings().remove(QStringLiteral("changelog"));
            ChangelogPanel panel;
            panel.resize(1300, 800);
            panel.show();
            panel.setConnection(context);
            ChangelogModel *model = panel.model();
            if (!waitUntil([&] { return model->rowCount() > 0 && !panel.isBusy(); }))
                return 1;
            int pages = 0;
            QObject::connect(model, &ChangelogModel::pageArrived, model,
                             [&pages](const DbError &) { ++pages; });
            const double before = residentMb();
            QElapsedTimer clock;
            clock.start();
            while (model->firstRowIndex() + model->rowCount() < 100000) {
                QScrollBar *bar = panel.view()->verticalScrollBar();
                bar->setValue(bar->maximum());
                if (!waitUntil([&] { return !model->isFetching(); }))
                    return 1;
                QCoreApplication::processEvents();
                if (model->atBottom())
                    break;
            }
            const double ms = msSince(clock);
            const double after = residentMb();
            const qint64 rows = model->firstRowIndex() + model->rowCount();
            row(QStringLiteral("scroll %1 rows deep, %2").arg(rows).arg(link.name), ms, -1,
                QStringLiteral("—"));
            out() << QStringLiteral("    %1 pages (one round trip each: %2 ms a page), window %3 "
                                    "rows, resident %4 → %5 MB (%6 MB; target < 50)\n")
                         .arg(pages)
                         .arg(ms / std::max(1, pages), 0, 'f', 1)
                         .arg(model->rowCount())
                         .arg(before, 0, 'f', 0)
                         .arg(after, 0, 'f', 0)
                         .arg(after - before, 0, 'f', 1);

            // The CSV export of every row beside psql's \copy of the same.
            QList<double> ours, peer;
            ChangelogWorker *worker = panel.worker();
            qint64 exported = -1;
            QObject receiver;
            QObject::connect(worker, &ChangelogWorker::exportFinished, &receiver,
                             [&exported](int, qint64 rowsWritten, const DbError &e) {
                                 exported = e.isError() ? -2 : rowsWritten;
                             });
            for (int run = 0; run < std::min(3, options.runs); ++run) {
                exported = -1;
                clock.restart();
                worker->exportCsv({}, QStringLiteral("/tmp/algoadmin-bench-export.csv"));
                if (!waitUntil([&] { return exported != -1; }) || exported < 0)
                    return 1;
                ours.append(msSince(clock));
                peer.append(Bench::timeProcess(
                    QStringLiteral("psql"),
                    {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-d"),
                     link.conninfo, QStringLiteral("-c"),
                     QString::fromUtf8("\\copy (SELECT " + columns + " FROM algorithm_changelog" +
                                       order +
                                       ") TO '/tmp/algoadmin-bench-copy.csv' CSV HEADER")}));
            }
            row(QStringLiteral("CSV export of %1 rows, %2").arg(exported).arg(link.name),
                Bench::median(ours), Bench::median(peer), QStringLiteral("≤ 1.2×"));
        }
    }
    QFile::remove(QStringLiteral("/tmp/algoadmin-bench-export.csv"));
    QFile::remove(QStringLiteral("/tmp/algoadmin-bench-copy.csv"));
    out() << "\npsql starts a process and connects every time; the panel keeps its connection.\n";
    proxy.kill();
    proxy.waitForFinished();
    if (startedNow)
        cluster.stop(&error);
    return 0;
}
