#include "db/pgconnection.h"

#include <QVarLengthArray>

#include <condition_variable>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <pthread.h>

ExecStatusType PgResult::status() const
{
    return m_result ? PQresultStatus(m_result.get()) : PGRES_FATAL_ERROR;
}

bool PgResult::ok() const
{
    const ExecStatusType s = status();
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

int PgResult::rows() const
{
    return m_result ? PQntuples(m_result.get()) : 0;
}

int PgResult::columns() const
{
    return m_result ? PQnfields(m_result.get()) : 0;
}

bool PgResult::isNull(int row, int column) const
{
    return !m_result || PQgetisnull(m_result.get(), row, column);
}

QString PgResult::value(int row, int column) const
{
    if (isNull(row, column))
        return {};
    return QString::fromUtf8(PQgetvalue(m_result.get(), row, column),
                             PQgetlength(m_result.get(), row, column));
}

QByteArray PgResult::rawValue(int row, int column) const
{
    if (isNull(row, column))
        return {};
    return QByteArray(PQgetvalue(m_result.get(), row, column),
                      PQgetlength(m_result.get(), row, column));
}

QString PgResult::commandTag() const
{
    return m_result ? QString::fromUtf8(PQcmdStatus(m_result.get())) : QString();
}

static QString field(const PGresult *result, int code)
{
    const char *value = result ? PQresultErrorField(result, code) : nullptr;
    return value ? QString::fromUtf8(value) : QString();
}

DbError PgResult::error(const QString &what, const QString &where) const
{
    DbError error;
    error.what = what;
    error.where = where;
    error.connectionBad = m_connectionBad;
    if (!m_result) {
        error.message = QStringLiteral("no result from the server");
        return error;
    }
    if (status() == PGRES_PIPELINE_ABORTED) {
        error.message = QStringLiteral("not run: an earlier statement in the same batch failed");
        return error;
    }
    error.message = field(m_result.get(), PG_DIAG_MESSAGE_PRIMARY);
    if (error.message.isEmpty())
        error.message = QString::fromUtf8(PQresultErrorMessage(m_result.get())).trimmed();
    error.sqlState = field(m_result.get(), PG_DIAG_SQLSTATE);
    error.detail = field(m_result.get(), PG_DIAG_MESSAGE_DETAIL);
    error.hint = field(m_result.get(), PG_DIAG_MESSAGE_HINT);
    error.context = field(m_result.get(), PG_DIAG_CONTEXT);
    return error;
}

int PgResult::errorPosition() const
{
    return field(m_result.get(), PG_DIAG_STATEMENT_POSITION).toInt();
}

PgConnection::PgConnection() = default;

PgConnection::~PgConnection()
{
    close();
}

namespace {

// libpq's keywords and values in standard strings: an abandoned connect finishes on a thread
// that may outlive the application, so it must not touch anything of Qt.
struct ConnectParameters
{
    std::vector<std::string> keywords;
    std::vector<std::string> values;

    PGconn *connect() const
    {
        std::vector<const char *> keywordPointers;
        std::vector<const char *> valuePointers;
        for (size_t i = 0; i < keywords.size(); ++i) {
            keywordPointers.push_back(keywords[i].c_str());
            valuePointers.push_back(values[i].c_str());
        }
        keywordPointers.push_back(nullptr);
        valuePointers.push_back(nullptr);
        return PQconnectdbParams(keywordPointers.data(), valuePointers.data(), 1);
    }
};

// What a connect on a thread of its own and the thread waiting for it share.
struct PendingConnect
{
    std::mutex mutex;
    std::condition_variable finished;
    PGconn *conn = nullptr;
    bool done = false;
    bool abandoned = false;
};

} // namespace

// libpq's blocking connect. With `abandoned`, on a thread of its own (see PgConnection::open);
// `*wasAbandoned` then says whether it returned nullptr because abandoned() said so.
static PGconn *connectWith(const ConnectionOptions &options, const std::function<bool()> &abandoned,
                           bool *wasAbandoned)
{
    *wasAbandoned = false;
    ConnectParameters parameters;
    for (const auto &[key, value] : options.keywordValues()) {
        parameters.keywords.emplace_back(key.constData(), size_t(key.size()));
        parameters.values.emplace_back(value.constData(), size_t(value.size()));
    }
    if (!abandoned)
        return parameters.connect();
    const auto pending = std::make_shared<PendingConnect>();
    try {
        std::thread([pending, parameters] {
            pthread_setname_np(pthread_self(), "libpq connect"); // else the caller's name
            PGconn *conn = parameters.connect();
            std::unique_lock lock(pending->mutex);
            if (pending->abandoned) {
                lock.unlock();
                PQfinish(conn);
                return;
            }
            pending->conn = conn;
            pending->done = true;
            pending->finished.notify_one();
        }).detach();
    } catch (const std::system_error &) {
        return parameters.connect(); // no thread to be had: connect here, as without `abandoned`
    }
    std::unique_lock lock(pending->mutex);
    while (!pending->finished.wait_for(lock, std::chrono::milliseconds(50),
                                       [&] { return pending->done; })) {
        if (abandoned()) {
            pending->abandoned = true;
            *wasAbandoned = true;
            return nullptr;
        }
    }
    return pending->conn;
}

// What to do about a failed connect, by libpq's reason: TLS and password failures get advice
// of their own.
static QString connectHint(const QString &message)
{
    const auto says = [&message](const char *text) {
        return message.contains(QLatin1String(text), Qt::CaseInsensitive);
    };
    const QString keepTls =
        QStringLiteral(" Do not lower sslmode to get past this: it is what keeps another "
                       "machine from posing as the server.");
    if (says("certificate verify failed"))
        return QStringLiteral("The server's certificate is not signed by a CA this client "
                              "trusts. Set sslrootcert (or ~/.postgresql/root.crt) to the CA "
                              "that signed it; the server's administrator has it.") +
               keepTls;
    if (says("does not match host name"))
        return QStringLiteral("The server's certificate is for another host name: connect "
                              "with the name it was issued for (see the message), or have the "
                              "certificate reissued.") +
               keepTls;
    if (says("root certificate file"))
        return QStringLiteral("sslmode verify-ca and verify-full check the server against a CA "
                              "certificate: set sslrootcert to its file, or put it in "
                              "~/.postgresql/root.crt.");
    if (says("server does not support SSL"))
        return QStringLiteral("The server accepts no TLS connections, and sslmode asks for "
                              "one. Ask its administrator to enable ssl.");
    if (says("password authentication failed"))
        return QStringLiteral("The password is wrong for this role (it came from the connection "
                              "string or the dialog, else PGPASSWORD, else ~/.pgpass). Correct "
                              "it and connect again.");
    if (says("no password supplied"))
        return QStringLiteral("The server asks for a password: enter it in the connection "
                              "dialog, or set PGPASSWORD or a ~/.pgpass line for this server.");
    return QStringLiteral(
        "Check the host, port and database (-h, -p, -d), that the server is running and "
        "accepts connections, and the password (PGPASSWORD or ~/.pgpass).");
}

bool PgConnection::open(const ConnectionOptions &requested, DbError *error,
                        const std::function<bool()> &abandoned)
{
    close();
    const ConnectionOptions options = requested.forConnect();
    bool wasAbandoned = false;
    PGconn *conn = connectWith(options, abandoned, &wasAbandoned);
    // A pooler (PgBouncer's default configuration) refuses the start-up `options` that carry
    // our timeouts: connect again without them; the engine sets its timeouts in each
    // transaction anyway.
    if (conn && PQstatus(conn) != CONNECTION_OK && options.sendStartupOptions &&
        ConnectionOptions::isRefusedStartupOptions(QString::fromUtf8(PQerrorMessage(conn)))) {
        PQfinish(conn);
        options.noteRefusesStartupOptions();
        ConnectionOptions without = options;
        without.sendStartupOptions = false;
        conn = connectWith(without, abandoned, &wasAbandoned);
    }
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        if (error) {
            *error = {};
            error->what = QStringLiteral("connect");
            if (conn) {
                const char *host = PQhost(conn);
                const char *port = PQport(conn);
                error->where = QStringLiteral("%1:%2").arg(QString::fromUtf8(host ? host : ""),
                                                           QString::fromUtf8(port ? port : ""));
                error->message = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
            } else if (wasAbandoned) {
                error->message =
                    QStringLiteral("the connect was abandoned: it is no longer wanted");
            } else {
                error->message = QStringLiteral("out of memory");
            }
            error->sqlState = QStringLiteral("08001");
            error->hint = connectHint(error->message);
            if (ConnectionOptions::isRefusedStartupOptions(error->message)) {
                error->sqlState = QStringLiteral("08P01");
                error->hint = ConnectionOptions::refusedOptionsHint();
            }
        }
        if (conn)
            PQfinish(conn);
        return false;
    }
    m_conn = conn;
    // libpq prints notices (e.g. "relation already exists, skipping") on stderr by default;
    // they are not errors, and a report must not be interleaved with them.
    PQsetNoticeProcessor(
        m_conn, [](void *, const char *) {}, nullptr);
    std::lock_guard lock(m_cancelMutex);
    m_canceller = std::make_unique<StatementCanceller>(m_conn);
    return true;
}

