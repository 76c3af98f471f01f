#pragma once

#include "db/connectionoptions.h"
#include "sandbox/demoseed.h"
#include "migrations/migrationengine.h"

#include <functional>

class PgConnection;

// Opening the embedded default: start the private cluster, migrate it with the bundled
// migrations and, on request, fill an empty one with demo data. Blocking; run it off the
// GUI thread.
struct SandboxResult
{
    ConnectionOptions connection;
    bool startedCluster = false; // this call started the server, so the caller stops it
    bool seeded = false;
    RunReport migration;
    QString error; // empty on success
};
SandboxResult openSandbox(const QString &dataDir, bool demo);

// Runs the demo seed in one transaction on an open connection; `stepDone` gets each step's
// summary and milliseconds as it completes. Nothing is committed on failure.
bool runDemoSeed(PgConnection &connection, const DemoSeedOptions &options,
                 const std::function<void(const QString &summary, qint64 ms)> &stepDone,
                 DbError *error);
