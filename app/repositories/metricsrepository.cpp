#include "repositories/metricsrepository.h"

#include "db/sqltimestamp.h"
#include "repositories/metricsql.h"
#include "repositories/repositorysupport.h"

#include <cmath>

namespace {

constexpr char kAgentIds[] = "SELECT algorithm_id FROM algorithm_agents"
                             " ORDER BY length(algorithm_id), algorithm_id";
// A skip scan of the (algorithm_id, metric_name, recorded_at) index: one probe a name (2–7 ms
// on the demo's 10M rows; DISTINCT read the agent's 380,000 entries, 30–100 ms).
constexpr char kMetricNames[] =
    "WITH RECURSIVE n(name) AS ("
    " SELECT min(metric_name) FROM algorithm_metrics WHERE algorithm_id = $1"
    " UNION ALL"
    " SELECT (SELECT min(metric_name) FROM algorithm_metrics"
    "  WHERE algorithm_id = $1 AND metric_name > n.name)"
    " FROM n WHERE n.name IS NOT NULL)"
    " SELECT name FROM n WHERE name IS NOT NULL ORDER BY name";
enum MetricNameColumn
{
    MetricName
};
// MetricSql::Series's select list, in order.
enum SeriesColumn
{
    SeriesStart,
    SeriesMin,
    SeriesAvg,
    SeriesMax,
    SeriesCount,
    SeriesExcluded
};

} // namespace

MetricsRepository::MetricsRepository(const QSqlDatabase &database)
    : m_database(database)
{}

MetricsRepository::~MetricsRepository() = default;

PgResult MetricsRepository::query(const char *sql, const QList<QByteArray> &values,
                                  const QString &what, DbError *error)
{
    const RepositorySupport::BatchResults batch = MetricSql::run(m_database, {{sql, values}}, what);
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
    const auto many = seriesMany({{algorithmId, metric, from, to, maxPoints}}, error);
    if (!many)
        return std::nullopt;
    return many->constFirst();
}

std::optional<QList<QList<MetricBucket>>>
MetricsRepository::seriesMany(const QList<SeriesQuery> &queries, DbError *error)
{
    const QString what = QStringLiteral("read a metric series");
    // The bucket width of each query (0: an empty or reversed range, nothing to ask for).
    QList<qint64> widths;
    QList<PipelineCommand> commands;
    QList<int> commandOf; // query index → command index, or -1
    for (const SeriesQuery &q : queries) {
        if (!q.from.isValid() || !q.to.isValid() || q.to <= q.from || q.maxPoints < 1) {
            widths.append(0);
            commandOf.append(-1);
            continue;
        }
        const qint64 width = qMax<qint64>(
            1, qint64(std::ceil(double(q.from.msecsTo(q.to)) / 1000.0 / double(q.maxPoints))));
        const QByteArray start = SqlTimestamp::toSql(q.from).toUtf8();
        widths.append(width);
        commandOf.append(int(commands.size()));
        commands.append(
            {MetricSql::Series,
             {QByteArray::number(width), start, RepositorySupport::text(q.algorithmId),
              RepositorySupport::text(q.metric), start, SqlTimestamp::toSql(q.to).toUtf8()},
             PipelineCommand::After::Nothing});
    }
    QList<QList<MetricBucket>> all(queries.size());
    if (commands.isEmpty())
        return RepositorySupport::reported(std::optional(all), {}, error);
    const RepositorySupport::BatchResults batch = MetricSql::run(m_database, commands, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(std::optional<QList<QList<MetricBucket>>>(), failure,
                                           error);
    for (qsizetype i = 0; i < queries.size(); ++i) {
        if (commandOf.at(i) < 0)
            continue;
        const PgResult &r = batch.results.at(commandOf.at(i));
        QList<MetricBucket> &buckets = all[i];
        buckets.reserve(r.rows());
        for (int row = 0; row < r.rows(); ++row) {
            MetricBucket b;
            b.start = SqlTimestamp::fromSql(r.value(row, SeriesStart));
            b.end = b.start.addSecs(widths.at(i));
            b.min = MetricSql::nanOr(r, row, SeriesMin);
            b.avg = MetricSql::nanOr(r, row, SeriesAvg);
            b.max = MetricSql::nanOr(r, row, SeriesMax);
            b.count = r.value(row, SeriesCount).toLongLong();
            b.excluded = r.value(row, SeriesExcluded).toLongLong();
            buckets.append(b);
        }
    }
    return RepositorySupport::reported(std::optional(all), {}, error);
}

std::optional<QList<ChangelogEntry>> MetricsRepository::changeMarkers(const QString &algorithmId,
                                                                      const QDateTime &from,
                                                                      const QDateTime &to,
                                                                      DbError *error)
{
    const PgResult r = query(MetricSql::Markers,
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

namespace {

enum ExtentColumn
{
    ExtentFirst,
    ExtentLast
};

} // namespace

std::optional<std::pair<QDateTime, QDateTime>>
MetricsRepository::extent(const QString &algorithmId, const QString &metric, DbError *error)
{
    const PgResult r = query(
        MetricSql::Extent, {RepositorySupport::text(algorithmId), RepositorySupport::text(metric)},
        QStringLiteral("read a metric's time range"), error);
    if (r.isNull())
        return std::nullopt;
    if (r.rows() < 1 || r.isNull(0, ExtentFirst))
        return std::pair<QDateTime, QDateTime>();
    return std::pair(SqlTimestamp::fromSql(r.value(0, ExtentFirst)),
                     SqlTimestamp::fromSql(r.value(0, ExtentLast)));
}
