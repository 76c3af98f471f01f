// The algoadmin process killed (SIGKILL: no chance to say goodbye) in the middle of a migration
// and of an apply. The server must notice on its own: it rolls the transaction back, and the
// runners' lock and every row lock are free again within a bounded time, although the statement
// that ran would have gone on for minutes (client_connection_check_interval, set by every
// transaction of the program; see app/db/clientcheck.h). The next run then succeeds. Checked
// through the catalog: fingerprints of the tables before and after.
#include "faulttable.h"
#include "repositoryfixture.h"
#include "testdatabase.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

// The statement that keeps a run busy for far longer than the bound the test allows.
constexpr int BusySeconds = 120;
// What the test allows the server to notice a killed client and end its backend.
constexpr int BoundMs = 15000;

// This database's backends other than the test's own, and its advisory locks.
const QByteArray LeftoverSql =
    "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    "        AND pid <> pg_backend_pid() AND backend_type = 'client backend')"
    " || ',' || (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
    "        AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))";

// Starts algoadmin with `arguments`, waits until its backend sleeps in pg_sleep (the busy
// statement), kills the process with SIGKILL and returns how long the server took to let go of
// everything it held (backend gone, no advisory lock), or -1 on a timeout (`why` says which).
qint64 killWhileBusy(TestDatabase &db, const QStringList &arguments, QString *why)
{
    QProcess process;
    QTemporaryDir config;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"XDG_CONFIG_HOME"_s, config.path());
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("ALGOADMIN_BIN"), arguments);
    if (!process.waitForStarted(10000)) {
        *why = u"could not start algoadmin: "_s + process.errorString();
        return -1;
    }
    QElapsedTimer waiting;
    waiting.start();
    while (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                     " AND wait_event = 'PgSleep'") != u"1"_s) {
        if (waiting.elapsed() > 60000 || process.state() == QProcess::NotRunning) {
            *why =
                u"the run never reached its busy statement: "_s +
                QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
            process.kill();
            process.waitForFinished(5000);
            return -1;
        }
        QTest::qWait(50);
    }
    QElapsedTimer clock;
    clock.start();
    ::kill(pid_t(process.processId()), SIGKILL);
    process.waitForFinished(5000);
    while (db.scalar(LeftoverSql) != u"0,0"_s) {
        if (clock.elapsed() > BoundMs) {
            *why = u"after %1 ms still held (backends,advisory locks): %2"_s.arg(clock.elapsed())
                       .arg(db.scalar(LeftoverSql));
            return -1;
        }
        QTest::qWait(50);
    }
    return clock.elapsed();
}

} // namespace

class TstKilledClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void killedMidMigrationRollsBackAndFreesTheLock();
    void killedMidNoTransactionMigrationResumes();
    void killedMidApplyLeavesNothingHalfWritten();

private:
    FaultTable m_table{3};
};

void TstKilledClient::cleanupTestCase()
{
    m_table.print(
        u"algoadmin killed (SIGKILL) mid-migration, mid-no-transaction-migration, "
        u"mid-apply (statements that would run 2 more minutes)"_s,
        "tst_killedclient",
        u"the server notices within about a second (longest %1 ms), rolls back, frees the "
        u"runners' lock and row locks; the next run succeeds or resumes"_s.arg(
            m_table.longestMs()));
}

