// ChangelogRepository's reads for the Changelog panel against a real database: keyset pages
// over rows with a NULL modified_at in both orders, the source and change-set filters, the
// timeline, an entry's detail, the facets and the parameter names, each against a brute-force
// query.
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/changelogrepository.h"
#include "repositoryfixture.h"

#include <QBuffer>
#include <QSet>
#include <QSqlQuery>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

class TstChangelogReads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void undatedRowsArePagedInBothOrders_data();
    void undatedRowsArePagedInBothOrders();
    void undatedEntryKeepsItsNulls();
    void newFilters_data();
    void newFilters();
    void timeline_data();
    void timeline();
    void timelineOfNothing();
    void detail();
    void facets();
    void parameterNames();

private:
    QStringList allIds(const ChangelogFilter &filter, int pageSize, ChangelogOrder order);

    std::unique_ptr<TestDatabase> m_db;
    QSqlDatabase m_sql;
    std::unique_ptr<ChangelogRepository> m_repo;
};

static const QString kConnection = u"tst_changelogreads"_s;

// Rows as old databases have them (no time, no user, no old value), among them ties, and two
// change sets: one of tied rows, one with an undated row.
static const char kHandRows[] = R"sql(
INSERT INTO algorithm_changelog (id, algorithm_id, user_id, parameter_name, old_value, new_value,
                                 reason, modified_at, db_role, source, change_set)
SELECT 'null-' || lpad(g::text, 2, '0'), CASE WHEN g % 2 = 0 THEN 'A3' ELSE 'A4' END,
       CASE WHEN g % 3 = 0 THEN NULL ELSE 40 + g END, 'legacy_' || (g % 4), NULL, g::text,
       CASE WHEN g % 5 = 0 THEN NULL ELSE 'old import ' || g END, NULL, 'legacy', NULL, NULL
FROM generate_series(1, 23) g
)sql";
static const char kHandRows2[] = R"sql(
INSERT INTO algorithm_changelog (id, algorithm_id, user_id, parameter_name, old_value, new_value,
                                 reason, modified_at, db_role, source, change_set)
VALUES
 ('cs-a-1', 'A5', 11, 'alpha', '1', '2', 'set a', '2026-04-01 09:00:00.000001', 'carol', 'console', 'cs-a'),
 ('cs-a-2', 'A5', 11, 'beta', '1', '2', 'set a', '2026-04-01 09:00:00.000001', 'carol', 'console', 'cs-a'),
 ('cs-a-3', 'A5', 11, 'is_active', 'true', 'false', 'set a', '2026-04-01 09:00:00.000001', 'carol', 'console', 'cs-a'),
 ('cs-b-1', 'A5', NULL, 'alpha', '2', '3', 'set b', '2026-04-02 09:00:00', 'dave', 'script', 'cs-b'),
 ('cs-b-2', 'A5', NULL, 'alpha', '3', '4', 'set b', NULL, 'dave', 'script', 'cs-b'),
 ('src-1', 'A6', 12, 'gamma', 'x', 'y', 'from a script', '2026-04-03 10:00:00', 'erin', 'script', NULL)
)sql";

// The page order, as SQL.
static const char kNewest[] = " ORDER BY modified_at DESC NULLS LAST, id DESC";

void TstChangelogReads::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"changelogreads"_s);
    const QString problem = prepareSeededDatabase(*m_db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    for (const char *sql : {kHandRows, kHandRows2}) {
        const PgResult inserted = m_db->exec(sql);
        QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    }
    QVERIFY(m_db->exec("ANALYZE algorithm_changelog").ok());
    DbError error;
    m_sql = SqlDatabase::open(m_db->options(), kConnection, &error);
    QVERIFY2(m_sql.isOpen(), qPrintable(error.toString()));
    m_repo = std::make_unique<ChangelogRepository>(m_sql);
}

void TstChangelogReads::cleanupTestCase()
{
    m_repo.reset();
    m_sql = QSqlDatabase();
    SqlDatabase::close(kConnection);
}

