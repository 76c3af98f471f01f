#pragma once

#include "db/dberror.h"
#include "db/linkwatch.h"
#include "db/pgconnection.h"
#include "db/pipeline.h"
#include "migrations/migrationengine.h"
#include "migrations/schemasnapshot.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

// The engine's connection and its batches (internal to app/migrations).

// Pipelined work cannot wait for the client to notice a failure, so each segment that must
// only run after an earlier one succeeded starts with this guard: the token is set by the last
// statement of that earlier segment, and a rolled-back segment rolls its setting back too.
// A false comparison divides by zero, which aborts the segment up to its Sync.
inline constexpr char GuardSql[] =
    "SELECT 1 / coalesce(current_setting('algoadmin.progress', true) = $1, false)::int";
inline constexpr char ProgressSql[] = "SELECT set_config('algoadmin.progress', $1, false)";
// The same inside an explicit transaction: nothing of it outlives the transaction.
inline constexpr char LocalProgressSql[] = "SELECT set_config('algoadmin.progress', $1, true)";

inline constexpr char SetLocalSearchPathSql[] = "SELECT set_config('search_path', $1, true)";

// What a command in a batch stands for, so results can be read back in order.
struct Role
{
    enum Kind
    {
        Other,
        Setup,      // the session's settings and facts
        SetUp,      // any other statement of set-up
        SetUpGuard, // set-up's own guard (the lock is ours)
        Plan,       // the one-round-trip migrate's plan
        Lock,
        Guard,
        Mark,
        Statement,
        Record,
        HistoryExists,
        History,
        Progress,       // set-up's read of the no-transaction migrations' progress
        ProgressRecord, // a no-transaction migration's progress row, written
        LiveSnapshot,
        ShadowSnapshot,
        Commit // the COMMIT that ends a run's transaction
    };
    Kind kind = Other;
    int migration = -1; // index into the run's migration list
    int step = 0;       // 1-based statement, or the mark's number (0 = before the first)
};

// Commands for one round trip, each with its role.
struct Batch
{
    QList<PipelineCommand> commands;
    QList<Role> roles;

    void add(const QByteArray &sql, QList<QByteArray> params, PipelineCommand::After after,
             Role role = {})
    {
        commands.append({sql, std::move(params), after});
        roles.append(role);
    }
};

// One row of algoadmin_schema_history.
struct HistoryRow
{
    QString version;
    QString name;
    QString checksum;
    QDateTime appliedAt;
    QString appliedBy;
    double totalMs = 0;
    QString kind;
};

// One row of algoadmin_schema_progress: a no-transaction migration that stopped after some of
// its statements had committed (each commits by itself). The row goes when the migration's
// history row is written, in the same transaction.
struct ProgressRow
{
    QString version;
    QString name;
    QString checksum;          // of the whole file when its last statement committed
    QString committedChecksum; // of the committed statements' texts (statementsChecksum())
    int statementsDone = 0;    // statements 1 … statementsDone have committed
    int statementsTotal = 0;
    int running = 0; // a statement that was started outside a transaction and whose end was
                     // never recorded (it may have taken effect), or 0
    QDateTime updatedAt;
    QString updatedBy;
};

// The set's gaps (MigrationGap) that the history does not explain: a missing number that was
// never applied. Migrate refuses to run past one.
QList<MigrationGap> unrecordedGaps(const MigrationSet &set, const QList<HistoryRow> &history);
// The refusal of a run over such gaps.
DbError gapError(const MigrationSet &set, const QList<MigrationGap> &gaps);

// A statement that did not run because an earlier one failed: skipped up to the Sync in a
// pipeline, or refused (25P02) in an explicit transaction that the failure aborted.
bool notRun(const PgResult &result);

// Applied, partial, pending, changed or missing, from the history, the progress of
// no-transaction migrations and the files; in version order. A partial migration whose
// committed statements changed since (or that no longer runs without a transaction) is
// Changed.
QList<MigrationStatus> classify(const MigrationSet &set, const QList<HistoryRow> &history,
                                const QList<ProgressRow> &progress = {});

// One connection of one engine operation and what we learned about it. While open it is the
// connection MigrationEngine::cancel() interrupts.
struct EngineSession
{
    MigrationEngine *engine = nullptr;
    PgConnection connection;
    PgConnection *previousActive = nullptr; // what cancel() interrupted before this opened
    std::unique_ptr<PgConnection> monitor;  // opened only to see what runs and who blocks it
    // The clock mark, a statement prepared once per transaction (a unique name: one left on a
    // pooled server connection after a cancel could never meet the next run's).
    QByteArray markStatement;
    QString schema; // current_schema(), empty when search_path names none
    QString searchPath;
    QString dbRole;
    int pid = 0;         // pg_backend_pid() in set-up
    bool pooled = false; // a pooler (PgBouncer) sits between us and the server (see open())
    int roundTrips = 0;  // batches run, connection set-up excluded
    QList<LockHolder> lastHolders; // who held a lock we waited for, when last seen
    qint64 lastObservationMs = -1;
    bool historyExists = false;
    QList<HistoryRow> history;
    QList<ProgressRow> progress;
    SchemaSnapshot live; // with captureLive
    int catalogQueries = 0;

