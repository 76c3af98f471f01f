// MigrationRun: reading a migrate's results back (its batches are in migrationrun.cpp).
#include "migrations/migrationrun.h"

#include "migrations/enginesupport.h"

#include <algorithm>

// ---------------------------------------------------------------------------------------------
// Reading results back

void MigrationRun::takeResult(const Role &role, const PgResult &result)
{
    switch (role.kind) {
    case Role::Mark:
        takeMark(role, result);
        return;
    case Role::Statement:
        takeStatement(role, result);
        return;
    case Role::Guard:
        takeGuard(role, result);
        return;
    case Role::Record:
        takeRecord(role, result);
        return;
    case Role::ProgressRecord:
        if (!result.ok() && !notRun(result))
            noteFailure(result.error(QStringLiteral("record the progress of migration %1 at "
                                                    "step %2")
                                         .arg(m_pending.at(role.migration)->id())
                                         .arg(role.step),
                                     m_session.target()),
                        role);
        return;
    case Role::Lock:
        if (!result.ok() && !notRun(result)) {
            DbError error =
                result.error(QStringLiteral("take the migration lock (another algoadmin run?)"),
                             m_session.target());
            if (error.sqlState == QLatin1String("57014") && m_cancelled)
                error.message = QStringLiteral("cancelled by the user");
            noteFailure(error, role);
        }
        return;
    case Role::Commit:
        takeCommit(result);
        return;
    default:
        if (!result.ok() && !notRun(result) && role.kind != Role::Other)
            noteFailure(result.error(QStringLiteral("run migrations"), m_session.target()), role);
        return;
    }
}

void MigrationRun::takeMark(const Role &role, const PgResult &result)
{
    if (!result.ok()) {
        // A mark fails only when the migration broke the session (e.g. SET ROLE to a
        // role that cannot write our temp table): the migration is not applied.
        if (!notRun(result))
            noteFailure(
                result.error(
                    QStringLiteral("time migration %1").arg(m_pending.at(role.migration)->id()),
                    m_session.target()),
                role);
        return;
    }
    const double at = result.value(0, 0).toDouble();
    // The first mark of a resumed migration stands after the statements an earlier run
    // committed.
    if (role.step > 0 && stepOf(role).state != StepReport::State::Committed) {
        StepReport &step = stepOf(role);
        step.ms = at - m_lastMark[role.migration];
        step.state = StepReport::State::Done;
        m_report.migrations[role.migration].ms += step.ms;
        if (m_callbacks.stepFinished)
            m_callbacks.stepFinished(step);
    }
    m_lastMark[role.migration] = at;
    startStep(role.migration, role.step + 1);
}

void MigrationRun::takeStatement(const Role &role, const PgResult &result)
{
    StepReport &step = stepOf(role);
    if (result.ok())
        return; // its time arrives with the next mark
    if (notRun(result)) {
        step.state = StepReport::State::Skipped;
        return;
    }
    step.state = StepReport::State::Failed;
    if (m_callbacks.stepFinished)
        m_callbacks.stepFinished(step);
    const Migration *migration = m_pending.at(role.migration);
    const SqlStatement &statement = migration->statements.at(role.step - 1);
    DbError error = result.error(QStringLiteral("migration %1, step %2 (%3)")
                                     .arg(migration->id())
                                     .arg(role.step)
                                     .arg(step.summary),
                                 QStringLiteral("%1:%2")
                                     .arg(migration->fileName)
                                     .arg(lineOfError(statement, result.errorPosition())));
    if (error.sqlState == QLatin1String("57014") && m_cancelled)
        error.message = QStringLiteral("cancelled by the user");
    noteFailure(error, role);
}

void MigrationRun::takeGuard(const Role &role, const PgResult &result)
{
    if (result.ok())
        return;
    for (int i = 0; i < m_pending.at(role.migration)->statements.size(); ++i)
        m_report.steps[m_firstStep.at(role.migration) + i].state = StepReport::State::Skipped;
    // 22012 is the guard doing its job after an earlier failure; anything else
    // is a failure of its own.
    if (!notRun(result) && result.error().sqlState != QLatin1String("22012"))
        noteFailure(
            result.error(
                QStringLiteral("start migration %1").arg(m_pending.at(role.migration)->id()),
                m_session.target()),
            role);
}

