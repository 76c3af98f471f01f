#pragma once

#include "db/databaseworker.h"
#include "sandbox/sandbox.h"

// Opens the Local sandbox (openSandbox: start the private cluster, migrate, optionally add demo
// data) on a DatabaseWorker's thread, and stops on request the cluster it started itself. Its
// own connection is not used: the sandbox work runs local processes and connections of its own.
class SandboxWorker : public DatabaseWorker
{
    Q_OBJECT

public:
    SandboxWorker();

    // Starts (or finds running) the sandbox in `dataDir` → opened.
    int open(const QString &dataDir, bool demo);
    // Stops the clusters this worker started, after whatever is queued before it; a cluster
    // started by `algoadmin local start` is left running. Runs even when shutdown() follows at
    // once: call it, then shutdown() with a deadline that lets it finish.
    void stopStarted();

Q_SIGNALS:
    void opened(int request, const SandboxResult &result);

private:
    QStringList m_started; // worker thread: data directories of the clusters it started
};
