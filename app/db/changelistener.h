#pragma once

#include "db/connectionoptions.h"
#include "db/dberror.h"

#include <QObject>
#include <QString>

#include <memory>

class PgConnection;
class QSocketNotifier;
class QTimer;

// One NOTIFY algoadmin_changes (sql/008): which parameter of which algorithm changed, and the
// change set of the apply that changed it (empty when there was none).
struct ParameterChangeNotice
{
    QString algorithmId;
    QString parameterName;
    QString changeSet;
    // Written by an apply of this program's own worker (AgentWorker marks it as it arrives):
    // its answer already told the panel, which need not reload for it.
    bool own = false;
};
Q_DECLARE_METATYPE(ParameterChangeNotice)

// Listens on algoadmin_changes with a libpq connection of its own, watching its socket on the
// thread this object lives in (no polling, no blocking reads). When the connection drops it
// emits connectionLost once and reconnects with back-off (250 ms doubling to 10 s), then emits
// connectionRestored. Notifications sent while disconnected are lost; a listener should reload.
class ChangeListener : public QObject
{
    Q_OBJECT

public:
    explicit ChangeListener(const ConnectionOptions &options, QObject *parent = nullptr);
    ~ChangeListener() override;

    // Connects and LISTENs (blocking: libpq's connect_timeout bounds it). False with `error` on
    // failure; the listener then keeps retrying in the background, except through a pooler in
    // transaction pooling, where it does not LISTEN at all (see PoolerProbe).
    bool start(DbError *error = nullptr);
    void stop();
    bool isListening() const;
    // The backend of the listening connection (for pg_terminate_backend in tests), or 0.
    int backendPid() const;

Q_SIGNALS:
    void changeReceived(const ParameterChangeNotice &notice);
    void connectionLost(const DbError &error);
    void connectionRestored();

private:
    bool connectAndListen(DbError *error);
    void readSocket();
    void dropConnection(const DbError &error);
    void retry();

    ConnectionOptions m_options;
    std::unique_ptr<PgConnection> m_connection;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_retryTimer = nullptr;
    int m_retryDelayMs = 250;
    bool m_lost = false;
    bool m_unsupported = false; // transaction pooling: no LISTEN, no retry (see start())
};
