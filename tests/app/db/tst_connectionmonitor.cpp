// ConnectionMonitor against the test cluster: it connects, measures the round trip, notices a
// lost connection and reconnects with back-off once the server answers again.
#include "db/connectionmonitor.h"
#include "latencyproxy.h"
#include "testdatabase.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

// How many of this process's threads have this name (Linux keeps 15 characters of it).
static int threadsNamed(const QByteArray &name)
{
    int count = 0;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(task + QStringLiteral("/comm")));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == name)
            ++count;
    }
    return count;
}

class TstConnectionMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backoffDoublesUpToThirtySeconds_data();
    void backoffDoublesUpToThirtySeconds();
    void connectsAndMeasuresTheRoundTrip();
    void aWrongDatabaseFailsWithLibpqsReason();
    void aTerminatedConnectionIsNoticedAndRestored();
    void aDeadLinkIsRetriedWithBackoffUntilItComesBack();
    void aSilentLinkIsNoticedByTheHeartbeatTimeout();
    void anEarlierServersAnswerIsDropped();
    void destroyingNeverWaitsForAHangingConnect();
};

void TstConnectionMonitor::backoffDoublesUpToThirtySeconds_data()
{
    QTest::addColumn<int>("attempt");
    QTest::addColumn<int>("ms");
    QTest::newRow("1") << 1 << 1000;
    QTest::newRow("2") << 2 << 2000;
    QTest::newRow("3") << 3 << 4000;
    QTest::newRow("4") << 4 << 8000;
    QTest::newRow("5") << 5 << 16000;
    QTest::newRow("6") << 6 << 30000;
    QTest::newRow("40") << 40 << 30000;
}

void TstConnectionMonitor::backoffDoublesUpToThirtySeconds()
{
    QFETCH(int, attempt);
    QFETCH(int, ms);
    QCOMPARE(ConnectionMonitor::backoffMs(attempt), ms);
}

void TstConnectionMonitor::connectsAndMeasuresTheRoundTrip()
{
    TestDatabase db(QStringLiteral("monitor_rtt"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    // 30 ms of injected round trip: what the monitor measures must include it.
    LatencyProxy proxy;
    QVERIFY2(proxy.start(30), qPrintable(proxy.error()));
    ConnectionMonitor monitor;
    monitor.setHeartbeatInterval(200);
    QSignalSpy connected(&monitor, &ConnectionMonitor::connected);
    QSignalSpy roundTrips(&monitor, &ConnectionMonitor::roundTripMeasured);
    monitor.start(proxy.options(db.name()));
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 15000);
    const auto info = connected.at(0).at(0).value<ServerInfo>();
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QVERIFY2(info.serverVersion.startsWith(QLatin1String("15")), qPrintable(info.serverVersion));
    QCOMPARE(info.role, QStringLiteral("postgres"));
    QVERIFY2(info.roundTripMs >= 28, qPrintable(QString::number(info.roundTripMs)));
    QTRY_VERIFY_WITH_TIMEOUT(roundTrips.size() >= 2, 10000);
    for (const QList<QVariant> &args : roundTrips)
        QVERIFY2(args.at(0).toDouble() >= 28, qPrintable(args.at(0).toString()));
}

void TstConnectionMonitor::aWrongDatabaseFailsWithLibpqsReason()
{
    ConnectionMonitor monitor;
    QSignalSpy failed(&monitor, &ConnectionMonitor::connectFailed);
    QSignalSpy connected(&monitor, &ConnectionMonitor::connected);
    monitor.start(TestDatabase::clusterOptions(QStringLiteral("no_such_database_here")));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 15000);
    const auto info = failed.at(0).at(0).value<ServerInfo>();
    QVERIFY2(info.error.message.contains(QLatin1String("does not exist")),
             qPrintable(info.error.toString()));
    QVERIFY(connected.isEmpty());
}

void TstConnectionMonitor::aTerminatedConnectionIsNoticedAndRestored()
{
    TestDatabase db(QStringLiteral("monitor_lost"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    ConnectionOptions options = db.options();
    options.applicationName = QStringLiteral("monitor-under-test");
    ConnectionMonitor monitor;
    monitor.setHeartbeatInterval(60000); // only checkNow() looks
    QSignalSpy connected(&monitor, &ConnectionMonitor::connected);
    QSignalSpy lost(&monitor, &ConnectionMonitor::connectionLost);
    QSignalSpy reconnected(&monitor, &ConnectionMonitor::reconnected);
    monitor.start(options);
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 15000);
    QTRY_COMPARE(value(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                           "'monitor-under-test (monitor)'"),
                 QStringLiteral("1"));
    QCOMPARE(value(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                       " WHERE application_name = 'monitor-under-test (monitor)'"),
             QStringLiteral("1"));
    monitor.checkNow();
    QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 10000);
    QVERIFY(!lost.at(0).at(0).value<DbError>().message.isEmpty());
    QCOMPARE(lost.at(0).at(1).toInt(), 1000);
    // The server is up: the first retry, a second later, gets back in.
    QTRY_COMPARE_WITH_TIMEOUT(reconnected.size(), 1, 10000);
    QTRY_COMPARE(value(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                           "'monitor-under-test (monitor)'"),
                 QStringLiteral("1"));
}

