#include "migrations/migrationrun.h"

#include "migrations/enginesupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

#include <algorithm>

// ---------------------------------------------------------------------------------------------
// SQL of a migrate. Every value is a bound parameter.

// One round trip for a whole migrate: the client sends every migration before it has seen the
// history, and the server decides. The plan is the list of versions not yet applied, set only
// when the runners' lock is held, no applied file changed and no no-transaction migration is
// partly applied (one that is now a transactional file, or the run would not come here; the
// progress table exists only where a no-transaction migration ran, hence query_to_xml) ($1
// versions, $2 checksums, in file order; the plan takes those numbered $3 < n <= $4, the
// transaction's share of them). Each migration's segment then starts with PlanGuardSql: it runs
// only if its version is planned and every planned version before it has committed (DoneSql, at the
// end of each segment, rolls back with a failed one). pg_catalog is named explicitly because a
// migration may change search_path.
static const char PlanSql[] = R"SQL(
SELECT pg_catalog.set_config('algoadmin.plan',
                             coalesce(string_agg(f.version, ',' ORDER BY f.n), ''), true)
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS f(version, checksum, n)
LEFT JOIN algoadmin_schema_history h ON h.version = f.version
WHERE h.version IS NULL AND f.n > $3::int AND f.n <= $4::int
HAVING NOT EXISTS (SELECT 1
                   FROM unnest($1::text[], $2::text[]) AS g(version, checksum)
                   JOIN algoadmin_schema_history c ON c.version = g.version
                   WHERE c.checksum <> g.checksum)
   AND CASE WHEN pg_catalog.to_regclass('algoadmin_schema_progress') IS NULL THEN true
            ELSE pg_catalog.query_to_xml('SELECT 1 AS partial FROM algoadmin_schema_progress'
                                         ' LIMIT 1', false, true, '')::text = '' END
)SQL";
static const char PlanGuardSql[] = R"SQL(
WITH plan AS (
    SELECT p.version, p.n
    FROM pg_catalog.unnest(pg_catalog.string_to_array(
             pg_catalog.current_setting('algoadmin.plan', true), ',')) WITH ORDINALITY AS p(version, n)
), me AS (
    SELECT n FROM plan WHERE version = $1
)
SELECT 1 / (EXISTS (SELECT 1 FROM me)
            AND NOT EXISTS (
                SELECT 1 FROM plan, me
                WHERE plan.n < me.n
                  AND NOT plan.version = ANY (pg_catalog.string_to_array(coalesce(
                          pg_catalog.current_setting('algoadmin.done', true), ''), ','))))::int
)SQL";
static const char DoneSql[] =
    "SELECT pg_catalog.set_config('algoadmin.done', coalesce("
    "pg_catalog.current_setting('algoadmin.done', true), '') || ',' || $1, true)";

// The one-transaction migrate runs each migration in this savepoint, so that a failing one
// (or one the plan skips) is undone alone and the run goes on to commit the ones before it.
// After a migration the savepoint is taken again, empty, so that the next segment's rollback
// to it (addUndoPrevious, at its start) always finds one: the failed migration's, or that
// empty one.
static const char SavepointSql[] = "SAVEPOINT algoadmin_migration";
static const char ReleaseSql[] = "RELEASE SAVEPOINT algoadmin_migration";
static const char RollbackToSql[] = "ROLLBACK TO SAVEPOINT algoadmin_migration";
static const char RehearsalSavepointSql[] = "SAVEPOINT algoadmin_rehearsal";
static const char RehearsalRollbackToSql[] = "ROLLBACK TO SAVEPOINT algoadmin_rehearsal";

// The history row is written where set-up found the history table, whatever search_path the
// migration left behind (until the end of its transaction).
static const char HistoryPathSql[] =
    "SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident("
    "pg_catalog.current_setting('algoadmin.live_schema')), true)";

