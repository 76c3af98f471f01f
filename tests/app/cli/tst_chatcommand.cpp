// `algoadmin chat` through the real executable against a seeded database: the conversation as
// text and as JSON (newest first, --limit, 0 for all, --search), an unknown agent naming the
// agents (exit 2), bad usage (exit 2).
#include "repositoryfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

class TstChatCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void printsTheConversationNewestFirst();
    void jsonParsesAndFollowsLimitAndSearch();
    void anUnknownAgentExitsWithTwo();
    void badUsageExitsWithTwo();

private:
    std::unique_ptr<TestDatabase> m_db;
};

static QByteArray describe(const ProcessResult &r)
{
    return u"exit %1\n--- stdout:\n%2\n--- stderr:\n%3"_s.arg(r.exitCode)
        .arg(r.out.left(2000), r.err)
        .toLocal8Bit();
}

void TstChatCommand::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"chatcommand"_s);
    const QString problem = prepareSeededDatabase(*m_db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(m_db->exec("INSERT INTO algorithm_chat_history (algorithm_id, user_id, message,"
                       " response, created_at) SELECT 'A7', g, 'question ' || g,"
                       " 'answer ' || g || E'\\nsecond line', timestamp '2026-01-01' +"
                       " g * interval '1 minute' FROM generate_series(1, 45) g")
                .ok());
}

void TstChatCommand::printsTheConversationNewestFirst()
{
    const ProcessResult r = runAlgoadmin({u"chat"_s, u"-d"_s, m_db->conninfo(), u"A7"_s});
    QVERIFY2(r.exitCode == 0, describe(r));
    // The default limit: 20 exchanges, the newest first.
    QCOMPARE(r.out.count(u"\n  message:\n"_s), 20);
    QVERIFY(r.out.startsWith(u"2026-01-01 00:45:00 UTC  user 45\n  message:\n    question 45\n"
                             "  response:\n    answer 45\n    second line\n"_s));
    QVERIFY(r.out.indexOf(u"question 45"_s) < r.out.indexOf(u"question 44"_s));
    QVERIFY(!r.out.contains(u"question 25\n"_s));
}

void TstChatCommand::jsonParsesAndFollowsLimitAndSearch()
{
    const int total =
        value(*m_db, "SELECT count(*) FROM algorithm_chat_history WHERE algorithm_id = 'A7'")
            .toInt();
    for (const auto &[limit, expected] :
         QList<QPair<QString, int>>{{u"0"_s, total}, {u"3"_s, 3}, {u"1000"_s, total}}) {
        const ProcessResult r = runAlgoadmin(
            {u"chat"_s, u"-d"_s, m_db->conninfo(), u"A7"_s, u"--limit"_s, limit, u"--json"_s});
        QVERIFY2(r.exitCode == 0, describe(r));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
        QVERIFY2(doc.isArray(), qPrintable(error.errorString()));
        const QJsonArray array = doc.array();
        QCOMPARE(array.size(), expected);
        const QJsonObject first = array.at(0).toObject();
        QCOMPARE(first.value(u"agent"_s).toString(), u"A7"_s);
        QCOMPARE(first.value(u"message"_s).toString(), u"question 45"_s);
        QCOMPARE(first.value(u"user_id"_s).toInt(), 45);
        QCOMPARE(first.value(u"created_at"_s).toString(), u"2026-01-01T00:45:00.000Z"_s);
        QCOMPARE(first.value(u"response"_s).toString(), u"answer 45\nsecond line"_s);
    }
    // --search: a substring of message or response, any case.
    const ProcessResult r =
        runAlgoadmin({u"chat"_s, u"-d"_s, m_db->conninfo(), u"A7"_s, u"--search"_s, u"ANSWER 1"_s,
                      u"--json"_s, u"--limit"_s, u"0"_s});
    QVERIFY2(r.exitCode == 0, describe(r));
    const QJsonArray found = QJsonDocument::fromJson(r.out.toUtf8()).array();
    QCOMPARE(found.size(), 11); // 1, 10..19
    for (const QJsonValue &v : found)
        QVERIFY(v.toObject().value(u"response"_s).toString().startsWith(u"answer 1"_s));
    // Nothing found is an empty array, not an error.
    const ProcessResult none = runAlgoadmin({u"chat"_s, u"-d"_s, m_db->conninfo(), u"A7"_s,
                                             u"--search"_s, u"no such 100%_text"_s, u"--json"_s});
    QVERIFY2(none.exitCode == 0, describe(none));
    QCOMPARE(QJsonDocument::fromJson(none.out.toUtf8()).array().size(), 0);
}

void TstChatCommand::anUnknownAgentExitsWithTwo()
{
    const ProcessResult r = runAlgoadmin({u"chat"_s, u"-d"_s, m_db->conninfo(), u"NOPE"_s});
    QVERIFY2(r.exitCode == 2, describe(r));
    QVERIFY2(r.err.contains(u"no agent NOPE"_s), describe(r));
    QVERIFY2(r.err.contains(u"A1, A2, A3"_s), describe(r));
    QVERIFY(r.out.isEmpty());
}

void TstChatCommand::badUsageExitsWithTwo()
{
    for (const QStringList &arguments :
         {QStringList{u"chat"_s, u"-d"_s, m_db->conninfo()},
          QStringList{u"chat"_s, u"-d"_s, m_db->conninfo(), u"A7"_s, u"--limit"_s, u"-1"_s},
          QStringList{u"chat"_s, u"-d"_s, m_db->conninfo(), u"A7"_s, u"--limit"_s, u"x"_s},
          QStringList{u"chat"_s, u"-d"_s, m_db->conninfo(), u"A7"_s, u"A8"_s}}) {
        const ProcessResult r = runAlgoadmin(arguments);
        QVERIFY2(r.exitCode == 2, describe(r));
    }
}

QTEST_GUILESS_MAIN(TstChatCommand)
#include "tst_chatcommand.moc"
