#include "migrations/migrationengine.h"

#include "migrations/enginesession.h"
#include "migrations/enginesupport.h"
#include "migrations/shadowrun.h"

#include <QElapsedTimer>

static const char BaselineRecordSql[] =
    "INSERT INTO %1.algoadmin_schema_history (version, name, checksum, kind)"
    " VALUES ($1, $2, $3, 'baseline')";

static QByteArray quotedIdentifier(const QString &name)
{
    return '"' + name.toUtf8().replace('"', "\"\"") + '"';
}

// A migration is already there when every object it adds or changes (from `before` to
// `after`, its replay) exists in the live schema (by name: verify judges the definitions) and
// what it drops is gone. `detectable` is false when it changes no catalog object at all.
static bool isInLive(const SchemaSnapshot &after, const SchemaSnapshot &before,
                     const SchemaSnapshot &live, bool *detectable)
{
    bool present = true;
    for (const SchemaDifference &change : SchemaSnapshot::diff(after, before)) {
        *detectable = true;
        const bool inLive = live.objects().contains(SchemaSnapshot::keyOf(change.object()));
        if (change.change == SchemaDifference::Change::Unexpected ? inLive : !inLive)
            present = false;
    }
    return present;
}

// The pending migrations (indexes into `all`) to record as applied: those up to `upTo` if set,
// else those found in the live schema, in order up to the first that is not. One that cannot
// be detected is adopted only if a later migration is found present.
static QList<int> adoptable(const QList<const Migration *> &all, const QList<int> &pendingIndexes,
                            const ShadowRun &shadow, const SchemaSnapshot &live,
                            const Migration *upTo)
{
    QList<int> adopt;
    QList<int> undetectable; // adopted only if a later migration is found present
    for (int index : pendingIndexes) {
        const Migration *migration = all.at(index);
        bool present = true;
        bool detectable = false;
        if (upTo) {
            present = migration->versionNumber() <= upTo->versionNumber();
            detectable = true;
        } else {
            const SchemaSnapshot before = index > 0 ? shadow.after.at(index - 1) : SchemaSnapshot();
            present = isInLive(shadow.after.at(index), before, live, &detectable);
        }
        if (!present)
            break;
        if (!detectable) {
            undetectable.append(index);
            continue;
        }
        adopt.append(undetectable);
        undetectable.clear();
        adopt.append(index);
    }
    return adopt;
}

// Writes the history rows of the adopted migrations in one transaction, in the schema where
// set-up found the history table. False with `error` set when nothing was recorded.
static bool recordBaseline(EngineSession &session, const QList<const Migration *> &all,
                           const QList<int> &adopt, DbError *error)
{
    // Set-up's lock ended with its transaction: the rows are written under it again, so that
    // a concurrent migrate or baseline waits (a transaction-scoped lock, for poolers).
    Batch batch;
    batch.add("BEGIN", {}, PipelineCommand::After::Nothing);
    EngineSession::addLock(batch, false);
    for (int index : adopt) {
        const Migration *migration = all.at(index);
        batch.add(QString::fromLatin1(BaselineRecordSql)
                      .arg(QString::fromUtf8(quotedIdentifier(session.schema)))
                      .toUtf8(),
                  {migration->version.toUtf8(), migration->name.toUtf8(), migration->checksum},
                  PipelineCommand::After::Nothing, {Role::Record, index});
    }
    batch.add("COMMIT", {}, PipelineCommand::After::Sync);
    DbError failure;
    if (!session.run(
            batch,
            [&](const Role &role, const PgResult &result) {
                if (role.kind == Role::Lock && !result.ok() && !failure.isError())
                    failure = result.error(QStringLiteral("take the migration lock (another "
                                                          "algoadmin run?)"),
                                           session.target());
                if (role.kind == Role::Record && !result.ok() && !failure.isError())
                    failure = result.error(QStringLiteral("record the baseline"), session.target());
            },
            nullptr, error))
        return false;
    if (failure.isError()) {
        *error = failure;
        return false;
    }
    return true;
}

BaselineReport MigrationEngine::baseline(const QString &toVersion)
{
    QElapsedTimer clock;
    clock.start();
    BaselineReport report;
    if (!m_migrations.ok()) {
        report.error = loadMigrationsError(m_migrations);
        return withWallTime(report, clock);
    }
    if (!toVersion.isEmpty() && !m_migrations.find(toVersion)) {
        report.error = {QStringLiteral("baseline"),
                        m_migrations.source,
                        QStringLiteral("there is no migration with version %1").arg(toVersion),
                        {},
                        {},
                        {}};
        return withWallTime(report, clock);
    }
    EngineSession session(this);
    if (!session.open(&report.error)) {
        report.target = report.error.where;
        return withWallTime(report, clock);
    }
    report.target = session.target();
    EngineSession::SetUpSteps steps;
    steps.takeLock = true;
    steps.createHistory = true;
    steps.captureLive = true;
    if (!session.setUp(steps, &report.error, &report.lockTimedOut)) {
        report.lockHolders = session.lastHolders;
        report.roundTrips = session.roundTrips;
        return withWallTime(report, clock);
    }
    const QList<MigrationStatus> statuses =
        classify(m_migrations, session.history, session.progress);
    QList<const Migration *> all;
    QList<int> pendingIndexes; // into `all`
    for (const MigrationStatus &status : statuses) {
        if (status.state == MigrationStatus::State::Missing)
            continue;
        // Half of it is in the database for sure: migrate finishes it, a baseline cannot
        // say which half.
        if (status.state == MigrationStatus::State::Partial) {
            report.error = {QStringLiteral("baseline"),
                            session.target(),
                            QStringLiteral("migration %1_%2 is partly applied (%3)")
                                .arg(status.version, status.name, status.progressText()),
                            {},
                            {},
                            QStringLiteral("Nothing was recorded. Run `algoadmin migrate` to "
                                           "finish it, then baseline.")};
            report.roundTrips = session.roundTrips;
            return withWallTime(report, clock);
        }
        if (status.state == MigrationStatus::State::Pending)
            pendingIndexes.append(int(all.size()));
        else
            report.alreadyApplied.append(status.version + QLatin1Char('_') + status.name);
        all.append(m_migrations.find(status.version));
    }
    if (pendingIndexes.isEmpty()) {
        report.roundTrips = session.roundTrips;
        return withWallTime(report, clock);
    }
    bool transportOk = false;
    const ShadowRun shadow = runShadow(session, all, true, &report.error, &transportOk);
    if (!transportOk || shadow.error.isError() || shadow.after.size() != all.size()) {
        if (shadow.error.isError())
            report.error = shadow.error;
        report.roundTrips = session.roundTrips;
        return withWallTime(report, clock);
    }
    const QList<int> adopt =
        adoptable(all, pendingIndexes, shadow, session.live,
                  toVersion.isEmpty() ? nullptr : m_migrations.find(toVersion));
    for (int index : std::as_const(pendingIndexes)) {
        if (!adopt.contains(index))
            report.pending.append(all.at(index)->id());
    }
    if (adopt.isEmpty()) {
        report.roundTrips = session.roundTrips;
        return withWallTime(report, clock);
    }
    if (recordBaseline(session, all, adopt, &report.error)) {
        for (int index : adopt)
            report.adopted.append(all.at(index)->id());
    }
    report.roundTrips = session.roundTrips;
    return withWallTime(report, clock);
}
