// A no-transaction migration that stops midway (a failing statement, a cancel, a connection the
// server dropped, a file transaction that aborted): the database says exactly which statements
// committed, status and verify show it, and the next migrate resumes after them instead of
// failing on what exists. Checked through the catalog and the progress table, each test in a
// database of its own.
#include "faulttable.h"
#include "migrations/migrationengine.h"
#include "migrations/report.h"
#include "testdatabase.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <future>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

const QByteArray ProgressSql =
    "SELECT version, statements_done, statements_total, coalesce(running::text, '-')"
    " FROM algoadmin_schema_progress ORDER BY version";
const QByteArray HistorySql = "SELECT version FROM algoadmin_schema_history ORDER BY version";

QStringList stepStates(const RunReport &report)
{
    QStringList states;
    for (const StepReport &step : report.steps)
        states.append(QString::number(step.step) + u'=' + step.stateName());
    return states;
}

QStringList statusStates(const StatusReport &report)
{
    QStringList states;
    for (const MigrationStatus &m : report.migrations)
        states.append(m.version + u'=' + m.stateName());
    return states;
}

// The backend of the engine's run, once it runs a statement that starts with `prefix` (waiting
// for a lock, say): its pid, or 0 after ten seconds.
QString backendRunning(TestDatabase &db, const QByteArray &prefix)
{
    for (int i = 0; i < 200; ++i) {
        const QString pid =
            db.scalar("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                      " AND pid <> pg_backend_pid() AND starts_with(query, $1)"
                      " AND application_name NOT LIKE '%monitor%'",
                      {prefix});
        if (!pid.isEmpty())
            return pid;
        QTest::qWait(50);
    }
    return {};
}

// A run of `dir` held up at statement 3 of 001_nt.sql, which writes `busy` while another
// session holds that table: the engine waits (its lock timeout is a minute) on another thread.
struct BlockedRun
{
    PgConnection holder;
    std::unique_ptr<MigrationEngine> engine;
    std::future<RunReport> run;
    QString pid; // the run's backend, once it waits
};

bool startBlocked(TestDatabase &db, const QTemporaryDir &dir, BlockedRun &blocked)
{
    DbError error;
    if (!db.exec("CREATE TABLE busy (a int)").ok() || !blocked.holder.open(db.options(), &error) ||
        !blocked.holder.exec("BEGIN").ok() ||
        !blocked.holder.exec("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE").ok())
        return false;
    EngineSettings settings;
    settings.lockTimeoutMs = 60000;
    blocked.engine = std::make_unique<MigrationEngine>(
        db.options(), MigrationSet::fromDirectory(dir.path()), settings);
    blocked.run = std::async(std::launch::async,
                             [engine = blocked.engine.get()] { return engine->migrate(); });
    blocked.pid = backendRunning(db, "INSERT INTO busy");
    return !blocked.pid.isEmpty();
}

} // namespace

class TstMigrationResume : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void initTestCase();
    void failingStatementIsResumedAfterTheFix();
    void changedCommittedStatementIsRefused();
    void cancelMidwayKeepsWhatCommitted();
    void droppedConnectionDuringAStatementThatCanRunInATransaction();
    void droppedConnectionDuringConcurrentIndexSaysItMayHaveRun();
    void fileTransactionThatAbortedIsNotCounted();
    void progressIsWrittenAsTheRunnerWhateverTheMigrationSet();

private:
    QTemporaryDir m_cache;
    FaultTable m_table{7};
};

void TstMigrationResume::cleanupTestCase()
{
    m_table.print(u"a no-transaction migration stopped after k of n statements (failure, "
                  u"Ctrl-C, server ending the connection, file transaction aborted)"_s,
                  "tst_migrationresume",
                  u"`algoadmin_schema_progress` records exactly the committed statements; "
                  u"`status` *partial*; `migrate` resumes after them"_s);
}

void TstMigrationResume::initTestCase()
{
    qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8()); // verify's cache
}

