// `algoadmin metrics` and `algoadmin impact` through the real executable, on hand-made data
// with known answers: the buckets as a table, JSON and CSV with bad rows counted; the impact of
// a +20 % level shift by entry and by change set with the other change in the window; bad
// input refused with exit 2 before anything is read.
#include "repositoryfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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

class TstMetricsCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void metricsTable();
    void metricsJson();
    void metricsCsv();
    void metricsDefaultRangeIsTheLastDay();
    void impactTable();
    void impactJson();
    void impactByChangeSet();
    void impactEveryMetric();
    void badInputExitsTwo_data();
    void badInputExitsTwo();

private:
    ProcessResult run(const QString &command, const QStringList &arguments);

    std::unique_ptr<TestDatabase> m_db;
};

void TstMetricsCli::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"metricscli"_s);
    const QString problem = prepareSeededDatabase(*m_db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // A5's cli_metric on 2034-01-01: one value every 15 minutes, 100 ± 5 until the change at
    // 12:00, 120 ± 5 from it; a NaN at 00:05 and a NULL at 12:05; the change (change set
    // cli-set) and another change of A5 at 11:00.
    const PgResult metrics = m_db->exec(
        "INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value, recorded_at)"
        " SELECT 'A5', 'cli_metric',"
        "  CASE WHEN ts < '2034-01-01 12:00' THEN 100 ELSE 120 END + 5 * sin(k * 1.7), ts"
        " FROM generate_series(0, 95) AS k,"
        " LATERAL (SELECT '2034-01-01 00:00'::timestamp + k * interval '15 min' AS ts) AS s"
        " UNION ALL SELECT 'A5', 'cli_metric', 'NaN', '2034-01-01 00:05'"
        " UNION ALL SELECT 'A5', 'cli_metric', NULL, '2034-01-01 12:05'");
    QVERIFY2(metrics.ok(), qPrintable(metrics.error().toString()));
    const PgResult changes = m_db->exec(
        "INSERT INTO algorithm_changelog (id, algorithm_id, parameter_name, old_value, new_value,"
        " modified_at, change_set) VALUES"
        " ('cli-change', 'A5', 'p', '1', '2', '2034-01-01 12:00', 'cli-set'),"
        " ('cli-other', 'A5', 'q', 'a', 'b', '2034-01-01 11:00', NULL)");
    QVERIFY2(changes.ok(), qPrintable(changes.error().toString()));
}

ProcessResult TstMetricsCli::run(const QString &command, const QStringList &arguments)
{
    return runAlgoadmin(QStringList{command, u"-d"_s, m_db->conninfo()} + arguments);
}

