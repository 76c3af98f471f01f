#pragma once

#include "migrations/enginesession.h"
#include "migrations/migration.h"
#include "migrations/migrationengine.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>

#include <atomic>
#include <optional>

// One migrate or rehearse (MigrationEngine::run picks the steps and the strategy): the report
// it fills in as results arrive, and what its statements' results are read against. Used once,
// on the calling thread; `cancelled` may be set from any other.
class MigrationRun
{
public:
    // Starts the run's clock; open() opens `session`.
    MigrationRun(EngineSession &session, const MigrationSet &migrations,
                 const EngineCallbacks &callbacks, const std::atomic<bool> &cancelled,
                 bool rehearsal);

    // False, with the error set, when a statement cannot run as a migration's: COPY from STDIN
    // or to STDOUT, or transaction control inside a transactional migration.
    bool checkStatements();
    // Opens the session; the report names its target either way.
    bool open();
    // Round trip 1 (set-up, lock, history): the pending migrations and what was applied
    // before. False when set-up failed (end with setUpFailed()).
    bool readHistory();
    // Applied files that changed since they ran (after readHistory()); the run must refuse.
    bool hasChangedFiles() const { return !m_report.changed.isEmpty(); }
    // Lists the pending migrations and their steps in the report; false when there are none.
    bool listPending();

    // The strategies; each ends the run.
    // For a set of only transactional migrations, instead of readHistory(): set-up, the plan
    // and every migration in one round trip, the server skipping the applied ones.
    RunReport migrateInOneRoundTrip();
    // After listPending(), for pending migrations that are all transactional: set-up again,
    // the plan and each migration in one transaction (each in a savepoint), one round trip;
    // a transaction more after each migration that adds an enum value.
    RunReport migrateInOneTransaction();
    // After listPending(): true when a pending migration runs without a transaction.
    bool needsSession() const;
    // For such a run: the session set-up (session settings and lock, the history read again
    // under it) and listPending() again. Through a pooler in transaction pooling the run is
    // refused before anything changes. A report when the run ended here.
    std::optional<RunReport> takeSession();
    // After listPending(): every pending migration in one transaction with real timings, then
    // rolled back.
    RunReport rehearse();
    // After listPending(): the transactional migrations up to each no-transaction one in one
    // round trip, each statement of a no-transaction one in a round trip of its own.
    RunReport migrateStatementByStatement();

    // Ends the run: its outcome, wall time and server time.
    RunReport finish(RunReport::Outcome outcome);
    RunReport finish(RunReport::Outcome outcome, const DbError &error);
    // Ends a run whose set-up failed: Cancelled, LockTimeout (with who held the lock) or Failed.
    RunReport setUpFailed();
    // The refusal of a run when applied files changed (hasChangedFiles()).
    DbError changedFilesError() const;

private:
    // What was there before this run, from the session's history.
    void noteHistory();
    // Drops from the report the migrations the one-round-trip plan skipped as applied before.
    void dropAlreadyApplied();
    // Ends a strategy: Cancelled, LockTimeout, Failed or Ok, from what the results said.
    RunReport conclude();
    // The hint of a rehearsal that failed on a value an earlier migration added to an enum type.
    void explainUnsafeEnumValue();
    // Runs a batch of migration commands; a transport failure fails the run.
    bool runBatch(const Batch &batch);
    // The progress token of a migration that committed; the next segment's guard expects it.
    static QByteArray appliedToken(const Migration *migration);

    // Adding to a batch.
    void addSteps(Batch &batch, int index, bool inRehearsal) const;
    static void addUndoPrevious(Batch &batch);
    void addRecord(Batch &batch, int index) const;
    void addPlan(Batch &batch, int first, int end) const;
    // Pending migrations first to end in one transaction; a report when the run ended here.
    std::optional<RunReport> runTransaction(int first, int end);
    // A no-transaction migration, one statement per round trip from the first that has not
    // committed before; true when every one ran.
    bool runWithoutTransaction(int index);
    // Writes the progress row of pending migration `index` (ProgressRunningSql or
    // ProgressDoneSql) with `done` statements committed; `step` runs now or is done.
    void addProgress(Batch &batch, int index, const char *sql, int done, int step) const;
    // How many statements of pending migration `index` committed in earlier runs.
    int committedBefore(int index) const;
    // Reports those as finished (state Committed), so that progress displays list them in
    // order before what runs now.
    void reportCommittedBefore(int index) const;

    // Reading results back.
    void takeResult(const Role &role, const PgResult &result);
    void takeMark(const Role &role, const PgResult &result);
    void takeStatement(const Role &role, const PgResult &result);
    void takeGuard(const Role &role, const PgResult &result);
    void takeRecord(const Role &role, const PgResult &result);
    void takeCommit(const PgResult &result);
    LockWait describeWait(const Role &role) const;
    StepReport &stepOf(const Role &role);
    void startStep(int migration, int step);
    // The server says this command runs (its results are not back yet).
    void noteRunning(const Role &role);
    // The run's first failure; later ones are consequences.
    void noteFailure(const DbError &error, const Role &role);

    EngineSession &m_session;
    const MigrationSet &m_migrations;
    const EngineCallbacks &m_callbacks;
    const std::atomic<bool> &m_cancelled;
    const bool m_rehearsal;
    EngineSession::SetUpSteps m_setUpSteps;
    QElapsedTimer m_clock;
    RunReport m_report;
    bool m_lockTimedOut = false;
    bool m_failed = false;
    bool m_inTransaction = false;       // the run is one explicit transaction (progress is local)
    QList<const Migration *> m_pending; // the migrations this run tries, in order
    QList<int> m_firstStep;             // index of each pending migration's first step
    QList<double> m_lastMark;           // server clock of each one's latest mark
    // Partial no-transaction migrations by version: statements committed before, and the
    // one an earlier run left running (0 = none).
    struct Committed
    {
        int done = 0;
        int running = 0;
    };
    QHash<QString, Committed> m_committed;
    struct Round
    {
        int first = 0;
        int end = 0;
    } m_round; // the pending migrations of the transaction being run
};
