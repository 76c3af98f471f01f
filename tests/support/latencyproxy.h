#pragma once

#include "db/connectionoptions.h"

#include <QProcess>
#include <QString>

// algoadmin-delayproxy (ALGOADMIN_DELAYPROXY_BIN) in front of the test cluster's socket: a TCP
// port on 127.0.0.1 that adds `rttMs` of round trip. Stopped (killed) in the destructor.
class LatencyProxy
{
public:
    LatencyProxy() = default;
    ~LatencyProxy();

    // Listens on `listenPort` (0 = any free port). False with error() on failure.
    bool start(int rttMs, int listenPort = 0);
    void kill(); // the link goes down: open connections break, new ones are refused
    // SIGSTOP/SIGCONT: the link goes silent (connections stay open, nothing is answered).
    bool pause();
    bool resume();
    // start(0), then pause(): a TCP connect through it succeeds and the server never answers.
    bool startSilent() { return start(0) && pause(); }
    // The next client data that contains COMMIT reaches the server, then that client's
    // connection is cut before any answer: a commit whose answer was lost (one-shot).
    bool loseNextCommitAnswer();
    int port() const { return m_port; }
    // "running (state S)" from /proc, or how it ended, with what it wrote to stderr: for a
    // failure message that has to say whether the proxy itself went away.
    QString describe();
    QString error() const { return m_error; }
    // Options for `database` in the test cluster, through the proxy.
    ConnectionOptions options(const QString &database) const;

private:
    QProcess m_process;
    int m_port = 0;
    QString m_error;
};
