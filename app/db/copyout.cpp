#include "db/copyout.h"

#include "db/statementcanceller.h"

#include <QElapsedTimer>

#include <cerrno>
#include <poll.h>

namespace {

bool connectionFailed(PGconn *conn, const QString &what, DbError *error)
{
    if (error) {
        *error = {};
        error->what = what;
        error->message = conn ? QString::fromUtf8(PQerrorMessage(conn)).trimmed() : QString();
        if (error->message.isEmpty())
            error->message = QStringLiteral("the connection to the server was lost");
        error->sqlState = QStringLiteral("08006");
        error->hint = QStringLiteral("Check the connection, then run it again.");
    }
    return false;
}

} // namespace

bool CopyOut::run(PGconn *conn, const QByteArray &sql, const LineHandler &onLine, PgResult *final,
                  DbError *error, const WaitHandler &onWait)
{
    const QString what = QStringLiteral("run COPY TO STDOUT");
    if (!conn || PQstatus(conn) != CONNECTION_OK)
        return connectionFailed(conn, what, error);
    // A connection shared with Qt Sql may still hold the end of a forward-only query's results.
    // (A connection left in the middle of a COPY would answer that forever: it is lost.)
    while (PGresult *leftover = PQgetResult(conn)) {
        const ExecStatusType status = PQresultStatus(leftover);
        PQclear(leftover);
        if (status == PGRES_COPY_OUT || status == PGRES_COPY_IN || status == PGRES_COPY_BOTH)
            return connectionFailed(conn, what, error);
    }
    if (PQsendQuery(conn, sql.constData()) != 1)
        return connectionFailed(conn, what, error);
    // Read without blocking, so that a path that goes silent is noticed (onWait).
    PgResult last;
    bool stopped = false;
    bool inCopy = false;
    QElapsedTimer quiet;
    quiet.start();
    for (;;) {
        bool progressed = false;
        bool ended = false;
        if (inCopy) {
            for (;;) {
                char *buffer = nullptr;
                const int size = PQgetCopyData(conn, &buffer, 1);
                if (size == 0)
                    break; // nothing complete yet
                progressed = true;
                if (size < 0) {
                    inCopy = false; // -1: the data ended (the final result follows); -2: error
                    break;
                }
                const bool more = stopped || onLine(buffer, size);
                PQfreemem(buffer);
                if (!more && !stopped) {
                    stopped = true;
                    StatementCanceller(conn).cancel();
                }
            }
        }
        while (!inCopy && !PQisBusy(conn)) {
            PGresult *raw = PQgetResult(conn);
            if (!raw) {
                ended = true;
                break;
            }
            progressed = true;
            PgResult result(raw, conn);
            if (result.status() == PGRES_COPY_OUT)
                inCopy = true;
            else
                last = result; // the final one (an error, or COPY n) comes after the data
        }
        if (ended || PQstatus(conn) != CONNECTION_OK)
            break;
        if (progressed) {
            quiet.restart();
            continue;
        }
        pollfd socket{PQsocket(conn), POLLIN, 0};
        const int ready = ::poll(&socket, 1, 250);
        if (ready < 0 && errno != EINTR)
            return connectionFailed(conn, what, error);
        if (ready > 0 && PQconsumeInput(conn) != 1)
            return connectionFailed(conn, what, error);
        if (ready == 0 && onWait) {
            if (const QString why = onWait(quiet.elapsed()); !why.isEmpty()) {
                connectionFailed(conn, what, error);
                if (error)
                    error->message = why;
                return false;
            }
        }
    }
    if (PQstatus(conn) != CONNECTION_OK)
        return connectionFailed(conn, what, error);
    if (final)
        *final = last;
    if (error)
        *error = {};
    return true;
}
