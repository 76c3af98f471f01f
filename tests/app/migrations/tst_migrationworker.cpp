// The engine on a worker thread, as the GUI uses it: progress and results arrive as signals on
// the receiver's thread, and cancel() returns at once while the server statement really stops.
#include "migrations/migrationworker.h"
#include "testdatabase.h"
#include "threadspy.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

class TstMigrationWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void migrateReportsEveryStepOnTheReceiversThread();
    void statusAndVerifyAfterwards();
    void cancelReturnsAtOnceAndStopsTheServerStatement();

private:
    MigrationWorker *m_worker = nullptr;
};

void TstMigrationWorker::init()
{
    m_worker = new MigrationWorker;
    m_worker->start();
}

void TstMigrationWorker::cleanup()
{
    m_worker->shutdown(QDeadlineTimer::Forever);
    m_worker = nullptr;
}

void TstMigrationWorker::migrateReportsEveryStepOnTheReceiversThread()
{
    TestDatabase db(QStringLiteral("worker_migrate"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    int finishedOnMainThread = 0;
    QStringList finishedSteps;
    connect(m_worker, &MigrationWorker::stepFinished, this, [&](int, const StepReport &step) {
        finishedOnMainThread += QThread::currentThread() == thread();
        finishedSteps.append(QStringLiteral("%1/%2").arg(step.migration).arg(step.step));
    });
    ThreadSpy finished(m_worker, &MigrationWorker::migrationFinished);
    const MigrationSet set = MigrationSet::bundled();
    const int request =
        m_worker->run({MigrationWorker::Operation::Migrate, db.options(), set, {}, {}});
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().at(0).toInt(), request);
    const RunReport report = finished.first().at(1).value<RunReport>();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    int statements = 0;
    for (const Migration &migration : set.migrations)
        statements += int(migration.statements.size());
    QCOMPARE(finishedSteps.size(), statements);
    QCOMPARE(finishedOnMainThread, statements);
    QCOMPARE(finishedSteps.first(), set.migrations.first().id() + QStringLiteral("/1"));
    QCOMPARE(report.steps.size(), statements);
}

void TstMigrationWorker::statusAndVerifyAfterwards()
{
    TestDatabase db(QStringLiteral("worker_status"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    ThreadSpy finished(m_worker, &MigrationWorker::migrationFinished);
    ThreadSpy status(m_worker, &MigrationWorker::statusLoaded);
    ThreadSpy verified(m_worker, &MigrationWorker::verifyFinished);
    const MigrationSet set = MigrationSet::bundled();
    EngineSettings settings;
    settings.useExpectedSchemaCache = false;
    // queued one after the other: the worker runs them in order
    m_worker->run({MigrationWorker::Operation::Migrate, db.options(), set, settings, {}});
    m_worker->run({MigrationWorker::Operation::Status, db.options(), set, settings, {}});
    m_worker->run({MigrationWorker::Operation::Verify, db.options(), set, settings, {}});
    QVERIFY(verified.wait(60000));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(status.size(), 1);
    const StatusReport report = status.first().at(1).value<StatusReport>();
    QCOMPARE(report.migrations.size(), set.migrations.size());
    for (const MigrationStatus &migration : report.migrations)
        QCOMPARE(migration.state, MigrationStatus::State::Applied);
    const VerifyReport verify = verified.first().at(1).value<VerifyReport>();
    QVERIFY2(verify.clean(), qPrintable(verify.error.toString()));
}

void TstMigrationWorker::cancelReturnsAtOnceAndStopsTheServerStatement()
{
    TestDatabase db(QStringLiteral("worker_cancel"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    writeMigrations(dir, {{QStringLiteral("001_sleep.sql"), "CREATE TABLE before_sleep (x int);\n"
                                                            "SELECT pg_sleep(60);\n"}});
    ThreadSpy started(m_worker, &MigrationWorker::stepStarted);
    ThreadSpy finished(m_worker, &MigrationWorker::migrationFinished);
    m_worker->run({MigrationWorker::Operation::Migrate,
                   db.options(),
                   MigrationSet::fromDirectory(dir.path()),
                   {},
                   {}});
    QTRY_COMPARE_WITH_TIMEOUT(
        db.scalar("SELECT count(*) FROM pg_stat_activity"
                  " WHERE datname = current_database() AND query = 'SELECT pg_sleep(60)'"),
        QStringLiteral("1"), 15000);
    QElapsedTimer clock;
    clock.start();
    m_worker->cancel();
    // the caller never waits for the server
    QVERIFY2(clock.elapsed() < 50, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(finished.wait(10000));
    const RunReport report = finished.first().at(1).value<RunReport>();
    QCOMPARE(report.outcome, RunReport::Outcome::Cancelled);
    QCOMPARE(db.scalar("SELECT to_regclass('before_sleep') IS NULL"), QStringLiteral("t"));
    QCOMPARE(db.scalar("SELECT count(*) FROM pg_stat_activity"
                       " WHERE datname = current_database()"
                       " AND query = 'SELECT pg_sleep(60)' AND state = 'active'"),
             QStringLiteral("0"));
    QVERIFY(started.size() >= 2);
}

QTEST_GUILESS_MAIN(TstMigrationWorker)
#include "tst_migrationworker.moc"
