#include "changelog/changelogpanel.h"

#include "changelog/changelogfilterbar.h"
#include "changelog/changelogmodel.h"
#include "changelog/changelogview.h"
#include "changelog/entrydetailview.h"
#include "changelog/revertdialog.h"
#include "changelog/timelineview.h"
#include "changelog/timetravelview.h"
#include "db/sqltimestamp.h"
#include "shell/keyboard.h"
#include "shell/messagebanner.h"

#include <QAction>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace {

// Several notices (one apply of many parameters) look for new rows once.
constexpr int LiveDebounceMs = 300;
// The timeline and the estimate follow new changes less eagerly.
constexpr int TimelineDebounceMs = 2000;
constexpr int HistoryLimit = 500;

} // namespace

ChangelogPanel::ChangelogPanel(QWidget *parent)
    : Panel(parent)
    , m_worker(new ChangelogWorker(false))
    , m_background(new ChangelogWorker(true))
    , m_model(new ChangelogModel(m_worker, this))
    , m_liveDebounce(new QTimer(this))
    , m_timelineDebounce(new QTimer(this))
{
    m_worker->start();
    m_background->start();
    m_liveDebounce->setSingleShot(true);
    m_liveDebounce->setInterval(LiveDebounceMs);
    connect(m_liveDebounce, &QTimer::timeout, this, &ChangelogPanel::lookForNewer);
    m_timelineDebounce->setSingleShot(true);
    m_timelineDebounce->setInterval(TimelineDebounceMs);
    connect(m_timelineDebounce, &QTimer::timeout, this, &ChangelogPanel::reloadCharts);
    buildLayout();
    buildActions();
    connectWorker();
    m_filters->restoreState();
    updateHeader();
}

ChangelogPanel::~ChangelogPanel()
{
    if (m_revertDialog) {
        m_revertDialog->disconnect(this);
        delete m_revertDialog;
    }
    m_filters->saveState();
    m_worker->disconnect(this);
    m_background->disconnect(this);
    m_model->disconnect(this);
    m_worker->shutdown();
    m_background->shutdown();
}

// ---------------------------------------------------------------------------------------------
// Building

