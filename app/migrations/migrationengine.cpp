#include "migrations/migrationengine.h"

#include "migrations/enginesession.h"
#include "migrations/enginesupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

#include <mutex>

// ---------------------------------------------------------------------------------------------
// SQL of the engine. Every value is a bound parameter.

// One round trip for a whole migrate: the client sends every migration before it has seen the
// history, and the server decides. The plan is the list of versions not yet applied, set only
// when the runners' lock is held and no applied file changed ($1 versions, $2 checksums, in
// file order). Each migration's segment then starts with PlanGuardSql: it runs only if its
// version is planned and every planned version before it has committed (DoneSql, at the end
// of each segment, rolls back with a failed one). pg_catalog is named explicitly because a
// migration may change search_path.
static const char PlanSql[] = R"SQL(
SELECT pg_catalog.set_config('algoadmin.plan',
                             coalesce(string_agg(f.version, ',' ORDER BY f.n), ''), false)
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS f(version, checksum, n)
LEFT JOIN algoadmin_schema_history h ON h.version = f.version
WHERE h.version IS NULL
HAVING NOT EXISTS (SELECT 1
                   FROM unnest($1::text[], $2::text[]) AS g(version, checksum)
                   JOIN algoadmin_schema_history c ON c.version = g.version
                   WHERE c.checksum <> g.checksum)
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
    "pg_catalog.current_setting('algoadmin.done', true), '') || ',' || $1, false)";

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

