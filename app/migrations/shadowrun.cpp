#include "migrations/shadowrun.h"

#include "migrations/enginesession.h"
#include "migrations/enginesupport.h"

#include <QRandomGenerator>
#include <QRegularExpression>

// In one round trip: the statement that makes the scratch database like the live one
// (encoding, collation) from template0, so that it holds nothing but what the replay creates
// (named algoadmin_scratch_<the live database's oid>_<$1>, so that one left behind says whose it
// was), and, one row each after it, the live database's extensions: its environment, which the
// replay is given too unless the migrations create them themselves.
static const char PrepareScratchSql[] = R"SQL(
SELECT 0, format('CREATE DATABASE %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L',
                 'algoadmin_scratch_' || oid || '_' || $1, pg_encoding_to_char(encoding),
                 datcollate, datctype),
       'algoadmin_scratch_' || oid || '_' || $1, NULL
FROM pg_database WHERE datname = current_database()
UNION ALL
SELECT 1, NULL, e.extname::text, e.extversion || ' ' || n.nspname
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY 1, 3
)SQL";
// PrepareScratchSql's columns.
enum PrepareColumn
{
    PrepareRowKind, // 0: the CREATE DATABASE statement; 1: an extension
    PrepareCreate,
    PrepareExtension,       // row 0: the scratch database's name
    PrepareVersionAndSchema // "version schema"
};

static QByteArray identifier(const QString &name)
{
    return '"' + name.toUtf8().replace('"', "\"\"") + '"';
}

static QByteArray literal(const QString &value)
{
    return '\'' + value.toUtf8().replace('\'', "''") + '\'';
}

// Whether any statement of `migrations` creates the `kind` ("EXTENSION", "SCHEMA") `name`.
static bool migrationsCreate(const QList<const Migration *> &migrations, const char *kind,
                             const QString &name)
{
    const QRegularExpression creates(
        QStringLiteral("\\bCREATE\\s+%1\\s+(IF\\s+NOT\\s+EXISTS\\s+)?\"?%2\"?(\\s|;|$)")
            .arg(QLatin1String(kind), QRegularExpression::escape(name)),
        QRegularExpression::CaseInsensitiveOption);
    for (const Migration *migration : migrations) {
        for (const SqlStatement &statement : migration->statements) {
            if (statement.text.contains(creates))
                return true;
        }
    }
    return false;
}

// The environment first (the live schema and extensions the migrations do not create
// themselves), then each migration on the live search_path, read back after each one
// (`snapshotEach`) or after the last, all in one transaction that is rolled back (committed
// after each migration that adds an enum value).
static Batch replayBatch(const EngineSession &live, const QList<QByteArray> &environment,
                         const QList<const Migration *> &migrations, bool snapshotEach)
{
    const QByteArray searchPath = live.searchPath.toUtf8();
    Batch batch;
    batch.add("BEGIN", {}, PipelineCommand::After::Nothing);
    for (const QByteArray &statement : environment)
        batch.add(statement, {}, PipelineCommand::After::Nothing, {Role::SetUp});
    for (int m = 0; m < migrations.size(); ++m) {
        batch.add(SetLocalSearchPathSql, {searchPath}, PipelineCommand::After::Nothing);
        for (int i = 0; i < migrations.at(m)->statements.size(); ++i) {
            const QString text = transactionSafe(migrations.at(m)->statements.at(i).text);
            if (!text.isNull())
                batch.add(text.toUtf8(), {}, PipelineCommand::After::Nothing,
                          {Role::Statement, m, i + 1});
        }
        if (snapshotEach || m == migrations.size() - 1) {
            batch.add(SetLocalSearchPathSql, {"pg_catalog"}, PipelineCommand::After::Nothing);
            batch.add(SchemaSnapshot::catalogQuery(), {live.schema.toUtf8()},
                      PipelineCommand::After::Nothing, {Role::ShadowSnapshot, m});
        }
        // As migrate does: a value added to an enum type can be used only once committed. The
        // scratch database is dropped afterwards, so nothing committed there outlives the replay.
        if (addsEnumValue(*migrations.at(m)) && m < migrations.size() - 1) {
            batch.add("COMMIT", {}, PipelineCommand::After::Nothing);
            batch.add("BEGIN", {}, PipelineCommand::After::Nothing);
        }
    }
    // One ROLLBACK after the Sync ends the transaction whether a statement failed or not;
    // nothing may follow it (a pooler in transaction pooling hands the server on after it).
    batch.commands.last().after = PipelineCommand::After::Sync;
    batch.add("ROLLBACK", {}, PipelineCommand::After::Sync);
    return batch;
}

// A replayed statement's failure names the migration, the step and the file's line.
static DbError replayStatementError(const Migration *migration, int step, const PgResult &result)
{
    const SqlStatement &statement = migration->statements.at(step - 1);
    return result.error(QStringLiteral("replay migration %1 in a scratch database, step %2 (%3)")
                            .arg(migration->id())
                            .arg(step)
                            .arg(summarizeStatement(statement.text)),
                        QStringLiteral("%1:%2")
                            .arg(migration->fileName)
                            .arg(lineOfError(statement, result.errorPosition())));
}

