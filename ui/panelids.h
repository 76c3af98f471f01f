#pragma once

#include <QString>
#include <QStringList>

// The panels' ids in sidebar order (Ctrl+1 … Ctrl+5): what --panel accepts and the window saves
// as the last panel. The one list: MainWindow adds its panels in this order and checks them
// against it.
namespace PanelIds {

inline const QStringList &all()
{
    static const QStringList ids{QStringLiteral("agents"), QStringLiteral("changelog"),
                                 QStringLiteral("metrics"), QStringLiteral("chat"),
                                 QStringLiteral("schema")};
    return ids;
}

} // namespace PanelIds
