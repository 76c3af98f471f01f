#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QString>
#include <QTimer>

// Nanoseconds this thread has spent runnable but waiting for a CPU (the kernel's schedstat), or
// 0 where the kernel does not say.
inline qint64 waitedForCpuNs()
{
    QFile file(QStringLiteral("/proc/thread-self/schedstat"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return file.readLine().split(' ').value(1).toLongLong();
}

// Ticks every 5 ms on the GUI thread and remembers the longest time between two ticks in which
// the thread was busy or blocked. Time it spent only waiting for a CPU, because other processes
// had both cores (ctest -j4 on this 2-core machine), is no stall of the application and is
// left out.
class StallProbe : public QObject
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 waited = waitedForCpuNs();
            const qint64 gap = m_clock.restart() - (waited - m_waited) / 1000000;
            m_waited = waited;
            if (gap > m_longest) {
                m_longest = gap;
                m_during = m_phase;
            }
        });
    }
    void start(const QString &phase)
    {
        m_phase = phase;
        m_clock.start();
        m_waited = waitedForCpuNs();
        m_timer.start();
    }
    void setPhase(const QString &phase) { m_phase = phase; }
    // The test's own blocking work (not the application's) is not measured.
    void pause() { m_timer.stop(); }
    void resume()
    {
        m_clock.restart();
        m_waited = waitedForCpuNs();
        m_timer.start();
    }
    qint64 longestMs() const { return m_longest; }
    QString during() const { return m_during; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_waited = 0;
    qint64 m_longest = 0;
    QString m_phase;
    QString m_during;
};