// The history row, with each step's time computed from the marks; $4 = [[line, summary], …].
static const char RecordSql[] = R"SQL(
INSERT INTO algoadmin_schema_history (version, name, checksum, total_ms, steps, kind)
SELECT $1, $2, $3,
       coalesce(round((extract(epoch FROM max(m.at) - min(m.at)) * 1000)::numeric, 3), 0),
       coalesce(jsonb_agg(jsonb_build_object(
                    'step', m.step,
                    'line', ($4::jsonb -> (m.step - 1) ->> 0)::int,
                    'summary', $4::jsonb -> (m.step - 1) ->> 1,
                    'ms', m.ms) ORDER BY m.step) FILTER (WHERE m.step > 0), '[]'),
       'migrate'
FROM (SELECT step, at,
             round((extract(epoch FROM at - lag(at) OVER (ORDER BY step)) * 1000)::numeric, 3)
                 AS ms
      FROM pg_temp.algoadmin_step_marks WHERE run = $1) m
)SQL";

// The history row of a no-transaction migration: its steps as the progress rows recorded them,
// over however many runs it took; the progress row goes.
static const char RecordFromProgressSql[] = R"SQL(
WITH done AS (
    DELETE FROM algoadmin_schema_progress WHERE version = $1 RETURNING steps
)
INSERT INTO algoadmin_schema_history (version, name, checksum, total_ms, steps, kind)
SELECT $1, $2, $3,
       coalesce((SELECT sum((s ->> 'ms')::numeric) FROM done, jsonb_array_elements(done.steps) s),
                0),
       coalesce((SELECT steps FROM done), '[]'), 'migrate'
)SQL";

// ---------------------------------------------------------------------------------------------

// [[line, summary], …] of a migration's statements, for RecordSql.
static QByteArray stepMeta(const Migration *migration)
{
    QJsonArray meta;
    for (const SqlStatement &statement : migration->statements)
        meta.append(QJsonArray{statement.line, summarizeStatement(statement.text)});
    return QJsonDocument(meta).toJson(QJsonDocument::Compact);
}

// Array literals of digits and hex digits: nothing to quote.
static QByteArray arrayLiteral(const QStringList &items)
{
    return (QLatin1Char('{') + items.join(QLatin1Char(',')) + QLatin1Char('}')).toUtf8();
}

QByteArray MigrationRun::appliedToken(const Migration *migration)
{
    return "applied:" + migration->version.toUtf8();
}

MigrationRun::MigrationRun(EngineSession &session, const MigrationSet &migrations,
                           const EngineCallbacks &callbacks, const std::atomic<bool> &cancelled,
                           bool rehearsal)
    : m_session(session)
    , m_migrations(migrations)
    , m_callbacks(callbacks)
    , m_cancelled(cancelled)
    , m_rehearsal(rehearsal)
{
    m_clock.start();
    m_report.rehearsal = rehearsal;
    // A rehearsal leaves nothing behind, not even the history table.
    m_setUpSteps.takeLock = true;
    m_setUpSteps.createHistory = !rehearsal;
    m_setUpSteps.prepareMarks = true;
}

// A transactional migration must not commit or roll back by itself: the engine owns its
// transaction, and a COMMIT inside would make "all or nothing" a lie.
bool MigrationRun::checkStatements()
{
    for (const Migration &migration : m_migrations.migrations) {
        for (const SqlStatement &statement : migration.statements) {
            if (isClientCopy(statement.text)) {
                m_report.error = {
                    QStringLiteral("check migration %1").arg(migration.id()),
                    QStringLiteral("%1:%2").arg(migration.fileName).arg(statement.line),
                    QStringLiteral("COPY from STDIN or to STDOUT needs a client data "
                                   "stream, which a migration file does not have"),
                    {},
                    {},
                    QStringLiteral("Load data with INSERT … SELECT or COPY from a "
                                   "server-side file.")};
                return false;
            }
            if (migration.transactional && isTransactionControl(statement.text)) {
                m_report.error = {
                    QStringLiteral("check migration %1").arg(migration.id()),
                    QStringLiteral("%1:%2").arg(migration.fileName).arg(statement.line),
                    QStringLiteral("%1 inside a migration: each migration already "
                                   "runs in its own transaction")
                        .arg(summarizeStatement(statement.text)),
                    {},
                    {},
                    QStringLiteral("Remove the statement, or put \"%1\" on the "
                                   "file's first line to run it without one.")
                        .arg(QLatin1String(NoTransactionMarker))};
                return false;
            }
        }
    }
    return true;
}

