// A network path that goes silent (a proxy that stops forwarding without closing: SIGSTOP of
// algoadmin-delayproxy) in the middle of a migration, an apply, a changelog page and a CSV
// export. The repositories' paths give up the same way, by LinkWatch, within 15 s. TCP keepalives
// cannot see it (the proxy's kernel still answers them), so the engine must: the run gives up
// within its stated bound (EngineSettings::silenceLimitMs, 10 s, plus the 5 s a second connection
// may take to find the path silent too) with a message that says so and that the outcome is
// unknown, and nothing is half-written: whatever the path still held reaches the server whole or
// not at all, and the next migrate finishes the rest.
#include "db/linkwatch.h"
#include "db/sqldatabase.h"
#include "faulttable.h"
#include "latencyproxy.h"
#include "migrations/migrationengine.h"
#include "repositories/changelogrepository.h"
#include "repositories/parameterrepository.h"
#include "repositoryfixture.h"
#include "sandbox/demoseed.h"
#include "testdatabase.h"

#include <QFile>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <future>

using namespace Qt::StringLiterals;

class TstSilentLink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void aMigrationGivesUpOnASilentPath();
    void anApplyGivesUpOnASilentPath();
    void aChangelogPageGivesUpOnASilentPath();
    void aCsvExportGivesUpOnASilentPathMidStream();

private:
    FaultTable m_table{4};
};

namespace {

// The repositories' bound: LinkWatch's limit, its second connection's time, a look a second.
constexpr qint64 RepositoryBoundMs = LinkWatch::SilenceLimitMs + LinkWatch::AnswerMs + 5000;

// A repositories' connection through `proxy`, named after the test.
QSqlDatabase openThrough(const LatencyProxy &proxy, TestDatabase &db, DbError *error)
{
    return SqlDatabase::open(proxy.options(db.name()),
                             QString::fromLatin1(QTest::currentTestFunction()), error);
}

// The test database's other client backends, each named (application, state, since, query)
// so that one left behind says whose it is.
QStringList otherClients(TestDatabase &db)
{
    return rows(db, "SELECT application_name, state, now() - backend_start, left(query, 60)"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
}

bool isSilentPathError(const DbError &error)
{
    return error.sqlState == u"08006"_s && error.message.contains(u"went silent"_s);
}

} // namespace

void TstSilentLink::cleanupTestCase()
{
    m_table.print(u"the network path goes silent (proxy stopped, TCP still open) "
                  u"mid-migration, during an apply, a changelog page, and a CSV export "
                  u"mid-stream"_s,
                  "tst_silentlink",
                  u"each gives up after %1–%2 s (10 s without an answer + 5 s for a second "
                  u"connection that cannot reach the server either), 08006 \"the network path "
                  u"to it went silent\"; the connection is dropped and the next request opens a "
                  u"new one; what the path still held arrives whole or not at all"_s
                      .arg(double(m_table.shortestMs()) / 1000, 0, 'f', 1)
                      .arg(double(m_table.longestMs()) / 1000, 0, 'f', 1));
}

void TstSilentLink::aMigrationGivesUpOnASilentPath()
{
    TestDatabase db(u"silent_migrate"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(0), qPrintable(proxy.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{u"001_a.sql"_s, "CREATE TABLE a (x int);\n"},
                                   {u"002_b.sql"_s, "CREATE TABLE b (x int);\n"
                                                    "SELECT pg_sleep(2);\n"
                                                    "CREATE TABLE c (x int);\n"}})
                 .isEmpty());
    MigrationEngine engine(proxy.options(db.name()), MigrationSet::fromDirectory(dir.path()));
    QElapsedTimer clock;
    std::future<RunReport> run = std::async(std::launch::async, [&] { return engine.migrate(); });
    for (QElapsedTimer waiting; !waiting.isValid() || waiting.elapsed() < 30000;) {
        if (!waiting.isValid())
            waiting.start();
        if (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                      " AND wait_event = 'PgSleep'") == u"1"_s)
            break;
        QTest::qWait(20);
    }
    QVERIFY(proxy.pause());
    clock.start();
    QVERIFY2(run.wait_for(std::chrono::seconds(60)) == std::future_status::ready,
             "the run still waits a minute after its path went silent");
    const RunReport report = run.get();
    const qint64 ms = clock.elapsed();
    qInfo("gave up %lld ms after the path went silent: %s", ms,
          qPrintable(report.error.toString()));
    m_table.measure(ms);
    QCOMPARE(report.outcome, RunReport::Outcome::Failed);
    QCOMPARE(report.error.sqlState, u"08006"_s);
    QVERIFY2(report.error.message.contains(u"went silent"_s),
             qPrintable(report.error.toString() + u"\n"_s + proxy.describe()));
    QVERIFY2(report.error.hint.contains(u"algoadmin status"_s), qPrintable(report.error.hint));
    // The stated bound: the silence limit, a second connection's 5 s, a look a second.
    QVERIFY2(ms < EngineSettings().silenceLimitMs + 5000 + 5000, qPrintable(QString::number(ms)));

    // The path comes back. It still holds the rest of the batch, COMMIT included, which the
    // server may now run before it sees our close: so the run's hint says the outcome is not
    // known, and the verdict is whole or nothing, never in between.
    QVERIFY(proxy.resume());
    QVERIFY2(QTest::qWaitFor([&] { return otherClients(db).isEmpty(); }, 15000),
             qPrintable(otherClients(db).join(u"; "_s) + u"\n"_s + proxy.describe()));
    const QString tables =
        db.scalar("SELECT (to_regclass('a') IS NOT NULL)::int + (to_regclass('b') IS NOT NULL)::int"
                  " + (to_regclass('c') IS NOT NULL)::int");
    const QString history = db.scalar("SELECT CASE WHEN to_regclass('algoadmin_schema_history')"
                                      " IS NULL THEN 0 ELSE (SELECT count(*) FROM"
                                      " algoadmin_schema_history) END");
    qInfo("after the path came back: %s of 3 tables, %s history rows", qPrintable(tables),
          qPrintable(history));
    QVERIFY2((tables == u"0"_s && history == u"0"_s) || (tables == u"3"_s && history == u"2"_s),
             qPrintable(tables + u", "_s + history));
    MigrationEngine direct(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport again = direct.migrate();
    QVERIFY2(again.outcome == RunReport::Outcome::Ok, qPrintable(again.error.toString()));
    QVERIFY(direct.verify().clean());
    m_table.passed();
}