QStringList TstChangelogReads::allIds(const ChangelogFilter &filter, int pageSize,
                                      ChangelogOrder order)
{
    QStringList ids;
    std::optional<ChangelogCursor> cursor;
    for (int guard = 0; guard < 100000; ++guard) {
        DbError error;
        const auto page = m_repo->page(filter, cursor, pageSize, &error, order);
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

void TstChangelogReads::undatedRowsArePagedInBothOrders_data()
{
    QTest::addColumn<QString>("agent");     // empty: any
    QTest::addColumn<QString>("changeSet"); // empty: any
    QTest::addColumn<int>("pageSize");
    QTest::newRow("all, 7") << QString() << QString() << 7;
    QTest::newRow("all, 100") << QString() << QString() << 100;
    QTest::newRow("A3, 3") << u"A3"_s << QString() << 3;
    QTest::newRow("A4, 5") << u"A4"_s << QString() << 5;
    QTest::newRow("cs-b, 1") << QString() << u"cs-b"_s << 1;
    QTest::newRow("A5, 1") << u"A5"_s << QString() << 1;
}

void TstChangelogReads::undatedRowsArePagedInBothOrders()
{
    QFETCH(QString, agent);
    QFETCH(QString, changeSet);
    QFETCH(int, pageSize);
    ChangelogFilter filter;
    QByteArray where = " WHERE true";
    QList<QByteArray> params;
    if (!agent.isEmpty()) {
        filter.algorithmId = agent;
        params.append(agent.toUtf8());
        where += " AND algorithm_id = $" + QByteArray::number(params.size());
    }
    if (!changeSet.isEmpty()) {
        filter.changeSet = changeSet;
        params.append(changeSet.toUtf8());
        where += " AND change_set = $" + QByteArray::number(params.size());
    }
    const QStringList expected =
        rows(*m_db, "SELECT id FROM algorithm_changelog" + where + kNewest, params);
    QVERIFY(expected.size() > 1 && !expected.first().startsWith(u"error"_s));
    const QStringList newest = allIds(filter, pageSize, ChangelogOrder::NewestFirst);
    QCOMPARE(newest, expected);
    QStringList reversed = expected;
    std::reverse(reversed.begin(), reversed.end());
    QCOMPARE(allIds(filter, pageSize, ChangelogOrder::OldestFirst), reversed);
    // undated rows are among them, and come last
    const QString last = newest.constLast();
    QVERIFY2(last.startsWith(u"null-"_s) || last == u"cs-b-2"_s, qPrintable(last));
}

void TstChangelogReads::undatedEntryKeepsItsNulls()
{
    ChangelogFilter filter;
    filter.dbRole = u"legacy"_s;
    DbError error;
    const auto page = m_repo->page(filter, std::nullopt, 100, &error, ChangelogOrder::OldestFirst);
    QVERIFY2(page, qPrintable(error.toString()));
    QCOMPARE(page->entries.size(), 23);
    const ChangelogEntry &e = page->entries.first();
    QCOMPARE(e.id, u"null-01"_s);
    QVERIFY(e.modifiedAtText.isNull());
    QVERIFY(!e.modifiedAt.isValid());
    QVERIFY(e.oldValue.isNull());
    QCOMPARE(page->entries.at(2).id, u"null-03"_s);
    QVERIFY(!page->entries.at(2).userId);
    // a cursor on an undated row says so
    QVERIFY(ChangelogCursor::after(e).modifiedAt.isNull());
}

// A filter and the brute-force WHERE over the same values.
struct FilterCase
{
    ChangelogFilter filter;
    QByteArray where;
    QList<QByteArray> params;
};

static FilterCase filterCase(int members)
{
    // bit 0 source, 1 change set, 2 agent, 3 time range
    FilterCase c;
    QStringList where{u"true"_s};
    auto add = [&](const QString &condition, const QString &v) {
        c.params.append(v.toUtf8());
        where.append(condition.arg(c.params.size()));
    };
    if (members & 1) {
        c.filter.source = u"script"_s;
        add(u"source = $%1"_s, u"script"_s);
    }
    if (members & 2) {
        c.filter.changeSet = u"cs-a"_s;
        add(u"change_set = $%1"_s, u"cs-a"_s);
    }
    if (members & 4) {
        c.filter.algorithmId = u"A5"_s;
        add(u"algorithm_id = $%1"_s, u"A5"_s);
    }
    if (members & 8) {
        c.filter.from = QDateTime(QDate(2026, 4, 1), QTime(0, 0), Qt::UTC);
        c.filter.to = QDateTime(QDate(2026, 4, 3), QTime(0, 0), Qt::UTC);
        add(u"modified_at >= $%1::timestamp"_s, u"2026-04-01 00:00:00"_s);
        add(u"modified_at < $%1::timestamp"_s, u"2026-04-03 00:00:00"_s);
    }
    c.where = " WHERE " + where.join(u" AND "_s).toUtf8();
    return c;
}

void TstChangelogReads::newFilters_data()
{
    QTest::addColumn<int>("members");
    QTest::newRow("source") << 1;
    QTest::newRow("change set") << 2;
    QTest::newRow("source+agent") << (1 | 4);
    QTest::newRow("change set+agent+range") << (2 | 4 | 8);
    QTest::newRow("source+range") << (1 | 8);
}

void TstChangelogReads::newFilters()
{
    QFETCH(int, members);
    const FilterCase c = filterCase(members);
    const QStringList expected =
        rows(*m_db, "SELECT id FROM algorithm_changelog" + c.where + kNewest, c.params);
    QVERIFY(!expected.isEmpty() && !expected.first().startsWith(u"error"_s));
    QCOMPARE(allIds(c.filter, 2, ChangelogOrder::NewestFirst), expected);
    // the export and the estimate take them too
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    DbError error;
    QCOMPARE(m_repo->exportCsv(c.filter, &buffer, {}, &error), qint64(expected.size()));
    const QList<QByteArray> lines = buffer.data().split('\n');
    for (int i = 0; i < expected.size(); ++i)
        QVERIFY(lines.at(i + 1).startsWith(expected.at(i).toUtf8() + ','));
    QVERIFY2(m_repo->estimateCount(c.filter, &error) >= 0, qPrintable(error.toString()));
    const auto timeline = m_repo->timeline(c.filter, 10, &error);
    QVERIFY2(timeline, qPrintable(error.toString()));
    qint64 sum = timeline->undated;
    for (const TimelineBucket &b : timeline->buckets)
        sum += b.changes;
    QCOMPARE(sum, qint64(expected.size()));
}

void TstChangelogReads::timeline_data()
{
    QTest::addColumn<int>("members");
    QTest::addColumn<int>("buckets");
    QTest::newRow("all, 60") << 0 << 60;
    QTest::newRow("all, 1") << 0 << 1;
    QTest::newRow("agent, 200") << 4 << 200;
    QTest::newRow("range, 48") << 8 << 48;
    QTest::newRow("change set (one moment), 5") << 2 << 5;
}

void TstChangelogReads::timeline()
{
    QFETCH(int, members);
    QFETCH(int, buckets);
    const FilterCase c = filterCase(members);
    DbError error;
    const auto timeline = m_repo->timeline(c.filter, buckets, &error);
    QVERIFY2(timeline, qPrintable(error.toString()));
    const QByteArray from = "SELECT %1 FROM algorithm_changelog" + c.where;
    auto brute = [&](const char *what) {
        return value(*m_db, QByteArray(from).replace("%1", what), c.params);
    };
    QCOMPARE(timeline->undated, brute("count(*) FILTER (WHERE modified_at IS NULL)").toLongLong());
    // jit went off for the timeline's statement only: nothing left on the connection
    QSqlQuery jit(m_sql);
    QVERIFY(jit.exec(u"SELECT current_setting('jit')"_s) && jit.next());
    QCOMPARE(jit.value(0).toString(), value(*m_db, "SELECT current_setting('jit')"));
    QCOMPARE(timeline->buckets.size(), buckets);
    // the range: the filter's when set, else the rows' first and last
    const QDateTime first = c.filter.from.isValid()
                                ? c.filter.from
                                : SqlTimestamp::fromSql(brute("min(modified_at)::text"));
    const QDateTime last = c.filter.to.isValid()
                               ? c.filter.to
                               : SqlTimestamp::fromSql(brute("max(modified_at)::text"));
    QCOMPARE(timeline->first, first);
    QCOMPARE(timeline->last, last);
    // contiguous buckets that cover [first, last]
    QCOMPARE(timeline->buckets.constFirst().start, first);
    QVERIFY(timeline->buckets.constLast().end >= last);
    qint64 sum = 0;
    qint64 sets = 0;
    for (int i = 0; i < timeline->buckets.size(); ++i) {
        const TimelineBucket &b = timeline->buckets.at(i);
        QVERIFY(b.start <= b.end); // equal when narrower than a QDateTime's millisecond
        if (i > 0)
            QCOMPARE(b.start, timeline->buckets.at(i - 1).end);
        QVERIFY(b.topUserChanges <= b.changes);
        QCOMPARE(b.topUser.isEmpty(), b.changes == 0);
        sum += b.changes;
        sets += b.changeSets;
    }
    QCOMPARE(sum, brute("count(modified_at)").toLongLong());
    // a change set lies in one bucket unless it spans an edge
    QVERIFY(
        sets >=
        brute("count(DISTINCT change_set) FILTER (WHERE modified_at IS NOT NULL)").toLongLong());
    // the busiest bucket's top user against brute force, over that bucket's rows
    const auto busiest = std::max_element(
        timeline->buckets.cbegin(), timeline->buckets.cend(),
        [](const TimelineBucket &a, const TimelineBucket &b) { return a.changes < b.changes; });
    QList<QByteArray> params = c.params;
    params.append(busiest->start.toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s).toUtf8());
    // QDateTime keeps milliseconds; the edges have microseconds: the end, cut, moves up one
    params.append(busiest->end.addMSecs(1).toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s).toUtf8());
    const QByteArray in =
        c.where + " AND modified_at >= $" + QByteArray::number(params.size() - 1) +
        "::timestamp AND modified_at < $" + QByteArray::number(params.size()) + "::timestamp";
    const QString top = value(*m_db,
                              "SELECT who || '=' || count(*) FROM (SELECT coalesce('user ' ||"
                              " user_id, db_role, 'unknown') AS who FROM algorithm_changelog" +
                                  in + ") w GROUP BY who ORDER BY count(*) DESC, who LIMIT 1",
                              params);
    QCOMPARE(busiest->topUser + u'=' + QString::number(busiest->topUserChanges), top);
}

