#include "repositories/timeexpression.h"

#include <QRegularExpression>

namespace TimeExpression {

namespace {

const QRegularExpression &relativeForm()
{
    static const QRegularExpression relative(QStringLiteral(R"(^(\d{1,9})([smhdw])$)"));
    return relative;
}

// The seconds of a relative form's match (0 for an amount of 0).
qint64 seconds(const QRegularExpressionMatch &m)
{
    const qint64 amount = m.captured(1).toLongLong();
    const QChar unit = m.captured(2).at(0);
    const qint64 unitSeconds = unit == u's'   ? 1
                               : unit == u'm' ? 60
                               : unit == u'h' ? 3600
                               : unit == u'd' ? 86400
                                              : 7 * 86400;
    return amount * unitSeconds;
}

} // namespace

QDateTime parse(const QString &text, const QDateTime &now)
{
    const QString t = text.trimmed();
    if (const QRegularExpressionMatch m = relativeForm().match(t); m.hasMatch()) {
        const qint64 ago = seconds(m);
        if (ago <= 0 || !now.isValid())
            return {};
        return now.addSecs(-ago);
    }
    // Date, then optionally T or one space and HH:MM, :SS, .fraction; optional Z.
    static const QRegularExpression absolute(QStringLiteral(
        R"(^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?Z?$)"));
    const QRegularExpressionMatch m = absolute.match(t);
    if (!m.hasMatch())
        return {};
    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    int msec = 0;
    if (m.hasCaptured(7))
        msec = m.captured(7).leftJustified(6, u'0').left(3).toInt();
    const QTime time = m.hasCaptured(4) ? QTime(m.captured(4).toInt(), m.captured(5).toInt(),
                                                m.hasCaptured(6) ? m.captured(6).toInt() : 0, msec)
                                        : QTime(0, 0);
    if (!date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, Qt::UTC);
}

QString expectedForms()
{
    return QStringLiteral("2026-11-03, 2026-11-03T10:00, 2026-11-03 10:00:00.123456, or a time "
                          "ago such as 90m, 2h, 3d, 1w");
}

qint64 durationSeconds(const QString &text)
{
    const QRegularExpressionMatch m = relativeForm().match(text.trimmed());
    if (!m.hasMatch())
        return -1;
    const qint64 length = seconds(m);
    return length > 0 ? length : -1;
}

} // namespace TimeExpression
