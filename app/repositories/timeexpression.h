#pragma once

#include <QDateTime>
#include <QString>

// The time a user types for a changelog range (the CLI's --since/--until, the panel's custom
// range): pure, no database.
namespace TimeExpression {

// An absolute ISO 8601 time: "2026-11-03" (midnight), "2026-11-03T10:00", "2026-11-03 10:00:00",
// "2026-11-03 10:00:00.123456" (a fraction of 1 to 6 digits, kept to milliseconds, as a
// QDateTime holds), an optional trailing "Z"; or a relative one: a positive whole number and a
// unit, s, m (minutes), h, d or w ("90m", "2h", "3d"), meaning that long before `now`. Surrounding
// blanks are ignored. The result has `now`'s time spec for a relative time and UTC for an
// absolute one (the stored wall-clock value, as SqlTimestamp reads it); invalid when `text` is
// neither form (or names no real date or time).
QDateTime parse(const QString &text, const QDateTime &now);

// What parse() accepts, for an error message.
QString expectedForms();

// A duration in parse()'s relative form ("90m", "24h", "3d", "1w"): its length in seconds, or
// -1 when `text` is not one (zero and absolute times included).
qint64 durationSeconds(const QString &text);

} // namespace TimeExpression