void TstMigrationResume::failingStatementIsResumedAfterTheFix()
{
    TestDatabase db(u"resume_fix"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QByteArray broken = "-- algoadmin:no-transaction\n"
                              "CREATE TABLE n1 (a int);\n"
                              "CREATE INDEX CONCURRENTLY n1_a ON n1 (a);\n"
                              "SELECT 1 / 0;\n"
                              "CREATE TABLE n2 (a int);\n";
    QVERIFY(!writeMigrations(dir, {{u"001_nt.sql"_s, broken},
                                   {u"002_after.sql"_s, "CREATE TABLE after_nt (a int);\n"}})
                 .isEmpty());
    {
        MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
        const RunReport report = engine.migrate();
        QCOMPARE(report.outcome, RunReport::Outcome::Failed);
        QCOMPARE(report.error.where, u"001_nt.sql:4"_s);
        QVERIFY2(report.error.hint.contains(u"resumes here"_s), qPrintable(report.error.hint));
        QCOMPARE(report.migrations.at(0).committedStatements, 2);
        const QString failure = Report::runFailure(report);
        QVERIFY2(failure.contains(u"partly committed: 001_nt (statements 1-2 of 4; migrate "
                                  "resumes at 3)"_s),
                 qPrintable(failure));
        QVERIFY2(failure.contains(u"not committed: 002_after"_s), qPrintable(failure));
        QCOMPARE(rows(db, ProgressSql), QStringList{u"001|2|4|-"_s});
        QCOMPARE(rows(db, HistorySql), QStringList());

        const StatusReport status = engine.status();
        QCOMPARE(statusStates(status), QStringList({u"001=partial"_s, u"002=pending"_s}));
        QCOMPARE(status.migrations.at(0).statementsDone, 2);
        const QString table = Report::statusTable(status);
        QVERIFY2(table.contains(u"2 of 4 statements committed"_s), qPrintable(table));
        const QJsonObject json = Report::statusJson(status);
        QVERIFY2(QJsonDocument(json).toJson().contains("\"statements_committed\": 2"),
                 QJsonDocument(json).toJson().constData());

        // verify compares the database with the committed half: no drift.
        const VerifyReport verify = engine.verify();
        QVERIFY2(!verify.error.isError(), qPrintable(verify.error.toString()));
        QVERIFY2(verify.clean(), qPrintable(Report::verifyText(verify)));
        QVERIFY2(Report::verifyText(verify).contains(u"partial: 001_nt.sql"_s),
                 qPrintable(Report::verifyText(verify)));
    }

    // As the command line shows it.
    const ProcessResult status =
        runAlgoadmin({u"status"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QVERIFY2(status.out.contains(u"partial"_s) &&
                 status.out.contains(u"2 of 4 statements committed"_s),
             qPrintable(status.out + status.err));

    // The failing statement fixed; the committed ones as they were.
    QVERIFY(writeFile(dir.filePath(u"001_nt.sql"_s),
                      QByteArray(broken).replace("SELECT 1 / 0;", "SELECT 1 / 1;")));
    const ProcessResult resumed = runAlgoadmin(
        {u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path(), u"--rehearse"_s});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.out + resumed.err));
    QVERIFY2(resumed.out.contains(u"committed before"_s), qPrintable(resumed.out));
    QCOMPARE(rows(db, ProgressSql), QStringList{u"001|2|4|-"_s}); // a rehearsal changes nothing
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(stepStates(report), QStringList({u"1=committed before"_s, u"2=committed before"_s,
                                              u"3=done"_s, u"4=done"_s, u"1=done"_s}));
    QCOMPARE(rows(db, HistorySql), QStringList({u"001"_s, u"002"_s}));
    QCOMPARE(rows(db, ProgressSql), QStringList());
    // One index, valid, built by the first run; the history row has every step of both runs.
    QCOMPARE(rows(db, "SELECT indexrelid::regclass::text, indisvalid FROM pg_index"
                      " WHERE indrelid = 'n1'::regclass"),
             QStringList{u"n1_a|t"_s});
    QCOMPARE(rows(db, "SELECT string_agg((s ->> 'step') || ':' || (s ->> 'line'), ',')"
                      " FROM algoadmin_schema_history, jsonb_array_elements(steps) s"
                      " WHERE version = '001'"),
             QStringList{u"1:2,2:3,3:4,4:5"_s});
    QCOMPARE(db.scalar("SELECT total_ms >= 0 AND total_ms = (SELECT sum((s ->> 'ms')::numeric)"
                       " FROM jsonb_array_elements(steps) s) FROM algoadmin_schema_history"
                       " WHERE version = '001'"),
             u"t"_s);
    QCOMPARE(statusStates(engine.status()), QStringList({u"001=applied"_s, u"002=applied"_s}));
    QVERIFY(engine.verify().clean());
    m_table.passed();
}

void TstMigrationResume::changedCommittedStatementIsRefused()
{
    TestDatabase db(u"resume_changed"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_nt.sql"_s, "-- algoadmin:no-transaction\n"
                                                     "CREATE TABLE c1 (a int);\n"
                                                     "SELECT 1 / 0;\n"}})
                 .isEmpty());
    QCOMPARE(
        MigrationEngine(db.options(), MigrationSet::fromDirectory(dir.path())).migrate().outcome,
        RunReport::Outcome::Failed);
    QCOMPARE(rows(db, ProgressSql), QStringList{u"001|1|2|-"_s});

    // What committed is no longer what the file says, or the file no longer runs without a
    // transaction: either way nothing runs.
    const QList<QByteArray> changed{"-- algoadmin:no-transaction\n"
                                    "CREATE TABLE c1 (a bigint);\n"
                                    "SELECT 1;\n",
                                    "CREATE TABLE c1 (a int);\n"
                                    "SELECT 1;\n"};
    for (const QByteArray &contents : changed) {
        QVERIFY(writeFile(dir.filePath(u"001_nt.sql"_s), contents));
        MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
        const RunReport report = engine.migrate();
        QCOMPARE(report.outcome, RunReport::Outcome::ChangedFiles);
        QCOMPARE(report.changed, QStringList{u"001_nt"_s});
        QCOMPARE(statusStates(engine.status()), QStringList{u"001=changed"_s});
        QCOMPARE(rows(db, ProgressSql), QStringList{u"001|1|2|-"_s});
        QCOMPARE(db.scalar("SELECT format_type(atttypid, -1) FROM pg_attribute"
                           " WHERE attrelid = 'c1'::regclass AND attname = 'a'"),
                 u"integer"_s);
    }
    m_table.passed();
}

