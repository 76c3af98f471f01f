#include "migrations/enginesession.h"

#include "db/clientcheck.h"
#include "db/linkwatch.h"
#include "db/poolerprobe.h"

#include <QHash>
#include <QRandomGenerator>

#include <algorithm>
#include <mutex>

// ---------------------------------------------------------------------------------------------
// SQL of the session. Every value is a bound parameter.

// Settings and facts, in one statement: for the session ($3 = false) or, inside set-up's
// transaction, only for that transaction ($3 = true).
static const char SetupSql[] =
    "SELECT set_config('lock_timeout', $1, $3::boolean),"
    " set_config('statement_timeout', $2, $3::boolean),"
    " set_config('client_min_messages', 'warning', $3::boolean), current_schema(), current_user,"
    " pg_backend_pid(), current_setting('search_path'),"
    " set_config('algoadmin.live_schema', coalesce(current_schema(), ''), "
    "$3::boolean)," ALGOADMIN_CLIENT_CHECK_SQL("$3::boolean");

// The settings of every transaction a batch opens with BEGIN (see EngineSession::run).
static const char TransactionSettingsSql[] =
    "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true),"
    " set_config('client_min_messages', 'warning', true)," ALGOADMIN_CLIENT_CHECK_SQL("true");

// Serialises concurrent runners on one database. The progress token is set in the same
// statement, so it exists only if the lock was granted (see GuardSql). The session lock is
// only for runs that need one across transactions; everything else holds the lock until the
// end of its transaction, so that no pooled server connection keeps it.
static const char LockSql[] =
    "SELECT pg_advisory_lock($1::bigint), set_config('algoadmin.progress', $2, false)";
static const char XactLockSql[] =
    "SELECT pg_advisory_xact_lock($1::bigint), set_config('algoadmin.progress', $2, true)";

// The history is read inside a savepoint, so that a missing table (status on a fresh
// database) does not abort set-up's transaction.
static const char HistorySavepointSql[] = "SAVEPOINT algoadmin_history";
static const char HistoryRollbackSql[] = "ROLLBACK TO SAVEPOINT algoadmin_history";

static const char CreateHistorySql[] = R"SQL(
CREATE TABLE IF NOT EXISTS algoadmin_schema_history (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user,
    total_ms   numeric NOT NULL DEFAULT 0,
    steps      jsonb NOT NULL DEFAULT '[]',
    kind       text NOT NULL DEFAULT 'migrate' CHECK (kind IN ('migrate', 'baseline'))
))SQL";

// Where a no-transaction migration got to: a row per migration that has committed statements
// but no history row yet (see ProgressRow). Created by the first run of a no-transaction
// migration, beside the history.
static const char CreateProgressSql[] = R"SQL(
CREATE TABLE IF NOT EXISTS algoadmin_schema_progress (
    version            text PRIMARY KEY,
    name               text NOT NULL,
    checksum           text NOT NULL,
    committed_checksum text NOT NULL,
    statements_done    int NOT NULL,
    statements_total   int NOT NULL,
    running            int,
    steps              jsonb NOT NULL DEFAULT '[]',
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         text NOT NULL DEFAULT current_user
))SQL";
// Read in a savepoint where it may be missing (a database migrated by an older algoadmin).
static const char ProgressSavepointSql[] = "SAVEPOINT algoadmin_progress";
static const char ProgressRollbackSql[] = "ROLLBACK TO SAVEPOINT algoadmin_progress";
static const char ProgressReadSql[] =
    "SELECT version, name, checksum, committed_checksum, statements_done, statements_total,"
    " coalesce(running, 0), extract(epoch FROM updated_at)::float8 * 1000, updated_by"
    " FROM algoadmin_schema_progress";

static const char HistoryExistsSql[] = "SELECT to_regclass('algoadmin_schema_history') IS NOT NULL";
static const char HistorySql[] =
    "SELECT version, name, checksum, extract(epoch FROM applied_at)::float8 * 1000, applied_by,"
    " total_ms::float8, kind FROM algoadmin_schema_history";

// Server-side clock marks between statements: exact per-statement server time, recorded in
// the migration's own transaction, without a round trip per statement.
static const char CreateMarksSql[] =
    "CREATE TEMP TABLE IF NOT EXISTS algoadmin_step_marks"
    " (run text NOT NULL, step int NOT NULL, at timestamptz NOT NULL)";
