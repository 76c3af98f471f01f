// The parameter rules, twice: the C++ function that editors, the command line and apply share,
// and the database's own trigger (sql/004_parameter_validation.sql). Every case of one table
// is checked with both, against the expected verdict, and the two must word a refusal the same.

#include "migrations/migrationengine.h"
#include "editing/parametervalidation.h"
#include "db/pgconnection.h"
#include "testdatabase.h"

#include <QObject>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

const QString Null;              // SQL NULL in the table below
const QByteArray AgentId = "T1"; // every case's parameter belongs to this agent
const QString Unbounded = u""_s; // an empty bound, as the old application wrote "no bound"

const QByteArray InsertSql =
    "INSERT INTO algorithm_parameters (algorithm_id, parameter_name, parameter_type,"
    " current_value, min_value, max_value) VALUES ($1, $2, $3, $4, $5, $6)";
const QByteArray RowSql = "SELECT coalesce(parameter_type, '<null>') || '|' ||"
                          " coalesce(current_value, '<null>') || '|' || coalesce(min_value,"
                          " '<null>') || '|' || coalesce(max_value, '<null>')"
                          " FROM algorithm_parameters WHERE algorithm_id = $1 AND"
                          " parameter_name = $2";
const QByteArray CountSql =
    "SELECT count(*) FROM algorithm_parameters WHERE algorithm_id = $1 AND parameter_name = $2";
const QByteArray ChangelogCountSql =
    "SELECT count(*) FROM algorithm_changelog WHERE algorithm_id = $1 AND parameter_name = $2";

QString describe(const QString &text)
{
    return text.isNull() ? u"NULL"_s : u'\'' + text + u'\'';
}

} // namespace

class TestParameterValidation : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void compareDecimalsIsExact_data();
    void compareDecimalsIsExact();
    void parameterKinds_data();
    void parameterKinds();
    void messageNamesAlgorithmParameterValueAndBounds();
    void cppAndDatabaseAgree_data();
    void cppAndDatabaseAgree();

private:
    // Checks a write's outcome against the C++ verdict; the caller QVERIFYs the result.
    QString checkWrite(const PgResult &result, const Validation &expected);

    std::unique_ptr<TestDatabase> m_db;
    int m_case = 0;
};

void TestParameterValidation::initTestCase()
{
    QVERIFY(sqlText(Null).isNull());
    QVERIFY(!sqlText(u""_s).isNull());
    m_db = std::make_unique<TestDatabase>(u"paramvalidation"_s);
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    const RunReport report = migrateDatabase(m_db->options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    const PgResult agent = m_db->exec(
        "INSERT INTO algorithm_agents (algorithm_id, name) VALUES ($1, 'cases')", {AgentId});
    QVERIFY2(agent.ok(), qPrintable(agent.error().toString()));
}

// ---------------------------------------------------------------------------------------------

void TestParameterValidation::compareDecimalsIsExact_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("expected");

    QTest::newRow("equal") << u"0.3"_s << u"0.3"_s << 0;
    QTest::newRow("trailing zeros") << u"0.30"_s << u"0.3"_s << 0;
    QTest::newRow("leading zeros") << u"007.5"_s << u"7.50"_s << 0;
    QTest::newRow("minus zero") << u"-0.0"_s << u"0"_s << 0;
    QTest::newRow("beyond double precision") << u"0.30000000000000001"_s << u"0.3"_s << 1;
    QTest::newRow("beyond double precision, below") << u"0.29999999999999999"_s << u"0.3"_s << -1;
    QTest::newRow("longer integer part") << u"10"_s << u"9.999"_s << 1;
    QTest::newRow("negatives") << u"-10"_s << u"-9.999"_s << -1;
    QTest::newRow("signs") << u"-0.001"_s << u"0"_s << -1;
    QTest::newRow("fraction prefix") << u"0.5"_s << u"0.51"_s << -1;
    QTest::newRow("huge") << u"123456789012345678901234567890.5"_s
                          << u"123456789012345678901234567890.49"_s << 1;
}

