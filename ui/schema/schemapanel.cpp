#include "schemapanel.h"

#include "migrationlistmodel.h"
#include "migrationsource.h"
#include "reporthtml.h"
#include "runprogressview.h"
#include "runresulttabs.h"
#include "runsummary.h"

#include "shell/keyboard.h"
#include "shell/readonlytip.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

SchemaPanel::SchemaPanel(QWidget *parent)
    : Panel(parent)
    , m_worker(new MigrationWorker)
    , m_migrations(new MigrationListModel(this))
{
    connect(m_worker, &MigrationWorker::stepStarted, this, &SchemaPanel::stepStarted,
            Qt::QueuedConnection);
    connect(m_worker, &MigrationWorker::stepFinished, this, &SchemaPanel::stepFinished,
            Qt::QueuedConnection);
    connect(m_worker, &MigrationWorker::lockWaitObserved, this, &SchemaPanel::lockWaitObserved,
            Qt::QueuedConnection);
    connect(m_worker, &MigrationWorker::migrationFinished, this, &SchemaPanel::migrationFinished,
            Qt::QueuedConnection);
    connect(m_worker, &MigrationWorker::statusLoaded, this, &SchemaPanel::statusLoaded,
            Qt::QueuedConnection);
    connect(m_worker, &MigrationWorker::verifyFinished, this, &SchemaPanel::verifyFinished,
            Qt::QueuedConnection);
    connect(m_worker, &MigrationWorker::baselineFinished, this, &SchemaPanel::baselineFinished,
            Qt::QueuedConnection);
    connect(m_worker, &MigrationWorker::runArchived, this, &SchemaPanel::runArchived,
            Qt::QueuedConnection);
    m_worker->start();

    buildActions();
    buildLayout();
    loadMigrationSet();
    updateActions();
}

SchemaPanel::~SchemaPanel()
{
    // The engine stops its statement, a run's archiving still queued is done (local files),
    // and the thread ends (see DatabaseWorker::shutdown).
    m_worker->shutdown();
}

