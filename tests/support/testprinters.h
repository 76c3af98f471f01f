#pragma once

// How QCOMPARE prints the project's values in a failure message (found by argument-dependent
// lookup), shared by the tests that compare them.
#include "editing/pendingedits.h"

#include <QByteArray>
#include <QString>

#include <optional>

inline char *toString(const std::optional<PendingEdit> &edit)
{
    if (!edit)
        return qstrdup("no edit");
    const auto shown = [](const QString &value) {
        return value.isNull() ? QStringLiteral("NULL")
                              : QLatin1Char('"') + value + QLatin1Char('"');
    };
    return qstrdup(qPrintable(QStringLiteral("%1 → %2").arg(shown(edit->from), shown(edit->to))));
}
