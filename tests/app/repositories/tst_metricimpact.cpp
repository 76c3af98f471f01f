// MetricsRepository's impacts on hand-made data with known answers: a +20 % level shift is
// found and called significant, pure noise is not, too few points give no verdict, NaN,
// ±Infinity and NULL rows are counted and left out, other changes inside the window are
// listed, and the server's Mann-Whitney p-value equals one computed here by hand.
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/metricsrepository.h"
#include "testdatabase.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;

static const QString kConnection = u"tst_metricimpact"_s;
// Every hand-made metric changes at this moment unless said otherwise; windows are 24 h.
static const QDateTime kT(QDate(2033, 1, 1), QTime(12, 0), Qt::UTC);
static constexpr qint64 kDay = 86400;

class TstMetricImpact : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void levelShiftIsMoved();
    void pureNoiseIsWithinNoise();
    void fewPointsHaveNoVerdict();
    void textbookPValue();
    void tiesMatchReference();
    void badRowsAreExcluded();
    void othersInWindow();
    void everyMetricOfTheAgent();
    void unknownChangeSet();
    void pastChangesOfAParameter();
    void outlookOfPendingChanges();

private:
    // Inserts `values` of agent Z1's `metric` one every 15 minutes, the last one 15 minutes
    // before `t` (before) or the first at `t` (after).
    void insertSide(const QString &metric, const QList<double> &values, bool after,
                    const QDateTime &t = kT);
    ChangelogEntry changeAt(const QDateTime &t) const;

    std::unique_ptr<TestDatabase> m_db;
    QSqlDatabase m_sql;
    std::unique_ptr<MetricsRepository> m_repo;
};

static bool near(double a, double b, double relative = 1e-9)
{
    return std::abs(a - b) <= relative * qMax(1.0, qMax(std::abs(a), std::abs(b)));
}

// A deterministic "noise": amplitude × sin(k × step + phase).
static QList<double> wave(int n, double level, double amplitude, double step, double phase)
{
    QList<double> values;
    for (int k = 0; k < n; ++k)
        values.append(level + amplitude * std::sin(k * step + phase));
    return values;
}

static double mean(const QList<double> &v)
{
    double sum = 0;
    for (double x : v)
        sum += x;
    return sum / double(v.size());
}

// The two-sided Mann-Whitney U p-value by hand: average ranks over both samples, U1, the
// tie-corrected variance, the continuity correction of scipy.stats.mannwhitneyu
// (method="asymptotic", use_continuity=True), and the normal tail.
static double referencePValue(const QList<double> &a, const QList<double> &b)
{
    QList<double> all = a + b;
    std::sort(all.begin(), all.end());
    const double n1 = a.size(), n2 = b.size(), n = n1 + n2;
    auto averageRank = [&](double x) {
        const auto lo = std::lower_bound(all.begin(), all.end(), x) - all.begin();
        const auto hi = std::upper_bound(all.begin(), all.end(), x) - all.begin();
        return (double(lo + 1) + double(hi)) / 2.0;
    };
    double r1 = 0;
    for (double x : a)
        r1 += averageRank(x);
    double tie = 0;
    for (qsizetype i = 0; i < all.size();) {
        qsizetype j = i;
        while (j < all.size() && all.at(j) == all.at(i))
            ++j;
        const double t = double(j - i);
        tie += t * t * t - t;
        i = j;
    }
    const double u1 = r1 - n1 * (n1 + 1) / 2;
    const double sigma = std::sqrt(n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1))));
    const double z = std::max(std::abs(u1 - n1 * n2 / 2) - 0.5, 0.0) / sigma;
    return std::erfc(z / std::sqrt(2.0));
}

void TstMetricImpact::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"metricimpact"_s);
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    const RunReport report = migrateDatabase(m_db->options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    const PgResult agents = m_db->exec("INSERT INTO algorithm_agents (algorithm_id, name)"
                                       " VALUES ('Z1', 'hand-made'), ('Z2', 'other')");
    QVERIFY2(agents.ok(), qPrintable(agents.error().toString()));
    DbError error;
    m_sql = SqlDatabase::open(m_db->options(), kConnection, &error);
    QVERIFY2(m_sql.isOpen(), qPrintable(error.toString()));
    m_repo = std::make_unique<MetricsRepository>(m_sql);
}

void TstMetricImpact::cleanupTestCase()
{
    m_repo.reset();
    m_sql = QSqlDatabase();
    SqlDatabase::close(kConnection);
}

