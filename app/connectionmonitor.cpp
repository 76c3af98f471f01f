#include "connectionmonitor.h"

#include "pgconnection.h"

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <memory>

// The heartbeat: the smallest statement that still needs the server to answer.
static const char HeartbeatSql[] = "SELECT 1";

// Lives on the monitor's thread; every slot may block on the network there.
class ConnectionMonitorWorker : public QObject
{
    Q_OBJECT

public:
    explicit ConnectionMonitorWorker(ConnectionMonitor *monitor)
        : m_monitor(monitor)
    {}

    std::atomic<int> generation{0};
    std::atomic<int> heartbeatMs{5000};

    void open(const ConnectionOptions &options, int forGeneration)
    {
        if (forGeneration != generation)
            return;
        ensureTimer();
        m_timer->stop();
        m_connection.reset();
        m_options = options;
        m_active = true;
        m_attempt = 0;
        m_lost = false;
        // One ping: the window waits for this before its panels load.
        const ServerInfo info = probeServer(options, 1);
        if (forGeneration != generation)
            return;
        if (!info.ok()) {
            Q_EMIT m_monitor->connectFailed(info);
            return;
        }
        Q_EMIT m_monitor->connected(info);
        // The heartbeat's own connection is opened after the window heard back.
        if (connectHeartbeat(nullptr)) {
            m_timer->start(heartbeatMs);
            return;
        }
        // The probe got in but a second connection did not (e.g. max_connections): treat it
        // as a loss so that the back-off takes over.
        m_lost = true;
        scheduleRetry();
        Q_EMIT m_monitor->connectionLost(m_lastError, m_timer->interval());
    }

    void close(int forGeneration)
    {
        if (forGeneration != generation)
            return;
        if (m_timer)
            m_timer->stop();
        m_connection.reset();
        m_active = false;
    }

    void tick(int forGeneration)
    {
        if (forGeneration != generation || !m_active)
            return;
        if (m_lost) {
            reconnect();
            return;
        }
        heartbeat();
    }

private:
    void ensureTimer()
    {
        if (m_timer)
            return;
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, [this] { tick(generation); });
    }

    bool connectHeartbeat(DbError *error)
    {
        auto connection = std::make_unique<PgConnection>();
        DbError failure;
        if (!connection->open(m_options, &failure)) {
            m_lastError = failure;
            if (error)
                *error = failure;
            return false;
        }
        m_connection = std::move(connection);
        return true;
    }

    void heartbeat()
    {
        QElapsedTimer clock;
        clock.start();
        const PgResult result = m_connection ? m_connection->exec(HeartbeatSql) : PgResult();
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        if (result.ok()) {
            Q_EMIT m_monitor->roundTripMeasured(ms);
            m_timer->start(heartbeatMs);
            return;
        }
        DbError error = m_connection ? result.error(QStringLiteral("heartbeat"))
                                     : DbError{QStringLiteral("heartbeat"),
                                               {},
                                               QStringLiteral("no connection to the server"),
                                               QStringLiteral("08003"),
                                               {},
                                               {}};
        if (error.message.isEmpty() && m_connection && m_connection->handle())
            error.message = QString::fromUtf8(PQerrorMessage(m_connection->handle())).trimmed();
        if (error.message.isEmpty())
            error.message = QStringLiteral("the server stopped answering");
        m_connection.reset();
        m_lost = true;
        m_attempt = 0;
        m_lastError = error;
        scheduleRetry();
        Q_EMIT m_monitor->connectionLost(error, m_timer->interval());
    }

    void reconnect()
    {
        const ServerInfo info = probeServer(m_options, 1);
        DbError error = info.error;
        if (info.ok() && connectHeartbeat(&error)) {
            m_lost = false;
            m_attempt = 0;
            Q_EMIT m_monitor->reconnected(info);
            m_timer->start(heartbeatMs);
            return;
        }
        const int failedAttempt = m_attempt;
        scheduleRetry();
        Q_EMIT m_monitor->reconnectFailed(error, failedAttempt, m_timer->interval());
    }

    void scheduleRetry()
    {
        ++m_attempt;
        m_timer->start(ConnectionMonitor::backoffMs(m_attempt));
    }

    ConnectionMonitor *m_monitor;
    ConnectionOptions m_options;
    std::unique_ptr<PgConnection> m_connection;
    QTimer *m_timer = nullptr;
    DbError m_lastError;
    int m_attempt = 0;
    bool m_lost = false;
    bool m_active = false;
};

ConnectionMonitor::ConnectionMonitor(QObject *parent)
    : QObject(parent)
    , m_worker(new ConnectionMonitorWorker(this))
{
    qRegisterMetaType<ServerInfo>();
    qRegisterMetaType<DbError>();
    m_thread.setObjectName(QStringLiteral("connection monitor"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

ConnectionMonitor::~ConnectionMonitor()
{
    ++m_worker->generation;
    m_thread.quit();
    m_thread.wait();
}

void ConnectionMonitor::start(const ConnectionOptions &options)
{
    const int generation = ++m_worker->generation;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, options, generation] { worker->open(options, generation); });
}

void ConnectionMonitor::stop()
{
    const int generation = ++m_worker->generation;
    QMetaObject::invokeMethod(m_worker,
                              [worker = m_worker, generation] { worker->close(generation); });
}

void ConnectionMonitor::checkNow()
{
    const int generation = m_worker->generation;
    QMetaObject::invokeMethod(m_worker,
                              [worker = m_worker, generation] { worker->tick(generation); });
}

void ConnectionMonitor::reconnectNow()
{
    checkNow();
}

void ConnectionMonitor::setHeartbeatInterval(int ms)
{
    m_worker->heartbeatMs = std::max(100, ms);
}

int ConnectionMonitor::backoffMs(int attempt)
{
    if (attempt <= 1)
        return 1000;
    return std::min(30000, 1000 << std::min(attempt - 1, 5));
}

#include "connectionmonitor.moc"
