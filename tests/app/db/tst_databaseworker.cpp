// DatabaseWorker, the base of every panel's worker, through a small subclass that runs one
// statement per request on the worker's connection: every request answered exactly once and in
// order, queued work dropped by a new connection or by a newer request of a latest-wins kind,
// cancel from the GUI thread (the connection's, or a request's own through CancelScope), a
// lost connection reported and reopened, and a shutdown that never waits on the network.
#include "db/databaseworker.h"
#include "db/sqldatabase.h"
#include "testdatabase.h"
#include "threadspy.h"

#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace Qt::StringLiterals;

struct Answer
{
    int request = 0;
    QString value;
    DbError error;
    bool dropped = false;
};
Q_DECLARE_METATYPE(Answer)

class EchoWorker : public DatabaseWorker
{
    Q_OBJECT

public:
    EchoWorker()
        : DatabaseWorker(u"echo"_s)
    {}

    // Runs `sql` (one value back) → answered.
    int select(const QString &sql, const char *latestWins = nullptr)
    {
        return enqueue(
            [this, sql](int request) {
                Answer answer{request, {}, {}, false};
                ++ran;
                if (ensureOpen(&answer.error, "echo")) {
                    QSqlQuery query(m_database);
                    if (query.exec(sql) && query.next())
                        answer.value = query.value(0).toString();
                    else
                        answer.error = SqlDatabase::toDbError(query.lastError(), u"echo"_s);
                }
                noteFailure(answer.error);
                Q_EMIT answered(answer);
            },
            [this](int request) {
                Q_EMIT answered({request, {}, droppedError(u"echo"_s), true});
            },
            latestWins);
    }

    // Waits (up to 10 s) until cancelled through its own CancelScope → answered ("cancelled").
    int waitForCancel()
    {
        return enqueue(
            [this](int request) {
                std::atomic<bool> cancelled{false};
                CancelScope scope(this, [&cancelled] { cancelled = true; });
                Q_EMIT waiting();
                QElapsedTimer clock;
                clock.start();
                while (!cancelled && clock.elapsed() < 10000)
                    QThread::msleep(5);
                Q_EMIT answered({request, cancelled ? u"cancelled"_s : u"timed out"_s, {}, false});
            },
            [this](int request) {
                Q_EMIT answered({request, {}, droppedError(u"wait"_s), true});
            });
    }

    std::atomic<int> ran{0};

Q_SIGNALS:
    void opened();
    void waiting(); // inside waitForCancel()'s scope
    void answered(const Answer &answer);

protected:
    DbError prepareConnection(const QSqlDatabase &database) override
    {
        m_database = database;
        Q_EMIT opened();
        return {};
    }
    void releaseConnection() override { m_database = QSqlDatabase(); }

private:
    QSqlDatabase m_database;
};

class TstDatabaseWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void everyRequestIsAnsweredOnceInOrder();
    void aNewConnectionDropsWhatWasQueued();
    void theLatestOfAKindWins();
    void cancelStopsTheRunningStatement();
    void cancelReachesARequestsOwnScope();
    void aLostConnectionIsReportedAndReopened();
    void shutdownNeverWaitsOnTheNetwork();

private:
    bool open();
    QList<Answer> answers(const QList<QList<QVariant>> &spy) const;

    std::unique_ptr<TestDatabase> m_db;
    EchoWorker *m_worker = nullptr;
};

void TstDatabaseWorker::initTestCase()
{
    qRegisterMetaType<Answer>();
}

void TstDatabaseWorker::init()
{
    m_db = std::make_unique<TestDatabase>(u"databaseworker"_s);
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    m_worker = new EchoWorker;
    m_worker->start();
}

void TstDatabaseWorker::cleanup()
{
    m_worker->shutdown(QDeadlineTimer::Forever);
    m_worker = nullptr;
    m_db.reset();
}