void SchemaPanel::buildActions()
{
    auto make = [this](const QString &text, const QKeySequence &shortcut, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    m_migrateAction =
        make(tr("&Migrate"), QKeySequence(Qt::CTRL | Qt::Key_M), &SchemaPanel::migrate);
    m_migrateAction->setToolTip(tr("Apply every pending migration, each in its own transaction"));
    m_rehearseAction = make(tr("&Rehearse"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
                            &SchemaPanel::rehearse);
    m_rehearseAction->setToolTip(
        tr("Run the pending migrations with real timings, then roll everything back"));
    m_verifyAction =
        make(tr("&Verify"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V), &SchemaPanel::verify);
    m_verifyAction->setToolTip(tr("Compare the database's schema with what the applied "
                                  "migrations define"));
    m_baselineAction = make(tr("&Baseline"), {}, &SchemaPanel::baseline);
    m_baselineAction->setToolTip(tr("Record as applied, without running them, the pending "
                                    "migrations whose objects the database already has"));
    m_exportAction = make(tr("&Export report…"), {}, &SchemaPanel::startExport);
    m_chooseAction = make(tr("&Choose migrations directory…"), QKeySequence(Qt::CTRL | Qt::Key_O),
                          [this] { m_source->choose(); });
    const std::pair<QAction *, const char *> icons[] = {
        {m_migrateAction, "migrate"}, {m_rehearseAction, "rehearse"},
        {m_verifyAction, "verify"},   {m_baselineAction, "baseline"},
        {m_exportAction, "export"},   {m_chooseAction, "choose-directory"}};
    for (const auto &[action, icon] : icons)
        action->setIcon(Icons::action(QLatin1String(icon)));
}

QList<QAction *> SchemaPanel::panelActions() const
{
    return {m_migrateAction,  m_rehearseAction, m_verifyAction,
            m_baselineAction, m_exportAction,   m_chooseAction};
}

void SchemaPanel::buildLayout()
{
    auto button = [this](const QString &name, QAction *action, const QString &text) {
        auto *b = new QPushButton(text.isEmpty() ? action->text() : text, this);
        b->setObjectName(name);
        if (action) {
            b->setIcon(action->icon());
            QString tip = action->toolTip();
            if (!action->shortcut().isEmpty())
                tip += QStringLiteral(" (%1)").arg(
                    action->shortcut().toString(QKeySequence::NativeText));
            b->setToolTip(tip);
            connect(b, &QPushButton::clicked, action, &QAction::trigger);
        }
        return b;
    };
    m_source = new MigrationSource(m_chooseAction, this);
    connect(m_source, &MigrationSource::directoryChosen, this,
            &SchemaPanel::setMigrationsDirectory);

    m_migrateButton = button(QStringLiteral("migrateButton"), m_migrateAction, {});
    m_rehearseButton = button(QStringLiteral("rehearseButton"), m_rehearseAction, {});
    m_verifyButton = button(QStringLiteral("verifyButton"), m_verifyAction, {});
    m_baselineButton = button(QStringLiteral("baselineButton"), m_baselineAction, {});
    m_cancelButton = button(QStringLiteral("cancelButton"), nullptr, tr("Cancel"));
    m_cancelButton->setIcon(Icons::action(QStringLiteral("cancel")));
    m_cancelButton->setToolTip(tr("Stop the running statement on the server (Esc)"));
    connect(m_cancelButton, &QPushButton::clicked, this, &SchemaPanel::cancel);
    m_exportButton = button(QStringLiteral("exportButton"), m_exportAction, tr("Export…"));
    m_progress = new RunProgressView(this);
    auto *runRow = new QHBoxLayout;
    for (QPushButton *b : {m_migrateButton, m_rehearseButton, m_verifyButton, m_baselineButton})
        runRow->addWidget(b);
    runRow->addSpacing(8);
    runRow->addWidget(m_cancelButton);
    runRow->addWidget(m_exportButton);
    runRow->addStretch(1);
    // The progress has a row of its own: beside the buttons it made the window at least
    // 1,000 px wide.

    m_summary = new RunSummary(this);

    m_migrationsView = new QTableView(this);
    m_migrationsView->setObjectName(QStringLiteral("migrationsView"));
    m_migrationsView->setModel(m_migrations);
    m_migrationsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_migrationsView->verticalHeader()->hide();
    m_migrationsView->horizontalHeader()->setSectionResizeMode(MigrationListModel::Name,
                                                               QHeaderView::Stretch);
    for (const auto &[column, width] : {std::pair{MigrationListModel::Version, 70},
                                        {MigrationListModel::State, 130},
                                        {MigrationListModel::AppliedAt, 150},
                                        {MigrationListModel::AppliedBy, 100},
                                        {MigrationListModel::Milliseconds, 80},
                                        {MigrationListModel::Steps, 60}})
        m_migrationsView->horizontalHeader()->resizeSection(column, width);

    m_results = new RunResultTabs(this);
    connect(m_results, &RunResultTabs::stepsFlushed, this, &SchemaPanel::stepsFlushed);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_migrationsView);
    splitter->addWidget(m_results);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_source);
    layout->addLayout(runRow);
    layout->addWidget(m_progress);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);
    // Compact rows: these are lists to scan, not forms.
    const int rowHeight = fontMetrics().height() + 8;
    for (QTableView *view : {m_migrationsView, m_results->stepsView()}) {
        view->verticalHeader()->setDefaultSectionSize(rowHeight);
        Keyboard::setUpView(view);
    }
    // F6: the buttons, the migration list, the results below.
    Keyboard::cyclePanes(this, {m_migrateButton, m_migrationsView, m_results});
}

// ---------------------------------------------------------------------------------------------
// Connection, migration set and settings

void SchemaPanel::setConnection(const ConnectionContext &context)
{
    const bool same = context.isValid() && context.options.toConninfo() == m_conninfo;
    storeConnection(context);
    if (!same) {
        // Whatever is still running answers for the previous connection: stop it, drop it.
        abandonRequests();
    }
    if (!context.isValid()) {
        updateActions();
        return;
    }
    if (!same) {
        // Another database: what we show of the previous one goes. The same one coming back
        // after a loss keeps it.
        m_conninfo = context.options.toConninfo();
        m_migrations->setMigrations({});
        clearResults();
    }
    refresh();
}