void TstChangelogReads::timelineOfNothing()
{
    ChangelogFilter none;
    none.algorithmId = u"no such agent"_s;
    DbError error;
    auto timeline = m_repo->timeline(none, 10, &error);
    QVERIFY2(timeline, qPrintable(error.toString()));
    QVERIFY(timeline->buckets.isEmpty());
    QVERIFY(!timeline->first.isValid());
    QCOMPARE(timeline->undated, qint64(0));
    // only undated rows: no buckets, the count
    ChangelogFilter legacy;
    legacy.dbRole = u"legacy"_s;
    timeline = m_repo->timeline(legacy, 10, &error);
    QVERIFY2(timeline, qPrintable(error.toString()));
    QVERIFY(timeline->buckets.isEmpty());
    QCOMPARE(timeline->undated, qint64(23));
}

void TstChangelogReads::detail()
{
    ChangelogFilter filter;
    filter.changeSet = u"cs-b"_s;
    DbError error;
    const auto page = m_repo->page(filter, std::nullopt, 10, &error);
    QVERIFY2(page && page->entries.size() == 2, qPrintable(error.toString()));
    const ChangelogEntry entry = page->entries.first(); // cs-b-1, A5 alpha
    QCOMPARE(entry.id, u"cs-b-1"_s);
    auto detail = m_repo->detail(entry, 1000, &error);
    QVERIFY2(detail, qPrintable(error.toString()));
    auto ids = [](const QList<ChangelogEntry> &list) {
        QStringList result;
        for (const ChangelogEntry &e : list)
            result.append(e.id);
        return result;
    };
    // oldest first: the undated entry first
    QCOMPARE(ids(detail->changeSet), QStringList({u"cs-b-2"_s, u"cs-b-1"_s}));
    const QStringList history =
        rows(*m_db, "SELECT id FROM algorithm_changelog WHERE algorithm_id = 'A5' AND"
                    " parameter_name = 'alpha' ORDER BY modified_at ASC NULLS FIRST, id");
    QVERIFY(history.size() >= 3);
    QCOMPARE(ids(detail->parameterHistory), history);
    QVERIFY(!detail->historyTruncated);
    QCOMPARE(detail->parameterHistory.constLast().id, u"cs-b-1"_s);
    // limited: the newest two, oldest first
    detail = m_repo->detail(entry, 2, &error);
    QVERIFY2(detail, qPrintable(error.toString()));
    QCOMPARE(ids(detail->parameterHistory), history.mid(history.size() - 2));
    QVERIFY(detail->historyTruncated);
    // exactly the limit: not truncated
    detail = m_repo->detail(entry, int(history.size()), &error);
    QVERIFY(detail && !detail->historyTruncated);
    // a tied change set, and an entry without one
    ChangelogEntry tied = entry;
    tied.changeSet = u"cs-a"_s;
    tied.parameterName = u"is_active"_s;
    detail = m_repo->detail(tied, 10, &error);
    QVERIFY2(detail, qPrintable(error.toString()));
    QCOMPARE(ids(detail->changeSet), QStringList({u"cs-a-1"_s, u"cs-a-2"_s, u"cs-a-3"_s}));
    ChangelogEntry lone = entry;
    lone.changeSet = QString();
    detail = m_repo->detail(lone, 10, &error);
    QVERIFY2(detail, qPrintable(error.toString()));
    QVERIFY(detail->changeSet.isEmpty());
    QCOMPARE(detail->parameterHistory.size(), qMin(10, int(history.size())));
}