bool MigrationRun::open()
{
    if (!m_session.open(&m_report.error)) {
        m_report.target = m_report.error.where;
        return false;
    }
    m_report.target = m_session.target();
    return true;
}

bool MigrationRun::readHistory()
{
    // Outside a session a plain read, which changes nothing (not even the history table):
    // the strategy that follows takes the lock and plans again in its own transaction.
    EngineSession::SetUpSteps steps = m_setUpSteps;
    if (!steps.sessionScoped) {
        steps.takeLock = false;
        steps.createHistory = false;
        steps.prepareMarks = false;
    }
    if (!m_session.setUp(steps, &m_report.error, &m_lockTimedOut))
        return false;
    for (const MigrationStatus &status :
         classify(m_migrations, m_session.history, m_session.progress)) {
        if (status.state == MigrationStatus::State::Pending ||
            status.state == MigrationStatus::State::Partial)
            m_pending.append(m_migrations.find(status.version));
        if (status.state == MigrationStatus::State::Partial)
            m_committed.insert(status.version, {status.statementsDone, status.running});
    }
    noteHistory();
    return true;
}

// What was there before this run; in one round trip, known only afterwards.
void MigrationRun::noteHistory()
{
    for (const MigrationStatus &status :
         classify(m_migrations, m_session.history, m_session.progress)) {
        if (status.state == MigrationStatus::State::Changed)
            m_report.changed.append(status.version + QLatin1Char('_') + status.name);
        else if (status.state == MigrationStatus::State::Applied)
            m_report.alreadyApplied.append(status.version + QLatin1Char('_') + status.name);
    }
    m_report.roundTrips = m_session.roundTrips;
}

DbError MigrationRun::changedFilesError() const
{
    return DbError{QStringLiteral("check applied migrations"),
                   m_migrations.source,
                   QStringLiteral("applied migration files were changed since they ran: %1")
                       .arg(m_report.changed.join(QStringLiteral(", "))),
                   {},
                   {},
                   QStringLiteral("Restore the applied files as they were (status shows "
                                  "which), or put the change in a new migration.")};
}

bool MigrationRun::listPending()
{
    for (const Migration *migration : std::as_const(m_pending)) {
        MigrationOutcome outcome;
        outcome.id = migration->id();
        outcome.version = migration->version;
        outcome.fileName = migration->fileName;
        outcome.steps = int(migration->statements.size());
        m_report.migrations.append(outcome);
        const int committed = m_committed.value(migration->version).done;
        for (int i = 0; i < migration->statements.size(); ++i) {
            StepReport step;
            step.migration = migration->id();
            step.fileName = migration->fileName;
            step.step = i + 1;
            step.line = migration->statements.at(i).line;
            step.summary = summarizeStatement(migration->statements.at(i).text);
            if (i < committed)
                step.state = StepReport::State::Committed;
            m_report.steps.append(step);
        }
    }
    for (int i = 0, at = 0; i < m_pending.size(); ++i) {
        m_firstStep.append(at);
        at += int(m_pending.at(i)->statements.size());
    }
    m_lastMark = QList<double>(m_pending.size(), 0);
    return !m_pending.isEmpty();
}

bool MigrationRun::needsSession() const
{
    return std::any_of(m_pending.cbegin(), m_pending.cend(),
                       [](const Migration *migration) { return !migration->transactional; });
}

