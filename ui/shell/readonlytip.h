#pragma once

#include <QString>

class QObject;

// A write action (QAction or widget) disabled because the connection allows no writes says
// why in its tool tip ("Read-only connection: role reader may not UPDATE
// algorithm_parameters"); once writes are allowed again it shows its own tip. `why` empty:
// writable.
namespace ReadOnlyTip {

void show(QObject *target, const QString &why);

// The text show() puts in the tip.
QString text(const QString &why);

} // namespace ReadOnlyTip