static const char CreateLocalMarksSql[] =
    "CREATE TEMP TABLE IF NOT EXISTS algoadmin_step_marks"
    " (run text NOT NULL, step int NOT NULL, at timestamptz NOT NULL) ON COMMIT DROP";
static const char GrantMarksSql[] = "GRANT ALL ON pg_temp.algoadmin_step_marks TO PUBLIC";
static const char MarkSql[] =
    "INSERT INTO pg_temp.algoadmin_step_marks (run, step, at)"
    " VALUES ($1, $2::int, clock_timestamp()) RETURNING extract(epoch FROM at)::float8 * 1000";

// Our backend (its statement) and whoever blocks it.
static const char ObserveSql[] =
    "SELECT a.pid, a.usename, a.application_name, a.state, left(a.query, 2000),"
    " extract(epoch FROM coalesce(a.xact_start, a.query_start))::float8 * 1000, a.pid = $1::int"
    " FROM pg_stat_activity a"
    " WHERE a.pid = $1::int OR a.pid = ANY (pg_blocking_pids($1::int)) ORDER BY a.pid";

// Any fixed number would do; advisory locks are per database already.
static const char AdvisoryLockKey[] = "7101968462031457";

// ---------------------------------------------------------------------------------------------

static QDateTime fromMs(const QString &ms)
{
    return ms.isEmpty() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(qint64(ms.toDouble()));
}

bool notRun(const PgResult &result)
{
    return result.status() == PGRES_PIPELINE_ABORTED ||
           result.error().sqlState == QLatin1String("25P02");
}

QList<MigrationGap> unrecordedGaps(const MigrationSet &set, const QList<HistoryRow> &history)
{
    QList<MigrationGap> gaps;
    for (const MigrationGap &gap : set.gaps) {
        const bool applied =
            std::any_of(history.cbegin(), history.cend(), [&](const HistoryRow &row) {
                return row.version.toLongLong() == gap.number;
            });
        if (!applied)
            gaps.append(gap);
    }
    return gaps;
}

DbError gapError(const MigrationSet &set, const QList<MigrationGap> &gaps)
{
    QStringList described;
    for (const MigrationGap &gap : gaps)
        described.append(gap.describe());
    return {QStringLiteral("check migrations"),
            set.source,
            described.join(QStringLiteral("; ")) +
                QStringLiteral(", and the database's history has no such version either"),
            {},
            {},
            QStringLiteral("Nothing was run. A migration file may have been lost: restore it. If "
                           "none is missing, renumber the files after the gap.")};
}

// A partial migration's state: Partial while what committed is what the file still says.
static void classifyPartial(const Migration &migration, const ProgressRow &row,
                            MigrationStatus &status)
{
    status.statementsDone = row.statementsDone;
    status.statementsTotal = int(migration.statements.size());
    status.running = row.running;
    status.appliedAt = row.updatedAt;
    status.appliedBy = row.updatedBy;
    const bool same =
        !migration.transactional && row.statementsDone <= migration.statements.size() &&
        statementsChecksum(migration, row.statementsDone) == row.committedChecksum.toLatin1();
    status.state = same ? MigrationStatus::State::Partial : MigrationStatus::State::Changed;
}

