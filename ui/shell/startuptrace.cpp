#include "startuptrace.h"

#include "panel.h"

#include <QElapsedTimer>
#include <QEvent>
#include <QPointer>
#include <QTimer>

#include <cstdio>

namespace {

void print(const char *event)
{
    QElapsedTimer now;
    now.start();
    std::fprintf(stderr, "startup %s %lld\n", event,
                 static_cast<long long>(now.msecsSinceReference()));
    std::fflush(stderr);
}

// Reports the first paint once it has been flushed: the zero-timer runs after the paint
// event and the backing store flush that follows it.
class FirstPaint : public QObject
{
public:
    using QObject::QObject;
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_seen) {
            m_seen = true;
            watched->removeEventFilter(this);
            QTimer::singleShot(0, this, [this] {
                print("first-paint");
                deleteLater();
            });
        }
        return false;
    }

private:
    bool m_seen = false;
};

} // namespace

void traceStartup(QWidget *window, Panel *panel)
{
    if (qEnvironmentVariableIntValue("ALGOADMIN_STARTUP_TRACE") != 1)
        return;
    window->installEventFilter(new FirstPaint(window));
    auto *once = new QObject(panel);
    QObject::connect(panel, &Panel::loaded, once, [once] {
        print("panel-loaded");
        once->deleteLater();
    });
}
