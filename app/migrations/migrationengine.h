#pragma once

#include "db/connectionoptions.h"
#include "db/dberror.h"
#include "migrations/migration.h"
#include "migrations/schemasnapshot.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

class PgConnection;

struct EngineSettings
{
    int lockTimeoutMs = 5000;        // every statement gives up waiting for a lock after this
    int statementTimeoutMs = 300000; // and is cancelled by the server after this
    // A batch that has had no answer for this long gives up once a second connection cannot
    // reach the server either (a network path gone silent), or finds it idle: its answers
    // were lost. The whole bound adds LinkWatch::AnswerMs for that connection.
    int silenceLimitMs = 10000;
    // verify keeps the replayed expected schema in the user's cache, keyed by the migrations'
    // checksums and the server version; false replays every time.
    bool useExpectedSchemaCache = true;
};

// A session holding a lock we wait for, as pg_stat_activity shows it.
struct LockHolder
{
    int pid = 0;
    QString role;
    QString application;
    QString state;
    QString query;
    QDateTime since; // when its transaction (or, outside one, its query) started
    QString describe() const;
};

// Reported while a statement waits for a lock: who holds it and how long we still wait.
struct LockWait
{
    QString migration; // migration id, or empty while taking the runners' advisory lock
    int step = 0;
    qint64 waitedMs = 0;
    qint64 remainingMs = 0; // of the lock timeout
    QList<LockHolder> holders;
};

// One statement of one migration, as it ran.
struct StepReport
{
    enum class State
    {
        Pending,
        Running,
        Done,
        Failed,
        Skipped,
        Committed // committed by an earlier run that stopped (no-transaction migrations)
    };
    QString migration; // "001_algorithm_tables"
    QString fileName;
    int step = 0; // 1-based within the migration
    int line = 0;
    QString summary; // "CREATE TABLE algorithm_agents"
    double ms = -1;  // server time; -1 until its result is back (also when already Done)
    State state = State::Pending;
    QString stateName() const;
};

struct MigrationOutcome
{
    enum class State
    {
        Applied,
        Failed,
        NotRun,
        RolledBack
    };
    QString id;
    QString version;
    QString fileName;
    int steps = 0;
    double ms = 0; // server time of its statements
    State state = State::NotRun;
    // A no-transaction migration that stopped midway: its statements that committed, in this
    // run and earlier ones (the next migrate resumes after them).
    int committedStatements = 0;
    QString stateName() const;
};

// What a migrate or rehearse run did.
struct RunReport
{
    enum class Outcome
    {
        Ok,
        Failed,
        LockTimeout,
        ChangedFiles,
        Cancelled,
        BadInput
    };
    Outcome outcome = Outcome::Ok;
    bool rehearsal = false;
    QString target;                     // user@host:port/db
    QList<MigrationOutcome> migrations; // the pending ones this run tried, in order
    QList<StepReport> steps;
    QStringList alreadyApplied;    // ids skipped because they were applied before
    QStringList changed;           // applied files whose checksum differs (refused)
    DbError error;                 // set unless Ok
    QList<LockHolder> lockHolders; // who held the lock we gave up on
    double wallMs = 0;             // end to end, connection included
    double serverMs = 0;           // sum of the statements' server time
    int roundTrips = 0;            // request batches waited on, connection set-up excluded
};

struct MigrationStatus
{
    enum class State
    {
        Applied,
        Partial, // a no-transaction migration stopped after some statements committed
        Pending,
        Changed,
        Missing
    };
    QString version;
    QString name;
    QString fileName;
    State state = State::Pending;
    QDateTime appliedAt; // for a partial one, when its last statement committed
    QString appliedBy;
    double totalMs = 0;
    QString kind; // "migrate" or "baseline" for applied ones
    // Of a partial migration (or a changed one that was partial): statements 1 … done have
    // committed; `running` was started outside a transaction and never recorded as ended, so
    // it may have taken effect (0 when none).
    int statementsDone = 0;
    int statementsTotal = 0;
    int running = 0;
    QString stateName() const;
    // "3 of 5 statements committed" and what `running` means, for a partial migration.
    QString progressText() const;
};

struct StatusReport
{
    QString target;
    bool historyExists = false;
    QList<MigrationStatus> migrations;
    QList<MigrationGap> gaps; // numbers missing between the files and not in the history
    DbError error;
    int roundTrips = 0;
    double wallMs = 0;
    bool hasChanged() const;
};

struct VerifyReport
{
    QString target;
    QList<MigrationStatus> migrations; // the status the comparison was based on
    QList<SchemaDifference> differences;
    DbError error;
    int roundTrips = 0;
    int catalogQueries = 0;
    int expectedTables = 0;
    bool expectedFromCache = false; // the expected schema came from an earlier replay
    // No history and none of the tables the migrations create: the database has not been
    // migrated yet (not drift; `migrate` is next). No differences are listed then.
    bool nothingApplied = false;
    double wallMs = 0;
    bool hasChanged() const;
    bool clean() const { return !error.isError() && differences.isEmpty() && !hasChanged(); }
};

struct BaselineReport
{
    QString target;
    QStringList adopted; // ids recorded as applied without running
    QStringList alreadyApplied;
    QStringList pending; // left for migrate
    DbError error;
    QList<LockHolder> lockHolders;
    bool lockTimedOut = false;
    int roundTrips = 0;
    double wallMs = 0;
};

// Live progress of a run, for the command line's and the GUI's progress displays.
struct EngineCallbacks
{
    std::function<void(const StepReport &)> stepStarted;
    // Results come back in batches: a step may be reported done first with ms -1 (the server
    // said a later one runs) and then again with its time.
    std::function<void(const StepReport &)> stepFinished;
    std::function<void(const LockWait &)> lockWaitObserved;
};

// Runs a set of migrations against one database: migrate, rehearse, status, verify, baseline.
// Each call opens its own connection, runs on the calling thread and returns a report;
// cancel() may be called from any other thread.
class MigrationEngine
{
public:
    MigrationEngine(ConnectionOptions connection, MigrationSet migrations,
                    EngineSettings settings = {});
    ~MigrationEngine();

    void setCallbacks(EngineCallbacks callbacks);

    // Applies every pending migration, each in its own transaction: with set-up, one round trip
    // for the whole run (a set holding a no-transaction migration reads the history first and
    // runs that migration statement by statement). Refuses when an applied file changed.
    RunReport migrate();
    // Runs every pending migration inside one transaction with real timings, then rolls back.
    RunReport rehearse();
    StatusReport status();
    // Applies the applied migrations to a scratch schema inside a rolled-back transaction and
    // compares its catalog with the live schema's: two catalog queries whatever the size, one
    // when the replay's result is cached (see EngineSettings::useExpectedSchemaCache).
    VerifyReport verify();
    // Records as applied, without running them, the pending migrations whose objects the
    // database already has (a database the old application created); up to `toVersion` if set.
    BaselineReport baseline(const QString &toVersion = {});

    // Thread-safe: stops the statement now running; a migrate or rehearse ends as Cancelled with
    // the current migration rolled back (the statements of a no-transaction migration that
    // already ran stay committed).
    void cancel();

private:
    friend struct EngineSession;
    RunReport run(bool rehearsal);

    ConnectionOptions m_connection;
    MigrationSet m_migrations;
    EngineSettings m_settings;
    EngineCallbacks m_callbacks;
    std::atomic<bool> m_cancelled{false};
    std::mutex m_activeMutex;
    PgConnection *m_active = nullptr; // the connection cancel() interrupts
};
