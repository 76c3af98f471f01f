#include "db/copyout.h"

#include "db/statementcanceller.h"

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
                  DbError *error)
{
    const QString what = QStringLiteral("run COPY TO STDOUT");
    if (!conn || PQstatus(conn) != CONNECTION_OK)
        return connectionFailed(conn, what, error);
    // A connection shared with Qt Sql may still hold the end of a forward-only query's results.
    while (PGresult *leftover = PQgetResult(conn))
        PQclear(leftover);
    if (PQsendQuery(conn, sql.constData()) != 1)
        return connectionFailed(conn, what, error);
    PgResult last;
    bool stopped = false;
    while (PGresult *raw = PQgetResult(conn)) {
        PgResult result(raw, conn);
        if (result.status() != PGRES_COPY_OUT) {
            last = result; // the final one (an error, or COPY n) comes after the data
            continue;
        }
        for (;;) {
            char *buffer = nullptr;
            const int size = PQgetCopyData(conn, &buffer, 0);
            if (size < 0)
                break; // -1: the data ended (the final result follows); -2: an error
            const bool more = stopped || onLine(buffer, size);
            PQfreemem(buffer);
            if (!more) {
                stopped = true;
                StatementCanceller(conn).cancel();
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
