#include "repositories/metricsrepository.h"

#include "db/sqltimestamp.h"
#include "repositories/repositorysupport.h"

#include <cmath>

namespace {

constexpr char kAgentIds[] = "SELECT algorithm_id FROM algorithm_agents"
                             " ORDER BY length(algorithm_id), algorithm_id";
constexpr char kMetricNames[] = "SELECT DISTINCT metric_name FROM algorithm_metrics"
                                " WHERE algorithm_id = $1 ORDER BY metric_name";
enum MetricNameColumn
{
    MetricName
};
// $1 bucket width in seconds; the origin is `from`, so bucket k starts at from + k * width.
// Only finite values are aggregated (numeric orders -Infinity < finite < Infinity < NaN, and a
// NULL compares to nothing); the rest of each bucket's rows are counted as excluded, and a
// bucket of excluded rows only still comes, with NULL aggregates.
#define ALGOADMIN_FINITE(column) column " > '-Infinity' AND " column " < 'Infinity'"
constexpr char kSeries[] =
    "SELECT date_bin(make_interval(secs => $1::float8), recorded_at, $2::timestamp)::text AS b,"
    " min(metric_value) FILTER (WHERE " ALGOADMIN_FINITE(
        "metric_value") ")::float8,"
                        " avg(metric_value) FILTER (WHERE " ALGOADMIN_FINITE(
                            "metric_value") ")::float8,"
                                            " max(metric_value) FILTER (WHERE " ALGOADMIN_FINITE(
                                                "metric_value") ")::float8,"
                                                                " count(*) FILTER "
                                                                "(WHERE " ALGOADMIN_FINITE(
                                                                    "metric_value") "),"
                                                                                    " count(*) - "
                                                                                    "count(*) "
                                                                                    "FILTER "
                                                                                    "(WHERE"
                                                                                    " " ALGOADMIN_FINITE(
                                                                                        "metric_"
                                                                                        "value") ")"
                                                                                                 " "
                                                                                                 "F"
                                                                                                 "R"
                                                                                                 "O"
                                                                                                 "M"
                                                                                                 " "
                                                                                                 "a"
                                                                                                 "l"
                                                                                                 "g"
                                                                                                 "o"
                                                                                                 "r"
                                                                                                 "i"
                                                                                                 "t"
                                                                                                 "h"
                                                                                                 "m"
                                                                                                 "_"
                                                                                                 "m"
                                                                                                 "e"
                                                                                                 "t"
                                                                                                 "r"
                                                                                                 "i"
                                                                                                 "c"
                                                                                                 "s"
                                                                                                 " "
                                                                                                 "W"
                                                                                                 "H"
                                                                                                 "E"
                                                                                                 "R"
                                                                                                 "E"
                                                                                                 " "
                                                                                                 "a"
                                                                                                 "l"
                                                                                                 "g"
                                                                                                 "o"
                                                                                                 "r"
                                                                                                 "i"
                                                                                                 "t"
                                                                                                 "h"
                                                                                                 "m"
                                                                                                 "_"
                                                                                                 "i"
                                                                                                 "d"
                                                                                                 " "
                                                                                                 "="
                                                                                                 " "
                                                                                                 "$"
                                                                                                 "3"
                                                                                                 " "
                                                                                                 "A"
                                                                                                 "N"
                                                                                                 "D"
                                                                                                 " "
                                                                                                 "m"
                                                                                                 "e"
                                                                                                 "t"
                                                                                                 "r"
                                                                                                 "i"
                                                                                                 "c"
                                                                                                 "_"
                                                                                                 "n"
                                                                                                 "a"
                                                                                                 "m"
                                                                                                 "e"
                                                                                                 " "
                                                                                                 "="
                                                                                                 " "
                                                                                                 "$"
                                                                                                 "4"
                                                                                                 " "
                                                                                                 "A"
                                                                                                 "N"
                                                                                                 "D"
                                                                                                 " "
                                                                                                 "r"
                                                                                                 "e"
                                                                                                 "c"
                                                                                                 "o"
                                                                                                 "r"
                                                                                                 "d"
                                                                                                 "e"
                                                                                                 "d"
                                                                                                 "_"
                                                                                                 "a"
                                                                                                 "t"
                                                                                                 " "
                                                                                                 ">"
                                                                                                 "="
                                                                                                 " "
                                                                                                 "$"
                                                                                                 "5"
                                                                                                 ":"
                                                                                                 ":"
                                                                                                 "t"
                                                                                                 "i"
                                                                                                 "m"
                                                                                                 "e"
                                                                                                 "s"
                                                                                                 "t"
                                                                                                 "a"
                                                                                                 "m"
                                                                                                 "p"
                                                                                                 " "
                                                                                                 "A"
                                                                                                 "N"
                                                                                                 "D"
                                                                                                 " "
                                                                                                 "r"
                                                                                                 "e"
                                                                                                 "c"
                                                                                                 "o"
                                                                                                 "r"
                                                                                                 "d"
                                                                                                 "e"
                                                                                                 "d"
                                                                                                 "_"
                                                                                                 "a"
                                                                                                 "t"
                                                                                                 " "
                                                                                                 "<"
                                                                                                 " "
                                                                                                 "$"
                                                                                                 "6"
                                                                                                 ":"
                                                                                                 ":"
                                                                                                 "t"
                                                                                                 "i"
                                                                                                 "m"
                                                                                                 "e"
                                                                                                 "s"
                                                                                                 "t"
                                                                                                 "a"
                                                                                                 "m"
                                                                                                 "p"
                                                                                                 " "
                                                                                                 "G"
                                                                                                 "R"
                                                                                                 "O"
                                                                                                 "U"
                                                                                                 "P"
                                                                                                 " "
                                                                                                 "B"
                                                                                                 "Y"
                                                                                                 " "
                                                                                                 "b"
                                                                                                 " "
                                                                                                 "O"
                                                                                                 "R"
                                                                                                 "D"
                                                                                                 "E"
                                                                                                 "R"
                                                                                                 " "
                                                                                                 "B"
                                                                                                 "Y"
                                                                                                 " "
                                                                                                 "b";
// kSeries's select list, in order.
enum SeriesColumn
{
    SeriesStart,
    SeriesMin,
    SeriesAvg,
    SeriesMax,
    SeriesCount,
    SeriesExcluded
};
// The columns changelogEntryFromRow() reads, in its ChangelogColumn order.
constexpr char kMarkers[] =
    "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text AS modified_at_text, db_role, source, change_set"
    " FROM algorithm_changelog"
    " WHERE algorithm_id = $1 AND modified_at >= $2::timestamp AND modified_at < $3::timestamp"
    " ORDER BY modified_at, id";
// The change: c(agent, t, change_set, entry_id), one row per agent. $1 NULL reads it from the
// change set $5 (its entries' earliest modified_at per agent); else $1 agent, $2 t, $5 and $6
// the entry's change set and id (both may be NULL). p: $3 window seconds, $4 metrics (text[],
// empty = all). Every statement of an impacts() batch starts with it, so all take $1..$6.
#define ALGOADMIN_IMPACT_HEAD                                                                      \
    "WITH RECURSIVE c AS ("                                                                        \
    " SELECT $1::text AS agent, $2::timestamp AS t, $5::text AS change_set, $6::text AS entry_id"  \
    " WHERE $1::text IS NOT NULL"                                                                  \
    " UNION ALL"                                                                                   \
    " SELECT algorithm_id, min(modified_at), $5::text, NULL::text FROM algorithm_changelog"        \
    " WHERE $1::text IS NULL AND change_set = $5::text GROUP BY algorithm_id),"                    \
    " p AS (SELECT make_interval(secs => $3::float8) AS w, $4::text[] AS wanted),"
// Per agent and metric, the two windows' finite values: means, medians, counts, excluded rows,
// and the Mann-Whitney U statistic's z on the server. Ranks are over both windows' finite
// values with ties averaged (rank() + (ties - 1) / 2); U1 = R1 - n1 (n1 + 1) / 2; the
// variance n1 n2 / 12 ((n + 1) - Σ(t³ - t) / (n (n - 1))) (each of a tie group's t rows adds
// t² - 1); z = sign(U1 - n1 n2 / 2) max(|U1 - n1 n2 / 2| - 0.5, 0) / σ, the continuity
// correction scipy's asymptotic method applies. z is 0 when every value ties (σ = 0) and NULL
// when a side is empty. The agent's metric names come from a skip scan of the
// (algorithm_id, metric_name, recorded_at) index, only when $4 is empty.
constexpr char kImpacts[] = ALGOADMIN_IMPACT_HEAD
    " known(agent, name) AS ("
    " SELECT c.agent, (SELECT min(metric_name) FROM algorithm_metrics WHERE algorithm_id = c.agent)"
    " FROM c"
    " UNION ALL"
    " SELECT k.agent, (SELECT min(metric_name) FROM algorithm_metrics"
    "  WHERE algorithm_id = k.agent AND metric_name > k.name)"
    " FROM known k WHERE k.name IS NOT NULL),"
    " names AS ("
    " SELECT agent, name FROM known WHERE name IS NOT NULL AND cardinality($4::text[]) = 0"
    " UNION"
    " SELECT c.agent, u.name FROM c, unnest($4::text[]) AS u(name)),"
    " vals AS ("
    " SELECT n.agent, n.name, m.recorded_at >= c.t AS after,"
    "  CASE WHEN " ALGOADMIN_FINITE(
        "m.metric_value") " THEN m.metric_value END AS x"
                          " FROM names n JOIN c ON c.agent = n.agent CROSS JOIN p"
                          " JOIN algorithm_metrics m ON m.algorithm_id = n.agent AND m.metric_name "
                          "= n.name"
                          "  AND m.recorded_at >= c.t - p.w AND m.recorded_at < c.t + p.w),"
                          " ranked AS ("
                          " SELECT agent, name, after, x,"
                          "  rank() OVER (PARTITION BY agent, name, x IS NULL ORDER BY x)"
                          "  + (count(*) OVER (PARTITION BY agent, name, x) - 1) / 2.0 AS r,"
                          "  count(*) OVER (PARTITION BY agent, name, x) AS ties"
                          " FROM vals),"
                          " s AS ("
                          " SELECT agent, name,"
                          "  avg(x) FILTER (WHERE NOT after)::float8 AS mean1,"
                          "  percentile_cont(0.5) WITHIN GROUP (ORDER BY x::float8) FILTER (WHERE "
                          "NOT after) AS med1,"
                          "  count(x) FILTER (WHERE NOT after)::float8 AS n1,"
                          "  avg(x) FILTER (WHERE after)::float8 AS mean2,"
                          "  percentile_cont(0.5) WITHIN GROUP (ORDER BY x::float8) FILTER (WHERE "
                          "after) AS med2,"
                          "  count(x) FILTER (WHERE after)::float8 AS n2,"
                          "  count(*) FILTER (WHERE NOT after AND x IS NULL) AS e1,"
                          "  count(*) FILTER (WHERE after AND x IS NULL) AS e2,"
                          "  coalesce(sum(r) FILTER (WHERE NOT after AND x IS NOT NULL), "
                          "0)::float8 AS r1,"
                          "  coalesce(sum(ties * ties - 1) FILTER (WHERE x IS NOT NULL), "
                          "0)::float8 AS tie"
                          " FROM ranked GROUP BY agent, name),"
                          " u AS ("
                          " SELECT s.*, s.r1 - s.n1 * (s.n1 + 1) / 2 - s.n1 * s.n2 / 2 AS d,"
                          "  CASE WHEN s.n1 + s.n2 > 1 THEN s.n1 * s.n2 / 12"
                          "   * ((s.n1 + s.n2 + 1) - s.tie / ((s.n1 + s.n2) * (s.n1 + s.n2 - 1))) "
                          "END AS v"
                          " FROM s)"
                          " SELECT n.name, n.agent,"
                          " coalesce(u.mean1, 0), coalesce(u.med1, 0), coalesce(u.n1, 0)::bigint,"
                          " coalesce(u.mean2, 0), coalesce(u.med2, 0), coalesce(u.n2, 0)::bigint,"
                          " coalesce(u.e1, 0), coalesce(u.e2, 0),"
                          " CASE WHEN u.n1 > 0 AND u.n2 > 0 THEN"
                          "  CASE WHEN u.v > 0 THEN sign(u.d) * greatest(abs(u.d) - 0.5, 0) / "
                          "sqrt(u.v) ELSE 0 END"
                          " END AS z"
                          " FROM names n LEFT JOIN u ON u.agent = n.agent AND u.name = n.name"
                          " ORDER BY n.name, n.agent";
// kImpacts's select list, in order.
enum ImpactColumn
{
    ImpactMetric,
    ImpactAgent,
    ImpactMeanBefore,
    ImpactMedianBefore,
    ImpactCountBefore,
    ImpactMeanAfter,
    ImpactMedianAfter,
    ImpactCountAfter,
    ImpactExcludedBefore,
    ImpactExcludedAfter,
    ImpactZ
};
// The agents' other changelog entries in [t - w, t + w): not the entry, not its change set.
// Selects changelogEntryFromRow()'s columns plus the agent's row in c.
constexpr char kOthersInWindow[] = ALGOADMIN_IMPACT_HEAD
    " o AS (SELECT 0)"
    " SELECT l.id, l.algorithm_id, l.user_id, l.parameter_name, l.old_value, l.new_value,"
    " l.reason, l.modified_at::text, l.db_role, l.source, l.change_set"
    " FROM c CROSS JOIN p JOIN algorithm_changelog l ON l.algorithm_id = c.agent"
    " AND l.modified_at >= c.t - p.w AND l.modified_at < c.t + p.w"
    " WHERE l.id IS DISTINCT FROM c.entry_id"
    " AND (c.change_set IS NULL OR l.change_set IS DISTINCT FROM c.change_set)"
    " ORDER BY l.modified_at, l.id";
// One entry by id; the entries of a change set.
constexpr char kEntry[] =
    "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text AS modified_at_text, db_role, source, change_set"
    " FROM algorithm_changelog WHERE id = $1";
constexpr char kChangeSet[] =
    "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text AS modified_at_text, db_role, source, change_set"
    " FROM algorithm_changelog WHERE change_set = $1 ORDER BY modified_at, id";

double nanOr(const PgResult &r, int row, int column)
{
    return r.isNull(row, column) ? std::numeric_limits<double>::quiet_NaN()
                                 : r.value(row, column).toDouble();
}

// The impacts of a batch's kImpacts and kOthersInWindow results.
QList<MetricImpact> impactsFromRows(const PgResult &rows, const PgResult &others)
{
    QList<ChangelogEntry> entries;
    entries.reserve(others.rows());
    for (int row = 0; row < others.rows(); ++row)
        entries.append(changelogEntryFromRow(others, row));
    QList<MetricImpact> impacts;
    impacts.reserve(rows.rows());
    for (int row = 0; row < rows.rows(); ++row) {
        MetricImpact m;
        m.metric = rows.value(row, ImpactMetric);
        m.algorithmId = rows.value(row, ImpactAgent);
        m.meanBefore = rows.value(row, ImpactMeanBefore).toDouble();
        m.medianBefore = rows.value(row, ImpactMedianBefore).toDouble();
        m.countBefore = rows.value(row, ImpactCountBefore).toLongLong();
        m.meanAfter = rows.value(row, ImpactMeanAfter).toDouble();
        m.medianAfter = rows.value(row, ImpactMedianAfter).toDouble();
        m.countAfter = rows.value(row, ImpactCountAfter).toLongLong();
        m.excludedBefore = rows.value(row, ImpactExcludedBefore).toLongLong();
        m.excludedAfter = rows.value(row, ImpactExcludedAfter).toLongLong();
        if (m.countBefore > 0 && m.countAfter > 0 && m.meanBefore != 0)
            m.relativeChange = (m.meanAfter - m.meanBefore) / std::abs(m.meanBefore);
        const double z = nanOr(rows, row, ImpactZ);
        if (m.countBefore >= MetricImpact::MinCountForSignificance &&
            m.countAfter >= MetricImpact::MinCountForSignificance && !std::isnan(z))
            m.pValue = std::erfc(std::abs(z) / std::sqrt(2.0)); // two-sided normal tail
        for (const ChangelogEntry &e : entries) {
            if (e.algorithmId == m.algorithmId)
                m.othersInWindow.append(e);
        }
        impacts.append(m);
    }
    return impacts;
}

} // namespace