void PgConnection::close()
{
    {
        std::lock_guard lock(m_cancelMutex);
        m_canceller.reset();
    }
    if (m_conn) {
        PQfinish(m_conn);
        m_conn = nullptr;
    }
}

PgResult PgConnection::exec(const QByteArray &sql, const QList<QByteArray> &params)
{
    if (!m_conn)
        return PgResult();
    QVarLengthArray<const char *, 8> values;
    for (const QByteArray &param : params)
        values.append(param.isNull() ? nullptr : param.constData());
    return PgResult(PQexecParams(m_conn, sql.constData(), int(params.size()), nullptr,
                                 values.constData(), nullptr, nullptr, 0),
                    m_conn);
}

void PgConnection::requestCancel()
{
    std::lock_guard lock(m_cancelMutex);
    if (m_canceller)
        m_canceller->cancel();
}

QString PgConnection::host() const
{
    return m_conn ? QString::fromUtf8(PQhost(m_conn)) : QString();
}

QString PgConnection::tlsProtocol() const
{
    const char *protocol =
        m_conn && PQsslInUse(m_conn) ? PQsslAttribute(m_conn, "protocol") : nullptr;
    return QString::fromUtf8(protocol ? protocol : "");
}

QString PgConnection::tlsCipher() const
{
    const char *cipher = m_conn && PQsslInUse(m_conn) ? PQsslAttribute(m_conn, "cipher") : nullptr;
    return QString::fromUtf8(cipher ? cipher : "");
}

QString PgConnection::port() const
{
    return m_conn ? QString::fromUtf8(PQport(m_conn)) : QString();
}

QString PgConnection::database() const
{
    return m_conn ? QString::fromUtf8(PQdb(m_conn)) : QString();
}

QString PgConnection::user() const
{
    return m_conn ? QString::fromUtf8(PQuser(m_conn)) : QString();
}

int PgConnection::serverVersion() const
{
    return m_conn ? PQserverVersion(m_conn) : 0;
}

int PgConnection::backendPid() const
{
    return m_conn ? PQbackendPID(m_conn) : 0;
}

QString PgConnection::describe() const
{
    return QStringLiteral("%1@%2:%3/%4").arg(user(), host(), port(), database());
}
