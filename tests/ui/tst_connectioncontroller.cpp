// The window's connection controller opening the Local sandbox on its SandboxWorker: a fresh
// sandbox is started, migrated, filled with demo data and connected to; the controller stops on
// exit the server it started, and leaves running one that it found running.
#include "sandbox/localcluster.h"
#include "shell/connectioncontroller.h"
#include "testdatabase.h"
#include "threadspy.h"
#include "workers/sandboxworker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

class TstConnectionController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void openingTheLocalSandboxStartsFillsAndConnects();
    void aSandboxFoundRunningIsLeftRunning();
    void theWorkerStopsOnlyWhatItStarted();

private:
    // A data directory of its own under /tmp (the postgres system user must reach it).
    QString freshDataDir();
    static int agentCount(const QString &dataDir);
    static ConnectionTarget localTarget(const QString &dataDir, bool demo);

    QStringList m_dataDirs;
};

void TstConnectionController::initTestCase()
{
    // Not a server to keep: skip fsync.
    qputenv("ALGOADMIN_LOCAL_UNSAFE_FAST", "1");
}

QString TstConnectionController::freshDataDir()
{
    const QString dir = u"/tmp/algoadmin-test-sandbox-%1"_s.arg(
        QUuid::createUuid().toString(QUuid::Id128).left(12));
    m_dataDirs.append(dir);
    return dir;
}

void TstConnectionController::cleanup()
{
    for (const QString &dir : std::as_const(m_dataDirs)) {
        QString error;
        LocalCluster cluster(dir);
        if (cluster.isRunning())
            cluster.stop(&error);
        if (QFileInfo(dir).isDir())
            QDir(dir).removeRecursively();
        else
            QFile::remove(dir);
    }
    m_dataDirs.clear();
}

ConnectionTarget TstConnectionController::localTarget(const QString &dataDir, bool demo)
{
    ConnectionTarget target;
    target.name = u"Local sandbox"_s;
    target.local = true;
    target.demo = demo;
    target.dataDir = dataDir;
    return target;
}

int TstConnectionController::agentCount(const QString &dataDir)
{
    PgConnection connection;
    DbError error;
    if (!connection.open(LocalCluster(dataDir).connectionOptions(), &error)) {
        qWarning("%s", qPrintable(error.toString()));
        return -1;
    }
    const QString count = value(connection, "SELECT count(*) FROM algorithm_agents");
    return count.startsWith(u"error"_s) ? -1 : count.toInt();
}

void TstConnectionController::openingTheLocalSandboxStartsFillsAndConnects()
{
    const QString dataDir = freshDataDir();
    auto *controller = new ConnectionController;
    QSignalSpy opening(controller, &ConnectionController::opening);
    QSignalSpy opened(controller, &ConnectionController::opened);
    QSignalSpy failed(controller, &ConnectionController::openFailed);
    QSignalSpy messages(controller, &ConnectionController::message);
    const ConnectionTarget target = localTarget(dataDir, true);
    controller->open(target);
    QCOMPARE(opening.size(), 1);
    QCOMPARE(opening.at(0).at(0).toString(), u"Starting the local sandbox with demo data…"_s);
    // Asked again while it starts: the one starting is the one asked for, not a second start.
    controller->open(target);
    QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty() || !failed.isEmpty(), 120000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).value<DbError>().toString()));
    QCOMPARE(opened.size(), 1);
    QCOMPARE(controller->context().profileName, u"Local sandbox"_s);
    QVERIFY(messages.size() >= 1);
    QVERIFY2(messages.constLast().at(0).toString().startsWith(u"Local sandbox ready: "_s),
             qPrintable(messages.constLast().at(0).toString()));
    QVERIFY2(messages.constLast().at(0).toString().endsWith(u"demo data added"_s),
             qPrintable(messages.constLast().at(0).toString()));
    QVERIFY(LocalCluster(dataDir).isRunning());
    QVERIFY(agentCount(dataDir) > 0);

    // The window closes: the server this controller started stops with it.
    delete controller;
    QVERIFY(!LocalCluster(dataDir).isRunning());
}

void TstConnectionController::aSandboxFoundRunningIsLeftRunning()
{
    // Started by someone else (as `algoadmin local start` does).
    const QString dataDir = freshDataDir();
    QString error;
    QVERIFY2(LocalCluster(dataDir).start(&error), qPrintable(error));

    auto *controller = new ConnectionController;
    QSignalSpy opened(controller, &ConnectionController::opened);
    QSignalSpy failed(controller, &ConnectionController::openFailed);
    QSignalSpy messages(controller, &ConnectionController::message);
    controller->open(localTarget(dataDir, false));
    QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty() || !failed.isEmpty(), 120000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).value<DbError>().toString()));
    // No demo data asked for: migrated, not filled.
    QVERIFY2(!messages.constLast().at(0).toString().contains(u"demo"_s),
             qPrintable(messages.constLast().at(0).toString()));
    QCOMPARE(agentCount(dataDir), 0);
    delete controller;
    QVERIFY(LocalCluster(dataDir).isRunning());
}

void TstConnectionController::theWorkerStopsOnlyWhatItStarted()
{
    const QString started = freshDataDir();
    // Below a plain file: no directory can be made there, not even by root.
    const QString file = freshDataDir();
    QVERIFY(writeFile(file, "not a directory"));
    const QString broken = file + u"/sandbox"_s;
    auto *worker = new SandboxWorker;
    ThreadSpy opened(worker, &SandboxWorker::opened);
    worker->start();
    const int first = worker->open(started, false);
    const int second = worker->open(started, false); // finds it running
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, 120000);
    QCOMPARE(opened.at(0).at(0).toInt(), first);
    QCOMPARE(opened.at(1).at(0).toInt(), second);
    const auto one = opened.at(0).at(1).value<SandboxResult>();
    const auto two = opened.at(1).at(1).value<SandboxResult>();
    QVERIFY2(one.error.isEmpty(), qPrintable(one.error));
    QVERIFY(one.startedCluster);
    QVERIFY2(two.error.isEmpty(), qPrintable(two.error));
    QVERIFY(!two.startedCluster);
    QCOMPARE(two.connection.host, one.connection.host);

    // A directory nobody can create: a clear error, nothing started.
    const int third = worker->open(broken, false);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 3, 60000);
    QCOMPARE(opened.at(2).at(0).toInt(), third);
    const auto refused = opened.at(2).at(1).value<SandboxResult>();
    QVERIFY(!refused.startedCluster);
    QVERIFY2(refused.error.contains(broken), qPrintable(refused.error));
    QVERIFY(!LocalCluster(broken).isRunning());

    QVERIFY(LocalCluster(started).isRunning());
    worker->stopStarted();
    worker->shutdown(QDeadlineTimer(60000));
    QVERIFY(!LocalCluster(started).isRunning());
    // The test run's own cluster, which this worker did not start, still answers.
    TestDatabase db(u"controller_untouched"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
}

QTEST_MAIN(TstConnectionController)
#include "tst_connectioncontroller.moc"
