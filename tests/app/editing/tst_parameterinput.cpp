// interpretParameterInput: what a number editor makes of what was typed. Every input a new user
// typed in the issue is here, with the value that becomes pending or the refusal; every value
// it produces is one the database's own check takes (validateParameterValue, which
// tst_parametervalidation holds to the trigger's verdicts).
#include "editing/parameterinput.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TstParameterInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void interprets_data();
    void interprets();
    void otherTypesPassUnchanged();
};

void TstParameterInput::interprets_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("locale");
    QTest::addColumn<QString>("stored"); // null: refused
    QTest::addColumn<QString>("reason"); // a part of the refusal

    const QString refused;
    // Integers.
    QTest::newRow("int plain") << u"500"_s << u"integer"_s << u"en_US"_s << u"500"_s << QString();
    QTest::newRow("int 1e5") << u"1e5"_s << u"integer"_s << u"en_US"_s << u"100000"_s << QString();
    QTest::newRow("int 1e3") << u"1e3"_s << u"integer"_s << u"en_US"_s << u"1000"_s << QString();
    QTest::newRow("int 1E+2") << u"1E+2"_s << u"integer"_s << u"en_US"_s << u"100"_s << QString();
    QTest::newRow("int 0x10") << u"0x10"_s << u"integer"_s << u"en_US"_s << refused
                              << u"hexadecimal"_s;
    QTest::newRow("int 010") << u"010"_s << u"integer"_s << u"en_US"_s << u"10"_s << QString();
    QTest::newRow("int +20") << u"+20"_s << u"integer"_s << u"en_US"_s << u"20"_s << QString();
    QTest::newRow("int minus sign")
        << u"−7"_s << u"integer"_s << u"en_US"_s << u"-7"_s << QString();
    QTest::newRow("int -0") << u"-0"_s << u"integer"_s << u"en_US"_s << u"0"_s << QString();
    QTest::newRow("int 000") << u"000"_s << u"integer"_s << u"en_US"_s << u"0"_s << QString();
    QTest::newRow("int blanks") << u"  42 "_s << u"integer"_s << u"en_US"_s << u"42"_s << QString();
    QTest::newRow("int arabic-indic") << u"١٢"_s << u"integer"_s << u"ar_EG"_s << refused
                                      << u"“١٢” is not an integer: type the digits 0–9"_s;
    QTest::newRow("int fraction") << u"1.5"_s << u"integer"_s << u"en_US"_s << refused
                                  << u"no decimal part"_s;
    QTest::newRow("int 1e-1") << u"1e-1"_s << u"integer"_s << u"en_US"_s << refused
                              << u"fractional"_s;
    QTest::newRow("int thousands")
        << u"1,000"_s << u"integer"_s << u"en_US"_s << refused << u"no separators"_s;
    QTest::newRow("int inner space")
        << u"1 000"_s << u"integer"_s << u"en_US"_s << refused << u"no spaces"_s;
    QTest::newRow("int empty") << u""_s << u"integer"_s << u"en_US"_s << refused
                               << u"type a number"_s;
    QTest::newRow("int sign only")
        << u"-"_s << u"integer"_s << u"en_US"_s << refused << u"no digits"_s;
    QTest::newRow("int two signs")
        << u"--5"_s << u"integer"_s << u"en_US"_s << refused << u"sign goes first"_s;
    QTest::newRow("int letters") << u"12abc"_s << u"integer"_s << u"en_US"_s << refused
                                 << u"“a” is not part of a number"_s;
    QTest::newRow("int bad exponent")
        << u"1e"_s << u"integer"_s << u"en_US"_s << refused << u"exponent"_s;
    QTest::newRow("int huge exponent")
        << u"1e99999"_s << u"integer"_s << u"en_US"_s << refused << u"too large"_s;
    // Decimals.
    QTest::newRow("dec 0.3") << u"0.3"_s << u"float"_s << u"en_US"_s << u"0.3"_s << QString();
    QTest::newRow("dec keeps zeros")
        << u"0.50"_s << u"float"_s << u"en_US"_s << u"0.50"_s << QString();
    QTest::newRow("dec 1e-1") << u"1e-1"_s << u"float"_s << u"en_US"_s << u"0.1"_s << QString();
    QTest::newRow("dec 2.5E3") << u"2.5E3"_s << u"decimal"_s << u"en_US"_s << u"2500"_s
                               << QString();
    QTest::newRow("dec 1.25e-7") << u"1.25e-7"_s << u"number"_s << u"en_US"_s << u"0.000000125"_s
                                 << QString();
    QTest::newRow("dec 2.50e1") << u"2.50e1"_s << u"float"_s << u"en_US"_s << u"25"_s << QString();
    QTest::newRow("dec .5") << u".5"_s << u"float"_s << u"en_US"_s << u"0.5"_s << QString();
    QTest::newRow("dec 5.") << u"5."_s << u"float"_s << u"en_US"_s << u"5"_s << QString();
    QTest::newRow("dec +0.25") << u"+0.25"_s << u"float"_s << u"en_US"_s << u"0.25"_s << QString();
    QTest::newRow("dec 00.5") << u"00.5"_s << u"float"_s << u"en_US"_s << u"0.5"_s << QString();
    QTest::newRow("dec -0.0") << u"-0.0"_s << u"float"_s << u"en_US"_s << u"0.0"_s << QString();
    QTest::newRow("dec comma en")
        << u"0,5"_s << u"float"_s << u"en_US"_s << refused
        << u"“0,5” is not a decimal number: write decimals with a point"_s;
    QTest::newRow("dec comma de") << u"0,5"_s << u"float"_s << u"de_DE"_s << u"0.5"_s << QString();
    QTest::newRow("dec point de") << u"0.5"_s << u"float"_s << u"de_DE"_s << u"0.5"_s << QString();
    QTest::newRow("dec two separators de") << u"1.000,5"_s << u"float"_s << u"de_DE"_s << refused
                                           << u"more than one decimal separator"_s;
    QTest::newRow("dec two points") << u"1.2.3"_s << u"float"_s << u"en_US"_s << refused
                                    << u"more than one decimal separator"_s;
    QTest::newRow("dec arabic-indic")
        << u"٠٫٥"_s << u"float"_s << u"ar_EG"_s << refused << u"type the digits 0–9"_s;
    QTest::newRow("dec nan") << u"NaN"_s << u"float"_s << u"en_US"_s << refused
                             << u"not part of a number"_s;
    QTest::newRow("dec inf") << u"inf"_s << u"float"_s << u"en_US"_s << refused
                             << u"not part of a number"_s;
    QTest::newRow("dec point only")
        << u"."_s << u"float"_s << u"en_US"_s << refused << u"no digits"_s;
}

