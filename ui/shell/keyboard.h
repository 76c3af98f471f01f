#pragma once

#include <QList>
#include <QPointer>

class QAbstractButton;
class QAction;
class QAbstractItemView;
class QDialog;
class QLineEdit;
class QPlainTextEdit;
class QWidget;

// Keyboard use that every panel shares: a table is one Tab stop (arrows move inside it) and
// shows clearly when it has the focus; Down in a search box enters its results; F6 and
// Shift+F6 cycle the panes of a panel.
namespace Keyboard {

// One Tab stop, drawn with a clear frame while it has the focus.
void setUpView(QAbstractItemView *view);

// Down (or Page Down) in `search` moves the focus into `results`, onto its first row when it
// has no current row yet.
void enterResultsOnDown(QLineEdit *search, QAbstractItemView *results);

// F6 / Shift+F6 anywhere inside `panel` move the focus to the next / previous of `panes` that is
// visible and enabled (the pane itself or, for a container, its first focusable child), from
// the pane that holds the focus now.
void cyclePanes(QWidget *panel, const QList<QPointer<QWidget>> &panes);

// A dialog's default action from the keyboard: Ctrl+Return (and Ctrl+Enter) anywhere in
// `dialog` press `button` when it is enabled; in the multi-line `text` (a reason), Enter does
// too and Shift+Enter starts a new line. Enter elsewhere is the dialog's default button.
void submitWith(QDialog *dialog, QAbstractButton *button, QPlainTextEdit *text = nullptr);

// Parks (`parked` true) or gives back the shortcuts of `actions`: a hidden panel's actions keep
// none, so that a key two panels share is never ambiguous. The keys stay on the action.
void parkShortcuts(const QList<QAction *> &actions, bool parked);
// Every shortcut of the menus of `menuActions` (a menu bar's), parked ones too, as an HTML
// table: key, action.
QString shortcutTable(const QList<QAction *> &menuActions);

} // namespace Keyboard
