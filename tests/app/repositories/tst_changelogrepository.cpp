// ChangelogRepository against a real database: every filter (alone and combined) against a
// brute-force count, keyset pages that stay stable while rows arrive, the planner's estimate,
// and a CSV export that round-trips awkward text and streams.
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/changelogrepository.h"
#include "sandbox/sandbox.h"
#include "testdatabase.h"

#include <QBuffer>
#include <QScopeGuard>
#include <QSqlQuery>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TstChangelogRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void filters_data();
    void filters();
    void walkingPagesVisitsEveryRowOnceInOrder();
    void pagesStayStableWhileRowsAreInserted();
    void estimateIsWithinASaneFactor();
    void csvRoundTripsAwkwardText();
    void csvExportStreamsAndCancels();
    void csvExportReportsALostConnection();

private:
    QStringList allIds(const ChangelogFilter &filter, int pageSize);

    std::unique_ptr<TestDatabase> m_db;
    QSqlDatabase m_sql;
    std::unique_ptr<ChangelogRepository> m_repo;
    QString m_parameter; // a parameter of A3 with history
    QDateTime m_from;    // about the first quarter of the history
    QDateTime m_to;      // about the third quarter
};

static const QString kConnection = u"tst_changelogrepository"_s;

// The hand-made rows: tricky reasons, a db_role, and ties on modified_at.
static const char kHandRows[] = R"sql(
INSERT INTO algorithm_changelog (id, algorithm_id, user_id, parameter_name, old_value, new_value,
                                 reason, modified_at, db_role, source, change_set)
VALUES
 ('hand-1', 'A3', 7, 'p', '1', '2', 'quote " and, comma', '2026-03-01 10:00:00.123456', 'alice', 'tst', 'cs1'),
 ('hand-2', 'A3', 7, 'p', '2', '3', E'two\nlines\r\nand CRLF', '2026-03-01 10:00:00.123456', 'alice', 'tst', 'cs1'),
 ('hand-3', 'A3', NULL, 'p', NULL, '', NULL, '2026-03-01 10:00:00.123456', 'bob', NULL, NULL),
 ('hand-4', 'A4', 8, 'q', 'x', 'y', 'raise to 50% now', '2026-03-02 11:00:00', 'alice', 'tst', NULL),
 ('hand-5', 'A4', 8, 'q', 'y', 'z', 'raise to 50 percent, "quoted"', '2026-03-02 11:00:00', 'bob', 'tst', NULL),
 ('hand-6', 'A5', 9, 'r', 'a', 'b', 'under_score', '2026-03-03 12:00:00', NULL, NULL, NULL)
)sql";

void TstChangelogRepository::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"changelogrepo"_s);
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    const RunReport report = migrateDatabase(m_db->options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    DbError error;
    {
        PgConnection connection;
        QVERIFY2(connection.open(m_db->options(), &error), qPrintable(error.toString()));
        DemoSeedOptions options;
        options.changelogRows = 4000;
        options.metricRows = 1000;
        options.chatRows = 10;
        QVERIFY2(runDemoSeed(connection, options, nullptr, &error), qPrintable(error.toString()));
    }
    QVERIFY(m_db->exec(kHandRows).ok());
    QVERIFY(m_db->exec("ANALYZE algorithm_changelog").ok());
    m_parameter = value(*m_db, "SELECT parameter_name FROM algorithm_changelog"
                               " WHERE algorithm_id = 'A3' AND id NOT LIKE 'hand-%'"
                               " ORDER BY parameter_name LIMIT 1");
    QVERIFY(!m_parameter.isEmpty() && !m_parameter.startsWith(u"error"_s));
    m_from = SqlTimestamp::fromSql(value(*m_db, "SELECT modified_at::text FROM algorithm_changelog"
                                                " ORDER BY modified_at OFFSET 1000 LIMIT 1"));
    m_to = SqlTimestamp::fromSql(value(*m_db, "SELECT modified_at::text FROM algorithm_changelog"
                                              " ORDER BY modified_at OFFSET 3000 LIMIT 1"));
    QVERIFY(m_from.isValid() && m_to.isValid() && m_from < m_to);

    m_sql = SqlDatabase::open(m_db->options(), kConnection, &error);
    QVERIFY2(m_sql.isOpen(), qPrintable(error.toString()));
    m_repo = std::make_unique<ChangelogRepository>(m_sql);
}