void TstMigrationResume::cancelMidwayKeepsWhatCommitted()
{
    // The case found by hand: a cancel after an index was built left it unrecorded, and the
    // next run failed on "already exists".
    TestDatabase db(u"resume_cancel"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_nt.sql"_s, "-- algoadmin:no-transaction\n"
                                                     "CREATE TABLE t (a int);\n"
                                                     "CREATE INDEX CONCURRENTLY t_a ON t (a);\n"
                                                     "INSERT INTO busy VALUES (1);\n"
                                                     "CREATE TABLE t2 (a int);\n"}})
                 .isEmpty());
    BlockedRun blocked;
    QVERIFY(startBlocked(db, dir, blocked));
    MigrationEngine &engine = *blocked.engine;
    engine.cancel();
    const RunReport report = blocked.run.get();
    QCOMPARE(report.outcome, RunReport::Outcome::Cancelled);
    QCOMPARE(rows(db, ProgressSql), QStringList{u"001|2|4|-"_s});
    QVERIFY(blocked.holder.exec("ROLLBACK").ok());
    QCOMPARE(statusStates(engine.status()), QStringList{u"001=partial"_s});

    const RunReport again = engine.migrate();
    QVERIFY2(again.outcome == RunReport::Outcome::Ok, qPrintable(again.error.toString()));
    QCOMPARE(stepStates(again), QStringList({u"1=committed before"_s, u"2=committed before"_s,
                                             u"3=done"_s, u"4=done"_s}));
    QCOMPARE(db.scalar("SELECT count(*) FROM busy"), u"1"_s);
    QCOMPARE(db.scalar("SELECT to_regclass('t2') IS NOT NULL"), u"t"_s);
    QCOMPARE(rows(db, HistorySql), QStringList{u"001"_s});
    QCOMPARE(rows(db, ProgressSql), QStringList());
    m_table.passed();
}