void TestParameterValidation::compareDecimalsIsExact()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, expected);
    QCOMPARE(compareDecimals(a, b), expected);
    QCOMPARE(compareDecimals(b, a), -expected);
    // The database agrees (numeric, not float8).
    const QString sql =
        m_db->scalar("SELECT sign($1::numeric - $2::numeric)::int", {a.toUtf8(), b.toUtf8()});
    QCOMPARE(sql, QString::number(expected));
}

void TestParameterValidation::parameterKinds_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<ParameterKind>("kind");

    QTest::newRow("integer") << u"integer"_s << ParameterKind::Integer;
    QTest::newRow("upper case, spaces") << u" INTEGER\t"_s << ParameterKind::Integer;
    QTest::newRow("float") << u"float"_s << ParameterKind::Decimal;
    QTest::newRow("number") << u"Number"_s << ParameterKind::Decimal;
    QTest::newRow("decimal") << u"DECIMAL"_s << ParameterKind::Decimal;
    QTest::newRow("boolean") << u"boolean"_s << ParameterKind::Boolean;
    QTest::newRow("string") << u"String "_s << ParameterKind::String;
    QTest::newRow("int") << u"int"_s << ParameterKind::Unknown;
    QTest::newRow("empty") << u""_s << ParameterKind::Unknown;
    QTest::newRow("null") << Null << ParameterKind::Unknown;
    QTest::newRow("long s (folds to s in Unicode)") << u"\u017Ftring"_s << ParameterKind::Unknown;
    QTest::newRow("no-break space") << u"\u00A0integer"_s << ParameterKind::Unknown;
}

void TestParameterValidation::parameterKinds()
{
    QFETCH(QString, type);
    QFETCH(ParameterKind, kind);
    QCOMPARE(parameterKind(type), kind);
}

void TestParameterValidation::messageNamesAlgorithmParameterValueAndBounds()
{
    const Validation result = validateParameterValue(
        u"1.5"_s, {u"A3"_s, u"learning_rate"_s, u"float"_s, u"0.0001"_s, u"1"_s});
    QVERIFY(!result.ok);
    QCOMPARE(result.message, u"algorithm A3, parameter learning_rate: 1.5 is above the maximum 1 "
                             "(allowed 0.0001 … 1)"_s);
    QCOMPARE(result.allowedRange, u"0.0001 … 1"_s);

    const Validation fine = validateParameterValue(
        u"0.5"_s, {u"A3"_s, u"learning_rate"_s, u"float"_s, u"0.0001"_s, u"1"_s});
    QVERIFY(fine.ok);
    QCOMPARE(fine.message, QString());
    QCOMPARE(fine.allowedRange, u"0.0001 … 1"_s);
    QCOMPARE(
        validateParameterValue(u"5"_s, {u"A1"_s, u"n"_s, u"integer"_s, u"0"_s, {}}).allowedRange,
        u"≥ 0"_s);
    QCOMPARE(
        validateParameterValue(u"5"_s, {u"A1"_s, u"n"_s, u"integer"_s, {}, u"9"_s}).allowedRange,
        u"≤ 9"_s);
    QCOMPARE(validateParameterValue(u"5"_s, {u"A1"_s, u"n"_s, u"integer"_s, {}, {}}).allowedRange,
             QString());
}

// ---------------------------------------------------------------------------------------------