MetricsRepository::MetricsRepository(const QSqlDatabase &database)
    : m_database(database)
{}

MetricsRepository::~MetricsRepository() = default;

PgResult MetricsRepository::query(const char *sql, const QList<QByteArray> &values,
                                  const QString &what, DbError *error)
{
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, {{sql, values}}, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    RepositorySupport::report(failure, error);
    return failure.isError() ? PgResult() : batch.results.constFirst();
}

std::optional<QStringList> MetricsRepository::agentIds(DbError *error)
{
    const PgResult r = query(kAgentIds, {}, QStringLiteral("list the agents"), error);
    if (r.isNull())
        return std::nullopt;
    QStringList ids;
    ids.reserve(r.rows());
    for (int row = 0; row < r.rows(); ++row)
        ids.append(r.value(row, 0));
    return ids;
}

std::optional<QStringList> MetricsRepository::metricNames(const QString &algorithmId,
                                                          DbError *error)
{
    const PgResult r = query(kMetricNames, {RepositorySupport::text(algorithmId)},
                             QStringLiteral("list metric names"), error);
    if (r.isNull())
        return std::nullopt;
    QStringList names;
    names.reserve(r.rows());
    for (int row = 0; row < r.rows(); ++row)
        names.append(r.value(row, MetricName));
    return names;
}

