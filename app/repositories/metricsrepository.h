#pragma once

#include "db/dberror.h"
#include "db/pgconnection.h"
#include "repositories/changelogrepository.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

// One time bucket of a metric, aggregated by the server.
struct MetricBucket
{
    QDateTime start; // UTC spec (see sqltimestamp.h)
    double min = 0;
    double avg = 0;
    double max = 0;
    qint64 count = 0;
    QDateTime end;       // start + the bucket width
    qint64 excluded = 0; // NaN, ±Infinity or NULL values left out of min/avg/max
};

// A metric around a change: [t - window, t) against [t, t + window).
struct MetricImpact
{
    double meanBefore = 0;
    double medianBefore = 0;
    qint64 countBefore = 0;
    double meanAfter = 0;
    double medianAfter = 0;
    qint64 countAfter = 0;
};

// Reads algorithm_metrics (and the changelog entries to mark on a chart) on one named Qt Sql
// connection, on its thread. Each read is one unnamed statement with bound values, one round
// trip (works through a pooler in transaction pooling).
class MetricsRepository
{
public:
    explicit MetricsRepository(const QSqlDatabase &database);
    ~MetricsRepository();
    MetricsRepository(const MetricsRepository &) = delete;
    MetricsRepository &operator=(const MetricsRepository &) = delete;

    // The algorithm's metric names, sorted.
    std::optional<QStringList> metricNames(const QString &algorithmId, DbError *error);
    // The metric in [from, to) in at most maxPoints buckets of equal width
    // ceil((to - from) / maxPoints) seconds (at least 1 s) starting at `from`; empty buckets are
    // left out. Aggregated server-side with date_bin in one query.
    std::optional<QList<MetricBucket>> series(const QString &algorithmId, const QString &metric,
                                              const QDateTime &from, const QDateTime &to,
                                              int maxPoints, DbError *error);
    // The algorithm's changelog entries with modified_at in [from, to), oldest first.
    std::optional<QList<ChangelogEntry>> changeMarkers(const QString &algorithmId,
                                                       const QDateTime &from, const QDateTime &to,
                                                       DbError *error);
    // Mean, median and count of the metric (of the entry's algorithm) before and after the
    // entry's modified_at, each side `windowSeconds` wide; means and medians are 0 when a side
    // has no rows.
    std::optional<MetricImpact> impact(const ChangelogEntry &change, const QString &metric,
                                       qint64 windowSeconds, DbError *error);

    // The first and last recorded_at of the metric (for a chart's "all"); both invalid when it
    // has no rows. Two index probes.
    std::optional<std::pair<QDateTime, QDateTime>> extent(const QString &algorithmId,
                                                          const QString &metric, DbError *error);

private:
    // Runs `sql` with `values`: its result, or a null one with `error` set.
    PgResult query(const char *sql, const QList<QByteArray> &values, const QString &what,
                   DbError *error);

    QSqlDatabase m_database;
};
