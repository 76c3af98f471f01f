#include "db/sqltimestamp.h"

namespace SqlTimestamp {

QString toSql(const QDateTime &value)
{
    if (!value.isValid())
        return {};
    return value.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QDateTime fromSql(const QString &text)
{
    if (text.isEmpty())
        return {};
    // The server prints "2026-01-02 03:04:05.123456" (fraction optional); Qt's ISO parser
    // wants a 'T' and at most milliseconds.
    QString iso = text;
    iso.replace(10, 1, QLatin1Char('T'));
    const qsizetype dot = iso.indexOf(QLatin1Char('.'));
    if (dot >= 0 && iso.size() > dot + 4)
        iso.truncate(dot + 4);
    const QDateTime parsed = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!parsed.isValid())
        return {};
    return QDateTime(parsed.date(), parsed.time(), Qt::UTC);
}

} // namespace SqlTimestamp
