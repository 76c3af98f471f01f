#include "db/changelistener.h"

#include "db/pgconnection.h"
#include "db/poolerprobe.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTimer>

namespace {

constexpr char kListen[] = "LISTEN algoadmin_changes";
constexpr char kChannel[] = "algoadmin_changes";
constexpr int kFirstRetryMs = 250;
constexpr int kMaxRetryMs = 10000;

} // namespace

ChangeListener::ChangeListener(const ConnectionOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_retryTimer(new QTimer(this))
{
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &ChangeListener::retry);
}

ChangeListener::~ChangeListener()
{
    stop();
}

bool ChangeListener::start(DbError *error)
{
    m_retryDelayMs = kFirstRetryMs;
    DbError failure;
    if (connectAndListen(&failure))
        return true;
    if (error)
        *error = failure;
    if (m_unsupported)
        return false;
    m_lost = true;
    m_retryTimer->start(m_retryDelayMs);
    return false;
}

void ChangeListener::stop()
{
    m_retryTimer->stop();
    delete m_notifier;
    m_notifier = nullptr;
    m_connection.reset();
    m_lost = false;
}

bool ChangeListener::isListening() const
{
    return m_connection && m_notifier;
}

int ChangeListener::backendPid() const
{
    return m_connection ? m_connection->backendPid() : 0;
}

bool ChangeListener::connectAndListen(DbError *error)
{
    auto connection = std::make_unique<PgConnection>();
    if (!connection->open(m_options, error))
        return false;
    // Through a pooler in transaction pooling a LISTEN would stay registered on a server
    // connection that other clients then get, and its notifications would reach whoever holds
    // it: no live feed there, and no retrying either.
    const int pid = PoolerProbe::serverPid(*connection);
    if (PoolerProbe::isPooled(*connection, pid) &&
        PoolerProbe::isTransactionPooled(*connection, pid, m_options)) {
        m_unsupported = true;
        if (error)
            *error = {QStringLiteral("listen for changes"),
                      connection->describe(),
                      QStringLiteral("the connection goes through a pooler in transaction "
                                     "pooling, where LISTEN cannot work"),
                      {},
                      {},
                      QStringLiteral("Changes by others are not shown live: reload to see them, "
                                     "or use a direct or session-pooling endpoint.")};
        return false;
    }
    const PgResult listen = connection->exec(kListen);
    if (!listen.ok()) {
        if (error)
            *error = listen.error(QStringLiteral("listen for changes"), connection->describe());
        return false;
    }
    // Non-blocking reads from here on: the notifier tells us when the socket has data.
    PQsetnonblocking(connection->handle(), 1);
    m_connection = std::move(connection);
    m_notifier = new QSocketNotifier(PQsocket(m_connection->handle()), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &ChangeListener::readSocket);
    // A notification that came in with LISTEN's reply is already in libpq's buffer, where the
    // notifier cannot see it.
    QMetaObject::invokeMethod(this, &ChangeListener::readSocket, Qt::QueuedConnection);
    return true;
}

void ChangeListener::readSocket()
{
    if (!m_connection)
        return;
    PGconn *conn = m_connection->handle();
    if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
        dropConnection({QStringLiteral("listen for changes"),
                        m_connection->describe(),
                        QString::fromUtf8(PQerrorMessage(conn)).trimmed(),
                        QStringLiteral("08006"),
                        {},
                        QStringLiteral("Reconnecting; reload what is shown once it is back.")});
        return;
    }
    while (PGnotify *notify = PQnotifies(conn)) {
        if (qstrcmp(notify->relname, kChannel) == 0) {
            const QJsonObject payload = QJsonDocument::fromJson(QByteArray(notify->extra)).object();
            ParameterChangeNotice notice;
            notice.algorithmId = payload.value(QLatin1String("algorithm_id")).toString();
            notice.parameterName = payload.value(QLatin1String("parameter_name")).toString();
            notice.changeSet = payload.value(QLatin1String("change_set")).toString();
            PQfreemem(notify);
            Q_EMIT changeReceived(notice);
            if (!m_connection || m_connection->handle() != conn) // a slot stopped or restarted us
                return;
        } else {
            PQfreemem(notify);
        }
    }
}

void ChangeListener::dropConnection(const DbError &error)
{
    delete m_notifier;
    m_notifier = nullptr;
    m_connection.reset();
    if (!m_lost) {
        m_lost = true;
        m_retryDelayMs = kFirstRetryMs;
        Q_EMIT connectionLost(error);
    }
    m_retryTimer->start(m_retryDelayMs);
}

void ChangeListener::retry()
{
    DbError error;
    if (connectAndListen(&error)) {
        m_lost = false;
        m_retryDelayMs = kFirstRetryMs;
        Q_EMIT connectionRestored();
        return;
    }
    m_retryDelayMs = qMin(m_retryDelayMs * 2, kMaxRetryMs);
    m_retryTimer->start(m_retryDelayMs);
}
