// MetricsRepository against a real database: server-side buckets equal a brute-force
// aggregation, maxPoints holds, markers are the algorithm's changes in range, and the impact of
// a change matches hand-made data with a known answer.
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/metricsql.h"
#include "repositories/metricsrepository.h"
#include "sandbox/sandbox.h"
#include "testdatabase.h"

#include <QTest>

#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;

class TstMetricsRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void metricNames();
    void bucketsEqualBruteForce_data();
    void bucketsEqualBruteForce();
    void markersAreTheChangesInRange();
    void impactBeforeAndAfter();
    void seriesBadData();
    void seriesEdgeRanges();
    void readsRunWithoutJitAndLeaveTheSessionAlone();

private:
    std::unique_ptr<TestDatabase> m_db;
    QSqlDatabase m_sql;
    std::unique_ptr<MetricsRepository> m_repo;
};

static const QString kConnection = u"tst_metricsrepository"_s;

static bool near(double a, double b)
{
    return std::abs(a - b) <= 1e-9 * qMax(1.0, qMax(std::abs(a), std::abs(b)));
}

void TstMetricsRepository::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"metricsrepo"_s);
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    const RunReport report = migrateDatabase(m_db->options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    DbError error;
    {
        PgConnection connection;
        QVERIFY2(connection.open(m_db->options(), &error), qPrintable(error.toString()));
        DemoSeedOptions options;
        options.changelogRows = 600;
        options.metricRows = 30000;
        options.chatRows = 10;
        QVERIFY2(runDemoSeed(connection, options, nullptr, &error), qPrintable(error.toString()));
    }
    m_sql = SqlDatabase::open(m_db->options(), kConnection, &error);
    QVERIFY2(m_sql.isOpen(), qPrintable(error.toString()));
    m_repo = std::make_unique<MetricsRepository>(m_sql);
}

void TstMetricsRepository::cleanupTestCase()
{
    m_repo.reset();
    m_sql = QSqlDatabase();
    SqlDatabase::close(kConnection);
}

void TstMetricsRepository::metricNames()
{
    DbError error;
    const auto names = m_repo->metricNames(u"A1"_s, &error);
    QVERIFY2(names, qPrintable(error.toString()));
    const QStringList expected = rows(*m_db, "SELECT DISTINCT metric_name FROM algorithm_metrics"
                                             " WHERE algorithm_id = 'A1' ORDER BY 1");
    QVERIFY(!expected.isEmpty());
    QCOMPARE(*names, expected);
    const auto none = m_repo->metricNames(u"nope"_s, &error);
    QVERIFY(none && none->isEmpty());
}

void TstMetricsRepository::bucketsEqualBruteForce_data()
{
    QTest::addColumn<int>("maxPoints");
    QTest::addColumn<bool>("partial"); // a sub-range of the data, not all of it
    for (int points : {1, 7, 100, 1000, 100000}) {
        QTest::addRow("%d points", points) << points << false;
        QTest::addRow("%d points, sub-range", points) << points << true;
    }
}

