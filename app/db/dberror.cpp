#include "db/dberror.h"

#include <libpq-fe.h>

QString DbError::toString() const
{
    QString text = what;
    if (!where.isEmpty())
        text += QStringLiteral(" (%1)").arg(where);
    if (!text.isEmpty())
        text += QStringLiteral(": ");
    text += message;
    if (!sqlState.isEmpty())
        text += QStringLiteral(" [SQLSTATE %1]").arg(sqlState);
    if (!detail.isEmpty())
        text += QStringLiteral("\nDetail: ") + detail;
    if (!hint.isEmpty())
        text += QStringLiteral("\nHint: ") + hint;
    if (!context.isEmpty())
        text += QStringLiteral("\nContext: ") + context;
    return text;
}

void DbError::noteConnection(const pg_conn *conn)
{
    if (conn && PQstatus(conn) == CONNECTION_BAD)
        connectionBad = true;
}

bool DbError::isConnectionLossState(const QString &sqlState)
{
    // PostgreSQL's errcodes.txt: these are raised as FATAL (or made up by libpq and by us for a
    // broken link), so the session is over whatever the statement was.
    if (sqlState.size() != 5)
        return false;
    return sqlState.startsWith(QLatin1String("08")) || sqlState == QLatin1String("57P01") ||
           sqlState == QLatin1String("57P02") || sqlState == QLatin1String("57P03") ||
           sqlState == QLatin1String("57P04") || sqlState == QLatin1String("57P05") ||
           sqlState == QLatin1String("25P03");
}

bool DbError::isConnectionLoss() const
{
    if (!isError())
        return false;
    // libpq knows best: whatever the server last said, a connection it marked bad is gone.
    if (connectionBad)
        return true;
    if (!sqlState.isEmpty())
        return isConnectionLossState(sqlState);
    // The last resort, for an error that carries neither a SQLSTATE nor the connection's status:
    // libpq makes up its own client-side failures without a SQLSTATE, QPSQL passes some on
    // without one, and not every place that takes an error still has the connection to ask.
    // libpq's wording is stable but not a contract, so nothing else is judged by it.
    return message.contains(QLatin1String("server closed the connection")) ||
           message.contains(QLatin1String("no connection to the server")) ||
           message.contains(QLatin1String("connection to server")) ||
           message.contains(QLatin1String("could not receive data from server")) ||
           message.contains(QLatin1String("could not send data to server")) ||
           message.contains(QLatin1String("terminating connection"));
}