void TestParameterValidation::cppAndDatabaseAgree_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("minValue");
    QTest::addColumn<QString>("maxValue");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("problem"); // part of the refusal's message

    const auto add = [](const char *tag, const QString &value, const QString &type,
                        const QString &minValue, const QString &maxValue, bool valid,
                        const QString &problem = {}) {
        QTest::newRow(tag) << value << type << minValue << maxValue << valid << problem;
    };
    const QString integer = u"integer"_s;
    const QString decimal = u"float"_s;
    const QString boolean = u"boolean"_s;
    const QString string = u"string"_s;

    // Exact decimals.
    add("0.3 at max 0.3", u"0.3"_s, decimal, u"0"_s, u"0.3"_s, true);
    add("0.30000000000000001 above max 0.3", u"0.30000000000000001"_s, decimal, u"0"_s, u"0.3"_s,
        false, u"0.30000000000000001 is above the maximum 0.3 (allowed 0 … 0.3)"_s);
    add("0.29999999999999999 below min 0.3", u"0.29999999999999999"_s, u"number"_s, u"0.3"_s,
        Unbounded, false, u"is below the minimum 0.3 (allowed ≥ 0.3)"_s);
    add("0.3 in [0.3, 0.3]", u"0.3"_s, u"decimal"_s, u"0.3"_s, u"0.3"_s, true);
    add("-0.0 at min 0", u"-0.0"_s, decimal, u"0"_s, u"1"_s, true);
    add("-0.0 at max -0", u"-0.0"_s, decimal, Null, u"-0"_s, true);
    add("leading and trailing zeros", u"007.50"_s, decimal, u"7.5"_s, u"7.5000"_s, true);
    add("1.5 above max 1", u"1.5"_s, decimal, u"0.0001"_s, u"1"_s, false,
        u"1.5 is above the maximum 1 (allowed 0.0001 … 1)"_s);
    add("below min 0.0001", u"0.00009"_s, decimal, u"0.0001"_s, u"1"_s, false,
        u"0.00009 is below the minimum 0.0001 (allowed 0.0001 … 1)"_s);
    add("negative range", u"-5"_s, decimal, u"-10"_s, u"-1"_s, true);
    add("below negative min", u"-10.5"_s, decimal, u"-10"_s, u"-1"_s, false,
        u"is below the minimum -10"_s);
    add("beyond double precision", u"12345678901234567890.1"_s, decimal, Unbounded,
        u"12345678901234567890.0999"_s, false, u"is above the maximum"_s);
    add("float beyond int64", u"9223372036854775808"_s, decimal, Null, Null, true);
    add("many digits", u"0.1000000000000000000000000000001"_s, decimal, u"0.1"_s, u"1"_s, true);

    // Integers: int64 edges, leading zeros, bounds.
    add("int64 max", u"9223372036854775807"_s, integer, Null, Null, true);
    add("int64 min", u"-9223372036854775808"_s, integer, Null, Null, true);
    add("int64 max + 1", u"9223372036854775808"_s, integer, Null, Null, false,
        u"9223372036854775808 is outside the 64-bit integer range"_s);
    add("int64 min - 1", u"-9223372036854775809"_s, integer, Null, Null, false,
        u"-9223372036854775809 is outside the 64-bit integer range"_s);
    add("int64 max with leading zeros", u"0009223372036854775807"_s, integer, Null, Null, true);
    add("far beyond int64", u"99999999999999999999999"_s, integer, u"0"_s, Null, false,
        u"is outside the 64-bit integer range (allowed ≥ 0)"_s);
    add("int64 max as max", u"9223372036854775807"_s, integer, u"0"_s, u"9223372036854775807"_s,
        true);
    add("below int64 max as min", u"9223372036854775806"_s, integer, u"9223372036854775807"_s, Null,
        false, u"is below the minimum 9223372036854775807"_s);
    add("leading zeros", u"0007"_s, integer, u"7"_s, u"7"_s, true);
    add("minus zero", u"-0"_s, integer, u"0"_s, u"0"_s, true);
    add("below min", u"-1"_s, integer, u"0"_s, Unbounded, false,
        u"-1 is below the minimum 0 (allowed ≥ 0)"_s);
    add("above max", u"100"_s, integer, Unbounded, u"99"_s, false,
        u"100 is above the maximum 99 (allowed ≤ 99)"_s);
    add("in range", u"14"_s, integer, u"1"_s, u"90"_s, true);

    // Malformed numbers.
    add("exponent (integer)", u"1e3"_s, integer, Null, Null, false, u"\"1e3\" is not an integer"_s);
    add("exponent (float)", u"1e3"_s, decimal, u"0"_s, u"5000"_s, false,
        u"\"1e3\" is not a decimal number (allowed 0 … 5000)"_s);
    add("leading space", u" 1"_s, integer, Null, Null, false, u"\" 1\" is not an integer"_s);
    add("trailing space", u"1 "_s, decimal, Null, Null, false, u"is not a decimal number"_s);
    add("trailing newline", u"1\n"_s, integer, Null, Null, false, u"is not an integer"_s);
    add("trailing dot", u"1."_s, decimal, Null, Null, false, u"\"1.\" is not a decimal number"_s);
    add("leading dot", u".5"_s, decimal, Null, Null, false, u"\".5\" is not a decimal number"_s);
    add("empty integer", u""_s, integer, Null, Null, false, u"\"\" is not an integer"_s);
    add("empty float", u""_s, decimal, Null, Null, false, u"\"\" is not a decimal number"_s);
    add("abc integer", u"abc"_s, integer, u"1"_s, u"9"_s, false,
        u"\"abc\" is not an integer (allowed 1 … 9)"_s);
    add("abc float", u"abc"_s, decimal, Null, Null, false, u"is not a decimal number"_s);
    add("decimal comma", u"1,5"_s, decimal, Null, Null, false,
        u"\"1,5\" is not a decimal number"_s);
    add("plus sign", u"+1"_s, integer, Null, Null, false, u"\"+1\" is not an integer"_s);
    add("decimal for integer", u"1.0"_s, integer, Null, Null, false, u"is not an integer"_s);
    add("double minus", u"--1"_s, integer, Null, Null, false, u"is not an integer"_s);
    add("minus alone", u"-"_s, decimal, Null, Null, false, u"is not a decimal number"_s);
    add("NaN", u"NaN"_s, decimal, Null, Null, false, u"\"NaN\" is not a decimal number"_s);
    add("Infinity", u"Infinity"_s, decimal, Null, Null, false, u"is not a decimal number"_s);
    add("-Infinity", u"-Infinity"_s, decimal, Null, Null, false, u"is not a decimal number"_s);
    add("hex", u"0x10"_s, integer, Null, Null, false, u"is not an integer"_s);
    add("fullwidth digit", u"\uFF11"_s, integer, Null, Null, false, u"is not an integer"_s);
    add("arabic-indic digit", u"\u0661"_s, decimal, Null, Null, false,
        u"is not a decimal number"_s);

    // Booleans: PostgreSQL's spellings, any case; nothing else.
    const char *const spellings[] = {"true", "false", "t",  "f",   "yes", "no",
                                     "y",    "n",     "on", "off", "1",   "0"};
    for (const char *spelling : spellings) {
        QTest::addRow("boolean %s", spelling)
            << QString::fromLatin1(spelling) << boolean << Null << Null << true << QString();
    }
    add("boolean TRUE", u"TRUE"_s, boolean, Null, Null, true);
    add("boolean Off", u"Off"_s, boolean, Null, Null, true);
    add("boolean yEs", u"yEs"_s, boolean, Null, Null, true);
    add("boolean maybe", u"maybe"_s, boolean, Null, Null, false,
        u"\"maybe\" is not a boolean (use true/false, t/f, yes/no, y/n, on/off or 1/0)"_s);
    add("boolean prefix tr", u"tr"_s, boolean, Null, Null, false, u"is not a boolean"_s);
    add("boolean with space", u" true"_s, boolean, Null, Null, false, u"is not a boolean"_s);
    add("boolean 2", u"2"_s, boolean, Null, Null, false, u"is not a boolean"_s);
    add("boolean empty", u""_s, boolean, Null, Null, false, u"is not a boolean"_s);
    add("boolean ignores bounds", u"true"_s, boolean, u"x"_s, u"1"_s, true);

    // Strings: any text; bounds ignored.
    add("string", u"anything at all, 1e3"_s, string, Null, Null, true);
    add("string empty", u""_s, string, Null, Null, true);
    add("string ignores bounds", u"zzz"_s, string, u"5"_s, u"1"_s, true);

    // Type names.
    add("type with spaces and case", u"1"_s, u" Integer "_s, Null, Null, true);
    add("type FLOAT", u"1.5"_s, u"FLOAT"_s, Null, Null, true);
    add("type Number", u"2"_s, u"Number"_s, Null, Null, true);
    add("type DECIMAL", u"2.5"_s, u"DECIMAL"_s, Null, Null, true);
    add("type Boolean", u"TRUE"_s, u"Boolean"_s, Null, Null, true);
    add("type STRING", u"x"_s, u"STRING"_s, Null, Null, true);
    add("unknown type int", u"1"_s, u"int"_s, Null, Null, false,
        u"\"1\" has the unknown type \"int\" (expected integer, float, number, decimal, "
        "boolean or string)"_s);
    add("unknown empty type", u"1"_s, u""_s, Null, Null, false, u"unknown type \"\""_s);
    add("unknown NULL type", u"1"_s, Null, Null, Null, false, u"unknown type \"\""_s);
    add("unknown type, dotless i", u"1"_s, u"\u0131nteger"_s, Null, Null, false, u"unknown type"_s);
    add("unknown type, NULL value", Null, u"int"_s, Null, Null, true);
    add("unknown type, empty value", u""_s, u"json"_s, Null, Null, false, u"unknown type"_s);

    // Broken rules.
    add("min above max", u"5"_s, integer, u"10"_s, u"1"_s, false,
        u"the minimum 10 is above the maximum 1"_s);
    add("min above max (decimals)", u"0.3"_s, decimal, u"0.3"_s, u"0.29"_s, false,
        u"the minimum 0.3 is above the maximum 0.29"_s);
    add("min above max, NULL value", Null, integer, u"10"_s, u"1"_s, false,
        u"the minimum 10 is above the maximum 1"_s);
    add("decimal max for integer", u"5"_s, integer, u"5"_s, u"5.0"_s, false,
        u"the maximum \"5.0\" is not an integer"_s);
    add("min not a number", u"5"_s, decimal, u"abc"_s, Null, false,
        u"the minimum \"abc\" is not a decimal number"_s);
    add("max with exponent", u"5"_s, decimal, Null, u"1e3"_s, false,
        u"the maximum \"1e3\" is not a decimal number"_s);
    add("min decimal for integer", u"5"_s, integer, u"1.5"_s, Null, false,
        u"the minimum \"1.5\" is not an integer"_s);
    add("min with space", u"5"_s, integer, u" 1"_s, Null, false,
        u"the minimum \" 1\" is not an integer"_s);
    add("max beyond int64", u"5"_s, integer, Null, u"9223372036854775808"_s, false,
        u"the maximum 9223372036854775808 is outside the 64-bit integer range"_s);
    add("bad bound, NULL value", Null, decimal, u"x"_s, Null, false,
        u"the minimum \"x\" is not a decimal number"_s);

    // NULL values: unset, accepted (bounds not applied).
    add("NULL integer, bounded", Null, integer, u"1"_s, u"90"_s, true);
    add("NULL float, unbounded", Null, decimal, Unbounded, Unbounded, true);
    add("NULL boolean", Null, boolean, Null, Null, true);
    add("NULL string", Null, string, Null, Null, true);
}