void ChangelogPanel::buildLayout()
{
    m_filters = new ChangelogFilterBar(this);
    m_timeline = new TimelineView(this);
    m_view = new ChangelogView(m_model, this);
    m_detail = new EntryDetailView(this);
    m_travel = new TimeTravelView(this);
    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("changelogHeader"));
    m_newChanges = new QPushButton(this);
    m_newChanges->setObjectName(QStringLiteral("newChanges"));
    m_newChanges->hide();
    m_error = new MessageBanner(this);
    m_error->setObjectName(QStringLiteral("errorLabel"));

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("changelogTabs"));
    m_tabs->addTab(m_detail, tr("Detail"));
    m_tabs->addTab(m_travel, tr("Time travel"));

    auto *rows = new QWidget(this);
    auto *rowsLayout = new QVBoxLayout(rows);
    rowsLayout->setContentsMargins(0, 0, 0, 0);
    auto *headerRow = new QHBoxLayout;
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_newChanges);
    rowsLayout->addLayout(headerRow);
    rowsLayout->addWidget(m_view, 1);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("changelogSplitter"));
    split->addWidget(rows);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    split->setSizes({800, 400});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filters);
    layout->addWidget(m_error);
    layout->addWidget(m_timeline);
    layout->addWidget(split, 1);

    Keyboard::cyclePanes(this, {m_filters->reasonEdit(), m_view, m_tabs});
    Keyboard::enterResultsOnDown(m_filters->reasonEdit(), m_view);

    connect(m_filters, &ChangelogFilterBar::changed, this, &ChangelogPanel::reload);
    connect(m_filters, &ChangelogFilterBar::agentChanged, this, [this](const QString &agent) {
        if (m_open && !agent.isEmpty())
            m_namesRequest = m_worker->loadParameterNames(agent);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ChangelogPanel::currentRowChanged);
    connect(m_view->horizontalHeader(), &QHeaderView::sectionClicked, this,
            &ChangelogPanel::sortClicked);
    connect(m_view, &ChangelogView::jumpToStartRequested, this, &ChangelogPanel::jumpToStart);
    connect(m_view, &ChangelogView::jumpToEndRequested, this, &ChangelogPanel::jumpToEnd);
    connect(m_view, &ChangelogView::rowsCopied, this, [this](int rows) {
        Q_EMIT messagePosted(tr("Copied %n row(s) as TSV", nullptr, rows));
    });
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &ChangelogPanel::updateHeader);
    connect(m_newChanges, &QPushButton::clicked, this, &ChangelogPanel::showNewChanges);
    connect(m_timeline, &TimelineView::bucketClicked, this, &ChangelogPanel::jumpToTime);
    connect(m_timeline, &TimelineView::rangeSelected, m_filters, &ChangelogFilterBar::setTimeRange);
    connect(m_timeline, &TimelineView::widthChanged, m_timelineDebounce,
            [this] { m_timelineDebounce->start(300); });

    connect(m_detail, &EntryDetailView::revertEntryRequested, this,
            [this](const ChangelogEntry &entry) {
                startRevert({RevertTarget::Kind::Entry, entry.id, {}});
            });
    connect(m_detail, &EntryDetailView::revertChangeSetRequested, this,
            [this](const QString &changeSet) {
                startRevert({RevertTarget::Kind::ChangeSet, changeSet, {}});
            });
    connect(m_detail, &EntryDetailView::travelRequested, this, [this](const ChangelogEntry &e) {
        m_tabs->setCurrentWidget(m_travel);
        m_travel->setTarget(e.algorithmId, e.modifiedAt,
                            tr("%1 just before this change").arg(e.algorithmId));
        m_configRequest = m_worker->loadConfigAt(e.algorithmId, {}, e.id);
        updateBusy();
    });
    connect(m_detail, &EntryDetailView::showAgentRequested, this,
            [this](const QString &agent, const QString &parameter) {
                Q_EMIT linkActivated({QStringLiteral("agents"), agent, parameter, {}, {}, {}});
            });
    connect(
        m_detail, &EntryDetailView::showOnChartRequested, this, [this](const ChangelogEntry &e) {
            Q_EMIT linkActivated(
                {QStringLiteral("metrics"), e.algorithmId, {}, e.changeSet, e.id, e.modifiedAt});
        });
    connect(m_detail, &EntryDetailView::changeSetRequested, this, [this](const QString &set) {
        ChangelogFilter filter;
        filter.changeSet = set;
        m_filters->setFilter(filter);
    });
    connect(m_travel, &TimeTravelView::showRequested, this,
            [this](const QString &agent, const QDateTime &moment) {
                m_travel->setTarget(agent, moment, agent);
                m_configRequest = m_worker->loadConfigAt(agent, moment);
                updateBusy();
            });
    connect(m_travel, &TimeTravelView::restoreRequested, this,
            [this](const QString &agent, const QDateTime &moment) {
                startRevert({RevertTarget::Kind::Restore, agent, moment});
            });
}

void ChangelogPanel::buildActions()
{
    m_findAction = new QAction(Icons::action(QStringLiteral("find")), tr("&Find in reasons"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_filters->reasonEdit()->setFocus(Qt::ShortcutFocusReason);
        m_filters->reasonEdit()->selectAll();
    });
    m_newestAction =
        new QAction(Icons::action(QStringLiteral("first-page")), tr("Go to the &first page"), this);
    m_newestAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Home));
    m_newestAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_newestAction, &QAction::triggered, this, &ChangelogPanel::jumpToStart);
    m_oldestAction =
        new QAction(Icons::action(QStringLiteral("last-page")), tr("Go to the &last page"), this);
    m_oldestAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_End));
    m_oldestAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_oldestAction, &QAction::triggered, this, &ChangelogPanel::jumpToEnd);
    m_exportAction =
        new QAction(Icons::action(QStringLiteral("export")), tr("&Export as CSV…"), this);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_exportAction, &QAction::triggered, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export the changelog"),
                                         QStringLiteral("changelog.csv"), tr("CSV files (*.csv)"));
        if (!path.isEmpty())
            exportCsv(path);
    });
    m_travelAction = new QAction(Icons::action(QStringLiteral("time-travel")),
                                 tr("&Time travel to before this change"), this);
    m_travelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_travelAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_travelAction, &QAction::triggered, this, [this] {
        if (m_detail->entry())
            Q_EMIT m_detail->travelRequested(*m_detail->entry());
    });
    m_revertAction =
        new QAction(Icons::action(QStringLiteral("revert")), tr("&Revert this change…"), this);
    connect(m_revertAction, &QAction::triggered, this, [this] {
        if (m_detail->entry())
            startRevert({RevertTarget::Kind::Entry, m_detail->entry()->id, {}});
    });
    addActions(panelActions());
}

QList<QAction *> ChangelogPanel::panelActions() const
{
    return {m_findAction,   m_newestAction, m_oldestAction,
            m_travelAction, m_revertAction, m_exportAction};
}

