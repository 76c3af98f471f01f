#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <array>
#include <atomic>
#include <thread>

#include <sys/syscall.h>
#include <unistd.h>

// A stall limit for this build. ThreadSanitizer (tests/sanitizers/run.sh thread) runs code 5 to
// 15 times slower and holds every thread on its own locks now and then (tst_responsiveness saw
// 34 ms on a CPU and 142 ms in futex there): the tests run there for their races, with four
// times the limit. The ordinary and the AddressSanitizer builds hold the limits as written.
constexpr qint64 stallLimitMs(qint64 ms)
{
#if defined(__SANITIZE_THREAD__)
    return 4 * ms;
#else
    return ms;
#endif
}

// Nanoseconds this thread has spent on a CPU and runnable but waiting for one (the kernel's
// schedstat), or 0 where the kernel does not say.
struct SchedStat
{
    qint64 onCpuNs = 0;
    qint64 waitedNs = 0;
};
inline SchedStat schedStat()
{
    QFile file(QStringLiteral("/proc/thread-self/schedstat"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> fields = file.readLine().split(' ');
    return {fields.value(0).toLongLong(), fields.value(1).toLongLong()};
}

// Ticks every 5 ms on the GUI thread and remembers the longest time between two ticks in which
// the thread was busy or blocked. Time it spent only waiting for a CPU, because other processes
// had both cores (ctest -j4 on this 2-core machine), is no stall of the application and is
// left out. during() names the phase, how much of the gap the thread was on a CPU (its own
// work) rather than blocked (waiting for a lock, the disk or the network), and the system calls
// a sampling thread saw it blocked in (/proc/self/task/TID/syscall, every millisecond).
class StallProbe : public QObject
{
public:
    StallProbe()
        : m_guiThread(static_cast<pid_t>(::syscall(SYS_gettid)))
    {
        for (auto &count : m_blockedIn)
            count = 0;
        m_sampler = std::thread([this] {
            const QString path = QStringLiteral("/proc/self/task/%1/syscall").arg(m_guiThread);
            while (!m_stop) {
                QFile file(path);
                if (file.open(QIODevice::ReadOnly)) {
                    // "202 0x… …" while in futex; "running"; "-1 …" blocked outside a call.
                    bool number = false;
                    const int call = file.readLine().split(' ').value(0).trimmed().toInt(&number);
                    if (number)
                        ++m_blockedIn[call >= 0 && call < Calls ? call : Calls];
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const SchedStat now = schedStat();
            const qint64 gap = m_clock.restart() - (now.waitedNs - m_last.waitedNs) / 1000000;
            const qint64 onCpu = (now.onCpuNs - m_last.onCpuNs) / 1000000;
            m_last = now;
            const QString blockedIn = takeBlockedIn();
            if (gap > m_longest) {
                m_longest = gap;
                m_during = QStringLiteral("%1; %2 ms of it on a CPU, %3 ms blocked%4")
                               .arg(m_phase)
                               .arg(onCpu)
                               .arg(qMax<qint64>(0, gap - onCpu))
                               .arg(blockedIn.isEmpty()
                                        ? QString()
                                        : QStringLiteral(" (samples in ") + blockedIn + u')');
            }
        });
    }
    ~StallProbe() override
    {
        m_stop = true;
        m_sampler.join();
    }
    void start(const QString &phase)
    {
        m_phase = phase;
        m_clock.start();
        m_last = schedStat();
        m_timer.start();
    }
    void setPhase(const QString &phase) { m_phase = phase; }
    // The test's own blocking work (not the application's) is not measured.
    void pause() { m_timer.stop(); }
    void resume()
    {
        m_clock.restart();
        m_last = schedStat();
        m_timer.start();
    }
    qint64 longestMs() const { return m_longest; }
    QString during() const { return m_during; }

private:
    static constexpr int Calls = 512;
    // "futex ×31, nanosleep ×4": the samples since the last tick, the commonest first.
    QString takeBlockedIn()
    {
        QList<QPair<int, int>> seen;
        for (int call = 0; call <= Calls; ++call) {
            if (const int count = m_blockedIn[call].exchange(0))
                seen.append({count, call});
        }
        std::sort(seen.rbegin(), seen.rend());
        QStringList parts;
        for (const auto &[count, call] : seen)
            parts << QStringLiteral("%1 ×%2").arg(callName(call)).arg(count);
        return parts.join(QStringLiteral(", "));
    }
    static QString callName(int call)
    {
        switch (call) {
        case SYS_read:
            return QStringLiteral("read");
        case SYS_write:
            return QStringLiteral("write");
        case SYS_poll:
            return QStringLiteral("poll");
        case SYS_ppoll:
            return QStringLiteral("ppoll");
        case SYS_futex:
            return QStringLiteral("futex (a lock)");
        case SYS_nanosleep:
            return QStringLiteral("nanosleep");
        case SYS_clock_nanosleep:
            return QStringLiteral("clock_nanosleep");
        case SYS_fsync:
            return QStringLiteral("fsync");
        case SYS_fdatasync:
            return QStringLiteral("fdatasync");
        case SYS_openat:
            return QStringLiteral("openat");
        case SYS_recvfrom:
            return QStringLiteral("recvfrom");
        case SYS_sendto:
            return QStringLiteral("sendto");
        case SYS_connect:
            return QStringLiteral("connect");
        case Calls:
            return QStringLiteral("outside a call (preempted, or a page fault)");
        default:
            return QStringLiteral("syscall %1").arg(call);
        }
    }

    const pid_t m_guiThread;
    std::array<std::atomic<int>, Calls + 1> m_blockedIn;
    std::atomic<bool> m_stop{false};
    std::thread m_sampler;
    QTimer m_timer;
    QElapsedTimer m_clock;
    SchedStat m_last;
    qint64 m_longest = 0;
    QString m_phase;
    QString m_during;
};
