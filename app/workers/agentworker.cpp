#include "workers/agentworker.h"

#include "db/sqldatabase.h"

#include <QThread>

#include <thread>

AgentWorker::AgentWorker(QObject *parent)
    : QObject(parent)
    , m_connectionName(QStringLiteral("agents-%1").arg(quintptr(this), 0, 16))
{}

AgentWorker::~AgentWorker()
{
    closeConnections();
}

// What a request that never ran answers: setConnection()/clearConnection() came after it.
static DbError droppedError(const QString &what)
{
    DbError error;
    error.what = what;
    error.message = QStringLiteral("not sent: the connection was changed before it ran");
    return error;
}

// Runs `work` on the worker's thread, or, when setConnection()/clearConnection() came in
// between, `dropped`: every request is answered exactly once, so that no caller waits forever.
template <typename Work, typename Dropped> int AgentWorker::enqueue(Work work, Dropped dropped)
{
    const int request = ++m_nextRequest;
    const int generation = m_generation;
    QMetaObject::invokeMethod(this, [this, work, dropped, request, generation] {
        if (generation == m_generation)
            work(request);
        else
            dropped(request);
    });
    return request;
}

void AgentWorker::setConnection(const ConnectionOptions &options)
{
    const int generation = ++m_generation;
    QMetaObject::invokeMethod(this, [this, options, generation] {
        if (generation != m_generation)
            return;
        m_options = options;
        m_hasOptions = true;
        open();
    });
}

void AgentWorker::clearConnection()
{
    const int generation = ++m_generation;
    QMetaObject::invokeMethod(this, [this, generation] {
        if (generation != m_generation)
            return;
        m_hasOptions = false;
        closeConnections();
    });
}

void AgentWorker::closeConnections()
{
    {
        std::lock_guard lock(m_cancelMutex);
        m_cancel.reset();
    }
    delete m_listener;
    m_listener = nullptr;
    m_agents.reset();
    m_parameters.reset();
    if (m_database.isValid()) {
        m_database = QSqlDatabase();
        SqlDatabase::close(m_connectionName);
    }
}

void AgentWorker::open()
{
    closeConnections();
    DbError error;
    m_database = SqlDatabase::open(m_options, m_connectionName, &error);
    if (error.isError() || !m_database.isOpen()) {
        m_database = QSqlDatabase();
        SqlDatabase::close(m_connectionName);
        Q_EMIT connectionFailed(error);
        return;
    }
    m_agents = std::make_unique<AgentRepository>(m_database);
    m_parameters = std::make_unique<ParameterRepository>(m_database);
    if (PGconn *handle = SqlDatabase::nativeHandle(m_database)) {
        std::lock_guard lock(m_cancelMutex);
        m_cancel = std::shared_ptr<PGcancel>(PQgetCancel(handle), &PQfreeCancel);
    }
    const Privileges privileges = readPrivileges(m_database, &error);
    if (error.isError()) {
        // Half open is not open: the next request tries again from the start, change feed
        // included.
        closeConnections();
        Q_EMIT connectionFailed(error);
        return;
    }
    // The change feed on a connection of its own; it reconnects by itself when it drops.
    ConnectionOptions listening = m_options;
    listening.applicationName += QStringLiteral(" (changes)");
    m_listener = new ChangeListener(listening, this);
    connect(m_listener, &ChangeListener::changeReceived, this, &AgentWorker::changeReceived);
    m_listener->start();
    Q_EMIT connectionOpened(privileges);
}

bool AgentWorker::ensureOpen(DbError *error)
{
    if (m_agents && m_database.isOpen())
        return true;
    if (!m_hasOptions) {
        error->what = QStringLiteral("agents");
        error->message = QStringLiteral("not connected");
        error->sqlState = QStringLiteral("08003");
        return false;
    }
    // The connection was lost earlier: one attempt to open it again for this request.
    open();
    if (m_agents && m_database.isOpen())
        return true;
    error->what = QStringLiteral("agents");
    error->message = QStringLiteral("no connection to the server");
    error->sqlState = QStringLiteral("08006");
    return false;
}