// ---------------------------------------------------------------------------------------------

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
        break;
    }
    return QStringLiteral("skipped");
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
    case State::Pending:
        return QStringLiteral("pending");
    case State::Changed:
        return QStringLiteral("changed");
    case State::Missing:
        break;
    }
    return QStringLiteral("missing file");
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
        report.migrations = classify(m_migrations, session.history);
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
    QElapsedTimer clock;
    clock.start();
    m_cancelled = false;
    RunReport report;
    report.rehearsal = rehearsal;
    const auto finish = [&](RunReport::Outcome outcome) {
        report.outcome = outcome;
        report.wallMs = clock.nsecsElapsed() / 1e6;
        report.serverMs = 0;
        for (const StepReport &step : std::as_const(report.steps))
            report.serverMs += std::max(0.0, step.ms);
        return report;
    };
    if (!m_migrations.ok()) {
        report.error = loadMigrationsError(m_migrations);
        return finish(RunReport::Outcome::BadInput);
    }
    // A transactional migration must not commit or roll back by itself: the engine owns its
    // transaction, and a COMMIT inside would make "all or nothing" a lie.
    for (const Migration &migration : m_migrations.migrations) {
        for (const SqlStatement &statement : migration.statements) {
            if (isClientCopy(statement.text)) {
                report.error = {QStringLiteral("check migration %1").arg(migration.id()),
                                QStringLiteral("%1:%2").arg(migration.fileName).arg(statement.line),
                                QStringLiteral("COPY from STDIN or to STDOUT needs a client data "
                                               "stream, which a migration file does not have"),
                                {},
                                {},
                                QStringLiteral("Load data with INSERT … SELECT or COPY from a "
                                               "server-side file.")};
                return finish(RunReport::Outcome::BadInput);
            }
            if (migration.transactional && isTransactionControl(statement.text)) {
                report.error = {QStringLiteral("check migration %1").arg(migration.id()),
                                QStringLiteral("%1:%2").arg(migration.fileName).arg(statement.line),
                                QStringLiteral("%1 inside a migration: each migration already "
                                               "runs in its own transaction")
                                    .arg(summarizeStatement(statement.text)),
                                {},
                                {},
                                QStringLiteral("Remove the statement, or put \"%1\" on the "
                                               "file's first line to run it without one.")
                                    .arg(QLatin1String(NoTransactionMarker))};
                return finish(RunReport::Outcome::BadInput);
            }
        }
    }

    EngineSession session(this);
    bool lockTimedOut = false;
    if (!session.open(&report.error)) {
        report.target = report.error.where;
        return finish(RunReport::Outcome::Failed);
    }
    report.target = session.target();
    // A rehearsal leaves nothing behind, not even the history table.
    EngineSession::SetUpSteps steps;
    steps.takeLock = true;
    steps.createHistory = !rehearsal;
    steps.prepareMarks = true;
    const auto setUpFailed = [&]() {
        report.roundTrips = session.roundTrips;
        report.lockHolders = session.lastHolders;
        report.migrations.clear();
        report.steps.clear();
        if (m_cancelled)
            return finish(RunReport::Outcome::Cancelled);
        return finish(lockTimedOut ? RunReport::Outcome::LockTimeout : RunReport::Outcome::Failed);
    };
    // With only transactional migrations, migrate is one round trip: every migration goes with
    // set-up and the server skips the applied ones (see PlanSql). Otherwise the history is
    // read first, so that a no-transaction migration is only sent when it is pending.
    const bool oneRoundTrip =
        !rehearsal && std::all_of(m_migrations.migrations.cbegin(), m_migrations.migrations.cend(),
                                  [](const Migration &m) { return m.transactional; });
    QList<const Migration *> pending;
    if (oneRoundTrip) {
        for (const Migration &migration : m_migrations.migrations)
            pending.append(&migration);
    } else {
        if (!session.setUp(steps, &report.error, &lockTimedOut))
            return setUpFailed();
        for (const MigrationStatus &status : classify(m_migrations, session.history)) {
            if (status.state == MigrationStatus::State::Pending)
                pending.append(m_migrations.find(status.version));
        }
    }
    // What was there before this run; in one round trip, known only afterwards.
    const auto noteHistory = [&]() {
        for (const MigrationStatus &status : classify(m_migrations, session.history)) {
            if (status.state == MigrationStatus::State::Changed)
                report.changed.append(status.version + QLatin1Char('_') + status.name);
            else if (status.state == MigrationStatus::State::Applied)
                report.alreadyApplied.append(status.version + QLatin1Char('_') + status.name);
        }
        report.roundTrips = session.roundTrips;
    };
    if (!oneRoundTrip)
        noteHistory();
    const auto changedFilesError = [&]() {
        return DbError{QStringLiteral("check applied migrations"),
                       m_migrations.source,
                       QStringLiteral("applied migration files were changed since they ran: %1")
                           .arg(report.changed.join(QStringLiteral(", "))),
                       {},
                       {},
                       QStringLiteral("Restore the applied files as they were (status shows "
                                      "which), or put the change in a new migration.")};
    };
    if (!report.changed.isEmpty()) {
        report.error = changedFilesError();
        return finish(RunReport::Outcome::ChangedFiles);
    }
    for (const Migration *migration : pending) {
        MigrationOutcome outcome;
        outcome.id = migration->id();
        outcome.version = migration->version;
        outcome.fileName = migration->fileName;
        outcome.steps = int(migration->statements.size());
        report.migrations.append(outcome);
        for (int i = 0; i < migration->statements.size(); ++i) {
            StepReport step;
            step.migration = migration->id();
            step.fileName = migration->fileName;
            step.step = i + 1;
            step.line = migration->statements.at(i).line;
            step.summary = summarizeStatement(migration->statements.at(i).text);
            report.steps.append(step);
        }
    }
    if (pending.isEmpty())
        return finish(RunReport::Outcome::Ok);

    // Index of each migration's first step in report.steps.
    QList<int> firstStep;
    for (int i = 0, at = 0; i < pending.size(); ++i) {
        firstStep.append(at);
        at += int(pending.at(i)->statements.size());
    }
    QList<double> lastMark(pending.size(), 0);
    auto stepOf = [&](const Role &role) -> StepReport & {
        return report.steps[firstStep.at(role.migration) + role.step - 1];
    };
    auto startStep = [&](int migration, int step) {
        if (step > pending.at(migration)->statements.size())
            return;
        StepReport &s = report.steps[firstStep.at(migration) + step - 1];
        s.state = StepReport::State::Running;
        if (m_callbacks.stepStarted)
            m_callbacks.stepStarted(s);
    };
    bool failed = false;
    auto noteFailure = [&](const DbError &error, const Role &role) {
        if (failed)
            return;
        failed = true;
        report.error = error;
        if (role.migration >= 0)
            report.migrations[role.migration].state = MigrationOutcome::State::Failed;
        if (error.sqlState == QLatin1String("55P03"))
            report.lockHolders = session.lastHolders;
    };

    const auto onResult = [&](const Role &role, const PgResult &result) {
        const bool aborted = result.status() == PGRES_PIPELINE_ABORTED;
        switch (role.kind) {
        case Role::Mark: {
            if (!result.ok()) {
                // A mark fails only when the migration broke the session (e.g. SET ROLE to a
                // role that cannot write our temp table): the migration is not applied.
                if (!aborted)
                    noteFailure(result.error(QStringLiteral("time migration %1")
                                                 .arg(pending.at(role.migration)->id()),
                                             session.target()),
                                role);
                return;
            }
            const double at = result.value(0, 0).toDouble();
            if (role.step > 0) {
                StepReport &step = stepOf(role);
                step.ms = at - lastMark[role.migration];
                step.state = StepReport::State::Done;
                report.migrations[role.migration].ms += step.ms;
                if (m_callbacks.stepFinished)
                    m_callbacks.stepFinished(step);
            }
            lastMark[role.migration] = at;
            startStep(role.migration, role.step + 1);
            return;
        }
        case Role::Statement: {
            StepReport &step = stepOf(role);
            if (result.ok())
                return; // its time arrives with the next mark
            if (aborted) {
                step.state = StepReport::State::Skipped;
                return;
            }
            step.state = StepReport::State::Failed;
            if (m_callbacks.stepFinished)
                m_callbacks.stepFinished(step);
            const Migration *migration = pending.at(role.migration);
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
            return;
        }
        case Role::Guard:
            if (!result.ok()) {
                for (int i = 0; i < pending.at(role.migration)->statements.size(); ++i)
                    report.steps[firstStep.at(role.migration) + i].state =
                        StepReport::State::Skipped;
                // 22012 is the guard doing its job after an earlier failure; anything else
                // is a failure of its own.
                if (!aborted && result.error().sqlState != QLatin1String("22012"))
                    noteFailure(result.error(QStringLiteral("start migration %1")
                                                 .arg(pending.at(role.migration)->id()),
                                             session.target()),
                                role);
            }
            return;
        case Role::Record:
            if (result.ok()) {
                report.migrations[role.migration].state = MigrationOutcome::State::Applied;
            } else if (!aborted) {
                noteFailure(result.error(QStringLiteral("record migration %1 in the history")
                                             .arg(pending.at(role.migration)->id()),
                                         session.target()),
                            role);
            }
            return;
        default:
            if (!result.ok() && !aborted && role.kind != Role::Other)
                noteFailure(result.error(QStringLiteral("run migrations"), session.target()), role);
            return;
        }
    };
    const auto describeWait = [&](const Role &role) {
        LockWait wait;
        if (role.migration >= 0) {
            wait.migration = pending.at(role.migration)->id();
            wait.step = role.step;
        }
        return wait;
    };

    // Appends one migration's statements, each followed by a clock mark.
    const auto addSteps = [&](Batch &batch, int index, bool inRehearsal) {
        const Migration *migration = pending.at(index);
        const QByteArray run = migration->version.toUtf8();
        batch.addMark(run, 0, PipelineCommand::After::Flush, {Role::Mark, index, 0});
        for (int i = 0; i < migration->statements.size(); ++i) {
            QString text = migration->statements.at(i).text;
            // A transactional migration is rehearsed exactly as it will run, so that a
            // statement that cannot run in a transaction fails here as it would in migrate.
            if (inRehearsal && !migration->transactional)
                text = transactionSafe(text);
            if (!text.isNull())
                batch.add(text.toUtf8(), {}, PipelineCommand::After::Nothing,
                          {Role::Statement, index, i + 1});
            batch.addMark(run, i + 1, PipelineCommand::After::Flush, {Role::Mark, index, i + 1});
        }
    };
    const auto stepMeta = [](const Migration *migration) {
        QJsonArray meta;
        for (const SqlStatement &statement : migration->statements)
            meta.append(QJsonArray{statement.line, summarizeStatement(statement.text)});
        return QJsonDocument(meta).toJson(QJsonDocument::Compact);
    };
    const auto addRecord = [&](Batch &batch, int index) {
        const Migration *migration = pending.at(index);
        // A migration may SET ROLE to create objects as their owner; its history row is
        // written as the role that runs the migrations.
        batch.add("RESET ROLE", {}, PipelineCommand::After::Nothing);
        batch.add(HistoryPathSql, {}, PipelineCommand::After::Nothing);
        batch.add(RecordSql,
                  {migration->version.toUtf8(), migration->name.toUtf8(), migration->checksum,
                   stepMeta(migration)},
                  PipelineCommand::After::Nothing, {Role::Record, index});
        batch.add(DoneSql, {migration->version.toUtf8()}, PipelineCommand::After::Nothing);
        batch.add(ProgressSql, {"applied:" + migration->version.toUtf8()},
                  PipelineCommand::After::Sync);
    };

    DbError transport;
    if (oneRoundTrip) {
        Batch batch;
        session.buildSetUp(batch, steps);
        QStringList versions;
        QStringList checksums;
        for (const Migration *migration : std::as_const(pending)) {
            versions.append(migration->version);
            checksums.append(QString::fromLatin1(migration->checksum));
        }
        // Array literals of digits and hex digits: nothing to quote.
        const auto array = [](const QStringList &items) {
            return (QLatin1Char('{') + items.join(QLatin1Char(',')) + QLatin1Char('}')).toUtf8();
        };
        batch.add(GuardSql, {"locked"}, PipelineCommand::After::Nothing, {Role::SetUpGuard});
        batch.add(PlanSql, {array(versions), array(checksums)}, PipelineCommand::After::Sync,
                  {Role::Plan});
        for (int i = 0; i < pending.size(); ++i) {
            batch.add(PlanGuardSql, {pending.at(i)->version.toUtf8()},
                      PipelineCommand::After::Nothing, {Role::Guard, i});
            addSteps(batch, i, false);
            addRecord(batch, i);
        }
        DbError setUpFailure;
        const bool transportOk = session.run(
            batch,
            [&](const Role &role, const PgResult &result) {
                if (EngineSession::isSetUpRole(role)) {
                    session.takeSetUpResult(role, result, steps, setUpFailure);
                } else if (role.kind == Role::Plan) {
                    if (!result.ok() && result.status() != PGRES_PIPELINE_ABORTED &&
                        !setUpFailure.isError())
                        setUpFailure =
                            result.error(QStringLiteral("plan the migrations"), session.target());
                } else {
                    onResult(role, result);
                }
            },
            describeWait, &transport);
        if (!transportOk && !failed && !setUpFailure.isError())
            report.error = transport;
        if (!transportOk)
            failed = true;
        if (!session.finishSetUp(setUpFailure, &report.error, &lockTimedOut))
            return setUpFailed();
        noteHistory();
        // Drop what was applied before this run: the server skipped it.
        for (qsizetype i = report.migrations.size() - 1; i >= 0; --i) {
            const MigrationOutcome &outcome = report.migrations.at(i);
            if (!report.alreadyApplied.contains(outcome.id) && !report.changed.contains(outcome.id))
                continue;
            report.steps.remove(firstStep.at(i), outcome.steps);
            report.migrations.removeAt(i);
        }
        if (!report.changed.isEmpty()) {
            report.migrations.clear();
            report.steps.clear();
            report.error = changedFilesError();
            return finish(RunReport::Outcome::ChangedFiles);
        }
    } else if (rehearsal) {
        Batch batch;
        batch.add("BEGIN", {}, PipelineCommand::After::Nothing);
        for (int i = 0; i < pending.size(); ++i)
            addSteps(batch, i, true);
        batch.add("ROLLBACK", {}, PipelineCommand::After::Sync);
        batch.add("ROLLBACK", {}, PipelineCommand::After::Sync); // after a failure, too
        if (!session.run(batch, onResult, describeWait, &transport)) {
            report.roundTrips = session.roundTrips;
            if (!failed)
                report.error = transport;
            return finish(RunReport::Outcome::Failed);
        }
        // Every migration whose statements ran was rolled back; the one that failed keeps
        // its state.
        for (int i = 0; i < report.migrations.size(); ++i) {
            MigrationOutcome &outcome = report.migrations[i];
            const bool ran = std::any_of(
                report.steps.cbegin() + firstStep.at(i),
                report.steps.cbegin() + firstStep.at(i) + outcome.steps,
                [](const StepReport &step) { return step.state == StepReport::State::Done; });
            if (outcome.state == MigrationOutcome::State::NotRun && ran)
                outcome.state = MigrationOutcome::State::RolledBack;
        }
    } else {
        QByteArray token = "locked";
        int next = 0;
        int carriedRecord = -1; // a no-transaction migration whose history row is still to write
        while ((next < pending.size() || carriedRecord >= 0) && !failed && !m_cancelled) {
            Batch batch;
            if (carriedRecord >= 0) {
                addRecord(batch, carriedRecord);
                token = "applied:" + pending.at(carriedRecord)->version.toUtf8();
                carriedRecord = -1;
            }
            // Every transactional migration up to the next no-transaction one: one round trip.
            while (next < pending.size() && pending.at(next)->transactional) {
                batch.add(GuardSql, {token}, PipelineCommand::After::Nothing, {Role::Guard, next});
                addSteps(batch, next, false);
                addRecord(batch, next);
                token = "applied:" + pending.at(next)->version.toUtf8();
                ++next;
            }
            if (!batch.commands.isEmpty() &&
                !session.run(batch, onResult, describeWait, &transport)) {
                if (!failed)
                    report.error = transport;
                failed = true;
                break;
            }
            if (failed || m_cancelled || next >= pending.size())
                continue;
            // A no-transaction migration: each statement commits by itself, so we wait for
            // each one and stop at the first failure.
            const int index = next++;
            const Migration *migration = pending.at(index);
            const QByteArray run = migration->version.toUtf8();
            for (int i = 0; i < migration->statements.size() && !failed && !m_cancelled; ++i) {
                Batch single;
                if (i == 0)
                    single.addMark(run, 0, PipelineCommand::After::Sync, {Role::Mark, index, 0});
                single.add(migration->statements.at(i).text.toUtf8(), {},
                           PipelineCommand::After::Sync, {Role::Statement, index, i + 1});
                single.addMark(run, i + 1, PipelineCommand::After::Sync,
                               {Role::Mark, index, i + 1});
                if (!session.run(single, onResult, describeWait, &transport)) {
                    if (!failed)
                        report.error = transport;
                    failed = true;
                }
            }
            if (!failed && !m_cancelled)
                carriedRecord = index;
            else if (failed && report.error.hint.isEmpty() && migration->statements.size() > 1)
                report.error.hint = QStringLiteral(
                    "This migration runs without a transaction: the statements before the "
                    "failing one stay committed.");
        }
    }
    report.roundTrips = session.roundTrips;
    const bool allApplied = std::all_of(
        report.migrations.cbegin(), report.migrations.cend(),
        [](const MigrationOutcome &m) { return m.state == MigrationOutcome::State::Applied; });
    // A cancel that came after the last commit stopped nothing: report what happened.
    if (m_cancelled && (failed || !allApplied)) {
        if (!report.error.isError())
            report.error = {QStringLiteral("migrate"),
                            session.target(),
                            QStringLiteral("cancelled by the user"),
                            QStringLiteral("57014"),
                            {},
                            {}};
        for (MigrationOutcome &outcome : report.migrations) {
            if (outcome.state == MigrationOutcome::State::Failed)
                outcome.state = MigrationOutcome::State::RolledBack;
        }
        return finish(RunReport::Outcome::Cancelled);
    }
    if (!failed && !rehearsal && !allApplied) {
        // Every failure path should have said why; never report success for a migration
        // that is not in the history.
        report.error = {QStringLiteral("migrate"),
                        session.target(),
                        QStringLiteral("not every pending migration was applied"),
                        {},
                        {},
                        QStringLiteral("Run `algoadmin status` to see which.")};
        failed = true;
    }
    if (failed) {
        return finish(report.error.sqlState == QLatin1String("55P03")
                          ? RunReport::Outcome::LockTimeout
                          : RunReport::Outcome::Failed);
    }
    return finish(RunReport::Outcome::Ok);
}
