#include "db/pipeline.h"

#include <QElapsedTimer>
#include <QVarLengthArray>

#include <deque>

#include <poll.h>

void Pipeline::setTickHandler(TickHandler handler, int tickMs)
{
    m_tick = std::move(handler);
    m_tickMs = tickMs;
}

bool Pipeline::fail(DbError *error, const QString &what)
{
    if (error) {
        *error = {};
        error->what = what;
        error->where = m_description;
        error->message = QString::fromUtf8(PQerrorMessage(m_conn)).trimmed();
        if (error->message.isEmpty())
            error->message = QStringLiteral("the connection to the server was lost");
        error->sqlState = QStringLiteral("08006");
        error->hint = QStringLiteral("A transaction whose result did not arrive may or may "
                                     "not have committed: check the connection, run `algoadmin "
                                     "status`, then run it again.");
    }
    PGconn *conn = m_conn;
    if (conn && PQpipelineStatus(conn) != PQ_PIPELINE_OFF)
        PQexitPipelineMode(conn);
    if (conn)
        PQsetnonblocking(conn, 0);
    return false;
}

bool Pipeline::run(const QList<PipelineCommand> &commands, const ResultHandler &onResult,
                   DbError *error)
{
    // libpq takes parameters as C strings: a NUL would cut the value short without a word.
    // PostgreSQL text cannot hold one anyway, so the batch is refused before anything is sent.
    for (const PipelineCommand &command : commands) {
        for (const QByteArray &param : command.params) {
            if (!param.contains('\0'))
                continue;
            if (error) {
                *error = {};
                error->what = QStringLiteral("send statements");
                error->where = m_description;
                error->message = QStringLiteral(
                    "a value contains a NUL character (U+0000), which PostgreSQL text cannot "
                    "hold");
                error->sqlState = QStringLiteral("22021");
                error->hint = QStringLiteral("Nothing was sent. Remove the NUL character from "
                                             "what was typed or pasted, then try again.");
            }
            return false;
        }
    }
    PGconn *conn = m_conn;
    if (!conn || PQstatus(conn) != CONNECTION_OK)
        return fail(error, QStringLiteral("send statements"));
    // A connection shared with Qt Sql may still hold the end of a forward-only query's results
    // (QPSQL does not read the final NULL): finish reading them, or libpq refuses the pipeline.
    // (A connection left in the middle of a COPY would answer that forever: it is lost.)
    while (PGresult *leftover = PQgetResult(conn)) {
        const ExecStatusType status = PQresultStatus(leftover);
        PQclear(leftover);
        if (status == PGRES_COPY_OUT || status == PGRES_COPY_IN || status == PGRES_COPY_BOTH)
            return fail(error, QStringLiteral("send statements"));
    }
    // Non-blocking, so that a batch larger than the socket buffers cannot deadlock: we keep
    // reading results while libpq still has statements to write.
    if (PQsetnonblocking(conn, 1) != 0 || PQenterPipelineMode(conn) != 1)
        return fail(error, QStringLiteral("enter pipeline mode"));

    // What the server will answer, in order: a result per statement, a marker per Sync.
    struct Expected
    {
        int index; // command index, or -1 for a Sync
        bool gotResult = false;
        bool singleRow = false; // still to switch to single-row mode
    };
    std::deque<Expected> expected;
    for (int i = 0; i < commands.size(); ++i) {
        const PipelineCommand &command = commands.at(i);
        QVarLengthArray<const char *, 8> values;
        for (const QByteArray &param : command.params)
            values.append(param.isNull() ? nullptr : param.constData());
        int sent = 0;
        switch (command.mode) {
        case PipelineCommand::Mode::Query:
            sent = PQsendQueryParams(conn, command.sql.constData(), int(command.params.size()),
                                     nullptr, values.constData(), nullptr, nullptr, 0);
            break;
        case PipelineCommand::Mode::Prepare:
            sent =
                PQsendPrepare(conn, command.name.constData(), command.sql.constData(), 0, nullptr);
            break;
        case PipelineCommand::Mode::Execute:
            sent = PQsendQueryPrepared(conn, command.name.constData(), int(command.params.size()),
                                       values.constData(), nullptr, nullptr, 0);
            break;
        }
        if (sent != 1)
            return fail(error, QStringLiteral("send statements"));
        expected.push_back(
            {i, false, command.singleRow && command.mode == PipelineCommand::Mode::Query});
        if (command.after == PipelineCommand::After::Sync) {
            if (PQpipelineSync(conn) != 1)
                return fail(error, QStringLiteral("send statements"));
            expected.push_back({-1});
        } else if (command.after == PipelineCommand::After::Flush) {
            if (PQsendFlushRequest(conn) != 1)
                return fail(error, QStringLiteral("send statements"));
        }
    }
    if (expected.empty() || expected.back().index != -1) {
        if (PQpipelineSync(conn) != 1)
            return fail(error, QStringLiteral("send statements"));
        expected.push_back({-1});
    }

    QElapsedTimer sinceLastResult;
    sinceLastResult.start();
    QElapsedTimer sinceTick;
    sinceTick.start();
    bool flushPending = true;
    while (!expected.empty()) {
        if (flushPending) {
            const int flushed = PQflush(conn);
            if (flushed < 0)
                return fail(error, QStringLiteral("send statements"));
            flushPending = flushed == 1;
        }
        // Take whatever results are complete without blocking.
        bool progressed = false;
        while (!expected.empty()) {
            // Single-row mode is chosen per statement once libpq makes it the current one
            // (after the previous statement's end) and before it parses any of its rows.
            Expected &current = expected.front();
            if (current.singleRow && !current.gotResult && PQsetSingleRowMode(conn) == 1)
                current.singleRow = false;
            if (PQisBusy(conn))
                break;
            PGresult *raw = PQgetResult(conn);
            Expected &front = expected.front();
            if (!raw) {
                // End of one statement's results; a NULL with nothing received means
                // libpq has nothing for us yet.
                if (front.index >= 0 && front.gotResult) {
                    expected.pop_front();
                    progressed = true;
                    continue;
                }
                break;
            }
            PgResult result(raw, conn);
            const ExecStatusType status = result.status();
            if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
                // No data stream to give or take: end a COPY IN with an error (the server then
                // fails the statement) and give up on the connection for the others.
                if (status == PGRES_COPY_IN) {
                    PQputCopyEnd(conn, "COPY FROM STDIN is not supported here");
                    continue;
                }
                return fail(error, QStringLiteral("run COPY TO STDOUT (not supported here)"));
            }
            if (status == PGRES_PIPELINE_SYNC) {
                if (front.index == -1) {
                    expected.pop_front();
                    progressed = true;
                }
                continue;
            }
            if (front.index < 0)
                continue; // cannot happen with a well-formed stream; never hang on it
            front.gotResult = true;
            progressed = true;
            if (onResult)
                onResult(front.index, result);
        }
        if (progressed)
            sinceLastResult.restart();
        if (expected.empty())
            break;
        if (PQstatus(conn) != CONNECTION_OK)
            return fail(error, QStringLiteral("read results"));

        pollfd fd{PQsocket(conn), short(POLLIN | (flushPending ? POLLOUT : 0)), 0};
        const int ready = poll(&fd, 1, m_tick ? m_tickMs : 1000);
        if (ready < 0 && errno != EINTR)
            return fail(error, QStringLiteral("wait for results"));
        if (ready > 0 && (fd.revents & (POLLIN | POLLERR | POLLHUP))) {
            if (PQconsumeInput(conn) != 1)
                return fail(error, QStringLiteral("read results"));
        }
        if (ready > 0 && (fd.revents & POLLOUT))
            flushPending = true;
        if (m_tick && sinceTick.elapsed() >= m_tickMs) {
            sinceTick.restart();
            int running = -1;
            for (const Expected &item : expected) {
                if (item.index >= 0) {
                    running = item.index;
                    break;
                }
            }
            if (running >= 0) {
                const QString giveUp = m_tick(running, sinceLastResult.elapsed());
                if (!giveUp.isEmpty()) {
                    fail(error, QStringLiteral("wait for results"));
                    if (error)
                        error->message = giveUp;
                    return false;
                }
            }
        }
    }
    // All results are in; leave the connection as we found it.
    if (PQexitPipelineMode(conn) != 1)
        return fail(error, QStringLiteral("leave pipeline mode"));
    PQsetnonblocking(conn, 0);
    return true;
}