void SchemaPanel::clearResults()
{
    m_results->clear();
    m_lastRun = {};
    m_lastComparison = {};
    m_archiveStale = m_archiveRequest != 0; // the run is archived all the same; not shown
    m_summary->clear();
    m_progress->reset();
    if (m_set.ok())
        showFailure({}); // a broken set's error stays
}

void SchemaPanel::setMigrationsDirectory(const QString &directory)
{
    m_directory = directory;
    abandonRequests(); // a result still on its way is about the previous set: stop it, drop it
    loadMigrationSet();
    m_migrations->setMigrations({}, m_set);
    clearResults(); // a run's or verify's results were about the other set
    refresh();
}

void SchemaPanel::setEngineSettings(const EngineSettings &settings)
{
    m_settings = settings;
}

void SchemaPanel::setRunArchiveDirectory(const QString &directory)
{
    m_archive = RunArchive(directory);
}

void SchemaPanel::loadMigrationSet()
{
    m_set = m_source->load(m_directory);
    showFailure(m_source->failureHtml());
    updateActions();
}

// ---------------------------------------------------------------------------------------------
// Requests

void SchemaPanel::refresh()
{
    if (!connection().isValid())
        return;
    if (!m_set.ok()) {
        Q_EMIT loaded(); // the error is shown: there is nothing to load
        return;
    }
    // A run of this connection refreshes the list when it ends; a status of it is on its way.
    if (m_archiveRequest != 0 && !m_archiveStale) {
        m_refreshAfterArchive = true; // even if the run ended in a lost connection
        return;
    }
    for (const Job &job : std::as_const(m_requests)) {
        if (!job.stale)
            return;
    }
    start(Operation::Status);
}

bool SchemaPanel::start(Operation operation, const QString &baselineTo)
{
    if (!connection().isValid() || !m_set.ok())
        return false;
    MigrationWorker::Request request;
    request.operation = operation;
    request.connection = connection().options;
    request.migrations = m_set;
    request.settings = m_settings;
    request.baselineTo = baselineTo;
    // The answers are queued to this thread, so none can arrive before the id is noted.
    m_requests.insert(m_worker->run(request), {operation});
    if (operation == Operation::Migrate || operation == Operation::Rehearse) {
        m_totalSteps = pendingStepCount();
        m_finishedSteps = 0;
        m_results->startRun();
    }
    if (operation != Operation::Status) {
        showFailure({});
        const bool counted = operation == Operation::Migrate || operation == Operation::Rehearse;
        m_progress->start(counted ? m_totalSteps : -1);
    }
    updateBusy(busyText());
    return true;
}

bool SchemaPanel::isAwaited(int request, std::initializer_list<Operation> operations) const
{
    const auto job = m_requests.constFind(request);
    if (job == m_requests.cend() || job->stale)
        return false;
    return std::find(operations.begin(), operations.end(), job->operation) != operations.end();
}

bool SchemaPanel::finishRequest(int request)
{
    const auto job = m_requests.find(request);
    if (job == m_requests.end())
        return false;
    const bool awaited = !job->stale;
    m_requests.erase(job);
    return awaited;
}

void SchemaPanel::abandonRequests()
{
    for (Job &job : m_requests)
        job.stale = true;
    if (!m_requests.isEmpty())
        m_worker->cancel();
}

void SchemaPanel::cancel()
{
    if (m_requests.isEmpty())
        return; // nothing, or only the archiving of a run that has ended (local files)
    m_worker->cancel();
    Q_EMIT messagePosted(tr("Cancelling…"));
}

bool SchemaPanel::runAction(const QString &name)
{
    if (isBusy() || !connection().isValid() || !m_set.ok())
        return false;
    QAction *action = name == QLatin1String("migrate")    ? m_migrateAction
                      : name == QLatin1String("rehearse") ? m_rehearseAction
                      : name == QLatin1String("verify")   ? m_verifyAction
                      : name == QLatin1String("baseline") ? m_baselineAction
                                                          : nullptr;
    if (!action)
        return false;
    action->trigger();
    return isBusy();
}

bool SchemaPanel::confirmForeignSet(const QString &what)
{
    return MigrationSource::confirmForeignSet(m_migrations->migrations(), what, this);
}