std::optional<RunReport> MigrationRun::takeSession()
{
    if (m_session.transactionPooled()) {
        m_report.migrations.clear();
        m_report.steps.clear();
        return finish(RunReport::Outcome::Failed,
                      m_session.transactionPoolingError(
                          QStringLiteral("migrate"),
                          QStringLiteral("a pending migration runs without a transaction "
                                         "(%1), which needs one server session from its first "
                                         "statement to its history row")
                              .arg(QLatin1String(NoTransactionMarker))));
    }
    m_session.history.clear();
    m_session.progress.clear();
    m_report.changed.clear();
    m_report.alreadyApplied.clear();
    m_report.migrations.clear();
    m_report.steps.clear();
    m_pending.clear();
    m_firstStep.clear();
    m_committed.clear();
    m_setUpSteps.sessionScoped = true;
    if (!readHistory())
        return setUpFailed();
    if (hasChangedFiles())
        return finish(RunReport::Outcome::ChangedFiles, changedFilesError());
    if (!listPending())
        return finish(RunReport::Outcome::Ok);
    return std::nullopt;
}

RunReport MigrationRun::finish(RunReport::Outcome outcome)
{
    m_report.outcome = outcome;
    m_report.wallMs = m_clock.nsecsElapsed() / 1e6;
    m_report.serverMs = 0;
    for (const StepReport &step : std::as_const(m_report.steps))
        m_report.serverMs += std::max(0.0, step.ms);
    return m_report;
}

RunReport MigrationRun::finish(RunReport::Outcome outcome, const DbError &error)
{
    m_report.error = error;
    return finish(outcome);
}

RunReport MigrationRun::setUpFailed()
{
    m_report.roundTrips = m_session.roundTrips;
    m_report.lockHolders = m_session.lastHolders;
    m_report.migrations.clear();
    m_report.steps.clear();
    if (m_cancelled)
        return finish(RunReport::Outcome::Cancelled);
    return finish(m_lockTimedOut ? RunReport::Outcome::LockTimeout : RunReport::Outcome::Failed);
}

// ---------------------------------------------------------------------------------------------
// The strategies

RunReport MigrationRun::migrateInOneRoundTrip()
{
    for (const Migration &migration : m_migrations.migrations)
        m_pending.append(&migration);
    if (!listPending())
        return finish(RunReport::Outcome::Ok);
    return migrateInOneTransaction();
}

RunReport MigrationRun::migrateInOneTransaction()
{
    m_inTransaction = true;
    // One transaction, unless a migration adds a value to an enum type: PostgreSQL lets a new
    // value be used only once the transaction that added it has committed, so the run commits
    // after that migration and goes on in a new transaction (a round trip more), as if the
    // migrations had been applied by separate runs.
    for (int first = 0; first < m_pending.size() && !m_failed && !m_cancelled;) {
        int end = first + 1;
        while (end < m_pending.size() && !addsEnumValue(*m_pending.at(end - 1)))
            ++end;
        if (const std::optional<RunReport> ended = runTransaction(first, end))
            return *ended;
        // What the history said was applied before this run is not sent again.
        for (first = end; first < m_pending.size() &&
                          m_report.alreadyApplied.contains(m_pending.at(first)->id());)
            ++first;
    }
    dropAlreadyApplied();
    return conclude();
}