void TstMetricImpact::insertSide(const QString &metric, const QList<double> &values, bool after,
                                 const QDateTime &t)
{
    QByteArray sql = "INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value,"
                     " recorded_at) VALUES ";
    for (int k = 0; k < values.size(); ++k) {
        const qint64 offset = after ? qint64(k) * 900 : -qint64(values.size() - k) * 900;
        sql += (k ? ", " : "") + "('Z1', '"_ba + metric.toUtf8() + "', " +
               QByteArray::number(values.at(k), 'g', 17) + ", '" +
               SqlTimestamp::toSql(t.addSecs(offset)).toUtf8() + "')";
    }
    const PgResult inserted = m_db->exec(sql);
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
}

ChangelogEntry TstMetricImpact::changeAt(const QDateTime &t) const
{
    ChangelogEntry change;
    change.algorithmId = u"Z1"_s;
    change.modifiedAt = t;
    return change;
}

void TstMetricImpact::levelShiftIsMoved()
{
    // 96 points a side (24 h every 15 min), level 100 then 120, ±5 of noise.
    const QList<double> before = wave(96, 100, 5, 1.7, 0);
    const QList<double> after = wave(96, 120, 5, 1.7, 0.4);
    insertSide(u"shift"_s, before, false);
    insertSide(u"shift"_s, after, true);
    DbError error;
    const auto impact = m_repo->impact(changeAt(kT), u"shift"_s, kDay, &error);
    QVERIFY2(impact, qPrintable(error.toString()));
    QCOMPARE(impact->metric, u"shift"_s);
    QCOMPARE(impact->algorithmId, u"Z1"_s);
    QCOMPARE(impact->countBefore, qint64(96));
    QCOMPARE(impact->countAfter, qint64(96));
    QVERIFY(near(impact->meanBefore, mean(before)));
    QVERIFY(near(impact->meanAfter, mean(after)));
    QVERIFY2(std::abs(impact->relativeChange - 0.20) < 0.02,
             qPrintable(QString::number(impact->relativeChange)));
    QVERIFY2(impact->pValue < 0.01, qPrintable(QString::number(impact->pValue)));
    QVERIFY(near(impact->pValue, referencePValue(before, after), 1e-6));
    QCOMPARE(impact->verdict(), MetricImpact::Verdict::Moved);
    QCOMPARE(impact->excludedBefore, qint64(0));
}

void TstMetricImpact::pureNoiseIsWithinNoise()
{
    const QList<double> before = wave(96, 100, 5, 1.7, 0);
    const QList<double> after = wave(96, 100, 5, 1.7, 0.4);
    insertSide(u"noise"_s, before, false);
    insertSide(u"noise"_s, after, true);
    DbError error;
    const auto impact = m_repo->impact(changeAt(kT), u"noise"_s, kDay, &error);
    QVERIFY2(impact, qPrintable(error.toString()));
    QVERIFY2(std::abs(impact->relativeChange) < 0.01,
             qPrintable(QString::number(impact->relativeChange)));
    QVERIFY2(impact->pValue > 0.05, qPrintable(QString::number(impact->pValue)));
    QVERIFY(near(impact->pValue, referencePValue(before, after), 1e-6));
    QCOMPARE(impact->verdict(), MetricImpact::Verdict::WithinNoise);
    QCOMPARE(impact->verdict(1.0), MetricImpact::Verdict::Moved); // alpha is honoured
}

void TstMetricImpact::fewPointsHaveNoVerdict()
{
    insertSide(u"few"_s, wave(7, 100, 1, 1, 0), false); // one short of 8
    insertSide(u"few"_s, wave(20, 200, 1, 1, 0), true);
    DbError error;
    const auto impact = m_repo->impact(changeAt(kT), u"few"_s, kDay, &error);
    QVERIFY2(impact, qPrintable(error.toString()));
    QCOMPARE(impact->countBefore, qint64(7));
    QVERIFY(std::isnan(impact->pValue));
    QCOMPARE(impact->verdict(), MetricImpact::Verdict::NoData);
    QVERIFY(impact->relativeChange > 0.9); // the means are still there

    // 8 a side is enough
    insertSide(u"eight"_s, wave(8, 100, 1, 1, 0), false);
    insertSide(u"eight"_s, wave(8, 200, 1, 1, 0), true);
    const auto eight = m_repo->impact(changeAt(kT), u"eight"_s, kDay, &error);
    QVERIFY2(eight, qPrintable(error.toString()));
    QVERIFY(!std::isnan(eight->pValue));

    // nothing after: relative change NaN, no verdict; meanAfter stays 0 as before
    const auto later = m_repo->impact(changeAt(kT.addDays(10)), u"few"_s, kDay, &error);
    QVERIFY2(later, qPrintable(error.toString()));
    QCOMPARE(later->countAfter, qint64(0));
    QCOMPARE(later->meanAfter, 0.0);
    QVERIFY(std::isnan(later->relativeChange));
    QCOMPARE(later->verdict(), MetricImpact::Verdict::NoData);
}

