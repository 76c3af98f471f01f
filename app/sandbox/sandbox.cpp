#include "sandbox/sandbox.h"

#include "sandbox/localcluster.h"
#include "db/pgconnection.h"
#include "db/pipeline.h"

#include <QElapsedTimer>

static const char AgentCountSql[] = "SELECT count(*) FROM algorithm_agents";

bool runDemoSeed(PgConnection &connection, const DemoSeedOptions &options,
                 const std::function<void(const QString &, qint64)> &stepDone, DbError *error)
{
    const QList<SeedStep> steps = demoSeedSteps(options);
    QList<PipelineCommand> batch;
    batch.append({"BEGIN", {}, PipelineCommand::After::Nothing});
    for (const SeedStep &step : steps)
        batch.append({step.sql, step.params, PipelineCommand::After::Flush});
    batch.append({"COMMIT", {}, PipelineCommand::After::Sync});
    // Each step is followed by a flush, so results arrive as each completes and the time
    // between two arrivals is the step's time.
    QElapsedTimer sinceLast;
    sinceLast.start();
    DbError failure;
    Pipeline pipeline(connection);
    const bool transportOk = pipeline.run(
        batch,
        [&](int index, const PgResult &result) {
            const qint64 elapsed = sinceLast.restart();
            if (index > steps.size()) {
                if (!result.ok() && !failure.isError() && result.status() != PGRES_PIPELINE_ABORTED)
                    failure =
                        result.error(QStringLiteral("commit the demo data"), connection.describe());
                return;
            }
            if (index == 0)
                return;
            const SeedStep &step = steps.at(index - 1);
            if (!result.ok()) {
                if (!failure.isError() && result.status() != PGRES_PIPELINE_ABORTED)
                    failure = result.error(
                        QStringLiteral("seed step %1 (%2)").arg(index).arg(step.summary),
                        connection.describe());
                return;
            }
            if (stepDone)
                stepDone(step.summary, elapsed);
        },
        error);
    if (!transportOk)
        return false;
    if (failure.isError()) {
        *error = failure;
        // The server's own hint (e.g. "Check free disk space.") first.
        const QString nothing = QStringLiteral("Nothing of the demo data was committed.");
        error->hint = error->hint.isEmpty() ? nothing : error->hint + QLatin1Char(' ') + nothing;
        return false;
    }
    return true;
}

SandboxResult openSandbox(const QString &dataDir, bool demo)
{
    SandboxResult result;
    LocalCluster cluster(dataDir);
    if (!cluster.start(&result.error, &result.startedCluster))
        return result;
    result.connection = cluster.connectionOptions();
    MigrationEngine engine(result.connection, MigrationSet::bundled());
    result.migration = engine.migrate();
    if (result.migration.outcome != RunReport::Outcome::Ok) {
        result.error = result.migration.error.toString();
        return result;
    }
    if (!demo)
        return result;
    PgConnection connection;
    DbError error;
    if (!connection.open(result.connection, &error)) {
        result.error = error.toString();
        return result;
    }
    const PgResult count = connection.exec(AgentCountSql);
    if (!count.ok()) {
        result.error = count.error(QStringLiteral("count agents")).toString();
        return result;
    }
    if (count.value(0, 0).toLongLong() > 0)
        return result;
    if (!runDemoSeed(connection, DemoSeedOptions{}, nullptr, &error)) {
        result.error = error.toString();
        return result;
    }
    result.seeded = true;
    return result;
}
