#pragma once

#include "db/connectionoptions.h"
#include "db/pgconnection.h"

#include <QString>

#include <memory>

// Whether a connection that has had no answer for a while still has a live path to the
// server. A path that goes silent without closing (a proxy or NAT that stops forwarding)
// keeps TCP's keepalives answered, so only a second look can tell: a second, bounded
// connection finds our backend in pg_stat_activity. Used while a batch waits for its results
// (Pipeline's tick handler); the migration engine makes the same judgement on its own looks.
class LinkWatch
{
public:
    enum class Reach
    {
        Unknown, // the second connection failed with an answer (too many clients, say)
        Reached,
        Silent // connecting or its query got no answer within AnswerMs
    };
    struct Look
    {
        Reach reach = Reach::Unknown;
        QString state; // our backend's (pg_stat_activity.state), empty when it is not there
    };

    static constexpr int AnswerMs = 5000;        // what the second look may take
    static constexpr int SilenceLimitMs = 10000; // no answer for this long: look

    // `options` reaches the same server by the same path; `backendPid` is ours.
    LinkWatch(ConnectionOptions options, int backendPid, int silenceLimitMs = SilenceLimitMs);
    ~LinkWatch();

    // For Pipeline's tick: once the batch has waited `waitedMs` past the limit, a look a
    // second; why to give up (the message of the 08006 error), or empty to wait on.
    QString tick(qint64 waitedMs);

    // The verdict on one more look after `waitedMs` without an answer: give up when this look
    // found the path silent, or when three looks in a row found our backend not running
    // anything (its answers lost on the way). Counts the looks; empty means wait on.
    QString judge(const Look &look, qint64 waitedMs);

    // A bounded look at backend `pid` through `monitor` (opened on first use, dropped when it
    // fails).
    static Look look(std::unique_ptr<PgConnection> &monitor, const ConnectionOptions &options,
                     int pid);
    // One statement through `monitor`, opened on first use with a connect timeout of AnswerMs
    // and given AnswerMs for its answer; dropped when either fails. The reach it found; `result`
    // holds the answer when Reached.
    static Reach boundedQuery(std::unique_ptr<PgConnection> &monitor,
                              const ConnectionOptions &options, const QByteArray &sql,
                              const QList<QByteArray> &params, PgResult *result);

private:
    ConnectionOptions m_options;
    int m_pid = 0;
    int m_limitMs = SilenceLimitMs;
    qint64 m_lastLookMs = -1;
    int m_silentLooks = 0;
    int m_idleLooks = 0;
    std::unique_ptr<PgConnection> m_monitor;
};
