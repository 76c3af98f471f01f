#pragma once

#include <atomic>
#include <cstdio>
#include <functional>
#include <thread>

#include <pthread.h>
#include <signal.h>

namespace Cli {

// Ctrl-C (or SIGTERM) during a long command asks the server to stop the running statement,
// so that nothing is left running and holding locks after we exit. The signals are taken by a
// thread of ours (sigwait), not by a handler, so cancelling may lock and use libpq freely. The
// destructor wakes that thread with SIGUSR2 sent to it alone: the command's end then waits for
// nothing (a polling timeout cost up to its length at every exit).
class InterruptWatcher
{
public:
    explicit InterruptWatcher(std::function<void()> onInterrupt)
    {
        sigset_t watched;
        sigemptyset(&watched);
        sigaddset(&watched, SIGINT);
        sigaddset(&watched, SIGTERM);
        sigaddset(&watched, SIGUSR2);
        pthread_sigmask(SIG_BLOCK, &watched, &m_previous);
        m_thread = std::thread([this, watched, onInterrupt = std::move(onInterrupt)] {
            for (;;) {
                int signal = 0;
                if (sigwait(&watched, &signal) != 0 || m_done)
                    return;
                if (signal != SIGUSR2 && !m_interrupted.exchange(true)) {
                    std::fputs("\ncancelling: asking the server to stop the running statement…\n",
                               stderr);
                    onInterrupt();
                }
            }
        });
    }
    ~InterruptWatcher()
    {
        m_done = true;
        pthread_kill(m_thread.native_handle(), SIGUSR2);
        m_thread.join();
        pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }
    InterruptWatcher(const InterruptWatcher &) = delete;
    InterruptWatcher &operator=(const InterruptWatcher &) = delete;

private:
    std::atomic<bool> m_done{false};
    std::atomic<bool> m_interrupted{false};
    sigset_t m_previous;
    std::thread m_thread;
};

} // namespace Cli