QList<MigrationStatus> classify(const MigrationSet &set, const QList<HistoryRow> &history,
                                const QList<ProgressRow> &progress)
{
    QHash<QString, HistoryRow> applied;
    for (const HistoryRow &row : history)
        applied.insert(row.version, row);
    QHash<QString, ProgressRow> partial;
    for (const ProgressRow &row : progress)
        partial.insert(row.version, row);
    QList<MigrationStatus> result;
    for (const Migration &migration : set.migrations) {
        MigrationStatus status;
        status.version = migration.version;
        status.name = migration.name;
        status.fileName = migration.fileName;
        const auto it = applied.constFind(migration.version);
        if (it != applied.cend()) {
            status.state = it->checksum == QString::fromLatin1(migration.checksum)
                               ? MigrationStatus::State::Applied
                               : MigrationStatus::State::Changed;
            status.appliedAt = it->appliedAt;
            status.appliedBy = it->appliedBy;
            status.totalMs = it->totalMs;
            status.kind = it->kind;
            applied.erase(it);
        } else if (const auto p = partial.constFind(migration.version); p != partial.cend()) {
            classifyPartial(migration, *p, status);
        }
        result.append(status);
    }
    // Recorded, but no file of this version is in the set.
    const auto missing = [](const QString &version, const QString &name) {
        MigrationStatus status;
        status.version = version;
        status.name = name;
        status.fileName = version + QLatin1Char('_') + name + QLatin1String(".sql");
        status.state = MigrationStatus::State::Missing;
        return status;
    };
    for (const ProgressRow &row : progress) {
        if (set.find(row.version) || applied.contains(row.version))
            continue;
        MigrationStatus status = missing(row.version, row.name);
        status.statementsDone = row.statementsDone;
        status.statementsTotal = row.statementsTotal;
        status.running = row.running;
        status.appliedAt = row.updatedAt;
        status.appliedBy = row.updatedBy;
        result.append(status);
    }
    for (const HistoryRow &row : std::as_const(applied)) {
        MigrationStatus status = missing(row.version, row.name);
        status.appliedAt = row.appliedAt;
        status.appliedBy = row.appliedBy;
        status.totalMs = row.totalMs;
        status.kind = row.kind;
        result.append(status);
    }
    std::sort(result.begin(), result.end(), [](const MigrationStatus &a, const MigrationStatus &b) {
        return a.version.toLongLong() < b.version.toLongLong();
    });
    return result;
}

// ---------------------------------------------------------------------------------------------

EngineSession::EngineSession(MigrationEngine *owner)
    : engine(owner)
    , markStatement("algoadmin_mark_" +
                    QByteArray::number(QRandomGenerator::global()->generate64(), 16))
{}

EngineSession::~EngineSession()
{
    std::lock_guard lock(engine->m_activeMutex);
    if (engine->m_active == &connection)
        engine->m_active = previousActive; // a session opened inside another hands back
}

bool EngineSession::open(DbError *error, const ConnectionOptions *options)
{
    if (!connection.open(options ? *options : engine->m_connection, error))
        return false;
    std::lock_guard lock(engine->m_activeMutex);
    previousActive = engine->m_active;
    engine->m_active = &connection;
    return true;
}

const ConnectionOptions &EngineSession::engineOptions() const
{
    return engine->m_connection;
}

EngineSession::Observation EngineSession::observe()
{
    Observation seen;
    ConnectionOptions options = engine->m_connection;
    options.applicationName = QStringLiteral("algoadmin-monitor");
    PgResult result;
    seen.reach =
        LinkWatch::boundedQuery(monitor, options, ObserveSql, {QByteArray::number(pid)}, &result);
    if (seen.reach != LinkWatch::Reach::Reached)
        return seen;
    for (int row = 0; row < result.rows(); ++row) {
        if (result.value(row, 6) == QLatin1String("t")) {
            seen.query = result.value(row, 4).toUtf8();
            seen.state = result.value(row, 3);
            continue;
        }
        seen.holders.append({result.value(row, 0).toInt(), result.value(row, 1),
                             result.value(row, 2), result.value(row, 3), result.value(row, 4),
                             fromMs(result.value(row, 5))});
    }
    return seen;
}

// The command the server runs: the first from `from` on (those before it have all finished,
// their results still in the server's buffer) whose text pg_stat_activity shows, maybe
// truncated (track_activity_query_size).
static int runningCommand(const Batch &batch, int from, const QByteArray &query,
                          const QByteArray &markStatement)
{
    if (query.isEmpty())
        return from;
    for (int i = from; i < batch.commands.size(); ++i) {
        const PipelineCommand &command = batch.commands.at(i);
        const QByteArray &text =
            command.mode == PipelineCommand::Mode::Execute && command.name == markStatement
                ? QByteArray(MarkSql)
                : command.sql;
        if (text.startsWith(query))
            return i;
    }
    return from;
}

bool EngineSession::transactionPooled()
{
    // Our own connection is idle now, its set-up transaction ended.
    if (!pooled)
        return false;
    roundTrips += 2;
    return PoolerProbe::isTransactionPooled(connection, pid, engine->m_connection);
}

