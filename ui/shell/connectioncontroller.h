#pragma once

#include "db/connectionmonitor.h"
#include "panel.h"
#include "sandbox/sandbox.h"

#include <QObject>

class SandboxWorker;

// Where the window should connect: a saved profile, the command line's options, or the Local
// sandbox (which is started, migrated and optionally filled with demo data first).
struct ConnectionTarget
{
    QString name;
    bool local = false;
    ConnectionOptions options; // not for local: the sandbox says where it listens
    QString auditUserId;
    bool production = false;
    bool demo = false; // local: fill an empty sandbox with demo data
    QString dataDir;   // local: where the sandbox lives (empty = the default)
};

// The window's connection: opens a target off the GUI thread (the Local sandbox on a
// SandboxWorker), then keeps the ConnectionMonitor watching it (round trip, loss, reconnect with
// back-off). Stops, on exit, a sandbox it started itself.
class ConnectionController : public QObject
{
    Q_OBJECT

public:
    explicit ConnectionController(QObject *parent = nullptr);
    ~ConnectionController() override;

    void open(const ConnectionTarget &target);
    void close();
    void checkNow() { m_monitor.checkNow(); }
    void reconnectNow() { m_monitor.reconnectNow(); }
    const ConnectionContext &context() const { return m_context; }

Q_SIGNALS:
    void opening(const QString &what);
    void opened(const ConnectionContext &context, const ServerInfo &info);
    void openFailed(const QString &name, const DbError &error);
    void closed();
    void lost(const DbError &error, int retryInMs, int attempt);
    void reconnected(const ServerInfo &info);
    void roundTripMeasured(double ms);
    void message(const QString &text);

private:
    void sandboxOpened(int request, const SandboxResult &result);
    void monitorConnected(const ServerInfo &info);

    ConnectionMonitor m_monitor;
    SandboxWorker *m_sandbox;
    int m_sandboxRequest = 0; // the sandbox being opened, if any
    ConnectionTarget m_target;
    ConnectionContext m_context;
};
