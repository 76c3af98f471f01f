#include "workers/metricsworker.h"

MetricsWorker::MetricsWorker()
    : DatabaseWorker(QStringLiteral("metrics"))
{}

DbError MetricsWorker::prepareConnection(const QSqlDatabase &database)
{
    m_metrics = std::make_unique<MetricsRepository>(database);
    m_travel = std::make_unique<TimeTravelRepository>(database);
    Q_EMIT connectionOpened();
    return {};
}

void MetricsWorker::releaseConnection()
{
    m_metrics.reset();
    m_travel.reset();
}

int MetricsWorker::loadAgents()
{
    return read<QStringList>(
        "list the agents", "agents",
        [this](DbError *error) { return m_metrics->agentIds(error).value_or(QStringList()); },
        [this](int id, const QStringList &agents, const DbError &error) {
            Q_EMIT agentsLoaded(id, agents, error);
        });
}

int MetricsWorker::loadMetricNames(const QString &agent)
{
    return read<QStringList>(
        "list the metrics", "names",
        [this, agent](DbError *error) {
            return m_metrics->metricNames(agent, error).value_or(QStringList());
        },
        [this, agent](int id, const QStringList &names, const DbError &error) {
            Q_EMIT metricNamesLoaded(id, agent, names, error);
        });
}

int MetricsWorker::loadExtent(const QString &agent, const QString &metric)
{
    using Range = std::pair<QDateTime, QDateTime>;
    return read<Range>(
        "read a metric's time range", "extent",
        [this, agent, metric](DbError *error) {
            return m_metrics->extent(agent, metric, error).value_or(Range());
        },
        [this](int id, const Range &range, const DbError &error) {
            Q_EMIT extentLoaded(id, range.first, range.second, error);
        });
}

int MetricsWorker::loadSeries(const QList<MetricSeriesRequest> &series, bool live)
{
    using Curves = QList<QList<MetricBucket>>;
    return read<Curves>(
        "read a metric series", live ? "live" : "series",
        [this, series](DbError *error) {
            QList<SeriesQuery> queries;
            for (const MetricSeriesRequest &s : series)
                queries.append({s.agent, s.metric, s.from.addSecs(-s.shiftSeconds),
                                s.to.addSecs(-s.shiftSeconds), s.points});
            Curves curves = m_metrics->seriesMany(queries, error).value_or(Curves());
            curves.resize(series.size());
            for (qsizetype i = 0; i < series.size(); ++i) {
                const qint64 shift = series.at(i).shiftSeconds;
                for (MetricBucket &bucket : curves[i]) {
                    bucket.start = bucket.start.addSecs(shift);
                    bucket.end = bucket.end.addSecs(shift);
                }
            }
            return curves;
        },
        [this, series](int id, const Curves &curves, const DbError &error) {
            Q_EMIT seriesLoaded(id, series, curves, error);
        });
}

int MetricsWorker::loadMarkers(const QString &agent, const QDateTime &from, const QDateTime &to)
{
    return read<QList<ChangelogEntry>>(
        "read the change markers", "markers",
        [this, agent, from, to](DbError *error) {
            return m_metrics->changeMarkers(agent, from, to, error)
                .value_or(QList<ChangelogEntry>());
        },
        [this](int id, const QList<ChangelogEntry> &entries, const DbError &error) {
            Q_EMIT markersLoaded(id, entries, error);
        });
}

int MetricsWorker::loadImpact(const ChangelogEntry &change, const QString &metric,
                              qint64 windowSeconds)
{
    return read<MetricImpact>(
        "measure a change's impact", "impact",
        [this, change, metric, windowSeconds](DbError *error) {
            return m_metrics->impact(change, metric, windowSeconds, error).value_or(MetricImpact());
        },
        [this, change](int id, const MetricImpact &impact, const DbError &error) {
            Q_EMIT impactLoaded(id, change, impact, error);
        });
}

int MetricsWorker::loadInEffect(const QString &agent, const QDateTime &moment)
{
    return read<ConfigAt>(
        "read the values in effect", "ineffect",
        [this, agent, moment](DbError *error) {
            return m_travel->configAt(agent, moment, error).value_or(ConfigAt());
        },
        [this](int id, const ConfigAt &config, const DbError &error) {
            Q_EMIT inEffectLoaded(id, config, error);
        });
}

int MetricsWorker::loadParameterImpacts(const QString &agent, const QString &parameter,
                                        qint64 windowSeconds, int limit)
{
    return read<QList<PastChangeImpact>>(
        "read a parameter's past changes", "history",
        [this, agent, parameter, windowSeconds, limit](DbError *error) {
            return m_metrics->parameterImpacts(agent, parameter, windowSeconds, limit, error)
                .value_or(QList<PastChangeImpact>());
        },
        [this, parameter](int id, const QList<PastChangeImpact> &changes, const DbError &error) {
            Q_EMIT parameterImpactsLoaded(id, parameter, changes, error);
        });
}