void TstSilentLink::anApplyGivesUpOnASilentPath()
{
    TestDatabase db(u"silent_apply"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(0), qPrintable(proxy.error()));
    const QString before = db.scalar(ChecksumSql);
    const QString from =
        db.scalar("SELECT current_value FROM algorithm_parameters"
                  " WHERE algorithm_id = 'A1' AND parameter_name = 'learning_rate'");
    {
        DbError error;
        QSqlDatabase database = openThrough(proxy, db, &error);
        QVERIFY2(database.isOpen(), qPrintable(error.toString()));
        ParameterRepository repository(database);
        QVERIFY(proxy.pause());
        QElapsedTimer clock;
        clock.start();
        const ApplyResult result = repository.apply({{u"A1"_s, u"learning_rate"_s, from, u"0.5"_s}},
                                                    u"over a silent path"_s, 9, &error);
        const qint64 ms = clock.elapsed();
        qInfo("the apply gave up %lld ms after the path went silent: %s", ms,
              qPrintable(error.toString()));
        m_table.measure(ms);
        QVERIFY(!result.ok);
        QVERIFY2(isSilentPathError(error), qPrintable(error.toString()));
        QVERIFY(result.retryable);
        QVERIFY(!result.changeSet.isEmpty());
        QVERIFY2(ms < RepositoryBoundMs, qPrintable(QString::number(ms)));
        // The connection is given up: the next request on it says it is lost.
        QVERIFY(PQstatus(SqlDatabase::nativeHandle(database)) != CONNECTION_OK ||
                !repository.load(u"A1"_s, &error).size());
        QVERIFY(proxy.resume());
        database = QSqlDatabase();
    }
    SqlDatabase::close(QString::fromLatin1(QTest::currentTestFunction()));
    // Whole or nothing: the apply's rows all there with its change set, or the tables as before.
    QVERIFY2(QTest::qWaitFor([&] { return otherClients(db).isEmpty(); }, 15000),
             qPrintable(otherClients(db).join(u"; "_s) + u"\n"_s + proxy.describe()));
    const QString after = db.scalar(ChecksumSql);
    const QString written =
        db.scalar("SELECT count(*) FROM algorithm_changelog WHERE reason = 'over a silent path'");
    QVERIFY2((after == before && written == u"0"_s) || (after != before && written == u"1"_s),
             qPrintable(written));
    m_table.passed();
}