void AgentWorker::noteFailure(const DbError &error)
{
    if (!error.isConnectionLoss())
        return;
    // The next request reconnects; the panel hears of the loss now.
    {
        std::lock_guard lock(m_cancelMutex);
        m_cancel.reset();
    }
    m_agents.reset();
    m_parameters.reset();
    m_database.close();
    Q_EMIT connectionLost(error);
}

int AgentWorker::loadAgents(const AgentFilter &filter)
{
    return enqueue(
        [this, filter](int request) {
            DbError error;
            QList<Agent> agents;
            if (ensureOpen(&error))
                agents = m_agents->list(filter, &error);
            noteFailure(error);
            Q_EMIT agentsLoaded(request, agents, error);
        },
        [this](int request) {
            Q_EMIT agentsLoaded(request, {}, droppedError(QStringLiteral("list agents")));
        });
}

int AgentWorker::loadParameters(const QString &algorithmId)
{
    return enqueue(
        [this, algorithmId](int request) {
            AgentDetail detail;
            if (ensureOpen(&detail.error)) {
                detail = m_agents->loadDetail(algorithmId);
                if (!detail.error.isError() && !detail.found) {
                    detail.error.what = QStringLiteral("load agent");
                    detail.error.message = QStringLiteral("there is no agent %1").arg(algorithmId);
                }
            }
            noteFailure(detail.error);
            Q_EMIT parametersLoaded(request, detail.agent, detail.parameters, detail.drift,
                                    detail.error);
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
            if (ensureOpen(&error))
                changes = m_parameters->latestChanges(algorithmId, names, &error);
            noteFailure(error);
            Q_EMIT latestChangesLoaded(request, changes, error);
        },
        [this](int request) {
            Q_EMIT latestChangesLoaded(request, {},
                                       droppedError(QStringLiteral("read the newest changes")));
        });
}

int AgentWorker::simulate(const QList<ParameterChange> &changes, int userId, const QString &reason)
{
    return enqueue(
        [this, changes, userId, reason](int request) {
            SimulateResult result;
            if (ensureOpen(&result.error))
                result = m_parameters->simulate(changes, userId, reason);
            noteFailure(result.error);
            Q_EMIT simulated(request, result);
        },
        [this](int request) {
            SimulateResult result;
            result.error = droppedError(QStringLiteral("preview"));
            Q_EMIT simulated(request, result);
        });
}

int AgentWorker::apply(const QList<ParameterChange> &changes, const QString &reason, int userId)
{
    return enqueue(
        [this, changes, reason, userId](int request) {
            ApplyResult result;
            if (ensureOpen(&result.error))
                result = m_parameters->apply(changes, reason, userId);
            else
                result.retryable = true;
            noteFailure(result.error);
            Q_EMIT applied(request, result);
        },
        [this](int request) {
            ApplyResult result;
            result.error = droppedError(QStringLiteral("apply"));
            result.retryable = true; // never sent: nothing was committed
            Q_EMIT applied(request, result);
        });
}

int AgentWorker::setActive(const QString &algorithmId, bool active, const QString &reason,
                           int userId)
{
    return enqueue(
        [this, algorithmId, active, reason, userId](int request) {
            DbError error;
            if (ensureOpen(&error))
                m_agents->setActive(algorithmId, active, reason, userId, &error);
            noteFailure(error);
            Q_EMIT activeSet(request, algorithmId, active, error);
        },
        [this, algorithmId, active](int request) {
            Q_EMIT activeSet(request, algorithmId, active,
                             droppedError(QStringLiteral("set agent active")));
        });
}

void AgentWorker::cancel()
{
    std::shared_ptr<PGcancel> cancel;
    {
        std::lock_guard lock(m_cancelMutex);
        cancel = m_cancel;
    }
    if (!cancel)
        return;
    // PQcancel opens a connection to the server: never on the caller's (GUI) thread. The
    // shared pointer keeps the cancel object alive until the request has gone.
    std::thread([cancel] {
        char message[256];
        PQcancel(cancel.get(), message, sizeof message);
    }).detach();
}
