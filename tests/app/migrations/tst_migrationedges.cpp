// Edge cases of the migration engine found in review: statements that would break its own
// transaction handling, schemas that need quoting, and what a rehearsal may leave behind.
#include "faulttable.h"
#include "migrations/migrationengine.h"
#include "migrations/report.h"
#include "testdatabase.h"

#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

class TstMigrationEdges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void initTestCase();
    void clientCopyIsRefusedBeforeRunning();
    void commitAndNoChainIsRefused();
    void rehearsalNeverCommits();
    void rehearsalFailsWhereMigrateWould();
    void rehearsalLeavesNoHistoryTable();
    void migrationMaySetRole();
    void verifyOfAQuotedSchema();
    void verifyOfFunctionsOnMigrationTypes();
    void verifyTellsLongOverloadsApart();
    void lockTimeoutOnTheHistoryTableNamesTheHolder();
    void standardConformingStringsAsPsqlReadsThem();
    void invalidUtf8IsRefusedBeforeAnythingRuns();
    void brokenEntriesAreRefusedBeforeAnythingRuns_data();
    void brokenEntriesAreRefusedBeforeAnythingRuns();
    void unreadableFileIsRefusedBeforeAnythingRuns();
    void gapsAreFoundInCountedSetsOnly_data();
    void gapsAreFoundInCountedSetsOnly();
    void gapIsRefusedUnlessTheHistoryHasIt();
    void triggerFailureShowsContext();
    void enumValueAddedByOneMigrationIsUsableInTheNext();

private:
    QTemporaryDir m_cache;
    FaultTable m_table{8};
};

void TstMigrationEdges::cleanupTestCase()
{
    m_table.print(u"broken migration directories: unreadable, not UTF-8, duplicate "
                  u"versions, a gap, 200 MB, a link loop, a pipe"_s,
                  "tst_migrationedges",
                  u"refused before anything runs, naming the file (a gap: the missing "
                  u"version)"_s);
}

void TstMigrationEdges::initTestCase()
{
    // verify's cache must not touch the user's home
    qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
}

void TstMigrationEdges::clientCopyIsRefusedBeforeRunning()
{
    TestDatabase db(QStringLiteral("edge_copy"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("001_a.sql"), "CREATE TABLE a (x int);\n"
                                                                 "COPY a FROM STDIN;\n"}})
                 .isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QCOMPARE(report.outcome, RunReport::Outcome::BadInput);
    QCOMPARE(report.error.where, QStringLiteral("001_a.sql:2"));
    QCOMPARE(db.scalar("SELECT to_regclass('a') IS NULL"), QStringLiteral("t"));
}

void TstMigrationEdges::commitAndNoChainIsRefused()
{
    TestDatabase db(QStringLiteral("edge_commit"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("001_a.sql"), "CREATE TABLE a (x int);\n"
                                                                 "COMMIT AND NO CHAIN;\n"
                                                                 "CREATE TABLE b (x int);\n"}})
                 .isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QCOMPARE(report.outcome, RunReport::Outcome::BadInput);
    QCOMPARE(report.error.where, QStringLiteral("001_a.sql:2"));
    QCOMPARE(db.scalar("SELECT to_regclass('a') IS NULL"), QStringLiteral("t"));
}

void TstMigrationEdges::rehearsalNeverCommits()
{
    // A no-transaction file may hold its own BEGIN/COMMIT; inside a rehearsal they must not
    // end the rehearsal's transaction.
    TestDatabase db(QStringLiteral("edge_rehearse_commit"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("001_a.sql"), "CREATE TABLE a (x int);\n"},
                                   {QStringLiteral("002_b.sql"), "-- algoadmin:no-transaction\n"
                                                                 "BEGIN;\n"
                                                                 "CREATE TABLE b (x int);\n"
                                                                 "COMMIT;\n"}})
                 .isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.rehearse();
    QCOMPARE(report.outcome, RunReport::Outcome::Ok);
    QCOMPARE(db.scalar("SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')"),
             QStringLiteral("0"));
    // and verify's replay leaves no scratch database behind either
    QCOMPARE(engine.migrate().outcome, RunReport::Outcome::Ok);
    const VerifyReport verify = engine.verify();
    QVERIFY2(verify.clean(), qPrintable(verify.error.toString()));
    QCOMPARE(leftoverScratch(db), QStringLiteral("0"));
}

