#include "editing/parameterinput.h"

using namespace Qt::StringLiterals;

// The database's check (sql/004) takes only "-?[0-9]+" and "-?[0-9]+(.[0-9]+)?": everything
// friendlier that an editor accepts is turned into that form here, so that the editor can show
// the stored text before it becomes pending, and the apply path and the CLI still send only
// what the trigger takes.

namespace {

constexpr int MaxExponent = 1000;

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isAsciiSpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r' || c == u'\f' || c == u'\v';
}

QString quote(const QString &text)
{
    return u"“"_s + text + u"”"_s;
}

// The digits of a number with the decimal point at `point` (digits.size() for none), as
// canonical text: no leading zeros before the point (one "0" at least), the fraction as given.
QString canonical(bool negative, QString digits, qsizetype point)
{
    QString integer = digits.left(point);
    QString fraction = digits.mid(point);
    while (integer.size() > 1 && integer.front() == u'0')
        integer.remove(0, 1);
    if (integer.isEmpty())
        integer = u"0"_s;
    const bool zero = [&] {
        for (QChar c : std::as_const(digits)) {
            if (c != u'0')
                return false;
        }
        return true;
    }();
    QString text = (negative && !zero ? u"-"_s : QString()) + integer;
    if (!fraction.isEmpty())
        text += u'.' + fraction;
    return text;
}

} // namespace

ParameterInput interpretParameterInput(const QString &typed, ParameterKind kind,
                                       const QLocale &locale)
{
    ParameterInput input;
    input.typed = typed;
    if (kind != ParameterKind::Integer && kind != ParameterKind::Decimal) {
        input.ok = true;
        input.value = typed;
        return input;
    }
    const bool integer = kind == ParameterKind::Integer;
    const QString noun = integer ? u"an integer"_s : u"a decimal number"_s;
    const auto refuse = [&](const QString &why) {
        input.problem = quote(typed) + u" is not "_s + noun + u": "_s + why;
        return input;
    };

    QStringView text(typed);
    while (!text.isEmpty() && isAsciiSpace(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isAsciiSpace(text.back()))
        text.chop(1);
    if (text.isEmpty())
        return refuse(u"type a number"_s);

    qsizetype i = 0;
    bool negative = false;
    if (text.at(0) == u'+' || text.at(0) == u'-' || text.at(0) == QChar(0x2212)) {
        negative = text.at(0) != u'+';
        ++i;
    }
    const bool commaDecimals = locale.decimalPoint() == u","_s;
    QString digits;
    qsizetype point = -1;
    for (; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (isAsciiDigit(c)) {
            digits += c;
            continue;
        }
        if (c == u'.' || (c == u',' && commaDecimals)) {
            if (integer)
                return refuse(c == u',' ? u"only the digits 0–9, no separators"_s
                                        : u"an integer has no decimal part"_s);
            if (point >= 0)
                return refuse(
                    u"it has more than one decimal separator (no thousands separators)"_s);
            point = digits.size();
            continue;
        }
        if (c == u',')
            return refuse(integer ? u"only the digits 0–9, no separators"_s
                                  : u"write decimals with a point (0.5), and no thousands "
                                    u"separators"_s);
        if (c == u'e' || c == u'E')
            break;
        if ((c == u'x' || c == u'X') && digits == u"0"_s)
            return refuse(u"hexadecimal is not accepted, only the digits 0–9"_s);
        if (c.isDigit())
            return refuse(u"type the digits 0–9"_s);
        if (c.isSpace() || c == QChar(0x2009) || c == QChar(0x202F) || c == u'\'' || c == u'_')
            return refuse(u"no spaces or separators inside a number"_s);
        if (c == u'+' || c == u'-' || c == QChar(0x2212))
            return refuse(u"the sign goes first, once"_s);
        return refuse(quote(QString(c)) + u" is not part of a number"_s);
    }
    if (digits.isEmpty())
        return refuse(u"it has no digits"_s);
    if (point < 0)
        point = digits.size();

    if (i < text.size()) { // an exponent: e, an optional sign, digits
        ++i;
        bool negativeExponent = false;
        if (i < text.size() && (text.at(i) == u'+' || text.at(i) == u'-')) {
            negativeExponent = text.at(i) == u'-';
            ++i;
        }
        const qsizetype start = i;
        while (i < text.size() && isAsciiDigit(text.at(i)))
            ++i;
        if (i == start || i != text.size())
            return refuse(u"the exponent after “e” must be a whole number, as in 1e5"_s);
        bool ok = false;
        const int exponent = text.sliced(start).toInt(&ok);
        if (!ok || exponent > MaxExponent)
            return refuse(u"the exponent is too large"_s);
        if (integer && (negativeExponent || point != digits.size()))
            return refuse(u"an integer's exponent must not make it fractional"_s);
        // Move the point; pad with zeros where it passes the digits.
        qsizetype moved = point + (negativeExponent ? -exponent : exponent);
        if (moved < 0) {
            digits.prepend(QString(-moved, u'0'));
            moved = 0;
        } else if (moved > digits.size()) {
            digits.append(QString(moved - digits.size(), u'0'));
        }
        point = moved;
        // An exponent form has no intended precision: trailing zeros of the fraction go.
        while (digits.size() > point && digits.back() == u'0')
            digits.chop(1);
    }
    input.ok = true;
    input.value = canonical(negative, digits, point);
    return input;
}
