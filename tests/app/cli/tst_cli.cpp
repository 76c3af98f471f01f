// The command line through the real executable: exit codes, what reaches stdout and stderr, the
// JSON reports, the psql-style connection options and the `local` command.

#include "db/pgconnection.h"
#include "testdatabase.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {

// runAlgoadmin() with the child's environment given explicitly.
ProcessResult runWithEnvironment(const QStringList &arguments,
                                 const QProcessEnvironment &environment, int timeoutMs = 60000)
{
    ProcessResult result;
    QProcess process;
    process.setProcessEnvironment(environment);
    QElapsedTimer clock;
    clock.start();
    process.start(qEnvironmentVariable("ALGOADMIN_BIN"), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = u"timed out"_s;
    }
    result.elapsedMs = clock.elapsed();
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err += QString::fromUtf8(process.readAllStandardError());
    return result;
}

// This process's environment without any libpq variable, so that only what a test sets counts,
// and with a cache directory of this run's own (verify caches its replays there).
QProcessEnvironment environmentWithoutLibpq()
{
    static QTemporaryDir cache;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &key : environment.keys()) {
        if (key.startsWith(u"PG"_s))
            environment.remove(key);
    }
    environment.insert(u"XDG_CACHE_HOME"_s, cache.path());
    return environment;
}

ProcessResult run(const QStringList &arguments)
{
    return runWithEnvironment(arguments, environmentWithoutLibpq());
}

// Everything a failed QCOMPARE on a process needs to be understood.
QByteArray describe(const ProcessResult &result)
{
    return u"exit %1 after %2 ms\n--- stdout:\n%3\n--- stderr:\n%4"_s.arg(result.exitCode)
        .arg(result.elapsedMs)
        .arg(result.out, result.err)
        .toLocal8Bit();
}

// Runs `expression` (a ProcessResult) once and checks its exit code, showing everything if not.
#define CHECK_EXIT(expression, code)                                                               \
    do {                                                                                           \
        const ProcessResult checked = (expression);                                                \
        QVERIFY2(checked.exitCode == (code), describe(checked).constData());                       \
    } while (false)

QJsonObject parseJson(const QString &text, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error = u"not a JSON object (%1 at %2):\n%3"_s.arg(parseError.errorString())
                     .arg(parseError.offset)
                     .arg(text);
        return {};
    }
    return document.object();
}

QString socketDir()
{
    return TestDatabase::clusterOptions(u"postgres"_s).host;
}

// "postgres@<socket dir>:5432/<db>", as the reports name their target.
QString targetOf(const TestDatabase &db)
{
    return u"postgres@%1:5432/%2"_s.arg(socketDir(), db.name());
}

QStringList jsonStates(const QJsonObject &json)
{
    QStringList states;
    for (const QJsonValue &migration : json.value(u"migrations"_s).toArray()) {
        states.append(migration[u"version"_s].toString() + u'=' + migration[u"state"_s].toString());
    }
    return states;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void migrateTextReport();
    void rehearseRollsBack();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void failingMigrationExitsOne();
    void changedFileExitsThree();
    void verifyDriftExitsThree();
    void lockHeldElsewhereExitsFour_data();
    void lockHeldElsewhereExitsFour();
    void unreachableServerExitsOne();
    void runThatDidNotRunDoesNotSayNothingToDo_data();
    void runThatDidNotRunDoesNotSayNothingToDo();
    void jsonReports();
    void helpOfEachCommand_data();
    void helpOfEachCommand();
    void helpListsEveryCommand();
    void versionNamesQtAndLibpq();
    void connectionForms();
    void localStatusWithoutCluster();
    void localStartWithoutServerBinaries();
    void localStatusAndUrlOfRunningCluster();
    void interruptCancelsTheRunningStatement();
};

// ---------------------------------------------------------------------------------------------