std::optional<RunReport> MigrationRun::runTransaction(int first, int end)
{
    // Set-up is read again in this transaction, under the lock.
    const bool firstRound = first == 0;
    m_session.history.clear();
    m_session.progress.clear();
    if (firstRound) {
        m_report.changed.clear();
        m_report.alreadyApplied.clear();
    }
    m_round = {first, end};
    EngineSession::SetUpSteps steps = m_setUpSteps;
    steps.sessionScoped = false;
    steps.leaveOpen = true;
    Batch batch;
    m_session.buildSetUp(batch, steps);
    addPlan(batch, first, end);
    for (int i = first; i < end; ++i) {
        // Each segment first undoes what failed in the one before, if anything did.
        if (i > first)
            addUndoPrevious(batch);
        batch.add(SavepointSql, {}, PipelineCommand::After::Nothing);
        batch.add(PlanGuardSql, {m_pending.at(i)->version.toUtf8()},
                  PipelineCommand::After::Nothing, {Role::Guard, i});
        addSteps(batch, i, false);
        addRecord(batch, i);
        batch.commands.last().after = PipelineCommand::After::Nothing;
        batch.add(ReleaseSql, {}, PipelineCommand::After::Nothing);
        batch.add(SavepointSql, {}, PipelineCommand::After::Sync);
    }
    addUndoPrevious(batch);
    m_session.addDeallocateMark(batch);
    batch.add("COMMIT", {}, PipelineCommand::After::Sync, {Role::Commit});
    DbError setUpFailure;
    DbError transport;
    const bool transportOk = m_session.run(
        batch,
        [&](const Role &role, const PgResult &result) {
            if (EngineSession::isSetUpRole(role)) {
                m_session.takeSetUpResult(role, result, steps, setUpFailure);
            } else if (role.kind == Role::Plan) {
                if (!result.ok() && !notRun(result) && !setUpFailure.isError())
                    setUpFailure =
                        result.error(QStringLiteral("plan the migrations"), m_session.target());
            } else {
                takeResult(role, result);
            }
        },
        [this](const Role &role) { return describeWait(role); }, &transport,
        [this](const Role &role) { noteRunning(role); });
    if (!transportOk && !m_failed && !setUpFailure.isError())
        m_report.error = transport;
    if (!transportOk)
        m_failed = true;
    if (firstRound) {
        if (!m_session.finishSetUp(setUpFailure, &m_report.error, &m_lockTimedOut))
            return setUpFailed();
        noteHistory();
        // Then the plan was empty: nothing ran.
        if (hasChangedFiles()) {
            m_report.migrations.clear();
            m_report.steps.clear();
            return finish(RunReport::Outcome::ChangedFiles, changedFilesError());
        }
        return std::nullopt;
    }
    // A later transaction: what the earlier ones committed stays applied whatever happens here.
    DbError error;
    if (!m_session.finishSetUp(setUpFailure, &error, &m_lockTimedOut)) {
        if (!m_failed)
            noteFailure(error, {});
        return std::nullopt;
    }
    // Another runner may have applied some of these between the transactions: the plan
    // skipped them.
    for (const HistoryRow &row : std::as_const(m_session.history)) {
        for (int i = first; i < end; ++i) {
            if (m_pending.at(i)->version == row.version &&
                m_report.migrations.at(i).state != MigrationOutcome::State::Applied)
                m_report.alreadyApplied.append(m_pending.at(i)->id());
        }
    }
    return std::nullopt;
}

// Drops what was applied before this run: the server skipped it.
void MigrationRun::dropAlreadyApplied()
{
    for (qsizetype i = m_report.migrations.size() - 1; i >= 0; --i) {
        const MigrationOutcome &outcome = m_report.migrations.at(i);
        if (!m_report.alreadyApplied.contains(outcome.id) && !m_report.changed.contains(outcome.id))
            continue;
        m_report.steps.remove(m_firstStep.at(i), outcome.steps);
        m_report.migrations.removeAt(i);
    }
}