QString TestParameterValidation::checkWrite(const PgResult &result, const Validation &expected)
{
    if (expected.ok)
        return result.ok() ? QString() : u"refused: "_s + result.error().toString();
    if (result.ok())
        return u"accepted, expected: "_s + expected.message;
    const DbError error = result.error();
    if (error.sqlState != u"23514"_s)
        return u"wrong SQLSTATE: "_s + error.toString();
    if (error.message != expected.message)
        return u"message differs:\n   database: "_s + error.message + u"\n   C++:      "_s +
               expected.message;
    return {};
}

void TestParameterValidation::cppAndDatabaseAgree()
{
    QFETCH(QString, value);
    QFETCH(QString, type);
    QFETCH(QString, minValue);
    QFETCH(QString, maxValue);
    QFETCH(bool, valid);
    QFETCH(QString, problem);
    TestDatabase &db = *m_db;
    const QString what = u"value %1, type %2, min %3, max %4"_s.arg(
        describe(value), describe(type), describe(minValue), describe(maxValue));

    // C++.
    const QString name = u"case_%1"_s.arg(++m_case);
    const ParameterRule rule{QString::fromUtf8(AgentId), name, type, minValue, maxValue};
    const Validation verdict = validateParameterValue(value, rule);
    QVERIFY2(verdict.ok == valid, qPrintable(what + u": "_s + verdict.message));
    if (!valid) {
        QVERIFY2(verdict.message.startsWith(u"algorithm T1, parameter "_s + name + u": "_s),
                 qPrintable(verdict.message));
        QVERIFY2(verdict.message.contains(problem), qPrintable(verdict.message));
    } else {
        QCOMPARE(verdict.message, QString());
    }

    // The database, INSERT: the whole row is checked.
    const QList<QByteArray> row{AgentId,        name.toUtf8(),     sqlText(type),
                                sqlText(value), sqlText(minValue), sqlText(maxValue)};
    const QString inserted = checkWrite(db.exec(InsertSql, row), verdict);
    QVERIFY2(inserted.isEmpty(), qPrintable(u"INSERT, "_s + what + u": "_s + inserted));
    QCOMPARE(db.scalar(CountSql, {AgentId, name.toUtf8()}), valid ? u"1"_s : u"0"_s);

    // UPDATE of a sound row that sets the rule and the value at once.
    const QString updatedName = name + u"_u"_s;
    const Validation updateVerdict =
        validateParameterValue(value, {rule.algorithmId, updatedName, type, minValue, maxValue});
    QCOMPARE(updateVerdict.ok, valid);
    QVERIFY(db.exec(InsertSql, {AgentId, updatedName.toUtf8(), "string", {}, {}, {}}).ok());
    const QString updated = checkWrite(
        db.exec("UPDATE algorithm_parameters SET parameter_type = $3, current_value = $4,"
                " min_value = $5, max_value = $6 WHERE algorithm_id = $1 AND parameter_name = $2",
                {AgentId, updatedName.toUtf8(), sqlText(type), sqlText(value), sqlText(minValue),
                 sqlText(maxValue)}),
        updateVerdict);
    QVERIFY2(updated.isEmpty(), qPrintable(u"UPDATE, "_s + what + u": "_s + updated));
    const auto text = [](const QString &s) { return s.isNull() ? u"<null>"_s : s; };
    const QStringList written{text(type), text(value), text(minValue), text(maxValue)};
    const QString expectedRow =
        valid ? written.join(u'|') : u"string|<null>|<null>|<null>"_s; // refused: unchanged
    QCOMPARE(db.scalar(RowSql, {AgentId, updatedName.toUtf8()}), expectedRow);

    // UPDATE of the value alone, where the rule itself is sound: the way an edit arrives.
    if (!validateParameterValue(Null, rule).ok)
        return;
    const QString valueName = name + u"_v"_s;
    const Validation valueVerdict =
        validateParameterValue(value, {rule.algorithmId, valueName, type, minValue, maxValue});
    QVERIFY(db.exec(InsertSql, {AgentId,
                                valueName.toUtf8(),
                                sqlText(type),
                                {},
                                sqlText(minValue),
                                sqlText(maxValue)})
                .ok());
    const QString changed = checkWrite(db.exec("UPDATE algorithm_parameters SET current_value = $3"
                                               " WHERE algorithm_id = $1 AND parameter_name = $2",
                                               {AgentId, valueName.toUtf8(), sqlText(value)}),
                                       valueVerdict);
    QVERIFY2(changed.isEmpty(), qPrintable(u"UPDATE of the value, "_s + what + u": "_s + changed));
    QCOMPARE(db.scalar("SELECT coalesce(current_value, '<null>') FROM algorithm_parameters"
                       " WHERE algorithm_id = $1 AND parameter_name = $2",
                       {AgentId, valueName.toUtf8()}),
             valid ? text(value) : u"<null>"_s);
    // An accepted change of the value is audited; a refused one left no trace.
    QCOMPARE(db.scalar(ChangelogCountSql, {AgentId, valueName.toUtf8()}),
             valid && !value.isNull() ? u"1"_s : u"0"_s);
}

QTEST_GUILESS_MAIN(TestParameterValidation)
#include "tst_parametervalidation.moc"