void TstMigrationEdges::rehearsalFailsWhereMigrateWould()
{
    TestDatabase db(QStringLiteral("edge_rehearse_cic"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(
                 dir, {{QStringLiteral("001_a.sql"), "CREATE TABLE a (x int);\n"
                                                     "CREATE INDEX CONCURRENTLY a_x ON a (x);\n"}})
                 .isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport rehearsal = engine.rehearse();
    QCOMPARE(rehearsal.outcome, RunReport::Outcome::Failed);
    QCOMPARE(rehearsal.error.where, QStringLiteral("001_a.sql:2"));
    QCOMPARE(engine.migrate().outcome, RunReport::Outcome::Failed);
}

void TstMigrationEdges::rehearsalLeavesNoHistoryTable()
{
    TestDatabase db(QStringLiteral("edge_rehearse_history"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    MigrationEngine engine(db.options(), MigrationSet::bundled());
    const RunReport report = engine.rehearse();
    QCOMPARE(report.outcome, RunReport::Outcome::Ok);
    QVERIFY(!report.steps.isEmpty());
    QCOMPARE(db.scalar("SELECT to_regclass('algoadmin_schema_history') IS NULL"),
             QStringLiteral("t"));
}

void TstMigrationEdges::migrationMaySetRole()
{
    TestDatabase db(QStringLiteral("edge_setrole"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const QByteArray role = "edge_owner_" + QByteArray::number(QCoreApplication::applicationPid());
    db.exec("DROP ROLE IF EXISTS " + role);
    QVERIFY(db.exec("CREATE ROLE " + role).ok());
    QVERIFY(db.exec("GRANT CREATE ON SCHEMA public TO " + role).ok());
    QTemporaryDir dir;
    QVERIFY(
        !writeMigrations(dir, {{QStringLiteral("001_a.sql"),
                                "SET LOCAL ROLE " + role + ";\nCREATE TABLE owned (x int);\n"},
                               {QStringLiteral("002_b.sql"), "CREATE TABLE after_role (x int);\n"}})
             .isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(db.scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'owned'"),
             QString::fromUtf8(role));
    QCOMPARE(db.scalar("SELECT count(*) FROM algoadmin_schema_history"), QStringLiteral("2"));
    db.exec("DROP TABLE owned");
    db.exec("REVOKE CREATE ON SCHEMA public FROM " + role);
    db.exec("DROP ROLE " + role);
}

void TstMigrationEdges::verifyOfAQuotedSchema()
{
    TestDatabase db(QStringLiteral("edge_schema"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(db.exec("CREATE SCHEMA \"App\"").ok());
    ConnectionOptions options = db.options();
    options.database = QStringLiteral("dbname=%1 options='-c search_path=\"App\"'").arg(db.name());
    MigrationEngine engine(options, MigrationSet::bundled());
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(db.scalar("SELECT to_regclass('\"App\".algorithm_agents') IS NOT NULL"),
             QStringLiteral("t"));
    const VerifyReport verify = engine.verify();
    QVERIFY2(verify.clean(), qPrintable(verify.error.toString()));
    QVERIFY(verify.expectedTables >= 5);
}

void TstMigrationEdges::verifyOfFunctionsOnMigrationTypes()
{
    TestDatabase db(QStringLiteral("edge_enum"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("001_a.sql"),
                                    "CREATE TYPE mood AS ENUM ('calm', 'busy');\n"
                                    "CREATE TABLE t (m mood NOT NULL DEFAULT 'calm');\n"
                                    "CREATE FUNCTION is_calm(m mood) RETURNS boolean LANGUAGE sql\n"
                                    "    AS $$ SELECT m = 'calm' $$;\n"}})
                 .isEmpty());
    EngineSettings settings;
    settings.useExpectedSchemaCache = false;
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()), settings);
    QCOMPARE(engine.migrate().outcome, RunReport::Outcome::Ok);
    const VerifyReport verify = engine.verify();
    QStringList differences;
    for (const SchemaDifference &difference : verify.differences)
        differences << difference.describe();
    QVERIFY2(verify.clean(),
             qPrintable(differences.join(QLatin1Char('\n')) + verify.error.toString()));
}

void TstMigrationEdges::verifyTellsLongOverloadsApart()
{
    // A function's key is its name and argument types, which may be longer than the 63 bytes
    // of a catalog name: two overloads that differ only after that must stay two objects.
    TestDatabase db(QStringLiteral("edge_overloads"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("001_a.sql"),
                                    "CREATE FUNCTION overloaded(first_argument text,"
                                    " second_argument text, third_argument integer) RETURNS int"
                                    " LANGUAGE sql AS $$ SELECT 1 $$;\n"
                                    "CREATE FUNCTION overloaded(first_argument text,"
                                    " second_argument text, third_argument bigint) RETURNS int"
                                    " LANGUAGE sql AS $$ SELECT 2 $$;\n"}})
                 .isEmpty());
    EngineSettings settings;
    settings.useExpectedSchemaCache = false;
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()), settings);
    QCOMPARE(engine.migrate().outcome, RunReport::Outcome::Ok);
    const VerifyReport clean = engine.verify();
    QVERIFY2(clean.clean(), qPrintable(clean.error.toString()));

    QVERIFY(db.exec("DROP FUNCTION overloaded(text, text, bigint)").ok());
    const VerifyReport drifted = engine.verify();
    QStringList differences;
    for (const SchemaDifference &difference : drifted.differences)
        differences << difference.changeName() + QLatin1Char(' ') + difference.object().name;
    QCOMPARE(differences,
             QStringList{QStringLiteral("missing overloaded(first_argument text, second_argument "
                                        "text, third_argument bigint)")});
}

void TstMigrationEdges::lockTimeoutOnTheHistoryTableNamesTheHolder()
{
    TestDatabase db(QStringLiteral("edge_history_lock"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QCOMPARE(migrateDatabase(db.options()).outcome, RunReport::Outcome::Ok);
    PgConnection holder;
    DbError error;
    ConnectionOptions holderOptions = db.options();
    holderOptions.applicationName = QStringLiteral("edge-history-holder");
    QVERIFY(holder.open(holderOptions, &error));
    QVERIFY(holder.exec("BEGIN").ok());
    QVERIFY(holder.exec("LOCK TABLE algoadmin_schema_history IN ACCESS EXCLUSIVE MODE").ok());
    EngineSettings settings;
    settings.lockTimeoutMs = 800;
    MigrationEngine engine(db.options(), MigrationSet::bundled(), settings);
    const RunReport report = engine.migrate();
    holder.exec("ROLLBACK");
    QCOMPARE(report.outcome, RunReport::Outcome::LockTimeout);
    QVERIFY(!report.lockHolders.isEmpty());
    QCOMPARE(report.lockHolders.first().pid, holder.backendPid());
}

// Issue 12: a file that turns standard_conforming_strings off must be split, and its strings
// read, exactly as psql does. The same file runs through psql (-1: one transaction, as the engine
// runs a migration) and through the engine, each into a database of its own; the rows must agree.
void TstMigrationEdges::standardConformingStringsAsPsqlReadsThem()
{
    const QByteArray sql = "CREATE TABLE said (n int PRIMARY KEY, t text);\n"
                           "SET standard_conforming_strings = off;\n"
                           "INSERT INTO said VALUES (1, 'it\\'s; here');\n"
                           "INSERT INTO said VALUES (2, 'tab\\there'), (3, 'a\\\\b');\n"
                           "SET standard_conforming_strings TO on;\n"
                           "INSERT INTO said VALUES (4, 'C:\\'), (5, 'x'';y');\n"
                           "SET LOCAL standard_conforming_strings = 'off';\n"
                           "INSERT INTO said VALUES (6, '\\';\\'');\n"
                           "RESET standard_conforming_strings;\n"
                           "INSERT INTO said VALUES (7, 'C:\\temp\\');\n";
    const QStringList expected{u"1|it's; here"_s, u"2|tab\there"_s, u"3|a\\b"_s,      u"4|C:\\"_s,
                               u"5|x';y"_s,       u"6|';'"_s,       u"7|C:\\temp\\"_s};

    TestDatabase viaPsql(QStringLiteral("edge_scs_psql"));
    QVERIFY2(viaPsql.ok(), qPrintable(viaPsql.error()));
    QTemporaryDir dir;
    const QString path = writeMigrations(dir, {{QStringLiteral("001_scs.sql"), sql}});
    QVERIFY(!path.isEmpty());
    const QString psql = QStandardPaths::findExecutable(QStringLiteral("psql"));
    QVERIFY2(!psql.isEmpty(), "psql is needed to compare with (PostgreSQL's client package)");
    QProcess process;
    process.start(psql, {u"-X"_s, u"-q"_s, u"-1"_s, u"-v"_s, u"ON_ERROR_STOP=1"_s, u"-d"_s,
                         viaPsql.conninfo(), u"-f"_s, dir.filePath(u"001_scs.sql"_s)});
    QVERIFY(process.waitForFinished(60000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    QCOMPARE(rows(viaPsql, "SELECT n, t FROM said ORDER BY n"), expected);

    TestDatabase viaEngine(QStringLiteral("edge_scs_engine"));
    QVERIFY2(viaEngine.ok(), qPrintable(viaEngine.error()));
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    QCOMPARE(set.migrations.constFirst().statements.size(), 10);
    MigrationEngine engine(viaEngine.options(), set);
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(rows(viaEngine, "SELECT n, t FROM said ORDER BY n"), expected);
}

// Issue 12: a Latin-1 file used to run with U+FFFD in place of its bytes, exit 0. Now it is
// refused with the file, line and byte before anything runs, the earlier valid files included.
void TstMigrationEdges::invalidUtf8IsRefusedBeforeAnythingRuns()
{
    TestDatabase db(QStringLiteral("edge_latin1"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("001_a.sql"), "CREATE TABLE a (t text);\n"},
                                   {QStringLiteral("002_latin1.sql"),
                                    "-- caf\xc3\xa9 in UTF-8 is fine in a comment\n"
                                    "INSERT INTO a VALUES ('caf\xe9');\n"}})
                 .isEmpty());
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QCOMPARE(set.error,
             u"002_latin1.sql:2: invalid byte sequence for encoding \"UTF8\": 0xe9 0x27 0x29 at "
             u"byte 27 of line 2 (byte 66 of the file); the file is not valid UTF-8, so it cannot "
             u"be sent unchanged; convert it to UTF-8 (e.g. iconv -f LATIN1 -t UTF-8 if it is "
             u"Latin-1) and check the result"_s);

    const ProcessResult cli =
        runAlgoadmin({u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QCOMPARE(cli.exitCode, 2);
    QVERIFY2(cli.err.contains(u"002_latin1.sql:2: invalid byte sequence"_s), qPrintable(cli.err));
    QCOMPARE(db.scalar("SELECT to_regclass('a') IS NULL"), QStringLiteral("t"));
    QCOMPARE(db.scalar("SELECT to_regclass('algoadmin_schema_history') IS NULL"),
             QStringLiteral("t"));
    m_table.passed();
}

// Issue 12: a failure inside a trigger showed ERROR, DETAIL and HINT but dropped CONTEXT, the
// one line that says where in which function it happened. psql prints all four, in this order.
void TstMigrationEdges::triggerFailureShowsContext()
{
    TestDatabase db(QStringLiteral("edge_context"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(
        !writeMigrations(dir, {{QStringLiteral("001_a.sql"), TriggerFailureMigration}}).isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QCOMPARE(report.outcome, RunReport::Outcome::Failed);
    QCOMPARE(report.error.message, u"no rows here"_s);
    QCOMPARE(report.error.detail, u"x was 42"_s);
    QCOMPARE(report.error.hint, u"Insert elsewhere."_s);
    QCOMPARE(report.error.context, u"PL/pgSQL function refuse() line 3 at RAISE"_s);
    const QString text = report.error.toString();
    const qsizetype detail = text.indexOf(u"\nDetail: x was 42"_s);
    const qsizetype hint = text.indexOf(u"\nHint: Insert elsewhere."_s);
    const qsizetype context = text.indexOf(u"\nContext: PL/pgSQL function refuse() line 3"_s);
    QVERIFY2(detail > 0 && hint > detail && context > hint, qPrintable(text));
    QCOMPARE(Report::errorJson(report.error).value(u"context"_s).toString(), report.error.context);

    const ProcessResult cli =
        runAlgoadmin({u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QCOMPARE(cli.exitCode, 1);
    QVERIFY2(cli.err.contains(u"Context: PL/pgSQL function refuse() line 3 at RAISE"_s),
             qPrintable(cli.err));
    QCOMPARE(db.scalar("SELECT to_regclass('guarded') IS NULL"), QStringLiteral("t"));
}

void TstMigrationEdges::enumValueAddedByOneMigrationIsUsableInTheNext()
{
    // PostgreSQL refuses a new enum value until the transaction that added it commits ("unsafe
    // use of new value"). Applied file by file, as psql would, this set works; migrate must too.
    TestDatabase db(QStringLiteral("edge_enum_value"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const QList<QPair<QString, QByteArray>> files = {
        {u"001_mood.sql"_s, "CREATE TYPE mood AS ENUM ('sad');\n"
                            "CREATE TABLE person (m mood);\n"},
        {u"002_happy.sql"_s, "ALTER TYPE mood ADD VALUE 'happy';\n"},
        {u"003_use.sql"_s, "ALTER TABLE person ALTER m SET DEFAULT 'happy';\n"
                           "INSERT INTO person DEFAULT VALUES;\n"},
        {u"004_calm.sql"_s, "DO $$ BEGIN\n"
                            "  ALTER TYPE mood ADD VALUE 'calm';\n"
                            "EXCEPTION WHEN duplicate_object THEN NULL;\n"
                            "END $$;\n"},
        {u"005_use.sql"_s, "INSERT INTO person VALUES ('calm');\n"}};
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, files).isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));

    // A rehearsal cannot commit in between, and says so.
    const RunReport rehearsal = engine.rehearse();
    QCOMPARE(rehearsal.outcome, RunReport::Outcome::Failed);
    QCOMPARE(rehearsal.error.sqlState, u"55P04"_s);
    QCOMPARE(rehearsal.error.where, u"003_use.sql:1"_s);
    QVERIFY2(rehearsal.error.hint.contains(u"migrate commits after each migration that adds one"_s),
             qPrintable(rehearsal.error.toString()));

    // migrate commits after 002 and after 004: three transactions, a round trip each.
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(report.migrations.size(), 5);
    for (const MigrationOutcome &outcome : report.migrations)
        QCOMPARE(outcome.state, MigrationOutcome::State::Applied);
    QCOMPARE(report.roundTrips, 3);
    QCOMPARE(db.scalar("SELECT string_agg(m::text, ',' ORDER BY m) FROM person"), u"happy,calm"_s);
    QCOMPARE(db.scalar("SELECT count(*) FROM algoadmin_schema_history"), u"5"_s);

    // Up to date: the history read with the first transaction says the rest is applied.
    const RunReport again = engine.migrate();
    QCOMPARE(again.outcome, RunReport::Outcome::Ok);
    QVERIFY(again.migrations.isEmpty());
    QCOMPARE(again.alreadyApplied.size(), 5);
    QCOMPARE(again.roundTrips, 1);

    // verify's replay commits where migrate does.
    const VerifyReport verify = engine.verify();
    QVERIFY2(verify.clean(), qPrintable(verify.error.toString()));

    // A failure after a commit: what the earlier transactions committed stays applied and is
    // reported so; the failing migration is rolled back alone.
    TestDatabase partial(QStringLiteral("edge_enum_value_fail"));
    QVERIFY2(partial.ok(), qPrintable(partial.error()));
    QList<QPair<QString, QByteArray>> failing = files;
    failing.last().second =
        "INSERT INTO person VALUES ('calm');\nINSERT INTO person VALUES ('x');\n";
    QTemporaryDir failingDir;
    QVERIFY(!writeMigrations(failingDir, failing).isEmpty());
    MigrationEngine failingEngine(partial.options(),
                                  MigrationSet::fromDirectory(failingDir.path()));
    const RunReport failed = failingEngine.migrate();
    QCOMPARE(failed.outcome, RunReport::Outcome::Failed);
    QCOMPARE(failed.error.where, u"005_use.sql:2"_s);
    QCOMPARE(failed.migrations.size(), 5);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(failed.migrations.at(i).state, MigrationOutcome::State::Applied);
    QCOMPARE(failed.migrations.at(4).state, MigrationOutcome::State::Failed);
    QCOMPARE(partial.scalar("SELECT string_agg(version, ',' ORDER BY version) "
                            "FROM algoadmin_schema_history"),
             u"001,002,003,004"_s);
    QCOMPARE(partial.scalar("SELECT count(*) FROM person"), u"1"_s);
}

void TstMigrationEdges::brokenEntriesAreRefusedBeforeAnythingRuns_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("said");
    QTest::newRow("a link to nothing") << u"dangling"_s << u"which does not exist"_s;
    QTest::newRow("a loop of links") << u"loop"_s << u"loop of links"_s;
    QTest::newRow("a directory") << u"directory"_s << u"is not a file"_s;
    QTest::newRow("a pipe") << u"pipe"_s << u"is not a file"_s;
    QTest::newRow("200 MB") << u"huge"_s << u"at most 100 MB"_s;
}

void TstMigrationEdges::brokenEntriesAreRefusedBeforeAnythingRuns()
{
    // A *.sql entry that is not a readable file was skipped without a word, and the run went on
    // without that migration; now the set is refused, naming it, and nothing runs.
    QFETCH(QString, kind);
    QFETCH(QString, said);
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_a.sql"_s, "CREATE TABLE a (t text);\n"},
                                   {u"003_c.sql"_s, "CREATE TABLE c (t text);\n"}})
                 .isEmpty());
    const QString entry = dir.filePath(u"002_b.sql"_s);
    if (kind == u"dangling"_s) {
        QVERIFY(QFile::link(dir.filePath(u"gone.sql.orig"_s), entry));
    } else if (kind == u"loop"_s) {
        QVERIFY(QFile::link(dir.filePath(u"002_b_again.txt"_s), entry));
        QVERIFY(QFile::link(entry, dir.filePath(u"002_b_again.txt"_s)));
    } else if (kind == u"directory"_s) {
        QVERIFY(QDir(dir.path()).mkdir(u"002_b.sql"_s));
    } else if (kind == u"pipe"_s) {
        QCOMPARE(::mkfifo(QFile::encodeName(entry).constData(), 0600), 0);
    } else {
        QFile huge(entry); // sparse: no disk is used
        QVERIFY(huge.open(QIODevice::WriteOnly));
        QVERIFY(huge.resize(200LL * 1024 * 1024));
    }
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.error.contains(u"002_b.sql"_s) && set.error.contains(said), qPrintable(set.error));
    if (kind != u"dangling"_s) {
        m_table.passed();
        return; // the command line says the same for every kind: once is enough
    }
    TestDatabase db(u"edge_broken_entry"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const ProcessResult cli =
        runAlgoadmin({u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QCOMPARE(cli.exitCode, 2);
    QVERIFY2(cli.err.contains(u"002_b.sql is a link to"_s), qPrintable(cli.err));
    QCOMPARE(db.scalar("SELECT to_regclass('a') IS NULL"), u"t"_s);
    m_table.passed();
}

void TstMigrationEdges::unreadableFileIsRefusedBeforeAnythingRuns()
{
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_a.sql"_s, "CREATE TABLE a (t text);\n"},
                                   {u"002_b.sql"_s, "CREATE TABLE b (t text);\n"}})
                 .isEmpty());
    QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner |
                                                  QFile::ExeOwner | QFile::ReadOther |
                                                  QFile::ExeOther));
    QVERIFY(QFile::setPermissions(dir.filePath(u"002_b.sql"_s), {}));
    if (::geteuid() != 0) {
        const MigrationSet set = MigrationSet::fromDirectory(dir.path());
        QVERIFY2(set.error.startsWith(u"cannot read "_s) && set.error.contains(u"002_b.sql"_s),
                 qPrintable(set.error));
        m_table.passed();
        return;
    }
    // Root reads every file: the loader runs in a child that is nobody (65534), and says what
    // it found through a pipe.
    int channel[2];
    QCOMPARE(::pipe(channel), 0);
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        ::close(channel[0]);
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0)
            ::_exit(3);
        const QByteArray error = MigrationSet::fromDirectory(dir.path()).error.toUtf8();
        const bool written =
            ::write(channel[1], error.constData(), size_t(error.size())) == ssize_t(error.size());
        ::_exit(written ? 0 : 4);
    }
    ::close(channel[1]);
    QByteArray said;
    char buffer[4096];
    for (ssize_t n; (n = ::read(channel[0], buffer, sizeof buffer)) > 0;)
        said.append(buffer, n);
    ::close(channel[0]);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, qPrintable(QString::number(status)));
    const QString error = QString::fromUtf8(said);
    QVERIFY2(error.startsWith(u"cannot read "_s) && error.contains(u"002_b.sql"_s) &&
                 error.contains(u"ermission denied"_s),
             qPrintable(error));
    m_table.passed();
}