void ChangelogPanel::connectWorker()
{
    connect(m_worker, &ChangelogWorker::connectionOpened, this, [this] {
        if (!connection().isValid())
            return;
        m_opening = false;
        m_open = true;
        m_feedStarted = false;
        clearError();
        reload(); // the rows first; the filter boxes' choices after them
        m_facetsRequest = m_background->loadFacets();
        if (!m_filters->agent().isEmpty())
            m_namesRequest = m_worker->loadParameterNames(m_filters->agent());
        if (m_pendingLink) {
            const PanelLink link = *m_pendingLink;
            m_pendingLink.reset();
            showLink(link);
        }
    });
    connect(m_worker, &ChangelogWorker::connectionFailed, this, [this](const DbError &error) {
        if (!connection().isValid())
            return;
        m_opening = false;
        m_open = false;
        noteError(tr("Could not open the connection for the changelog"), error);
        updateBusy();
        Q_EMIT loaded();
    });
    connect(m_model, &ChangelogModel::pageArrived, this, [this](const DbError &error) {
        if (error.isError())
            noteError(tr("Could not read the changelog"), error);
        else if (m_error->tone() == MessageBanner::Tone::Error)
            clearError();
        if (m_scrollToEnd && !error.isError()) {
            m_scrollToEnd = false;
            m_view->scrollToBottom();
            if (m_model->rowCount() > 0)
                m_view->setCurrentIndex(m_model->index(m_model->rowCount() - 1, 0));
        }
        updateHeader();
        updateBusy();
        if (m_chartsAfterPage) {
            m_chartsAfterPage = false;
            reloadCharts();
        }
        if (!m_feedStarted && !error.isError()) {
            m_feedStarted = true; // after the first rows: its connection never delays them
            m_feedRequest = m_background->startFeed();
        }
        if (!m_loadedOnce) {
            m_loadedOnce = true;
            Q_EMIT loaded();
        }
    });
    connect(m_background, &ChangelogWorker::estimateLoaded, this,
            [this](int request, qint64 estimate, const DbError &) {
                if (request != m_estimateRequest)
                    return;
                m_estimateRequest = -1;
                m_estimate = estimate; // -1 on failure: the header says nothing of a count
                updateHeader();
                updateBusy();
            });
    connect(m_background, &ChangelogWorker::timelineLoaded, this,
            [this](int request, const ChangelogTimeline &timeline, const DbError &error) {
                if (request != m_timelineRequest)
                    return;
                m_timelineRequest = -1;
                if (error.isError())
                    noteError(tr("Could not compute the timeline"), error);
                else
                    m_timeline->setTimeline(timeline);
                updateBusy();
            });
    connect(m_worker, &ChangelogWorker::detailLoaded, this,
            [this](int request, const ChangelogDetail &detail, const DbError &error) {
                if (request != m_detailRequest)
                    return;
                m_detailRequest = -1;
                if (error.isError())
                    m_detail->setDetailError(
                        tr("Could not read the change set and history: %1").arg(error.toString()));
                else
                    m_detail->setDetail(detail);
                updateBusy();
            });
    connect(m_background, &ChangelogWorker::facetsLoaded, this,
            [this](int request, const ChangelogFacets &facets, const DbError &) {
                if (request != m_facetsRequest)
                    return;
                m_facetsRequest = -1;
                m_filters->setFacets(facets);
                m_travel->setAgents(facets.agents);
            });
    connect(m_worker, &ChangelogWorker::parameterNamesLoaded, this,
            [this](int request, const QString &agent, const QStringList &names, const DbError &) {
                if (request == m_namesRequest)
                    m_filters->setParameterNames(agent, names);
            });
    connect(m_worker, &ChangelogWorker::configLoaded, this,
            [this](int request, const ConfigAt &config, const DbError &error) {
                if (request != m_configRequest)
                    return;
                m_configRequest = -1;
                if (error.isError())
                    m_travel->setError(
                        tr("Could not rebuild the configuration: %1").arg(error.toString()));
                else
                    m_travel->setConfig(config);
                updateBusy();
            });
    connect(m_background, &ChangelogWorker::feedStarted, this, [this](int request) {
        if (request != m_feedRequest)
            return;
        m_feedRequest = -1;
        updateBusy();
    });
    connect(m_worker, &ChangelogWorker::newerLoaded, this, &ChangelogPanel::newerLoaded);
    connect(m_background, &ChangelogWorker::changeReceived, this, &ChangelogPanel::changeReceived);
    connect(m_worker, &ChangelogWorker::reverted, this, &ChangelogPanel::reverted);
    connect(m_worker, &ChangelogWorker::exportProgress, this, [this](int request, qint64 rows) {
        if (request == m_exportRequest && m_exportProgress)
            m_exportProgress->setLabelText(
                tr("Exporting the changelog… %1 rows written").arg(QLocale().toString(rows)));
    });
    connect(m_worker, &ChangelogWorker::exportFinished, this,
            [this](int request, qint64 rows, const DbError &error) {
                if (request != m_exportRequest)
                    return;
                m_exportRequest = -1;
                delete m_exportProgress;
                m_exportProgress = nullptr;
                if (error.isError())
                    noteError(tr("The export failed; no file was written"), error);
                else
                    Q_EMIT messagePosted(tr("Exported %1 changes").arg(QLocale().toString(rows)));
                updateBusy();
            });
}

