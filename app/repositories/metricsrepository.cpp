#include "repositories/metricsrepository.h"

#include "db/sqltimestamp.h"
#include "repositories/repositorysupport.h"

#include <cmath>

namespace {

constexpr char kMetricNames[] = "SELECT DISTINCT metric_name FROM algorithm_metrics"
                                " WHERE algorithm_id = $1 ORDER BY metric_name";
enum MetricNameColumn
{
    MetricName
};
// $1 bucket width in seconds; the origin is `from`, so bucket k starts at from + k * width.
constexpr char kSeries[] =
    "SELECT date_bin(make_interval(secs => $1::float8), recorded_at, $2::timestamp)::text AS b,"
    " min(metric_value)::float8, avg(metric_value)::float8, max(metric_value)::float8, count(*)"
    " FROM algorithm_metrics"
    " WHERE algorithm_id = $3 AND metric_name = $4"
    " AND recorded_at >= $5::timestamp AND recorded_at < $6::timestamp"
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
// The columns changelogEntryFromRow() reads, in its ChangelogColumn order.
constexpr char kMarkers[] =
    "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text AS modified_at_text, db_role, source, change_set"
    " FROM algorithm_changelog"
    " WHERE algorithm_id = $1 AND modified_at >= $2::timestamp AND modified_at < $3::timestamp"
    " ORDER BY modified_at, id";
// One scan of [t - w, t + w), split by FILTER.
constexpr char kImpact[] =
    "WITH p AS (SELECT $1::timestamp AS t, make_interval(secs => $2::float8) AS w)"
    " SELECT coalesce(avg(m.metric_value) FILTER (WHERE m.recorded_at < p.t), 0)::float8,"
    " coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY m.metric_value::float8)"
    "   FILTER (WHERE m.recorded_at < p.t), 0),"
    " count(*) FILTER (WHERE m.recorded_at < p.t),"
    " coalesce(avg(m.metric_value) FILTER (WHERE m.recorded_at >= p.t), 0)::float8,"
    " coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY m.metric_value::float8)"
    "   FILTER (WHERE m.recorded_at >= p.t), 0),"
    " count(*) FILTER (WHERE m.recorded_at >= p.t)"
    " FROM p JOIN algorithm_metrics m"
    " ON m.algorithm_id = $3 AND m.metric_name = $4"
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

PgResult MetricsRepository::query(const char *sql, const QList<QByteArray> &values,
                                  const QString &what, DbError *error)
{
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, {{sql, values}}, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    RepositorySupport::report(failure, error);
    return failure.isError() ? PgResult() : batch.results.constFirst();
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
        b.min = r.value(row, SeriesMin).toDouble();
        b.avg = r.value(row, SeriesAvg).toDouble();
        b.max = r.value(row, SeriesMax).toDouble();
        b.count = r.value(row, SeriesCount).toLongLong();
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

std::optional<MetricImpact> MetricsRepository::impact(const ChangelogEntry &change,
                                                      const QString &metric, qint64 windowSeconds,
                                                      DbError *error)
{
    const QString what = QStringLiteral("measure a change's impact");
    // The exact text keeps microseconds; a hand-made entry may only have the QDateTime.
    const QString at = change.modifiedAtText.isEmpty() ? SqlTimestamp::toSql(change.modifiedAt)
                                                       : change.modifiedAtText;
    const PgResult r =
        query(kImpact,
              {at.toUtf8(), QByteArray::number(windowSeconds),
               RepositorySupport::text(change.algorithmId), RepositorySupport::text(metric)},
              what, error);
    if (r.isNull())
        return std::nullopt;
    if (r.rows() < 1)
        return RepositorySupport::reported(
            std::optional<MetricImpact>(),
            {what, {}, QStringLiteral("the query gave no row"), {}, {}, {}}, error);
    MetricImpact m;
    m.meanBefore = r.value(0, ImpactMeanBefore).toDouble();
    m.medianBefore = r.value(0, ImpactMedianBefore).toDouble();
    m.countBefore = r.value(0, ImpactCountBefore).toLongLong();
    m.meanAfter = r.value(0, ImpactMeanAfter).toDouble();
    m.medianAfter = r.value(0, ImpactMedianAfter).toDouble();
    m.countAfter = r.value(0, ImpactCountAfter).toLongLong();
    return m;
}

namespace {

constexpr char kExtent[] = "SELECT min(recorded_at)::text, max(recorded_at)::text"
                           " FROM algorithm_metrics WHERE algorithm_id = $1 AND metric_name = $2";
enum ExtentColumn
{
    ExtentFirst,
    ExtentLast
};

} // namespace

std::optional<std::pair<QDateTime, QDateTime>>
MetricsRepository::extent(const QString &algorithmId, const QString &metric, DbError *error)
{
    const PgResult r =
        query(kExtent, {RepositorySupport::text(algorithmId), RepositorySupport::text(metric)},
              QStringLiteral("read a metric's time range"), error);
    if (r.isNull())
        return std::nullopt;
    if (r.rows() < 1 || r.isNull(0, ExtentFirst))
        return std::pair<QDateTime, QDateTime>();
    return std::pair(SqlTimestamp::fromSql(r.value(0, ExtentFirst)),
                     SqlTimestamp::fromSql(r.value(0, ExtentLast)));
}