void TstMetricImpact::textbookPValue()
{
    // Before 1..8, after 9..16: no ties, every after value above every before value.
    // R1 = 1 + … + 8 = 36, U1 = 36 - 8·9/2 = 0, mean of U n1·n2/2 = 32,
    // σ = sqrt(8·8/12 · 17) = 9.5219045713904, z = -(32 - 0.5)/σ = -3.3081616985162,
    // p = erfc(3.3081616985162/√2) = 0.0009391056991171905 (Python's math.erfc).
    QList<double> before, after;
    for (int k = 1; k <= 8; ++k) {
        before.append(k);
        after.append(k + 8);
    }
    insertSide(u"textbook"_s, before, false);
    insertSide(u"textbook"_s, after, true);
    DbError error;
    const auto impact = m_repo->impact(changeAt(kT), u"textbook"_s, kDay, &error);
    QVERIFY2(impact, qPrintable(error.toString()));
    QVERIFY2(near(impact->pValue, 0.0009391056991171905, 1e-12),
             qPrintable(QString::number(impact->pValue, 'g', 17)));
    QVERIFY(near(impact->medianBefore, 4.5));
    QVERIFY(near(impact->medianAfter, 12.5));
}

void TstMetricImpact::tiesMatchReference()
{
    // Few distinct values, so most ranks are ties, and ties across the two sides.
    const QList<double> before = {1, 2, 2, 3, 3, 3, 4, 4, 5, 2, 3, 1};
    const QList<double> after = {2, 3, 3, 4, 4, 4, 5, 5, 6, 3, 4};
    insertSide(u"ties"_s, before, false);
    insertSide(u"ties"_s, after, true);
    DbError error;
    const auto impact = m_repo->impact(changeAt(kT), u"ties"_s, kDay, &error);
    QVERIFY2(impact, qPrintable(error.toString()));
    const double expected = referencePValue(before, after);
    QVERIFY2(near(impact->pValue, expected, 1e-9),
             qPrintable(u"%1 != %2"_s.arg(impact->pValue, 0, 'g', 17).arg(expected, 0, 'g', 17)));

    // every value equal: nothing moved, p = 1
    insertSide(u"flat"_s, QList<double>(10, 7.0), false);
    insertSide(u"flat"_s, QList<double>(10, 7.0), true);
    const auto flat = m_repo->impact(changeAt(kT), u"flat"_s, kDay, &error);
    QVERIFY2(flat, qPrintable(error.toString()));
    QCOMPARE(flat->pValue, 1.0);
    QCOMPARE(flat->relativeChange, 0.0);
    QCOMPARE(flat->verdict(), MetricImpact::Verdict::WithinNoise);
}

void TstMetricImpact::badRowsAreExcluded()
{
    const QList<double> before = wave(12, 10, 1, 0.9, 0);
    const QList<double> after = wave(12, 12, 1, 0.9, 0.2);
    insertSide(u"dirty"_s, before, false);
    insertSide(u"dirty"_s, after, true);
    // 3 bad rows before, 2 after, all inside the windows
    const PgResult bad = m_db->exec(
        "INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value, recorded_at)"
        " VALUES ('Z1', 'dirty', 'NaN', '2033-01-01 11:01'),"
        " ('Z1', 'dirty', 'Infinity', '2033-01-01 11:02'),"
        " ('Z1', 'dirty', NULL, '2033-01-01 11:03'),"
        " ('Z1', 'dirty', '-Infinity', '2033-01-01 12:01'),"
        " ('Z1', 'dirty', 'NaN', '2033-01-01 12:02')");
    QVERIFY2(bad.ok(), qPrintable(bad.error().toString()));
    DbError error;
    const auto impact = m_repo->impact(changeAt(kT), u"dirty"_s, kDay, &error);
    QVERIFY2(impact, qPrintable(error.toString()));
    QCOMPARE(impact->countBefore, qint64(12));
    QCOMPARE(impact->countAfter, qint64(12));
    QCOMPARE(impact->excludedBefore, qint64(3));
    QCOMPARE(impact->excludedAfter, qint64(2));
    QVERIFY(near(impact->meanBefore, mean(before)));
    QVERIFY(near(impact->meanAfter, mean(after)));
    QVERIFY(std::isfinite(impact->relativeChange));
    QVERIFY(near(impact->pValue, referencePValue(before, after), 1e-6));
}