void SchemaPanel::migrate()
{
    if (isBusy() || !confirmForeignSet(tr("Migrate")))
        return;
    const int pending = pendingMigrationCount();
    if (!confirmWrite(tr("apply %n pending migration(s)", nullptr, pending)))
        return;
    start(Operation::Migrate);
}

void SchemaPanel::rehearse()
{
    if (isBusy() || !confirmForeignSet(tr("Rehearse")))
        return;
    // Nothing stays, but while it runs the rehearsal holds the locks its statements take.
    if (!confirmWrite(tr("rehearse %n pending migration(s) (rolled back at the end, but it "
                         "holds their locks while it runs)",
                         nullptr, pendingMigrationCount())))
        return;
    start(Operation::Rehearse);
}

void SchemaPanel::verify()
{
    if (!isBusy() && confirmForeignSet(tr("Verify")))
        start(Operation::Verify);
}

void SchemaPanel::baseline()
{
    if (isBusy() || !confirmForeignSet(tr("Baseline")))
        return;
    if (!confirmWrite(tr("record the pending migrations whose objects exist as applied, "
                         "without running them (baseline)")))
        return;
    start(Operation::Baseline);
}

int SchemaPanel::pendingMigrationCount() const
{
    const QList<MigrationStatus> &list = m_migrations->migrations();
    if (list.isEmpty())
        return int(m_set.migrations.size());
    return int(std::count_if(list.cbegin(), list.cend(), [](const MigrationStatus &m) {
        return m.state == MigrationStatus::State::Pending ||
               m.state == MigrationStatus::State::Partial;
    }));
}

int SchemaPanel::pendingStepCount() const
{
    const QList<MigrationStatus> &list = m_migrations->migrations();
    int steps = 0;
    for (const Migration &migration : m_set.migrations) {
        // A partial migration's committed statements do not run again.
        for (const MigrationStatus &m : list) {
            if (m.version == migration.version && (m.state == MigrationStatus::State::Pending ||
                                                   m.state == MigrationStatus::State::Partial))
                steps += int(migration.statements.size()) - m.statementsDone;
        }
        if (list.isEmpty())
            steps += int(migration.statements.size());
    }
    return steps;
}

// ---------------------------------------------------------------------------------------------
// Busy state

QString SchemaPanel::busyText() const
{
    if (m_requests.isEmpty())
        return m_archiveRequest != 0 ? tr("Saving the run for the comparison…") : QString();
    return RunSummary::busyText(m_requests.last().operation, m_finishedSteps, m_totalSteps);
}

QString SchemaPanel::interruptQuestion() const
{
    for (const Job &job : m_requests) {
        if (job.stale)
            continue; // its answer is dropped anyway
        const QString question = RunSummary::interruptQuestion(job.operation);
        if (!question.isEmpty())
            return question;
    }
    return {};
}

void SchemaPanel::updateBusy(const QString &what)
{
    reportBusy(what);
    updateActions();
}

void SchemaPanel::updateActions()
{
    const bool idle = !isBusy();
    const bool canRun = idle && connection().isValid() && m_set.ok();
    for (QAction *action : {m_migrateAction, m_rehearseAction, m_verifyAction, m_baselineAction})
        action->setEnabled(canRun);
    m_migrateAction->setEnabled(canRun && !connection().readOnly);
    m_baselineAction->setEnabled(canRun && !connection().readOnly);
    for (QObject *write : std::initializer_list<QObject *>{m_migrateAction, m_baselineAction,
                                                           m_migrateButton, m_baselineButton})
        ReadOnlyTip::show(write, connection().whyReadOnly());
    m_exportAction->setEnabled(idle && !m_lastRun.steps.isEmpty());
    m_chooseAction->setEnabled(idle);
    m_migrateButton->setEnabled(m_migrateAction->isEnabled());
    m_rehearseButton->setEnabled(m_rehearseAction->isEnabled());
    m_verifyButton->setEnabled(m_verifyAction->isEnabled());
    m_baselineButton->setEnabled(m_baselineAction->isEnabled());
    m_exportButton->setEnabled(m_exportAction->isEnabled());
    m_source->setIdle(idle);
    m_cancelButton->setEnabled(!m_requests.isEmpty()); // not for the archiving (local files)
}

