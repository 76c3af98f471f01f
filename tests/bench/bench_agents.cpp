// The Agents panel's two hot paths, on a direct connection and through algoadmin-delayproxy at
// MS (default 40) of round trip: selecting an agent in the real AgentsPanel (offscreen) until
// its parameters are in the editor's table (row, parameters and config drift in one request),
// and applying 10 changes through an AgentWorker on its own thread (what the panel's Apply
// sends, without the reason dialog) until the answer is back on the GUI thread. Targets: under 100
// ms and 200 ms. The peer, timed in the same run: psql doing the same (the parameter query; the 10
// audited UPDATEs in one transaction), each a new process.
//
//   bench_agents [--runs N] [--rtt MS] [--data-dir DIR]
#include "agents/agentspanel.h"
#include "benchsupport.h"
#include "migrations/migrationengine.h"
#include "parameters/parametereditor.h"
#include "sandbox/demoseed.h"
#include "sandbox/localcluster.h"
#include "sandbox/sandbox.h"
#include "workers/agentworker.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <cstdio>

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

// Waits (running the event loop) for `signal` of `object`; false after 30 s.
template <typename Signal> bool waitFor(AgentWorker *object, Signal signal)
{
    QEventLoop loop;
    QObject::connect(object, signal, &loop, &QEventLoop::quit);
    QTimer::singleShot(30000, &loop, [&loop] { loop.exit(1); });
    return loop.exec() == 0;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    const Bench::Options options =
        Bench::parseOptions(arguments, {QStringLiteral("/tmp/algoadmin-bench-agents"), 9, 40, {}});
    const QString dataDir = options.dataDir;
    const int runs = options.runs;
    const int rtt = options.rtt;
    LocalCluster cluster(dataDir);
    bool startedNow = false;
    // Migrated and seeded (a small seed: the agents and their parameters are what counts).
    if (!Bench::startMigrated(cluster, &startedNow))
        return 1;
    QString error;
    {
        PgConnection admin;
        DbError dbError;
        if (!admin.open(cluster.connectionOptions(), &dbError)) {
            std::fprintf(stderr, "bench: %s\n", qPrintable(dbError.toString()));
            return 1;
        }
        if (admin.exec("SELECT count(*) FROM algorithm_agents").value(0, 0).toInt() == 0) {
            DemoSeedOptions options;
            options.changelogRows = 1000;
            options.metricRows = 1000;
            options.chatRows = 10;
            if (!runDemoSeed(admin, options, nullptr, &dbError)) {
                std::fprintf(stderr, "bench: seed failed: %s\n", qPrintable(dbError.toString()));
                return 1;
            }
        }
    }

    QProcess proxy;
    const int proxyPort =
        Bench::startDelayProxy(proxy, QStringLiteral(DELAYPROXY_BIN), cluster, rtt);
    if (proxyPort == 0) {
        std::fprintf(stderr, "bench: the delay proxy did not start\n");
        return 1;
    }

    out() << "bench_agents: " << runs
          << " runs each, medians, ms; select in the AgentsPanel (offscreen), apply through"
             " AgentWorker\n\n";
    out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("operation"), -46)
                 .arg(QStringLiteral("algoadmin"), 10)
                 .arg(QStringLiteral("psql"), 8)
                 .arg(QStringLiteral("ratio"), 7)
                 .arg(QStringLiteral("target"), 8);
    const QList<Bench::Link> links = Bench::links(
        cluster, proxyPort, rtt, QStringLiteral("local socket"), QStringLiteral(" RTT"));
    for (const Bench::Link &link : links) {
        auto *worker = new AgentWorker;
        worker->start();
        worker->setConnection(link.options);
        if (!waitFor(worker, &AgentWorker::connectionOpened)) {
            std::fprintf(stderr, "bench: the worker did not connect\n");
            return 1;
        }
        QList<double> select, applyTimes, psqlSelect, psqlApply;
        // Ten numeric parameters (of several agents: one has 4 to 7), moved each run between
        // their value and a bound by the worker, and back by psql.
        QList<ParameterChange> changes;
        {
            PgConnection admin;
            DbError dbError;
            if (!admin.open(cluster.connectionOptions(), &dbError))
                return 1;
            const PgResult rows = admin.exec(
                "SELECT algorithm_id, parameter_name, current_value,"
                " CASE WHEN current_value = min_value THEN max_value ELSE min_value END"
                " FROM algorithm_parameters WHERE parameter_type IN ('integer', 'float')"
                " AND min_value IS NOT NULL AND max_value IS NOT NULL"
                " AND current_value IS NOT NULL ORDER BY algorithm_id, parameter_name LIMIT 10");
            for (int row = 0; row < rows.rows(); ++row)
                changes.append({rows.value(row, 0), rows.value(row, 1), rows.value(row, 2),
                                rows.value(row, 3)});
        }
        if (changes.size() < 10) {
            std::fprintf(stderr, "bench: fewer than 10 bounded numeric parameters\n");
            return 1;
        }
        // The panel as the window shows it.
        AgentsPanel panel;
        panel.resize(1200, 760);
        panel.show();
        ConnectionContext context;
        context.profileName = link.name;
        context.options = link.options;
        QEventLoop ready;
        QObject::connect(&panel, &Panel::loaded, &ready, &QEventLoop::quit);
        QTimer::singleShot(30000, &ready, [&ready] { ready.exit(1); });
        panel.setConnection(context);
        if (ready.exec() != 0) {
            std::fprintf(stderr, "bench: the Agents panel did not load\n");
            return 1;
        }
        for (int run = 0; run < runs; ++run) {
            const QString agent = QStringLiteral("A%1").arg(run % 29 + 2); // A1 is shown first
            QEventLoop shown;
            QObject::connect(panel.parameterEditor(), &ParameterEditor::parametersShown, &shown,
                             [&shown, &agent](const Agent &a) {
                                 if (a.algorithmId == agent)
                                     shown.quit();
                             });
            QTimer::singleShot(30000, &shown, [&shown] { shown.exit(1); });
            QElapsedTimer clock;
            clock.start();
            if (!panel.selectAgent(agent) || shown.exec() != 0) {
                std::fprintf(stderr, "bench: %s was not shown\n", qPrintable(agent));
                return 1;
            }
            select.append(double(clock.nsecsElapsed()) / 1e6);

            clock.restart();
            worker->apply(changes, QStringLiteral("bench apply"), 1);
            bool appliedOk = false;
            QObject receiver; // on this thread: the answer is read here
            QObject::connect(
                worker, &AgentWorker::applied, &receiver,
                [&appliedOk](int, const ApplyResult &result) { appliedOk = result.ok; });
            if (!waitFor(worker, &AgentWorker::applied))
                return 1;
            if (!appliedOk) {
                std::fprintf(stderr, "bench: the apply failed\n");
                return 1;
            }
            applyTimes.append(double(clock.nsecsElapsed()) / 1e6);

            // The peer: the same reads and writes from psql.
            psqlSelect.append(Bench::timeProcess(
                QStringLiteral("psql"),
                {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-d"), link.conninfo,
                 QStringLiteral("-c"),
                 QStringLiteral("SELECT * FROM algorithm_parameters WHERE algorithm_id = '%1'"
                                " ORDER BY parameter_name")
                     .arg(agent)}));
            QString script = QStringLiteral("SET LOCAL algoadmin.user_id = '1';"
                                            "SET LOCAL algoadmin.reason = 'bench apply';");
            for (const ParameterChange &c : std::as_const(changes))
                script += QStringLiteral("UPDATE algorithm_parameters SET current_value = '%1'"
                                         " WHERE algorithm_id = '%2' AND parameter_name = '%3';")
                              .arg(c.from, c.algorithmId, c.name); // back to where it was
            psqlApply.append(Bench::timeProcess(QStringLiteral("psql"),
                                                {QStringLiteral("-X"), QStringLiteral("-q"),
                                                 QStringLiteral("-1"), QStringLiteral("-d"),
                                                 link.conninfo, QStringLiteral("-c"), script}));
        }
        const auto row = [&](const QString &what, double ours, double peer, double target) {
            out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                         .arg(what, -46)
                         .arg(ours, 10, 'f', 1)
                         .arg(peer, 8, 'f', 1)
                         .arg(ours / peer, 6, 'f', 2)
                         .arg(QStringLiteral("< %1").arg(target), 8);
        };
        row(QStringLiteral("select agent → parameters shown, ") + link.name, Bench::median(select),
            Bench::median(psqlSelect), 100);
        row(QStringLiteral("apply 10 changes → done, ") + link.name, Bench::median(applyTimes),
            Bench::median(psqlApply), 200);
        worker->shutdown(QDeadlineTimer::Forever);
    }
    out() << "\npsql starts a process and connects every time; AgentWorker keeps its "
             "connection, as the panel does.\n";
    proxy.kill();
    proxy.waitForFinished();
    if (startedNow)
        cluster.stop(&error);
    return 0;
}
