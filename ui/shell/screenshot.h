#pragma once

#include <QObject>
#include <QString>

class Panel;
class QWidget;

// --screenshot: once `panel` has loaded (and, with an action, once that has run or
// `delayMs` after it started), grabs `window` into `file` and quits the application
// (exit code 0, or 1 when the PNG could not be written or the action could not start: then
// the PNG shows the panel as it was, with what stopped the action).
class Screenshot : public QObject
{
    Q_OBJECT

public:
    Screenshot(QWidget *window, Panel *panel, QString file, QString action, int delayMs,
               QObject *parent = nullptr);

private:
    void panelLoaded();
    void grabSoon(int delayMs);

    QWidget *m_window;
    Panel *m_panel;
    QString m_file;
    QString m_action;
    int m_delayMs;
    bool m_actionStarted = false;
    bool m_grabbing = false;
    bool m_actionFailed = false;
};
