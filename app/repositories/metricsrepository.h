#pragma once

#include "db/dberror.h"
#include "db/pgconnection.h"
#include "repositories/changelogrepository.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <limits>
#include <optional>

// One time bucket of a metric, aggregated by the server over its finite values only: NaN,
// ±Infinity and NULL rows are left out of min/avg/max/count and counted in `excluded`.
struct MetricBucket
{
    QDateTime start; // UTC spec (see sqltimestamp.h)
    double min = 0;  // min/avg/max are NaN when every row of the bucket was excluded
    double avg = 0;
    double max = 0;
    qint64 count = 0;    // finite values aggregated
    QDateTime end;       // start + the bucket width (exclusive)
    qint64 excluded = 0; // rows in [start, end) that were NaN, ±Infinity or NULL
};

// One series a chart asks for (seriesMany): `metric` of `algorithmId` over [from, to) in at
// most `maxPoints` buckets.
struct SeriesQuery
{
    QString algorithmId;
    QString metric;
    QDateTime from;
    QDateTime to;
    int maxPoints = 200;
};

// A metric around a change: [t - window, t) against [t, t + window), finite values only.
struct MetricImpact
{
    // Below this many finite values on either side there is no p-value (NaN, Verdict::NoData).
    static constexpr qint64 MinCountForSignificance = 8;
    enum class Verdict
    {
        NoData,      // too few values on a side to judge
        WithinNoise, // p >= alpha
        Moved        // p < alpha: the shift is unlikely to be noise
    };

    double meanBefore = 0; // means and medians are 0 when a side has no finite value
    double medianBefore = 0;
    qint64 countBefore = 0; // finite values
    double meanAfter = 0;
    double medianAfter = 0;
    qint64 countAfter = 0;
    QString metric;
    QString algorithmId;
    // (meanAfter - meanBefore) / |meanBefore|; NaN when a side is empty or meanBefore is 0.
    double relativeChange = std::numeric_limits<double>::quiet_NaN();
    qint64 excludedBefore = 0; // NaN, ±Infinity and NULL rows left out of each side
    qint64 excludedAfter = 0;
    // Two-sided Mann-Whitney U test of before against after (ties averaged, tie-corrected
    // normal approximation with continuity correction, as scipy's method="asymptotic");
    // NaN when either side has fewer than MinCountForSignificance values.
    double pValue = std::numeric_limits<double>::quiet_NaN();
    // The agent's other changelog entries with modified_at in [t - w, t + w), oldest first,
    // without the change itself and its change set's entries.
    QList<ChangelogEntry> othersInWindow;

    Verdict verdict(double alpha = 0.05) const;
};

// A past change and what it did to each metric of its agent.
struct PastChangeImpact
{
    ChangelogEntry change;
    QList<MetricImpact> impacts; // by metric name
};

// A change not made yet (the parameter editor's pending edit).
struct PendingChange
{
    QString parameter;
    QString oldValue;
    QString newValue;
};

// What past changes like a pending one did to a metric.
struct MetricOutlook
{
    QString metric;
    int changes = 0; // past changes with a relative change of this metric (both means, before ≠ 0)
    double medianRelativeChange = std::numeric_limits<double>::quiet_NaN();
    double consistency = std::numeric_limits<double>::quiet_NaN(); // share with the median's sign
};

// The past changes like `change`: the same parameter of the agent in the same direction (both
// values numbers: new > old is up, < down, = level), or, when either value is not a number, to
// the same new value. pastChanges 0: no history (metrics empty).
struct ChangeOutlook
{
    PendingChange change;
    int pastChanges = 0;
    QList<MetricOutlook> metrics; // by metric name
};

// Reads algorithm_metrics (and the changelog entries to mark on a chart) on one named Qt Sql
// connection, on its thread. Each read is one round trip of unnamed statements with bound
// values (works through a pooler in transaction pooling).
class MetricsRepository
{
public:
    explicit MetricsRepository(const QSqlDatabase &database);
    ~MetricsRepository();
    MetricsRepository(const MetricsRepository &) = delete;
    MetricsRepository &operator=(const MetricsRepository &) = delete;

    // Every agent's algorithm_id, A2 before A10 (shorter first, then by text).
    std::optional<QStringList> agentIds(DbError *error);
    // The algorithm's metric names, sorted.
    std::optional<QStringList> metricNames(const QString &algorithmId, DbError *error);
    // The metric in [from, to) in at most maxPoints buckets of equal width
    // ceil((to - from) / maxPoints) seconds (at least 1 s) starting at `from`; empty buckets are
    // left out. Aggregated server-side with date_bin in one query.
    std::optional<QList<MetricBucket>> series(const QString &algorithmId, const QString &metric,
                                              const QDateTime &from, const QDateTime &to,
                                              int maxPoints, DbError *error);
    // Every query's series as series() reads it, in order, in one round trip (one statement
    // each, one snapshot): the curves of a chart at once, however many.
    std::optional<QList<QList<MetricBucket>>> seriesMany(const QList<SeriesQuery> &queries,
                                                         DbError *error);
    // The algorithm's changelog entries with modified_at in [from, to), oldest first.
    std::optional<QList<ChangelogEntry>> changeMarkers(const QString &algorithmId,
                                                       const QDateTime &from, const QDateTime &to,
                                                       DbError *error);
    // Mean, median and count of the metric (of the entry's algorithm) before and after the
    // entry's modified_at, each side `windowSeconds` wide; means and medians are 0 when a side
    // has no rows. impacts() for one metric.
    std::optional<MetricImpact> impact(const ChangelogEntry &change, const QString &metric,
                                       qint64 windowSeconds, DbError *error);
    // The impact of `change` on each of `metrics` (empty: every metric the agent has; a named
    // metric without rows comes with counts 0), sorted by metric name; one round trip.
    std::optional<QList<MetricImpact>> impacts(const ChangelogEntry &change,
                                               const QStringList &metrics, qint64 windowSeconds,
                                               DbError *error);
    // As impacts(), for a change set: its time is its entries' modified_at (the earliest), its
    // agent theirs (a change set over several agents gives each agent's metrics, by metric then
    // agent). An unknown change set is an error with SQLSTATE P0002. One round trip.
    std::optional<QList<MetricImpact>> changeSetImpacts(const QString &changeSet,
                                                        const QStringList &metrics,
                                                        qint64 windowSeconds, DbError *error);
    // The `limit` newest dated changes of the agent's `parameter`, newest first, each with its
    // impacts on every metric of the agent (as impacts()); one round trip.
    std::optional<QList<PastChangeImpact>> parameterImpacts(const QString &algorithmId,
                                                            const QString &parameter,
                                                            qint64 windowSeconds, int limit,
                                                            DbError *error);
    // For each pending change, in order, what the agent's past changes like it did to each of its
    // metrics (each past change's relative change of the mean over `windowSeconds` before and
    // after it); the pending changes go to the server as arrays, one round trip.
    std::optional<QList<ChangeOutlook>> outlook(const QString &algorithmId,
                                                const QList<PendingChange> &pending,
                                                qint64 windowSeconds, DbError *error);
    // The changelog entry `id`; an unknown id is an error with SQLSTATE P0002.
    std::optional<ChangelogEntry> changelogEntry(const QString &id, DbError *error);

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