void TstMetricImpact::othersInWindow()
{
    // The change c0 is in change set cs0 with c0b; c1 (1 h before) and c2 (23 h after) are
    // other changes in the window, c3 is outside it, c4 is another agent's.
    const PgResult inserted = m_db->exec(
        "INSERT INTO algorithm_changelog (id, algorithm_id, parameter_name, old_value, new_value,"
        " modified_at, change_set) VALUES"
        " ('c0', 'Z1', 'p', '1', '2', '2033-01-01 12:00', 'cs0'),"
        " ('c0b', 'Z1', 'q', '1', '2', '2033-01-01 12:00', 'cs0'),"
        " ('c1', 'Z1', 'r', '1', '2', '2033-01-01 11:00', NULL),"
        " ('c2', 'Z1', 's', '1', '2', '2033-01-02 11:00', 'cs2'),"
        " ('c3', 'Z1', 'r', '2', '3', '2033-01-02 12:00', NULL),"
        " ('c4', 'Z2', 'p', '1', '2', '2033-01-01 12:30', NULL)");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    auto ids = [](const QList<ChangelogEntry> &entries) {
        QStringList list;
        for (const ChangelogEntry &e : entries)
            list.append(e.id);
        return list;
    };
    DbError error;
    const auto entry = m_repo->changelogEntry(u"c0"_s, &error);
    QVERIFY2(entry, qPrintable(error.toString()));
    QCOMPARE(entry->changeSet, u"cs0"_s);
    const auto impacts = m_repo->impacts(*entry, {u"shift"_s}, kDay, &error);
    QVERIFY2(impacts && impacts->size() == 1, qPrintable(error.toString()));
    QCOMPARE(ids(impacts->first().othersInWindow), QStringList({u"c1"_s, u"c2"_s}));
    QCOMPARE(impacts->first().verdict(), MetricImpact::Verdict::Moved);

    const auto bySet = m_repo->changeSetImpacts(u"cs0"_s, {u"shift"_s}, kDay, &error);
    QVERIFY2(bySet && bySet->size() == 1, qPrintable(error.toString()));
    QCOMPARE(ids(bySet->first().othersInWindow), QStringList({u"c1"_s, u"c2"_s}));
    QVERIFY(near(bySet->first().pValue, impacts->first().pValue));

    // c1 alone (no change set): c0 and c0b are the others; c2 is at c1's window's end,
    // which is exclusive
    const auto c1 = m_repo->changelogEntry(u"c1"_s, &error);
    QVERIFY2(c1, qPrintable(error.toString()));
    const auto ofC1 = m_repo->impacts(*c1, {u"shift"_s}, kDay, &error);
    QVERIFY2(ofC1, qPrintable(error.toString()));
    QCOMPARE(ids(ofC1->first().othersInWindow), QStringList({u"c0"_s, u"c0b"_s}));

    const auto missing = m_repo->changelogEntry(u"nope"_s, &error);
    QVERIFY(!missing);
    QCOMPARE(error.sqlState, u"P0002"_s);
}

