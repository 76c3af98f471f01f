#include "workers/sandboxworker.h"

#include "sandbox/localcluster.h"

SandboxWorker::SandboxWorker()
    : DatabaseWorker(QStringLiteral("sandbox"))
{}

int SandboxWorker::open(const QString &dataDir, bool demo)
{
    return enqueue(
        [this, dataDir, demo](int request) {
            const SandboxResult result = openSandbox(dataDir, demo);
            if (result.startedCluster && !m_started.contains(dataDir))
                m_started.append(dataDir);
            Q_EMIT opened(request, result);
        },
        [this](int request) {
            SandboxResult result;
            result.error = droppedError(QStringLiteral("local sandbox")).message;
            Q_EMIT opened(request, result);
        });
}

void SandboxWorker::stopStarted()
{
    // The same work whether or not a shutdown overtook it: a server we started must not outlive
    // the window.
    const auto stop = [this](int) {
        for (const QString &dataDir : std::as_const(m_started)) {
            QString error;
            LocalCluster(dataDir).stop(&error);
        }
        m_started.clear();
    };
    enqueue(stop, stop);
}
