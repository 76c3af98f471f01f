// DbError's "the connection is gone" verdict: libpq's connection status first, then the
// SQLSTATE, and libpq's words only for an error that carries neither. Then against the test
// cluster: a session terminated from another connection is a loss on each way core reaches the
// server (libpq directly, a pipeline batch, a Qt Sql query), and a syntax error is not.
#include "db/dberror.h"
#include "db/pgconnection.h"
#include "db/sqldatabase.h"
#include "repositories/repositorysupport.h"
#include "testdatabase.h"

#include <QScopeGuard>
#include <QSqlQuery>
#include <QTest>

class TstDbError : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void isConnectionLoss_data();
    void isConnectionLoss();
    void noteConnectionWithoutAConnectionKeepsTheFlag();
    void toStringNamesEverything();
    void terminatedSessionIsALoss_data();
    void terminatedSessionIsALoss();

private:
    std::unique_ptr<TestDatabase> m_db;
};

void TstDbError::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(QStringLiteral("dberror"));
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
}

void TstDbError::isConnectionLoss_data()
{
    QTest::addColumn<QString>("sqlState");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("connectionBad");
    QTest::addColumn<bool>("lost");

    const QString words = QStringLiteral("something failed");
    // No error at all is never a loss, whatever else is set.
    QTest::newRow("empty") << QString() << QString() << false << false;
    QTest::newRow("empty, SQLSTATE 08006")
        << QStringLiteral("08006") << QString() << false << false;
    QTest::newRow("empty, connection bad") << QString() << QString() << true << false;

    // Class 08, connection exception: every code of it.
    for (const char *state : {"08000", "08003", "08006", "08001", "08004", "08007", "08P01"})
        QTest::addRow("SQLSTATE %s", state) << QString::fromLatin1(state) << words << false << true;
    // Codes that end the session (FATAL).
    QTest::newRow("57P01 admin shutdown")
        << QStringLiteral("57P01")
        << QStringLiteral("terminating connection due to administrator command") << false << true;
    QTest::newRow("57P02 crash shutdown")
        << QStringLiteral("57P02")
        << QStringLiteral("terminating connection because of crash of another server process")
        << false << true;
    QTest::newRow("57P03 cannot connect now")
        << QStringLiteral("57P03") << QStringLiteral("the database system is shutting down")
        << false << true;
    QTest::newRow("57P04 database dropped") << QStringLiteral("57P04") << words << false << true;
    QTest::newRow("57P05 idle session timeout")
        << QStringLiteral("57P05")
        << QStringLiteral("terminating connection due to idle-session timeout") << false << true;
    QTest::newRow("25P03 idle in transaction timeout")
        << QStringLiteral("25P03")
        << QStringLiteral("terminating connection due to idle-in-transaction timeout") << false
        << true;

    // Refusals: the connection is fine.
    QTest::newRow("42601 syntax error")
        << QStringLiteral("42601") << QStringLiteral("syntax error at or near \"SELEC\"") << false
        << false;
    QTest::newRow("57014 query canceled")
        << QStringLiteral("57014") << QStringLiteral("canceling statement due to user request")
        << false << false;
    QTest::newRow("57000 operator intervention")
        << QStringLiteral("57000") << words << false << false;
    QTest::newRow("55P03 lock not available")
        << QStringLiteral("55P03") << QStringLiteral("canceling statement due to lock timeout")
        << false << false;
    QTest::newRow("40001 serialization failure")
        << QStringLiteral("40001")
        << QStringLiteral("could not serialize access due to concurrent update") << false << false;
    QTest::newRow("23514 check violation") << QStringLiteral("23514") << words << false << false;
    QTest::newRow("42501 insufficient privilege")
        << QStringLiteral("42501") << QStringLiteral("permission denied for table x") << false
        << false;
    QTest::newRow("not a SQLSTATE") << QStringLiteral("08") << words << false << false;

    // The SQLSTATE decides over the words: a refusal that quotes libpq's phrases is a refusal.
    QTest::newRow("42601 quoting 'server closed the connection'")
        << QStringLiteral("42601")
        << QStringLiteral("syntax error at or near \"server closed the connection\"") << false
        << false;
    QTest::newRow("P0001 raised 'terminating connection'")
        << QStringLiteral("P0001") << QStringLiteral("terminating connection pool entry") << false
        << false;

    // libpq's status decides over everything: a session ended by a FATAL of any code is gone.
    QTest::newRow("connection bad, XX000") << QStringLiteral("XX000") << words << true << true;
    QTest::newRow("connection bad, 57014") << QStringLiteral("57014") << words << true << true;
    QTest::newRow("connection bad, no SQLSTATE") << QString() << words << true << true;

    // Neither SQLSTATE nor status: the last resort, libpq's own words.
    QTest::newRow("words: server closed the connection")
        << QString()
        << QStringLiteral("server closed the connection unexpectedly\n\tThis probably means the "
                          "server terminated abnormally\n\tbefore or while processing the request.")
        << false << true;
    QTest::newRow("words: no connection to the server")
        << QString() << QStringLiteral("no connection to the server") << false << true;
    QTest::newRow("words: could not receive data")
        << QString()
        << QStringLiteral("could not receive data from server: Connection reset by peer") << false
        << true;
    QTest::newRow("words: could not send data")
        << QString() << QStringLiteral("could not send data to server: Broken pipe") << false
        << true;
    QTest::newRow("words: connection to server failed")
        << QString()
        << QStringLiteral(
               "connection to server at \"127.0.0.1\", port 1 failed: Connection refused")
        << false << true;
    QTest::newRow("words: terminating connection")
        << QString()
        << QStringLiteral("FATAL:  terminating connection due to administrator command") << false
        << true;
    // … and only those.
    QTest::newRow("words: request dropped before it ran")
        << QString() << QStringLiteral("not sent: the connection was changed before it ran")
        << false << false;
    QTest::newRow("words: skipped in a batch")
        << QString() << QStringLiteral("not run: an earlier statement in the same batch failed")
        << false << false;
    QTest::newRow("words: no result")
        << QString() << QStringLiteral("no result from the server") << false << false;
    QTest::newRow("words: anything else") << QString() << words << false << false;
}