void TestCli::migrateTextReport()
{
    TestDatabase db(u"clitext"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    // DESIGN.md's 001 and 002, whose statements the report lists one by one.
    QTemporaryDir dir;
    const QString design = designMigrationsDir(dir);
    QVERIFY(!design.isEmpty());
    const QStringList target{u"-d"_s, db.conninfo(), u"--migrations"_s, design};

    const ProcessResult result = run(QStringList{u"migrate"_s} + target);
    CHECK_EXIT(result, 0);
    QCOMPARE(result.err, QString());
    const QStringList lines = result.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 15 + 2);

    // Header: the columns in order.
    const QString header = lines.first();
    int at = -1;
    for (const QString &column :
         {u"migration"_s, u"step"_s, u"statement"_s, u"file:line"_s, u"ms"_s}) {
        const int next = header.indexOf(column, at + 1);
        QVERIFY2(next > at, qPrintable(column + u" in: "_s + header));
        at = next;
    }

    // One row per statement, with its file:line and a time.
    const QRegularExpression timed(u"\\d+\\.\\d+$"_s);
    for (int i = 1; i <= 15; ++i) {
        const QString row = lines.at(i);
        QVERIFY2(
            row.startsWith(i <= 14 ? u"001_algorithm_tables "_s : u"002_add_missing_columns "_s),
            qPrintable(row));
        QVERIFY2(timed.match(row).hasMatch(), qPrintable(row));
    }
    QVERIFY2(lines.at(1).contains(u"CREATE TABLE algorithm_agents"_s), qPrintable(lines.at(1)));
    QVERIFY2(lines.at(1).contains(u"001_algorithm_tables.sql:4 "_s), qPrintable(lines.at(1)));
    QVERIFY2(QRegularExpression(u"^001_algorithm_tables\\s+1 "_s).match(lines.at(1)).hasMatch(),
             qPrintable(lines.at(1)));
    QVERIFY2(lines.at(14).contains(u"001_algorithm_tables.sql:76 "_s), qPrintable(lines.at(14)));
    QVERIFY2(lines.at(15).contains(u"ALTER TABLE algorithm_agents"_s), qPrintable(lines.at(15)));
    QVERIFY2(lines.at(15).contains(u"002_add_missing_columns.sql:2 "_s), qPrintable(lines.at(15)));

    // Totals.
    QCOMPARE(lines.at(16), u"applied 2 of 2 pending migration(s), 15 statement(s)"_s);
    QVERIFY2(QRegularExpression(u"^wall time \\d+\\.\\d+ ms, server time \\d+\\.\\d+ ms, "
                                "round trips 1\\b"_s)
                 .match(lines.at(17))
                 .hasMatch(),
             qPrintable(lines.at(17)));

    // Again: nothing to do.
    const ProcessResult again = run(QStringList{u"migrate"_s} + target);
    CHECK_EXIT(again, 0);
    QVERIFY2(again.out.startsWith(u"nothing to do: 2 migration(s) already applied\n"_s),
             describe(again).constData());

    // The bundled set goes on from there: the rest is pending, and a plain migrate applies it.
    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    const qsizetype later = bundled.migrations.size() - 2;
    const int laterStatements = statementCount(bundled) - 15;
    const ProcessResult rest = run({u"migrate"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(rest, 0);
    QVERIFY2(rest.out.contains(
                 u"\napplied %1 of %1 pending migration(s), %2 statement(s)\n"_s.arg(later).arg(
                     laterStatements)),
             describe(rest).constData());
    QCOMPARE(rest.out.split(u'\n', Qt::SkipEmptyParts).size(), 1 + laterStatements + 2);
}

void TestCli::rehearseRollsBack()
{
    TestDatabase db(u"clirehearse"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));

    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));

    const ProcessResult result = run({u"migrate"_s, u"--rehearse"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(result, 0);
    QVERIFY2(result.out.contains(u"rehearsed %1 of %1 pending migration(s), %2 statement(s); "
                                 "everything rolled back"_s.arg(bundled.migrations.size())
                                     .arg(statementCount(bundled))),
             describe(result).constData());
    QCOMPARE(db.scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'algorithm\\_%'"), u"0"_s);

    const ProcessResult status = run({u"status"_s, u"--json"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(status, 0);
    QString error;
    const QJsonObject json = parseJson(status.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(jsonStates(json), withState(migrationVersions(bundled), u"pending"_s));
}

// ---------------------------------------------------------------------------------------------

void TestCli::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("stderrParts");

    QTest::newRow("unknown option")
        << QStringList({u"migrate"_s, u"--bogus"_s})
        << QStringList({u"bogus"_s, u"usage: algoadmin migrate [-d CONN]"_s});
    QTest::newRow("unknown command")
        << QStringList({u"frobnicate"_s})
        << QStringList({u"unknown command \"frobnicate\""_s, u"Usage:"_s, u"algoadmin migrate"_s});
    QTest::newRow("conninfo without a value")
        << QStringList({u"migrate"_s, u"-d"_s, u"host=x port"_s})
        << QStringList(
               {u"malformed connection string"_s, u"port"_s, u"usage: algoadmin migrate"_s});
    QTest::newRow("URI with a bad percent escape")
        << QStringList({u"status"_s, u"-d"_s, u"postgresql://%zz"_s})
        << QStringList({u"malformed connection string"_s, u"%zz"_s, u"usage: algoadmin status"_s});
    QTest::newRow("lock timeout not a number")
        << QStringList({u"migrate"_s, u"--lock-timeout"_s, u"soon"_s})
        << QStringList({u"--lock-timeout"_s, u"soon"_s, u"usage: algoadmin migrate"_s});
    QTest::newRow("stray argument")
        << QStringList({u"migrate"_s, u"now"_s})
        << QStringList({u"unexpected argument \"now\""_s, u"usage: algoadmin migrate"_s});
    QTest::newRow("missing migrations directory")
        << QStringList({u"verify"_s, u"--migrations"_s, u"/nonexistent/migrations"_s})
        << QStringList({u"/nonexistent/migrations"_s, u"does not exist"_s});
}

void TestCli::usageErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, stderrParts);

    const ProcessResult result = run(arguments);
    CHECK_EXIT(result, 2);
    for (const QString &part : stderrParts)
        QVERIFY2(result.err.contains(part), qPrintable(part + u"\n"_s + describe(result)));
    QCOMPARE(result.out, QString());
}

// ---------------------------------------------------------------------------------------------

void TestCli::failingMigrationExitsOne()
{
    TestDatabase db(u"clifail"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_good.sql"_s), "CREATE TABLE good (id int);\n"));
    QVERIFY(writeFile(dir.filePath(u"002_bad.sql"_s), "CREATE TABLE bad (id int);\n"
                                                      "INSERT INTO bad\n"
                                                      "    VALUES ('not a number');\n"));

    const ProcessResult result =
        run({u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    CHECK_EXIT(result, 1);
    QVERIFY2(result.err.contains(u"002_bad.sql:3"_s), describe(result).constData());
    QVERIFY2(result.err.contains(u"SQLSTATE 22P02"_s), describe(result).constData());
    QVERIFY2(result.err.contains(u"committed: 001_good"_s), describe(result).constData());
    QVERIFY2(result.err.contains(u"not committed: 002_bad"_s), describe(result).constData());
    QVERIFY2(result.out.contains(u"applied 1 of 2 pending migration(s)"_s),
             describe(result).constData());
    QCOMPARE(db.scalar("SELECT string_agg(version, ',' ORDER BY version)"
                       " FROM algoadmin_schema_history"),
             u"001"_s);
    QCOMPARE(db.scalar("SELECT to_regclass('bad') IS NULL"), u"t"_s);

    // The same as JSON.
    const ProcessResult json =
        run({u"migrate"_s, u"--json"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    CHECK_EXIT(json, 1);
    QString error;
    const QJsonObject report = parseJson(json.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(report[u"outcome"_s].toString(), u"failed"_s);
    QCOMPARE(report[u"error"_s][u"where"_s].toString(), u"002_bad.sql:3"_s);
    QCOMPARE(report[u"error"_s][u"sqlstate"_s].toString(), u"22P02"_s);
    QCOMPARE(jsonStates(report), QStringList{u"002=failed"_s});
}

void TestCli::changedFileExitsThree()
{
    TestDatabase db(u"clichanged"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_a.sql"_s), "CREATE TABLE a (id int);\n"));
    const QStringList target{u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()};
    const ProcessResult first = run(QStringList{u"migrate"_s} + target);
    CHECK_EXIT(first, 0);

    QVERIFY(writeFile(dir.filePath(u"001_a.sql"_s), "CREATE TABLE a (id int, note text);\n"));
    QVERIFY(writeFile(dir.filePath(u"002_b.sql"_s), "CREATE TABLE b (id int);\n"));

    const ProcessResult status = run(QStringList{u"status"_s} + target);
    CHECK_EXIT(status, 3);
    QVERIFY2(QRegularExpression(u"(?m)^001\\s+a\\s+changed"_s).match(status.out).hasMatch(),
             describe(status).constData());
    QVERIFY2(QRegularExpression(u"(?m)^002\\s+b\\s+pending"_s).match(status.out).hasMatch(),
             describe(status).constData());

    const ProcessResult migrate = run(QStringList{u"migrate"_s} + target);
    CHECK_EXIT(migrate, 3);
    QVERIFY2(migrate.err.contains(u"001_a"_s), describe(migrate).constData());
    QCOMPARE(db.scalar("SELECT to_regclass('b') IS NULL"), u"t"_s);

    const ProcessResult verify = run(QStringList{u"verify"_s} + target);
    CHECK_EXIT(verify, 3);
    QVERIFY2(verify.out.contains(u"changed file: 001_a.sql"_s), describe(verify).constData());
}

void TestCli::verifyDriftExitsThree()
{
    TestDatabase db(u"clidrift"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    CHECK_EXIT(run({u"migrate"_s, u"-d"_s, db.conninfo()}), 0);
    const ProcessResult clean = run({u"verify"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(clean, 0);
    QVERIFY2(clean.out.contains(u"schema matches the migrations (5 tables)"_s),
             describe(clean).constData());

    QVERIFY(db.exec("DROP INDEX idx_algorithm_changelog_user").ok());
    const ProcessResult drift = run({u"verify"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(drift, 3);
    QVERIFY2(drift.out.contains(u"drift: index algorithm_changelog.idx_algorithm_changelog_user:"
                                " missing"_s),
             describe(drift).constData());
    QVERIFY2(QRegularExpression(u"(?m)^1 difference\\(s\\); .*[12] catalog queries"_s)
                 .match(drift.out)
                 .hasMatch(),
             describe(drift).constData());
}

// ---------------------------------------------------------------------------------------------

void TestCli::lockHeldElsewhereExitsFour_data()
{
    QTest::addColumn<bool>("advisory");
    QTest::newRow("table lock") << false;
    QTest::newRow("runners' advisory lock") << true;
}

void TestCli::lockHeldElsewhereExitsFour()
{
    QFETCH(bool, advisory);

    TestDatabase db(u"clilock"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_x.sql"_s), "CREATE TABLE x (id int);\n"));
    const QStringList target{u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()};
    CHECK_EXIT(run(QStringList{u"migrate"_s} + target), 0);
    QVERIFY(writeFile(dir.filePath(u"002_alter_x.sql"_s), "ALTER TABLE x ADD COLUMN note text;\n"));

    // The holder names itself through its conninfo.
    ConnectionOptions holderOptions = db.options();
    holderOptions.database = u"dbname=%1 application_name=tst-cli-lock-holder"_s.arg(db.name());
    PgConnection holder;
    DbError holderError;
    QVERIFY2(holder.open(holderOptions, &holderError), qPrintable(holderError.toString()));
    if (advisory) {
        QVERIFY(holder.exec("SELECT pg_advisory_lock(7101968462031457)").ok());
    } else {
        QVERIFY(holder.exec("BEGIN").ok());
        QVERIFY(holder.exec("LOCK TABLE x").ok());
    }
    const int holderPid = holder.backendPid();

    const ProcessResult result =
        run(QStringList{u"migrate"_s, u"--lock-timeout"_s, u"700"_s} + target);
    QVERIFY(holder.exec(advisory ? "SELECT pg_advisory_unlock_all()" : "ROLLBACK").ok());
    CHECK_EXIT(result, 4);
    QVERIFY2(result.elapsedMs < 3000, describe(result).constData());
    QVERIFY2(result.err.contains(u"pid %1,"_s.arg(holderPid)), describe(result).constData());
    QVERIFY2(result.err.contains(u"application \"tst-cli-lock-holder\""_s),
             describe(result).constData());
    QVERIFY2(result.err.contains(u"SQLSTATE 55P03"_s), describe(result).constData());
    QCOMPARE(db.scalar("SELECT string_agg(version, ',' ORDER BY version)"
                       " FROM algoadmin_schema_history"),
             u"001"_s);
}

void TestCli::unreachableServerExitsOne()
{
    const ProcessResult result =
        run({u"migrate"_s, u"-d"_s, u"host=127.0.0.1 port=1 dbname=x connect_timeout=3"_s});
    CHECK_EXIT(result, 1);
    QVERIFY2(result.elapsedMs < 4000, describe(result).constData());
    QVERIFY2(result.err.contains(u"127.0.0.1"_s), describe(result).constData());
    QVERIFY2(result.err.contains(u"port 1 "_s) || result.err.contains(u"127.0.0.1:1"_s),
             describe(result).constData());
    QVERIFY2(result.err.contains(u"Connection refused"_s), describe(result).constData());
}

void TestCli::runThatDidNotRunDoesNotSayNothingToDo_data()
{
    QTest::addColumn<QString>("situation");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("unreachable server") << u"unreachable"_s << 1;
    QTest::newRow("changed applied file, pending migration") << u"changed"_s << 3;
    QTest::newRow("runners' lock held elsewhere") << u"locked"_s << 4;
}

void TestCli::runThatDidNotRunDoesNotSayNothingToDo()
{
    // "nothing to do" tells the user the database is up to date. A run that never looked
    // (no connection), was refused (a changed file) or gave up (a lock) must not say it.
    QFETCH(QString, situation);
    QFETCH(int, exitCode);

    TestDatabase db(u"clinothing"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_a.sql"_s), "CREATE TABLE a (id int);\n"));
    QStringList arguments{u"migrate"_s,      u"--lock-timeout"_s, u"500"_s,
                          u"--migrations"_s, dir.path(),          u"-d"_s,
                          db.conninfo()};
    PgConnection holder;
    if (situation == u"unreachable"_s) {
        arguments.last() = u"host=127.0.0.1 port=1 dbname=x connect_timeout=3"_s;
    } else if (situation == u"changed"_s) {
        CHECK_EXIT(run(arguments), 0);
        QVERIFY(writeFile(dir.filePath(u"001_a.sql"_s), "CREATE TABLE a (id bigint);\n"));
        QVERIFY(writeFile(dir.filePath(u"002_b.sql"_s), "CREATE TABLE b (id int);\n"));
    } else {
        DbError error;
        QVERIFY2(holder.open(db.options(), &error), qPrintable(error.toString()));
        QVERIFY(holder.exec("SELECT pg_advisory_lock(7101968462031457)").ok());
    }
    const ProcessResult result = run(arguments);
    CHECK_EXIT(result, exitCode);
    QVERIFY2(!result.out.contains(u"nothing to do"_s), describe(result).constData());
}

// ---------------------------------------------------------------------------------------------

void TestCli::jsonReports()
{
    TestDatabase db(u"clijson"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    QVERIFY(bundled.migrations.size() >= 2);
    QCOMPARE(migrationIds(bundled).mid(0, 2),
             QStringList({u"001_algorithm_tables"_s, u"002_add_missing_columns"_s}));
    const QStringList versions = migrationVersions(bundled);
    QString error;

    // migrate
    const ProcessResult migrate = run({u"migrate"_s, u"--json"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(migrate, 0);
    QCOMPARE(migrate.err, QString());
    const QJsonObject run1 = parseJson(migrate.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(run1[u"command"_s].toString(), u"migrate"_s);
    QCOMPARE(run1[u"outcome"_s].toString(), u"ok"_s);
    QCOMPARE(run1[u"target"_s].toString(), targetOf(db));
    QCOMPARE(run1[u"round_trips"_s].toInt(), 1);
    QVERIFY(run1[u"wall_ms"_s].isDouble());
    QVERIFY(run1[u"server_ms"_s].isDouble());
    QVERIFY(run1[u"wall_ms"_s].toDouble() > 0);
    QVERIFY(run1[u"server_ms"_s].toDouble() > 0);
    QVERIFY(run1[u"server_ms"_s].toDouble() <= run1[u"wall_ms"_s].toDouble());
    QCOMPARE(jsonStates(run1), withState(versions, u"applied"_s));
    QVERIFY(!run1.contains(u"error"_s));
    const QJsonArray steps = run1[u"steps"_s].toArray();
    QCOMPARE(steps.size(), statementCount(bundled));
    // Every statement of every migration, in order, each at its own line.
    QStringList expectedSteps;
    QStringList foundSteps;
    for (const Migration &migration : bundled.migrations) {
        for (int i = 0; i < migration.statements.size(); ++i)
            expectedSteps.append(u"%1 %2 %3:%4"_s.arg(migration.id())
                                     .arg(i + 1)
                                     .arg(migration.fileName)
                                     .arg(migration.statements.at(i).line));
    }
    double sum = 0;
    for (int i = 0; i < steps.size(); ++i) {
        const QJsonObject step = steps.at(i).toObject();
        for (const QString &key : {u"migration"_s, u"statement"_s, u"file"_s})
            QVERIFY2(step[key].isString(), qPrintable(key));
        for (const QString &key : {u"step"_s, u"line"_s, u"ms"_s})
            QVERIFY2(step[key].isDouble(), qPrintable(key));
        QVERIFY(step[u"ms"_s].toDouble() >= 0);
        QCOMPARE(step[u"state"_s].toString(), u"done"_s);
        foundSteps.append(u"%1 %2 %3:%4"_s.arg(step[u"migration"_s].toString())
                              .arg(step[u"step"_s].toInt())
                              .arg(step[u"file"_s].toString())
                              .arg(step[u"line"_s].toInt()));
        sum += step[u"ms"_s].toDouble();
    }
    QCOMPARE(foundSteps, expectedSteps);
    QVERIFY(qAbs(sum - run1[u"server_ms"_s].toDouble()) < 0.01);
    QCOMPARE(steps.first()[u"migration"_s].toString(), u"001_algorithm_tables"_s);
    QCOMPARE(steps.first()[u"statement"_s].toString(), u"CREATE TABLE algorithm_agents"_s);
    QCOMPARE(steps.first()[u"file"_s].toString(), u"001_algorithm_tables.sql"_s);
    QCOMPARE(steps.first()[u"line"_s].toInt(), 4);
    QCOMPARE(steps.at(14)[u"migration"_s].toString(), u"002_add_missing_columns"_s);
    QCOMPARE(steps.at(14)[u"file"_s].toString(), u"002_add_missing_columns.sql"_s);
    QCOMPARE(steps.at(14)[u"line"_s].toInt(), 2);

    // A second migrate: nothing to do, still a full report.
    const ProcessResult again = run({u"migrate"_s, u"--json"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(again, 0);
    const QJsonObject run2 = parseJson(again.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(run2[u"outcome"_s].toString(), u"ok"_s);
    QCOMPARE(run2[u"steps"_s].toArray().size(), 0);
    QStringList alreadyApplied;
    for (const QJsonValue &id : run2[u"already_applied"_s].toArray())
        alreadyApplied.append(id.toString());
    QCOMPARE(alreadyApplied, migrationIds(bundled));

    // status
    const ProcessResult status = run({u"status"_s, u"--json"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(status, 0);
    const QJsonObject statusJson = parseJson(status.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(statusJson[u"command"_s].toString(), u"status"_s);
    QCOMPARE(statusJson[u"history_exists"_s].toBool(), true);
    QCOMPARE(jsonStates(statusJson), withState(versions, u"applied"_s));
    for (const QJsonValue &migration : statusJson[u"migrations"_s].toArray()) {
        QCOMPARE(migration[u"applied_by"_s].toString(), u"postgres"_s);
        QCOMPARE(migration[u"kind"_s].toString(), u"migrate"_s);
        QVERIFY(migration[u"total_ms"_s].toDouble() >= 0);
        QVERIFY(QDateTime::fromString(migration[u"applied_at"_s].toString(), Qt::ISODateWithMs)
                    .isValid());
    }
    QCOMPARE(statusJson[u"round_trips"_s].toInt(), 1);

    // verify, clean
    const ProcessResult verify = run({u"verify"_s, u"--json"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(verify, 0);
    const QJsonObject clean = parseJson(verify.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(clean[u"command"_s].toString(), u"verify"_s);
    QCOMPARE(clean[u"clean"_s].toBool(), true);
    QCOMPARE(clean[u"differences"_s].toArray().size(), 0);
    QCOMPARE(clean[u"expected_tables"_s].toInt(), 5);
    QVERIFY(clean[u"catalog_queries"_s].toInt() >= 1);
    QVERIFY(clean[u"catalog_queries"_s].toInt() <= 2);

    // verify, drifted
    QVERIFY(db.exec("ALTER TABLE algorithm_metrics ALTER COLUMN metric_value"
                    " TYPE double precision")
                .ok());
    const ProcessResult drifted = run({u"verify"_s, u"--json"_s, u"-d"_s, db.conninfo()});
    CHECK_EXIT(drifted, 3);
    const QJsonObject drift = parseJson(drifted.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(drift[u"clean"_s].toBool(), false);
    const QJsonArray differences = drift[u"differences"_s].toArray();
    QCOMPARE(differences.size(), 1);
    const QJsonObject difference = differences.first().toObject();
    QCOMPARE(difference[u"change"_s].toString(), u"differs"_s);
    QCOMPARE(difference[u"kind"_s].toString(), u"column"_s);
    QCOMPARE(difference[u"table"_s].toString(), u"algorithm_metrics"_s);
    QCOMPARE(difference[u"name"_s].toString(), u"metric_value"_s);
    QCOMPARE(difference[u"expected"_s].toString(), u"numeric"_s);
    QCOMPARE(difference[u"found"_s].toString(), u"double precision"_s);
}

// ---------------------------------------------------------------------------------------------

void TestCli::helpOfEachCommand_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("synopsis"); // as DESIGN.md writes it
    QTest::addColumn<QStringList>("options");

    QTest::newRow("migrate") << u"migrate"_s
                             << u"usage: algoadmin migrate [-d CONN] [--migrations DIR] "
                                "[--rehearse] [--json] [--lock-timeout MS] "
                                "[--statement-timeout MS]"_s
                             << QStringList({u"--dbname"_s, u"--migrations"_s, u"--rehearse"_s,
                                             u"--json"_s, u"--lock-timeout"_s,
                                             u"--statement-timeout"_s});
    QTest::newRow("status") << u"status"_s
                            << u"usage: algoadmin status [-d CONN] [--migrations DIR] [--json]"_s
                            << QStringList({u"--dbname"_s, u"--migrations"_s, u"--json"_s});
    QTest::newRow("verify") << u"verify"_s
                            << u"usage: algoadmin verify [-d CONN] [--migrations DIR] [--json]"_s
                            << QStringList({u"--dbname"_s, u"--migrations"_s, u"--json"_s});
    QTest::newRow("baseline") << u"baseline"_s
                              << u"usage: algoadmin baseline [-d CONN] [--migrations DIR]"_s
                              << QStringList({u"--dbname"_s, u"--migrations"_s});
    QTest::newRow("seed-demo") << u"seed-demo"_s
                               << u"usage: algoadmin seed-demo [-d CONN] [--changelog-rows N] "
                                  "[--metric-rows N]"_s
                               << QStringList({u"--changelog-rows"_s, u"--metric-rows"_s});
    QTest::newRow("local") << u"local"_s
                           << u"usage: algoadmin local start|stop|status|url [--data-dir DIR]"_s
                           << QStringList({u"--data-dir"_s});
}

void TestCli::helpOfEachCommand()
{
    QFETCH(QString, command);
    QFETCH(QString, synopsis);
    QFETCH(QStringList, options);

    const ProcessResult result = run({command, u"--help"_s});
    CHECK_EXIT(result, 0);
    QVERIFY2(result.out.startsWith(synopsis), describe(result).constData());
    QVERIFY2(result.out.contains(u"Options:"_s), describe(result).constData());
    for (const QString &option : options)
        QVERIFY2(result.out.contains(option), qPrintable(option + u"\n"_s + describe(result)));
    QCOMPARE(result.err, QString());
}

void TestCli::helpListsEveryCommand()
{
    const ProcessResult result = run({u"--help"_s});
    CHECK_EXIT(result, 0);
    for (const QString &line :
         {u"algoadmin [gui] [-d CONN] [--local [--demo]"_s, u"algoadmin migrate "_s,
          u"algoadmin status "_s, u"algoadmin verify "_s, u"algoadmin baseline "_s,
          u"algoadmin seed-demo "_s, u"algoadmin local start|stop|status|url"_s,
          u"Exit codes: 0 success; 1 failed"_s}) {
        QVERIFY2(result.out.contains(line), qPrintable(line + u"\n"_s + describe(result)));
    }
}

void TestCli::versionNamesQtAndLibpq()
{
    const ProcessResult result = run({u"--version"_s});
    CHECK_EXIT(result, 0);
    const QStringList lines = result.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    // One source: the project version CMake passes in.
    QCOMPARE(lines.at(0), u"algoadmin "_s + QStringLiteral(ALGOADMIN_EXPECTED_VERSION));
    QVERIFY2(lines.at(1).startsWith(u"Qt "_s + QString::fromLatin1(qVersion())),
             describe(result).constData());
    // libpq's own number, as PQlibVersion gives it: the major version is the client library's.
    QVERIFY2(QRegularExpression(u"^libpq \\d+\\.\\d+$"_s).match(lines.at(2)).hasMatch(),
             describe(result).constData());
    QCOMPARE(result.err, QString());
}

// ---------------------------------------------------------------------------------------------

void TestCli::connectionForms()
{
    TestDatabase db(u"cliforms"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    CHECK_EXIT(run({u"migrate"_s, u"-d"_s, db.conninfo()}), 0);
    const QStringList applied = withState(migrationVersions(MigrationSet::bundled()), u"applied"_s);
    QVERIFY(applied.size() >= 2);
    const QString host = socketDir();
    QVERIFY(host.startsWith(u'/'));

    const QString uri = u"postgresql:///%1?host=%2&port=5432&user=postgres"_s.arg(
        db.name(), QString::fromLatin1(QUrl::toPercentEncoding(host)));
    QVERIFY(uri.contains(u"%2F"_s));
    const QList<QStringList> forms{
        {u"-d"_s, db.name(), u"-h"_s, host, u"-p"_s, u"5432"_s, u"-U"_s, u"postgres"_s},
        {u"-d"_s, u"dbname=%1 host=%2 port=5432 user=postgres"_s.arg(db.name(), host)},
        {u"-d"_s, uri},
        {u"--dbname"_s, uri},
    };
    for (const QStringList &form : forms) {
        const ProcessResult result = run(QStringList{u"status"_s, u"--json"_s} + form);
        CHECK_EXIT(result, 0);
        QString error;
        const QJsonObject json = parseJson(result.out, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(json[u"target"_s].toString(), targetOf(db));
        QCOMPARE(jsonStates(json), applied);
    }

    // libpq's environment, no -d at all.
    QProcessEnvironment environment = environmentWithoutLibpq();
    environment.insert(u"PGHOST"_s, host);
    environment.insert(u"PGPORT"_s, u"5432"_s);
    environment.insert(u"PGUSER"_s, u"postgres"_s);
    environment.insert(u"PGDATABASE"_s, db.name());
    const ProcessResult result = runWithEnvironment({u"status"_s, u"--json"_s}, environment);
    CHECK_EXIT(result, 0);
    QString error;
    const QJsonObject json = parseJson(result.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(json[u"target"_s].toString(), targetOf(db));
    QCOMPARE(jsonStates(json), applied);

    // -h/-p/-U override what the environment says.
    environment.insert(u"PGHOST"_s, u"/nonexistent-socket-dir"_s);
    environment.insert(u"PGPORT"_s, u"1"_s);
    const ProcessResult overridden = runWithEnvironment(
        {u"status"_s, u"--json"_s, u"-h"_s, host, u"-p"_s, u"5432"_s}, environment);
    CHECK_EXIT(overridden, 0);
    QCOMPARE(parseJson(overridden.out, &error)[u"target"_s].toString(), targetOf(db));
}

// ---------------------------------------------------------------------------------------------

void TestCli::localStatusWithoutCluster()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const ProcessResult result = run({u"local"_s, u"status"_s, u"--data-dir"_s, dir.path()});
    CHECK_EXIT(result, 1);
    QVERIFY2(result.out.contains(u"no local cluster in %1"_s.arg(dir.path())),
             describe(result).constData());
    QVERIFY(QDir(dir.path()).isEmpty()); // looking created nothing
}

void TestCli::localStartWithoutServerBinaries()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcessEnvironment environment = environmentWithoutLibpq();
    environment.insert(u"ALGOADMIN_PG_BINDIR"_s, u"/nonexistent"_s);
    const ProcessResult result = runWithEnvironment(
        {u"local"_s, u"start"_s, u"--data-dir"_s, dir.filePath(u"cluster"_s)}, environment);
    CHECK_EXIT(result, 1);
    QVERIFY2(result.err.contains(u"Debian package postgresql"_s), describe(result).constData());
    QVERIFY2(result.err.contains(u"/nonexistent"_s), describe(result).constData());
    QVERIFY(!QFileInfo::exists(dir.filePath(u"cluster/pgdata/PG_VERSION"_s)));
}

void TestCli::localStatusAndUrlOfRunningCluster()
{
    // The cluster the test fixture started.
    const QString dataDir = qEnvironmentVariable("ALGOADMIN_TEST_CLUSTER_DIR");
    QVERIFY(!dataDir.isEmpty());
    const ProcessResult status = run({u"local"_s, u"status"_s, u"--data-dir"_s, dataDir});
    CHECK_EXIT(status, 0);
    QVERIFY2(status.out.startsWith(u"running: %1\n"_s.arg(dataDir)), describe(status).constData());

    const ProcessResult url = run({u"local"_s, u"url"_s, u"--data-dir"_s, dataDir});
    CHECK_EXIT(url, 0);
    const QString uri = url.out.trimmed();
    QVERIFY2(uri.startsWith(u"postgresql://"_s), describe(url).constData());
    QVERIFY2(status.out.contains(uri), describe(status).constData());

    // What `url` prints is usable as -d.
    const ProcessResult reached = run({u"status"_s, u"--json"_s, u"-d"_s, uri});
    CHECK_EXIT(reached, 0);
    QString error;
    const QJsonObject json = parseJson(reached.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(json[u"target"_s].toString(), u"postgres@%1:5432/algoadmin"_s.arg(socketDir()));
}

// Ctrl-C or SIGTERM during migrate stops the statement on the server too: nothing keeps
// running (and holding locks) after the process has gone, and nothing of it is committed.
void TestCli::interruptCancelsTheRunningStatement()
{
    TestDatabase db(u"cli_interrupt"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    writeMigrations(dir, {{u"001_sleep.sql"_s, "CREATE TABLE before_sleep (x int);\n"
                                               "SELECT pg_sleep(60);\n"
                                               "CREATE TABLE after_sleep (x int);\n"}});
    QProcess process;
    process.start(qEnvironmentVariable("ALGOADMIN_BIN"),
                  {u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QVERIFY(process.waitForStarted());
    // wait until the sleep really runs on the server
    QTRY_COMPARE_WITH_TIMEOUT(
        db.scalar("SELECT count(*) FROM pg_stat_activity"
                  " WHERE datname = current_database() AND query = 'SELECT pg_sleep(60)'"),
        u"1"_s, 15000);
    QElapsedTimer clock;
    clock.start();
    process.terminate(); // SIGTERM; Ctrl-C's SIGINT takes the same path
    QVERIFY(process.waitForFinished(10000));
    QVERIFY(clock.elapsed() < 10000);
    QCOMPARE(process.exitCode(), 1);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains(u"cancelled by the user"_s), qPrintable(err));
    QCOMPARE(db.scalar("SELECT count(*) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND query = 'SELECT pg_sleep(60)'"),
             u"0"_s);
    QCOMPARE(db.scalar("SELECT to_regclass('before_sleep') IS NULL"), u"t"_s);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
