#pragma once

#include "db/pgconnection.h"

#include <QByteArray>
#include <QList>

#include <atomic>
#include <functional>

// One statement of a pipeline batch.
struct PipelineCommand
{
    // What follows the statement on the wire. A Sync ends an implicit transaction (commits it,
    // or rolls it back after an error, skipping the rest of the segment); a Flush only asks the
    // server to send what it has, so results arrive as each statement completes.
    enum class After
    {
        Nothing,
        Flush,
        Sync
    };

    // Query: run `sql`. Prepare: prepare `sql` as the named statement `name` (its result is
    // an empty command result). Execute: run the prepared statement `name` with `params`.
    enum class Mode
    {
        Query,
        Prepare,
        Execute
    };

    PipelineCommand() = default;
    PipelineCommand(QByteArray sql, QList<QByteArray> params = {}, After after = After::Sync)
        : sql(std::move(sql))
        , params(std::move(params))
        , after(after)
    {}
    static PipelineCommand prepare(const QByteArray &name, const QByteArray &sql, After after)
    {
        PipelineCommand command(sql, {}, after);
        command.mode = Mode::Prepare;
        command.name = name;
        return command;
    }
    static PipelineCommand execute(const QByteArray &name, QList<QByteArray> params, After after)
    {
        PipelineCommand command({}, std::move(params), after);
        command.mode = Mode::Execute;
        command.name = name;
        return command;
    }

    QByteArray sql;
    QList<QByteArray> params; // text values for $1..$n; a null QByteArray is SQL NULL
    After after = After::Sync;
    Mode mode = Mode::Query;
    QByteArray name; // the prepared statement, for Prepare and Execute
    // Query only: rows arrive one result each (PGRES_SINGLE_TUPLE, then an empty
    // PGRES_TUPLES_OK), as libpq's single-row mode gives them, so memory stays flat.
    bool singleRow = false;
};

// Sends a whole batch of statements in libpq pipeline mode — one network round trip however
// many statements — and hands each result back as it arrives. Runs on the calling thread.
class Pipeline
{
public:
    using ResultHandler = std::function<void(int index, const PgResult &result)>;
    // Called about every tickMs while waiting: the index of the statement the server is
    // presumably running (the first without a result) and how long it has been running. It
    // returns why to give up waiting (the run then fails with that message, 08006), or an
    // empty string to go on.
    using TickHandler = std::function<QString(int index, qint64 runningMs)>;

    explicit Pipeline(PgConnection &connection)
        : m_conn(connection.handle())
        , m_description(connection.describe())
    {}
    // Any libpq connection, e.g. the one under a QPSQL QSqlDatabase (sqldatabase.h).
    Pipeline(PGconn *conn, QString description)
        : m_conn(conn)
        , m_description(std::move(description))
    {}

    void setTickHandler(TickHandler handler, int tickMs = 250);

    // Runs the batch to the end. A statement skipped because an earlier one in its segment
    // failed is reported with status PGRES_PIPELINE_ABORTED. The last command should end with
    // a Sync. Returns false (with error) only when the connection itself failed.
    bool run(const QList<PipelineCommand> &commands, const ResultHandler &onResult, DbError *error);

private:
    bool fail(DbError *error, const QString &what);

    PGconn *m_conn = nullptr;
    QString m_description;
    TickHandler m_tick;
    int m_tickMs = 250;
};
