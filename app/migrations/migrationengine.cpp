#include "migrations/migrationengine.h"

#include "migrations/enginesession.h"
#include "migrations/enginesupport.h"
#include "migrations/migrationrun.h"

#include <QElapsedTimer>

#include <algorithm>
#include <mutex>
#include <optional>

QString LockHolder::describe() const
{
    const qint64 heldMs = since.isValid() ? since.msecsTo(QDateTime::currentDateTime()) : -1;
    return QStringLiteral("pid %1, role %2, application \"%3\", %4 since %5%6: %7")
        .arg(pid)
        .arg(role, application, state,
             since.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t")),
             heldMs >= 0 ? QStringLiteral(" (%1 s)").arg(heldMs / 1000.0, 0, 'f', 1) : QString(),
             QString(query).simplified());
}

QString StepReport::stateName() const
{
    switch (state) {
    case State::Pending:
        return QStringLiteral("pending");
    case State::Running:
        return QStringLiteral("running");
    case State::Done:
        return QStringLiteral("done");
    case State::Failed:
        return QStringLiteral("failed");
    case State::Skipped:
        return QStringLiteral("skipped");
    case State::Committed:
        break;
    }
    return QStringLiteral("committed before");
}

QString MigrationOutcome::stateName() const
{
    switch (state) {
    case State::Applied:
        return QStringLiteral("applied");
    case State::Failed:
        return QStringLiteral("failed");
    case State::RolledBack:
        return QStringLiteral("rolled back");
    case State::NotRun:
        break;
    }
    return QStringLiteral("not run");
}

QString MigrationStatus::stateName() const
{
    switch (state) {
    case State::Applied:
        return QStringLiteral("applied");
    case State::Partial:
        return QStringLiteral("partial");
    case State::Pending:
        return QStringLiteral("pending");
    case State::Changed:
        return QStringLiteral("changed");
    case State::Missing:
        break;
    }
    return QStringLiteral("missing file");
}

QString MigrationStatus::progressText() const
{
    if (statementsTotal == 0)
        return {};
    QString text =
        QStringLiteral("%1 of %2 statements committed").arg(statementsDone).arg(statementsTotal);
    if (running > 0)
        text += QStringLiteral("; statement %1 was running outside a transaction when the run "
                               "stopped and may have taken effect")
                    .arg(running);
    return text;
}

static bool anyChanged(const QList<MigrationStatus> &migrations)
{
    return std::any_of(migrations.cbegin(), migrations.cend(), [](const MigrationStatus &m) {
        return m.state == MigrationStatus::State::Changed;
    });
}

bool StatusReport::hasChanged() const
{
    return anyChanged(migrations);
}

bool VerifyReport::hasChanged() const
{
    return anyChanged(migrations);
}

// ---------------------------------------------------------------------------------------------

MigrationEngine::MigrationEngine(ConnectionOptions connection, MigrationSet migrations,
                                 EngineSettings settings)
    : m_connection(std::move(connection))
    , m_migrations(std::move(migrations))
    , m_settings(settings)
{
    m_connection.lockTimeoutMs = settings.lockTimeoutMs;
    m_connection.statementTimeoutMs = settings.statementTimeoutMs;
}

MigrationEngine::~MigrationEngine() = default;

void MigrationEngine::setCallbacks(EngineCallbacks callbacks)
{
    m_callbacks = std::move(callbacks);
}

void MigrationEngine::cancel()
{
    m_cancelled = true;
    std::lock_guard lock(m_activeMutex);
    if (m_active)
        m_active->requestCancel();
}

StatusReport MigrationEngine::status()
{
    QElapsedTimer clock;
    clock.start();
    StatusReport report;
    if (!m_migrations.ok()) {
        report.error = loadMigrationsError(m_migrations);
        return report;
    }
    EngineSession session(this);
    if (session.open(&report.error) && session.setUp({}, &report.error, nullptr)) {
        report.historyExists = session.historyExists;
        report.migrations = classify(m_migrations, session.history, session.progress);
        report.gaps = unrecordedGaps(m_migrations, session.history);
    }
    report.target = session.target();
    report.roundTrips = session.roundTrips;
    report.wallMs = clock.nsecsElapsed() / 1e6;
    return report;
}

RunReport MigrationEngine::migrate()
{
    return run(false);
}

RunReport MigrationEngine::rehearse()
{
    return run(true);
}

RunReport MigrationEngine::run(bool rehearsal)
{
    m_cancelled = false;
    EngineSession session(this);
    MigrationRun run(session, m_migrations, m_callbacks, m_cancelled, rehearsal);
    if (!m_migrations.ok())
        return run.finish(RunReport::Outcome::BadInput, loadMigrationsError(m_migrations));
    if (!run.checkStatements())
        return run.finish(RunReport::Outcome::BadInput);
    if (!run.open())
        return run.finish(RunReport::Outcome::Failed);
    // With only transactional migrations, migrate is one round trip: every migration goes with
    // set-up and the server skips the applied ones (see PlanSql in migrationrun.cpp). Otherwise
    // the history is read first, so that a no-transaction migration is only sent when it is
    // pending.
    const bool oneRoundTrip =
        !rehearsal && m_migrations.gaps.isEmpty() &&
        std::all_of(m_migrations.migrations.cbegin(), m_migrations.migrations.cend(),
                    [](const Migration &m) { return m.transactional; });
    if (oneRoundTrip)
        return run.migrateInOneRoundTrip();
    if (!run.readHistory())
        return run.setUpFailed();
    // A number missing between the files that was never applied: a file lost (a set with gaps
    // reads the history first).
    if (const QList<MigrationGap> gaps = unrecordedGaps(m_migrations, session.history);
        !gaps.isEmpty())
        return run.finish(RunReport::Outcome::BadInput, gapError(m_migrations, gaps));
    if (run.hasChangedFiles())
        return run.finish(RunReport::Outcome::ChangedFiles, run.changedFilesError());
    if (!run.listPending())
        return run.finish(RunReport::Outcome::Ok);
    if (rehearsal)
        return run.rehearse();
    // Only a pending no-transaction migration needs the session (its statements commit one
    // by one under the session lock); everything else is one transaction, which also works
    // through a pooler in transaction pooling.
    if (!run.needsSession())
        return run.migrateInOneTransaction();
    if (const std::optional<RunReport> ended = run.takeSession())
        return *ended;
    return run.migrateStatementByStatement();
}