void TstChangelogReads::facets()
{
    DbError error;
    const auto facets = m_repo->facets(&error);
    QVERIFY2(facets, qPrintable(error.toString()));
    QCOMPARE(facets->agents, rows(*m_db, "SELECT algorithm_id FROM algorithm_agents"
                                         " ORDER BY substr(algorithm_id, 2)::int"));
    QStringList users;
    for (int user : facets->users)
        users.append(QString::number(user));
    QCOMPARE(users, rows(*m_db, "SELECT DISTINCT user_id FROM algorithm_changelog"
                                " WHERE user_id IS NOT NULL ORDER BY 1"));
    // a small table: the newest rows are all of them, so the sample is complete
    QCOMPARE(facets->roles, rows(*m_db, "SELECT DISTINCT db_role FROM algorithm_changelog"
                                        " WHERE db_role IS NOT NULL ORDER BY 1"));
    QCOMPARE(facets->sources, rows(*m_db, "SELECT DISTINCT source FROM algorithm_changelog"
                                          " WHERE source IS NOT NULL ORDER BY 1"));
    QVERIFY(facets->roles.contains(u"legacy"_s)); // only on undated rows: from the sample
    QVERIFY(facets->sources.contains(u"script"_s));
}

void TstChangelogReads::parameterNames()
{
    DbError error;
    const QStringList names = m_repo->parameterNames(u"A5"_s, &error);
    QVERIFY2(!names.isEmpty(), qPrintable(error.toString()));
    QCOMPARE(names,
             rows(*m_db, "SELECT n FROM (SELECT parameter_name AS n FROM algorithm_parameters"
                         " WHERE algorithm_id = 'A5' UNION SELECT parameter_name FROM"
                         " algorithm_changelog WHERE algorithm_id = 'A5' UNION SELECT"
                         " 'is_active') x ORDER BY n"));
    QVERIFY(names.contains(u"alpha"_s) && names.contains(u"is_active"_s));
    QCOMPARE(m_repo->parameterNames(u"no such agent"_s, &error), QStringList{u"is_active"_s});
}

QTEST_GUILESS_MAIN(TstChangelogReads)
#include "tst_changelogreads.moc"
