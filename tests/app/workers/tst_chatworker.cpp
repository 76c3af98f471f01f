// ChatWorker on its own thread against a seeded test database: agents with their counts, pages
// of a filter where the latest request wins, and the Markdown export page by page with progress,
// cancel (no file written) and a file that holds every exchange once.
#include "repositoryfixture.h"
#include "threadspy.h"
#include "workers/chatworker.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TstChatWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void loadsAgentsAndPages();
    void theLatestPageRequestWins();
    void exportsTheConversationAsMarkdown();
    void aCancelledExportWritesNothing();

private:
    bool openWorker();
    // Holds an ACCESS EXCLUSIVE lock on the chat table until unlock(): the worker's next read
    // waits for it, so that requests can be queued behind it deterministically.
    bool lock();
    void unlock();
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<PgConnection> m_locker;
    ChatWorker *m_worker = nullptr;
};

void TstChatWorker::init()
{
    m_db = std::make_unique<TestDatabase>(u"chatworker"_s);
    const QString problem = prepareSeededDatabase(*m_db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // More than one export page for A7.
    QVERIFY(m_db->exec("INSERT INTO algorithm_chat_history (algorithm_id, user_id, message,"
                       " response, created_at) SELECT 'A7', g % 5, 'question ' || g,"
                       " '**answer** ' || g, timestamp '2026-01-01' + g * interval '1 second'"
                       " FROM generate_series(1, 1203) g")
                .ok());
    m_worker = new ChatWorker;
    m_worker->start();
}

void TstChatWorker::cleanup()
{
    unlock();
    m_worker->shutdown(QDeadlineTimer::Forever);
    m_worker = nullptr;
    m_db.reset();
}

bool TstChatWorker::openWorker()
{
    ThreadSpy opened(m_worker, &ChatWorker::connectionOpened);
    m_worker->setConnection(m_db->options());
    return QTest::qWaitFor([&] { return !opened.isEmpty(); }, 15000);
}

bool TstChatWorker::lock()
{
    m_locker = std::make_unique<PgConnection>();
    DbError error;
    if (!m_locker->open(m_db->options(), &error))
        return false;
    return m_locker->exec("BEGIN").ok() &&
           m_locker->exec("LOCK TABLE algorithm_chat_history IN ACCESS EXCLUSIVE MODE").ok();
}

void TstChatWorker::unlock()
{
    if (m_locker)
        m_locker->exec("COMMIT");
    m_locker.reset();
}

void TstChatWorker::loadsAgentsAndPages()
{
    QVERIFY(openWorker());
    ThreadSpy agents(m_worker, &ChatWorker::agentsLoaded);
    const int request = m_worker->loadAgents();
    QTRY_VERIFY_WITH_TIMEOUT(!agents.isEmpty(), 10000);
    QCOMPARE(agents.at(0).at(0).toInt(), request);
    QVERIFY(!agents.at(0).at(2).value<DbError>().isError());
    const auto list = agents.at(0).at(1).value<QList<ChatAgent>>();
    QCOMPARE(list.size(), value(*m_db, "SELECT count(*) FROM algorithm_agents").toInt());
    QCOMPARE(list.at(6).algorithmId, u"A7"_s);
    QCOMPARE(QString::number(list.at(6).messageCount),
             value(*m_db, "SELECT count(*) FROM algorithm_chat_history"
                          " WHERE algorithm_id = 'A7'"));

    ThreadSpy pages(m_worker, &ChatWorker::pageLoaded);
    ChatFilter filter;
    filter.algorithmId = u"A7"_s;
    m_worker->loadPage(filter, std::nullopt, 50);
    QTRY_VERIFY_WITH_TIMEOUT(!pages.isEmpty(), 10000);
    const auto page = pages.at(0).at(1).value<ChatPage>();
    QCOMPARE(page.messages.size(), 50);
    QVERIFY(page.next);
    QCOMPARE(page.messages.constFirst().message, u"question 1203"_s);
}

void TstChatWorker::theLatestPageRequestWins()
{
    QVERIFY(openWorker());
    ThreadSpy pages(m_worker, &ChatWorker::pageLoaded);
    QVERIFY(lock());
    ChatFilter a;
    a.algorithmId = u"A1"_s;
    const int first = m_worker->loadPage(a, std::nullopt, 10);
    QTest::qWait(300); // the first one runs, waiting for the lock
    ChatFilter b;
    b.algorithmId = u"A2"_s;
    const int second = m_worker->loadPage(b, std::nullopt, 10);
    ChatFilter c;
    c.algorithmId = u"A7"_s;
    const int third = m_worker->loadPage(c, std::nullopt, 10);
    unlock();
    QTRY_COMPARE_WITH_TIMEOUT(pages.size(), 3, 10000);
    QCOMPARE(pages.at(0).at(0).toInt(), first); // was running: answered with its rows
    QVERIFY(!pages.at(0).at(2).value<DbError>().isError());
    QCOMPARE(pages.at(1).at(0).toInt(), second); // overtaken before it ran: dropped
    QVERIFY(pages.at(1).at(2).value<DbError>().isError());
    QVERIFY(pages.at(1).at(1).value<ChatPage>().messages.isEmpty());
    QCOMPARE(pages.at(2).at(0).toInt(), third);
    QVERIFY(!pages.at(2).at(2).value<DbError>().isError());
    QCOMPARE(pages.at(2).at(1).value<ChatPage>().messages.constFirst().algorithmId, u"A7"_s);
}

void TstChatWorker::exportsTheConversationAsMarkdown()
{
    QVERIFY(openWorker());
    QTemporaryDir dir;
    const QString path = dir.filePath(u"a7.md"_s);
    ThreadSpy progress(m_worker, &ChatWorker::exportProgress);
    ThreadSpy finished(m_worker, &ChatWorker::exportFinished);
    ChatFilter filter;
    filter.algorithmId = u"A7"_s;
    const int request = m_worker->exportConversation(filter, path, u"# Chat with A7\n"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 20000);
    QCOMPARE(finished.at(0).at(0).toInt(), request);
    QVERIFY2(!finished.at(0).at(2).value<DbError>().isError(),
             qPrintable(finished.at(0).at(2).value<DbError>().toString()));
    const qint64 total =
        value(*m_db, "SELECT count(*) FROM algorithm_chat_history WHERE algorithm_id = 'A7'")
            .toLongLong();
    QCOMPARE(finished.at(0).at(1).toLongLong(), total);
    // A progress report per page, the last one the total.
    QCOMPARE(progress.size(),
             int((total + ChatWorker::ExportPageSize - 1) / ChatWorker::ExportPageSize));
    QCOMPARE(progress.constLast().at(1).toLongLong(), total);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.startsWith(u"# Chat with A7\n"_s));
    QCOMPARE(text.count(u"\n### "_s), total);
    // Newest first, each once.
    QVERIFY(text.indexOf(u"> question 1203\n"_s) < text.indexOf(u"> question 1202\n"_s));
    QCOMPARE(text.count(u"> question 1000\n"_s), 1);
    QVERIFY(text.contains(u"**answer** 1203"_s));
}

void TstChatWorker::aCancelledExportWritesNothing()
{
    QVERIFY(openWorker());
    QTemporaryDir dir;
    const QString path = dir.filePath(u"a7.md"_s);
    {
        QFile before(path);
        QVERIFY(before.open(QIODevice::WriteOnly));
        before.write("kept");
    }
    ThreadSpy finished(m_worker, &ChatWorker::exportFinished);
    QVERIFY(lock());
    ChatFilter filter;
    filter.algorithmId = u"A7"_s;
    m_worker->exportConversation(filter, path, u"# A7\n"_s);
    QTest::qWait(300); // its first page waits for the lock
    m_worker->cancelExport();
    unlock();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 20000);
    QCOMPARE(finished.at(0).at(2).value<DbError>().message, u"cancelled"_s);
    QVERIFY(finished.at(0).at(1).toLongLong() < 1203);
    QFile after(path);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), QByteArray("kept"));
}

QTEST_GUILESS_MAIN(TstChatWorker)
#include "tst_chatworker.moc"