std::optional<QList<MetricBucket>>
MetricsRepository::series(const QString &algorithmId, const QString &metric, const QDateTime &from,
                          const QDateTime &to, int maxPoints, DbError *error)
{
    if (!from.isValid() || !to.isValid() || to <= from || maxPoints < 1)
        return RepositorySupport::reported(std::optional(QList<MetricBucket>()), {}, error);
    const qint64 rangeMs = from.msecsTo(to);
    const qint64 widthSeconds =
        qMax<qint64>(1, qint64(std::ceil(double(rangeMs) / 1000.0 / double(maxPoints))));
    const QByteArray start = SqlTimestamp::toSql(from).toUtf8();
    const PgResult r =
        query(kSeries,
              {QByteArray::number(widthSeconds), start, RepositorySupport::text(algorithmId),
               RepositorySupport::text(metric), start, SqlTimestamp::toSql(to).toUtf8()},
              QStringLiteral("read a metric series"), error);
    if (r.isNull())
        return std::nullopt;
    QList<MetricBucket> buckets;
    buckets.reserve(r.rows());
    for (int row = 0; row < r.rows(); ++row) {
        MetricBucket b;
        b.start = SqlTimestamp::fromSql(r.value(row, SeriesStart));
        b.end = b.start.addSecs(widthSeconds);
        b.min = nanOr(r, row, SeriesMin);
        b.avg = nanOr(r, row, SeriesAvg);
        b.max = nanOr(r, row, SeriesMax);
        b.count = r.value(row, SeriesCount).toLongLong();
        b.excluded = r.value(row, SeriesExcluded).toLongLong();
        buckets.append(b);
    }
    return buckets;
}