void TstChangelogRepository::cleanupTestCase()
{
    m_repo.reset();
    m_sql = QSqlDatabase();
    SqlDatabase::close(kConnection);
}

QStringList TstChangelogRepository::allIds(const ChangelogFilter &filter, int pageSize)
{
    QStringList ids;
    std::optional<ChangelogCursor> cursor;
    for (int guard = 0; guard < 100000; ++guard) {
        DbError error;
        const auto page = m_repo->page(filter, cursor, pageSize, &error);
        if (!page) {
            ids.append(u"error: "_s + error.toString());
            return ids;
        }
        for (const ChangelogEntry &e : page->entries)
            ids.append(e.id);
        if (!page->next)
            break;
        cursor = page->next;
    }
    return ids;
}

// Each row: which filter members to set, and the brute-force WHERE over the same values.
void TstChangelogRepository::filters_data()
{
    QTest::addColumn<int>("members");
    // bit 0 algorithm, 1 parameter, 2 user, 3 db_role, 4 from, 5 to, 6 reason
    const QList<QPair<const char *, int>> rows = {
        {"none", 0},
        {"algorithm", 1},
        {"parameter", 2},
        {"user", 4},
        {"db_role", 8},
        {"from", 16},
        {"to", 32},
        {"reason", 64},
        {"algorithm+parameter", 3},
        {"algorithm+user+range", 1 | 4 | 16 | 32},
        {"db_role+reason", 8 | 64},
        {"every filter", 127},
    };
    for (const auto &[name, members] : rows)
        QTest::newRow(name) << members;
}

void TstChangelogRepository::filters()
{
    QFETCH(int, members);
    for (const QString &reason : {u"the"_s, u"50%"_s, u"_"_s}) {
        ChangelogFilter filter;
        QStringList where{u"true"_s};
        QList<QByteArray> params;
        auto add = [&](const QString &condition, const QString &v) {
            params.append(v.toUtf8());
            where.append(condition.arg(params.size()));
        };
        if (members & 1) {
            filter.algorithmId = u"A3"_s;
            add(u"algorithm_id = $%1"_s, u"A3"_s);
        }
        if (members & 2) {
            filter.parameterName = m_parameter;
            add(u"parameter_name = $%1"_s, m_parameter);
        }
        if (members & 4) {
            filter.userId = 3;
            add(u"user_id = $%1::int"_s, u"3"_s);
        }
        if (members & 8) {
            filter.dbRole = u"alice"_s;
            add(u"db_role = $%1"_s, u"alice"_s);
        }
        if (members & 16) {
            filter.from = m_from;
            add(u"modified_at >= $%1::timestamp"_s, SqlTimestamp::toSql(m_from));
        }
        if (members & 32) {
            filter.to = m_to;
            add(u"modified_at < $%1::timestamp"_s, SqlTimestamp::toSql(m_to));
        }
        if (members & 64) {
            filter.reasonText = reason;
            // strpos, not LIKE: checks that the repository escapes % and _.
            add(u"strpos(lower(reason), lower($%1)) > 0"_s, reason);
        }
        const QByteArray sql = "SELECT id FROM algorithm_changelog WHERE " +
                               where.join(u" AND "_s).toUtf8() +
                               " ORDER BY modified_at DESC, id DESC";
        const QStringList expected = rows(*m_db, sql, params);
        QVERIFY(expected.isEmpty() || !expected.first().startsWith(u"error"_s));
        const QStringList got = allIds(filter, 250);
        QCOMPARE(got, expected);
        if (!(members & 64))
            break; // the reason text only matters when it filters
    }
}