DbError EngineSession::transactionPoolingError(const QString &what, const QString &why) const
{
    return DbError{what,
                   target(),
                   QStringLiteral("the connection goes through a pooler in transaction pooling, "
                                  "and %1")
                       .arg(why),
                   {},
                   {},
                   QStringLiteral("Nothing was changed. Use a direct or session-pooling "
                                  "endpoint for this run (e.g. PgBouncer with pool_mode=session, "
                                  "or the server's own port).")};
}

bool EngineSession::run(const Batch &given,
                        const std::function<void(const Role &, const PgResult &)> &onResult,
                        const std::function<LockWait(const Role &)> &describeWait, DbError *error,
                        const std::function<void(const Role &)> &onRunning)
{
    // Every transaction a batch opens gets the timeouts first, transaction-locally: they do
    // not depend on start-up options that a pooler may refuse, and they end with it.
    Batch batch;
    const QByteArray lockTimeoutValue = QByteArray::number(engine->m_settings.lockTimeoutMs);
    const QByteArray statementTimeoutValue =
        QByteArray::number(engine->m_settings.statementTimeoutMs);
    for (int i = 0; i < given.commands.size(); ++i) {
        batch.commands.append(given.commands.at(i));
        batch.roles.append(given.roles.at(i));
        if (given.commands.at(i).mode == PipelineCommand::Mode::Query &&
            given.commands.at(i).sql == "BEGIN") {
            batch.commands.last().after = PipelineCommand::After::Nothing;
            batch.add(TransactionSettingsSql, {lockTimeoutValue, statementTimeoutValue},
                      given.commands.at(i).after);
        }
    }
    Pipeline pipeline(connection);
    const qint64 lockTimeout = engine->m_settings.lockTimeoutMs;
    const qint64 firstLook = std::clamp<qint64>(lockTimeout / 4, 50, 300);
    LinkWatch watch(engine->m_connection, pid, engine->m_settings.silenceLimitMs);
    pipeline.setTickHandler(
        [&](int index, qint64 runningMs) -> QString {
            if (runningMs < firstLook)
                return {};
            if (lastObservationMs >= 0 && runningMs - lastObservationMs < 1000 &&
                runningMs >= lastObservationMs)
                return {};
            lastObservationMs = runningMs;
            const Observation seen = observe();
            if (const QString silent = watch.judge({seen.reach, seen.state}, runningMs);
                !silent.isEmpty())
                return silent;
            const int running = runningCommand(batch, index, seen.query, markStatement);
            if (onRunning)
                onRunning(batch.roles.at(running));
            if (seen.holders.isEmpty())
                return {};
            lastHolders = seen.holders;
            if (engine->m_callbacks.lockWaitObserved && describeWait) {
                LockWait wait = describeWait(batch.roles.at(running));
                wait.waitedMs = runningMs;
                wait.remainingMs = std::max<qint64>(0, lockTimeout - runningMs);
                wait.holders = seen.holders;
                engine->m_callbacks.lockWaitObserved(wait);
            }
            return {};
        },
        50);
    ++roundTrips;
    return pipeline.run(
        batch.commands,
        [&](int index, const PgResult &result) {
            lastObservationMs = -1;
            onResult(batch.roles.at(index), result);
        },
        error);
}

void EngineSession::addMarksTable(Batch &batch, bool sessionScoped)
{
    batch.add(sessionScoped ? CreateMarksSql : CreateLocalMarksSql, {},
              PipelineCommand::After::Nothing, {Role::SetUp});
    // A migration may SET ROLE; the marks must stay writable for it.
    batch.add(GrantMarksSql, {}, PipelineCommand::After::Nothing, {Role::SetUp});
}

void EngineSession::addPrepareMark(Batch &batch, PipelineCommand::After after) const
{
    batch.commands.append(PipelineCommand::prepare(markStatement, MarkSql, after));
    batch.roles.append(Role{Role::SetUp});
}

void EngineSession::addDeallocateMark(Batch &batch) const
{
    batch.add("DEALLOCATE " + markStatement, {}, PipelineCommand::After::Sync);
}

void EngineSession::addMark(Batch &batch, const QByteArray &run, int step,
                            PipelineCommand::After after, Role role) const
{
    batch.commands.append(
        PipelineCommand::execute(markStatement, {run, QByteArray::number(step)}, after));
    batch.roles.append(role);
}

