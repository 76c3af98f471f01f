#pragma once

#include "db/connectionoptions.h"
#include "db/databaseworker.h"
#include "migrations/migration.h"
#include "migrations/migrationengine.h"
#include "migrations/runarchive.h"

#include <QObject>

Q_DECLARE_METATYPE(StepReport)
Q_DECLARE_METATYPE(LockWait)
Q_DECLARE_METATYPE(RunReport)
Q_DECLARE_METATYPE(StatusReport)
Q_DECLARE_METATYPE(VerifyReport)
Q_DECLARE_METATYPE(BaselineReport)
Q_DECLARE_METATYPE(RunComparison)

// The migration engine for a GUI: its requests on a DatabaseWorker's thread, one operation at
// a time, progress and results as signals carrying value structs, delivered on the receiver's
// thread. The engine opens the connections it needs for each operation (the session holding
// the migration lock), so this worker's own connection is not used. cancel() may be called from
// any thread and never waits on the network: it cancels the running engine's statement.
class MigrationWorker : public DatabaseWorker
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

    MigrationWorker();

    // Queues `request` on the worker's thread (returns at once) and returns its id; answered by
    // the signal of its operation. Run start() (the thread) first.
    int run(const Request &request);
    // Compares a finished run with the newest archived one, then saves it in `archive` (local
    // files) → runArchived. A run that applied nothing is neither compared nor saved.
    int archive(const RunReport &report, const QHash<QString, QByteArray> &checksums,
                const RunArchive &archive);

Q_SIGNALS:
    // Every signal carries the id of the request it answers (or reports the progress of), as
    // run() and archive() returned it, so that a receiver can tell its requests' answers apart.
    void stepStarted(int request, const StepReport &step);
    void stepFinished(int request, const StepReport &step);
    void lockWaitObserved(int request, const LockWait &wait);
    void migrationFinished(int request, const RunReport &report); // migrate and rehearse
    void statusLoaded(int request, const StatusReport &report);
    void verifyFinished(int request, const VerifyReport &report);
    void baselineFinished(int request, const BaselineReport &report);
    void runArchived(int request, const RunComparison &comparison, const QString &error);

private:
    void execute(int id, const Request &request);
};