// Creates the scratch database with `statement`; false with `error` when the server refuses
// (the role may not create databases) or the connection failed (`transportOk` false then).
static bool createScratch(EngineSession &live, const QString &statement, DbError *error,
                          bool *transportOk)
{
    const PgResult created = live.connection.exec(statement.toUtf8());
    ++live.roundTrips;
    if (created.ok())
        return true;
    *error =
        created.error(QStringLiteral("create a scratch database for the replay"), live.target());
    *transportOk = !error->isConnectionLoss();
    if (error->sqlState == QLatin1String("42501"))
        error->hint =
            QStringLiteral("verify and baseline replay the migrations in a private scratch "
                           "database of their own, so that they never lock or change a live "
                           "object; role %1 may not create one. Grant it (ALTER ROLE %1 "
                           "CREATEDB) or run this as a role that may.")
                .arg(live.dbRole);
    return false;
}

ShadowRun runShadow(EngineSession &session, const QList<const Migration *> &migrations,
                    bool snapshotEach, DbError *transport, bool *transportOk)
{
    ShadowRun shadow;
    *transportOk = true;
    const QByteArray suffix = QByteArray::number(session.pid) + '_' +
                              QByteArray::number(QRandomGenerator::global()->generate(), 16);
    QByteArray name;

    // The environment the migrations ran in on the live side.
    QList<QByteArray> environment;
    if (session.schema != QLatin1String("public") &&
        !migrationsCreate(migrations, "SCHEMA", session.schema))
        environment.append("CREATE SCHEMA IF NOT EXISTS " + identifier(session.schema));
    const PgResult prepared = session.connection.exec(PrepareScratchSql, {suffix});
    ++session.roundTrips;
    if (!prepared.ok() || prepared.rows() == 0) {
        *transport = prepared.error(QStringLiteral("prepare a scratch database"), session.target());
        *transportOk = !transport->isConnectionLoss();
        if (*transportOk)
            shadow.error = *transport;
        return shadow;
    }
    QString createStatement;
    for (int row = 0; row < prepared.rows(); ++row) {
        if (prepared.value(row, PrepareRowKind) == QLatin1String("0")) {
            createStatement = prepared.value(row, PrepareCreate);
            name = prepared.value(row, PrepareExtension).toUtf8();
            continue;
        }
        const QString extension = prepared.value(row, PrepareExtension);
        const QString version = prepared.value(row, PrepareVersionAndSchema).section(u' ', 0, 0);
        const QString schema = prepared.value(row, PrepareVersionAndSchema).section(u' ', 1);
        if (migrationsCreate(migrations, "EXTENSION", extension))
            continue;
        if (schema != QLatin1String("public") && schema != QLatin1String("pg_catalog") &&
            schema != session.schema)
            continue; // its schema is the migrations' to create
        environment.append("CREATE EXTENSION IF NOT EXISTS " + identifier(extension) +
                           " WITH SCHEMA " + identifier(schema) + " VERSION " + literal(version));
    }

    DbError failure;
    if (!createScratch(session, createStatement, &failure, transportOk)) {
        if (*transportOk)
            shadow.error = failure;
        else
            *transport = failure;
        return shadow;
    }
    {
        EngineSession scratch(session.engine);
        ConnectionOptions options = session.engineOptions();
        options.databaseOverride = QString::fromUtf8(name);
        options.applicationName = QStringLiteral("algoadmin-scratch");
        if (!scratch.open(&failure, &options)) {
            shadow.error = failure;
        } else {
            const bool ran = scratch.run(
                replayBatch(session, environment, migrations, snapshotEach),
                [&](const Role &role, const PgResult &result) {
                    if (!result.ok()) {
                        if (result.status() == PGRES_PIPELINE_ABORTED || shadow.error.isError())
                            return;
                        shadow.error =
                            role.kind == Role::Statement
                                ? replayStatementError(migrations.at(role.migration), role.step,
                                                       result)
                                : result.error(role.kind == Role::SetUp
                                                   ? QStringLiteral("give the scratch database "
                                                                    "the live extensions")
                                                   : QStringLiteral("read the schema"),
                                               scratch.target());
                        return;
                    }
                    if (role.kind == Role::ShadowSnapshot) {
                        shadow.after.append(SchemaSnapshot::fromResult(result, {session.schema}));
                        ++shadow.catalogQueries;
                    }
                },
                nullptr, &failure);
            session.roundTrips += scratch.roundTrips;
            if (!ran && !shadow.error.isError())
                shadow.error = failure;
        }
    }
    // Ours alone: nobody else may be connected to it, and the replay has gone.
    const PgResult dropped = session.connection.exec(
        "DROP DATABASE IF EXISTS " + identifier(QString::fromUtf8(name)) + " WITH (FORCE)");
    ++session.roundTrips;
    if (!dropped.ok()) {
        DbError error = dropped.error(
            QStringLiteral("drop the scratch database %1").arg(QString::fromUtf8(name)),
            session.target());
        if (error.isConnectionLoss()) {
            *transport = error;
            *transportOk = false;
        } else if (!shadow.error.isError()) {
            error.hint = QStringLiteral("Drop it by hand: DROP DATABASE %1;")
                             .arg(QString::fromUtf8(identifier(QString::fromUtf8(name))));
            shadow.error = error;
        }
    }
    return shadow;
}