void TstMetricImpact::everyMetricOfTheAgent()
{
    DbError error;
    const auto all = m_repo->impacts(changeAt(kT), {}, kDay, &error);
    QVERIFY2(all, qPrintable(error.toString()));
    QStringList names;
    for (const MetricImpact &m : *all)
        names.append(m.metric);
    const QStringList expected = rows(*m_db, "SELECT DISTINCT metric_name FROM algorithm_metrics"
                                             " WHERE algorithm_id = 'Z1' ORDER BY 1");
    QVERIFY(expected.size() >= 5);
    QCOMPARE(names, expected);
    // each equals the one-metric answer
    for (const MetricImpact &m : *all) {
        const auto one = m_repo->impact(changeAt(kT), m.metric, kDay, &error);
        QVERIFY2(one, qPrintable(error.toString()));
        QCOMPARE(m.countBefore, one->countBefore);
        QCOMPARE(m.countAfter, one->countAfter);
        QVERIFY(near(m.meanAfter, one->meanAfter));
        QVERIFY(std::isnan(m.pValue) ? std::isnan(one->pValue) : near(m.pValue, one->pValue));
    }
    // a named metric without rows comes, empty, and in name order
    const auto named = m_repo->impacts(changeAt(kT), {u"zzz"_s, u"shift"_s}, kDay, &error);
    QVERIFY2(named && named->size() == 2, qPrintable(error.toString()));
    QCOMPARE(named->at(0).metric, u"shift"_s);
    QCOMPARE(named->at(1).metric, u"zzz"_s);
    QCOMPARE(named->at(1).countBefore + named->at(1).countAfter, qint64(0));
    QCOMPARE(named->at(1).verdict(), MetricImpact::Verdict::NoData);
    // an agent without metrics: an empty list, no error
    ChangelogEntry other = changeAt(kT);
    other.algorithmId = u"Z2"_s;
    const auto none = m_repo->impacts(other, {}, kDay, &error);
    QVERIFY2(none && none->isEmpty(), qPrintable(error.toString()));
}

void TstMetricImpact::unknownChangeSet()
{
    DbError error;
    const auto impacts = m_repo->changeSetImpacts(u"no-such-set"_s, {}, kDay, &error);
    QVERIFY(!impacts);
    QCOMPARE(error.sqlState, u"P0002"_s);
    QVERIFY2(error.message.contains(u"no-such-set"_s), qPrintable(error.message));
}

// Z1's parameter lr changed up (+20 % and +10 % on hist), down (-10 %), up (-5 %), and once
// undated; its parameter mode changed to "slow" (+30 %) and back to "fast" (0 %).
void TstMetricImpact::pastChangesOfAParameter()
{
    struct Past
    {
        const char *id, *parameter, *oldValue, *newValue;
        QDateTime t;
        double level;
    };
    const QList<Past> history = {
        {"h1", "lr", "1", "2", QDateTime(QDate(2034, 2, 1), QTime(12, 0), Qt::UTC), 120},
        {"h2", "lr", "2", "3", QDateTime(QDate(2034, 3, 1), QTime(12, 0), Qt::UTC), 110},
        {"h3", "lr", "3", "1", QDateTime(QDate(2034, 4, 1), QTime(12, 0), Qt::UTC), 90},
        {"h4", "lr", "1", "1.5", QDateTime(QDate(2034, 5, 1), QTime(12, 0), Qt::UTC), 95},
        {"m1", "mode", "fast", "slow", QDateTime(QDate(2034, 6, 1), QTime(12, 0), Qt::UTC), 130},
        {"m2", "mode", "slow", "fast", QDateTime(QDate(2034, 7, 1), QTime(12, 0), Qt::UTC), 100},
    };
    for (const Past &p : history) {
        insertSide(u"hist"_s, wave(96, 100, 5, 1.7, 0), false, p.t);
        insertSide(u"hist"_s, wave(96, p.level, 5, 1.7, 0), true, p.t);
        const PgResult inserted = m_db->exec(
            "INSERT INTO algorithm_changelog (id, algorithm_id, parameter_name, old_value,"
            " new_value, modified_at) VALUES ($1, 'Z1', $2, $3, $4, $5::timestamp)",
            {p.id, p.parameter, p.oldValue, p.newValue, SqlTimestamp::toSql(p.t).toUtf8()});
        QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
    }
    const PgResult undated =
        m_db->exec("INSERT INTO algorithm_changelog (id, algorithm_id, parameter_name, old_value,"
                   " new_value, modified_at) VALUES ('h0', 'Z1', 'lr', '0', '1', NULL)");
    QVERIFY2(undated.ok(), qPrintable(undated.error().toString()));

    DbError error;
    const auto past = m_repo->parameterImpacts(u"Z1"_s, u"lr"_s, kDay, 10, &error);
    QVERIFY2(past, qPrintable(error.toString()));
    QStringList ids;
    for (const PastChangeImpact &p : *past)
        ids.append(p.change.id);
    QCOMPARE(ids, QStringList({u"h4"_s, u"h3"_s, u"h2"_s, u"h1"_s})); // newest first, dated only
    const QStringList metrics = rows(*m_db, "SELECT DISTINCT metric_name FROM algorithm_metrics"
                                            " WHERE algorithm_id = 'Z1' ORDER BY 1");
    const QList<double> expected = {-0.05, -0.10, 0.10, 0.20};
    for (qsizetype i = 0; i < past->size(); ++i) {
        const PastChangeImpact &p = past->at(i);
        QStringList names;
        const MetricImpact *hist = nullptr;
        for (const MetricImpact &m : p.impacts) {
            names.append(m.metric);
            if (m.metric == u"hist"_s)
                hist = &m;
        }
        QCOMPARE(names, metrics);
        QVERIFY(hist);
        QCOMPARE(hist->countBefore, qint64(96));
        QVERIFY2(std::abs(hist->relativeChange - expected.at(i)) < 0.01,
                 qPrintable(u"%1: %2"_s.arg(p.change.id).arg(hist->relativeChange)));
        QCOMPARE(hist->verdict(), MetricImpact::Verdict::Moved);
        // the same as asking for the change alone
        const auto alone = m_repo->impacts(p.change, {u"hist"_s}, kDay, &error);
        QVERIFY2(alone && alone->size() == 1, qPrintable(error.toString()));
        QVERIFY(near(alone->first().pValue, hist->pValue));
        QVERIFY(near(alone->first().meanAfter, hist->meanAfter));
    }
    const auto two = m_repo->parameterImpacts(u"Z1"_s, u"lr"_s, kDay, 2, &error);
    QVERIFY2(two && two->size() == 2, qPrintable(error.toString()));
    QCOMPARE(two->at(1).change.id, u"h3"_s);
    const auto none = m_repo->parameterImpacts(u"Z1"_s, u"no-such"_s, kDay, 10, &error);
    QVERIFY2(none && none->isEmpty(), qPrintable(error.toString()));
}

