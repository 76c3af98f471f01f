#include "dberror.h"

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
