#pragma once

#include "db/databaseworker.h"
#include "db/serverprobe.h"

// The connection dialog's "Test connection": probeServer() on a DatabaseWorker's thread. Each
// probe opens a connection of its own to what the form says (this worker's connection is not
// used); a probe still queued when a newer one is asked for is answered as dropped.
class ProbeWorker : public DatabaseWorker
{
    Q_OBJECT

public:
    ProbeWorker();

    // Connects to `options` and measures `pings` round trips → probed.
    int probe(const ConnectionOptions &options, int pings);

Q_SIGNALS:
    void probed(int request, const ServerInfo &info);
};
