// ChatRepository: an algorithm's conversations come back newest first in keyset pages that
// visit every message once, ties on created_at included, and only that algorithm's.
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/chatrepository.h"
#include "sandbox/sandbox.h"
#include "testdatabase.h"

#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TstChatRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pagesVisitEveryMessageOnceInOrder();
    void agentsCountTheirMessages();
    void filtersMatchABruteForceQuery();
    void searchAcrossAgentsTakesTheTextLiterally();

private:
    // Every page of `filter` at `pageSize`, ids in order; checks each page's size.
    static QStringList allIds(ChatRepository &repo, const ChatFilter &filter, int pageSize,
                              bool *ok);
    bool prepare(TestDatabase &db, int chatRows);
};

QStringList TstChatRepository::allIds(ChatRepository &repo, const ChatFilter &filter, int pageSize,
                                      bool *ok)
{
    QStringList ids;
    std::optional<ChatCursor> cursor;
    *ok = false;
    for (int guard = 0; guard < 100000; ++guard) {
        DbError error;
        const auto page = repo.page(filter, cursor, pageSize, &error);
        if (!page) {
            qWarning("%s", qPrintable(error.toString()));
            return ids;
        }
        if (page->messages.size() > pageSize)
            return ids;
        for (const ChatMessage &m : page->messages)
            ids.append(m.id);
        if (!page->next) {
            *ok = true;
            return ids;
        }
        cursor = page->next;
    }
    return ids;
}

bool TstChatRepository::prepare(TestDatabase &db, int chatRows)
{
    if (!db.ok())
        return false;
    const RunReport report = migrateDatabase(db.options());
    if (report.outcome != RunReport::Outcome::Ok)
        return false;
    PgConnection connection;
    DbError error;
    if (!connection.open(db.options(), &error))
        return false;
    DemoSeedOptions options;
    options.changelogRows = 10;
    options.metricRows = 10;
    options.chatRows = chatRows;
    return runDemoSeed(connection, options, nullptr, &error);
}

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

void TstChatRepository::agentsCountTheirMessages()
{
    TestDatabase db(u"chatcounts"_s);
    QVERIFY(prepare(db, 400));
    // An agent without messages counts 0 and is listed all the same.
    QVERIFY(db.exec("DELETE FROM algorithm_chat_history WHERE algorithm_id = 'A3'").ok());
    const QString name = u"tst_chatrepository_counts"_s;
    {
        DbError error;
        QSqlDatabase sql = SqlDatabase::open(db.options(), name, &error);
        QVERIFY2(sql.isOpen(), qPrintable(error.toString()));
        ChatRepository repo(sql);
        const QList<ChatAgent> agents = repo.agents(&error);
        QVERIFY2(!error.isError(), qPrintable(error.toString()));
        QStringList got;
        for (const ChatAgent &a : agents)
            got.append(u"%1|%2|%3"_s.arg(a.algorithmId, a.name).arg(a.messageCount));
        // Brute force: a correlated count per agent, sorted here by the number in the id.
        QStringList expected = rows(db, "SELECT a.algorithm_id, a.name,"
                                        " (SELECT count(*) FROM algorithm_chat_history c"
                                        "  WHERE c.algorithm_id = a.algorithm_id)"
                                        " FROM algorithm_agents a");
        std::sort(expected.begin(), expected.end(), [](const QString &a, const QString &b) {
            return a.section(u'|', 0, 0).mid(1).toInt() < b.section(u'|', 0, 0).mid(1).toInt();
        });
        QCOMPARE(got, expected);
        QVERIFY(got.size() >= 30);
        QVERIFY(got.contains(u"A3|"_s + agents.at(2).name + u"|0"_s));
        qint64 total = 0;
        for (const ChatAgent &a : agents)
            total += a.messageCount;
        QCOMPARE(QString::number(total), value(db, "SELECT count(*) FROM algorithm_chat_history"));
    }
    SqlDatabase::close(name);
}