void TstMigrationResume::droppedConnectionDuringAStatementThatCanRunInATransaction()
{
    // The statement and its progress row commit together: the server ending the connection
    // while it runs leaves neither.
    TestDatabase db(u"resume_dropped"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_nt.sql"_s, "-- algoadmin:no-transaction\n"
                                                     "CREATE TABLE d1 (a int);\n"
                                                     "CREATE TABLE d2 (a int);\n"
                                                     "INSERT INTO busy VALUES (1);\n"
                                                     "CREATE TABLE d3 (a int);\n"}})
                 .isEmpty());
    BlockedRun blocked;
    QVERIFY(startBlocked(db, dir, blocked));
    MigrationEngine &engine = *blocked.engine;
    QCOMPARE(db.scalar("SELECT pg_terminate_backend($1::int)", {blocked.pid.toUtf8()}), u"t"_s);
    const RunReport report = blocked.run.get();
    QCOMPARE(report.outcome, RunReport::Outcome::Failed);
    QVERIFY(blocked.holder.exec("ROLLBACK").ok());
    QCOMPARE(rows(db, ProgressSql), QStringList{u"001|2|4|-"_s});
    QCOMPARE(db.scalar("SELECT count(*) FROM busy"), u"0"_s);
    // The runners' lock went with the connection (its backend ends as soon as it is told).
    QTRY_COMPARE_WITH_TIMEOUT(db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                        " AND database = (SELECT oid FROM pg_database"
                                        " WHERE datname = current_database())"),
                              u"0"_s, 5000);

    const RunReport again = engine.migrate();
    QVERIFY2(again.outcome == RunReport::Outcome::Ok, qPrintable(again.error.toString()));
    QCOMPARE(db.scalar("SELECT count(*) FROM busy"), u"1"_s);
    QCOMPARE(rows(db, HistorySql), QStringList{u"001"_s});
    m_table.passed();
}

void TstMigrationResume::droppedConnectionDuringConcurrentIndexSaysItMayHaveRun()
{
    // CREATE INDEX CONCURRENTLY commits by itself in several transactions: when the run dies
    // during it, nobody can say from the outside whether it finished. The progress row says
    // which statement was running, status says so, and a re-run that fails on what it left
    // says how to go on.
    TestDatabase db(u"resume_concurrently"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_t.sql"_s, "CREATE TABLE t (a int);\n"},
                                   {u"002_nt.sql"_s, "-- algoadmin:no-transaction\n"
                                                     "CREATE INDEX CONCURRENTLY t_a ON t (a);\n"
                                                     "CREATE TABLE after_index (a int);\n"}})
                 .isEmpty());
    EngineSettings settings;
    settings.lockTimeoutMs = 60000;
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()), settings);
    // 001 first, so that a writer can hold t open: the index build then waits for it.
    MigrationSet first = MigrationSet::fromDirectory(dir.path());
    first.migrations.removeLast();
    QCOMPARE(migrateDatabase(db.options(), first).outcome, RunReport::Outcome::Ok);
    PgConnection writer;
    DbError error;
    QVERIFY2(writer.open(db.options(), &error), qPrintable(error.toString()));
    QVERIFY(writer.exec("BEGIN").ok());
    QVERIFY(writer.exec("INSERT INTO t VALUES (1)").ok());

    std::future<RunReport> run = std::async(std::launch::async, [&] { return engine.migrate(); });
    const QString pid = backendRunning(db, "CREATE INDEX CONCURRENTLY");
    QVERIFY(!pid.isEmpty());
    QCOMPARE(db.scalar("SELECT pg_terminate_backend($1::int)", {pid.toUtf8()}), u"t"_s);
    QCOMPARE(run.get().outcome, RunReport::Outcome::Failed);
    QVERIFY(writer.exec("COMMIT").ok());
    QCOMPARE(rows(db, ProgressSql), QStringList{u"002|0|2|1"_s});
    // What PostgreSQL leaves of an interrupted build: an invalid index.
    QCOMPARE(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a'::regclass"),
             u"f"_s);

    const StatusReport status = engine.status();
    QCOMPARE(statusStates(status), QStringList({u"001=applied"_s, u"002=partial"_s}));
    QVERIFY2(Report::statusTable(status).contains(u"statement 1 was running"_s),
             qPrintable(Report::statusTable(status)));

    const RunReport blocked = engine.migrate();
    QCOMPARE(blocked.outcome, RunReport::Outcome::Failed);
    QCOMPARE(blocked.error.sqlState, u"42P07"_s); // the index exists
    QVERIFY2(blocked.error.hint.contains(u"Drop what it left"_s), qPrintable(blocked.error.hint));

    QVERIFY(db.exec("DROP INDEX t_a").ok());
    const RunReport again = engine.migrate();
    QVERIFY2(again.outcome == RunReport::Outcome::Ok, qPrintable(again.error.toString()));
    QCOMPARE(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a'::regclass"),
             u"t"_s);
    QCOMPARE(rows(db, HistorySql), QStringList({u"001"_s, u"002"_s}));
    QCOMPARE(rows(db, ProgressSql), QStringList());
    m_table.passed();
}

