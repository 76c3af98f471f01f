#include "editing/parametervalidation.h"

#include <QStringView>

#include <initializer_list>

using namespace Qt::StringLiterals;

// Everything here works on the text, character for character as the trigger does: ASCII digits
// only (QChar::isDigit would accept other scripts' digits, the SQL regex does not), ASCII case
// folding only (Unicode folding maps e.g. U+017F to 's', SQL's translate() does not), and
// exact decimal comparison (the trigger compares numerics, so must we).

namespace {

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isAsciiSpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r' || c == u'\f' || c == u'\v';
}

QString asciiLower(QStringView text)
{
    QString lowered = text.toString();
    for (QChar &c : lowered) {
        if (c >= u'A' && c <= u'Z')
            c = QChar(c.unicode() + (u'a' - u'A'));
    }
    return lowered;
}

QStringView trimmedAscii(QStringView text)
{
    while (!text.isEmpty() && isAsciiSpace(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isAsciiSpace(text.back()))
        text.chop(1);
    return text;
}

// A number split for comparison: the integer part without leading zeros and the fraction
// without trailing zeros (either may end up empty; both empty is zero, never negative).
struct Decimal
{
    bool negative = false;
    QStringView integer;
    QStringView fraction;
};

bool parseDecimal(QStringView text, bool allowFraction, Decimal *decimal)
{
    qsizetype i = 0;
    const bool negative = !text.isEmpty() && text.front() == u'-';
    if (negative)
        ++i;
    const qsizetype integerStart = i;
    while (i < text.size() && isAsciiDigit(text.at(i)))
        ++i;
    if (i == integerStart)
        return false;
    QStringView integer = text.sliced(integerStart, i - integerStart);
    QStringView fraction;
    if (i < text.size()) {
        if (!allowFraction || text.at(i) != u'.')
            return false;
        const qsizetype fractionStart = ++i;
        while (i < text.size() && isAsciiDigit(text.at(i)))
            ++i;
        if (i == fractionStart || i != text.size())
            return false;
        fraction = text.sliced(fractionStart);
    }
    while (!integer.isEmpty() && integer.front() == u'0')
        integer = integer.sliced(1);
    while (!fraction.isEmpty() && fraction.back() == u'0')
        fraction.chop(1);
    decimal->integer = integer;
    decimal->fraction = fraction;
    decimal->negative = negative && !(integer.isEmpty() && fraction.isEmpty());
    return true;
}

int sign(int value)
{
    return (value > 0) - (value < 0);
}

int compareMagnitudes(const Decimal &a, const Decimal &b)
{
    if (a.integer.size() != b.integer.size())
        return a.integer.size() < b.integer.size() ? -1 : 1;
    if (const int c = sign(a.integer.compare(b.integer)))
        return c;
    // No trailing zeros: lexicographic order of the fractions is numeric order.
    return sign(a.fraction.compare(b.fraction));
}

int compare(const Decimal &a, const Decimal &b)
{
    if (a.negative != b.negative)
        return a.negative ? -1 : 1;
    const int magnitude = compareMagnitudes(a, b);
    return a.negative ? -magnitude : magnitude;
}

bool inInt64Range(const Decimal &value)
{
    Decimal limit;
    limit.integer = value.negative ? u"9223372036854775808" : u"9223372036854775807";
    return compareMagnitudes(value, limit) <= 0;
}

bool parseNumber(QStringView text, ParameterKind kind, Decimal *decimal)
{
    return parseDecimal(text, kind == ParameterKind::Decimal, decimal);
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

// What is wrong with a bound (empty when it is sound); `decimal` gets its parsed form.
QString boundProblem(const QString &text, const QString &label, ParameterKind kind,
                     Decimal *decimal)
{
    if (!parseNumber(text, kind, decimal)) {
        return u"the "_s + label + u' ' + quoted(text) +
               (kind == ParameterKind::Integer ? u" is not an integer"_s
                                               : u" is not a decimal number"_s);
    }
    if (kind == ParameterKind::Integer && !inInt64Range(*decimal))
        return u"the "_s + label + u' ' + text + u" is outside the 64-bit integer range"_s;
    return {};
}

} // namespace

ParameterKind parameterKind(const QString &type)
{
    const QString name = asciiLower(trimmedAscii(type));
    if (name == u"integer"_s)
        return ParameterKind::Integer;
    if (name == u"float"_s || name == u"number"_s || name == u"decimal"_s)
        return ParameterKind::Decimal;
    if (name == u"boolean"_s)
        return ParameterKind::Boolean;
    if (name == u"string"_s)
        return ParameterKind::String;
    return ParameterKind::Unknown;
}

bool parameterBoolean(const QString &value, bool *ok)
{
    const QString lowered = asciiLower(value);
    for (const char16_t *spelling : {u"true", u"t", u"yes", u"y", u"on", u"1"}) {
        if (QStringView(lowered) == QStringView(spelling)) {
            *ok = true;
            return true;
        }
    }
    for (const char16_t *spelling : {u"false", u"f", u"no", u"n", u"off", u"0"}) {
        if (QStringView(lowered) == QStringView(spelling)) {
            *ok = true;
            return false;
        }
    }
    *ok = false;
    return false;
}

int compareDecimals(const QString &a, const QString &b)
{
    Decimal left;
    Decimal right;
    if (!parseDecimal(a, true, &left) || !parseDecimal(b, true, &right))
        return 0;
    return compare(left, right);
}

Validation validateParameterValue(const QString &value, const ParameterRule &rule)
{
    Validation result;
    // The order of the checks is the trigger's, so that the first problem found is the same.
    const auto refuse = [&](const QString &problem) {
        result.ok = false;
        result.message =
            u"algorithm "_s + rule.algorithmId + u", parameter "_s + rule.name + u": "_s + problem;
        return result;
    };

    const ParameterKind kind = parameterKind(rule.type);
    switch (kind) {
    case ParameterKind::Unknown:
        if (value.isNull())
            return result;
        return refuse(quoted(value) + u" has the unknown type "_s + quoted(rule.type) +
                      u" (expected integer, float, number, decimal, boolean or string)"_s);
    case ParameterKind::String:
        return result;
    case ParameterKind::Boolean: {
        if (value.isNull())
            return result;
        bool ok = false;
        parameterBoolean(value, &ok);
        if (ok)
            return result;
        return refuse(quoted(value) +
                      u" is not a boolean (use true/false, t/f, yes/no, y/n, on/off or 1/0)"_s);
    }
    case ParameterKind::Integer:
    case ParameterKind::Decimal:
        break;
    }

    const QString noun = kind == ParameterKind::Integer ? u"an integer"_s : u"a decimal number"_s;
    // The rule first: bounds that do not parse, or a minimum above the maximum, accept nothing.
    Decimal lo;
    Decimal hi;
    const bool hasMin = !rule.minValue.isEmpty();
    const bool hasMax = !rule.maxValue.isEmpty();
    if (hasMin) {
        if (const QString problem = boundProblem(rule.minValue, u"minimum"_s, kind, &lo);
            !problem.isEmpty())
            return refuse(problem);
    }
    if (hasMax) {
        if (const QString problem = boundProblem(rule.maxValue, u"maximum"_s, kind, &hi);
            !problem.isEmpty())
            return refuse(problem);
    }
    if (hasMin && hasMax && compare(lo, hi) > 0)
        return refuse(u"the minimum "_s + rule.minValue + u" is above the maximum "_s +
                      rule.maxValue);
    if (hasMin && hasMax)
        result.allowedRange = rule.minValue + u" … "_s + rule.maxValue;
    else if (hasMin)
        result.allowedRange = u"≥ "_s + rule.minValue;
    else if (hasMax)
        result.allowedRange = u"≤ "_s + rule.maxValue;
    const QString allowed =
        result.allowedRange.isEmpty() ? QString() : u" (allowed "_s + result.allowedRange + u')';

    if (value.isNull())
        return result;
    Decimal number;
    if (!parseNumber(value, kind, &number))
        return refuse(quoted(value) + u" is not "_s + noun + allowed);
    if (kind == ParameterKind::Integer && !inInt64Range(number))
        return refuse(value + u" is outside the 64-bit integer range"_s + allowed);
    if (hasMin && compare(number, lo) < 0)
        return refuse(value + u" is below the minimum "_s + rule.minValue + allowed);
    if (hasMax && compare(number, hi) > 0)
        return refuse(value + u" is above the maximum "_s + rule.maxValue + allowed);
    return result;
}