bool TstDatabaseWorker::open()
{
    ThreadSpy opened(m_worker, &EchoWorker::opened);
    ConnectionOptions options = m_db->options();
    options.applicationName = u"databaseworker-under-test"_s;
    m_worker->setConnection(options);
    // Counted, not wait()ed for: the signal may come before a wait() could start.
    return QTest::qWaitFor([&] { return !opened.isEmpty(); }, 15000);
}

QList<Answer> TstDatabaseWorker::answers(const QList<QList<QVariant>> &spy) const
{
    QList<Answer> list;
    for (const QList<QVariant> &arguments : std::as_const(spy))
        list.append(arguments.at(0).value<Answer>());
    return list;
}

void TstDatabaseWorker::everyRequestIsAnsweredOnceInOrder()
{
    QVERIFY(open());
    ThreadSpy spy(m_worker, &EchoWorker::answered);
    QList<int> ids;
    for (int i = 1; i <= 5; ++i)
        ids.append(m_worker->select(u"SELECT %1"_s.arg(i)));
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 5, 10000);
    QTest::qWait(100); // and not once more
    QCOMPARE(spy.size(), 5);
    const QList<Answer> got = answers(spy);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(got.at(i).request, ids.at(i));
        QCOMPARE(got.at(i).value, QString::number(i + 1));
        QVERIFY(!got.at(i).dropped);
    }
}

void TstDatabaseWorker::aNewConnectionDropsWhatWasQueued()
{
    QVERIFY(open());
    ThreadSpy spy(m_worker, &EchoWorker::answered);
    const int running = m_worker->select(u"SELECT pg_sleep(1)::text || 'slept'"_s);
    QList<int> queued;
    for (int i = 0; i < 3; ++i)
        queued.append(m_worker->select(u"SELECT 1"_s));
    // The first one is running on the server (so it is past the check that drops).
    QTRY_COMPARE_WITH_TIMEOUT(m_db->scalar("SELECT count(*) FROM pg_stat_activity WHERE"
                                           " application_name = 'databaseworker-under-test'"
                                           " AND query LIKE 'SELECT pg_sleep(1)%'"),
                              u"1"_s, 10000);
    ThreadSpy reopened(m_worker, &EchoWorker::opened);
    m_worker->setConnection(m_db->options()); // while the first one runs
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 4, 10000);
    const QList<Answer> got = answers(spy);
    QCOMPARE(got.at(0).request, running);
    QCOMPARE(got.at(0).value, u"slept"_s);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(got.at(i + 1).request, queued.at(i));
        QVERIFY(got.at(i + 1).dropped);
    }
    QCOMPARE(m_worker->ran.load(), 1); // the dropped ones never reached the server
    QTRY_COMPARE_WITH_TIMEOUT(reopened.size(), 1, 15000);
}

void TstDatabaseWorker::theLatestOfAKindWins()
{
    QVERIFY(open());
    ThreadSpy spy(m_worker, &EchoWorker::answered);
    m_worker->select(u"SELECT pg_sleep(0.3)::text"_s); // keeps the worker busy meanwhile
    const int first = m_worker->select(u"SELECT 'first'"_s, "list");
    const int other = m_worker->select(u"SELECT 'other kind'"_s, "detail");
    const int second = m_worker->select(u"SELECT 'second'"_s, "list");
    const int third = m_worker->select(u"SELECT 'third'"_s, "list");
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 5, 10000);
    const QList<Answer> got = answers(spy);
    QCOMPARE(got.at(1).request, first);
    QVERIFY(got.at(1).dropped);
    QCOMPARE(got.at(2).request, other);
    QCOMPARE(got.at(2).value, u"other kind"_s);
    QCOMPARE(got.at(3).request, second);
    QVERIFY(got.at(3).dropped);
    QCOMPARE(got.at(4).request, third);
    QCOMPARE(got.at(4).value, u"third"_s);
    QCOMPARE(m_worker->ran.load(), 3);
}

