#include "db/linkwatch.h"

#include "db/pipeline.h"

#include <algorithm>

static const char StateSql[] = "SELECT state FROM pg_catalog.pg_stat_activity WHERE pid = $1::int";

LinkWatch::LinkWatch(ConnectionOptions options, int backendPid, int silenceLimitMs)
    : m_options(std::move(options))
    , m_pid(backendPid)
    , m_limitMs(silenceLimitMs)
{
    m_options.applicationName = QStringLiteral("algoadmin-monitor");
}

LinkWatch::~LinkWatch() = default;

QString LinkWatch::tick(qint64 waitedMs)
{
    if (waitedMs < m_limitMs) {
        m_lastLookMs = -1;
        return {};
    }
    if (m_lastLookMs >= 0 && waitedMs - m_lastLookMs < 1000)
        return {};
    m_lastLookMs = waitedMs;
    return judge(look(m_monitor, m_options, m_pid), waitedMs);
}

QString LinkWatch::judge(const Look &look, qint64 waitedMs)
{
    m_silentLooks = look.reach == Reach::Silent ? m_silentLooks + 1 : 0;
    const bool idle =
        look.reach == Reach::Reached && m_pid != 0 && look.state != QLatin1String("active");
    m_idleLooks = idle ? m_idleLooks + 1 : 0;
    if (waitedMs < m_limitMs)
        return {};
    const qint64 seconds = waitedMs / 1000;
    if (m_silentLooks > 0)
        return QStringLiteral("no answer from the server for %1 s, and a second connection "
                              "got none either within %2 s: the network path to it went silent")
            .arg(seconds)
            .arg(AnswerMs / 1000);
    // Three looks a second apart: not a moment between two statements.
    if (m_idleLooks >= 3)
        return QStringLiteral("no answer from the server for %1 s, although it is not running "
                              "anything of ours (its backend is %2): the answers were lost on "
                              "the way")
            .arg(seconds)
            .arg(look.state.isEmpty() ? QStringLiteral("gone") : look.state);
    return {};
}

LinkWatch::Look LinkWatch::look(std::unique_ptr<PgConnection> &monitor,
                                const ConnectionOptions &options, int pid)
{
    Look seen;
    PgResult result;
    seen.reach = boundedQuery(monitor, options, StateSql, {QByteArray::number(pid)}, &result);
    if (seen.reach == Reach::Reached && result.rows() > 0)
        seen.state = result.value(0, 0);
    return seen;
}

LinkWatch::Reach LinkWatch::boundedQuery(std::unique_ptr<PgConnection> &monitor,
                                         const ConnectionOptions &options, const QByteArray &sql,
                                         const QList<QByteArray> &params, PgResult *result)
{
    if (!monitor || !monitor->isOpen()) {
        monitor = std::make_unique<PgConnection>();
        ConnectionOptions bounded = options;
        bounded.connectTimeoutSeconds = std::min(bounded.connectTimeoutSeconds, AnswerMs / 1000);
        DbError failure;
        if (!monitor->open(bounded, &failure)) {
            monitor.reset();
            // libpq's connect_timeout says "timeout expired"; a refusal with a reason (too
            // many clients, the server starting up) is an answer.
            return failure.message.contains(QLatin1String("timeout expired")) ? Reach::Silent
                                                                              : Reach::Unknown;
        }
    }
    DbError failure;
    Pipeline pipeline(*monitor);
    pipeline.setTickHandler(
        [](int, qint64 waitedMs) {
            return waitedMs >= AnswerMs ? QStringLiteral("no answer") : QString();
        },
        100);
    const bool answered = pipeline.run(
        {{sql, params}}, [&](int, const PgResult &r) { *result = r; }, &failure);
    if (!answered || !result->ok()) {
        monitor.reset();
        return answered ? Reach::Unknown : Reach::Silent;
    }
    return Reach::Reached;
}
