// `algoadmin changelog` through the real executable: the table, --limit, --json, --csv (equal
// to the repository's export), and bad input refused with exit 2 before anything is read.
#include "db/sqldatabase.h"
#include "repositories/changelogrepository.h"
#include "repositoryfixture.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

QByteArray describe(const ProcessResult &result)
{
    return u"exit %1\n--- stdout:\n%2\n--- stderr:\n%3"_s.arg(result.exitCode)
        .arg(result.out.left(4000), result.err)
        .toLocal8Bit();
}

} // namespace

class TstChangelogCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tableNewestFirstWithLimit();
    void limitZeroReadsEveryRow();
    void jsonParses();
    void csvEqualsTheExport();
    void badInputExitsTwo_data();
    void badInputExitsTwo();

private:
    ProcessResult changelog(const QStringList &arguments);

    std::unique_ptr<TestDatabase> m_db;
};

void TstChangelogCli::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"changelogcli"_s);
    const QString problem = prepareSeededDatabase(*m_db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // an undated row with NULLs, and awkward text
    QVERIFY(m_db->exec("INSERT INTO algorithm_changelog (id, algorithm_id, user_id,"
                       " parameter_name, old_value, new_value, reason, modified_at, db_role)"
                       " VALUES ('undated', 'A2', NULL, 'p', NULL, 'v', NULL, NULL, 'legacy'),"
                       " ('awkward', 'A2', 5, 'p', 'a,b', E'two\\nlines', 'say \"hi\"',"
                       " '2026-05-01 10:00:00.123456', 'alice')")
                .ok());
}

ProcessResult TstChangelogCli::changelog(const QStringList &arguments)
{
    return runAlgoadmin(QStringList{u"changelog"_s, u"-d"_s, m_db->conninfo()} + arguments);
}

