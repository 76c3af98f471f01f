#pragma once

#include "editing/parametervalidation.h"

#include <QLocale>
#include <QString>

// What an admin typed into a number editor, read as a value of the parameter's type. Nothing
// typed is ever dropped or changed silently: the result is either the exact text the database
// will store (`value`, which may differ from what was typed: `normalised()` then, and the
// editor shows it before it becomes pending) or a refusal that quotes what was typed.
//
// Integers take an optional sign ('+', '-' or U+2212 '−'), the ASCII digits 0-9 and a
// non-negative exponent ("1e5" = 100000); leading zeros go ("010" is stored as 10).
// Decimals (float, number, decimal) take the same sign, digits with one decimal point ('.'
// everywhere; ',' too where the locale writes decimals with a comma, e.g. German) and an
// exponent of either sign, expanded exactly ("1e-1" is stored as 0.1, never through binary
// floating point). Refused, with the reason: other scripts' digits, hexadecimal, thousands
// separators, a comma where the locale's decimal point is '.', spaces inside the number,
// exponents beyond ±1000. Surrounding white space is ignored. Other types pass unchanged.
struct ParameterInput
{
    QString typed;   // what was typed
    bool ok = false; // `value` holds what the database will store
    QString value;
    QString problem; // when not ok: why, quoting what was typed ("“0x10” is not an integer: …")
    bool normalised() const { return ok && value != typed; }
};

ParameterInput interpretParameterInput(const QString &typed, ParameterKind kind,
                                       const QLocale &locale = QLocale());