void TstMetricsRepository::bucketsEqualBruteForce()
{
    QFETCH(int, maxPoints);
    QFETCH(bool, partial);
    const QString metric = value(*m_db, "SELECT min(metric_name) FROM algorithm_metrics"
                                        " WHERE algorithm_id = 'A1'");
    const QStringList range =
        rows(*m_db,
             "SELECT min(recorded_at)::text, max(recorded_at)::text FROM algorithm_metrics"
             " WHERE algorithm_id = 'A1' AND metric_name = $1",
             {metric.toUtf8()});
    QCOMPARE(range.size(), 1);
    QDateTime from = SqlTimestamp::fromSql(range.first().section(u'|', 0, 0));
    QDateTime to = SqlTimestamp::fromSql(range.first().section(u'|', 1, 1)).addSecs(1);
    if (partial) {
        const qint64 span = from.msecsTo(to);
        from = from.addMSecs(span / 3);
        to = to.addMSecs(-span / 4);
    }
    QVERIFY(from < to);
    DbError error;
    const auto buckets = m_repo->series(u"A1"_s, metric, from, to, maxPoints, &error);
    QVERIFY2(buckets, qPrintable(error.toString()));
    QVERIFY(!buckets->isEmpty());
    QVERIFY(buckets->size() <= maxPoints);

    const qint64 width =
        qMax<qint64>(1, qint64(std::ceil(double(from.msecsTo(to)) / 1000.0 / maxPoints)));
    // Brute force: each row's bucket number from its distance to `from`.
    const QStringList expected = rows(
        *m_db,
        "SELECT k, min(metric_value)::float8, avg(metric_value)::float8,"
        " max(metric_value)::float8, count(*)"
        " FROM (SELECT floor(extract(epoch FROM recorded_at - $2::timestamp) / $4::bigint)::bigint"
        "       AS k, metric_value FROM algorithm_metrics"
        "       WHERE algorithm_id = 'A1' AND metric_name = $1"
        "       AND recorded_at >= $2::timestamp AND recorded_at < $3::timestamp) s"
        " GROUP BY k ORDER BY k",
        {metric.toUtf8(), SqlTimestamp::toSql(from).toUtf8(), SqlTimestamp::toSql(to).toUtf8(),
         QByteArray::number(width)});
    QVERIFY(expected.isEmpty() || !expected.first().startsWith(u"error"_s));
    QCOMPARE(buckets->size(), expected.size());
    qint64 total = 0;
    for (int i = 0; i < expected.size(); ++i) {
        const QStringList f = expected.at(i).split(u'|');
        const MetricBucket &b = buckets->at(i);
        QCOMPARE(b.start, from.addSecs(f.at(0).toLongLong() * width));
        QVERIFY2(near(b.min, f.at(1).toDouble()), qPrintable(expected.at(i)));
        QVERIFY2(near(b.avg, f.at(2).toDouble()), qPrintable(expected.at(i)));
        QVERIFY2(near(b.max, f.at(3).toDouble()), qPrintable(expected.at(i)));
        QCOMPARE(b.count, f.at(4).toLongLong());
        total += b.count;
    }
    QVERIFY(total > 0);
}

void TstMetricsRepository::markersAreTheChangesInRange()
{
    const PgResult inserted = m_db->exec(
        "INSERT INTO algorithm_changelog (id, algorithm_id, parameter_name, old_value, new_value,"
        " modified_at) VALUES"
        " ('m1', 'A2', 'p', '1', '2', '2030-01-01 00:00:00'),"
        " ('m2', 'A2', 'p', '2', '3', '2030-01-02 00:00:00.5'),"
        " ('m3', 'A2', 'p', '3', '4', '2030-01-03 00:00:00'),"
        " ('m4', 'A3', 'p', '3', '4', '2030-01-02 00:00:00')");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    DbError error;
    const auto markers =
        m_repo->changeMarkers(u"A2"_s, QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC),
                              QDateTime(QDate(2030, 1, 3), QTime(0, 0), Qt::UTC), &error);
    QVERIFY2(markers, qPrintable(error.toString()));
    QStringList ids;
    for (const ChangelogEntry &e : *markers)
        ids.append(e.id);
    QCOMPARE(ids, QStringList({u"m1"_s, u"m2"_s})); // from inclusive, to exclusive, A2 only
    QCOMPARE(markers->at(1).modifiedAt, QDateTime(QDate(2030, 1, 2), QTime(0, 0, 0, 500), Qt::UTC));
    QCOMPARE(markers->at(1).newValue, u"3"_s);
}

