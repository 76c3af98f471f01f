#include "migrations/migrationrun.h"

#include "migrations/enginesupport.h"

#include <algorithm>

// The strategy for runs with a no-transaction migration
// (MigrationRun::migrateStatementByStatement): its statements run and commit one by one, and a run
// that stops midway is resumed.

// ---------------------------------------------------------------------------------------------

// A no-transaction migration's statements commit one by one, each recorded in
// algoadmin_schema_progress as it commits, so that a run that stops midway (a failure, a
// cancel, a lost connection) leaves exactly which statements committed, and the next run
// resumes after them. A statement that can run in a transaction commits together with its
// progress row (one implicit transaction up to the Sync); one that cannot (CREATE INDEX
// CONCURRENTLY, VACUUM…) is first marked running, so that a run that died during it says so.
//
// The progress row is written as the role that runs the migrations, in the schema of the
// history, whatever role and search_path the migration set; both are set for the transaction
// and put back afterwards, since the migration may be inside a transaction of its own (BEGIN …
// COMMIT in the file) that goes on after the progress row.
static const char ProgressEnterSql[] =
    "SELECT pg_catalog.set_config('algoadmin.saved_role', pg_catalog.current_setting('role'), "
    "true), pg_catalog.set_config('algoadmin.saved_path', "
    "pg_catalog.current_setting('search_path'), true), pg_catalog.set_config('role', 'none', "
    "true), pg_catalog.set_config('search_path', pg_catalog.quote_ident("
    "pg_catalog.current_setting('algoadmin.live_schema')), true)";
static const char ProgressLeaveSql[] =
    "SELECT pg_catalog.set_config('role', pg_catalog.current_setting('algoadmin.saved_role'), "
    "true), pg_catalog.set_config('search_path', "
    "pg_catalog.current_setting('algoadmin.saved_path'), true)";
// $1 version, $2 name, $3 file checksum, $4 checksum of statements 1 … $5, $6 statements in
// all, $7 the statement that runs now.
static const char ProgressRunningSql[] = R"SQL(
INSERT INTO algoadmin_schema_progress AS p
    (version, name, checksum, committed_checksum, statements_done, statements_total, running)
VALUES ($1, $2, $3, $4, $5::int, $6::int, $7::int)
ON CONFLICT (version) DO UPDATE
SET running = EXCLUDED.running, updated_at = now(), updated_by = current_user
)SQL";
// Statement $5 committed: its step (line $7, summary $8) with its time from the marks.
static const char ProgressDoneSql[] = R"SQL(
INSERT INTO algoadmin_schema_progress AS p
    (version, name, checksum, committed_checksum, statements_done, statements_total, steps)
SELECT $1, $2, $3, $4, $5::int, $6::int,
       jsonb_build_array(jsonb_build_object('step', $5::int, 'line', $7::int, 'summary', $8::text,
                                            'ms', m.ms))
FROM (SELECT coalesce(round((extract(epoch FROM max(at) FILTER (WHERE step = $5::int)
                                               - max(at) FILTER (WHERE step = $5::int - 1))
                             * 1000)::numeric, 3), 0) AS ms
      FROM pg_temp.algoadmin_step_marks WHERE run = $1) m
ON CONFLICT (version) DO UPDATE
SET checksum = EXCLUDED.checksum, committed_checksum = EXCLUDED.committed_checksum,
    statements_done = EXCLUDED.statements_done, statements_total = EXCLUDED.statements_total,
    running = NULL, steps = p.steps || EXCLUDED.steps, updated_at = now(),
    updated_by = current_user
)SQL";

// ---------------------------------------------------------------------------------------------

RunReport MigrationRun::migrateStatementByStatement()
{
    QByteArray token = "locked"; // what the next segment's guard expects
    int next = 0;
    int carriedRecord = -1; // a no-transaction migration whose history row is still to write
    while ((next < m_pending.size() || carriedRecord >= 0) && !m_failed && !m_cancelled) {
        Batch batch;
        if (carriedRecord >= 0) {
            addRecord(batch, carriedRecord);
            token = appliedToken(m_pending.at(carriedRecord));
            carriedRecord = -1;
        }
        // Every transactional migration up to the next no-transaction one: one round trip.
        while (next < m_pending.size() && m_pending.at(next)->transactional) {
            batch.add(GuardSql, {token}, PipelineCommand::After::Nothing, {Role::Guard, next});
            addSteps(batch, next, false);
            addRecord(batch, next);
            token = appliedToken(m_pending.at(next));
            ++next;
        }
        if (!batch.commands.isEmpty() && !runBatch(batch))
            break;
        if (m_failed || m_cancelled || next >= m_pending.size())
            continue;
        const int index = next++;
        if (runWithoutTransaction(index))
            carriedRecord = index;
    }
    // Nothing of the session is left on the server connection, whatever happened: not the
    // runners' lock, the session settings or the marks table. Closing the connection would do
    // it too, but a pooler in session pooling hands the server connection on and resets it
    // only afterwards (or never, without a reset query).
    Batch discard;
    discard.add("DISCARD ALL", {}, PipelineCommand::After::Sync);
    DbError ignored; // a lost connection leaves nothing either
    m_session.run(
        discard, [](const Role &, const PgResult &) {}, nullptr, &ignored);
    return conclude();
}

