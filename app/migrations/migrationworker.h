#pragma once

#include "db/connectionoptions.h"
#include "migrations/migration.h"
#include "migrations/migrationengine.h"

#include <QObject>

#include <memory>
#include <mutex>

Q_DECLARE_METATYPE(StepReport)
Q_DECLARE_METATYPE(LockWait)
Q_DECLARE_METATYPE(RunReport)
Q_DECLARE_METATYPE(StatusReport)
Q_DECLARE_METATYPE(VerifyReport)
Q_DECLARE_METATYPE(BaselineReport)

// The migration engine for a GUI: lives on a worker thread (moveToThread), runs one operation
// at a time when start() is called, and reports progress and results as signals carrying value
// structs, delivered on the receiver's thread. cancel() may be called from any thread and never
// waits on the network.
class MigrationWorker : public QObject
{
    Q_OBJECT

public:
    enum class Operation
    {
        Migrate,
        Rehearse,
        Status,
        Verify,
        Baseline
    };
    Q_ENUM(Operation)

    struct Request
    {
        Operation operation = Operation::Status;
        ConnectionOptions connection;
        MigrationSet migrations;
        EngineSettings settings;
        QString baselineTo; // Baseline only
    };

    explicit MigrationWorker(QObject *parent = nullptr);

    // Queues `request` on the worker's thread (returns at once).
    void start(const Request &request);
    // Asks the server to stop the running statement; the cancel request itself (a short
    // connection to the server) is sent from a helper thread, never the caller's.
    void cancel();

Q_SIGNALS:
    void stepStarted(const StepReport &step);
    void stepFinished(const StepReport &step);
    void lockWaitObserved(const LockWait &wait);
    void migrationFinished(const RunReport &report); // migrate and rehearse
    void statusLoaded(const StatusReport &report);
    void verifyFinished(const VerifyReport &report);
    void baselineFinished(const BaselineReport &report);

private:
    void run(const Request &request);

    std::mutex m_engineMutex;
    std::shared_ptr<MigrationEngine> m_engine; // the running operation's, for cancel()
};