void EngineSession::addLock(Batch &batch, bool sessionScoped)
{
    batch.add(sessionScoped ? LockSql : XactLockSql, {AdvisoryLockKey, "locked"},
              PipelineCommand::After::Sync, {Role::Lock});
}

void EngineSession::buildSetUp(Batch &batch, const SetUpSteps &steps) const
{
    // Transaction-scoped set-up is one explicit transaction: through a pooler in transaction
    // pooling the whole batch then stays on one server connection, and its Syncs only end
    // the stretches that a failure skips.
    const bool inTransaction = !steps.sessionScoped;
    if (inTransaction)
        batch.add("BEGIN", {}, PipelineCommand::After::Nothing);
    batch.add(SetupSql,
              {QByteArray::number(engine->m_settings.lockTimeoutMs),
               QByteArray::number(engine->m_settings.statementTimeoutMs),
               inTransaction ? "true" : "false"},
              PipelineCommand::After::Sync, {Role::Setup});
    if (steps.takeLock)
        addLock(batch, steps.sessionScoped);
    if (steps.createHistory || steps.prepareMarks) {
        // Only once the lock is ours: two runners creating the table at once would clash.
        batch.add(GuardSql, {"locked"}, PipelineCommand::After::Nothing, {Role::SetUpGuard});
        if (steps.createHistory)
            batch.add(CreateHistorySql, {}, PipelineCommand::After::Nothing, {Role::SetUp});
        // Only a run of no-transaction migrations (the only session-scoped one) needs it.
        if (steps.createHistory && steps.sessionScoped)
            batch.add(CreateProgressSql, {}, PipelineCommand::After::Nothing, {Role::SetUp});
    }
    if (steps.prepareMarks)
        addMarksTable(batch, steps.sessionScoped);
    if (steps.prepareMarks && steps.sessionScoped)
        addPrepareMark(batch, PipelineCommand::After::Nothing);
    if (steps.createHistory || steps.prepareMarks)
        batch.commands.last().after = PipelineCommand::After::Sync;
    const bool historyMayBeMissing = !steps.createHistory;
    if (historyMayBeMissing) {
        batch.add(HistoryExistsSql, {}, PipelineCommand::After::Sync, {Role::HistoryExists});
        if (inTransaction)
            batch.add(HistorySavepointSql, {}, PipelineCommand::After::Nothing);
    }
    batch.add(HistorySql, {}, PipelineCommand::After::Sync, {Role::History});
    if (historyMayBeMissing && inTransaction)
        batch.add(HistoryRollbackSql, {}, PipelineCommand::After::Sync);
    // The progress table may be missing even where the history is not.
    if (inTransaction)
        batch.add(ProgressSavepointSql, {}, PipelineCommand::After::Nothing);
    batch.add(ProgressReadSql, {}, PipelineCommand::After::Sync, {Role::Progress});
    if (inTransaction)
        batch.add(ProgressRollbackSql, {}, PipelineCommand::After::Sync);
    if (steps.captureLive) {
        // With only pg_catalog on the path every name comes out schema-qualified, the
        // same way for the live schema and the scratch one.
        batch.add(SetLocalSearchPathSql, {"pg_catalog"}, PipelineCommand::After::Nothing,
                  {Role::SetUp});
        batch.add(SchemaSnapshot::catalogQuery(), {QByteArray()}, PipelineCommand::After::Sync,
                  {Role::LiveSnapshot});
    }
    if (inTransaction && !steps.leaveOpen)
        batch.add("COMMIT", {}, PipelineCommand::After::Sync);
}

bool EngineSession::isSetUpRole(const Role &role)
{
    switch (role.kind) {
    case Role::Setup:
    case Role::Lock:
    case Role::SetUpGuard:
    case Role::SetUp:
    case Role::HistoryExists:
    case Role::History:
    case Role::Progress:
    case Role::LiveSnapshot:
        return true;
    default:
        return false;
    }
}