// Each statement of a no-transaction migration commits by itself, so we wait for each one and
// stop at the first failure.
bool MigrationRun::runWithoutTransaction(int index)
{
    const Migration *migration = m_pending.at(index);
    const QByteArray run = migration->version.toUtf8();
    const int from = committedBefore(index);
    const int first = m_firstStep.at(index);
    reportCommittedBefore(index);
    int failedAt = 0;
    for (int i = from; i < migration->statements.size() && !m_failed && !m_cancelled; ++i) {
        const QString &text = migration->statements.at(i).text;
        Batch batch;
        if (i == from)
            m_session.addMark(batch, run, from, PipelineCommand::After::Sync,
                              {Role::Mark, index, from});
        // Transaction control (BEGIN … COMMIT in the file) can go with its progress row: the
        // row then belongs to the file's own transaction, or follows its COMMIT.
        const bool alone = !isTransactionControl(text) && transactionSafe(text) != text;
        if (alone) {
            addProgress(batch, index, ProgressRunningSql, i, i + 1);
            if (!runBatch(batch) || m_failed)
                break;
            batch = {};
        }
        batch.add(text.toUtf8(), {},
                  alone ? PipelineCommand::After::Sync : PipelineCommand::After::Nothing,
                  {Role::Statement, index, i + 1});
        m_session.addMark(batch, run, i + 1,
                          alone ? PipelineCommand::After::Sync : PipelineCommand::After::Nothing,
                          {Role::Mark, index, i + 1});
        if (!alone)
            addProgress(batch, index, ProgressDoneSql, i + 1, i + 1);
        failedAt = i + 1;
        if (!runBatch(batch) || m_failed)
            break;
        // It committed: recorded even when a cancel came meanwhile.
        if (alone) {
            Batch done;
            addProgress(done, index, ProgressDoneSql, i + 1, i + 1);
            runBatch(done);
        }
        failedAt = 0;
    }
    if (!m_failed && !m_cancelled)
        return true;
    const auto steps = m_report.steps.cbegin() + first;
    m_report.migrations[index].committedStatements =
        from + int(std::count_if(
                   steps + from, steps + migration->statements.size(),
                   [](const StepReport &step) { return step.state == StepReport::State::Done; }));
    if (!m_failed || !m_report.error.hint.isEmpty())
        return false;
    const Committed before = m_committed.value(migration->version);
    if (failedAt > 0 && failedAt == before.running) {
        m_report.error.hint =
            QStringLiteral("An earlier run stopped while this statement ran outside a transaction, "
                           "so it may have taken effect there, wholly or in part (an interrupted "
                           "CREATE INDEX CONCURRENTLY leaves an invalid index). Drop what it "
                           "left, then run migrate again: it resumes at this statement.");
    } else if (migration->statements.size() > 1) {
        m_report.error.hint =
            QStringLiteral("This migration runs without a transaction: the statements before the "
                           "failing one stay committed, and algoadmin_schema_progress says which "
                           "(status shows it). "
                           "Fix this statement and run migrate again: it resumes here. The "
                           "committed statements must stay as they are.");
    }
    return false;
}

void MigrationRun::addProgress(Batch &batch, int index, const char *sql, int done, int step) const
{
    const Migration *migration = m_pending.at(index);
    const SqlStatement &statement = migration->statements.at(step - 1);
    QList<QByteArray> params{
        migration->version.toUtf8(), migration->name.toUtf8(),
        migration->checksum,         statementsChecksum(*migration, done),
        QByteArray::number(done),    QByteArray::number(migration->statements.size())};
    if (sql == ProgressRunningSql)
        params.append(QByteArray::number(step));
    else
        params << QByteArray::number(statement.line) << summarizeStatement(statement.text).toUtf8();
    batch.add(ProgressEnterSql, {}, PipelineCommand::After::Nothing);
    batch.add(sql, params, PipelineCommand::After::Nothing, {Role::ProgressRecord, index, step});
    batch.add(ProgressLeaveSql, {}, PipelineCommand::After::Sync);
}

void MigrationRun::reportCommittedBefore(int index) const
{
    for (int i = 0; i < committedBefore(index) && m_callbacks.stepFinished; ++i)
        m_callbacks.stepFinished(m_report.steps.at(m_firstStep.at(index) + i));
}

int MigrationRun::committedBefore(int index) const
{
    return m_committed.value(m_pending.at(index)->version).done;
}
