// MetricsRepository's impacts: a change's (an entry's, a change set's, a parameter's past
// changes') before/after comparison of the agent's metrics, with the significance test on the
// server.
#include "db/sqltimestamp.h"
#include "repositories/metricsql.h"
#include "repositories/metricsrepository.h"
#include "repositories/repositorysupport.h"

#include <QHash>

#include <cmath>

using MetricSql::nanOr;

namespace {

// MetricSql::Impacts's select list, in order.
enum ImpactColumn
{
    ImpactMetric,
    ImpactAgent,
    ImpactKey,
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
// changelogEntryFromRow()'s columns end before it.
constexpr int OthersKey = 11;
// The changes of a parameter's history (c's entries), newest first, with their k.
constexpr char kHistoryChanges[] = ALGOADMIN_IMPACT_HEAD
    " o AS (SELECT 0)"
    " SELECT l.id, l.algorithm_id, l.user_id, l.parameter_name, l.old_value, l.new_value,"
    " l.reason, l.modified_at::text, l.db_role, l.source, l.change_set, c.k"
    " FROM c JOIN algorithm_changelog l ON l.id = c.entry_id"
    " ORDER BY c.t DESC, c.k";
// A text that reads as a number (what ::numeric takes, without NaN and Infinity).
#define ALGOADMIN_NUMBER_RE "'^\\s*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?\\s*$'"
// The direction of old -> new, NULL when either is not a number.
#define ALGOADMIN_DIRECTION(oldValue, newValue)                                                    \
    "CASE WHEN " oldValue " ~ " ALGOADMIN_NUMBER_RE " AND " newValue " ~ " ALGOADMIN_NUMBER_RE     \
    " THEN sign(" newValue "::numeric - " oldValue "::numeric) END"
// $1 agent, $2 window seconds, $3/$4/$5 the pending changes' parameters, old and new values
// (text[] of one length). For each pending change i: its past changes (same parameter, same
// direction or the same new value, dated), each past change's relative change of every metric's
// finite mean, and per metric their count, median and the share with the median's sign. One
// row per pending change and metric (metric NULL when none of its past changes measured one).
// clang-format off
constexpr char kOutlook[] =
    "WITH RECURSIVE pend AS ("
    " SELECT u.i, u.parameter, u.new_value, "
    ALGOADMIN_DIRECTION("u.old_value", "u.new_value") " AS dir"
    " FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY"
    "  AS u(parameter, old_value, new_value, i)),"
    " past AS ("
    " SELECT pend.i, l.id AS k, l.modified_at AS t FROM pend JOIN algorithm_changelog l"
    "  ON l.algorithm_id = $1 AND l.parameter_name = pend.parameter AND l.modified_at IS NOT NULL"
    " WHERE CASE WHEN pend.dir IS NOT NULL"
    "  THEN " ALGOADMIN_DIRECTION("l.old_value", "l.new_value") " = pend.dir"
    "  ELSE l.new_value IS NOT DISTINCT FROM pend.new_value END),"
    " known(name) AS ("
    " SELECT (SELECT min(metric_name) FROM algorithm_metrics WHERE algorithm_id = $1)"
    " UNION ALL"
    " SELECT (SELECT min(metric_name) FROM algorithm_metrics"
    "  WHERE algorithm_id = $1 AND metric_name > k.name)"
    " FROM known k WHERE k.name IS NOT NULL),"
    " eff AS ("
    " SELECT past.i, past.k, n.name,"
    "  avg(m.metric_value) FILTER (WHERE m.recorded_at < past.t)::float8 AS mean1,"
    "  avg(m.metric_value) FILTER (WHERE m.recorded_at >= past.t)::float8 AS mean2"
    " FROM past CROSS JOIN known n"
    " JOIN algorithm_metrics m ON m.algorithm_id = $1 AND m.metric_name = n.name"
    "  AND m.recorded_at >= past.t - make_interval(secs => $2::float8)"
    "  AND m.recorded_at < past.t + make_interval(secs => $2::float8)"
    "  AND " ALGOADMIN_FINITE("m.metric_value")
    " GROUP BY past.i, past.k, n.name),"
    " rel AS (SELECT i, name, (mean2 - mean1) / abs(mean1) AS r FROM eff"
    "  WHERE mean1 <> 0 AND mean2 IS NOT NULL),"
    " agg AS (SELECT i, name, count(*) AS changes,"
    "  percentile_cont(0.5) WITHIN GROUP (ORDER BY r) AS med FROM rel GROUP BY i, name)"
    " SELECT pend.i, (SELECT count(*) FROM past WHERE past.i = pend.i),"
    " agg.name, agg.changes, agg.med,"
    " (SELECT count(*) FROM rel WHERE rel.i = agg.i AND rel.name = agg.name"
    "  AND sign(rel.r) = sign(agg.med))::float8 / agg.changes"
    " FROM pend LEFT JOIN agg ON agg.i = pend.i"
    " ORDER BY pend.i, agg.name";
// clang-format on
enum OutlookColumn
{
    OutlookIndex,
    OutlookPastChanges,
    OutlookMetric,
    OutlookChanges,
    OutlookMedian,
    OutlookConsistency
};
// One entry by id; the entries of a change set.
constexpr char kEntry[] =
    "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text AS modified_at_text, db_role, source, change_set"
    " FROM algorithm_changelog WHERE id = $1";
constexpr char kChangeSet[] =
    "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text AS modified_at_text, db_role, source, change_set"
    " FROM algorithm_changelog WHERE change_set = $1 ORDER BY modified_at, id";

// The impacts of a batch's MetricSql::Impacts and MetricSql::OthersInWindow results; `keys` (when
// given) gets each impact's change key (c.k).
QList<MetricImpact> impactsFromRows(const PgResult &rows, const PgResult &others,
                                    QStringList *keys = nullptr)
{
    QList<ChangelogEntry> entries;
    QStringList entryKeys;
    entries.reserve(others.rows());
    for (int row = 0; row < others.rows(); ++row) {
        entries.append(changelogEntryFromRow(others, row));
        entryKeys.append(others.value(row, OthersKey));
    }
    QList<MetricImpact> impacts;
    impacts.reserve(rows.rows());
    for (int row = 0; row < rows.rows(); ++row) {
        MetricImpact m;
        m.metric = rows.value(row, ImpactMetric);
        m.algorithmId = rows.value(row, ImpactAgent);
        const QString key = rows.value(row, ImpactKey);
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
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (entryKeys.at(i) == key && entries.at(i).algorithmId == m.algorithmId)
                m.othersInWindow.append(entries.at(i));
        }
        impacts.append(m);
        if (keys)
            keys->append(key);
    }
    return impacts;
}

} // namespace

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
                                   RepositorySupport::text(change.id),
                                   QByteArray(),
                                   QByteArray()};
    const RepositorySupport::BatchResults batch = MetricSql::run(
        m_database, {{MetricSql::Impacts, values}, {MetricSql::OthersInWindow, values}}, what);
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
    // $1 NULL: MetricSql::Impacts reads the agents and the time from the change set $5.
    const QList<QByteArray> values{QByteArray(),
                                   QByteArray(),
                                   QByteArray::number(windowSeconds),
                                   RepositorySupport::textArray(metrics),
                                   RepositorySupport::text(changeSet),
                                   QByteArray(),
                                   QByteArray(),
                                   QByteArray()};
    const RepositorySupport::BatchResults batch =
        MetricSql::run(m_database,
                       {{kChangeSet, {RepositorySupport::text(changeSet)}},
                        {MetricSql::Impacts, values},
                        {MetricSql::OthersInWindow, values}},
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

std::optional<QList<PastChangeImpact>>
MetricsRepository::parameterImpacts(const QString &algorithmId, const QString &parameter,
                                    qint64 windowSeconds, int limit, DbError *error)
{
    const QString what = QStringLiteral("measure a parameter's past changes");
    // $7 set: MetricSql::Impacts reads the changes from the parameter's history.
    const QList<QByteArray> values{RepositorySupport::text(algorithmId),
                                   QByteArray(),
                                   QByteArray::number(windowSeconds),
                                   RepositorySupport::textArray({}),
                                   QByteArray(),
                                   QByteArray(),
                                   RepositorySupport::text(parameter),
                                   QByteArray::number(qMax(0, limit))};
    const RepositorySupport::BatchResults batch =
        MetricSql::run(m_database,
                       {{kHistoryChanges, values},
                        {MetricSql::Impacts, values},
                        {MetricSql::OthersInWindow, values}},
                       what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    RepositorySupport::report(failure, error);
    if (failure.isError())
        return std::nullopt;
    const PgResult &changes = batch.results.at(0);
    QList<PastChangeImpact> past;
    QHash<QString, qsizetype> byKey;
    for (int row = 0; row < changes.rows(); ++row) {
        byKey.insert(changes.value(row, OthersKey), past.size());
        past.append({changelogEntryFromRow(changes, row), {}});
    }
    QStringList keys;
    const QList<MetricImpact> impacts =
        impactsFromRows(batch.results.at(1), batch.results.at(2), &keys);
    for (qsizetype i = 0; i < impacts.size(); ++i) {
        const auto at = byKey.constFind(keys.at(i));
        if (at != byKey.constEnd())
            past[*at].impacts.append(impacts.at(i));
    }
    return past;
}

std::optional<QList<ChangeOutlook>> MetricsRepository::outlook(const QString &algorithmId,
                                                               const QList<PendingChange> &pending,
                                                               qint64 windowSeconds, DbError *error)
{
    QStringList parameters, oldValues, newValues;
    for (const PendingChange &change : pending) {
        parameters.append(change.parameter);
        oldValues.append(change.oldValue);
        newValues.append(change.newValue);
    }
    const PgResult r =
        query(kOutlook,
              {RepositorySupport::text(algorithmId), QByteArray::number(windowSeconds),
               RepositorySupport::textArray(parameters), RepositorySupport::textArray(oldValues),
               RepositorySupport::textArray(newValues)},
              QStringLiteral("look up what past changes did"), error);
    if (r.isNull())
        return std::nullopt;
    QList<ChangeOutlook> outlooks;
    for (const PendingChange &change : pending)
        outlooks.append({change, 0, {}});
    for (int row = 0; row < r.rows(); ++row) {
        const qsizetype i = r.value(row, OutlookIndex).toLongLong() - 1; // ORDINALITY is 1-based
        if (i < 0 || i >= outlooks.size())
            continue;
        ChangeOutlook &o = outlooks[i];
        o.pastChanges = r.value(row, OutlookPastChanges).toInt();
        if (r.isNull(row, OutlookMetric))
            continue;
        MetricOutlook m;
        m.metric = r.value(row, OutlookMetric);
        m.changes = r.value(row, OutlookChanges).toInt();
        m.medianRelativeChange = nanOr(r, row, OutlookMedian);
        m.consistency = nanOr(r, row, OutlookConsistency);
        o.metrics.append(m);
    }
    return outlooks;
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