void TstKilledClient::killedMidMigrationRollsBackAndFreesTheLock()
{
    TestDatabase db(u"kill_migrate"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QByteArray slow =
        "CREATE TABLE b (x int);\nSELECT pg_sleep(" + QByteArray::number(BusySeconds) + ");\n";
    QVERIFY(!writeMigrations(
                 dir, {{u"001_a.sql"_s, "CREATE TABLE a (x int);\n"}, {u"002_b.sql"_s, slow}})
                 .isEmpty());
    QString why;
    const qint64 ms = killWhileBusy(
        db, {u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()}, &why);
    QVERIFY2(ms >= 0, qPrintable(why));
    qInfo("the server let go %lld ms after the migrating process was killed", ms);
    // One transaction: nothing of it stayed, not even the history table.
    QCOMPARE(db.scalar("SELECT to_regclass('a') IS NULL AND to_regclass('b') IS NULL"
                       " AND to_regclass('algoadmin_schema_history') IS NULL"),
             u"t"_s);

    QVERIFY(writeFile(dir.filePath(u"002_b.sql"_s), "CREATE TABLE b (x int);\n"));
    const ProcessResult again =
        runAlgoadmin({u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
    QCOMPARE(rows(db, "SELECT version FROM algoadmin_schema_history ORDER BY 1"),
             QStringList({u"001"_s, u"002"_s}));
    m_table.passed(ms);
}

void TstKilledClient::killedMidNoTransactionMigrationResumes()
{
    TestDatabase db(u"kill_notx"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QByteArray slow = "-- algoadmin:no-transaction\n"
                            "CREATE TABLE n1 (x int);\n"
                            "CREATE INDEX CONCURRENTLY n1_x ON n1 (x);\n"
                            "SELECT pg_sleep(" +
                            QByteArray::number(BusySeconds) +
                            ");\n"
                            "CREATE TABLE n2 (x int);\n";
    QVERIFY(!writeMigrations(dir, {{u"001_nt.sql"_s, slow}}).isEmpty());
    QString why;
    const qint64 ms = killWhileBusy(
        db, {u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()}, &why);
    QVERIFY2(ms >= 0, qPrintable(why));
    qInfo("the server let go %lld ms after the migrating process was killed", ms);
    // The two statements before the sleep committed, and the progress says exactly that.
    QCOMPARE(rows(db, "SELECT statements_done, coalesce(running, 0)"
                      " FROM algoadmin_schema_progress"),
             QStringList{u"2|0"_s});
    const ProcessResult status =
        runAlgoadmin({u"status"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QVERIFY2(status.out.contains(u"2 of 4 statements committed"_s),
             qPrintable(status.out + status.err));

    // The sleep shortened (statements 1-2 are unchanged): the next run resumes at it.
    QVERIFY(writeFile(dir.filePath(u"001_nt.sql"_s),
                      QByteArray(slow).replace(QByteArray::number(BusySeconds) + ")", "0)")));
    const ProcessResult again =
        runAlgoadmin({u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
    QVERIFY2(again.out.contains(u"committed before"_s), qPrintable(again.out));
    QCOMPARE(db.scalar("SELECT to_regclass('n2') IS NOT NULL"), u"t"_s);
    QCOMPARE(db.scalar("SELECT count(*) FROM algoadmin_schema_progress"), u"0"_s);
    m_table.passed(ms);
}

void TstKilledClient::killedMidApplyLeavesNothingHalfWritten()
{
    // A revert is an apply: the old value written back through the audited path, in one
    // transaction. A trigger of the test's makes its changelog insert take minutes.
    TestDatabase db(u"kill_apply"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    db.exec("BEGIN");
    db.exec("SELECT set_config('algoadmin.reason', 'before the kill', true),"
            " set_config('algoadmin.user_id', '9', true)");
    db.exec("UPDATE algorithm_parameters SET current_value = '0.1'"
            " WHERE algorithm_id = 'A1' AND parameter_name = 'learning_rate'");
    QVERIFY(db.exec("COMMIT").ok());
    const QString entry =
        db.scalar("SELECT id FROM algorithm_changelog WHERE reason = 'before the kill'");
    QVERIFY(!entry.isEmpty());
    QVERIFY(db.exec("CREATE FUNCTION slow_audit() RETURNS trigger LANGUAGE plpgsql AS $$"
                    " BEGIN PERFORM pg_sleep(" +
                    QByteArray::number(BusySeconds) + "); RETURN NEW; END $$")
                .ok());
    QVERIFY(db.exec("CREATE TRIGGER slow_audit BEFORE INSERT ON algorithm_changelog"
                    " FOR EACH ROW EXECUTE FUNCTION slow_audit()")
                .ok());
    const QString before = db.scalar(ChecksumSql);

    QString why;
    const qint64 ms = killWhileBusy(
        db, {u"revert"_s, u"-d"_s, db.conninfo(), entry, u"--reason"_s, u"killed midway"_s}, &why);
    QVERIFY2(ms >= 0, qPrintable(why));
    qInfo("the server let go %lld ms after the applying process was killed", ms);
    // Rolled back whole: the parameter, its config and the changelog as they were.
    QCOMPARE(db.scalar(ChecksumSql), before);
    QCOMPARE(db.scalar("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                       " WHERE c.relname LIKE 'algorithm_%' AND l.pid <> pg_backend_pid()"),
             u"0"_s);

    // The next apply goes through.
    QVERIFY(db.exec("DROP TRIGGER slow_audit ON algorithm_changelog").ok());
    const ProcessResult again = runAlgoadmin(
        {u"revert"_s, u"-d"_s, db.conninfo(), entry, u"--reason"_s, u"after the kill"_s});
    QVERIFY2(again.exitCode == 0, qPrintable(again.out + again.err));
    QVERIFY(db.scalar(ChecksumSql) != before);
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog WHERE reason = 'after the kill'"),
             u"1"_s);
    m_table.passed(ms);
}

QTEST_GUILESS_MAIN(TstKilledClient)
#include "tst_killedclient.moc"