void TstMigrationEdges::gapsAreFoundInCountedSetsOnly_data()
{
    QTest::addColumn<QStringList>("versions");
    QTest::addColumn<QStringList>("missing");
    QTest::newRow("one missing") << QStringList{u"001"_s, u"002"_s, u"004"_s}
                                 << QStringList{u"003"_s};
    QTest::newRow("two missing") << QStringList{u"1"_s, u"2"_s, u"5"_s}
                                 << QStringList{u"3"_s, u"4"_s};
    QTest::newRow("counted in tens")
        << QStringList{u"010"_s, u"020"_s, u"030"_s, u"050"_s} << QStringList{u"040"_s};
    QTest::newRow("tens without a gap")
        << QStringList{u"010"_s, u"020"_s, u"030"_s} << QStringList{};
    QTest::newRow("squashed before the first")
        << QStringList{u"005"_s, u"006"_s, u"007"_s} << QStringList{};
    QTest::newRow("timestamps") << QStringList{u"20240101000000"_s, u"20240301000000"_s,
                                               u"20250101000000"_s}
                                << QStringList{};
    QTest::newRow("two files") << QStringList{u"001"_s, u"009"_s} << QStringList{};
}

void TstMigrationEdges::gapsAreFoundInCountedSetsOnly()
{
    QFETCH(QStringList, versions);
    QFETCH(QStringList, missing);
    QTemporaryDir dir;
    for (const QString &version : versions)
        QVERIFY(writeFile(dir.filePath(version + u"_m.sql"_s), "SELECT 1;\n"));
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    QStringList found;
    for (const MigrationGap &gap : set.gaps)
        found.append(gap.version);
    QCOMPARE(found, missing);
}