void TstMetricImpact::outlookOfPendingChanges()
{
    // uses the history pastChangesOfAParameter made
    DbError error;
    const QList<PendingChange> pending = {{u"lr"_s, u"5"_s, u"7"_s},
                                          {u"lr"_s, u"7"_s, u"2.5"_s},
                                          {u"mode"_s, u"fast"_s, u"slow"_s},
                                          {u"no-such"_s, u"1"_s, u"2"_s}};
    const auto outlook = m_repo->outlook(u"Z1"_s, pending, kDay, &error);
    QVERIFY2(outlook, qPrintable(error.toString()));
    QCOMPARE(outlook->size(), 4);
    auto hist = [](const ChangeOutlook &o) -> MetricOutlook {
        for (const MetricOutlook &m : o.metrics) {
            if (m.metric == u"hist"_s)
                return m;
        }
        return {};
    };
    // up: h1 +20 %, h2 +10 %, h4 -5 % (the undated h0 does not count)
    QCOMPARE(outlook->at(0).change.newValue, u"7"_s);
    QCOMPARE(outlook->at(0).pastChanges, 3);
    QCOMPARE(hist(outlook->at(0)).changes, 3);
    QVERIFY2(std::abs(hist(outlook->at(0)).medianRelativeChange - 0.10) < 0.01,
             qPrintable(QString::number(hist(outlook->at(0)).medianRelativeChange)));
    QVERIFY(near(hist(outlook->at(0)).consistency, 2.0 / 3.0));
    // down: h3 -10 %
    QCOMPARE(outlook->at(1).pastChanges, 1);
    QVERIFY(std::abs(hist(outlook->at(1)).medianRelativeChange + 0.10) < 0.01);
    QCOMPARE(hist(outlook->at(1)).consistency, 1.0);
    // not numbers: the past changes to the same new value, m1 +30 %
    QCOMPARE(outlook->at(2).pastChanges, 1);
    QVERIFY(std::abs(hist(outlook->at(2)).medianRelativeChange - 0.30) < 0.01);
    // no history
    QCOMPARE(outlook->at(3).pastChanges, 0);
    QVERIFY(outlook->at(3).metrics.isEmpty());
    // nothing pending: nothing
    const auto empty = m_repo->outlook(u"Z1"_s, {}, kDay, &error);
    QVERIFY2(empty && empty->isEmpty(), qPrintable(error.toString()));
}

QTEST_GUILESS_MAIN(TstMetricImpact)
#include "tst_metricimpact.moc"
