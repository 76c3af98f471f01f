// The PostgreSQL server killed (SIGKILL of the postmaster and of every backend: no shutdown, the
// next start runs crash recovery) at several points of a multi-migration run: before anything,
// between two migrations, in the middle of one, in the middle of a no-transaction one, in the
// last one. After the restart each migration is either recorded and complete or absent (a
// no-transaction one: exactly its recorded statements), status says which, verify is clean and
// migrate finishes the rest. The server is a private cluster of the test's own, with the
// durability a real one has (fsync and synchronous_commit on), since it is the one killed.
#include "faulttable.h"
#include "migrations/migrationengine.h"
#include "privatecluster.h"
#include "testdatabase.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <sys/wait.h>

using namespace Qt::StringLiterals;

namespace {

// How long the statement the kill lands in sleeps.
constexpr char SleepSql[] = "SELECT pg_sleep(3);\n";

// Migration n creates tables tN_1 … tN_k, one per statement; `sleepAt` puts the sleep before
// statement `sleepAt` of migration `sleepIn` (1-based).
struct Plan
{
    int sleepIn = 0;
    int sleepAt = 0;
    bool withNoTransaction = true; // migration 004 runs without a transaction
};

QList<QPair<QString, QByteArray>> migrationFiles(const Plan &plan)
{
    QList<QPair<QString, QByteArray>> files;
    for (int n = 1; n <= 5; ++n) {
        const bool noTransaction = plan.withNoTransaction && n == 4;
        QByteArray sql = noTransaction ? "-- algoadmin:no-transaction\n" : "";
        for (int k = 1; k <= 3; ++k) {
            if (plan.sleepIn == n && plan.sleepAt == k)
                sql += SleepSql;
            sql += "CREATE TABLE t" + QByteArray::number(n) + '_' + QByteArray::number(k) +
                   " (x int);\n";
        }
        files.append({u"00%1_m%1.sql"_s.arg(n), sql});
    }
    return files;
}

// The postmaster's pid and those of its children.
QList<pid_t> serverProcesses(const LocalCluster &cluster)
{
    QFile pidFile(cluster.pgData() + u"/postmaster.pid"_s);
    if (!pidFile.open(QIODevice::ReadOnly))
        return {};
    const pid_t postmaster = pid_t(pidFile.readLine().trimmed().toInt());
    QList<pid_t> pids{postmaster};
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool numeric = false;
        const int pid = entry.toInt(&numeric);
        QFile stat(u"/proc/%1/stat"_s.arg(entry));
        if (!numeric || !stat.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) state ppid …": comm may hold spaces, so count from the last ')'.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1 && fields.at(1).toInt() == postmaster)
            pids.append(pid_t(pid));
    }
    return pids;
}

// SIGKILL to the postmaster and every backend at once, as a crash would; true once all are
// gone.
bool killServer(const LocalCluster &cluster)
{
    const QList<pid_t> pids = serverProcesses(cluster);
    if (pids.isEmpty())
        return false;
    for (pid_t pid : pids)
        ::kill(pid, SIGKILL);
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10000) {
        const bool alive = std::any_of(pids.cbegin(), pids.cend(), [](pid_t pid) {
            ::waitpid(pid, nullptr, WNOHANG); // ours to reap: see initTestCase
            return ::kill(pid, 0) == 0 || errno != ESRCH;
        });
        if (!alive)
            return true;
        QTest::qWait(20);
    }
    return false;
}

// "1=applied", "4=partial:2", … (versions without their zeros).
QStringList states(const QList<MigrationStatus> &migrations)
{
    QStringList result;
    for (const MigrationStatus &m : migrations)
        result.append(QString::number(m.version.toInt()) + u'=' + m.stateName() +
                      (m.state == MigrationStatus::State::Partial ? u":%1"_s.arg(m.statementsDone)
                                                                  : QString()));
    return result;
}

} // namespace

class TstServerKill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void killedServerLeavesEachMigrationWholeOrAbsent_data();
    void killedServerLeavesEachMigrationWholeOrAbsent();

private:
    PrivateCluster m_cluster;
    FaultTable m_table{6};
};