RunReport MigrationRun::rehearse()
{
    // One transaction, rolled back whether a step failed or not; the lock and the marks end
    // with it. A failing step is undone to a savepoint first, so that the mark statement can
    // be deallocated before the transaction ends.
    Batch batch;
    batch.add("BEGIN", {}, PipelineCommand::After::Nothing);
    EngineSession::addLock(batch, false);
    EngineSession::addMarksTable(batch, false);
    m_session.addPrepareMark(batch, PipelineCommand::After::Sync);
    batch.add(RehearsalSavepointSql, {}, PipelineCommand::After::Nothing);
    for (int i = 0; i < m_pending.size(); ++i) {
        reportCommittedBefore(i);
        addSteps(batch, i, true);
    }
    batch.commands.last().after = PipelineCommand::After::Sync;
    batch.add(RehearsalRollbackToSql, {}, PipelineCommand::After::Nothing);
    m_session.addDeallocateMark(batch);
    batch.add("ROLLBACK", {}, PipelineCommand::After::Sync);
    if (!runBatch(batch)) {
        m_report.roundTrips = m_session.roundTrips;
        return finish(RunReport::Outcome::Failed);
    }
    explainUnsafeEnumValue();
    // Every migration whose statements ran was rolled back; the one that failed keeps
    // its state.
    for (int i = 0; i < m_report.migrations.size(); ++i) {
        MigrationOutcome &outcome = m_report.migrations[i];
        const bool ran = std::any_of(
            m_report.steps.cbegin() + m_firstStep.at(i),
            m_report.steps.cbegin() + m_firstStep.at(i) + outcome.steps,
            [](const StepReport &step) { return step.state == StepReport::State::Done; });
        if (outcome.state == MigrationOutcome::State::NotRun && ran)
            outcome.state = MigrationOutcome::State::RolledBack;
    }
    return conclude();
}

// A rehearsal cannot commit between migrations: a value one adds to an enum type cannot be used
// by a later one, which migrate does commit first.
void MigrationRun::explainUnsafeEnumValue()
{
    if (m_report.error.sqlState != QLatin1String("55P04"))
        return;
    for (int i = 0; i < m_report.migrations.size(); ++i) {
        if (m_report.migrations.at(i).state != MigrationOutcome::State::Failed)
            continue;
        const bool addedBefore =
            std::any_of(m_pending.cbegin(), m_pending.cbegin() + i,
                        [](const Migration *migration) { return addsEnumValue(*migration); });
        if (addedBefore)
            m_report.error.hint = QStringLiteral(
                "A rehearsal runs every migration in one transaction that it rolls back, and "
                "PostgreSQL lets a new enum value be used only after the transaction that added "
                "it commits. migrate commits after each migration that adds one, so this step "
                "can succeed there; to rehearse it, migrate up to the migration that adds the "
                "value first.");
        return;
    }
}

RunReport MigrationRun::conclude()
{
    m_report.roundTrips = m_session.roundTrips;
    const bool allApplied = std::all_of(
        m_report.migrations.cbegin(), m_report.migrations.cend(),
        [](const MigrationOutcome &m) { return m.state == MigrationOutcome::State::Applied; });
    // A cancel that came after the last commit stopped nothing: report what happened.
    if (m_cancelled && (m_failed || !allApplied)) {
        if (!m_report.error.isError())
            m_report.error = {QStringLiteral("migrate"),
                              m_session.target(),
                              QStringLiteral("cancelled by the user"),
                              QStringLiteral("57014"),
                              {},
                              {}};
        for (MigrationOutcome &outcome : m_report.migrations) {
            if (outcome.state == MigrationOutcome::State::Failed)
                outcome.state = MigrationOutcome::State::RolledBack;
        }
        return finish(RunReport::Outcome::Cancelled);
    }
    if (!m_failed && !m_rehearsal && !allApplied) {
        // Every failure path should have said why; never report success for a migration
        // that is not in the history.
        m_report.error = {QStringLiteral("migrate"),
                          m_session.target(),
                          QStringLiteral("not every pending migration was applied"),
                          {},
                          {},
                          QStringLiteral("Run `algoadmin status` to see which.")};
        m_failed = true;
    }
    if (m_failed) {
        return finish(m_report.error.sqlState == QLatin1String("55P03")
                          ? RunReport::Outcome::LockTimeout
                          : RunReport::Outcome::Failed);
    }
    return finish(RunReport::Outcome::Ok);
}

bool MigrationRun::runBatch(const Batch &batch)
{
    DbError transport;
    if (m_session.run(
            batch, [this](const Role &role, const PgResult &result) { takeResult(role, result); },
            [this](const Role &role) { return describeWait(role); }, &transport,
            [this](const Role &role) { noteRunning(role); }))
        return true;
    if (!m_failed)
        m_report.error = transport;
    m_failed = true;
    return false;
}