void TstMetricsRepository::impactBeforeAndAfter()
{
    // t = 2031-01-01 12:00; window 1 hour. Before: 1, 2, 3, 10 (mean 4, median 2.5); after,
    // t itself included: 5, 7, 9 (mean 7, median 7). Outside the window: 1000 and -1000.
    const PgResult inserted = m_db->exec(
        "INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value, recorded_at)"
        " VALUES ('A2', 'hand', 1000, '2031-01-01 10:59:59.999'),"
        " ('A2', 'hand', 1, '2031-01-01 11:00:00'),"
        " ('A2', 'hand', 2, '2031-01-01 11:30:00'),"
        " ('A2', 'hand', 3, '2031-01-01 11:45:00'),"
        " ('A2', 'hand', 10, '2031-01-01 11:59:59.999999'),"
        " ('A2', 'hand', 5, '2031-01-01 12:00:00'),"
        " ('A2', 'hand', 7, '2031-01-01 12:30:00'),"
        " ('A2', 'hand', 9, '2031-01-01 12:59:59'),"
        " ('A2', 'hand', -1000, '2031-01-01 13:00:00'),"
        " ('A3', 'hand', 500, '2031-01-01 12:10:00')");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    ChangelogEntry change;
    change.algorithmId = u"A2"_s;
    change.modifiedAt = QDateTime(QDate(2031, 1, 1), QTime(12, 0), Qt::UTC);
    DbError error;
    const auto impact = m_repo->impact(change, u"hand"_s, 3600, &error);
    QVERIFY2(impact, qPrintable(error.toString()));
    QCOMPARE(impact->countBefore, qint64(4));
    QVERIFY(near(impact->meanBefore, 4));
    QVERIFY(near(impact->medianBefore, 2.5));
    QCOMPARE(impact->countAfter, qint64(3));
    QVERIFY(near(impact->meanAfter, 7));
    QVERIFY(near(impact->medianAfter, 7));

    // nothing on either side
    change.modifiedAt = QDateTime(QDate(2040, 1, 1), QTime(0, 0), Qt::UTC);
    const auto empty = m_repo->impact(change, u"hand"_s, 60, &error);
    QVERIFY2(empty, qPrintable(error.toString()));
    QCOMPARE(empty->countBefore, qint64(0));
    QCOMPARE(empty->countAfter, qint64(0));
    QCOMPARE(empty->meanBefore, 0.0);
}

void TstMetricsRepository::seriesBadData()
{
    // Hour buckets from 2032-01-01 00:00: [0] 1, 3 and NaN, Infinity, NULL; [1] only NaN and
    // -Infinity; [2] nothing (a gap); [3] 5.
    const PgResult inserted = m_db->exec(
        "INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value, recorded_at)"
        " VALUES ('A4', 'bad', 1, '2032-01-01 00:00:00'),"
        " ('A4', 'bad', 3, '2032-01-01 00:10:00'),"
        " ('A4', 'bad', 'NaN', '2032-01-01 00:20:00'),"
        " ('A4', 'bad', 'Infinity', '2032-01-01 00:30:00'),"
        " ('A4', 'bad', NULL, '2032-01-01 00:40:00'),"
        " ('A4', 'bad', 'NaN', '2032-01-01 01:00:00'),"
        " ('A4', 'bad', '-Infinity', '2032-01-01 01:59:59.999'),"
        " ('A4', 'bad', 5, '2032-01-01 03:30:00')");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    const QDateTime from(QDate(2032, 1, 1), QTime(0, 0), Qt::UTC);
    DbError error;
    const auto buckets = m_repo->series(u"A4"_s, u"bad"_s, from, from.addSecs(4 * 3600), 4, &error);
    QVERIFY2(buckets, qPrintable(error.toString()));
    QCOMPARE(buckets->size(), 3);
    const MetricBucket &first = buckets->at(0);
    QCOMPARE(first.start, from);
    QCOMPARE(first.end, from.addSecs(3600));
    QCOMPARE(first.count, qint64(2));
    QCOMPARE(first.excluded, qint64(3));
    QCOMPARE(first.min, 1.0);
    QCOMPARE(first.avg, 2.0);
    QCOMPARE(first.max, 3.0);
    const MetricBucket &allBad = buckets->at(1);
    QCOMPARE(allBad.start, from.addSecs(3600));
    QCOMPARE(allBad.end, from.addSecs(7200));
    QCOMPARE(allBad.count, qint64(0));
    QCOMPARE(allBad.excluded, qint64(2));
    QVERIFY(std::isnan(allBad.min) && std::isnan(allBad.avg) && std::isnan(allBad.max));
    const MetricBucket &last = buckets->at(2); // the gap bucket is left out
    QCOMPARE(last.start, from.addSecs(3 * 3600));
    QCOMPARE(last.count, qint64(1));
    QCOMPARE(last.excluded, qint64(0));
    QCOMPARE(last.avg, 5.0);
}

