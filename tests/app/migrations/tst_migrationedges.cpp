// Edge cases of the migration engine found in review: statements that would break its own
// transaction handling, schemas that need quoting, and what a rehearsal may leave behind.
#include "migrations/migrationengine.h"
#include "migrations/report.h"
#include "testdatabase.h"

#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TstMigrationEdges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
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
    void triggerFailureShowsContext();

private:
    QTemporaryDir m_cache;
};

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
    // and verify's replay leaves no scratch schema behind either
    QCOMPARE(engine.migrate().outcome, RunReport::Outcome::Ok);
    const VerifyReport verify = engine.verify();
    QVERIFY2(verify.clean(), qPrintable(verify.error.toString()));
    QCOMPARE(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'algoadmin_shadow%'"),
             QStringLiteral("0"));
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

// Issue 12: a failure inside a trigger showed ERROR, DETAIL and HINT but dropped CONTEXT, the
// one line that says where in which function it happened. psql prints all four, in this order.
void TstMigrationEdges::triggerFailureShowsContext()
{
    TestDatabase db(QStringLiteral("edge_context"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(
                 dir, {{QStringLiteral("001_a.sql"),
                        "CREATE TABLE guarded (x int);\n"
                        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                        "BEGIN\n"
                        "  RAISE EXCEPTION 'no rows here' USING DETAIL = 'x was ' || NEW.x,\n"
                        "        HINT = 'Insert elsewhere.';\n"
                        "END $$;\n"
                        "CREATE TRIGGER guard BEFORE INSERT ON guarded\n"
                        "    FOR EACH ROW EXECUTE FUNCTION refuse();\n"
                        "INSERT INTO guarded VALUES (42);\n"}})
                 .isEmpty());
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

QTEST_GUILESS_MAIN(TstMigrationEdges)
#include "tst_migrationedges.moc"
