#pragma once

#include "agentrepository.h"
#include "changelistener.h"
#include "connectionoptions.h"
#include "dberror.h"
#include "parameterrepository.h"
#include "privileges.h"

#include <QObject>
#include <QStringList>

#include <memory>
#include <mutex>

// Where an agent's current_config disagrees with its parameter rows, compared exactly on the
// server with the typing of sql/007 (numbers as numeric, booleans, strings; a NULL value =
// key absent). Empty lists: no drift.
struct ConfigDrift
{
    QStringList differing; // parameter names whose config entry differs from the row
    QStringList missing;   // parameter names with a value but no config entry
    QStringList extra;     // config keys with no parameter row
    bool isDrifted() const
    {
        return !differing.isEmpty() || !missing.isEmpty() || !extra.isEmpty();
    }
};

// The database work of the Agents panel on a thread of its own: one named QPSQL connection
// (opened on that thread), the repositories of issue 3 on it, and the change feed (LISTEN
// algoadmin_changes) on a second connection. Create it, moveToThread() a QThread, start the
// thread, then call the methods below from the GUI thread: each returns at once with a request
// id and answers with a signal carrying value structs (Qt::AutoConnection queues them to the
// receiver's thread). Requests run in the order given; cancel() stops the one running.
class AgentWorker : public QObject
{
    Q_OBJECT

public:
    explicit AgentWorker(QObject *parent = nullptr);
    ~AgentWorker() override; // closes its connections (call from its own thread or after it ended)

    // Opens the connections for `options` (dropping earlier ones) and starts the change feed;
    // an invalid/empty context closes them. Answers with connectionOpened or connectionFailed.
    void setConnection(const ConnectionOptions &options);

    int loadAgents(const AgentFilter &filter);      // → agentsLoaded
    int loadParameters(const QString &algorithmId); // → parametersLoaded
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
    void simulated(int request, const SimulateResult &result);
    void applied(int request, const ApplyResult &result);
    void activeSet(int request, const QString &algorithmId, bool active, const DbError &error);
    // Another client (or this one) changed a parameter: from the change feed.
    void changeReceived(const ParameterChangeNotice &notice);
    // A request failed because the connection is gone (also reported in its own answer).
    void connectionLost(const DbError &error);
};