void TstDbError::isConnectionLoss()
{
    QFETCH(QString, sqlState);
    QFETCH(QString, message);
    QFETCH(bool, connectionBad);
    QFETCH(bool, lost);
    DbError error;
    error.what = QStringLiteral("test");
    error.sqlState = sqlState;
    error.message = message;
    error.connectionBad = connectionBad;
    QCOMPARE(error.isConnectionLoss(), lost);
    if (!message.isEmpty() && !sqlState.isEmpty() && !connectionBad)
        QCOMPARE(DbError::isConnectionLossState(sqlState), lost);
}

void TstDbError::noteConnectionWithoutAConnectionKeepsTheFlag()
{
    DbError error;
    error.message = QStringLiteral("something failed");
    error.noteConnection(nullptr);
    QVERIFY(!error.connectionBad);
    error.connectionBad = true;
    error.noteConnection(nullptr);
    QVERIFY(error.connectionBad);
}

void TstDbError::toStringNamesEverything()
{
    const DbError error{QStringLiteral("apply"),          QStringLiteral("db:5432"),
                        QStringLiteral("value refused"),  QStringLiteral("23514"),
                        QStringLiteral("1.5 is above 1"), QStringLiteral("Fix the value")};
    QCOMPARE(error.toString(), QStringLiteral("apply (db:5432): value refused [SQLSTATE 23514]\n"
                                              "Detail: 1.5 is above 1\nHint: Fix the value"));
    QVERIFY(!error.connectionBad);
}

// The three ways core runs a statement, each on a connection of its own.
enum class Way
{
    Libpq,    // PgConnection::exec → PgResult::error
    Pipeline, // RepositorySupport::run on a QPSQL connection's handle → firstError
    QtSql     // QSqlQuery → SqlDatabase::toDbError(database, …)
};
Q_DECLARE_METATYPE(Way)

void TstDbError::terminatedSessionIsALoss_data()
{
    QTest::addColumn<Way>("way");
    QTest::newRow("libpq") << Way::Libpq;
    QTest::newRow("pipeline") << Way::Pipeline;
    QTest::newRow("qt sql") << Way::QtSql;
}

void TstDbError::terminatedSessionIsALoss()
{
    QFETCH(Way, way);
    const QString name = QStringLiteral("dberror-%1").arg(QTest::currentDataTag());
    PgConnection libpq;
    QSqlDatabase database;
    const auto closeDatabase = qScopeGuard([&] {
        database = QSqlDatabase();
        SqlDatabase::close(name);
    });
    DbError error;
    if (way == Way::Libpq) {
        QVERIFY2(libpq.open(m_db->options(), &error), qPrintable(error.toString()));
    } else {
        database = SqlDatabase::open(m_db->options(), name, &error);
        QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    }
    const auto run = [&](const QByteArray &sql) {
        switch (way) {
        case Way::Libpq: {
            const PgResult result = libpq.exec(sql);
            return result.ok() ? DbError() : result.error(QStringLiteral("run"));
        }
        case Way::Pipeline:
            return RepositorySupport::firstError(
                RepositorySupport::run(database, {PipelineCommand(sql)}, QStringLiteral("run")),
                QStringLiteral("run"));
        case Way::QtSql: {
            QSqlQuery query(database);
            return query.exec(QString::fromUtf8(sql))
                       ? DbError()
                       : SqlDatabase::toDbError(database, query.lastError(), QStringLiteral("run"));
        }
        }
        return DbError();
    };
    const int pid =
        way == Way::Libpq ? libpq.backendPid() : PQbackendPID(SqlDatabase::nativeHandle(database));
    QVERIFY(pid > 0);

    // A refused statement: the server said no, the connection is fine and still works.
    error = run("SELEC 1");
    QVERIFY(error.isError());
    QCOMPARE(error.sqlState, QStringLiteral("42601"));
    QVERIFY2(!error.connectionBad, qPrintable(error.toString()));
    QVERIFY2(!error.isConnectionLoss(), qPrintable(error.toString()));
    error = run("SELECT 1");
    QVERIFY2(!error.isError(), qPrintable(error.toString()));

    // Terminated from another connection; pg_terminate_backend's timeout waits until the
    // backend has exited, so the next statement meets a closed session.
    QCOMPARE(m_db->scalar("SELECT pg_terminate_backend($1, 10000)", {QByteArray::number(pid)}),
             QStringLiteral("t"));
    error = run("SELECT 1");
    QVERIFY(error.isError());
    QVERIFY2(error.isConnectionLoss(), qPrintable(error.toString()));
    // Decided by the SQLSTATE or libpq's status, not by the words.
    DbError reworded = error;
    reworded.message = QStringLiteral("something failed");
    QVERIFY2(reworded.isConnectionLoss(), qPrintable(error.toString()));
}

QTEST_MAIN(TstDbError)
#include "tst_dberror.moc"
