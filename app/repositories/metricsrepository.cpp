#include "repositories/metricsrepository.h"

#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/repositorysupport.h"

#include <QSqlQuery>
#include <QVariant>

#include <cmath>

namespace {

constexpr char kMetricNames[] = "SELECT DISTINCT metric_name FROM algorithm_metrics"
                                " WHERE algorithm_id = ? ORDER BY metric_name";
enum MetricNameColumn
{
    MetricName
};
// $1 bucket width in seconds; the origin is `from`, so bucket k starts at from + k * width.
constexpr char kSeries[] =
    "SELECT date_bin(make_interval(secs => ?::float8), recorded_at, ?::timestamp)::text AS b,"
    " min(metric_value)::float8, avg(metric_value)::float8, max(metric_value)::float8, count(*)"
    " FROM algorithm_metrics"
    " WHERE algorithm_id = ? AND metric_name = ?"
    " AND recorded_at >= ?::timestamp AND recorded_at < ?::timestamp"
    " GROUP BY b ORDER BY b";
// kSeries's select list, in order.
enum SeriesColumn
{
    SeriesStart,
    SeriesMin,
    SeriesAvg,
    SeriesMax,
    SeriesCount
};
// The columns changelogEntryFromQuery() reads, in its ChangelogColumn order.
constexpr char kMarkers[] =
    "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text AS modified_at_text, db_role, source, change_set"
    " FROM algorithm_changelog"
    " WHERE algorithm_id = ? AND modified_at >= ?::timestamp AND modified_at < ?::timestamp"
    " ORDER BY modified_at, id";
// One scan of [t - w, t + w), split by FILTER.
constexpr char kImpact[] =
    "WITH p AS (SELECT ?::timestamp AS t, make_interval(secs => ?::float8) AS w)"
    " SELECT coalesce(avg(m.metric_value) FILTER (WHERE m.recorded_at < p.t), 0)::float8,"
    " coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY m.metric_value::float8)"
    "   FILTER (WHERE m.recorded_at < p.t), 0),"
    " count(*) FILTER (WHERE m.recorded_at < p.t),"
    " coalesce(avg(m.metric_value) FILTER (WHERE m.recorded_at >= p.t), 0)::float8,"
    " coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY m.metric_value::float8)"
    "   FILTER (WHERE m.recorded_at >= p.t), 0),"
    " count(*) FILTER (WHERE m.recorded_at >= p.t)"
    " FROM p JOIN algorithm_metrics m"
    " ON m.algorithm_id = ? AND m.metric_name = ?"
    " AND m.recorded_at >= p.t - p.w AND m.recorded_at < p.t + p.w";
// kImpact's select list, in order.
enum ImpactColumn
{
    ImpactMeanBefore,
    ImpactMedianBefore,
    ImpactCountBefore,
    ImpactMeanAfter,
    ImpactMedianAfter,
    ImpactCountAfter
};

} // namespace

MetricsRepository::MetricsRepository(const QSqlDatabase &database)
    : m_database(database)
{}

MetricsRepository::~MetricsRepository() = default;

QSqlQuery *MetricsRepository::prepared(std::shared_ptr<QSqlQuery> &slot, const char *sql,
                                       DbError *error)
{
    if (slot)
        return slot.get();
    auto query = std::make_shared<QSqlQuery>(m_database);
    query->setForwardOnly(true);
    if (!query->prepare(QString::fromLatin1(sql))) {
        RepositorySupport::report(SqlDatabase::toDbError(m_database, query->lastError(),
                                                         QStringLiteral("prepare a metrics query")),
                                  error);
        return nullptr;
    }
    slot = query;
    return query.get();
}

std::optional<QStringList> MetricsRepository::metricNames(const QString &algorithmId,
                                                          DbError *error)
{
    QSqlQuery *q = prepared(m_names, kMetricNames, error);
    if (!q)
        return std::nullopt;
    q->bindValue(0, algorithmId);
    if (!q->exec()) {
        RepositorySupport::report(
            SqlDatabase::toDbError(m_database, q->lastError(), QStringLiteral("list metric names")),
            error);
        return std::nullopt;
    }
    QStringList names;
    while (q->next())
        names.append(q->value(MetricName).toString());
    q->finish();
    return names;
}

