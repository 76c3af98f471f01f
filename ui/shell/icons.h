#pragma once

#include <QIcon>

// The window's icons, from resources/algoadmin.qrc: one consistent set (Lucide) for actions and
// panels, and the application icon. Panels and dialogs take their icons from here, by name.
namespace Icons {

// The application icon (window, About box): the SVG plus the PNG sizes drawn for small sizes.
QIcon application();
// An action or panel icon by its name in the .qrc ("migrate", "agents", "refresh" …); a null
// icon for an unknown name, so that a typo shows as a missing icon in tst_icons, not a crash.
QIcon action(const QString &name);

} // namespace Icons