void TstSilentLink::aChangelogPageGivesUpOnASilentPath()
{
    TestDatabase db(u"silent_page"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(0), qPrintable(proxy.error()));
    {
        DbError error;
        QSqlDatabase database = openThrough(proxy, db, &error);
        QVERIFY2(database.isOpen(), qPrintable(error.toString()));
        ChangelogRepository repository(database);
        QVERIFY(repository.page({}, std::nullopt, 50, &error).has_value());
        QVERIFY(proxy.pause());
        QElapsedTimer clock;
        clock.start();
        const std::optional<ChangelogPage> page = repository.page({}, std::nullopt, 50, &error);
        const qint64 ms = clock.elapsed();
        qInfo("the changelog page gave up %lld ms after the path went silent", ms);
        m_table.measure(ms);
        QVERIFY(!page.has_value());
        QVERIFY2(isSilentPathError(error), qPrintable(error.toString()));
        QVERIFY2(ms < RepositoryBoundMs, qPrintable(QString::number(ms)));
        QVERIFY(proxy.resume());
        database = QSqlDatabase();
    }
    SqlDatabase::close(QString::fromLatin1(QTest::currentTestFunction()));
    m_table.passed();
}

void TstSilentLink::aCsvExportGivesUpOnASilentPathMidStream()
{
    TestDatabase db(u"silent_export"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QCOMPARE(migrateDatabase(db.options()).outcome, RunReport::Outcome::Ok);
    {
        PgConnection connection;
        DbError error;
        QVERIFY2(connection.open(db.options(), &error), qPrintable(error.toString()));
        DemoSeedOptions options;
        options.changelogRows = 150000; // ~25 MB of CSV: more than the buffers on the way hold
        options.metricRows = 100;
        options.chatRows = 10;
        QVERIFY2(runDemoSeed(connection, options, nullptr, &error), qPrintable(error.toString()));
    }
    LatencyProxy proxy;
    QVERIFY2(proxy.start(0), qPrintable(proxy.error()));
    QTemporaryDir dir;
    {
        DbError error;
        QSqlDatabase database = openThrough(proxy, db, &error);
        QVERIFY2(database.isOpen(), qPrintable(error.toString()));
        ChangelogRepository repository(database);
        QFile out(dir.filePath(u"export.csv"_s));
        QVERIFY(out.open(QIODevice::WriteOnly));
        QElapsedTimer clock;
        qint64 rowsWhenSilent = -1;
        // The path goes silent at the first progress report, in the middle of the stream.
        const qint64 written = repository.exportCsv(
            {}, &out,
            [&](qint64 rows) {
                if (rowsWhenSilent < 0) {
                    rowsWhenSilent = rows;
                    proxy.pause();
                    clock.start();
                }
                return true;
            },
            &error);
        const qint64 ms = clock.elapsed();
        qInfo("the export gave up %lld ms after the path went silent at row %lld", ms,
              rowsWhenSilent);
        m_table.measure(ms);
        QCOMPARE(written, -1);
        QVERIFY(rowsWhenSilent > 0);
        QVERIFY2(isSilentPathError(error), qPrintable(error.toString()));
        QVERIFY2(ms < RepositoryBoundMs, qPrintable(QString::number(ms)));
        QVERIFY(proxy.resume());
        database = QSqlDatabase();
    }
    SqlDatabase::close(QString::fromLatin1(QTest::currentTestFunction()));
    m_table.passed();
}

QTEST_GUILESS_MAIN(TstSilentLink)
#include "tst_silentlink.moc"