void SchemaPanel::showFailure(const QString &html)
{
    m_showingStatusFailure = false;
    m_summary->showFailure(html);
}

void SchemaPanel::reportConnectionLoss(const DbError &error)
{
    if (error.isConnectionLoss())
        Q_EMIT connectionLost(error);
}

// ---------------------------------------------------------------------------------------------
// Results from the worker

void SchemaPanel::stepStarted(int request, const StepReport &step)
{
    if (!isAwaited(request, {Operation::Migrate, Operation::Rehearse}))
        return;
    queueStep(step);
}

void SchemaPanel::stepFinished(int request, const StepReport &step)
{
    if (!isAwaited(request, {Operation::Migrate, Operation::Rehearse}))
        return;
    queueStep(step);
}

void SchemaPanel::queueStep(const StepReport &step)
{
    m_results->queueStep(step);
}

void SchemaPanel::stepsFlushed(int finished)
{
    m_finishedSteps = finished;
    m_progress->setFinishedSteps(m_finishedSteps);
    updateBusy(busyText());
}

void SchemaPanel::lockWaitObserved(int request, const LockWait &wait)
{
    if (!isAwaited(request, {Operation::Migrate, Operation::Rehearse, Operation::Baseline}))
        return;
    if (!m_results->isWaitingForLock()) {
        QStringList pids;
        for (const LockHolder &holder : wait.holders)
            pids.append(QString::number(holder.pid));
        Q_EMIT messagePosted(
            tr("Waiting for a lock held by pid %1").arg(pids.join(QStringLiteral(", "))));
    }
    m_results->showLockWait(wait);
}

void SchemaPanel::migrationFinished(int request, const RunReport &report)
{
    if (!finishRequest(request)) {
        updateBusy(busyText());
        return;
    }
    // Archiving the run and finding the previous one read and write local files: off the GUI
    // thread. The rest of the report waits for the comparison (a moment); the panel stays busy
    // until then, also while the last steps are shown.
    m_archiveRequest = m_worker->archive(report, migrationChecksums(m_set), m_archive);
    m_archiveStale = false;
    m_refreshAfterArchive = false;
    m_lastComparison = {}; // the previous run's, until this run's arrives
    // What arrived live goes in first (rows appear as the steps ran), then the report's
    // final state of every step.
    m_results->finishRun(report);
    m_lastRun = report;
    m_finishedSteps = m_results->finishedSteps();
    if (report.outcome == RunReport::Outcome::Ok && report.migrations.isEmpty())
        m_progress->finishWithNothingToDo(report.roundTrips, nothingToDoText(report));
    else
        m_progress->finish(report.roundTrips, m_finishedSteps, int(report.steps.size()));
    updateBusy(busyText());
}

QString SchemaPanel::nothingToDoText(const RunReport &report) const
{
    return RunSummary::nothingToDo(report.rehearsal, int(m_set.migrations.size()));
}

void SchemaPanel::runArchived(int request, const RunComparison &comparison, const QString &error)
{
    if (request != m_archiveRequest)
        return;
    const bool refreshAsked = std::exchange(m_refreshAfterArchive, false);
    if (std::exchange(m_archiveStale, false)) {
        // Saved, but the panel shows another connection or set now (which it reads itself).
        m_archiveRequest = 0;
        updateBusy(busyText());
        return;
    }
    const RunReport &report = m_lastRun;
    if (!error.isEmpty())
        Q_EMIT messagePosted(tr("The run could not be archived: %1").arg(error));
    m_lastComparison = comparison;
    m_results->showComparison(report, m_lastComparison);

    showFailure(ReportHtml::runFailure(report, m_set));
    const QString message =
        RunSummary::runMessage(report, m_lastComparison, nothingToDoText(report));
    Q_EMIT messagePosted(message);
    if (m_lastComparison.flaggedCount() > 0 ||
        (report.outcome == RunReport::Outcome::Ok && int(report.steps.size()) > 1))
        m_results->showChart();

    // Still busy until here (what was posted above came from a panel at work); the list's
    // reading follows at once.
    m_archiveRequest = 0;
    if (report.error.isConnectionLoss() && !refreshAsked) {
        // Lost: nothing to reload now (the window reconnects, then refreshes).
        reportConnectionLoss(report.error);
        updateBusy(busyText());
        Q_EMIT loaded();
        return;
    }
    // The list shows the new state once the status arrives; loaded() comes with it.
    if (!start(Operation::Status)) {
        updateBusy(busyText());
        Q_EMIT loaded();
    }
}