void TstChatRepository::filtersMatchABruteForceQuery()
{
    TestDatabase db(u"chatfilters"_s);
    QVERIFY(prepare(db, 1500));
    // A few with NULL user ids and ties on created_at.
    QVERIFY(db.exec("INSERT INTO algorithm_chat_history (algorithm_id, user_id, message,"
                    " response, created_at) SELECT 'A5', NULL, 'tie ' || g, 'Tie ' || g,"
                    " timestamp '2026-03-01 10:00:00' FROM generate_series(1, 12) g")
                .ok());
    const QString users = value(db, "SELECT string_agg(DISTINCT user_id::text, ',')"
                                    " FROM algorithm_chat_history WHERE user_id IS NOT NULL");
    const int someUser = users.section(u',', 0, 0).toInt();
    const QString middle = value(db, "SELECT created_at::text FROM algorithm_chat_history"
                                     " ORDER BY created_at OFFSET 600 LIMIT 1");
    const QString later = value(db, "SELECT created_at::text FROM algorithm_chat_history"
                                    " ORDER BY created_at OFFSET 1200 LIMIT 1");
    const QDateTime from = SqlTimestamp::fromSql(middle);
    const QDateTime to = SqlTimestamp::fromSql(later);
    QVERIFY(from.isValid() && to.isValid());

    struct Case
    {
        ChatFilter filter;
        QByteArray where; // the same filter, written independently
    };
    const auto f = [](QString agent, std::optional<int> user, QDateTime a, QDateTime b,
                      QString text) {
        return ChatFilter{agent, user, a, b, text};
    };
    const QByteArray u = QByteArray::number(someUser);
    const QByteArray fromSql = "'" + SqlTimestamp::toSql(from).toUtf8() + "'::timestamp";
    const QByteArray toSql = "'" + SqlTimestamp::toSql(to).toUtf8() + "'::timestamp";
    const QList<Case> cases = {
        {f(u"A5"_s, {}, {}, {}, {}), "algorithm_id = 'A5'"},
        {f(u"A5"_s, someUser, {}, {}, {}), "algorithm_id = 'A5' AND user_id = " + u},
        {f(u"A5"_s, {}, from, {}, {}), "algorithm_id = 'A5' AND created_at >= " + fromSql},
        {f(u"A5"_s, {}, {}, to, {}), "algorithm_id = 'A5' AND created_at < " + toSql},
        {f(u"A5"_s, {}, from, to, {}),
         "algorithm_id = 'A5' AND created_at >= " + fromSql + " AND created_at < " + toSql},
        {f({}, someUser, from, to, {}),
         "user_id = " + u + " AND created_at >= " + fromSql + " AND created_at < " + toSql},
        {f({}, {}, {}, {}, u"tie"_s),
         "(strpos(lower(message), 'tie') > 0 OR strpos(lower(response), 'tie') > 0)"},
        {f({}, {}, {}, {}, u"E"_s),
         "(strpos(lower(message), 'e') > 0 OR strpos(lower(response), 'e') > 0)"},
        {f(u"A5"_s, {}, {}, to, u"E"_s),
         "algorithm_id = 'A5' AND created_at < " + toSql +
             " AND (strpos(lower(message), 'e') > 0 OR strpos(lower(response), 'e') > 0)"},
        {f({}, {}, {}, {}, {}), "true"},
    };
    const QString name = u"tst_chatrepository_filters"_s;
    {
        DbError error;
        QSqlDatabase sql = SqlDatabase::open(db.options(), name, &error);
        QVERIFY2(sql.isOpen(), qPrintable(error.toString()));
        ChatRepository repo(sql);
        for (const Case &c : cases) {
            const QStringList expected =
                rows(db, "SELECT id FROM algorithm_chat_history WHERE " + c.where +
                             " ORDER BY created_at DESC, id DESC");
            QVERIFY(!expected.isEmpty());
            QVERIFY2(!expected.constFirst().startsWith(u"error"_s),
                     qPrintable(expected.constFirst()));
            for (int pageSize : {7, 100}) {
                bool ok = false;
                const QStringList got = allIds(repo, c.filter, pageSize, &ok);
                QVERIFY(ok);
                QCOMPARE(got, expected); // every row once, in order
            }
        }
    }
    SqlDatabase::close(name);
}

void TstChatRepository::searchAcrossAgentsTakesTheTextLiterally()
{
    TestDatabase db(u"chatsearch"_s);
    QVERIFY(prepare(db, 200));
    // Each needle with decoys that an unescaped pattern would also match.
    const PgResult inserted = db.exec(
        "INSERT INTO algorithm_chat_history (algorithm_id, user_id, message, response) VALUES"
        " ('A1', 1, 'save 50%_off today', 'ok'),"
        " ('A2', 2, 'save 50XYoff today', 'ok'),"
        " ('A3', 3, 'plain', 'see C:\\temp\\x for it'),"
        " ('A4', 4, 'plain', 'see C:tempx for it'),"
        " ('A5', 5, 'it''s O''Brien \"quoted\"', 'fine'),"
        " ('A6', 6, 'its OBrien quoted', 'fine'),"
        " ('A7', 7, NULL, 'UPPER Case Needle')");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    const QString name = u"tst_chatrepository_search"_s;
    {
        DbError error;
        QSqlDatabase sql = SqlDatabase::open(db.options(), name, &error);
        QVERIFY2(sql.isOpen(), qPrintable(error.toString()));
        ChatRepository repo(sql);
        const QStringList needles = {
            u"50%_off"_s,     u"C:\\temp\\x"_s, u"\\"_s, u"O'Brien \"quoted\""_s,
            u"case needle"_s, u"%"_s,           u"_"_s};
        for (const QString &needle : needles) {
            ChatFilter filter;
            filter.text = needle;
            bool ok = false;
            const QStringList got = allIds(repo, filter, 3, &ok);
            QVERIFY(ok);
            const QStringList expected = rows(db,
                                              "SELECT id FROM algorithm_chat_history"
                                              " WHERE strpos(lower(message), lower($1)) > 0"
                                              "    OR strpos(lower(response), lower($1)) > 0"
                                              " ORDER BY created_at DESC, id DESC",
                                              {needle.toUtf8()});
            QVERIFY2(!expected.isEmpty(), qPrintable(needle));
            QCOMPARE(got, expected);
        }
        // The decoys never match.
        ChatFilter filter;
        filter.text = u"50%_off"_s;
        const auto page = repo.page(filter, std::nullopt, 10, &error);
        QVERIFY(page);
        QCOMPARE(page->messages.size(), 1);
        QCOMPARE(page->messages.constFirst().algorithmId, u"A1"_s);
    }
    SqlDatabase::close(name);
}

QTEST_GUILESS_MAIN(TstChatRepository)
#include "tst_chatrepository.moc"
