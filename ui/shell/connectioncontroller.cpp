#include "connectioncontroller.h"

#include "auditidentity.h"
#include "workers/sandboxworker.h"

ConnectionController::ConnectionController(QObject *parent)
    : QObject(parent)
    , m_sandbox(new SandboxWorker)
{
    connect(m_sandbox, &SandboxWorker::opened, this, &ConnectionController::sandboxOpened);
    m_sandbox->start();
    connect(&m_monitor, &ConnectionMonitor::connected, this,
            &ConnectionController::monitorConnected);
    connect(&m_monitor, &ConnectionMonitor::connectFailed, this,
            [this](const ServerInfo &info) { Q_EMIT openFailed(m_target.name, info.error); });
    connect(&m_monitor, &ConnectionMonitor::roundTripMeasured, this,
            &ConnectionController::roundTripMeasured);
    connect(&m_monitor, &ConnectionMonitor::connectionLost, this,
            [this](const DbError &error, int retryInMs) { Q_EMIT lost(error, retryInMs, 0); });
    connect(&m_monitor, &ConnectionMonitor::reconnectFailed, this,
            [this](const DbError &error, int attempt, int retryInMs) {
                Q_EMIT lost(error, retryInMs, attempt);
            });
    connect(&m_monitor, &ConnectionMonitor::reconnected, this, &ConnectionController::reconnected);
}

ConnectionController::~ConnectionController()
{
    // We stop a private server we started; one started by `algoadmin local start` is left
    // running. A sandbox still starting finishes first (initdb cannot be interrupted halfway
    // safely). All of it is local work: no network is waited on.
    m_sandbox->stopStarted();
    m_sandbox->shutdown(QDeadlineTimer(120'000));
}

void ConnectionController::open(const ConnectionTarget &target)
{
    m_monitor.stop();
    m_target = target;
    m_context = {};
    Q_EMIT closed();
    if (!target.local) {
        Q_EMIT opening(tr("Connecting to %1…").arg(target.name));
        m_monitor.start(target.options);
        return;
    }
    if (m_sandboxRequest) {
        // The one starting already is the one asked for; its result opens it.
        Q_EMIT opening(tr("Starting the local sandbox…"));
        return;
    }
    Q_EMIT opening(target.demo ? tr("Starting the local sandbox with demo data…")
                               : tr("Starting the local sandbox…"));
    m_sandboxRequest = m_sandbox->open(target.dataDir, target.demo);
}

void ConnectionController::close()
{
    m_monitor.stop();
    m_context = {};
    Q_EMIT closed();
}

void ConnectionController::sandboxOpened(int request, const SandboxResult &result)
{
    if (request != m_sandboxRequest)
        return;
    m_sandboxRequest = 0;
    if (!m_target.local)
        return; // another target was chosen meanwhile
    if (!result.error.isEmpty()) {
        DbError error;
        error.what = tr("local sandbox");
        error.message = result.error;
        Q_EMIT openFailed(m_target.name, error);
        return;
    }
    int applied = 0;
    for (const MigrationOutcome &migration : result.migration.migrations)
        applied += migration.state == MigrationOutcome::State::Applied;
    Q_EMIT message(result.seeded
                       ? tr("Local sandbox ready: %n migration(s) applied, demo data "
                            "added",
                            nullptr, applied)
                       : tr("Local sandbox ready: %n migration(s) applied", nullptr, applied));
    m_target.options = result.connection;
    m_monitor.start(result.connection);
}

void ConnectionController::monitorConnected(const ServerInfo &info)
{
    m_context.profileName = m_target.name;
    m_context.options = m_target.options;
    // A profile without one may have had an id set when it first wrote (AuditIdentity).
    m_context.auditUserId = m_target.auditUserId.isEmpty()
                                ? AuditIdentity::remembered(m_target.name)
                                : m_target.auditUserId;
    m_context.production = m_target.production;
    m_context.readOnly = info.readOnly;
    m_context.readOnlyReason = info.readOnlyReason;
    Q_EMIT opened(m_context, info);
}