void TstMetricsCli::metricsTable()
{
    const ProcessResult result =
        run(u"metrics"_s, {u"A5"_s, u"cli_metric"_s, u"--from"_s, u"2034-01-01"_s, u"--to"_s,
                           u"2034-01-02"_s, u"--points"_s, u"24"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QStringList lines = result.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 24); // the header and an hour a bucket
    QVERIFY(lines.at(0).startsWith(u"TIME"_s));
    QVERIFY(lines.at(0).contains(u"EXCLUDED"_s));
    QVERIFY2(lines.at(1).startsWith(u"2034-01-01 00:00:00.000"_s), qPrintable(lines.at(1)));
    // 4 values and the NaN in the first hour; 4 and the NULL at 12:00
    QVERIFY2(lines.at(1).simplified().endsWith(u" 4 1"_s), qPrintable(lines.at(1)));
    QVERIFY2(lines.at(2).simplified().endsWith(u" 4 0"_s), qPrintable(lines.at(2)));
    QVERIFY2(lines.at(13).startsWith(u"2034-01-01 12:00"_s), qPrintable(lines.at(13)));
    QVERIFY2(lines.at(13).simplified().endsWith(u" 4 1"_s), qPrintable(lines.at(13)));
}

void TstMetricsCli::metricsJson()
{
    const ProcessResult result =
        run(u"metrics"_s, {u"A5"_s, u"cli_metric"_s, u"--from"_s, u"2034-01-01"_s, u"--to"_s,
                           u"2034-01-02"_s, u"--points"_s, u"2"_s, u"--json"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QJsonObject json = QJsonDocument::fromJson(result.out.toUtf8()).object();
    QCOMPARE(json[u"agent"_s].toString(), u"A5"_s);
    const QJsonArray buckets = json[u"buckets"_s].toArray();
    QCOMPARE(buckets.size(), 2);
    const QString averages = value(*m_db, "SELECT string_agg(a::text, ',' ORDER BY h) FROM"
                                          " (SELECT recorded_at >= '2034-01-01 12:00' AS h,"
                                          " avg(metric_value)::float8 AS a FROM algorithm_metrics"
                                          " WHERE metric_name = 'cli_metric'"
                                          " AND metric_value <> 'NaN' GROUP BY 1) s");
    const QStringList expected = averages.split(u',');
    QCOMPARE(expected.size(), 2);
    for (int i = 0; i < 2; ++i) {
        const QJsonObject b = buckets.at(i).toObject();
        QCOMPARE(b[u"count"_s].toInt(), 48);
        QCOMPARE(b[u"excluded"_s].toInt(), 1);
        QVERIFY(qAbs(b[u"avg"_s].toDouble() - expected.at(i).toDouble()) < 1e-9);
    }
    QCOMPARE(buckets.at(0)[u"start"_s].toString(), u"2034-01-01 00:00:00.000"_s);
    QCOMPARE(buckets.at(0)[u"end"_s].toString(), u"2034-01-01 12:00:00.000"_s);
}

void TstMetricsCli::metricsCsv()
{
    // a bucket of a NaN only: empty numbers
    const ProcessResult result =
        run(u"metrics"_s, {u"A5"_s, u"cli_metric"_s, u"--from"_s, u"2034-01-01 00:05"_s, u"--to"_s,
                           u"2034-01-01 00:10"_s, u"--csv"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QStringList lines = result.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(0), u"start,end,min,avg,max,count,excluded"_s);
    QVERIFY2(lines.at(1).endsWith(u",,,,0,1"_s), qPrintable(lines.at(1)));
}

void TstMetricsCli::metricsDefaultRangeIsTheLastDay()
{
    // the demo data ends now: the last 24 h have rows, at most 200 buckets
    const QString metric = value(*m_db, "SELECT min(metric_name) FROM algorithm_metrics"
                                        " WHERE algorithm_id = 'A1'");
    const ProcessResult result = run(u"metrics"_s, {u"A1"_s, metric, u"--json"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QJsonObject json = QJsonDocument::fromJson(result.out.toUtf8()).object();
    const QDateTime from =
        QDateTime::fromString(json[u"from"_s].toString(), u"yyyy-MM-dd HH:mm:ss.zzz"_s);
    const QDateTime to =
        QDateTime::fromString(json[u"to"_s].toString(), u"yyyy-MM-dd HH:mm:ss.zzz"_s);
    QVERIFY2(from.isValid() && to.isValid(), qPrintable(result.out.left(300)));
    QCOMPARE(from.secsTo(to), qint64(86400));
    QVERIFY(json[u"buckets"_s].toArray().size() <= 200);
    QCOMPARE(json[u"points"_s].toInt(), 200);
}

void TstMetricsCli::impactTable()
{
    const ProcessResult result = run(
        u"impact"_s, {u"cli-change"_s, u"--metric"_s, u"cli_metric"_s, u"--window"_s, u"12h"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QStringList lines = result.out.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.size() >= 4, describe(result).constData());
    QVERIFY2(lines.at(0).contains(u"cli-change"_s), qPrintable(lines.at(0)));
    QVERIFY(lines.at(1).startsWith(u"METRIC"_s));
    const QString row = lines.at(2);
    QVERIFY2(row.startsWith(u"cli_metric"_s) && row.contains(u"moved"_s), qPrintable(row));
    QVERIFY2(row.contains(u" 48 "_s), qPrintable(row));
    QVERIFY2(row.contains(u"+20."_s) || row.contains(u"+19."_s), qPrintable(row));
    QVERIFY2(result.out.contains(u"note: cli_metric: 1 before and 1 after"_s),
             describe(result).constData());
    QVERIFY2(result.out.contains(u"warning: another change inside the window: A5 q a \u2192 b"_s),
             describe(result).constData());
}

void TstMetricsCli::impactJson()
{
    const ProcessResult result = run(u"impact"_s, {u"cli-change"_s, u"--metric"_s, u"cli_metric"_s,
                                                   u"--window"_s, u"12h"_s, u"--json"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QJsonObject json = QJsonDocument::fromJson(result.out.toUtf8()).object();
    QCOMPARE(json[u"window_seconds"_s].toInt(), 12 * 3600);
    const QJsonArray impacts = json[u"impacts"_s].toArray();
    QCOMPARE(impacts.size(), 1);
    const QJsonObject m = impacts.at(0).toObject();
    QCOMPARE(m[u"verdict"_s].toString(), u"moved"_s);
    QVERIFY(m[u"p_value"_s].toDouble() < 0.01);
    QVERIFY(qAbs(m[u"relative_change"_s].toDouble() - 0.2) < 0.02);
    QCOMPARE(m[u"before"_s][u"count"_s].toInt(), 48);
    QCOMPARE(m[u"after"_s][u"excluded"_s].toInt(), 1);
    QCOMPARE(json[u"others_in_window"_s].toArray().size(), 1);
    QCOMPARE(json[u"others_in_window"_s][0][u"id"_s].toString(), u"cli-other"_s);
    QCOMPARE(json[u"changes"_s][0][u"id"_s].toString(), u"cli-change"_s);
}

void TstMetricsCli::impactByChangeSet()
{
    const ProcessResult result =
        run(u"impact"_s, {u"--change-set"_s, u"cli-set"_s, u"--metric"_s, u"cli_metric"_s,
                          u"--window"_s, u"12h"_s, u"--json"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QJsonObject json = QJsonDocument::fromJson(result.out.toUtf8()).object();
    const QJsonArray impacts = json[u"impacts"_s].toArray();
    QCOMPARE(impacts.size(), 1);
    QCOMPARE(impacts.at(0)[u"verdict"_s].toString(), u"moved"_s);
    QCOMPARE(json[u"others_in_window"_s][0][u"id"_s].toString(), u"cli-other"_s);
}

void TstMetricsCli::impactEveryMetric()
{
    const ProcessResult result = run(u"impact"_s, {u"cli-change"_s, u"--json"_s});
    QVERIFY2(result.exitCode == 0, describe(result).constData());
    const QJsonArray impacts =
        QJsonDocument::fromJson(result.out.toUtf8()).object()[u"impacts"_s].toArray();
    QStringList names;
    for (const QJsonValue &m : impacts)
        names.append(m[u"metric"_s].toString());
    QCOMPARE(names, rows(*m_db, "SELECT DISTINCT metric_name FROM algorithm_metrics"
                                " WHERE algorithm_id = 'A5' ORDER BY 1"));
}

void TstMetricsCli::badInputExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("metrics: unknown agent")
        << QStringList{u"metrics"_s, u"A99"_s, u"m"_s} << u"no agent A99; the agents are"_s;
    QTest::newRow("metrics: unknown metric")
        << QStringList{u"metrics"_s, u"A5"_s, u"nope"_s} << u"agent A5 has no metric nope"_s;
    QTest::newRow("metrics: no metric")
        << QStringList{u"metrics"_s, u"A5"_s} << u"takes an agent and a metric"_s;
    QTest::newRow("metrics: from malformed")
        << QStringList{u"metrics"_s, u"A5"_s, u"cli_metric"_s, u"--from"_s, u"yesterday"_s}
        << u"--from: \"yesterday\" is not a time"_s;
    QTest::newRow("metrics: to malformed")
        << QStringList{u"metrics"_s, u"A5"_s, u"cli_metric"_s, u"--to"_s, u"2034-13-01"_s}
        << u"--to: \"2034-13-01\" is not a time"_s;
    QTest::newRow("metrics: from after to")
        << QStringList{u"metrics"_s,    u"A5"_s,   u"cli_metric"_s, u"--from"_s,
                       u"2034-01-02"_s, u"--to"_s, u"2034-01-01"_s}
        << u"must be before --to"_s;
    QTest::newRow("metrics: points 0")
        << QStringList{u"metrics"_s, u"A5"_s, u"cli_metric"_s, u"--points"_s, u"0"_s}
        << u"--points"_s;
    QTest::newRow("metrics: json and csv")
        << QStringList{u"metrics"_s, u"A5"_s, u"cli_metric"_s, u"--json"_s, u"--csv"_s}
        << u"exclude each other"_s;
    QTest::newRow("impact: unknown entry")
        << QStringList{u"impact"_s, u"no-such-entry"_s} << u"no changelog entry no-such-entry"_s;
    QTest::newRow("impact: unknown change set")
        << QStringList{u"impact"_s, u"--change-set"_s, u"no-such-set"_s}
        << u"no change set no-such-set"_s;
    QTest::newRow("impact: unknown metric")
        << QStringList{u"impact"_s, u"cli-change"_s, u"--metric"_s, u"nope"_s}
        << u"agent A5 has no metric nope"_s;
    QTest::newRow("impact: window without unit")
        << QStringList{u"impact"_s, u"cli-change"_s, u"--window"_s, u"24"_s}
        << u"--window: \"24\" is not a duration"_s;
    QTest::newRow("impact: window 0h")
        << QStringList{u"impact"_s, u"cli-change"_s, u"--window"_s, u"0h"_s}
        << u"is not a duration"_s;
    QTest::newRow("impact: nothing named") << QStringList{u"impact"_s} << u"which change?"_s;
    QTest::newRow("impact: entry and change set")
        << QStringList{u"impact"_s, u"cli-change"_s, u"--change-set"_s, u"cli-set"_s}
        << u"unexpected argument"_s;
}

void TstMetricsCli::badInputExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const QString command = arguments.takeFirst();
    const ProcessResult result = run(command, arguments);
    QVERIFY2(result.exitCode == 2, describe(result).constData());
    QVERIFY2(result.err.contains(message), describe(result).constData());
    QCOMPARE(result.out, QString());
}

QTEST_GUILESS_MAIN(TstMetricsCli)
#include "tst_metricscli.moc"
