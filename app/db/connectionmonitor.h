#pragma once

#include "db/connectionoptions.h"
#include "db/serverprobe.h"

#include <QObject>
#include <QThread>

class ConnectionMonitorWorker;

// Watches the window's server from a thread of its own: connects (probeServer), then measures
// the round trip with one tiny query every heartbeat on a connection of its own. When that
// fails it reports the loss and reconnects with back-off (1, 2, 4, 8, 16, 30, 30 … s) until the
// server answers again. Lives on the caller's thread; nothing it does blocks that thread.
class ConnectionMonitor : public QObject
{
    Q_OBJECT

public:
    explicit ConnectionMonitor(QObject *parent = nullptr);
    // Never waits on the network for long: a heartbeat stops within 0.1 s; a connect in flight
    // is left to end on the monitor's thread, which then deletes itself.
    ~ConnectionMonitor() override;

    // Connects to `options` (dropping any earlier connection): connected() or connectFailed().
    void start(const ConnectionOptions &options);
    void stop();
    // A panel saw the connection fail: a heartbeat now instead of at the next one (while lost,
    // the back-off's schedule stands).
    void checkNow();
    // While lost: try again now instead of waiting for the back-off.
    void reconnectNow();
    void setHeartbeatInterval(int ms); // default 5000
    // A heartbeat unanswered this long means the link is gone (default 10000): a link that
    // drops packets silently is noticed without waiting for TCP to give up.
    void setHeartbeatTimeout(int ms);

    static int backoffMs(int attempt); // attempt 1, 2, … → 1000, 2000, 4000, …, capped at 30000

Q_SIGNALS:
    // The first connection to these options succeeded.
    void connected(const ServerInfo &info);
    // The first connection failed: nothing is retried (the options are probably wrong).
    void connectFailed(const ServerInfo &info);
    void roundTripMeasured(double ms);
    // A working connection stopped answering; the next attempt is in `retryInMs`.
    void connectionLost(const DbError &error, int retryInMs);
    // A reconnect attempt failed; the next is in `retryInMs`.
    void reconnectFailed(const DbError &error, int attempt, int retryInMs);
    // The server answers again after a loss.
    void reconnected(const ServerInfo &info);

private:
    QThread *m_thread;                 // deletes itself once finished
    ConnectionMonitorWorker *m_worker; // lives on m_thread, deleted when it finishes
    int m_generation = 0;              // of the latest start()/stop(), on this object's thread
};
