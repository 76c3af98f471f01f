#pragma once

#include <QList>
#include <QObject>
#include <QTest>
#include <QVariant>

// QSignalSpy for a signal a worker emits on its own thread. QSignalSpy records on the emitting
// thread: the list grows there while the test reads it (a data race), and its wait() misses an
// emission that came before wait() began (it waits for the next one, and fails: a test that
// passes only when the worker is slower than the test). ThreadSpy has each emission queued to
// the thread it lives on, so it is recorded only while that thread runs its events (in wait(),
// QTRY_…, qWait): nothing is missed, nothing is read while it is written, and the order stays.
class ThreadSpy : public QObject, public QList<QList<QVariant>>
{
public:
    template <typename Sender, typename Signal> ThreadSpy(const Sender *sender, Signal signal)
    {
        connect(
            sender, signal, this,
            [this](const auto &...arguments) {
                append(QList<QVariant>{QVariant::fromValue(arguments)...});
            },
            Qt::QueuedConnection);
    }

    // Runs this thread's events until an emission newer than the call is recorded; false after
    // `timeoutMs`. An emission made before the call but not yet recorded counts as newer.
    bool wait(int timeoutMs = 5000)
    {
        const qsizetype before = size();
        return QTest::qWaitFor([&] { return size() > before; }, timeoutMs);
    }
};
