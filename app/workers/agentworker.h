#pragma once

#include "db/changelistener.h"
#include "db/connectionoptions.h"
#include "db/databaseworker.h"
#include "db/dberror.h"
#include "repositories/agentrepository.h"
#include "repositories/metricsrepository.h"
#include "repositories/parameterrepository.h"
#include "repositories/privileges.h"

#include <QObject>
#include <QStringList>

#include <memory>

// The database work of the Agents panel: its typed requests on a DatabaseWorker (a thread of
// its own with one named QPSQL connection), the repositories on that connection, and the
// change feed (LISTEN algoadmin_changes) on a second one. start() it, setConnection(), then
// call the requests from the GUI thread: each returns at once with a request id and answers
// with a signal carrying value structs (queued to the receiver's thread), exactly once.
class AgentWorker : public DatabaseWorker
{
    Q_OBJECT

public:
    AgentWorker();

    int loadAgents(const AgentFilter &filter);      // → agentsLoaded; the latest wins
    int loadParameters(const QString &algorithmId); // → parametersLoaded
    // What `names` hold now and who set them, when and why → latestChangesLoaded.
    int loadLatestChanges(const QString &algorithmId, const QStringList &names);
    int simulate(const QList<ParameterChange> &changes, const QString &reason, int userId);
    // What the agent's past changes like `pending` did to its metrics, `windowSeconds` before
    // against after each (MetricsRepository::outlook, one round trip) → outlookLoaded.
    int loadOutlook(const QString &algorithmId, const QList<PendingChange> &pending,
                    qint64 windowSeconds);
    int apply(const QList<ParameterChange> &changes, const QString &reason, int userId);
    int setActive(const QString &algorithmId, bool active, const QString &reason, int userId);

Q_SIGNALS:
    // The connection is open and the role's privileges read (setConnection's answer).
    void connectionOpened(const Privileges &privileges);
    void agentsLoaded(int request, const QList<Agent> &agents, const DbError &error);
    // The agent's row as it is now (config, last modified) with its parameters and drift.
    void parametersLoaded(int request, const Agent &agent, const QList<Parameter> &parameters,
                          const ConfigDrift &drift, const DbError &error);
    void latestChangesLoaded(int request, const QList<ParameterConflict> &changes,
                             const DbError &error);
    void simulated(int request, const SimulateResult &result, const DbError &error);
    void outlookLoaded(int request, const QList<ChangeOutlook> &outlook, const DbError &error);
    void applied(int request, const ApplyResult &result, const DbError &error);
    void activeSet(int request, const QString &algorithmId, bool active, const DbError &error);
    // A parameter changed: from the change feed, with `own` set for this worker's applies.
    void changeReceived(const ParameterChangeNotice &notice);

protected:
    DbError prepareConnection(const QSqlDatabase &database) override;
    void releaseConnection() override;

private:
    void noteOwnChangeSet(const QString &changeSet);

    // Worker-thread state, made by prepareConnection().
    std::unique_ptr<AgentRepository> m_agents;
    std::unique_ptr<ParameterRepository> m_parameters;
    std::unique_ptr<MetricsRepository> m_metrics;
    ChangeListener *m_listener = nullptr;
    // The change sets of this worker's applies, newest last, a bounded number of them: their
    // notices come back through the feed.
    QStringList m_ownChangeSets;
};
