#include "migrations/shadowrun.h"

#include "migrations/enginesession.h"
#include "migrations/enginesupport.h"

// The scratch schema goes first on the path, the live search_path behind it: the replay
// resolves names through it as the migrations did (extensions, IF NOT EXISTS).
static Batch shadowBatch(const QByteArray &shadowName, const QByteArray &shadowPath,
                         const QList<const Migration *> &migrations, bool snapshotEach)
{
    Batch batch;
    batch.add("BEGIN", {}, PipelineCommand::After::Nothing);
    // DDL takes no parameters; the name is ours, made of letters, '_' and digits.
    batch.add("CREATE SCHEMA " + shadowName, {}, PipelineCommand::After::Nothing);
    for (int m = 0; m < migrations.size(); ++m) {
        batch.add(SetLocalSearchPathSql, {shadowPath}, PipelineCommand::After::Nothing);
        for (int i = 0; i < migrations.at(m)->statements.size(); ++i) {
            const QString text = transactionSafe(migrations.at(m)->statements.at(i).text);
            if (!text.isNull())
                batch.add(text.toUtf8(), {}, PipelineCommand::After::Nothing,
                          {Role::Statement, m, i + 1});
        }
        if (snapshotEach || m == migrations.size() - 1) {
            batch.add(SetLocalSearchPathSql, {"pg_catalog"}, PipelineCommand::After::Nothing);
            batch.add(SchemaSnapshot::catalogQuery(), {shadowName}, PipelineCommand::After::Nothing,
                      {Role::ShadowSnapshot, m});
        }
    }
    // One ROLLBACK after the Sync ends the transaction whether a statement failed or not;
    // nothing may follow it (a pooler in transaction pooling hands the server on after it).
    batch.commands.last().after = PipelineCommand::After::Sync;
    batch.add("ROLLBACK", {}, PipelineCommand::After::Sync);
    return batch;
}

// A replayed statement's failure names the migration, the step and the file's line.
static DbError shadowStatementError(const Migration *migration, int step, const PgResult &result)
{
    const SqlStatement &statement = migration->statements.at(step - 1);
    DbError error =
        result.error(QStringLiteral("apply migration %1 to a scratch schema, step %2 (%3)")
                         .arg(migration->id())
                         .arg(step)
                         .arg(summarizeStatement(statement.text)),
                     QStringLiteral("%1:%2")
                         .arg(migration->fileName)
                         .arg(lineOfError(statement, result.errorPosition())));
    if (error.hint.isEmpty())
        error.hint =
            QStringLiteral("verify and baseline replay the migrations in a scratch schema; "
                           "statements must not name the live schema explicitly.");
    return error;
}

ShadowRun runShadow(EngineSession &session, const QList<const Migration *> &migrations,
                    bool snapshotEach, DbError *transport, bool *transportOk)
{
    ShadowRun shadow;
    const QByteArray shadowName = "algoadmin_shadow_" + QByteArray::number(session.pid);
    const QByteArray shadowPath = shadowName + ", " + session.searchPath.toUtf8();
    const QString shadowSchema = QString::fromUtf8(shadowName);
    *transportOk = session.run(
        shadowBatch(shadowName, shadowPath, migrations, snapshotEach),
        [&](const Role &role, const PgResult &result) {
            const bool aborted = result.status() == PGRES_PIPELINE_ABORTED;
            if (!result.ok()) {
                if (aborted || shadow.error.isError())
                    return;
                shadow.error =
                    role.kind == Role::Statement
                        ? shadowStatementError(migrations.at(role.migration), role.step, result)
                        : result.error(QStringLiteral("read the schema"), session.target());
                return;
            }
            if (role.kind == Role::ShadowSnapshot) {
                shadow.after.append(
                    SchemaSnapshot::fromResult(result, {shadowSchema, session.schema}));
                ++shadow.catalogQueries;
            }
        },
        nullptr, transport);
    return shadow;
}