void TstServerKill::initTestCase()
{
    // The server's processes, orphaned when pg_ctl starts it and again when it is killed, come
    // to this process rather than to PID 1, so that they are reaped here: under a PID 1 that
    // reaps nobody (CI's fresh root runs ctest as PID 1) a killed server would stay a zombie,
    // which the next start takes for a running postmaster.
    QVERIFY(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    qunsetenv("ALGOADMIN_LOCAL_UNSAFE_FAST"); // this one is crashed: real durability
    const QString started = m_cluster.start();
    QVERIFY2(started.isEmpty(), qPrintable(started));
}

void TstServerKill::cleanupTestCase()
{
    m_table.print(u"PostgreSQL killed (SIGKILL of the postmaster and every backend, crash "
                  u"recovery) before anything, between migrations, in one, in a "
                  u"no-transaction one, in the last, in a one-transaction run"_s,
                  "tst_serverkill",
                  u"each migration recorded and complete or absent; a no-transaction one "
                  u"exactly its recorded statements (*partial*); `status` says which, `verify` "
                  u"clean, `migrate` finishes"_s);
}

void TstServerKill::killedServerLeavesEachMigrationWholeOrAbsent_data()
{
    QTest::addColumn<int>("sleepIn");
    QTest::addColumn<int>("sleepAt");
    QTest::addColumn<bool>("withNoTransaction");
    QTest::addColumn<QStringList>("afterCrash");
    const QStringList allPending{u"1=pending"_s, u"2=pending"_s, u"3=pending"_s, u"4=pending"_s,
                                 u"5=pending"_s};
    QTest::newRow("before anything") << 1 << 1 << true << allPending;
    QTest::newRow("between 002 and 003")
        << 3 << 1 << true
        << QStringList{u"1=applied"_s, u"2=applied"_s, u"3=pending"_s, u"4=pending"_s,
                       u"5=pending"_s};
    QTest::newRow("in the middle of 003")
        << 3 << 2 << true
        << QStringList{u"1=applied"_s, u"2=applied"_s, u"3=pending"_s, u"4=pending"_s,
                       u"5=pending"_s};
    QTest::newRow("in the middle of no-transaction 004")
        << 4 << 3 << true
        << QStringList{u"1=applied"_s, u"2=applied"_s, u"3=applied"_s, u"4=partial:2"_s,
                       u"5=pending"_s};
    QTest::newRow("in the last, 005") << 5 << 2 << true
                                      << QStringList{u"1=applied"_s, u"2=applied"_s, u"3=applied"_s,
                                                     u"4=applied"_s, u"5=pending"_s};
    QTest::newRow("one transaction, in the middle of 003") << 3 << 2 << false << allPending;
}

void TstServerKill::killedServerLeavesEachMigrationWholeOrAbsent()
{
    QFETCH(int, sleepIn);
    QFETCH(int, sleepAt);
    QFETCH(bool, withNoTransaction);
    QFETCH(QStringList, afterCrash);
    const QString database = u"crash_%1_%2_%3"_s.arg(sleepIn).arg(sleepAt).arg(withNoTransaction);
    // A row that failed before its restart must not fail the next ones too.
    if (!m_cluster->isRunning()) {
        QString error;
        QVERIFY2(m_cluster->start(&error), qPrintable(error));
    }
    const QString created = m_cluster.createDatabase(database);
    QVERIFY2(created.isEmpty(), qPrintable(created));
    const ConnectionOptions options = m_cluster->connectionOptions(database);
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, migrationFiles({sleepIn, sleepAt, withNoTransaction})).isEmpty());

    // The run, killed while its statement sleeps.
    QProcess run;
    run.start(qEnvironmentVariable("ALGOADMIN_BIN"),
              {u"migrate"_s, u"-d"_s, m_cluster->url(database), u"--migrations"_s, dir.path()});
    QVERIFY(run.waitForStarted(10000));
    {
        PgConnection watcher;
        DbError error;
        QVERIFY2(watcher.open(options, &error), qPrintable(error.toString()));
        QElapsedTimer clock;
        clock.start();
        while (value(watcher,
                     "SELECT count(*) FROM pg_stat_activity"
                     " WHERE datname = current_database() AND wait_event = 'PgSleep'") != u"1"_s) {
            QVERIFY2(clock.elapsed() < 60000 && run.state() != QProcess::NotRunning,
                     run.readAllStandardError().constData());
            QTest::qWait(20);
        }
    }
    QVERIFY(killServer(m_cluster.cluster()));
    // (It may have ended already, seen by the wait above.)
    QVERIFY(run.state() == QProcess::NotRunning || run.waitForFinished(30000));
    QCOMPARE(run.exitCode(), 1);
    QVERIFY2(QString::fromUtf8(run.readAllStandardError()).contains(u"error:"_s), "no error said");
    QString error;
    QVERIFY2(m_cluster->start(&error), qPrintable(error)); // crash recovery

    MigrationEngine engine(options, MigrationSet::fromDirectory(dir.path()));
    const StatusReport status = engine.status();
    QVERIFY2(!status.error.isError(), qPrintable(status.error.toString()));
    QCOMPARE(states(status.migrations), afterCrash);

    // Whole or absent: each migration's tables all there (applied), none (pending), or exactly
    // the recorded statements' (partial).
    PgConnection check;
    DbError checkError;
    QVERIFY2(check.open(options, &checkError), qPrintable(checkError.toString()));
    for (const MigrationStatus &m : status.migrations) {
        const int expected = m.state == MigrationStatus::State::Applied   ? 3
                             : m.state == MigrationStatus::State::Partial ? m.statementsDone
                                                                          : 0;
        QCOMPARE(value(check,
                       "SELECT count(*) FROM pg_class WHERE relkind = 'r'"
                       " AND relname LIKE $1",
                       {"t" + QByteArray::number(m.version.toInt()) + "\\_%"}),
                 QString::number(expected));
    }
    const VerifyReport verify = engine.verify();
    QVERIFY2(!verify.error.isError(), qPrintable(verify.error.toString()));
    QCOMPARE(verify.differences.size(), 0);

    // And migrate finishes the rest.
    const RunReport rest = engine.migrate();
    QVERIFY2(rest.outcome == RunReport::Outcome::Ok, qPrintable(rest.error.toString()));
    QCOMPARE(value(check, "SELECT count(*) FROM pg_class WHERE relkind = 'r'"
                          " AND relname ~ '^t[1-5]_[1-3]$'"),
             u"15"_s);
    QCOMPARE(value(check, "SELECT count(*) FROM algoadmin_schema_history"), u"5"_s);
    QVERIFY(engine.verify().clean());
    m_table.passed();
}

QTEST_GUILESS_MAIN(TstServerKill)
#include "tst_serverkill.moc"