void SchemaPanel::statusLoaded(int request, const StatusReport &report)
{
    if (!finishRequest(request)) {
        updateBusy(busyText());
        return;
    }
    if (report.error.isError()) {
        m_migrations->setMigrations({}, m_set);
        m_summary->showStatusUnreadable(connection().options.displayName());
        showFailure(ReportHtml::error(tr("Reading the migration status failed"), report.error));
        m_showingStatusFailure = true;
        reportConnectionLoss(report.error);
    } else {
        if (m_showingStatusFailure) {
            // A reload after a reconnect: the old failure is over (a run's stays up).
            showFailure({});
            m_showingStatusFailure = false;
        }
        m_migrations->setMigrations(report.migrations, m_set);
        m_summary->showStatus(report);
        if (!m_progress->hasRoundTrips())
            m_progress->setRoundTrips(report.roundTrips);
    }
    updateBusy(busyText());
    Q_EMIT loaded();
}

void SchemaPanel::verifyFinished(int request, const VerifyReport &report)
{
    if (!finishRequest(request)) {
        updateBusy(busyText());
        return;
    }
    m_progress->finish(report.roundTrips);
    m_results->showVerify(report);
    if (report.error.isError()) {
        showFailure(ReportHtml::error(tr("Verify failed"), report.error));
        reportConnectionLoss(report.error);
    } else {
        if (!report.migrations.isEmpty())
            m_migrations->setMigrations(report.migrations, m_set);
        Q_EMIT messagePosted(report.nothingApplied
                                 ? tr("Verify: nothing is applied yet; Migrate creates the schema.")
                             : report.clean() ? tr("Verify: the schema matches the migrations.")
                                              : tr("Verify found %n difference(s).", nullptr,
                                                   int(report.differences.size())));
    }
    updateBusy(busyText());
    Q_EMIT loaded();
}

void SchemaPanel::baselineFinished(int request, const BaselineReport &report)
{
    if (!finishRequest(request)) {
        updateBusy(busyText());
        return;
    }
    m_progress->finish(report.roundTrips);
    showFailure(ReportHtml::baselineFailure(report));
    if (!report.error.isError() && !report.lockTimedOut)
        Q_EMIT messagePosted(
            report.adopted.isEmpty()
                ? tr("Baseline: no pending migration's objects exist yet; nothing recorded.")
                : tr("Baseline recorded %1 as applied.")
                      .arg(report.adopted.join(QStringLiteral(", "))));
    if (report.error.isConnectionLoss()) {
        reportConnectionLoss(report.error);
        updateBusy(busyText());
        Q_EMIT loaded();
        return;
    }
    start(Operation::Status);
}

// ---------------------------------------------------------------------------------------------
// Export

void SchemaPanel::startExport()
{
    auto *dialog = new QFileDialog(this, tr("Export the run report"));
    dialog->setObjectName(QStringLiteral("exportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({tr("CSV, one row per step (*.csv)"), tr("JSON (*.json)")});
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    dialog->selectFile(
        QStringLiteral("%1-%2.csv")
            .arg(m_lastRun.rehearsal ? QStringLiteral("rehearse") : QStringLiteral("migrate"),
                 QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString &filter) {
        dialog->setDefaultSuffix(filter.contains(QLatin1String("json")) ? QStringLiteral("json")
                                                                        : QStringLiteral("csv"));
    });
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &file) {
        QString error;
        if (exportReport(file, &error))
            Q_EMIT messagePosted(tr("Report written to %1").arg(QDir::toNativeSeparators(file)));
        else
            showFailure(ReportHtml::error(tr("Export failed"),
                                          {tr("export the report"), file, error, {}, {}, {}}));
    });
    dialog->open();
}

bool SchemaPanel::exportReport(const QString &fileName, QString *error)
{
    return writeRunExport(fileName, m_lastRun, m_lastComparison, error);
}