void TstMetricsRepository::seriesEdgeRanges()
{
    DbError error;
    // a single point
    const PgResult inserted = m_db->exec(
        "INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value, recorded_at)"
        " VALUES ('A4', 'single', 42.5, '2032-06-01 12:00:00'),"
        " ('A4', 'future', 7, (now() + interval '1 day')::timestamp)");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    const QDateTime day(QDate(2032, 6, 1), QTime(0, 0), Qt::UTC);
    const auto single = m_repo->series(u"A4"_s, u"single"_s, day, day.addDays(1), 200, &error);
    QVERIFY2(single, qPrintable(error.toString()));
    QCOMPARE(single->size(), 1);
    QCOMPARE(single->first().count, qint64(1));
    QCOMPARE(single->first().min, 42.5);
    QCOMPARE(single->first().max, 42.5);
    QVERIFY(single->first().start <= QDateTime(QDate(2032, 6, 1), QTime(12, 0), Qt::UTC));
    QVERIFY(single->first().end > QDateTime(QDate(2032, 6, 1), QTime(12, 0), Qt::UTC));
    // an empty range: no rows, no error
    const auto empty =
        m_repo->series(u"A4"_s, u"single"_s, day.addDays(1), day.addDays(2), 200, &error);
    QVERIFY2(empty, qPrintable(error.toString()));
    QVERIFY(empty->isEmpty());
    QVERIFY(!error.isError());
    const auto reversed = m_repo->series(u"A4"_s, u"single"_s, day, day, 200, &error);
    QVERIFY(reversed && reversed->isEmpty());
    // a row in the future of this machine's clock
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto future = m_repo->series(u"A4"_s, u"future"_s, now, now.addDays(3), 200, &error);
    QVERIFY2(future, qPrintable(error.toString()));
    QCOMPARE(future->size(), 1);
    QCOMPARE(future->first().avg, 7.0);
}

void TstMetricsRepository::readsRunWithoutJitAndLeaveTheSessionAlone()
{
    // The batch's statements share one implicit transaction after ReadSettings, so JIT is off
    // (and work_mem 32 MB) for every one of them; the settings are local to it, so the session
    // (and a pooler's server connection) keeps its own afterwards.
    const QByteArray show = "SELECT current_setting('jit') || ' ' || current_setting('work_mem')";
    RepositorySupport::BatchResults batch =
        MetricSql::run(m_sql, {{show}, {show}}, u"read the setting"_s);
    QVERIFY2(batch.ok, qPrintable(batch.error.toString()));
    QCOMPARE(batch.results.size(), 2);
    QCOMPARE(batch.results.at(0).value(0, 0), u"off 32MB"_s);
    QCOMPARE(batch.results.at(1).value(0, 0), u"off 32MB"_s);
    batch = RepositorySupport::run(m_sql, {{show}}, u"read the setting"_s);
    QVERIFY2(batch.ok, qPrintable(batch.error.toString()));
    QCOMPARE(batch.results.at(0).value(0, 0), u"on 4MB"_s);
    // And a read still answers with the statement's own result.
    DbError error;
    const auto names = m_repo->metricNames(u"A1"_s, &error);
    QVERIFY2(names && !names->isEmpty(), qPrintable(error.toString()));
}

QTEST_GUILESS_MAIN(TstMetricsRepository)
#include "tst_metricsrepository.moc"