void TstDatabaseWorker::cancelStopsTheRunningStatement()
{
    QVERIFY(open());
    ThreadSpy spy(m_worker, &EchoWorker::answered);
    m_worker->select(u"SELECT pg_sleep(30)::text"_s);
    QTRY_COMPARE_WITH_TIMEOUT(m_db->scalar("SELECT count(*) FROM pg_stat_activity WHERE"
                                           " application_name = 'databaseworker-under-test'"
                                           " AND query LIKE 'SELECT pg_sleep(30)%'"),
                              u"1"_s, 10000);
    QElapsedTimer clock;
    clock.start();
    m_worker->cancel();
    QVERIFY(clock.elapsed() < 100); // the GUI thread does not wait for the server
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 1, 10000);
    QCOMPARE(answers(spy).first().error.sqlState, u"57014"_s);
    // The connection still works.
    m_worker->select(u"SELECT 'after'"_s);
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 2, 10000);
    QCOMPARE(answers(spy).at(1).value, u"after"_s);
}

void TstDatabaseWorker::cancelReachesARequestsOwnScope()
{
    QVERIFY(open());
    ThreadSpy spy(m_worker, &EchoWorker::answered);
    ThreadSpy waiting(m_worker, &EchoWorker::waiting);
    m_worker->waitForCancel();
    QTRY_COMPARE_WITH_TIMEOUT(waiting.size(), 1,
                              10000); // (it may come before a wait() could start)
    m_worker->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 1, 10000);
    QCOMPARE(answers(spy).first().value, u"cancelled"_s);
    // Outside the scope the connection's own cancel is back: a statement is stopped again.
    m_worker->select(u"SELECT pg_sleep(30)::text"_s);
    QTRY_COMPARE_WITH_TIMEOUT(m_db->scalar("SELECT count(*) FROM pg_stat_activity WHERE"
                                           " application_name = 'databaseworker-under-test'"
                                           " AND query LIKE 'SELECT pg_sleep(30)%'"),
                              u"1"_s, 10000);
    m_worker->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 2, 10000);
    QCOMPARE(answers(spy).at(1).error.sqlState, u"57014"_s);
}

void TstDatabaseWorker::aLostConnectionIsReportedAndReopened()
{
    QVERIFY(open());
    QCOMPARE(m_db->scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                          " WHERE application_name = 'databaseworker-under-test'"),
             u"1"_s);
    ThreadSpy lost(m_worker, &DatabaseWorker::connectionLost);
    ThreadSpy spy(m_worker, &EchoWorker::answered);
    m_worker->select(u"SELECT 1"_s);
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 1, 10000);
    QVERIFY2(answers(spy).first().error.isConnectionLoss(),
             qPrintable(answers(spy).first().error.toString()));
    QCOMPARE(lost.size(), 1);
    // The next request opens the connection again.
    m_worker->select(u"SELECT 'back'"_s);
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 2, 15000);
    QCOMPARE(answers(spy).at(1).value, u"back"_s);
}

void TstDatabaseWorker::shutdownNeverWaitsOnTheNetwork()
{
    QVERIFY(open());
    m_worker->select(u"SELECT pg_sleep(5)::text"_s);
    QTest::qWait(100);
    auto *worker = std::exchange(m_worker, new EchoWorker);
    m_worker->start();
    QElapsedTimer clock;
    clock.start();
    worker->shutdown(QDeadlineTimer(0));
    QVERIFY2(clock.elapsed() < 500, qPrintable(QString::number(clock.elapsed())));
    // Its cancel stopped the statement: the server is not left running it for 5 s.
    QTRY_COMPARE_WITH_TIMEOUT(m_db->scalar("SELECT count(*) FROM pg_stat_activity WHERE"
                                           " application_name = 'databaseworker-under-test'"
                                           " AND state = 'active'"),
                              u"0"_s, 3000);
}

QTEST_GUILESS_MAIN(TstDatabaseWorker)
#include "tst_databaseworker.moc"
