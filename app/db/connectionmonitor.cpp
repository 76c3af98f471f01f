#include "db/connectionmonitor.h"

#include "db/pgconnection.h"

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
// Reconnect attempts give up sooner than a first connect: the back-off tries again anyway.
static constexpr int ReconnectTimeoutSeconds = 5;

// Lives on the monitor's thread; every slot may block on the network there.
class ConnectionMonitorWorker : public QObject
{
    Q_OBJECT

Q_SIGNALS:
    // As ConnectionMonitor's, tagged with the generation they belong to: the monitor drops
    // what a newer start()/stop() made stale.
    void connected(const ServerInfo &info, int generation);
    void connectFailed(const ServerInfo &info, int generation);
    void roundTripMeasured(double ms, int generation);
    void connectionLost(const DbError &error, int retryInMs, int generation);
    void reconnectFailed(const DbError &error, int attempt, int retryInMs, int generation);
    void reconnected(const ServerInfo &info, int generation);

public:
    // The monitor shares these with the worker; they outlive either (see ~ConnectionMonitor).
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
        const ServerInfo info = probeServer(options, 1, stale(forGeneration));
        if (forGeneration != generation)
            return;
        if (!info.ok()) {
            Q_EMIT connectFailed(info, forGeneration);
            return;
        }
        Q_EMIT connected(info, forGeneration);
        // The heartbeat's own connection is opened after the window heard back. A link that goes
        // silent meanwhile is noticed as soon as on an open connection: connecting gives up
        // after the heartbeat timeout (at least 2 s, libpq's shortest connect_timeout), not
        // after the full connect timeout.
        ConnectionOptions heartbeatOptions = m_options;
        heartbeatOptions.connectTimeoutSeconds = std::min(
            heartbeatOptions.connectTimeoutSeconds, std::max(2, (heartbeatTimeoutMs + 999) / 1000));
        const bool heartbeatConnected =
            connectHeartbeat(heartbeatOptions, nullptr, stale(forGeneration));
        if (forGeneration != generation)
            return;
        if (heartbeatConnected) {
            m_timer->start(heartbeatMs);
            return;
        }
        // The probe got in but a second connection did not (e.g. max_connections): treat it
        // as a loss so that the back-off takes over.
        m_lost = true;
        scheduleRetry();
        Q_EMIT connectionLost(m_lastError, m_timer->interval(), forGeneration);
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

    // The timer's tick: a heartbeat, or while lost a reconnect attempt.
    void tick(int forGeneration)
    {
        if (forGeneration != generation || !m_active)
            return;
        if (m_lost) {
            reconnect(forGeneration);
            return;
        }
        heartbeat();
    }