void TstChangelogRepository::walkingPagesVisitsEveryRowOnceInOrder()
{
    const QStringList expected =
        rows(*m_db, "SELECT id FROM algorithm_changelog ORDER BY modified_at DESC, id DESC");
    QVERIFY(expected.size() > 4000);
    for (int pageSize : {1, 7, 137, 5000}) {
        if (pageSize == 1) {
            // one-row pages through the ties of the hand rows only (4000 round trips is slow)
            ChangelogFilter filter;
            filter.algorithmId = u"A3"_s;
            filter.dbRole = u"alice"_s;
            QCOMPARE(allIds(filter, 1), QStringList({u"hand-2"_s, u"hand-1"_s}));
            continue;
        }
        const QStringList got = allIds({}, pageSize);
        QCOMPARE(got.size(), expected.size());
        QCOMPARE(got, expected);
    }
    // the entry carries every column, db_role, source and change_set included
    ChangelogFilter filter;
    filter.dbRole = u"alice"_s;
    filter.reasonText = u"comma"_s;
    DbError error;
    const auto page = m_repo->page(filter, std::nullopt, 10, &error);
    QVERIFY2(page, qPrintable(error.toString()));
    QCOMPARE(page->entries.size(), 1);
    const ChangelogEntry &e = page->entries.first();
    QCOMPARE(e.id, u"hand-1"_s);
    QCOMPARE(e.algorithmId, u"A3"_s);
    QCOMPARE(e.userId, std::optional<int>(7));
    QCOMPARE(e.parameterName, u"p"_s);
    QCOMPARE(e.oldValue, u"1"_s);
    QCOMPARE(e.newValue, u"2"_s);
    QCOMPARE(e.reason, u"quote \" and, comma"_s);
    QCOMPARE(e.modifiedAt, QDateTime(QDate(2026, 3, 1), QTime(10, 0, 0, 123), Qt::UTC));
    QCOMPARE(e.modifiedAtText, u"2026-03-01 10:00:00.123456"_s);
    QCOMPARE(e.dbRole, u"alice"_s);
    QCOMPARE(e.source, u"tst"_s);
    QCOMPARE(e.changeSet, u"cs1"_s);
    QVERIFY(!page->next);
    // NULLs stay null, the empty string stays empty
    filter = {};
    filter.dbRole = u"bob"_s;
    filter.algorithmId = u"A3"_s;
    const auto bob = m_repo->page(filter, std::nullopt, 10, &error);
    QVERIFY2(bob && bob->entries.size() == 1, qPrintable(error.toString()));
    QVERIFY(!bob->entries.first().userId);
    QVERIFY(bob->entries.first().oldValue.isNull());
    QVERIFY(!bob->entries.first().newValue.isNull() && bob->entries.first().newValue.isEmpty());
    QVERIFY(bob->entries.first().reason.isNull());
}

void TstChangelogRepository::pagesStayStableWhileRowsAreInserted()
{
    ChangelogFilter filters[2];
    filters[1].algorithmId = u"A3"_s;
    for (const ChangelogFilter &filter : filters) {
        const QStringList before = allIds(filter, 40);
        PgConnection other;
        DbError error;
        QVERIFY2(other.open(m_db->options(), &error), qPrintable(error.toString()));
        QStringList got;
        std::optional<ChangelogCursor> cursor;
        int round = 0;
        for (;;) {
            const auto page = m_repo->page(filter, cursor, 40, &error);
            QVERIFY2(page, qPrintable(error.toString()));
            for (const ChangelogEntry &e : page->entries)
                got.append(e.id);
            if (!page->next)
                break;
            cursor = page->next;
            // New history between page fetches, as other consoles write it: now() (and later,
            // so it is surely newer than anything the seed spread over its months).
            const PgResult inserted =
                other.exec("INSERT INTO algorithm_changelog (algorithm_id, user_id, parameter_name,"
                           " old_value, new_value, reason, modified_at)"
                           " SELECT 'A3', 1, 'p', '1', '2', 'concurrent ' || g,"
                           "        now() + interval '400 days' + g * interval '1 ms'"
                           " FROM generate_series(1, 5) g");
            QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
            ++round;
        }
        QVERIFY(round > 3);
        QCOMPARE(got.size(), before.size());
        QCOMPARE(got, before);
        QCOMPARE(QSet<QString>(got.cbegin(), got.cend()).size(), got.size());
    }
}

