// TimeExpression: the absolute and relative forms a user types for a changelog range, and
// the durations (a metric impact's window).
#include "repositories/timeexpression.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TstTimeExpression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void durationSeconds_data();
    void durationSeconds();
};

static const QDateTime kNow(QDate(2026, 11, 3), QTime(12, 0, 0), Qt::UTC);

void TstTimeExpression::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected"); // invalid: refused

    const QDate day(2026, 11, 3);
    QTest::newRow("date") << u"2026-11-03"_s << QDateTime(day, QTime(0, 0), Qt::UTC);
    QTest::newRow("T minutes") << u"2026-11-03T10:00"_s << QDateTime(day, QTime(10, 0), Qt::UTC);
    QTest::newRow("space seconds")
        << u"2026-11-03 10:00:07"_s << QDateTime(day, QTime(10, 0, 7), Qt::UTC);
    QTest::newRow("microseconds") << u"2026-11-03 10:00:00.123456"_s
                                  << QDateTime(day, QTime(10, 0, 0, 123), Qt::UTC);
    QTest::newRow("one fraction digit")
        << u"2026-11-03T10:00:00.5"_s << QDateTime(day, QTime(10, 0, 0, 500), Qt::UTC);
    QTest::newRow("Z") << u"2026-11-03T10:00:00Z"_s << QDateTime(day, QTime(10, 0), Qt::UTC);
    QTest::newRow("blanks") << u"  2026-11-03  "_s << QDateTime(day, QTime(0, 0), Qt::UTC);
    QTest::newRow("leap day") << u"2028-02-29"_s
                              << QDateTime(QDate(2028, 2, 29), QTime(0, 0), Qt::UTC);
    QTest::newRow("2h") << u"2h"_s << kNow.addSecs(-2 * 3600);
    QTest::newRow("3d") << u"3d"_s << kNow.addDays(-3);
    QTest::newRow("90m") << u"90m"_s << kNow.addSecs(-90 * 60);
    QTest::newRow("45s") << u"45s"_s << kNow.addSecs(-45);
    QTest::newRow("1w") << u"1w"_s << kNow.addDays(-7);

    for (const char *bad : {"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-03T25:00",
                            "2026-11-03 10", "2026-11-03T10:00:00.1234567", "26-11-03", "2 h",
                            "-2h", "0h", "2y", "h", "2026-11-03T10:00+02:00", "2026/11/03"})
        QTest::newRow(bad[0] ? bad : "empty") << QString::fromLatin1(bad) << QDateTime();
}

void TstTimeExpression::parse()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const QDateTime got = TimeExpression::parse(text, kNow);
    QCOMPARE(got.isValid(), expected.isValid());
    if (expected.isValid())
        QCOMPARE(got, expected);
}

void TstTimeExpression::durationSeconds_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected"); // -1: refused
    QTest::newRow("1h") << u"1h"_s << qint64(3600);
    QTest::newRow("6h") << u"6h"_s << qint64(6 * 3600);
    QTest::newRow("24h") << u"24h"_s << qint64(86400);
    QTest::newRow("3d") << u"3d"_s << qint64(3 * 86400);
    QTest::newRow("90m") << u"90m"_s << qint64(5400);
    QTest::newRow("1w") << u" 1w "_s << qint64(7 * 86400);
    QTest::newRow("30s") << u"30s"_s << qint64(30);
    for (const char *bad : {"", "0h", "-1h", "24", "h", "2 h", "1y", "2026-11-03", "1.5h"})
        QTest::newRow(bad[0] ? bad : "empty") << QString::fromLatin1(bad) << qint64(-1);
}

void TstTimeExpression::durationSeconds()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    QCOMPARE(TimeExpression::durationSeconds(text), expected);
}

QTEST_GUILESS_MAIN(TstTimeExpression)
#include "tst_timeexpression.moc"