    // checkNow(): a heartbeat now; while lost the back-off's schedule stands (a burst of
    // failing panel requests must not burn through the attempts).
    void check(int forGeneration)
    {
        if (forGeneration != generation || !m_active || m_lost)
            return;
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

    // For a connect: whether a newer start(), stop() or the destructor has made it stale.
    std::function<bool()> stale(int forGeneration) const
    {
        return [this, forGeneration] { return forGeneration != generation; };
    }

    bool connectHeartbeat(const ConnectionOptions &options, DbError *error,
                          const std::function<bool()> &abandoned)
    {
        auto connection = std::make_unique<PgConnection>();
        DbError failure;
        // Named apart from the window's other connections in pg_stat_activity.
        ConnectionOptions named = options;
        named.applicationName += QStringLiteral(" (monitor)");
        if (!connection->open(named, &failure, abandoned)) {
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
            Q_EMIT roundTripMeasured(ms, forGeneration);
            m_timer->start(heartbeatMs);
            return;
        }
        m_connection.reset();
        m_lost = true;
        m_attempt = 0;
        m_lastError = error;
        scheduleRetry();
        Q_EMIT connectionLost(error, m_timer->interval(), forGeneration);
    }

    void reconnect(int forGeneration)
    {
        ConnectionOptions options = m_options;
        options.connectTimeoutSeconds =
            std::min(options.connectTimeoutSeconds, ReconnectTimeoutSeconds);
        const ServerInfo info = probeServer(options, 1, stale(forGeneration));
        DbError error = info.error;
        const bool back = info.ok() && connectHeartbeat(options, &error, stale(forGeneration));
        if (forGeneration != generation)
            return; // another server was chosen meanwhile
        if (back) {
            m_lost = false;
            m_attempt = 0;
            Q_EMIT reconnected(info, forGeneration);
            m_timer->start(heartbeatMs);
            return;
        }
        const int failedAttempt = m_attempt;
        scheduleRetry();
        Q_EMIT reconnectFailed(error, failedAttempt, m_timer->interval(), forGeneration);
    }

    void scheduleRetry()
    {
        ++m_attempt;
        m_timer->start(ConnectionMonitor::backoffMs(m_attempt));
    }

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
    , m_thread(new QThread)
    , m_worker(new ConnectionMonitorWorker)
{
    m_thread->setObjectName(QStringLiteral("connection monitor"));
    m_worker->moveToThread(m_thread);
    // Both go once the thread has ended, which may be after this monitor is gone.
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    // Queued to this object's thread, and dropped when they belong to an earlier start().
    const auto current = [this](int generation) { return generation == m_generation; };
    connect(m_worker, &ConnectionMonitorWorker::connected, this,
            [this, current](const ServerInfo &info, int generation) {
                if (current(generation))
                    Q_EMIT connected(info);
            });
    connect(m_worker, &ConnectionMonitorWorker::connectFailed, this,
            [this, current](const ServerInfo &info, int generation) {
                if (current(generation))
                    Q_EMIT connectFailed(info);
            });
    connect(m_worker, &ConnectionMonitorWorker::roundTripMeasured, this,
            [this, current](double ms, int generation) {
                if (current(generation))
                    Q_EMIT roundTripMeasured(ms);
            });
    connect(m_worker, &ConnectionMonitorWorker::connectionLost, this,
            [this, current](const DbError &error, int retryInMs, int generation) {
                if (current(generation))
                    Q_EMIT connectionLost(error, retryInMs);
            });
    connect(m_worker, &ConnectionMonitorWorker::reconnectFailed, this,
            [this, current](const DbError &error, int attempt, int retryInMs, int generation) {
                if (current(generation))
                    Q_EMIT reconnectFailed(error, attempt, retryInMs);
            });
    connect(m_worker, &ConnectionMonitorWorker::reconnected, this,
            [this, current](const ServerInfo &info, int generation) {
                if (current(generation))
                    Q_EMIT reconnected(info);
            });
    m_thread->start();
}

ConnectionMonitor::~ConnectionMonitor()
{
    // Whatever the worker is doing now is stale; its signals no longer reach this object
    // (the connections die with it). A heartbeat notices within 0.1 s, a connect within 50 ms
    // (libpq finishes it on a thread of its own: PgConnection::open), so the thread ends here,
    // before the application does. Should it not (a probe's query on a server that stopped
    // answering), it is left to end on its own rather than hold the window's exit: the thread
    // and the worker then delete themselves.
    ++m_worker->generation;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->close(worker->generation); });
    m_thread->quit();
    if (m_thread->wait(500))
        delete m_thread; // the worker went with the thread's last events
}

void ConnectionMonitor::start(const ConnectionOptions &options)
{
    const int generation = ++m_worker->generation;
    m_generation = generation;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, options, generation] { worker->open(options, generation); });
}

void ConnectionMonitor::stop()
{
    const int generation = ++m_worker->generation;
    m_generation = generation;
    QMetaObject::invokeMethod(m_worker,
                              [worker = m_worker, generation] { worker->close(generation); });
}

void ConnectionMonitor::checkNow()
{
    const int generation = m_generation;
    QMetaObject::invokeMethod(m_worker,
                              [worker = m_worker, generation] { worker->check(generation); });
}

void ConnectionMonitor::reconnectNow()
{
    const int generation = m_generation;
    QMetaObject::invokeMethod(m_worker,
                              [worker = m_worker, generation] { worker->tick(generation); });
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
