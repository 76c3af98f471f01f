#pragma once

#include "db/databaseworker.h"
#include "db/dberror.h"
#include "repositories/metricsrepository.h"
#include "repositories/timetravel.h"

#include <QDateTime>
#include <QObject>
#include <QStringList>

#include <memory>

// One series a chart asks for: `metric` of `agent` over [from, to) in at most `points` buckets.
// `shiftSeconds` > 0 reads [from - shift, to - shift) instead and moves its buckets forward by
// the shift (week-over-week). `slot` names the chart's curve it is for.
struct MetricSeriesRequest
{
    QString agent;
    QString metric;
    QDateTime from;
    QDateTime to;
    int points = 200;
    qint64 shiftSeconds = 0;
    int slot = 0;
};

// The database work of the Metrics panel on a DatabaseWorker: agents, their metric names, a
// metric's time range, bucketed series (several curves at once), change markers, a change's
// impact and the parameter values in effect at a moment (time travel). Every request answers
// exactly once by its signal, with value structs; the latest of each kind wins. A chart's
// curves come together: one request, one round trip, however many.
class MetricsWorker : public DatabaseWorker
{
    Q_OBJECT

public:
    MetricsWorker();

    static constexpr int MaxSlots = 40;

    int loadAgents();
    int loadMetricNames(const QString &agent);
    int loadExtent(const QString &agent, const QString &metric);
    // Every curve of `series` in one round trip → seriesLoaded. The latest request wins among
    // the chart's (`live` false) and, apart, among follow-live's (`live` true).
    int loadSeries(const QList<MetricSeriesRequest> &series, bool live = false);
    int loadMarkers(const QString &agent, const QDateTime &from, const QDateTime &to);
    int loadImpact(const ChangelogEntry &change, const QString &metric, qint64 windowSeconds);
    int loadInEffect(const QString &agent, const QDateTime &moment);
    // The parameter's `limit` newest changes with what each did to the agent's metrics.
    int loadParameterImpacts(const QString &agent, const QString &parameter, qint64 windowSeconds,
                             int limit);

Q_SIGNALS:
    void connectionOpened();
    void agentsLoaded(int request, const QStringList &agents, const DbError &error);
    void metricNamesLoaded(int request, const QString &agent, const QStringList &names,
                           const DbError &error);
    // Both invalid when the metric has no rows.
    void extentLoaded(int request, const QDateTime &first, const QDateTime &last,
                      const DbError &error);
    // `buckets` by the index of `series` (empty lists on failure).
    void seriesLoaded(int request, const QList<MetricSeriesRequest> &series,
                      const QList<QList<MetricBucket>> &buckets, const DbError &error);
    void markersLoaded(int request, const QList<ChangelogEntry> &entries, const DbError &error);
    void impactLoaded(int request, const ChangelogEntry &change, const MetricImpact &impact,
                      const DbError &error);
    void inEffectLoaded(int request, const ConfigAt &config, const DbError &error);
    void parameterImpactsLoaded(int request, const QString &parameter,
                                const QList<PastChangeImpact> &changes, const DbError &error);

protected:
    DbError prepareConnection(const QSqlDatabase &database) override;
    void releaseConnection() override;

private:
    std::unique_ptr<MetricsRepository> m_metrics;
    std::unique_ptr<TimeTravelRepository> m_travel;
};
