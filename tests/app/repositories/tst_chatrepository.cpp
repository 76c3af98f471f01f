// ChatRepository: an algorithm's conversations come back newest first in keyset pages that
// visit every message once, ties on created_at included, and only that algorithm's.
#include "repositories/chatrepository.h"
#include "sandbox/sandbox.h"
#include "db/sqldatabase.h"
#include "testdatabase.h"

#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TstChatRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pagesVisitEveryMessageOnceInOrder();
};

void TstChatRepository::pagesVisitEveryMessageOnceInOrder()
{
    TestDatabase db(u"chatrepo"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const RunReport report = migrateDatabase(db.options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    DbError error;
    {
        PgConnection connection;
        QVERIFY2(connection.open(db.options(), &error), qPrintable(error.toString()));
        DemoSeedOptions options;
        options.changelogRows = 100;
        options.metricRows = 100;
        options.chatRows = 300;
        QVERIFY2(runDemoSeed(connection, options, nullptr, &error), qPrintable(error.toString()));
    }
    // 25 more for A7, in groups of five sharing one created_at, one with NULLs
    const PgResult inserted = db.exec(
        "INSERT INTO algorithm_chat_history (algorithm_id, user_id, message, response, created_at)"
        " SELECT 'A7', CASE WHEN g = 1 THEN NULL ELSE g END, 'q' || g,"
        "        CASE WHEN g = 1 THEN NULL ELSE 'a' || g END,"
        "        timestamp '2026-05-01 00:00:00.25' + (g / 5) * interval '1 minute'"
        " FROM generate_series(1, 25) g");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    const QStringList expected = rows(db, "SELECT id FROM algorithm_chat_history"
                                          " WHERE algorithm_id = 'A7'"
                                          " ORDER BY created_at DESC, id DESC");
    QVERIFY(expected.size() > 25);

    const QString name = u"tst_chatrepository"_s;
    {
        QSqlDatabase sql = SqlDatabase::open(db.options(), name, &error);
        QVERIFY2(sql.isOpen(), qPrintable(error.toString()));
        ChatRepository repo(sql);
        for (int pageSize : {4, 5, 1000}) {
            QStringList ids;
            std::optional<ChatCursor> cursor;
            int pages = 0;
            for (;;) {
                const auto page = repo.page(u"A7"_s, cursor, pageSize, &error);
                QVERIFY2(page, qPrintable(error.toString()));
                ++pages;
                QVERIFY(page->messages.size() <= pageSize);
                for (const ChatMessage &m : page->messages) {
                    QCOMPARE(m.algorithmId, u"A7"_s);
                    ids.append(m.id);
                }
                if (!page->next)
                    break;
                cursor = page->next;
            }
            QCOMPARE(ids, expected);
            QCOMPARE(pages, int(expected.size() / pageSize) + 1);
        }
        const auto last = repo.page(u"A7"_s, std::nullopt, 1000, &error);
        QVERIFY(last);
        bool sawNulls = false;
        for (const ChatMessage &m : last->messages) {
            if (m.message == u"q1"_s) {
                sawNulls = true;
                QVERIFY(!m.userId);
                QVERIFY(m.response.isNull());
                QCOMPARE(m.createdAt, QDateTime(QDate(2026, 5, 1), QTime(0, 0, 0, 250), Qt::UTC));
            }
        }
        QVERIFY(sawNulls);
        const auto none = repo.page(u"nope"_s, std::nullopt, 10, &error);
        QVERIFY(none && none->messages.isEmpty() && !none->next);
    }
    SqlDatabase::close(name);
}

QTEST_GUILESS_MAIN(TstChatRepository)
#include "tst_chatrepository.moc"