// ---------------------------------------------------------------------------------------------
// Adding to a batch

// One round trip for a whole migrate: after set-up, the plan of pending migrations first to end
// (see PlanSql), only once the runners' lock is ours.
void MigrationRun::addPlan(Batch &batch, int first, int end) const
{
    QStringList versions;
    QStringList checksums;
    for (const Migration *migration : std::as_const(m_pending)) {
        versions.append(migration->version);
        checksums.append(QString::fromLatin1(migration->checksum));
    }
    batch.add(GuardSql, {"locked"}, PipelineCommand::After::Nothing, {Role::SetUpGuard});
    batch.add(PlanSql,
              {arrayLiteral(versions), arrayLiteral(checksums), QByteArray::number(first),
               QByteArray::number(end)},
              PipelineCommand::After::Nothing, {Role::Plan});
    // From here on every failure is undone to a savepoint, so the transaction is healthy at
    // the DEALLOCATE before its COMMIT; a failure before this skips the PREPARE.
    m_session.addPrepareMark(batch, PipelineCommand::After::Sync);
}

// One migration's statements, each followed by a clock mark. No Flush after each: results
// come in the server's buffer-fulls, and EngineSession::run asks which statement runs when
// they pause.
void MigrationRun::addSteps(Batch &batch, int index, bool inRehearsal) const
{
    const Migration *migration = m_pending.at(index);
    const QByteArray run = migration->version.toUtf8();
    // A partial no-transaction migration is rehearsed from where it stopped.
    const int from = committedBefore(index);
    m_session.addMark(batch, run, from, PipelineCommand::After::Nothing, {Role::Mark, index, from});
    for (int i = from; i < migration->statements.size(); ++i) {
        QString text = migration->statements.at(i).text;
        // A transactional migration is rehearsed exactly as it will run, so that a
        // statement that cannot run in a transaction fails here as it would in migrate.
        if (inRehearsal && !migration->transactional)
            text = transactionSafe(text);
        if (!text.isNull())
            batch.add(text.toUtf8(), {}, PipelineCommand::After::Nothing,
                      {Role::Statement, index, i + 1});
        m_session.addMark(batch, run, i + 1, PipelineCommand::After::Nothing,
                          {Role::Mark, index, i + 1});
    }
}

// The start of a segment after a migration's: back to the savepoint that one left, which
// undoes it if it failed (and makes the aborted transaction usable again), else nothing.
void MigrationRun::addUndoPrevious(Batch &batch)
{
    batch.add(RollbackToSql, {}, PipelineCommand::After::Nothing);
    batch.add(ReleaseSql, {}, PipelineCommand::After::Nothing);
}

// The history row, the plan's and the guards' progress, and the commit (Sync).
void MigrationRun::addRecord(Batch &batch, int index) const
{
    const Migration *migration = m_pending.at(index);
    // A migration may SET ROLE to create objects as their owner; its history row is
    // written as the role that runs the migrations.
    batch.add("RESET ROLE", {}, PipelineCommand::After::Nothing);
    batch.add(HistoryPathSql, {}, PipelineCommand::After::Nothing);
    if (migration->transactional)
        batch.add(RecordSql,
                  {migration->version.toUtf8(), migration->name.toUtf8(), migration->checksum,
                   stepMeta(migration)},
                  PipelineCommand::After::Nothing, {Role::Record, index});
    else
        batch.add(RecordFromProgressSql,
                  {migration->version.toUtf8(), migration->name.toUtf8(), migration->checksum},
                  PipelineCommand::After::Nothing, {Role::Record, index});
    batch.add(DoneSql, {migration->version.toUtf8()}, PipelineCommand::After::Nothing);
    batch.add(m_inTransaction ? LocalProgressSql : ProgressSql, {appliedToken(migration)},
              PipelineCommand::After::Sync);
}
