#include "shell/readonlytip.h"

#include <QAction>
#include <QCoreApplication>
#include <QVariant>
#include <QWidget>

namespace {

// Where the target's own tip is kept while the read-only one shows.
constexpr char OwnTip[] = "algoadminOwnToolTip";

QString toolTipOf(QObject *target)
{
    if (auto *action = qobject_cast<QAction *>(target))
        return action->toolTip();
    if (auto *widget = qobject_cast<QWidget *>(target))
        return widget->toolTip();
    return {};
}

void setToolTipOf(QObject *target, const QString &tip)
{
    if (auto *action = qobject_cast<QAction *>(target))
        action->setToolTip(tip);
    else if (auto *widget = qobject_cast<QWidget *>(target))
        widget->setToolTip(tip);
}

} // namespace

namespace ReadOnlyTip {

QString text(const QString &why)
{
    return QCoreApplication::translate("ReadOnlyTip", "Read-only connection: %1").arg(why);
}

void show(QObject *target, const QString &why)
{
    if (!target)
        return;
    const QVariant own = target->property(OwnTip);
    if (why.isEmpty()) {
        if (own.isValid()) {
            setToolTipOf(target, own.toString());
            target->setProperty(OwnTip, QVariant());
        }
        return;
    }
    if (!own.isValid())
        target->setProperty(OwnTip, toolTipOf(target));
    setToolTipOf(target, text(why));
}

} // namespace ReadOnlyTip
