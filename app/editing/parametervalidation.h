#pragma once

#include <QString>

// The rules a parameter value must follow: the same verdicts and the same messages as the
// database's own check (sql/004_parameter_validation.sql), so that an editor, the command line
// and an apply can tell a value is refused before sending it. Pure functions, no SQL.
//
// - integer: 64-bit, the text "-?[0-9]+" (no spaces, no '+', no decimals, no exponent)
// - float, number, decimal: the text "-?[0-9]+(.[0-9]+)?", compared as exact decimals
// - boolean: true/false, t/f, yes/no, y/n, on/off, 1/0, in any case
// - string: any text
// Type names are matched case-insensitively after trimming ASCII white space. A null value is
// unset and accepted; bounds apply to integer and float only, must parse as the type and
// satisfy min <= max (a rule with broken bounds accepts nothing, not even a null value).

// What a parameter row declares; an empty (or null) QString is "not set".
struct ParameterRule
{
    QString algorithmId; // for the message
    QString name;        // for the message
    QString type;
    QString minValue;
    QString maxValue;
};

struct Validation
{
    bool ok = true;
    // Why the value is refused, worded exactly as the database's error message:
    // "algorithm A3, parameter learning_rate: 1.5 is above the maximum 1 (allowed 0.0001 … 1)".
    QString message;
    // "0.0001 … 1", "≥ 0" or "≤ 1" for a bounded integer or float; empty when unbounded, for
    // other types, or when the bounds themselves are broken.
    QString allowedRange;
};

enum class ParameterKind
{
    Integer,
    Decimal, // float, number, decimal
    Boolean,
    String,
    Unknown
};

ParameterKind parameterKind(const QString &type);

// A null `value` is SQL NULL; an empty one is the empty text (valid only for strings).
Validation validateParameterValue(const QString &value, const ParameterRule &rule);

// -1, 0 or 1 as a < b, a == b, a > b, exactly on the text (leading zeros of the integer part
// and trailing zeros of the fraction ignored, -0 == 0), never through binary floating point.
// Both must have the decimal syntax above; otherwise the result is 0.
int compareDecimals(const QString &a, const QString &b);

// The text of a boolean value as true or false; `ok` false when it is not one of the spellings.
bool parameterBoolean(const QString &value, bool *ok);
