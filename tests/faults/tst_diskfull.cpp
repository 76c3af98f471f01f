// The server out of space during a migration and during seed-demo: a clear message, and
// everything rolled back. Two ways to run out: the database's own tablespace on a 16 MB tmpfs
// (real ENOSPC; mounting needs root, which the suite's runs have), and temp_file_limit, the
// server's cap on a statement's temporary files (any user).
//
// The full tablespace is on a cluster of the test's own: while the tablespace is full, the
// server's checkpoints fail (the dirty pages of the rolled-back rows cannot be written), and
// with them every other client's DROP DATABASE, which asks for one.
#include "db/pgconnection.h"
#include "faulttable.h"
#include "migrations/migrationengine.h"
#include "privatecluster.h"
#include "testdatabase.h"

#include <QDir>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <pwd.h>
#include <sys/mount.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

// 16 MB of rows: more than the tmpfs holds once the bundled migrations are in.
constexpr char BigInsert[] = "INSERT INTO filler SELECT g, repeat('x', 200)"
                             " FROM generate_series(1, 80000) g;\n";

} // namespace

class TstDiskFull : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void aFullTablespaceRollsBackMigrateAndSeedDemo();
    void temporaryFileLimitRollsBackAMigration();

private:
    FaultTable m_table{2};
};

void TstDiskFull::cleanupTestCase()
{
    m_table.print(u"the server out of disk (tablespace on a 16 MB tmpfs) during a migration "
                  u"and seed-demo; a migration over `temp_file_limit`"_s,
                  "tst_diskfull",
                  u"SQLSTATE 53100 / 53400 with the server's message and `file:line`, "
                  u"everything rolled back"_s);
}

