#pragma once

#include "migrations/migration.h"
#include "migrations/migrationengine.h"
#include "migrations/migrationworker.h"
#include "migrations/runarchive.h"
#include "panel.h"

#include <QMap>

class MigrationListModel;
class MigrationSource;
class QAction;
class QPushButton;
class QTableView;
class RunProgressView;
class RunResultTabs;
class RunSummary;

// The Schema page: the migrations (bundled or a chosen directory) with their state, and the
// engine's Migrate, Rehearse, Verify and Baseline run on a worker thread with live steps, lock
// holders, a chart of step durations compared with the previous run, and failures in full.
class SchemaPanel : public Panel
{
    Q_OBJECT

public:
    explicit SchemaPanel(QWidget *parent = nullptr);
    ~SchemaPanel() override;

    QString panelId() const override { return QStringLiteral("schema"); }
    QString panelTitle() const override { return tr("Schema"); }
    void setConnection(const ConnectionContext &context) override;
    void refresh() override;
    void cancel() override;
    // A run is over once it is archived and the list reloaded: until then, nothing else starts.
    bool isBusy() const override { return !m_requests.isEmpty() || m_archiveRequest != 0; }
    QString interruptQuestion() const override;
    QList<QAction *> panelActions() const override;
    bool runAction(const QString &name) override;

    // Empty: the bundled migrations. Reloads the list.
    void setMigrationsDirectory(const QString &directory);
    void setEngineSettings(const EngineSettings &settings);
    // Where finished runs are archived for the comparison (default RunArchive's).
    void setRunArchiveDirectory(const QString &directory);
    // Writes the last run's report: CSV for a .csv name, JSON otherwise.
    bool exportReport(const QString &fileName, QString *error = nullptr);
    const RunReport &lastRun() const { return m_lastRun; }

private:
    using Operation = MigrationWorker::Operation;
    struct Job
    {
        Operation operation;
        bool stale = false; // asked for another connection or set: its answers are dropped
    };

    void buildActions();
    void buildLayout();
    bool start(Operation operation, const QString &baselineTo = {});
    // Whether the answer is of a request the panel waits for (sent, not stale) that is one of
    // `operations`.
    bool isAwaited(int request, std::initializer_list<Operation> operations) const;
    // Takes the answered request off m_requests; false when its answer is not awaited.
    bool finishRequest(int request);
    // What is still on its way belongs to the previous connection or set: stops it and marks
    // it stale, so that its answers are dropped.
    void abandonRequests();
    QString nothingToDoText(const RunReport &report) const;
    // Results shown (steps, chart, verify, failure) go: they belong to another set or database.
    void clearResults();
    // Before running a set that lacks migrations the database has applied: asks; true to go on.
    bool confirmForeignSet(const QString &what);
    void updateBusy(const QString &what);
    void updateActions();
    QString busyText() const;
    int pendingStepCount() const;
    int pendingMigrationCount() const;
    void loadMigrationSet();
    void showFailure(const QString &html);
    void reportConnectionLoss(const DbError &error);

    void migrate();
    void rehearse();
    void verify();
    void baseline();
    void startExport();

    void stepStarted(int request, const StepReport &step);
    void stepFinished(int request, const StepReport &step);
    void queueStep(const StepReport &step);
    void stepsFlushed(int finished);
    void lockWaitObserved(int request, const LockWait &wait);
    void migrationFinished(int request, const RunReport &report);
    void runArchived(int request, const RunComparison &comparison, const QString &error);
    void statusLoaded(int request, const StatusReport &report);
    void verifyFinished(int request, const VerifyReport &report);
    void baselineFinished(int request, const BaselineReport &report);

    MigrationWorker *m_worker = nullptr;
    // Sent to the worker and not answered yet, by request id (ids grow: the last is the newest).
    QMap<int, Job> m_requests;
    QString m_conninfo; // of the last valid connection, to tell a new one from a return
    MigrationSet m_set;
    QString m_directory;
    EngineSettings m_settings;
    RunArchive m_archive;
    RunReport m_lastRun;
    RunComparison m_lastComparison;
    int m_archiveRequest = 0;            // the run's comparison and saving (on the worker), 0: none
    bool m_archiveStale = false;         // its answer is about results cleared since
    bool m_refreshAfterArchive = false;  // a refresh came while archiving: read the list after
    bool m_showingStatusFailure = false; // the error box shows a failed status load
    int m_totalSteps = 0;
    int m_finishedSteps = 0;

    MigrationListModel *m_migrations = nullptr;

    QAction *m_migrateAction = nullptr;
    QAction *m_rehearseAction = nullptr;
    QAction *m_verifyAction = nullptr;
    QAction *m_baselineAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_chooseAction = nullptr;

    MigrationSource *m_source = nullptr;
    QPushButton *m_migrateButton = nullptr;
    QPushButton *m_rehearseButton = nullptr;
    QPushButton *m_verifyButton = nullptr;
    QPushButton *m_baselineButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QPushButton *m_exportButton = nullptr;
    RunProgressView *m_progress = nullptr;
    RunSummary *m_summary = nullptr; // the summary line and the failure box
    QTableView *m_migrationsView = nullptr;
    RunResultTabs *m_results = nullptr; // steps, lock, chart, verify
};