void TstMigrationResume::fileTransactionThatAbortedIsNotCounted()
{
    // A no-transaction file may open a transaction of its own: the progress rows of the
    // statements inside it commit with it, or not at all.
    TestDatabase db(u"resume_filetx"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QByteArray broken = "-- algoadmin:no-transaction\n"
                              "CREATE TABLE before_tx (a int);\n"
                              "BEGIN;\n"
                              "CREATE TABLE in_tx (a int);\n"
                              "SELECT 1 / 0;\n"
                              "COMMIT;\n"
                              "CREATE TABLE after_tx (a int);\n";
    QVERIFY(!writeMigrations(dir, {{u"001_nt.sql"_s, broken}}).isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    QCOMPARE(engine.migrate().outcome, RunReport::Outcome::Failed);
    QCOMPARE(rows(db, ProgressSql), QStringList{u"001|1|6|-"_s});
    QCOMPARE(db.scalar("SELECT to_regclass('in_tx') IS NULL"), u"t"_s);

    QVERIFY(writeFile(dir.filePath(u"001_nt.sql"_s),
                      QByteArray(broken).replace("SELECT 1 / 0;", "SELECT 1;")));
    MigrationEngine fixed(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport again = fixed.migrate();
    QVERIFY2(again.outcome == RunReport::Outcome::Ok, qPrintable(again.error.toString()));
    QCOMPARE(stepStates(again).first(), u"1=committed before"_s);
    QCOMPARE(stepStates(again).at(1), u"2=done"_s);
    QCOMPARE(db.scalar("SELECT to_regclass('in_tx') IS NOT NULL AND to_regclass('after_tx')"
                       " IS NOT NULL"),
             u"t"_s);
    QCOMPARE(rows(db, HistorySql), QStringList{u"001"_s});
    m_table.passed();
}

void TstMigrationResume::progressIsWrittenAsTheRunnerWhateverTheMigrationSet()
{
    // The migration switches role and search_path for its next statements; the progress rows
    // still go to the history's schema as the runner, and the migration keeps its settings.
    TestDatabase db(u"resume_role"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const QByteArray role = "resume_owner_" + db.name().toUtf8().right(8);
    db.exec("DROP ROLE IF EXISTS " + role);
    QVERIFY(db.exec("CREATE ROLE " + role).ok());
    QVERIFY(db.exec("GRANT " + role + " TO current_user").ok());
    QVERIFY(db.exec("CREATE SCHEMA other AUTHORIZATION " + role).ok());
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_nt.sql"_s, "-- algoadmin:no-transaction\n"
                                                     "SET ROLE " +
                                                         role +
                                                         ";\n"
                                                         "SET search_path = other;\n"
                                                         "CREATE TABLE owned (a int);\n"
                                                         "CREATE TABLE owned2 (a int);\n"
                                                         "SELECT 1 / 0;\n"}})
                 .isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    QCOMPARE(engine.migrate().outcome, RunReport::Outcome::Failed);
    QCOMPARE(rows(db,
                  "SELECT c.relname, pg_get_userbyid(c.relowner) = $1"
                  " FROM pg_class c WHERE c.relnamespace = 'other'::regnamespace"
                  " AND c.relkind = 'r' ORDER BY 1",
                  {role}),
             QStringList({u"owned|t"_s, u"owned2|t"_s}));
    QCOMPARE(rows(db, ProgressSql), QStringList{u"001|4|5|-"_s});
    QCOMPARE(db.scalar("SELECT pg_get_userbyid(relowner) = current_user"
                       " FROM pg_class WHERE oid = 'public.algoadmin_schema_progress'::regclass"),
             u"t"_s);
    QCOMPARE(db.scalar("SELECT count(*) = 1 FROM algoadmin_schema_progress"
                       " WHERE updated_by = current_user"),
             u"t"_s);
    db.exec("DROP SCHEMA other CASCADE");
    db.exec("DROP ROLE IF EXISTS " + role);
    m_table.passed();
}

QTEST_GUILESS_MAIN(TstMigrationResume)
#include "tst_migrationresume.moc"