void TstParameterInput::interprets()
{
    QFETCH(QString, typed);
    QFETCH(QString, type);
    QFETCH(QString, locale);
    QFETCH(QString, stored);
    QFETCH(QString, reason);

    const ParameterInput input =
        interpretParameterInput(typed, parameterKind(type), QLocale(locale));
    QCOMPARE(input.typed, typed);
    if (stored.isNull()) {
        QVERIFY2(!input.ok, qPrintable(u"taken as "_s + input.value));
        QVERIFY2(input.problem.contains(reason), qPrintable(input.problem));
        QVERIFY2(input.problem.startsWith(u"“"_s + typed + u"”"_s), qPrintable(input.problem));
        return;
    }
    QVERIFY2(input.ok, qPrintable(input.problem));
    QCOMPARE(input.value, stored);
    QCOMPARE(input.normalised(), stored != typed);
    // What becomes pending is what the database's check takes as it is.
    ParameterRule rule;
    rule.algorithmId = u"A1"_s;
    rule.name = u"p"_s;
    rule.type = type;
    const Validation validation = validateParameterValue(input.value, rule);
    QVERIFY2(validation.ok, qPrintable(validation.message));
}

void TstParameterInput::otherTypesPassUnchanged()
{
    for (const auto &[type, text] : {std::pair{u"string"_s, u" 1e5 "_s},
                                     {u"boolean"_s, u"yes"_s},
                                     {u"vector"_s, u"[1,2]"_s}}) {
        const ParameterInput input = interpretParameterInput(text, parameterKind(type));
        QVERIFY(input.ok);
        QCOMPARE(input.value, text);
        QVERIFY(!input.normalised());
    }
}

QTEST_APPLESS_MAIN(TstParameterInput)
#include "tst_parameterinput.moc"