void TstChangelogRepository::estimateIsWithinASaneFactor()
{
    QVERIFY(m_db->exec("ANALYZE algorithm_changelog").ok());
    const QList<ChangelogFilter> filters = [this] {
        ChangelogFilter unfiltered;
        ChangelogFilter a3;
        a3.algorithmId = u"A3"_s;
        ChangelogFilter range;
        range.from = m_from;
        range.to = m_to;
        ChangelogFilter user;
        user.userId = 3;
        return QList<ChangelogFilter>{unfiltered, a3, range, user};
    }();
    const QList<QByteArray> counts = {
        "SELECT count(*) FROM algorithm_changelog",
        "SELECT count(*) FROM algorithm_changelog WHERE algorithm_id = 'A3'",
        "SELECT count(*) FROM algorithm_changelog WHERE modified_at >= $1::timestamp"
        " AND modified_at < $2::timestamp",
        "SELECT count(*) FROM algorithm_changelog WHERE user_id = 3",
    };
    for (int i = 0; i < filters.size(); ++i) {
        const QList<QByteArray> params =
            i == 2 ? QList<QByteArray>{SqlTimestamp::toSql(m_from).toUtf8(),
                                       SqlTimestamp::toSql(m_to).toUtf8()}
                   : QList<QByteArray>{};
        const qint64 exact = value(*m_db, counts.at(i), params).toLongLong();
        DbError error;
        const qint64 estimate = m_repo->estimateCount(filters.at(i), &error);
        QVERIFY2(estimate >= 0, qPrintable(error.toString()));
        QVERIFY2(exact > 100, qPrintable(QString::number(exact)));
        QVERIFY2(estimate * 3 >= exact && estimate <= exact * 3,
                 qPrintable(u"filter %1: estimate %2, exact %3"_s.arg(i).arg(estimate).arg(exact)));
    }
}