std::optional<QList<MetricBucket>>
MetricsRepository::series(const QString &algorithmId, const QString &metric, const QDateTime &from,
                          const QDateTime &to, int maxPoints, DbError *error)
{
    if (!from.isValid() || !to.isValid() || to <= from || maxPoints < 1)
        return QList<MetricBucket>();
    QSqlQuery *q = prepared(m_series, kSeries, error);
    if (!q)
        return std::nullopt;
    const qint64 rangeMs = from.msecsTo(to);
    const qint64 widthSeconds =
        qMax<qint64>(1, qint64(std::ceil(double(rangeMs) / 1000.0 / double(maxPoints))));
    q->bindValue(0, QString::number(widthSeconds));
    q->bindValue(1, SqlTimestamp::toSql(from));
    q->bindValue(2, algorithmId);
    q->bindValue(3, metric);
    q->bindValue(4, SqlTimestamp::toSql(from));
    q->bindValue(5, SqlTimestamp::toSql(to));
    if (!q->exec()) {
        RepositorySupport::report(SqlDatabase::toDbError(m_database, q->lastError(),
                                                         QStringLiteral("read a metric series")),
                                  error);
        return std::nullopt;
    }
    QList<MetricBucket> buckets;
    while (q->next()) {
        MetricBucket b;
        b.start = SqlTimestamp::fromSql(q->value(SeriesStart).toString());
        b.min = q->value(SeriesMin).toDouble();
        b.avg = q->value(SeriesAvg).toDouble();
        b.max = q->value(SeriesMax).toDouble();
        b.count = q->value(SeriesCount).toLongLong();
        buckets.append(b);
    }
    q->finish();
    return buckets;
}

std::optional<QList<ChangelogEntry>> MetricsRepository::changeMarkers(const QString &algorithmId,
                                                                      const QDateTime &from,
                                                                      const QDateTime &to,
                                                                      DbError *error)
{
    QSqlQuery *q = prepared(m_markers, kMarkers, error);
    if (!q)
        return std::nullopt;
    q->bindValue(0, algorithmId);
    q->bindValue(1, SqlTimestamp::toSql(from));
    q->bindValue(2, SqlTimestamp::toSql(to));
    if (!q->exec()) {
        RepositorySupport::report(SqlDatabase::toDbError(m_database, q->lastError(),
                                                         QStringLiteral("read change markers")),
                                  error);
        return std::nullopt;
    }
    QList<ChangelogEntry> entries;
    while (q->next())
        entries.append(changelogEntryFromQuery(*q));
    q->finish();
    return entries;
}

std::optional<MetricImpact> MetricsRepository::impact(const ChangelogEntry &change,
                                                      const QString &metric, qint64 windowSeconds,
                                                      DbError *error)
{
    QSqlQuery *q = prepared(m_impact, kImpact, error);
    if (!q)
        return std::nullopt;
    // The exact text keeps microseconds; a hand-made entry may only have the QDateTime.
    const QString at = change.modifiedAtText.isEmpty() ? SqlTimestamp::toSql(change.modifiedAt)
                                                       : change.modifiedAtText;
    q->bindValue(0, at);
    q->bindValue(1, QString::number(windowSeconds));
    q->bindValue(2, change.algorithmId);
    q->bindValue(3, metric);
    if (!q->exec() || !q->next()) {
        RepositorySupport::report(
            SqlDatabase::toDbError(m_database, q->lastError(),
                                   QStringLiteral("measure a change's impact")),
            error);
        return std::nullopt;
    }
    MetricImpact r;
    r.meanBefore = q->value(ImpactMeanBefore).toDouble();
    r.medianBefore = q->value(ImpactMedianBefore).toDouble();
    r.countBefore = q->value(ImpactCountBefore).toLongLong();
    r.meanAfter = q->value(ImpactMeanAfter).toDouble();
    r.medianAfter = q->value(ImpactMedianAfter).toDouble();
    r.countAfter = q->value(ImpactCountAfter).toLongLong();
    q->finish();
    return r;
}