void TstMigrationEdges::gapIsRefusedUnlessTheHistoryHasIt()
{
    TestDatabase db(u"edge_gap"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_a.sql"_s, "CREATE TABLE a (t text);\n"},
                                   {u"002_b.sql"_s, "CREATE TABLE b (t text);\n"},
                                   {u"004_d.sql"_s, "CREATE TABLE d (t text);\n"}})
                 .isEmpty());
    {
        MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
        for (const RunReport &report : {engine.migrate(), engine.rehearse()}) {
            QCOMPARE(report.outcome, RunReport::Outcome::BadInput);
            QVERIFY2(report.error.message.contains(
                         u"version 003 is missing between 002_b.sql and 004_d.sql"_s),
                     qPrintable(report.error.toString()));
        }
        QCOMPARE(db.scalar("SELECT to_regclass('a') IS NULL AND"
                           " to_regclass('algoadmin_schema_history') IS NULL"),
                 u"t"_s);
        const StatusReport status = engine.status();
        QCOMPARE(status.gaps.size(), 1);
        QVERIFY2(Report::statusTable(status).contains(u"gap: version 003"_s),
                 qPrintable(Report::statusTable(status)));
    }
    const ProcessResult cli =
        runAlgoadmin({u"migrate"_s, u"-d"_s, db.conninfo(), u"--migrations"_s, dir.path()});
    QCOMPARE(cli.exitCode, 2);
    QVERIFY2(cli.err.contains(u"restore it"_s), qPrintable(cli.err));

    // Applied with its file, then the file removed: the history explains the number.
    QVERIFY(writeFile(dir.filePath(u"003_c.sql"_s), "CREATE TABLE c (t text);\n"));
    QCOMPARE(migrateDatabase(db.options(), MigrationSet::fromDirectory(dir.path())).outcome,
             RunReport::Outcome::Ok);
    QVERIFY(QFile::remove(dir.filePath(u"003_c.sql"_s)));
    QVERIFY(writeFile(dir.filePath(u"005_e.sql"_s), "CREATE TABLE e (t text);\n"));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    QVERIFY(engine.status().gaps.isEmpty());
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(db.scalar("SELECT to_regclass('e') IS NOT NULL"), u"t"_s);
    m_table.passed();
}

QTEST_GUILESS_MAIN(TstMigrationEdges)
#include "tst_migrationedges.moc"
