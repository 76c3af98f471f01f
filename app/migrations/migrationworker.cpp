#include "migrations/migrationworker.h"

#include <algorithm>

MigrationWorker::MigrationWorker()
    : DatabaseWorker(QStringLiteral("migrations"))
{
    static const bool registered = [] {
        qRegisterMetaType<StepReport>();
        qRegisterMetaType<LockWait>();
        qRegisterMetaType<RunReport>();
        qRegisterMetaType<StatusReport>();
        qRegisterMetaType<VerifyReport>();
        qRegisterMetaType<BaselineReport>();
        qRegisterMetaType<RunComparison>();
        return true;
    }();
    Q_UNUSED(registered)
}

int MigrationWorker::run(const Request &request)
{
    // Never dropped: this worker's connection is never set, so nothing overtakes a request.
    return enqueue([this, request](int id) { execute(id, request); }, [](int) {});
}

int MigrationWorker::archive(const RunReport &report, const QHash<QString, QByteArray> &checksums,
                             const RunArchive &archive)
{
    const auto work = [this, report, checksums, archive](int request) {
        const bool anyDone =
            std::any_of(report.steps.cbegin(), report.steps.cend(),
                        [](const StepReport &s) { return s.state == StepReport::State::Done; });
        RunComparison comparison;
        QString error;
        if (anyDone) {
            comparison = archive.compareWithLatest(report, checksums);
            archive.save(report, checksums, &error);
        }
        Q_EMIT runArchived(request, comparison, error);
    };
    // Even when shutdown() overtook it: a run that happened is archived.
    return enqueue(work, work);
}

void MigrationWorker::execute(int id, const Request &request)
{
    auto engine =
        std::make_shared<MigrationEngine>(request.connection, request.migrations, request.settings);
    EngineCallbacks callbacks;
    callbacks.stepStarted = [this, id](const StepReport &step) { Q_EMIT stepStarted(id, step); };
    callbacks.stepFinished = [this, id](const StepReport &step) { Q_EMIT stepFinished(id, step); };
    callbacks.lockWaitObserved = [this, id](const LockWait &wait) {
        Q_EMIT lockWaitObserved(id, wait);
    };
    engine->setCallbacks(callbacks);
    // The engine's connections are its own: cancel() reaches them through it. The shared
    // pointer keeps the engine alive until a cancel in flight has gone.
    CancelScope cancelling(this, [engine] { engine->cancel(); });
    switch (request.operation) {
    case Operation::Migrate:
        Q_EMIT migrationFinished(id, engine->migrate());
        break;
    case Operation::Rehearse:
        Q_EMIT migrationFinished(id, engine->rehearse());
        break;
    case Operation::Status:
        Q_EMIT statusLoaded(id, engine->status());
        break;
    case Operation::Verify:
        Q_EMIT verifyFinished(id, engine->verify());
        break;
    case Operation::Baseline:
        Q_EMIT baselineFinished(id, engine->baseline(request.baselineTo));
        break;
    }
}
