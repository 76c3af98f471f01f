#include "db/dberror.h"

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
    return text;
}

bool DbError::isConnectionLoss() const
{
    if (!isError())
        return false;
    if (sqlState.startsWith(QLatin1String("08")) || sqlState == QLatin1String("57P01") ||
        sqlState == QLatin1String("57P02") || sqlState == QLatin1String("57P03"))
        return true;
    // libpq's client-side failures carry no SQLSTATE.
    return sqlState.isEmpty() &&
           (message.contains(QLatin1String("server closed the connection")) ||
            message.contains(QLatin1String("no connection to the server")) ||
            message.contains(QLatin1String("connection to server")) ||
            message.contains(QLatin1String("could not receive data from server")) ||
            message.contains(QLatin1String("could not send data to server")) ||
            message.contains(QLatin1String("terminating connection")));
}
