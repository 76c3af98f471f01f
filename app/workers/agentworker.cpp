#include "workers/agentworker.h"

#include "db/sqldatabase.h"

AgentWorker::AgentWorker()
    : DatabaseWorker(QStringLiteral("agents"))
{}

DbError AgentWorker::prepareConnection(const QSqlDatabase &database)
{
    m_agents = std::make_unique<AgentRepository>(database);
    m_parameters = std::make_unique<ParameterRepository>(database);
    m_metrics = std::make_unique<MetricsRepository>(database);
    DbError error;
    const Privileges privileges = readPrivileges(database, &error);
    if (error.isError())
        return error; // the change feed is started with the connection, not before
    // The change feed on a connection of its own; it reconnects by itself when it drops.
    ConnectionOptions listening = connectionOptions();
    listening.applicationName += QStringLiteral(" (changes)");
    m_listener = new ChangeListener(listening, this);
    connect(
        m_listener, &ChangeListener::changeReceived, this, [this](ParameterChangeNotice notice) {
            // An apply's notices are handled after its answer (both on this thread), so
            // its change set is known by then.
            notice.own = !notice.changeSet.isEmpty() && m_ownChangeSets.contains(notice.changeSet);
            Q_EMIT changeReceived(notice);
        });
    m_listener->start();
    Q_EMIT connectionOpened(privileges);
    return {};
}

void AgentWorker::releaseConnection()
{
    delete m_listener;
    m_listener = nullptr;
    m_agents.reset();
    m_parameters.reset();
    m_metrics.reset();
}

int AgentWorker::loadAgents(const AgentFilter &filter)
{
    return enqueue(
        [this, filter](int request) {
            DbError error;
            QList<Agent> agents;
            if (ensureOpen(&error, "agents"))
                agents = m_agents->list(filter, &error);
            noteFailure(error);
            Q_EMIT agentsLoaded(request, agents, error);
        },
        [this](int request) {
            Q_EMIT agentsLoaded(request, {}, droppedError(QStringLiteral("list agents")));
        },
        "agents"); // a newer list makes this one pointless
}

int AgentWorker::loadParameters(const QString &algorithmId)
{
    return enqueue(
        [this, algorithmId](int request) {
            AgentDetail detail;
            DbError error;
            if (ensureOpen(&error, "agents")) {
                detail = m_agents->loadDetail(algorithmId, &error);
                if (!error.isError() && !detail.found) {
                    error.what = QStringLiteral("load agent");
                    error.message = QStringLiteral("there is no agent %1").arg(algorithmId);
                }
            }
            noteFailure(error);
            Q_EMIT parametersLoaded(request, detail.agent, detail.parameters, detail.drift, error);
        },
        [this](int request) {
            Q_EMIT parametersLoaded(request, {}, {}, {},
                                    droppedError(QStringLiteral("load agent")));
        });
}

int AgentWorker::loadLatestChanges(const QString &algorithmId, const QStringList &names)
{
    return enqueue(
        [this, algorithmId, names](int request) {
            DbError error;
            QList<ParameterConflict> changes;
            if (ensureOpen(&error, "agents"))
                changes = m_parameters->latestChanges(algorithmId, names, &error);
            noteFailure(error);
            Q_EMIT latestChangesLoaded(request, changes, error);
        },
        [this](int request) {
            Q_EMIT latestChangesLoaded(request, {},
                                       droppedError(QStringLiteral("read the newest changes")));
        });
}

int AgentWorker::simulate(const QList<ParameterChange> &changes, const QString &reason, int userId)
{
    return enqueue(
        [this, changes, reason, userId](int request) {
            SimulateResult result;
            DbError error;
            if (ensureOpen(&error, "agents"))
                result = m_parameters->simulate(changes, reason, userId, &error);
            noteFailure(error);
            Q_EMIT simulated(request, result, error);
        },
        [this](int request) {
            Q_EMIT simulated(request, {}, droppedError(QStringLiteral("preview")));
        });
}

int AgentWorker::loadOutlook(const QString &algorithmId, const QList<PendingChange> &pending,
                             qint64 windowSeconds)
{
    return enqueue(
        [this, algorithmId, pending, windowSeconds](int request) {
            QList<ChangeOutlook> outlook;
            DbError error;
            if (ensureOpen(&error, "agents"))
                outlook = m_metrics->outlook(algorithmId, pending, windowSeconds, &error)
                              .value_or(QList<ChangeOutlook>());
            noteFailure(error);
            Q_EMIT outlookLoaded(request, outlook, error);
        },
        [this](int request) {
            Q_EMIT outlookLoaded(request, {}, droppedError(QStringLiteral("look up past changes")));
        },
        "outlook");
}

int AgentWorker::apply(const QList<ParameterChange> &changes, const QString &reason, int userId)
{
    return enqueue(
        [this, changes, reason, userId](int request) {
            ApplyResult result;
            DbError error;
            if (ensureOpen(&error, "agents"))
                result = m_parameters->apply(changes, reason, userId, &error);
            else
                result.retryable = true;
            noteOwnChangeSet(result.changeSet); // also when the answer was lost: it may commit
            noteFailure(error);
            Q_EMIT applied(request, result, error);
        },
        [this](int request) {
            ApplyResult result;
            result.retryable = true; // never sent: nothing was committed
            Q_EMIT applied(request, result, droppedError(QStringLiteral("apply")));
        });
}

int AgentWorker::setActive(const QString &algorithmId, bool active, const QString &reason,
                           int userId)
{
    return enqueue(
        [this, algorithmId, active, reason, userId](int request) {
            DbError error;
            if (ensureOpen(&error, "agents"))
                m_agents->setActive(algorithmId, active, reason, userId, &error);
            noteFailure(error);
            Q_EMIT activeSet(request, algorithmId, active, error);
        },
        [this, algorithmId, active](int request) {
            Q_EMIT activeSet(request, algorithmId, active,
                             droppedError(QStringLiteral("set agent active")));
        });
}

void AgentWorker::noteOwnChangeSet(const QString &changeSet)
{
    if (changeSet.isEmpty())
        return;
    m_ownChangeSets.append(changeSet);
    // Notices arrive within moments of their apply; a few hundred cover any backlog.
    if (m_ownChangeSets.size() > 256)
        m_ownChangeSets.removeFirst();
}
