#include "migrations/migrationengine.h"

#include "migrations/enginesession.h"
#include "migrations/enginesupport.h"
#include "migrations/shadowrun.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

#include <list>

// The expected schema depends only on the migrations' contents, the server's version, the
// live schema and search_path the replay resolves names through, and the catalog query: the
// replay's result is kept in the user's cache under a hash of those, so that a repeated verify
// is one round trip instead of re-running every migration.
static QString expectedCachePath(const QList<const Migration *> &migrations,
                                 const EngineSession &session)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData("snapshot format 3");
    hash.addData(SchemaSnapshot::catalogQuery());
    hash.addData(QByteArray::number(session.connection.serverVersion()));
    // The replay resolves names through the live search_path (extensions, IF NOT EXISTS).
    hash.addData(session.schema.toUtf8() + '\0' + session.searchPath.toUtf8());
    for (const Migration *migration : migrations) {
        hash.addData(migration->version.toUtf8());
        hash.addData(migration->checksum);
    }
    return QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) +
           QStringLiteral("/algoadmin/expected-schema/") +
           QString::fromLatin1(hash.result().toHex()) + QStringLiteral(".json");
}

// A cache file that is missing or unreadable is a miss: `found` stays false.
static SchemaSnapshot readExpectedSchema(const QString &cachePath, bool *found)
{
    QFile file(cachePath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return SchemaSnapshot::fromJson(file.readAll(), found);
}

// A cache that cannot be written only costs the next verify a replay.
static void writeExpectedSchema(const QString &cachePath, const SchemaSnapshot &schema)
{
    QDir().mkpath(QFileInfo(cachePath).absolutePath());
    QSaveFile file(cachePath);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(schema.toJson());
        file.commit();
    }
}

// What the database should have: the applied migrations and the committed statements of a
// partial one (copies in `partial`, which must outlive the list), or all of them when nothing
// has been recorded (a database adopted by hand, or not migrated yet).
static QList<const Migration *> expectedMigrations(const MigrationSet &set,
                                                   const QList<MigrationStatus> &statuses,
                                                   bool nothingRecorded,
                                                   std::list<Migration> &partial)
{
    QList<const Migration *> expected;
    for (const MigrationStatus &status : statuses) {
        if (!nothingRecorded && status.state == MigrationStatus::State::Partial) {
            Migration committed = *set.find(status.version);
            committed.statements.resize(status.statementsDone);
            // Its own key in the expected schema's cache.
            committed.checksum += ':' + QByteArray::number(status.statementsDone);
            partial.push_back(std::move(committed));
            expected.append(&partial.back());
            continue;
        }
        const bool counted = nothingRecorded ? status.state != MigrationStatus::State::Missing
                                             : status.state == MigrationStatus::State::Applied ||
                                                   status.state == MigrationStatus::State::Changed;
        if (counted)
            expected.append(set.find(status.version));
    }
    return expected;
}

VerifyReport MigrationEngine::verify()
{
    QElapsedTimer clock;
    clock.start();
    VerifyReport report;
    if (!m_migrations.ok()) {
        report.error = loadMigrationsError(m_migrations);
        return withWallTime(report, clock);
    }
    EngineSession session(this);
    const bool opened = session.open(&report.error);
    report.target = opened ? session.target() : report.error.where;
    EngineSession::SetUpSteps steps;
    steps.captureLive = true;
    if (!opened || !session.setUp(steps, &report.error, nullptr)) {
        report.roundTrips = session.roundTrips;
        return withWallTime(report, clock);
    }
    report.migrations = classify(m_migrations, session.history, session.progress);
    report.catalogQueries = session.catalogQueries;
    report.roundTrips = session.roundTrips;
    if (session.schema.isEmpty()) {
        report.error = {QStringLiteral("verify"),
                        session.target(),
                        QStringLiteral("the search_path names no existing schema"),
                        {},
                        {},
                        QStringLiteral("Set search_path to the schema the migrations create.")};
        return withWallTime(report, clock);
    }
    std::list<Migration> partial;
    const QList<const Migration *> expected =
        expectedMigrations(m_migrations, report.migrations,
                           session.history.isEmpty() && session.progress.isEmpty(), partial);
    // Not migrated yet, and nothing else there either: no replay needed to say so.
    if (session.history.isEmpty() && session.progress.isEmpty() && session.live.tableCount() == 0) {
        report.nothingApplied = true;
        return withWallTime(report, clock);
    }
    SchemaSnapshot expectedSchema;
    const QString cachePath = expectedCachePath(expected, session);
    bool cached = false;
    if (m_settings.useExpectedSchemaCache && !expected.isEmpty())
        expectedSchema = readExpectedSchema(cachePath, &cached);
    if (!cached && !expected.isEmpty()) {
        bool transportOk = false;
        const ShadowRun shadow = runShadow(session, expected, false, &report.error, &transportOk);
        report.roundTrips = session.roundTrips;
        report.catalogQueries += shadow.catalogQueries;
        if (!transportOk)
            return withWallTime(report, clock);
        if (shadow.error.isError() || shadow.after.isEmpty()) {
            report.error = shadow.error.isError()
                               ? shadow.error
                               : DbError{QStringLiteral("verify"),
                                         session.target(),
                                         QStringLiteral("the scratch schema could not be read"),
                                         {},
                                         {},
                                         {}};
            return withWallTime(report, clock);
        }
        expectedSchema = shadow.after.last();
        if (m_settings.useExpectedSchemaCache)
            writeExpectedSchema(cachePath, expectedSchema);
    }
    report.expectedFromCache = cached;
    report.expectedTables = expectedSchema.tableCount();
    report.differences = SchemaSnapshot::diff(expectedSchema, session.live);
    // No history and none of the migrations' tables (only others' tables): not migrated yet,
    // rather than every object missing.
    if (session.history.isEmpty() && expectedSchema.tableCount() > 0 &&
        !SchemaSnapshot::sharesATable(expectedSchema, session.live)) {
        report.nothingApplied = true;
        report.differences.clear();
    }
    return withWallTime(report, clock);
}
