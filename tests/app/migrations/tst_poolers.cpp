// Every command through PgBouncer (Debian's /usr/sbin/pgbouncer, started here) with its default
// configuration, in session and in transaction pooling: it refuses the start-up parameter
// `options`, and in transaction pooling a client's transactions may each run on another
// server connection, which later clients then inherit.
#include "bouncer.h"
#include "db/pgconnection.h"
#include "migrations/migrationengine.h"
#include "repositoryfixture.h"
#include "threadspy.h"
#include "workers/agentworker.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <functional>
#include <memory>
#include <thread>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

class TstPoolers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void connectsWithTheDefaultConfiguration_data() { modes(); }
    void connectsWithTheDefaultConfiguration();
    void migrateStatusVerify_data() { modes(); }
    void migrateStatusVerify();
    void largeMigration_data() { modes(); }
    void largeMigration();
    void rehearsalsLeaveNothing_data() { modes(); }
    void rehearsalsLeaveNothing();
    void concurrentRunsAreSerialised_data() { modes(); }
    void concurrentRunsAreSerialised();
    void noTransactionMigration_data() { modes(); }
    void noTransactionMigration();
    void commandLine_data() { modes(); }
    void commandLine();
    void agentWorkerListsAndApplies_data() { modes(); }
    void agentWorkerListsAndApplies();

private:
    static void modes() { Bouncers::addModes(); }
    Bouncer &bouncer() { return m_bouncers.current(); }
    // Nothing of a run is left: no advisory lock anywhere, and every server connection of the
    // pool has the server's defaults and no prepared statement.
    void verifyNothingLeft(TestDatabase &db);

    QTemporaryDir m_cache;
    Bouncers m_bouncers;
};

void TstPoolers::initTestCase()
{
    qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
    QString error;
    QVERIFY2(m_bouncers.start(&error), qPrintable(error));
}

void TstPoolers::cleanupTestCase()
{
    m_bouncers.stop();
}

void TstPoolers::verifyNothingLeft(TestDatabase &db)
{
    ::verifyNothingLeft(bouncer(), db);
}

