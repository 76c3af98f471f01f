#pragma once

#include <QDateTime>
#include <QString>

// The tables' TIMESTAMP columns have no time zone. Core reads them as UTC QDateTimes holding the
// stored wall-clock value and binds a QDateTime as its UTC date and time, so what it reads
// round-trips unchanged.
namespace SqlTimestamp {

// "yyyy-MM-dd HH:mm:ss.zzz" of the UTC value; a null QDateTime gives a null QString (SQL NULL).
QString toSql(const QDateTime &value);
// Parses the server's text form (microseconds are truncated to milliseconds); UTC spec.
QDateTime fromSql(const QString &text);

} // namespace SqlTimestamp