    explicit EngineSession(MigrationEngine *owner);
    EngineSession(const EngineSession &) = delete;
    EngineSession &operator=(const EngineSession &) = delete;
    ~EngineSession();

    // Opens the connection (to `options` when given, else the engine's); from then on until the
    // session ends, cancel() interrupts it.
    bool open(DbError *error, const ConnectionOptions *options = nullptr);
    // What the engine connects with.
    const ConnectionOptions &engineOptions() const;

    QString target() const { return connection.describe(); }

    // What our backend runs right now (its statement's text and state, as pg_stat_activity
    // shows them) and who blocks it, through a second connection. That connection and its
    // query are bounded (LinkWatch::AnswerMs): a path that went silent is said as such.
    struct Observation
    {
        LinkWatch::Reach reach = LinkWatch::Reach::Unknown;
        QByteArray query;
        QString state; // our backend's, or empty when it is not there
        QList<LockHolder> holders;
    };
    Observation observe();

    // True when the connection goes through a pooler in transaction (or statement) pooling:
    // then nothing may rely on the session outliving a transaction. Costs a connection and a
    // round trip through the pooler; only asked after set-up found `pooled`.
    bool transactionPooled();
    // The refusal of work that needs a session under transaction pooling.
    DbError transactionPoolingError(const QString &what, const QString &why) const;

    // Runs one batch in one round trip: each result goes to `onResult` with its command's role;
    // while a statement waits on a lock, the engine's lockWaitObserved callback gets
    // `describeWait`'s answer for its role (none without `describeWait`). False when the
    // connection failed (`error` says why); a statement's failure is only in its result.
    //
    // Results arrive at each Sync and whenever the server's output buffer fills, not after
    // each statement (a Flush after each would cost more than the clock marks). So when no
    // result has come for a while, the server is asked which command runs: `onRunning` gets
    // its role.
    bool run(const Batch &batch,
             const std::function<void(const Role &, const PgResult &)> &onResult,
             const std::function<LockWait(const Role &)> &describeWait, DbError *error,
             const std::function<void(const Role &)> &onRunning = {});

    // Round trip 1 of every operation: settings, facts, optionally the runners' lock and the
    // history table, and the applied migrations.
    //
    // By default set-up is one explicit transaction (BEGIN … COMMIT) whose settings and lock
    // are transaction-scoped, so that it works through a pooler in transaction pooling and
    // leaves nothing on the server connection. `sessionScoped` is the old way, for the runs
    // that need a session across transactions (no-transaction migrations): session settings,
    // the session advisory lock, a session temp table of marks, no BEGIN.
    struct SetUpSteps
    {
        bool takeLock = false;      // the runners' advisory lock
        bool createHistory = false; // create algoadmin_schema_history if missing
        bool prepareMarks = false;  // the temp table of clock marks (and, in a session, the mark)
        bool captureLive = false;   // the live schema's catalog snapshot
        bool sessionScoped = false; // see above
        bool leaveOpen = false;     // transaction-scoped: no COMMIT, the caller goes on
    };

    // The temp table of clock marks: dropped at commit unless `sessionScoped`.
    static void addMarksTable(Batch &batch, bool sessionScoped);
    // The mark statement (markStatement), once the marks table exists. In a transaction it
    // must be deallocated before the transaction ends, so it is prepared only where the
    // transaction is sure to be healthy at the DEALLOCATE (a failure in between is undone to a
    // savepoint); in a session, DISCARD ALL ends it.
    void addPrepareMark(Batch &batch, PipelineCommand::After after) const;
    void addDeallocateMark(Batch &batch) const;
    // A clock mark for step `step` of the migration with version `run` (0 = before its first
    // statement).
    void addMark(Batch &batch, const QByteArray &run, int step, PipelineCommand::After after,
                 Role role) const;
    // The runners' advisory lock: until the end of the transaction unless `sessionScoped`.
    static void addLock(Batch &batch, bool sessionScoped);

    // Round trip 1 of every operation, in three parts so that migrate can send its migrations
    // in the same batch: the commands, what their results say, and the verdict.
    void buildSetUp(Batch &batch, const SetUpSteps &steps) const;
    static bool isSetUpRole(const Role &role);
    // Reads one set-up result into the session; the first failure goes to `failure`.
    void takeSetUpResult(const Role &role, const PgResult &result, const SetUpSteps &steps,
                         DbError &failure);
    // False with `error` (and `lockTimedOut`, if given) set when set-up failed.
    bool finishSetUp(const DbError &failure, DbError *error, bool *lockTimedOut);

    // All three in one round trip.
    bool setUp(const SetUpSteps &steps, DbError *error, bool *lockTimedOut);
};