void TstPoolers::connectsWithTheDefaultConfiguration()
{
    TestDatabase db(u"pool_connect"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    PgConnection connection;
    DbError error;
    QVERIFY2(connection.open(bouncer().options(db.name()), &error), qPrintable(error.toString()));
    QCOMPARE(value(connection, "SELECT 1"), u"1"_s);

    // The user's own start-up options cannot be dropped silently: say what and what to do.
    ConnectionOptions own =
        bouncer().options(u"dbname=%1 options='-c work_mem=8MB'"_s.arg(db.name()));
    PgConnection refused;
    QVERIFY(!refused.open(own, &error));
    QVERIFY2(error.message.contains(u"unsupported startup parameter: options"_s),
             qPrintable(error.toString()));
    QVERIFY2(error.hint.contains(u"ignore_startup_parameters"_s), qPrintable(error.toString()));
    QVERIFY2(!error.hint.contains(u"password"_s), qPrintable(error.toString()));
}

void TstPoolers::migrateStatusVerify()
{
    TestDatabase db(u"pool_migrate"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const ConnectionOptions options = bouncer().options(db.name());
    const MigrationSet bundled = MigrationSet::bundled();
    for (int run = 0; run < 2; ++run) {
        MigrationEngine engine(options, bundled);
        const RunReport report = engine.migrate();
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        QCOMPARE(int(report.migrations.size()), run == 0 ? int(bundled.migrations.size()) : 0);
    }
    QCOMPARE(value(db, "SELECT count(*) FROM algoadmin_schema_history"),
             QString::number(bundled.migrations.size()));
    MigrationEngine engine(options, bundled);
    const StatusReport status = engine.status();
    QVERIFY2(!status.error.isError(), qPrintable(status.error.toString()));
    for (const MigrationStatus &migration : status.migrations)
        QCOMPARE(migration.stateName(), u"applied"_s);
    EngineSettings settings;
    settings.useExpectedSchemaCache = false;
    MigrationEngine verifier(options, bundled, settings);
    const VerifyReport verify = verifier.verify();
    QVERIFY2(verify.clean(), qPrintable(verify.error.toString()));
    const RunReport rehearsal = engine.rehearse();
    QVERIFY2(rehearsal.outcome == RunReport::Outcome::Ok, qPrintable(rehearsal.error.toString()));
    verifyNothingLeft(db);
}

void TstPoolers::largeMigration()
{
    TestDatabase db(u"pool_large"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QByteArray sql;
    for (int i = 0; i < 1500; ++i) {
        sql += "CREATE TABLE t" + QByteArray::number(i) + " (id int PRIMARY KEY, note text);\n";
        sql += "INSERT INTO t" + QByteArray::number(i) + " VALUES (1, '" + QByteArray(200, 'x') +
               "');\n";
    }
    QTemporaryDir dir;
    const QString path =
        writeMigrations(dir, {{u"001_first.sql"_s, "CREATE TABLE first (id int);\n"},
                              {u"002_large.sql"_s, sql},
                              {u"003_last.sql"_s, "CREATE TABLE last (id int);\n"}});
    QVERIFY(!path.isEmpty());
    for (int run = 0; run < 2; ++run) {
        MigrationEngine engine(bouncer().options(db.name()), MigrationSet::fromDirectory(path));
        const RunReport report = engine.migrate();
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        QCOMPARE(int(report.migrations.size()), run == 0 ? 3 : 0);
    }
    QCOMPARE(value(db, "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'"), u"1500"_s);
    QCOMPARE(value(db, "SELECT jsonb_array_length(steps) FROM algoadmin_schema_history"
                       " WHERE version = '002'"),
             u"3000"_s);

    // A failure in the middle commits the migrations before it and nothing of its own.
    TestDatabase failing(u"pool_large_fail"_s);
    QVERIFY2(failing.ok(), qPrintable(failing.error()));
    QTemporaryDir failDir;
    const QString failPath =
        writeMigrations(failDir, {{u"001_first.sql"_s, "CREATE TABLE first (id int);\n"},
                                  {u"002_large.sql"_s, sql + "SELECT 1/0;\n"},
                                  {u"003_last.sql"_s, "CREATE TABLE last (id int);\n"}});
    MigrationEngine engine(bouncer().options(failing.name()),
                           MigrationSet::fromDirectory(failPath));
    const RunReport report = engine.migrate();
    QCOMPARE(int(report.outcome), int(RunReport::Outcome::Failed));
    QCOMPARE(report.error.sqlState, u"22012"_s);
    QCOMPARE(rows(failing, "SELECT version FROM algoadmin_schema_history ORDER BY version"),
             QStringList{u"001"_s});
    QCOMPARE(value(failing, "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'"),
             u"0"_s);
    verifyNothingLeft(db);
    verifyNothingLeft(failing);
}

// A rehearsal prepares its clock mark inside its transaction: whether a step fails or not, the
// statement is gone before the transaction ends, so that no pooled server connection keeps it.
void TstPoolers::rehearsalsLeaveNothing()
{
    TestDatabase db(u"pool_rehearse"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QString path = writeMigrations(
        dir, {{u"001_ok.sql"_s, "CREATE TABLE ok (id int);\nINSERT INTO ok VALUES (1);\n"},
              {u"002_fails.sql"_s, "CREATE TABLE fails (id int);\nSELECT 1/0;\n"}});
    QVERIFY(!path.isEmpty());
    for (int run = 0; run < 3; ++run) {
        MigrationEngine engine(bouncer().options(db.name()), MigrationSet::fromDirectory(path));
        const RunReport report = engine.rehearse();
        QCOMPARE(int(report.outcome), int(RunReport::Outcome::Failed));
        QCOMPARE(report.error.sqlState, u"22012"_s);
        QCOMPARE(report.steps.first().state, StepReport::State::Done);
    }
    QCOMPARE(value(db, "SELECT to_regclass('ok') IS NULL AND to_regclass('fails') IS NULL"),
             u"t"_s);
    QVERIFY(QFile::remove(dir.filePath(u"002_fails.sql"_s)));
    for (int run = 0; run < 3; ++run) {
        MigrationEngine engine(bouncer().options(db.name()), MigrationSet::fromDirectory(path));
        const RunReport report = engine.rehearse();
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        QCOMPARE(int(report.steps.size()), 2);
    }
    verifyNothingLeft(db);
}

void TstPoolers::concurrentRunsAreSerialised()
{
    TestDatabase db(u"pool_concurrent"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QString path = writeMigrations(
        dir, {{u"001_slow.sql"_s, "CREATE TABLE slow (id int);\nSELECT pg_sleep(1);\n"},
              {u"002_next.sql"_s, "CREATE TABLE next (id int);\n"}});
    QVERIFY(!path.isEmpty());
    EngineSettings settings;
    settings.lockTimeoutMs = 30000; // the second runner waits for the first one
    RunReport reports[2];
    std::thread runners[2];
    for (int i = 0; i < 2; ++i) {
        runners[i] = std::thread([&, i] {
            MigrationEngine engine(bouncer().options(db.name()), MigrationSet::fromDirectory(path),
                                   settings);
            reports[i] = engine.migrate();
        });
    }
    for (std::thread &runner : runners)
        runner.join();
    for (const RunReport &report : reports)
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(int(reports[0].migrations.size() + reports[1].migrations.size()), 2);
    QCOMPARE(rows(db, "SELECT version FROM algoadmin_schema_history ORDER BY version"),
             (QStringList{u"001"_s, u"002"_s}));
    verifyNothingLeft(db);
}

void TstPoolers::noTransactionMigration()
{
    QFETCH(QString, mode);
    TestDatabase db(u"pool_notx"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QString path = writeMigrations(
        dir, {{u"001_table.sql"_s, "CREATE TABLE items (id int, name text);\n"},
              {u"002_index.sql"_s, "-- algoadmin:no-transaction\n"
                                   "CREATE INDEX CONCURRENTLY items_name ON items (name);\n"}});
    QVERIFY(!path.isEmpty());
    MigrationEngine engine(bouncer().options(db.name()), MigrationSet::fromDirectory(path));
    const RunReport report = engine.migrate();
    if (mode == QLatin1String("session")) {
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        QCOMPARE(rows(db, "SELECT version FROM algoadmin_schema_history ORDER BY version"),
                 (QStringList{u"001"_s, u"002"_s}));
    } else {
        // Refused before anything ran, saying what to use instead.
        QCOMPARE(int(report.outcome), int(RunReport::Outcome::Failed));
        QVERIFY2(report.error.hint.contains(u"direct or session-pooling endpoint"_s),
                 qPrintable(report.error.toString()));
        QCOMPARE(value(db, "SELECT to_regclass('items') IS NULL"), u"t"_s);
        QCOMPARE(value(db, "SELECT to_regclass('algoadmin_schema_history') IS NULL"), u"t"_s);
    }
    // Status and verify still work there.
    const StatusReport status = engine.status();
    QVERIFY2(!status.error.isError(), qPrintable(status.error.toString()));
    verifyNothingLeft(db);
}

void TstPoolers::commandLine()
{
    TestDatabase db(u"pool_cli"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const ConnectionOptions options = bouncer().options(db.name());
    const QString conninfo = u"host=%1 port=%2 user=%3 dbname=%4"_s.arg(options.host, options.port,
                                                                        options.user, db.name());
    for (const QStringList &arguments :
         {QStringList{u"migrate"_s, u"-d"_s, conninfo},
          QStringList{u"migrate"_s, u"-d"_s, conninfo}, QStringList{u"status"_s, u"-d"_s, conninfo},
          QStringList{u"verify"_s, u"-d"_s, conninfo}}) {
        const ProcessResult result = runAlgoadmin(arguments);
        QVERIFY2(result.exitCode == 0,
                 qPrintable(arguments.join(u' ') + u"\n"_s + result.out + result.err));
    }
    verifyNothingLeft(db);
}

void TstPoolers::agentWorkerListsAndApplies()
{
    TestDatabase db(u"pool_worker"_s);
    const QString problem = prepareSeededDatabase(db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    auto *worker = new AgentWorker;
    worker->start();
    auto stop = qScopeGuard([worker] { worker->shutdown(QDeadlineTimer::Forever); });
    ThreadSpy opened(worker, &AgentWorker::connectionOpened);
    worker->setConnection(bouncer().options(db.name()));
    QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), 15000);

    ThreadSpy agents(worker, &AgentWorker::agentsLoaded);
    worker->loadAgents(AgentFilter());
    QTRY_VERIFY_WITH_TIMEOUT(!agents.isEmpty(), 10000);
    QVERIFY2(!agents.at(0).at(2).value<DbError>().isError(),
             qPrintable(agents.at(0).at(2).value<DbError>().toString()));
    QCOMPARE(agents.at(0).at(1).value<QList<Agent>>().size(),
             value(db, "SELECT count(*) FROM algorithm_agents").toInt());

    const QString name = value(db, "SELECT parameter_name FROM algorithm_parameters"
                                   " WHERE algorithm_id = 'A2' AND parameter_type = 'boolean'"
                                   " ORDER BY 1 LIMIT 1");
    const QString current = value(db,
                                  "SELECT current_value FROM algorithm_parameters"
                                  " WHERE algorithm_id = 'A2' AND parameter_name = $1",
                                  {name.toUtf8()});
    const QString next = current == QLatin1String("true") ? u"false"_s : u"true"_s;
    ThreadSpy applied(worker, &AgentWorker::applied);
    worker->apply({{u"A2"_s, name, current, next}}, u"through a pooler"_s, 7);
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 10000);
    QVERIFY2(applied.at(0).at(1).value<ApplyResult>().ok,
             qPrintable(applied.at(0).at(2).value<DbError>().toString()));
    QCOMPARE(value(db,
                   "SELECT current_value FROM algorithm_parameters WHERE algorithm_id = 'A2'"
                   " AND parameter_name = $1",
                   {name.toUtf8()}),
             next);
    QCOMPARE(
        value(db, "SELECT count(*) FROM algorithm_changelog WHERE reason = 'through a pooler'"),
        u"1"_s);
    // The change feed's LISTEN, in session pooling, ends with the client (PgBouncer's
    // DISCARD ALL); in transaction pooling there is none.
    stop.dismiss();
    worker->shutdown(QDeadlineTimer::Forever);
    verifyNothingLeft(db);
}

QTEST_GUILESS_MAIN(TstPoolers)
#include "tst_poolers.moc"