void TstConnectionMonitor::aDeadLinkIsRetriedWithBackoffUntilItComesBack()
{
    TestDatabase db(QStringLiteral("monitor_backoff"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(0), qPrintable(proxy.error()));
    const int port = proxy.port();
    ConnectionMonitor monitor;
    monitor.setHeartbeatInterval(60000);
    QSignalSpy connected(&monitor, &ConnectionMonitor::connected);
    QSignalSpy lost(&monitor, &ConnectionMonitor::connectionLost);
    QSignalSpy retryFailed(&monitor, &ConnectionMonitor::reconnectFailed);
    QSignalSpy reconnected(&monitor, &ConnectionMonitor::reconnected);
    monitor.start(proxy.options(db.name()));
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 15000);

    proxy.kill();
    monitor.checkNow();
    QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 10000);
    // Attempts at 1 s and then 2 s fail while the link is down, each scheduling a longer wait.
    QTRY_COMPARE_WITH_TIMEOUT(retryFailed.size(), 2, 10000);
    QCOMPARE(retryFailed.at(0).at(1).toInt(), 1);
    QCOMPARE(retryFailed.at(0).at(2).toInt(), 2000);
    QCOMPARE(retryFailed.at(1).at(1).toInt(), 2);
    QCOMPARE(retryFailed.at(1).at(2).toInt(), 4000);
    QVERIFY(reconnected.isEmpty());

    // The link comes back on the same port; "Reconnect now" does not wait for the back-off.
    QVERIFY2(proxy.start(0, port), qPrintable(proxy.error()));
    monitor.reconnectNow();
    QTRY_COMPARE_WITH_TIMEOUT(reconnected.size(), 1, 5000);
    QVERIFY(reconnected.at(0).at(0).value<ServerInfo>().ok());
}

void TstConnectionMonitor::aSilentLinkIsNoticedByTheHeartbeatTimeout()
{
    TestDatabase db(QStringLiteral("monitor_silent"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(0), qPrintable(proxy.error()));
    ConnectionMonitor monitor;
    monitor.setHeartbeatInterval(60000);
    monitor.setHeartbeatTimeout(700);
    QSignalSpy connected(&monitor, &ConnectionMonitor::connected);
    QSignalSpy lost(&monitor, &ConnectionMonitor::connectionLost);
    QSignalSpy measured(&monitor, &ConnectionMonitor::roundTripMeasured);
    monitor.start(proxy.options(db.name()));
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 15000);
    // `connected` comes before the heartbeat's own connection is open: one heartbeat answered
    // means the link under test is the established one, as the test means it to be.
    monitor.checkNow();
    QTRY_VERIFY_WITH_TIMEOUT(!measured.isEmpty(), 15000);
    // The proxy freezes: the TCP connection stays open, nothing comes back.
    QVERIFY(proxy.pause());
    QElapsedTimer clock;
    clock.start();
    monitor.checkNow();
    QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 10000);
    // Said in full when it fails (once seen at 10,020 ms under ctest -j2, not reproduced since):
    // the message names the timeout the heartbeat waited ("no answer … for N s").
    QVERIFY2(clock.elapsed() < 5000,
             qPrintable(QStringLiteral("%1 ms: %2")
                            .arg(clock.elapsed())
                            .arg(lost.at(0).at(0).value<DbError>().toString())));
    QVERIFY2(lost.at(0).at(0).value<DbError>().message.contains(QLatin1String("no answer")),
             qPrintable(lost.at(0).at(0).value<DbError>().toString()));
    QVERIFY(proxy.resume());
}

void TstConnectionMonitor::anEarlierServersAnswerIsDropped()
{
    TestDatabase db(QStringLiteral("monitor_stale"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    // A: a link that hangs the connect; B: the direct socket.
    LatencyProxy hanging;
    QVERIFY2(hanging.startSilent(), qPrintable(hanging.error()));
    ConnectionMonitor monitor;
    QSignalSpy connected(&monitor, &ConnectionMonitor::connected);
    QSignalSpy failed(&monitor, &ConnectionMonitor::connectFailed);
    monitor.start(hanging.options(db.name()));
    QTest::qWait(200);
    ConnectionOptions direct = db.options();
    direct.applicationName = QStringLiteral("monitor-second-choice");
    monitor.start(direct);
    // A answers only now, after B was chosen: what it says must not reach anyone.
    QVERIFY(hanging.resume());
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 15000);
    QTest::qWait(500);
    QCOMPARE(connected.size(), 1);
    QVERIFY(failed.isEmpty());
    QCOMPARE(connected.at(0).at(0).value<ServerInfo>().database, db.name());
    QTRY_COMPARE(value(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                           " 'monitor-second-choice (monitor)'"),
                 QStringLiteral("1"));
}

void TstConnectionMonitor::destroyingNeverWaitsForAHangingConnect()
{
    TestDatabase db(QStringLiteral("monitor_exit"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    LatencyProxy hanging;
    QVERIFY2(hanging.startSilent(), qPrintable(hanging.error()));
    QElapsedTimer clock;
    {
        ConnectionMonitor monitor;
        monitor.start(hanging.options(db.name()));
        QTest::qWait(300);
        QCOMPARE(threadsNamed("connection moni"), 1);
        QCOMPARE(threadsNamed("libpq connect"), 1);
        clock.start();
    }
    // connect_timeout is 10 s; closing the window must not wait for it.
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    // Yet the monitor's thread ends now, while the server still hangs, before the application
    // does (QThread::wait returns as the thread finishes; the kernel lists it a moment longer).
    // Only libpq's connect, which touches nothing of Qt, is left to finish. It goes once the
    // server answers.
    QTRY_COMPARE_WITH_TIMEOUT(threadsNamed("connection moni"), 0, 1000);
    QCOMPARE(threadsNamed("libpq connect"), 1);
    QVERIFY(hanging.resume());
    QTRY_COMPARE_WITH_TIMEOUT(threadsNamed("libpq connect"), 0, 15000);
}

QTEST_GUILESS_MAIN(TstConnectionMonitor)
#include "tst_connectionmonitor.moc"