// ---------------------------------------------------------------------------------------------
// Connection

void ChangelogPanel::setConnection(const ConnectionContext &context)
{
    const bool same = context.isValid() && context.options.toConninfo() == m_conninfo;
    storeConnection(context);
    m_open = false;
    m_liveDebounce->stop();
    m_timelineDebounce->stop();
    m_filters->stopDebounce();
    m_estimateRequest = m_timelineRequest = m_detailRequest = m_configRequest = -1;
    m_newerRequest = m_facetsRequest = m_namesRequest = -1;
    m_previewRequest = m_writeRequest = m_feedRequest = -1;
    m_detail->setWritable(context.isValid() && !context.readOnly, context.whyReadOnly());
    m_travel->setWritable(context.isValid() && !context.readOnly, context.whyReadOnly());
    clearError();
    if (!context.isValid()) {
        m_opening = false;
        m_worker->clearConnection();
        m_background->clearConnection();
        m_model->clear();
        m_timeline->clear();
        m_detail->showEntry(std::nullopt);
        m_travel->clear();
        m_estimate = -1;
        updateHeader();
        updateBusy();
        return;
    }
    if (!same) {
        m_conninfo = context.options.toConninfo();
        m_model->clear();
        m_timeline->clear();
        m_detail->showEntry(std::nullopt);
        m_travel->clear();
        m_estimate = -1;
    }
    openConnection();
}

void ChangelogPanel::openConnection()
{
    m_opening = true;
    m_open = false;
    m_worker->setConnection(connection().options);
    m_background->setConnection(connection().options);
    updateBusy();
}

void ChangelogPanel::refresh()
{
    if (!connection().isValid() || m_opening)
        return;
    if (!m_open) {
        openConnection();
        return;
    }
    reload();
    m_facetsRequest = m_background->loadFacets();
}

void ChangelogPanel::cancel()
{
    if (!isBusy())
        return;
    if (m_exportRequest >= 0)
        m_worker->cancelExport();
    m_worker->cancel();
    m_background->cancel();
    Q_EMIT messagePosted(tr("Cancelling…"));
}

bool ChangelogPanel::isBusy() const
{
    return m_opening || m_model->isFetching() || m_estimateRequest >= 0 || m_timelineRequest >= 0 ||
           m_configRequest >= 0 || m_previewRequest >= 0 || m_writeRequest >= 0 ||
           m_exportRequest >= 0;
}

void ChangelogPanel::updateBusy()
{
    QString what = tr("Reading the changelog…");
    if (m_opening)
        what = tr("Opening the changelog…");
    else if (m_exportRequest >= 0)
        what = tr("Exporting the changelog…");
    else if (m_writeRequest >= 0)
        what = tr("Reverting…");
    else if (m_previewRequest >= 0)
        what = tr("Previewing the revert…");
    else if (m_configRequest >= 0)
        what = tr("Rebuilding the configuration…");
    reportBusy(what);
}

void ChangelogPanel::showError(const QString &text)
{
    m_error->showMessage(MessageBanner::Tone::Error, text);
}

void ChangelogPanel::clearError()
{
    m_error->clearMessage();
}

QString ChangelogPanel::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void ChangelogPanel::noteError(const QString &what, const DbError &error)
{
    if (error.sqlState == QLatin1String("57014") && !isBusy())
        return; // cancelled on purpose
    showError(QStringLiteral("%1: %2").arg(what.toHtmlEscaped(), error.toString().toHtmlEscaped()));
    if (error.isConnectionLoss())
        Q_EMIT connectionLost(error);
}

// ---------------------------------------------------------------------------------------------
// Rows, header and charts

