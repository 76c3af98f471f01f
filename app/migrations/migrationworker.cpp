#include "migrations/migrationworker.h"

#include <QMetaObject>

#include <thread>

MigrationWorker::MigrationWorker(QObject *parent)
    : QObject(parent)
{
    static const bool registered = [] {
        qRegisterMetaType<StepReport>();
        qRegisterMetaType<LockWait>();
        qRegisterMetaType<RunReport>();
        qRegisterMetaType<StatusReport>();
        qRegisterMetaType<VerifyReport>();
        qRegisterMetaType<BaselineReport>();
        return true;
    }();
    Q_UNUSED(registered)
}

void MigrationWorker::start(const Request &request)
{
    QMetaObject::invokeMethod(
        this, [this, request] { run(request); }, Qt::QueuedConnection);
}

void MigrationWorker::cancel()
{
    std::shared_ptr<MigrationEngine> engine;
    {
        std::lock_guard lock(m_engineMutex);
        engine = m_engine;
    }
    if (!engine)
        return;
    // PQcancel opens a connection to the server: keep it off the caller's (GUI) thread. The
    // shared pointer keeps the engine alive until the request has gone.
    std::thread([engine] { engine->cancel(); }).detach();
}

void MigrationWorker::run(const Request &request)
{
    auto engine =
        std::make_shared<MigrationEngine>(request.connection, request.migrations, request.settings);
    EngineCallbacks callbacks;
    callbacks.stepStarted = [this](const StepReport &step) { Q_EMIT stepStarted(step); };
    callbacks.stepFinished = [this](const StepReport &step) { Q_EMIT stepFinished(step); };
    callbacks.lockWaitObserved = [this](const LockWait &wait) { Q_EMIT lockWaitObserved(wait); };
    engine->setCallbacks(callbacks);
    {
        std::lock_guard lock(m_engineMutex);
        m_engine = engine;
    }
    switch (request.operation) {
    case Operation::Migrate:
        Q_EMIT migrationFinished(engine->migrate());
        break;
    case Operation::Rehearse:
        Q_EMIT migrationFinished(engine->rehearse());
        break;
    case Operation::Status:
        Q_EMIT statusLoaded(engine->status());
        break;
    case Operation::Verify:
        Q_EMIT verifyFinished(engine->verify());
        break;
    case Operation::Baseline:
        Q_EMIT baselineFinished(engine->baseline(request.baselineTo));
        break;
    }
    std::lock_guard lock(m_engineMutex);
    m_engine.reset();
}
