#include "screenshot.h"

#include "panel.h"

#include <QApplication>
#include <QTimer>

Screenshot::Screenshot(QWidget *window, Panel *panel, QString file, QString action, int delayMs,
                       QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_panel(panel)
    , m_file(std::move(file))
    , m_action(std::move(action))
    , m_delayMs(delayMs)
{
    connect(panel, &Panel::loaded, this, &Screenshot::panelLoaded);
}

void Screenshot::panelLoaded()
{
    if (m_grabbing)
        return;
    if (!m_action.isEmpty() && !m_actionStarted) {
        m_actionStarted = true;
        if (!m_panel->runAction(m_action)) {
            // The name is checked with the options: here the action is off (a broken migration
            // set, a role that may only read, no connection). The picture says which.
            qWarning("the %s panel could not start \"%s\" (see the screenshot for why)",
                     qPrintable(m_panel->panelId()), qPrintable(m_action));
            m_actionFailed = true;
            grabSoon(300);
            return;
        }
        if (m_delayMs > 0)
            grabSoon(m_delayMs); // during the action
        return;
    }
    // Let the layout settle (and a chart animate in) before grabbing.
    grabSoon(m_delayMs > 0 ? m_delayMs : 300);
}

void Screenshot::grabSoon(int delayMs)
{
    m_grabbing = true;
    QTimer::singleShot(delayMs, this, [this] {
        const bool saved = m_window->grab().save(m_file);
        if (!saved)
            qWarning("could not write %s", qPrintable(m_file));
        QApplication::exit(saved && !m_actionFailed ? 0 : 1);
    });
}