void TstChangelogCli::tableNewestFirstWithLimit()
{
    const ProcessResult result = changelog({u"--limit"_s, u"7"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QStringList lines = result.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 7); // the header and 7 rows
    QVERIFY(lines.first().startsWith(u"TIME"_s));
    const QStringList newest =
        rows(*m_db, "SELECT modified_at::text FROM algorithm_changelog"
                    " ORDER BY modified_at DESC NULLS LAST, id DESC LIMIT 7");
    for (int i = 0; i < 7; ++i)
        QVERIFY2(lines.at(i + 1).startsWith(newest.at(i)), qPrintable(lines.at(i + 1)));
    // the default limit is 50
    const ProcessResult byDefault = changelog({});
    QVERIFY2(byDefault.exitCode == 0, describe(byDefault).constData());
    QCOMPARE(byDefault.out.split(u'\n', Qt::SkipEmptyParts).size(), 51);
    // filters narrow it: the undated row shows as such
    const ProcessResult undated = changelog({u"--agent"_s, u"A2"_s, u"--role"_s, u"legacy"_s});
    QVERIFY2(undated.exitCode == 0, describe(undated).constData());
    const QStringList undatedLines = undated.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(undatedLines.size(), 2);
    QVERIFY(undatedLines.at(1).startsWith(u"(no time)"_s));
    QVERIFY(undatedLines.at(1).contains(u"NULL \u2192 v"_s));
}

void TstChangelogCli::limitZeroReadsEveryRow()
{
    const ProcessResult result = changelog({u"--limit"_s, u"0"_s, u"--json"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QJsonArray array = QJsonDocument::fromJson(result.out.toUtf8()).array();
    const QStringList ids = rows(*m_db, "SELECT id FROM algorithm_changelog"
                                        " ORDER BY modified_at DESC NULLS LAST, id DESC");
    QCOMPARE(array.size(), ids.size());
    for (int i = 0; i < ids.size(); ++i)
        QCOMPARE(array.at(i)[u"id"_s].toString(), ids.at(i));
}

void TstChangelogCli::jsonParses()
{
    const ProcessResult result = changelog(
        {u"--json"_s, u"--agent"_s, u"A2"_s, u"--parameter"_s, u"p"_s, u"--limit"_s, u"10"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(result.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError && document.isArray(),
             describe(result).constData());
    const QJsonArray array = document.array();
    QCOMPARE(array.size(), 2);
    const QJsonObject awkward = array.at(0).toObject();
    QCOMPARE(awkward[u"id"_s].toString(), u"awkward"_s);
    QCOMPARE(awkward[u"new_value"_s].toString(), u"two\nlines"_s);
    QCOMPARE(awkward[u"user_id"_s].toInt(), 5);
    QCOMPARE(awkward[u"modified_at"_s].toString(), u"2026-05-01 10:00:00.123456"_s);
    const QJsonObject undated = array.at(1).toObject();
    QVERIFY(undated[u"modified_at"_s].isNull());
    QVERIFY(undated[u"user_id"_s].isNull());
    QVERIFY(undated[u"old_value"_s].isNull());
    QVERIFY(undated[u"reason"_s].isNull());
    // nothing matches: an empty array
    const ProcessResult none = changelog({u"--json"_s, u"--user"_s, u"999999"_s});
    QVERIFY2(none.exitCode == 0, describe(none).constData());
    QCOMPARE(QJsonDocument::fromJson(none.out.toUtf8()).array().size(), 0);
    // --since and --until
    const ProcessResult range =
        changelog({u"--json"_s, u"--since"_s, u"2026-05-01 10:00:00.123"_s, u"--until"_s,
                   u"2026-05-01T10:00:01"_s, u"--agent"_s, u"A2"_s});
    QVERIFY2(range.exitCode == 0, describe(range).constData());
    QCOMPARE(QJsonDocument::fromJson(range.out.toUtf8()).array().size(), 1);
}

void TstChangelogCli::csvEqualsTheExport()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"out.csv"_s);
    const ProcessResult result = changelog({u"--csv"_s, path, u"--agent"_s, u"A2"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    QCOMPARE(result.err, QString()); // no progress line: stderr is not a terminal
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();

    DbError error;
    QSqlDatabase sql = SqlDatabase::open(m_db->options(), u"tst_changelogcli"_s, &error);
    QVERIFY2(sql.isOpen(), qPrintable(error.toString()));
    QByteArray expected;
    {
        ChangelogRepository repository(sql);
        QBuffer buffer(&expected);
        buffer.open(QIODevice::WriteOnly);
        ChangelogFilter filter;
        filter.algorithmId = u"A2"_s;
        QVERIFY(repository.exportCsv(filter, &buffer, {}, &error) > 1);
    }
    sql = QSqlDatabase();
    SqlDatabase::close(u"tst_changelogcli"_s);
    QCOMPARE(written, expected);
    // - is stdout
    const ProcessResult toStdout = changelog({u"--csv"_s, u"-"_s, u"--agent"_s, u"A2"_s});
    QVERIFY2(toStdout.exitCode == 0, describe(toStdout).constData());
    QCOMPARE(toStdout.out.toUtf8(), expected);
}

void TstChangelogCli::badInputExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown agent")
        << QStringList{u"--agent"_s, u"A99"_s} << u"no agent A99; the agents are A1\u2026A30"_s;
    QTest::newRow("user not a number")
        << QStringList{u"--user"_s, u"bob"_s} << u"--user takes a user id"_s;
    QTest::newRow("since malformed")
        << QStringList{u"--since"_s, u"yesterday"_s} << u"--since: \"yesterday\" is not a time"_s;
    QTest::newRow("until malformed")
        << QStringList{u"--until"_s, u"2026-13-01"_s} << u"--until: \"2026-13-01\" is not a time"_s;
    QTest::newRow("negative limit") << QStringList{u"--limit"_s, u"-1"_s} << u"--limit"_s;
    QTest::newRow("json and csv") << QStringList{u"--json"_s, u"--csv"_s, u"-"_s}
                                  << u"exclude each other"_s;
    QTest::newRow("stray argument") << QStringList{u"A3"_s} << u"unexpected argument"_s;
}

void TstChangelogCli::badInputExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const ProcessResult result = changelog(arguments);
    QVERIFY2(result.exitCode == 2, describe(result).constData());
    QVERIFY2(result.err.contains(message), describe(result).constData());
    QCOMPARE(result.out, QString());
}

QTEST_GUILESS_MAIN(TstChangelogCli)
#include "tst_changelogcli.moc"
