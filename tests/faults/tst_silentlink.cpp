// A network path that goes silent (a proxy that stops forwarding without closing: SIGSTOP of
// algoadmin-delayproxy) in the middle of a migration. TCP keepalives cannot see it (the
// proxy's kernel still answers them), so the engine must: the run gives up within its stated
// bound (EngineSettings::silenceLimitMs, 10 s, plus the 5 s a second connection may take to
// find the path silent too) with a message that says so and that the outcome is unknown, and
// nothing is half-written: whatever the path still held reaches the server whole or not at
// all, and the next migrate finishes the rest.
#include "latencyproxy.h"
#include "migrations/migrationengine.h"
#include "testdatabase.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <future>

using namespace Qt::StringLiterals;

class TstSilentLink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aMigrationGivesUpOnASilentPath();
};

void TstSilentLink::aMigrationGivesUpOnASilentPath()
{
    TestDatabase db(u"silent_migrate"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(0), qPrintable(proxy.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_a.sql"_s, "CREATE TABLE a (x int);\n"},
                                   {u"002_b.sql"_s, "CREATE TABLE b (x int);\n"
                                                    "SELECT pg_sleep(2);\n"
                                                    "CREATE TABLE c (x int);\n"}})
                 .isEmpty());
    MigrationEngine engine(proxy.options(db.name()), MigrationSet::fromDirectory(dir.path()));
    QElapsedTimer clock;
    std::future<RunReport> run = std::async(std::launch::async, [&] { return engine.migrate(); });
    for (QElapsedTimer waiting; !waiting.isValid() || waiting.elapsed() < 30000;) {
        if (!waiting.isValid())
            waiting.start();
        if (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                      " AND wait_event = 'PgSleep'") == u"1"_s)
            break;
        QTest::qWait(20);
    }
    QVERIFY(proxy.pause());
    clock.start();
    QVERIFY2(run.wait_for(std::chrono::seconds(60)) == std::future_status::ready,
             "the run still waits a minute after its path went silent");
    const RunReport report = run.get();
    const qint64 ms = clock.elapsed();
    qInfo("gave up %lld ms after the path went silent: %s", ms,
          qPrintable(report.error.toString()));
    QCOMPARE(report.outcome, RunReport::Outcome::Failed);
    QCOMPARE(report.error.sqlState, u"08006"_s);
    QVERIFY2(report.error.message.contains(u"went silent"_s), qPrintable(report.error.toString()));
    QVERIFY2(report.error.hint.contains(u"algoadmin status"_s), qPrintable(report.error.hint));
    // The stated bound: the silence limit, a second connection's 5 s, a look a second.
    QVERIFY2(ms < EngineSettings().silenceLimitMs + 5000 + 5000, qPrintable(QString::number(ms)));

    // The path comes back. It still holds the rest of the batch, COMMIT included, which the
    // server may now run before it sees our close: so the run's hint says the outcome is not
    // known, and the verdict is whole or nothing, never in between.
    QVERIFY(proxy.resume());
    QTRY_COMPARE_WITH_TIMEOUT(db.scalar("SELECT count(*) FROM pg_stat_activity"
                                        " WHERE datname = current_database()"
                                        " AND pid <> pg_backend_pid()"
                                        " AND backend_type = 'client backend'"),
                              u"0"_s, 15000);
    const QString tables =
        db.scalar("SELECT (to_regclass('a') IS NOT NULL)::int + (to_regclass('b') IS NOT NULL)::int"
                  " + (to_regclass('c') IS NOT NULL)::int");
    const QString history = db.scalar("SELECT CASE WHEN to_regclass('algoadmin_schema_history')"
                                      " IS NULL THEN 0 ELSE (SELECT count(*) FROM"
                                      " algoadmin_schema_history) END");
    qInfo("after the path came back: %s of 3 tables, %s history rows", qPrintable(tables),
          qPrintable(history));
    QVERIFY2((tables == u"0"_s && history == u"0"_s) || (tables == u"3"_s && history == u"2"_s),
             qPrintable(tables + u", "_s + history));
    MigrationEngine direct(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport again = direct.migrate();
    QVERIFY2(again.outcome == RunReport::Outcome::Ok, qPrintable(again.error.toString()));
    QVERIFY(direct.verify().clean());
}

QTEST_GUILESS_MAIN(TstSilentLink)
#include "tst_silentlink.moc"