std::optional<QList<ChangelogEntry>> MetricsRepository::changeMarkers(const QString &algorithmId,
                                                                      const QDateTime &from,
                                                                      const QDateTime &to,
                                                                      DbError *error)
{
    const PgResult r = query(kMarkers,
                             {RepositorySupport::text(algorithmId),
                              SqlTimestamp::toSql(from).toUtf8(), SqlTimestamp::toSql(to).toUtf8()},
                             QStringLiteral("read change markers"), error);
    if (r.isNull())
        return std::nullopt;
    QList<ChangelogEntry> entries;
    entries.reserve(r.rows());
    for (int row = 0; row < r.rows(); ++row)
        entries.append(changelogEntryFromRow(r, row));
    return entries;
}

MetricImpact::Verdict MetricImpact::verdict(double alpha) const
{
    if (std::isnan(pValue))
        return Verdict::NoData;
    return pValue < alpha ? Verdict::Moved : Verdict::WithinNoise;
}

std::optional<MetricImpact> MetricsRepository::impact(const ChangelogEntry &change,
                                                      const QString &metric, qint64 windowSeconds,
                                                      DbError *error)
{
    const auto all = impacts(change, {metric}, windowSeconds, error);
    if (!all)
        return std::nullopt;
    if (all->size() != 1)
        return RepositorySupport::reported(
            std::optional<MetricImpact>(),
            {QStringLiteral("measure a change's impact"),
             {},
             QStringLiteral("the query gave %1 rows, not one").arg(all->size()),
             {},
             {},
             {}},
            error);
    return all->constFirst();
}