void ChangelogPanel::reload()
{
    m_filters->stopDebounce();
    if (!m_open)
        return;
    m_newRows.clear();
    m_moreNew = false;
    m_newerRequest = -1;
    m_newChanges->hide();
    m_detail->showEntry(std::nullopt);
    m_detailRequest = -1;
    m_model->reset(m_filters->filter(), m_model->order());
    // The timeline and the estimate once the first rows are in: on a small machine their scan
    // would otherwise compete with the page for the server's CPU.
    m_chartsAfterPage = true;
    updateBusy();
}

void ChangelogPanel::reloadCharts()
{
    if (!m_open)
        return;
    const ChangelogFilter filter = m_model->filter();
    m_estimateRequest = m_background->loadEstimate(filter);
    m_timelineRequest = m_background->loadTimeline(filter, m_timeline->wantedBuckets());
    updateBusy();
}

void ChangelogPanel::sortClicked(int column)
{
    QHeaderView *header = m_view->horizontalHeader();
    const ChangelogOrder order = m_model->order() == ChangelogOrder::NewestFirst
                                     ? ChangelogOrder::OldestFirst
                                     : ChangelogOrder::NewestFirst;
    if (column != ChangelogModel::Time) {
        // Rows come in time order only (keyset pages); the indicator stays on Time.
        header->setSortIndicator(ChangelogModel::Time,
                                 m_model->order() == ChangelogOrder::NewestFirst
                                     ? Qt::DescendingOrder
                                     : Qt::AscendingOrder);
        Q_EMIT messagePosted(tr("The changelog sorts by time only: click Time to reverse it"));
        return;
    }
    header->setSortIndicator(ChangelogModel::Time, order == ChangelogOrder::NewestFirst
                                                       ? Qt::DescendingOrder
                                                       : Qt::AscendingOrder);
    if (!m_open)
        return;
    m_newRows.clear();
    m_newChanges->hide();
    m_model->reset(m_model->filter(), order);
    updateBusy();
}

void ChangelogPanel::jumpToStart()
{
    if (!m_open)
        return;
    if (m_model->atTop()) {
        m_view->scrollToTop();
        if (m_model->rowCount() > 0)
            m_view->setCurrentIndex(m_model->index(0, 0));
        return;
    }
    m_model->reset(m_model->filter(), m_model->order());
    updateBusy();
}

void ChangelogPanel::jumpToEnd()
{
    if (!m_open)
        return;
    if (m_model->atBottom() && !m_model->isFetching()) {
        m_view->scrollToBottom();
        if (m_model->rowCount() > 0)
            m_view->setCurrentIndex(m_model->index(m_model->rowCount() - 1, 0));
        return;
    }
    m_scrollToEnd = true;
    m_model->reset(m_model->filter(), m_model->order(), true);
    updateBusy();
}

void ChangelogPanel::jumpToTime(const QDateTime &start, const QDateTime &end)
{
    if (!m_open)
        return;
    // The rows from that bucket on, in the list's order: newest first starts at its end.
    const bool newestFirst = m_model->order() == ChangelogOrder::NewestFirst;
    m_model->resetAt(m_model->filter(), m_model->order(), newestFirst ? end : start);
    updateBusy();
}

QString ChangelogPanel::headerText() const
{
    return m_header->text();
}

void ChangelogPanel::updateHeader()
{
    if (!m_open && m_model->rowCount() == 0) {
        m_header->setText(connection().isValid() ? tr("Opening…") : tr("Not connected"));
        return;
    }
    QString text =
        m_estimate < 0 ? tr("Changes") : tr("~%1 changes").arg(QLocale().toString(m_estimate));
    const int rows = m_model->rowCount();
    if (rows > 0) {
        const qint64 first = m_model->firstRowIndex();
        const int top = m_view->verticalScrollBar()->value();
        if (first >= 0)
            text += tr(" · row %1").arg(QLocale().toString(first + top + 1));
        else if (m_model->atBottom())
            text += tr(" · at the %1 end")
                        .arg(m_model->order() == ChangelogOrder::NewestFirst ? tr("oldest")
                                                                             : tr("newest"));
    } else if (!m_model->isFetching()) {
        text = tr("No changes match");
    }
    m_header->setText(text);
}

void ChangelogPanel::currentRowChanged()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        m_detail->showEntry(std::nullopt);
        return;
    }
    const ChangelogEntry &entry = m_model->entry(current.row());
    if (m_detail->entry() && m_detail->entry()->id == entry.id)
        return;
    m_detail->showEntry(entry);
    m_detailRequest = m_worker->loadDetail(entry, HistoryLimit);
}