void EngineSession::takeSetUpResult(const Role &role, const PgResult &result,
                                    const SetUpSteps &steps, DbError &failure)
{
    switch (role.kind) {
    case Role::Setup:
        if (!result.ok()) {
            failure = result.error(QStringLiteral("session set-up"), target());
            return;
        }
        schema = result.value(0, 3);
        dbRole = result.value(0, 4);
        pid = result.value(0, 5).toInt();
        searchPath = result.value(0, 6);
        pooled = PoolerProbe::isPooled(connection, pid);
        return;
    case Role::Lock:
        if (!result.ok() && !notRun(result) && failure.message.isEmpty()) {
            failure = result.error(
                QStringLiteral("take the migration lock (another algoadmin run?)"), target());
            if (failure.sqlState == QLatin1String("57014") && engine->m_cancelled)
                failure.message = QStringLiteral("cancelled by the user");
        }
        return;
    case Role::HistoryExists:
        historyExists = result.ok() && result.value(0, 0) == QLatin1String("t");
        return;
    case Role::History:
        if (!result.ok()) {
            // Without the table (status, verify) there is simply no history.
            if ((historyExists || steps.createHistory) && failure.message.isEmpty())
                failure = result.error(QStringLiteral("read the migration history"), target());
            return;
        }
        historyExists = true;
        for (int row = 0; row < result.rows(); ++row) {
            history.append({result.value(row, 0), result.value(row, 1), result.value(row, 2),
                            fromMs(result.value(row, 3)), result.value(row, 4),
                            result.value(row, 5).toDouble(), result.value(row, 6)});
        }
        return;
    case Role::Progress:
        if (!result.ok()) {
            // No table: nothing is partial (status on a fresh database, or one that an
            // older algoadmin migrated).
            const QString state = result.error().sqlState;
            if (!notRun(result) && state != QLatin1String("42P01") && failure.message.isEmpty())
                failure = result.error(QStringLiteral("read the migration progress"), target());
            return;
        }
        for (int row = 0; row < result.rows(); ++row) {
            progress.append({result.value(row, 0), result.value(row, 1), result.value(row, 2),
                             result.value(row, 3), result.value(row, 4).toInt(),
                             result.value(row, 5).toInt(), result.value(row, 6).toInt(),
                             fromMs(result.value(row, 7)), result.value(row, 8)});
        }
        return;
    case Role::LiveSnapshot:
        if (result.ok()) {
            live = SchemaSnapshot::fromResult(result, {schema});
            ++catalogQueries;
        } else if (failure.message.isEmpty()) {
            failure = result.error(QStringLiteral("read the schema"), target());
            // Reading an index or default definition takes the lock any SELECT takes, which
            // only an ACCESS EXCLUSIVE holder (DDL, VACUUM FULL) blocks; we gave up instead of
            // queueing behind it.
            if (failure.sqlState == QLatin1String("55P03") && failure.hint.isEmpty())
                failure.hint = QStringLiteral(
                    "Another session holds an exclusive lock on a table of the schema (a "
                    "schema change or VACUUM FULL is running). Nothing was changed; run this "
                    "again when it has finished.");
        }
        return;
    default:
        if (!result.ok() && !notRun(result) && failure.message.isEmpty()) {
            failure = result.error(QStringLiteral("create the migration history"), target());
            if (failure.sqlState == QLatin1String("42501") && failure.hint.isEmpty())
                failure.hint =
                    QStringLiteral(
                        "Role %1 may not create tables in schema %2, where the migration "
                        "history goes (since PostgreSQL 15 only the owner of schema public "
                        "may, unless granted). Grant it (GRANT CREATE ON SCHEMA %2 TO %1) or "
                        "run migrate as the schema's owner. Nothing was changed.")
                        .arg(dbRole, schema.isEmpty() ? QStringLiteral("public") : schema);
        }
        return;
    }
}

bool EngineSession::finishSetUp(const DbError &failure, DbError *error, bool *lockTimedOut)
{
    if (!failure.isError())
        return true;
    *error = failure;
    // Any lock of set-up may time out: the runners' lock, or the history table held by
    // someone else.
    if (lockTimedOut)
        *lockTimedOut = failure.sqlState == QLatin1String("55P03");
    return false;
}

bool EngineSession::setUp(const SetUpSteps &steps, DbError *error, bool *lockTimedOut)
{
    Batch batch;
    buildSetUp(batch, steps);
    DbError failure;
    const bool transportOk = run(
        batch,
        [&](const Role &role, const PgResult &result) {
            takeSetUpResult(role, result, steps, failure);
        },
        [](const Role &) { return LockWait{}; }, error);
    return transportOk && finishSetUp(failure, error, lockTimedOut);
}