// A small RFC 4180 reader: records of fields, quotes doubled inside quoted fields.
static QList<QStringList> parseCsv(const QByteArray &data)
{
    QList<QStringList> records;
    QStringList record;
    QByteArray field;
    bool quoted = false;
    for (qsizetype i = 0; i < data.size(); ++i) {
        const char c = data.at(i);
        if (quoted) {
            if (c == '"' && i + 1 < data.size() && data.at(i + 1) == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            record.append(QString::fromUtf8(field));
            field.clear();
        } else if (c == '\n' || (c == '\r' && i + 1 < data.size() && data.at(i + 1) == '\n')) {
            record.append(QString::fromUtf8(field));
            field.clear();
            records.append(record);
            record.clear();
            if (c == '\r')
                ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !record.isEmpty()) {
        record.append(QString::fromUtf8(field));
        records.append(record);
    }
    return records;
}

void TstChangelogRepository::csvRoundTripsAwkwardText()
{
    ChangelogFilter filter;
    filter.algorithmId = u"A3"_s;
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    DbError error;
    qint64 lastProgress = -1;
    const qint64 written = m_repo->exportCsv(
        filter, &buffer,
        [&](qint64 rows) {
            lastProgress = rows;
            return true;
        },
        &error);
    QVERIFY2(written > 0, qPrintable(error.toString()));
    QCOMPARE(lastProgress, written);
    const QList<QStringList> records = parseCsv(buffer.data());
    QCOMPARE(records.value(0).join(u','), QString::fromUtf8(ChangelogRepository::csvHeader()));
    // NULL exports as an empty field and '' as "" (read back as empty here; checked below).
    const QStringList expected =
        rows(*m_db, "SELECT concat_ws(E'\\x1f', id, algorithm_id, coalesce(user_id::text, ''),"
                    " coalesce(parameter_name, ''), coalesce(old_value, ''),"
                    " coalesce(new_value, ''), coalesce(reason, ''), modified_at::text,"
                    " coalesce(db_role, ''), coalesce(source, ''), coalesce(change_set, ''))"
                    " FROM algorithm_changelog WHERE algorithm_id = 'A3'"
                    " ORDER BY modified_at DESC, id DESC");
    QCOMPARE(records.size() - 1, expected.size());
    QCOMPARE(written, qint64(expected.size()));
    for (int i = 0; i < expected.size(); ++i)
        QCOMPARE(records.at(i + 1).join(QChar(0x1f)), expected.at(i));
    // the awkward ones really were in there
    QVERIFY(buffer.data().contains("\"quote \"\" and, comma\""));
    QVERIFY(buffer.data().contains("\"two\nlines\r\nand CRLF\""));
    // as psql's \copy writes them: NULL unquoted and empty, '' quoted, LF after each record
    QVERIFY(buffer.data().contains("\nhand-3,A3,,p,,\"\",,2026-03-01 10:00:00.123456,bob,,\n"));
}

void TstChangelogRepository::csvExportStreamsAndCancels()
{
    // 60,000 more rows for one algorithm.
    const PgResult inserted = m_db->exec(
        "INSERT INTO algorithm_changelog (algorithm_id, user_id, parameter_name, old_value,"
        " new_value, reason, modified_at)"
        " SELECT 'A9', 1, 'bulk', g::text, (g + 1)::text, 'bulk, row \"' || g || '\"',"
        "        timestamp '2026-01-01' + g * interval '1 s'"
        " FROM generate_series(1, 60000) g");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    ChangelogFilter filter;
    filter.parameterName = u"bulk"_s;
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QList<qint64> progressRows;
    QList<qint64> bytesAtProgress;
    DbError error;
    const qint64 written = m_repo->exportCsv(
        filter, &buffer,
        [&](qint64 rows) {
            progressRows.append(rows);
            bytesAtProgress.append(buffer.size());
            return true;
        },
        &error);
    QCOMPARE(written, qint64(60000));
    // Streamed: the progress came many times while rows were still arriving, and each time the
    // rows so far were already written out.
    QVERIFY2(progressRows.size() >= 10, qPrintable(QString::number(progressRows.size())));
    for (int i = 1; i < progressRows.size(); ++i) {
        QVERIFY(progressRows.at(i) > progressRows.at(i - 1));
        QVERIFY(bytesAtProgress.at(i) > bytesAtProgress.at(i - 1));
    }
    QVERIFY(progressRows.first() < 60000 / 5);
    QCOMPARE(parseCsv(buffer.data()).size(), 60001);

    // Cancel at the first progress: an error, part of the rows, and the connection still works.
    QBuffer partial;
    partial.open(QIODevice::WriteOnly);
    const qint64 cancelled = m_repo->exportCsv(
        filter, &partial, [](qint64) { return false; }, &error);
    QCOMPARE(cancelled, qint64(-1));
    QCOMPARE(error.message, u"cancelled"_s);
    QVERIFY(parseCsv(partial.data()).size() < 60001);
    const auto page = m_repo->page(filter, std::nullopt, 3, &error);
    QVERIFY2(page, qPrintable(error.toString()));
    QCOMPARE(page->entries.size(), 3);
    QCOMPARE(page->entries.first().oldValue, u"60000"_s);
    // right after a Qt Sql read on the same connection, the export still runs whole
    QBuffer again;
    again.open(QIODevice::WriteOnly);
    QCOMPARE(m_repo->exportCsv(filter, &again, {}, &error), qint64(60000));
}

void TstChangelogRepository::csvExportReportsALostConnection()
{
    // The server process ends in the middle of the COPY: the export fails with a connection
    // loss at once (no hang, no partial success), and what was written stays a prefix.
    DbError error;
    const QString name = u"tst_changelogrepository_lost"_s;
    QSqlDatabase sql = SqlDatabase::open(m_db->options(), name, &error);
    QVERIFY2(sql.isOpen(), qPrintable(error.toString()));
    auto close = qScopeGuard([&] {
        sql = QSqlDatabase();
        SqlDatabase::close(name);
    });
    QSqlQuery backend(sql);
    QVERIFY(backend.exec(u"SELECT pg_backend_pid()"_s) && backend.next());
    const QByteArray pid = backend.value(0).toByteArray();
    backend.finish();
    ChangelogRepository repo(sql);
    ChangelogFilter filter;
    filter.parameterName = u"bulk"_s; // the 60,000 rows of the test before
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    int reports = 0;
    const qint64 written = repo.exportCsv(
        filter, &buffer,
        [&](qint64) {
            if (++reports == 1)
                m_db->exec("SELECT pg_terminate_backend(" + pid + ")");
            return true;
        },
        &error);
    QCOMPARE(written, qint64(-1));
    QVERIFY2(error.isConnectionLoss(), qPrintable(error.toString()));
    QVERIFY(reports >= 1);
    QVERIFY(parseCsv(buffer.data()).size() < 60001);
}

QTEST_GUILESS_MAIN(TstChangelogRepository)
#include "tst_changelogrepository.moc"
