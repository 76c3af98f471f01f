// Qt Sql connections made from ConnectionOptions: they reach the same database, carry the
// timeouts, expose the libpq handle for pipelines, and report failures with libpq's reason.
#include "db/pipeline.h"
#include "db/sqldatabase.h"
#include "testdatabase.h"

#include <QSqlQuery>
#include <QTest>

class TstSqlDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensWithBoundQueriesAndTimeouts();
    void nativeHandleRunsAPipeline();
    void unreachableServerSaysWhy();
    void passwordWithASemicolonSurvives();
    void aServerThatLacksTheClientCheckIsConnectedWithoutIt();
};

void TstSqlDatabase::opensWithBoundQueriesAndTimeouts()
{
    TestDatabase db(QStringLiteral("sqldb"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    DbError error;
    ConnectionOptions options = db.options();
    options.lockTimeoutMs = 1234;
    QSqlDatabase database = SqlDatabase::open(options, QStringLiteral("tst"), &error);
    QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    QSqlQuery query(database);
    QVERIFY(query.prepare(QStringLiteral("SELECT current_database(), :n::int + 1,"
                                         " current_setting('lock_timeout')")));
    query.bindValue(QStringLiteral(":n"), 41);
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), db.name());
    QCOMPARE(query.value(1).toInt(), 42);
    QCOMPARE(query.value(2).toString(), QStringLiteral("1234ms"));
    query = QSqlQuery();
    database = QSqlDatabase();
    SqlDatabase::close(QStringLiteral("tst"));
    QVERIFY(!QSqlDatabase::contains(QStringLiteral("tst")));
}

void TstSqlDatabase::nativeHandleRunsAPipeline()
{
    TestDatabase db(QStringLiteral("sqldb_pipe"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    DbError error;
    QSqlDatabase database = SqlDatabase::open(db.options(), QStringLiteral("pipe"), &error);
    QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    PGconn *conn = SqlDatabase::nativeHandle(database);
    QVERIFY(conn);
    Pipeline pipeline(conn, db.name());
    QStringList values;
    const bool ok = pipeline.run(
        {{"SELECT 1"}, {"SELECT $1::int * 2", {"21"}}},
        [&](int, const PgResult &result) { values.append(result.value(0, 0)); }, &error);
    QVERIFY2(ok, qPrintable(error.toString()));
    QCOMPARE(values, QStringList({QStringLiteral("1"), QStringLiteral("42")}));
    // and Qt Sql still works on it afterwards
    QSqlQuery query(database);
    QVERIFY(query.exec(QStringLiteral("SELECT 7")) && query.next());
    QCOMPARE(query.value(0).toInt(), 7);
    query = QSqlQuery();
    database = QSqlDatabase();
    SqlDatabase::close(QStringLiteral("pipe"));
}

void TstSqlDatabase::unreachableServerSaysWhy()
{
    ConnectionOptions nowhere;
    nowhere.database = QStringLiteral("host=127.0.0.1 port=1 dbname=x connect_timeout=3");
    DbError error;
    QSqlDatabase database = SqlDatabase::open(nowhere, QStringLiteral("nowhere"), &error);
    QVERIFY(!database.isOpen());
    QVERIFY2(error.message.contains(QLatin1String("127.0.0.1")), qPrintable(error.toString()));
    QCOMPARE(error.sqlState, QStringLiteral("08001"));
    database = QSqlDatabase();
    SqlDatabase::close(QStringLiteral("nowhere"));
}

// QPSQL splits its connect options on ';': the password must reach libpq intact.
void TstSqlDatabase::passwordWithASemicolonSurvives()
{
    TestDatabase db(QStringLiteral("sqldb_password"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    ConnectionOptions options = db.options();
    options.database = QStringLiteral("dbname=%1 password='a;b c'").arg(db.name());
    DbError error;
    QSqlDatabase database = SqlDatabase::open(options, QStringLiteral("semicolon"), &error);
    QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    QCOMPARE(QString::fromUtf8(PQpass(SqlDatabase::nativeHandle(database))),
             QStringLiteral("a;b c"));
    database = QSqlDatabase();
    SqlDatabase::close(QStringLiteral("semicolon"));
}

void TstSqlDatabase::aServerThatLacksTheClientCheckIsConnectedWithoutIt()
{
    // The start-up options ask the server to notice a dead client (db/clientcheck.h); a
    // PostgreSQL before 14, or one on Windows, refuses the connection for it with these
    // messages, and the connection is then made again without start-up options (as through
    // PgBouncer), the settings going with each transaction.
    QVERIFY(ConnectionOptions::isRefusedStartupOptions(
        QStringLiteral("FATAL:  unrecognized configuration parameter "
                       "\"client_connection_check_interval\"")));
    QVERIFY(ConnectionOptions::isRefusedStartupOptions(
        QStringLiteral("FATAL:  invalid value for parameter \"client_connection_check_interval\": "
                       "1000\nDETAIL:  client_connection_check_interval must be set to 0 on "
                       "this platform.")));
    QVERIFY(!ConnectionOptions::isRefusedStartupOptions(
        QStringLiteral("FATAL:  unrecognized configuration parameter \"lock_timeou\"")));

    // On this server (15, Linux) the start-up option is taken: a statement that runs or
    // waits is watched for its client.
    TestDatabase db(QStringLiteral("sqldb_check"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    DbError error;
    QSqlDatabase database = SqlDatabase::open(db.options(), QStringLiteral("tst_check"), &error);
    QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    QSqlQuery query(database);
    QVERIFY(
        query.exec(QStringLiteral("SELECT current_setting('client_connection_check_interval')")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("1s"));
    query = QSqlQuery();
    database = QSqlDatabase();
    SqlDatabase::close(QStringLiteral("tst_check"));
}

QTEST_GUILESS_MAIN(TstSqlDatabase)
#include "tst_sqldatabase.moc"
