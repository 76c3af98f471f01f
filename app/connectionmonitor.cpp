#include "connectionmonitor.h"

#include "pgconnection.h"

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

#include <poll.h>

// The heartbeat: the smallest statement that still needs the server to answer.
static const char HeartbeatSql[] = "SELECT 1";
// Reconnect attempts give up sooner than a first connect: the back-off tries again anyway,
// and closing the window waits for an attempt in flight.
static constexpr int ReconnectTimeoutSeconds = 5;

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
    std::atomic<int> heartbeatTimeoutMs{10000};

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
        if (connectHeartbeat(m_options, nullptr)) {
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

    bool connectHeartbeat(const ConnectionOptions &options, DbError *error)
    {
        auto connection = std::make_unique<PgConnection>();
        DbError failure;
        if (!connection->open(options, &failure)) {
            m_lastError = failure;
            if (error)
                *error = failure;
            return false;
        }
        m_connection = std::move(connection);
        return true;
    }

    // One heartbeat, waiting at most heartbeatTimeoutMs for the answer: a link that silently
    // drops packets would otherwise hold the query until TCP gives up (tcp_user_timeout).
    // Waits in short slices so that a newer start()/stop() or the destructor is not held up.
    bool ping(int forGeneration, DbError *error)
    {
        PGconn *conn = m_connection ? m_connection->handle() : nullptr;
        const auto fail = [&](const QString &message, const char *sqlState) {
            *error = {};
            error->what = QStringLiteral("heartbeat");
            error->message = message;
            error->sqlState = QLatin1String(sqlState);
            return false;
        };
        const auto libpqMessage = [&] {
            const QString message = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
            return message.isEmpty() ? QStringLiteral("the server stopped answering") : message;
        };
        if (!conn)
            return fail(QStringLiteral("no connection to the server"), "08003");
        if (!PQsendQuery(conn, HeartbeatSql))
            return fail(libpqMessage(), "08006");
        QElapsedTimer waited;
        waited.start();
        while (true) {
            if (!PQconsumeInput(conn))
                return fail(libpqMessage(), "08006");
            if (!PQisBusy(conn))
                break;
            if (forGeneration != generation)
                return fail(QStringLiteral("stopped"), "");
            if (waited.elapsed() >= heartbeatTimeoutMs)
                return fail(QStringLiteral("no answer from the server for %1 s")
                                .arg(heartbeatTimeoutMs / 1000.0, 0, 'g', 3),
                            "08006");
            pollfd socket{PQsocket(conn), POLLIN, 0};
            if (::poll(&socket, 1, 100) < 0 && errno != EINTR)
                return fail(QString::fromLocal8Bit(std::strerror(errno)), "08006");
        }
        bool ok = true;
        while (PGresult *raw = PQgetResult(conn)) {
            const PgResult result(raw);
            if (ok && !result.ok()) {
                ok = false;
                *error = result.error(QStringLiteral("heartbeat"));
                if (error->message.isEmpty())
                    error->message = libpqMessage();
            }
        }
        return ok;
    }

    void heartbeat()
    {
        const int forGeneration = generation;
        QElapsedTimer clock;
        clock.start();
        DbError error;
        const bool ok = ping(forGeneration, &error);
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        if (forGeneration != generation)
            return;
        if (ok) {
            Q_EMIT m_monitor->roundTripMeasured(ms);
            m_timer->start(heartbeatMs);
            return;
        }
        m_connection.reset();
        m_lost = true;
        m_attempt = 0;
        m_lastError = error;
        scheduleRetry();
        Q_EMIT m_monitor->connectionLost(error, m_timer->interval());
    }

    void reconnect()
    {
        ConnectionOptions options = m_options;
        options.connectTimeoutSeconds =
            std::min(options.connectTimeoutSeconds, ReconnectTimeoutSeconds);
        const ServerInfo info = probeServer(options, 1);
        DbError error = info.error;
        if (info.ok() && connectHeartbeat(options, &error)) {
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

void ConnectionMonitor::setHeartbeatTimeout(int ms)
{
    m_worker->heartbeatTimeoutMs = std::max(100, ms);
}

int ConnectionMonitor::backoffMs(int attempt)
{
    if (attempt <= 1)
        return 1000;
    return std::min(30000, 1000 << std::min(attempt - 1, 5));
}

#include "connectionmonitor.moc"
