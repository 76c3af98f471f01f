#pragma once

#include "repositories/agentrepository.h"
#include "db/changelistener.h"
#include "db/connectionoptions.h"
#include "db/dberror.h"
#include "repositories/parameterrepository.h"
#include "repositories/privileges.h"

#include <QObject>
#include <QSqlDatabase>
#include <QStringList>

#include <atomic>
#include <memory>
#include <mutex>

#include <libpq-fe.h>

// The database work of the Agents panel on a thread of its own: one named QPSQL connection
// (opened on that thread), the repositories of issue 3 on it, and the change feed (LISTEN
// algoadmin_changes) on a second connection. Create it, moveToThread() a QThread, start the
// thread, then call the methods below from the GUI thread: each returns at once with a request
// id and answers with a signal carrying value structs (Qt::AutoConnection queues them to the
// receiver's thread). Requests run in the order given and each is answered exactly once (one
// that setConnection()/clearConnection() overtook answers "not sent" without running);
// cancel() stops the one running.
class AgentWorker : public QObject
{
    Q_OBJECT

public:
    explicit AgentWorker(QObject *parent = nullptr);
    ~AgentWorker() override; // closes its connections (call from its own thread or after it ended)

    // Opens the connections for `options` (dropping earlier ones, and whatever was queued for
    // them) and starts the change feed. Answers with connectionOpened or connectionFailed.
    void setConnection(const ConnectionOptions &options);
    // Closes the connections; queued requests are dropped.
    void clearConnection();

    int loadAgents(const AgentFilter &filter);      // → agentsLoaded
    int loadParameters(const QString &algorithmId); // → parametersLoaded
    // What `names` hold now and who set them, when and why → latestChangesLoaded.
    int loadLatestChanges(const QString &algorithmId, const QStringList &names);
    int simulate(const QList<ParameterChange> &changes, int userId, const QString &reason);
    int apply(const QList<ParameterChange> &changes, const QString &reason, int userId);
    int setActive(const QString &algorithmId, bool active, const QString &reason, int userId);

    // Thread-safe, never waits on the network: asks the server to stop the statement now
    // running (PQcancel from a helper thread); the request then answers with its error
    // (SQLSTATE 57014).
    void cancel();

Q_SIGNALS:
    void connectionOpened(const Privileges &privileges);
    void connectionFailed(const DbError &error);
    void agentsLoaded(int request, const QList<Agent> &agents, const DbError &error);
    // The agent's row as it is now (config, last modified) with its parameters and drift.
    void parametersLoaded(int request, const Agent &agent, const QList<Parameter> &parameters,
                          const ConfigDrift &drift, const DbError &error);
    void latestChangesLoaded(int request, const QList<ParameterConflict> &changes,
                             const DbError &error);
    void simulated(int request, const SimulateResult &result);
    void applied(int request, const ApplyResult &result);
    void activeSet(int request, const QString &algorithmId, bool active, const DbError &error);
    // Another client (or this one) changed a parameter: from the change feed.
    void changeReceived(const ParameterChangeNotice &notice);
    // A request failed because the connection is gone (also reported in its own answer).
    void connectionLost(const DbError &error);

private:
    template <typename Work, typename Dropped> int enqueue(Work work, Dropped dropped);
    bool ensureOpen(DbError *error);
    void open();
    void closeConnections();
    void noteFailure(const DbError &error);

    std::atomic<int> m_nextRequest{0};
    std::atomic<int> m_generation{
        0}; // bumped by setConnection(): queued work of older ones is dropped
    // Worker-thread state.
    ConnectionOptions m_options;
    bool m_hasOptions = false;
    QString m_connectionName;
    QSqlDatabase m_database;
    std::unique_ptr<AgentRepository> m_agents;
    std::unique_ptr<ParameterRepository> m_parameters;
    ChangeListener *m_listener = nullptr;
    // For cancel() from any thread.
    std::mutex m_cancelMutex;
    std::shared_ptr<PGcancel> m_cancel;
};