void TstDiskFull::aFullTablespaceRollsBackMigrateAndSeedDemo()
{
    // Without root no tmpfs can be mounted (the suite's own runs, CI's included, are root);
    // temporaryFileLimitRollsBackAMigration still runs out of space the server's other way.
    if (::geteuid() != 0)
        QSKIP("mounting the small tmpfs needs root");
    QTemporaryDir mountPoint;
    QVERIFY(mountPoint.isValid());
    // The system calls, not mount(8): a minimal root has no mount package.
    const QByteArray target = QFile::encodeName(mountPoint.path());
    QVERIFY2(::mount("algoadmin-diskfull", target.constData(), "tmpfs", 0, "size=16m,mode=0700") ==
                 0,
             std::strerror(errno));
    const auto unmount = qScopeGuard([&] { ::umount2(target.constData(), MNT_DETACH); });
    QVERIFY(QFile::setPermissions(mountPoint.path(), QFile::ReadOwner | QFile::WriteOwner |
                                                         QFile::ExeOwner | QFile::ExeOther));
    const QString location = mountPoint.filePath(u"ts"_s);
    QVERIFY(QDir().mkpath(location));
    if (const passwd *postgres = ::getpwnam("postgres"))
        QVERIFY(::chown(QFile::encodeName(location).constData(), postgres->pw_uid,
                        postgres->pw_gid) == 0);

    PrivateCluster cluster;
    const QString started = cluster.start();
    QVERIFY2(started.isEmpty(), qPrintable(started));
    PgConnection admin;
    DbError adminError;
    QVERIFY2(admin.open(cluster->connectionOptions(u"postgres"_s), &adminError),
             qPrintable(adminError.toString()));
    const QByteArray space = "diskfull";
    const QByteArray database = "t_diskfull";
    QVERIFY2(
        admin.exec("CREATE TABLESPACE " + space + " LOCATION '" + location.toUtf8() + "'").ok(),
        "CREATE TABLESPACE");
    QVERIFY(admin.exec("CREATE DATABASE " + database + " TABLESPACE " + space).ok());
    // Before the tmpfs goes (the guard above), and before the cluster stops.
    const auto drop = qScopeGuard([&] {
        for (const QByteArray &sql : {"DROP DATABASE IF EXISTS " + database + " WITH (FORCE)",
                                      "DROP TABLESPACE IF EXISTS " + space}) {
            const PgResult dropped = admin.exec(sql);
            if (!dropped.ok())
                qWarning("%s: %s", sql.constData(),
                         qPrintable(dropped.error(u"clean up"_s).toString()));
        }
    });
    const ConnectionOptions options = cluster->connectionOptions(QString::fromUtf8(database));

    // A migration that fills the disk: refused by the server, rolled back, said clearly.
    QTemporaryDir dir;
    QVERIFY(
        !writeMigrations(dir, {{u"001_filler.sql"_s,
                                QByteArray("CREATE TABLE filler (n int, s text);\n") + BigInsert}})
             .isEmpty());
    MigrationEngine engine(options, MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QCOMPARE(report.outcome, RunReport::Outcome::Failed);
    QCOMPARE(report.error.sqlState, u"53100"_s); // disk_full
    // The server says "No space left on device", or "wrote only 4096 of 8192 bytes" when the
    // last page fitted in part; either way with its hint.
    QVERIFY2(report.error.toString().contains(u"Check free disk space"_s),
             qPrintable(report.error.toString()));
    QCOMPARE(report.error.where, u"001_filler.sql:2"_s);
    PgConnection check;
    DbError error;
    QVERIFY2(check.open(options, &error), qPrintable(error.toString()));
    QCOMPARE(value(check, "SELECT to_regclass('filler') IS NULL"), u"t"_s);

    // The bundled schema fits; seed-demo's months of metrics do not.
    QCOMPARE(migrateDatabase(options).outcome, RunReport::Outcome::Ok);
    const QString conninfo = u"dbname=%1 host=%2 port=%3 user=%4"_s.arg(
        QString::fromUtf8(database), options.host, options.port, options.user);
    const ProcessResult seed =
        runAlgoadmin({u"seed-demo"_s, u"-d"_s, conninfo, u"--metric-rows"_s, u"300000"_s});
    QVERIFY2(seed.exitCode == 1, qPrintable(seed.out + seed.err));
    QVERIFY2(seed.err.contains(u"SQLSTATE 53100"_s) &&
                 seed.err.contains(u"Check free disk space. Nothing of the demo data was "
                                   u"committed."_s),
             qPrintable(seed.err));
    QCOMPARE(value(check, "SELECT (SELECT count(*) FROM algorithm_agents) +"
                          " (SELECT count(*) FROM algorithm_metrics) +"
                          " (SELECT count(*) FROM algorithm_changelog)"),
             u"0"_s);
    // The rolled-back rows fill their files until a VACUUM, which itself needs a little space:
    // the administrator grows the disk, and then a seed goes through.
    QVERIFY2(::mount("algoadmin-diskfull", target.constData(), "tmpfs", MS_REMOUNT,
                     "size=64m,mode=0711") == 0,
             std::strerror(errno));
    const ProcessResult small =
        runAlgoadmin({u"seed-demo"_s, u"-d"_s, conninfo, u"--metric-rows"_s, u"1000"_s});
    QVERIFY2(small.exitCode == 0, qPrintable(small.out + small.err));
    m_table.passed();
}

void TstDiskFull::temporaryFileLimitRollsBackAMigration()
{
    TestDatabase db(u"diskfull_temp"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(
        db.exec("ALTER DATABASE " + db.name().toUtf8() + " SET temp_file_limit = '256kB'").ok());
    QTemporaryDir dir;
    QVERIFY(
        !writeMigrations(dir, {{u"001_filler.sql"_s,
                                QByteArray("CREATE TABLE filler (n int, s text);\n") + BigInsert +
                                    "SET LOCAL maintenance_work_mem = '1MB';\n"
                                    "CREATE INDEX filler_s ON filler (s, n);\n"}})
             .isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QCOMPARE(report.outcome, RunReport::Outcome::Failed);
    QCOMPARE(report.error.sqlState, u"53400"_s); // configuration_limit_exceeded
    QVERIFY2(report.error.message.contains(u"temp_file_limit"_s),
             qPrintable(report.error.toString()));
    QVERIFY2(report.error.where.startsWith(u"001_filler.sql:"_s), qPrintable(report.error.where));
    QCOMPARE(db.scalar("SELECT to_regclass('filler') IS NULL"), u"t"_s);
    QCOMPARE(db.scalar("SELECT count(*) FROM algoadmin_schema_history"), u"0"_s);
    m_table.passed();
}

QTEST_GUILESS_MAIN(TstDiskFull)
#include "tst_diskfull.moc"
