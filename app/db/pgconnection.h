#pragma once

#include "db/connectionoptions.h"
#include "db/dberror.h"
#include "db/statementcanceller.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <mutex>

#include <libpq-fe.h>

// Shares one PGresult; cheap to copy and pass around by value.
class PgResult
{
public:
    PgResult() = default;
    explicit PgResult(PGresult *result)
        : m_result(result, &PQclear)
    {}
    // A result of `conn`: its error() also says whether libpq had lost `conn` by then.
    PgResult(PGresult *result, const PGconn *conn)
        : m_result(result, &PQclear)
        , m_connectionBad(conn && PQstatus(conn) == CONNECTION_BAD)
    {}

    bool isNull() const { return !m_result; }
    ExecStatusType status() const;
    // True for a command or a query that completed (not an error, not skipped in a pipeline).
    bool ok() const;
    int rows() const;
    int columns() const;
    bool isNull(int row, int column) const;
    QString value(int row, int column) const; // a null QString for SQL NULL
    QByteArray rawValue(int row, int column) const;
    QString commandTag() const;
    // The server's error as a value; `what`/`where` are filled by the caller's context.
    // connectionBad is set when the result was made with the connection and it was bad then.
    DbError error(const QString &what = {}, const QString &where = {}) const;
    // 1-based character offset of the error inside the statement text, or 0.
    int errorPosition() const;
    PGresult *get() const { return m_result.get(); }

private:
    std::shared_ptr<PGresult> m_result;
    bool m_connectionBad = false;
};

// One libpq connection, opened from ConnectionOptions. Not thread-safe except requestCancel(),
// which any thread may call to stop the statement this connection is running.
class PgConnection
{
public:
    PgConnection();
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    // Blocking connect; libpq's connect_timeout (default 10 s) bounds it. With `abandoned`,
    // libpq connects on a thread of its own while this one asks abandoned() every 50 ms: once
    // it says true, open() fails at once and that thread closes the connection whenever libpq
    // returns. It touches nothing of Qt, so it may outlive the application.
    bool open(const ConnectionOptions &options, DbError *error,
              const std::function<bool()> &abandoned = {});
    bool isOpen() const { return m_conn != nullptr; }
    void close();
    PGconn *handle() const { return m_conn; }

    // A blocking statement outside pipeline mode, with text parameters (null QByteArray = NULL).
    PgResult exec(const QByteArray &sql, const QList<QByteArray> &params = {});

    // Thread-safe: asks the server to cancel the statement now running on this connection.
    void requestCancel();

    QString host() const; // as libpq resolved it (a socket directory for Unix sockets)
    // The TLS protocol ("TLSv1.3") and cipher of the connection; empty when not encrypted.
    QString tlsProtocol() const;
    QString tlsCipher() const;
    QString port() const;
    QString database() const;
    QString user() const;
    int serverVersion() const; // e.g. 150004
    int backendPid() const;
    QString describe() const; // "user@host:port/database"

private:
    PGconn *m_conn = nullptr;
    std::mutex m_cancelMutex;
    std::unique_ptr<StatementCanceller> m_canceller;
};
