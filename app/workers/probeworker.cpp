#include "workers/probeworker.h"

ProbeWorker::ProbeWorker()
    : DatabaseWorker(QStringLiteral("probe"))
{}

int ProbeWorker::probe(const ConnectionOptions &options, int pings)
{
    return enqueue([this, options, pings](
                       int request) { Q_EMIT probed(request, probeServer(options, pings)); },
                   [this](int request) {
                       ServerInfo info;
                       info.error = droppedError(QStringLiteral("connect"));
                       Q_EMIT probed(request, info);
                   },
                   "probe");
}