void MigrationRun::takeRecord(const Role &role, const PgResult &result)
{
    if (result.ok()) {
        m_report.migrations[role.migration].state = MigrationOutcome::State::Applied;
    } else if (!notRun(result)) {
        noteFailure(result.error(QStringLiteral("record migration %1 in the history")
                                     .arg(m_pending.at(role.migration)->id()),
                                 m_session.target()),
                    role);
    }
}

// The end of the one-transaction migrate: only now is what was recorded really applied.
void MigrationRun::takeCommit(const PgResult &result)
{
    const bool committed = result.ok() && result.commandTag() == QLatin1String("COMMIT");
    if (committed)
        return;
    if (!result.ok() && !m_failed)
        noteFailure(result.error(QStringLiteral("commit the migrations"), m_session.target()), {});
    // Earlier transactions of the run stay committed.
    for (int i = m_round.first; i < m_round.end; ++i) {
        MigrationOutcome &outcome = m_report.migrations[i];
        if (outcome.state == MigrationOutcome::State::Applied)
            outcome.state = MigrationOutcome::State::RolledBack;
    }
    if (!m_failed) {
        m_failed = true;
        m_report.error = {QStringLiteral("migrate"),
                          m_session.target(),
                          QStringLiteral("the server rolled the migrations back at the commit"),
                          {},
                          {},
                          QStringLiteral("Run `algoadmin status` to see what is applied.")};
    }
}

LockWait MigrationRun::describeWait(const Role &role) const
{
    LockWait wait;
    if (role.migration >= 0) {
        wait.migration = m_pending.at(role.migration)->id();
        wait.step = role.step;
    }
    return wait;
}

StepReport &MigrationRun::stepOf(const Role &role)
{
    return m_report.steps[m_firstStep.at(role.migration) + role.step - 1];
}

void MigrationRun::startStep(int migration, int step)
{
    if (step > m_pending.at(migration)->statements.size())
        return;
    StepReport &s = m_report.steps[m_firstStep.at(migration) + step - 1];
    if (s.state != StepReport::State::Pending)
        return; // already seen running (noteRunning), or finished
    s.state = StepReport::State::Running;
    if (m_callbacks.stepStarted)
        m_callbacks.stepStarted(s);
}

void MigrationRun::noteRunning(const Role &role)
{
    if (role.kind != Role::Statement)
        return;
    // The steps of its migration before it have finished on the server (a failure would
    // have stopped the migration there); their times come with their results (ms stays -1).
    for (int step = 1; step < role.step; ++step) {
        StepReport &earlier = m_report.steps[m_firstStep.at(role.migration) + step - 1];
        if (earlier.state != StepReport::State::Pending &&
            earlier.state != StepReport::State::Running)
            continue;
        earlier.state = StepReport::State::Done;
        if (m_callbacks.stepFinished)
            m_callbacks.stepFinished(earlier);
    }
    startStep(role.migration, role.step);
}

void MigrationRun::noteFailure(const DbError &error, const Role &role)
{
    if (m_failed)
        return;
    m_failed = true;
    m_report.error = error;
    if (error.sqlState == QLatin1String("42501") && error.hint.isEmpty() &&
        role.kind == Role::Statement)
        m_report.error.hint =
            QStringLiteral("Role %1 lacks a privilege this statement needs (CREATE on the "
                           "schema, or ownership of the object it changes). Grant it, or run "
                           "migrate as the owner of the schema and its objects, then run "
                           "migrate again.")
                .arg(m_session.dbRole);
    if (role.migration >= 0)
        m_report.migrations[role.migration].state = MigrationOutcome::State::Failed;
    if (error.sqlState == QLatin1String("55P03"))
        m_report.lockHolders = m_session.lastHolders;
}