std::optional<QList<MetricImpact>> MetricsRepository::impacts(const ChangelogEntry &change,
                                                              const QStringList &metrics,
                                                              qint64 windowSeconds, DbError *error)
{
    const QString what = QStringLiteral("measure a change's impact");
    // The exact text keeps microseconds; a hand-made entry may only have the QDateTime.
    const QString at = change.modifiedAtText.isEmpty() ? SqlTimestamp::toSql(change.modifiedAt)
                                                       : change.modifiedAtText;
    const QList<QByteArray> values{RepositorySupport::text(change.algorithmId.isNull()
                                                               ? QStringLiteral("")
                                                               : change.algorithmId),
                                   RepositorySupport::text(at),
                                   QByteArray::number(windowSeconds),
                                   RepositorySupport::textArray(metrics),
                                   RepositorySupport::text(change.changeSet),
                                   RepositorySupport::text(change.id)};
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, {{kImpacts, values}, {kOthersInWindow, values}}, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    RepositorySupport::report(failure, error);
    if (failure.isError())
        return std::nullopt;
    return impactsFromRows(batch.results.at(0), batch.results.at(1));
}

std::optional<QList<MetricImpact>> MetricsRepository::changeSetImpacts(const QString &changeSet,
                                                                       const QStringList &metrics,
                                                                       qint64 windowSeconds,
                                                                       DbError *error)
{
    const QString what = QStringLiteral("measure a change set's impact");
    // $1 NULL: kImpacts reads the agents and the time from the change set $5.
    const QList<QByteArray> values{QByteArray(),
                                   QByteArray(),
                                   QByteArray::number(windowSeconds),
                                   RepositorySupport::textArray(metrics),
                                   RepositorySupport::text(changeSet),
                                   QByteArray()};
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database,
                               {{kChangeSet, {RepositorySupport::text(changeSet)}},
                                {kImpacts, values},
                                {kOthersInWindow, values}},
                               what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    RepositorySupport::report(failure, error);
    if (failure.isError())
        return std::nullopt;
    if (batch.results.at(0).rows() == 0) {
        DbError unknown{what, {}, QStringLiteral("there is no change set %1").arg(changeSet),
                        {},   {}, {}};
        unknown.sqlState = QStringLiteral("P0002");
        return RepositorySupport::reported(std::optional<QList<MetricImpact>>(), unknown, error);
    }
    return impactsFromRows(batch.results.at(1), batch.results.at(2));
}

std::optional<ChangelogEntry> MetricsRepository::changelogEntry(const QString &id, DbError *error)
{
    const QString what = QStringLiteral("read a changelog entry");
    const PgResult r = query(kEntry, {RepositorySupport::text(id)}, what, error);
    if (r.isNull())
        return std::nullopt;
    if (r.rows() == 0) {
        DbError unknown{what, {}, QStringLiteral("there is no changelog entry %1").arg(id),
                        {},   {}, {}};
        unknown.sqlState = QStringLiteral("P0002");
        return RepositorySupport::reported(std::optional<ChangelogEntry>(), unknown, error);
    }
    return changelogEntryFromRow(r, 0);
}
