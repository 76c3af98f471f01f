#include "keyboard.h"
#include "colours.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QShortcut>

namespace Keyboard {

namespace {

// Forwards Down from a search box to its results.
class DownIntoResults : public QObject
{
public:
    DownIntoResults(QLineEdit *search, QAbstractItemView *results)
        : QObject(search)
        , m_results(results)
    {
        search->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::KeyPress || !m_results)
            return QObject::eventFilter(watched, event);
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() != Qt::Key_Down && key->key() != Qt::Key_PageDown) ||
            key->modifiers() != Qt::NoModifier || !m_results->isVisible() || !m_results->model() ||
            m_results->model()->rowCount() == 0)
            return QObject::eventFilter(watched, event);
        m_results->setFocus(Qt::TabFocusReason);
        if (!m_results->currentIndex().isValid())
            m_results->setCurrentIndex(m_results->model()->index(0, 0));
        return true;
    }

private:
    QPointer<QAbstractItemView> m_results;
};

// Enter in a multi-line reason submits; Shift+Enter is a new line.
class EnterSubmits : public QObject
{
public:
    EnterSubmits(QPlainTextEdit *text, QAbstractButton *button)
        : QObject(text)
        , m_button(button)
    {
        text->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::KeyPress) {
            const auto *key = static_cast<QKeyEvent *>(event);
            const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
            const Qt::KeyboardModifiers modifiers = key->modifiers() & ~Qt::KeypadModifier;
            if (enter && (modifiers == Qt::NoModifier || modifiers == Qt::ControlModifier)) {
                if (m_button && m_button->isEnabled())
                    m_button->click();
                return true; // not a new line: the rule under the text says what is missing
            }
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QPointer<QAbstractButton> m_button;
};

// The widget of `pane` that takes the focus: the pane, or its first focusable child.
QWidget *focusTarget(QWidget *pane)
{
    if (pane->focusPolicy() & Qt::TabFocus)
        return pane;
    for (QWidget *child : pane->findChildren<QWidget *>()) {
        if ((child->focusPolicy() & Qt::TabFocus) && child->isVisible() && child->isEnabled())
            return child;
    }
    return nullptr;
}

void cycle(const QList<QPointer<QWidget>> &panes, int step)
{
    QList<QWidget *> usable;
    for (const QPointer<QWidget> &pane : panes) {
        if (pane && pane->isVisible() && pane->isEnabled() && focusTarget(pane))
            usable.append(pane);
    }
    if (usable.isEmpty())
        return;
    int at = -1;
    const QWidget *focus = QApplication::focusWidget();
    for (int i = 0; i < usable.size(); ++i) {
        if (focus && (focus == usable.at(i) || usable.at(i)->isAncestorOf(focus)))
            at = i;
    }
    const int next = at < 0 ? (step > 0 ? 0 : int(usable.size()) - 1)
                            : int((at + step + usable.size()) % usable.size());
    focusTarget(usable.at(next))->setFocus(Qt::ShortcutFocusReason);
}

} // namespace

void setUpView(QAbstractItemView *view)
{
    view->setTabKeyNavigation(false);
    // Fusion marks only the current cell with a thin dotted line: frame the whole view. The
    // frame keeps its width in both states (a style sheet cannot re-lay out a view when only
    // its focus changes), only its colour says where the keys go.
    const QString type = QLatin1String(view->metaObject()->className());
    view->setStyleSheet(view->styleSheet() + QStringLiteral(" %1 { border: 2px solid %2; }"
                                                            " %1:focus { border: 2px solid %3; }")
                                                 .arg(type, Colours::css(Colours::neutralBorder()),
                                                      Colours::css(Colours::focusRing())));
}

void enterResultsOnDown(QLineEdit *search, QAbstractItemView *results)
{
    new DownIntoResults(search, results);
}

void cyclePanes(QWidget *panel, const QList<QPointer<QWidget>> &panes)
{
    for (const auto &[key, step] : {std::pair{QKeySequence(Qt::Key_F6), 1},
                                    std::pair{QKeySequence(Qt::SHIFT | Qt::Key_F6), -1}}) {
        auto *shortcut = new QShortcut(key, panel);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        QObject::connect(shortcut, &QShortcut::activated, panel,
                         [panes, step = step] { cycle(panes, step); });
    }
}

void submitWith(QDialog *dialog, QAbstractButton *button, QPlainTextEdit *text)
{
    for (const QKeySequence &key :
         {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(key, dialog);
        QObject::connect(shortcut, &QShortcut::activated, button, [button] {
            if (button->isEnabled())
                button->click();
        });
    }
    if (text)
        new EnterSubmits(text, button);
}

namespace {
constexpr char ParkedKey[] = "parkedShortcuts";
} // namespace

void parkShortcuts(const QList<QAction *> &actions, bool parked)
{
    for (QAction *action : actions) {
        if (!action->property(ParkedKey).isValid())
            action->setProperty(ParkedKey, QVariant::fromValue(action->shortcuts()));
        action->setShortcuts(parked ? QList<QKeySequence>()
                                    : action->property(ParkedKey).value<QList<QKeySequence>>());
    }
}

QString shortcutTable(const QList<QAction *> &menuActions)
{
    QString text = QStringLiteral("<table cellspacing=6>");
    for (QAction *menuAction : menuActions) {
        if (!menuAction->menu())
            continue;
        for (QAction *action : menuAction->menu()->actions()) {
            const QVariant parked = action->property(ParkedKey);
            const QKeySequence shortcut = parked.isValid()
                                              ? parked.value<QList<QKeySequence>>().value(0)
                                              : action->shortcut();
            if (shortcut.isEmpty())
                continue;
            text += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(shortcut.toString(QKeySequence::NativeText).toHtmlEscaped(),
                             action->text().remove(QLatin1Char('&')).toHtmlEscaped());
        }
    }
    return text + QStringLiteral("</table>");
}

} // namespace Keyboard
