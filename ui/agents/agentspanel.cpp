#include "agentspanel.h"

#include "agenttablemodel.h"
#include "agentdetailview.h"
#include "parameters/parametereditor.h"
#include "parameters/parametertablemodel.h"
#include "reasondialog.h"
#include "shell/auditidentity.h"
#include "shell/columnfitter.h"
#include "shell/tablecopy.h"
#include "shell/keyboard.h"
#include "shell/messagebanner.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

// The search box reloads this long after the last key, not on every key.
static constexpr int SearchDebounceMs = 200;
// Several changes from the feed (one apply of many parameters) reload the list once.
static constexpr int ChangeReloadMs = 500;


AgentsPanel::AgentsPanel(QWidget *parent)
    : Panel(parent)
    , m_worker(new AgentWorker)
    , m_model(new AgentTableModel(this))
    , m_searchDebounce(new QTimer(this))
    , m_changeReload(new QTimer(this))
{
    m_worker->start();
    m_editor = new ParameterEditor(m_worker, this);
    m_editor->setObjectName(QStringLiteral("parameterEditor"));

    m_searchDebounce->setSingleShot(true);
    m_searchDebounce->setInterval(SearchDebounceMs);
    connect(m_searchDebounce, &QTimer::timeout, this, &AgentsPanel::loadAgents);
    m_changeReload->setSingleShot(true);
    m_changeReload->setInterval(ChangeReloadMs);
    connect(m_changeReload, &QTimer::timeout, this, &AgentsPanel::loadAgents);

    buildActions();
    buildLayout();
    connectWorker();
    connectEditor();
    // Queued: the reason dialog opens after the click on the checkbox has been handled, not
    // in the middle of the view's mouse event.
    connect(m_model, &AgentTableModel::activeToggleRequested, this, &AgentsPanel::requestToggle,
            Qt::QueuedConnection);
    showDetail();
    updateToggleState();
}

AgentsPanel::~AgentsPanel()
{
    // The editor holds the worker: it goes first, while the worker surely exists, and its
    // last signals no longer reach this half-destroyed panel.
    m_editor->disconnect(this);
    delete m_editor;
    m_editor = nullptr;
    m_worker->shutdown();
}

ParameterEditor *AgentsPanel::parameterEditor() const
{
    return m_editor;
}

// ---------------------------------------------------------------------------------------------
// Building

void AgentsPanel::buildActions()
{
    m_findAction = new QAction(tr("&Find agent"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setIcon(Icons::action(QStringLiteral("find")));
    m_findAction->setToolTip(tr("Search the agents by id, name or description"));
    connect(m_findAction, &QAction::triggered, this, [this] {
        if (!isVisible())
            return;
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    m_parametersAction = new QAction(tr("Go to &parameters"), this);
    m_parametersAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_parametersAction->setIcon(Icons::action(QStringLiteral("parameters")));
    m_parametersAction->setToolTip(tr("Move the focus to the selected agent's parameters"));
    connect(m_parametersAction, &QAction::triggered, this, [this] {
        if (!isVisible())
            return;
        QTableView *parameters = m_editor->tableView();
        parameters->setFocus(Qt::ShortcutFocusReason);
        if (!parameters->currentIndex().isValid() && parameters->model()->rowCount() > 0)
            parameters->setCurrentIndex(
                parameters->model()->index(0, ParameterTableModel::Current));
    });
    m_toggleAction = new QAction(tr("&Toggle active"), this);
    m_toggleAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_toggleAction->setIcon(Icons::action(QStringLiteral("toggle-active")));
    connect(m_toggleAction, &QAction::triggered, this, &AgentsPanel::toggleSelected);
    m_sortAction = new QAction(tr("&Sort by the current column"), this);
    m_sortAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_sortAction->setIcon(Icons::action(QStringLiteral("sort")));
    m_sortAction->setToolTip(
        tr("Sort the agents by the column of the current cell; again to reverse"));
    connect(m_sortAction, &QAction::triggered, this, &AgentsPanel::sortByCurrentColumn);
    m_separator = new QAction(this);
    m_separator->setSeparator(true);
    // So that the shortcuts also work when the panel stands alone (tests, --screenshot); the
    // main window adds them to itself as well.
    addActions({m_findAction, m_parametersAction, m_toggleAction, m_sortAction});
}

QList<QAction *> AgentsPanel::panelActions() const
{
    QList<QAction *> actions{m_findAction, m_parametersAction, m_toggleAction, m_sortAction};
    const QList<QAction *> editor = m_editor->editorActions();
    if (!editor.isEmpty()) {
        actions.append(m_separator);
        actions.append(editor);
    }
    return actions;
}

void AgentsPanel::buildLayout()
{
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(
        tr("Search id, name or description (%1)")
            .arg(m_findAction->shortcut().toString(QKeySequence::NativeText)));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDebounce->start(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_searchDebounce->stop();
        loadAgents();
    });
    m_typeFilter = new QComboBox(this);
    m_typeFilter->setObjectName(QStringLiteral("typeFilter"));
    m_typeFilter->setToolTip(tr("Only agents of this algorithm_type"));
    m_typeFilter->setMinimumContentsLength(14);
    m_typeFilter->addItem(tr("All types"), QString());
    connect(m_typeFilter, &QComboBox::currentIndexChanged, this, &AgentsPanel::loadAgents);
    m_activeOnly = new QCheckBox(tr("Active &only"), this);
    m_activeOnly->setObjectName(QStringLiteral("activeOnly"));
    m_activeOnly->setToolTip(tr("Only agents with is_active = true"));
    connect(m_activeOnly, &QCheckBox::toggled, this, &AgentsPanel::loadAgents);
    m_toggleButton = new QPushButton(m_toggleAction->icon(), tr("Toggle active"), this);
    m_toggleButton->setObjectName(QStringLiteral("toggleActiveButton"));
    connect(m_toggleButton, &QPushButton::clicked, m_toggleAction, &QAction::trigger);
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("countLabel"));
    m_count->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("000 agents")));
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_search, 1);
    filterRow->addWidget(m_typeFilter);
    filterRow->addWidget(m_activeOnly);
    filterRow->addSpacing(12);
    filterRow->addWidget(m_toggleButton);
    filterRow->addSpacing(12);
    filterRow->addWidget(m_count);

    m_readOnlyNote = new MessageBanner(this);
    m_readOnlyNote->setObjectName(QStringLiteral("readOnlyNote"));
    m_error = new MessageBanner(this);
    m_error->setObjectName(QStringLiteral("errorLabel"));

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("agentsView"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    const auto copied = [this](int rows) {
        Q_EMIT messagePosted(rows == 1 ? tr("Copied 1 row") : tr("Copied %1 rows").arg(rows));
    };
    // The agents' checkbox copies as true/false.
    TableCopy::install(m_table, [this](const QModelIndex &index) { return m_model->text(index); },
                       copied);
    // Said in the table itself when nothing matches, not only by the count.
    m_noMatch = new QLabel(m_table->viewport());
    m_noMatch->setObjectName(QStringLiteral("noMatchLabel"));
    m_noMatch->setAlignment(Qt::AlignCenter);
    m_noMatch->setStyleSheet(QStringLiteral("QLabel { color: #6b6b6b; padding: 24px; }"));
    m_noMatch->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_noMatch->hide();
    (new QVBoxLayout(m_table->viewport()))->addWidget(m_noMatch);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(AgentTableModel::AlgorithmId, Qt::AscendingOrder);
    header->setMinimumSectionSize(36);
    // Wide enough for the demo data's values; the name takes what is left.
    for (const auto &[column, width] : {std::pair{AgentTableModel::AlgorithmId, 46},
                                        {AgentTableModel::Name, 170},
                                        {AgentTableModel::Type, 86},
                                        {AgentTableModel::Active, 48},
                                        {AgentTableModel::ImpactScore, 52},
                                        {AgentTableModel::EsaLayers, 70},
                                        {AgentTableModel::Version, 56},
                                        {AgentTableModel::LastModifiedBy, 84},
                                        {AgentTableModel::LastModifiedAt, 116}})
        header->resizeSection(column, width);
    // Never a sideways scroll: what does not fit goes, the columns the detail pane repeats
    // first (issue 10: "Modified at" needed scrolling at 1,052 px).
    m_columns = new ColumnFitter(m_table, {AgentTableModel::Name}, 150,
                                 {AgentTableModel::LastModifiedBy, AgentTableModel::EsaLayers,
                                  AgentTableModel::Version, AgentTableModel::LastModifiedAt,
                                  AgentTableModel::Type, AgentTableModel::ImpactScore},
                                 QStringLiteral("agents/hiddenColumns"));
    connect(header, &QHeaderView::sortIndicatorChanged, this, &AgentsPanel::applySort);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &AgentsPanel::currentRowChanged);

    // The detail pane.
    m_detail = new AgentDetailView(this);
    TableCopy::install(m_detail->diffView(), {}, copied);

    m_topSplitter = new QSplitter(Qt::Horizontal, this);
    m_topSplitter->setObjectName(QStringLiteral("topSplitter"));
    m_topSplitter->addWidget(m_table);
    m_topSplitter->addWidget(m_detail);
    m_topSplitter->setStretchFactor(0, 2);
    m_topSplitter->setStretchFactor(1, 1);
    m_topSplitter->setChildrenCollapsible(false);
    m_topSplitter->setSizes({660, 380});

    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_topSplitter);
    m_mainSplitter->addWidget(m_editor);
    m_mainSplitter->setStretchFactor(0, 5);
    m_mainSplitter->setStretchFactor(1, 4);
    m_mainSplitter->setChildrenCollapsible(false);
    m_mainSplitter->setSizes({380, 300});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filterRow);
    layout->addWidget(m_readOnlyNote);
    layout->addWidget(m_error);
    layout->addWidget(m_mainSplitter, 1);

    Keyboard::setUpView(m_table);
    Keyboard::setUpView(m_detail->diffView());
    Keyboard::enterResultsOnDown(m_search, m_table);
    // F6: the search row, the agents, the detail, the parameters.
    Keyboard::cyclePanes(this, {m_search, m_table, m_detail->diffView(), m_editor});
    setTabOrder(m_search, m_typeFilter);
    setTabOrder(m_typeFilter, m_activeOnly);
    setTabOrder(m_activeOnly, m_toggleButton);
    setTabOrder(m_toggleButton, m_table);
    setTabOrder(m_table, m_detail->diffView());
    setTabOrder(m_detail->diffView(), m_editor);
}

void AgentsPanel::connectWorker()
{
    connect(m_worker, &AgentWorker::connectionOpened, this, &AgentsPanel::connectionOpened);
    connect(m_worker, &AgentWorker::connectionFailed, this, &AgentsPanel::connectionFailed);
    connect(m_worker, &AgentWorker::agentsLoaded, this, &AgentsPanel::agentsLoaded);
    connect(m_worker, &AgentWorker::activeSet, this, &AgentsPanel::activeSet);
    connect(m_worker, &AgentWorker::changeReceived, this,
            [this](const ParameterChangeNotice &notice) {
                // Another client's apply moves "last modified": reload the list once it
                // settles. Our own applies reload it when they are answered.
                if (notice.own)
                    return;
                if (m_open)
                    m_changeReload->start();
            });
}

void AgentsPanel::connectEditor()
{
    connect(m_editor, &ParameterEditor::parametersShown, this, &AgentsPanel::parametersShown);
    connect(m_editor, &ParameterEditor::changesApplied, this, [this](const ApplyResult &) {
        m_changeReload->stop(); // this load covers the apply's notices that came first
        loadAgents();
    });
    connect(m_editor, &ParameterEditor::busyChanged, this, [this](bool busy, const QString &what) {
        m_editorBusyText = busy ? what : QString();
        updateBusy();
    });
    connect(m_editor, &ParameterEditor::connectionLost, this, &Panel::connectionLost);
    connect(m_editor, &ParameterEditor::messagePosted, this, &Panel::messagePosted);
}

// ---------------------------------------------------------------------------------------------
// Connection

void AgentsPanel::setConnection(const ConnectionContext &context)
{
    const bool same = context.isValid() && context.options.toConninfo() == m_conninfo;
    storeConnection(context);
    // Whatever is on its way answers for the previous connection: dropped by id.
    m_requests.clear();
    m_agentsRequest = -1;
    for (const Toggle &toggle : std::as_const(m_toggles))
        m_model->setToggling(toggle.algorithmId, false);
    m_toggles.clear();
    m_open = false;
    m_changeReload->stop();
    m_searchDebounce->stop();
    clearError();
    // The editor keeps its pending edits whatever happens here: only a different connection
    // (which the window asked confirmDiscardPending for) clears the agent it shows. Told now,
    // it knows that the worker drops what it still had queued; the same connection keeps the
    // privileges it had (no read-only flash while it reopens), a new one's are not known yet.
    if (context.isValid() && !same)
        m_privileges = {};
    m_editor->setConnection(context, m_privileges);
    if (!context.isValid()) {
        m_opening = false;
        m_worker->clearConnection(); // drops what was queued: nothing of it answers
        m_model->setAgents({});
        m_count->clear();
        showDetail();
        updateToggleState();
        updateBusy();
        return;
    }
    if (!same) {
        m_conninfo = context.options.toConninfo();
        m_types.clear();
        updateTypes({}, true);
        m_model->setAgents({});
        m_shownId.clear();
        m_shownAgent = {};
        m_driftKnown = false;
        m_editor->showAgent({});
        showDetail();
    }
    openConnection();
}

void AgentsPanel::openConnection()
{
    // The worker drops what was queued for an earlier connection without answering, and
    // answers only the latest open.
    m_opening = true;
    m_open = false;
    m_worker->setConnection(connection().options);
    updateToggleState();
    updateBusy();
}

void AgentsPanel::connectionOpened(const Privileges &privileges)
{
    if (!connection().isValid())
        return; // disconnected meanwhile
    m_opening = false;
    m_open = true;
    m_privileges = privileges;
    clearError();
    m_editor->setConnection(connection(), privileges);
    updateToggleState();
    loadAgents();
    // The same connection back (after setConnection, or the worker reopening it after a
    // loss for the next request): the editor reloads its rows, keeping what is pending.
    if (!m_editor->algorithmId().isEmpty())
        m_editor->reload();
}

void AgentsPanel::connectionFailed(const DbError &error)
{
    if (!connection().isValid())
        return;
    m_opening = false;
    m_open = false; // refresh() tries again
    showError(tr("Could not open the connection for the agents: %1").arg(error.toString()));
    m_errorIsLoad = true;
    if (error.isConnectionLoss())
        Q_EMIT connectionLost(error);
    updateToggleState();
    updateBusy();
    Q_EMIT loaded();
}

void AgentsPanel::refresh()
{
    if (!connection().isValid())
        return;
    if (m_opening)
        return; // the open on its way loads everything
    if (!m_open) {
        // The last attempt failed: try again. Opening drops whatever the worker still has
        // queued, without an answer; the editor forgets its requests with setConnection.
        m_editor->setConnection(connection(), m_privileges);
        openConnection();
        return;
    }
    // After a loss the worker opens its connection again for the next request.
    loadAgents();
    m_editor->reload();
}

void AgentsPanel::cancel()
{
    if (!isBusy())
        return;
    m_worker->cancel();
    Q_EMIT messagePosted(tr("Cancelling…"));
}

bool AgentsPanel::isBusy() const
{
    return m_opening || !m_requests.isEmpty() || m_editor->isBusy();
}

bool AgentsPanel::confirmDiscardPending(const QString &what)
{
    return m_editor->confirmDiscard(what);
}

bool AgentsPanel::canToggle() const
{
    return m_open && m_privileges.canToggleAgents && !connection().readOnly;
}

// ---------------------------------------------------------------------------------------------
// The list

void AgentsPanel::loadAgents()
{
    m_searchDebounce->stop();
    m_changeReload->stop();
    if (!m_open)
        return;
    AgentFilter filter;
    filter.text = m_search->text().trimmed();
    filter.type = m_typeFilter->currentData().toString();
    filter.activeOnly = m_activeOnly->isChecked();
    AgentFilter::Sort sort = AgentFilter::ByAlgorithmId;
    if (AgentTableModel::serverSort(m_sortColumn, &sort)) {
        filter.sort = sort;
        filter.descending = m_sortOrder == Qt::DescendingOrder;
    }
    m_agentsRequest = m_worker->loadAgents(filter);
    m_requests.insert(m_agentsRequest);
    updateBusy();
}

void AgentsPanel::agentsLoaded(int request, const QList<Agent> &agents, const DbError &error)
{
    const bool mine = m_requests.remove(request);
    if (!mine || request != m_agentsRequest) {
        updateBusy(); // a newer request (or connection) wins
        return;
    }
    m_agentsRequest = -1;
    if (error.isError()) {
        // What was shown stays; the error says why it is not fresh.
        showError(tr("Could not load the agents: %1").arg(error.toString()));
        m_errorIsLoad = true;
        if (error.isConnectionLoss())
            Q_EMIT connectionLost(error);
        updateBusy();
        Q_EMIT loaded();
        return;
    }
    if (m_errorIsLoad)
        clearError();
    const bool unfiltered = m_search->text().trimmed().isEmpty() &&
                            m_typeFilter->currentData().toString().isEmpty() &&
                            !m_activeOnly->isChecked();
    updateTypes(agents, unfiltered);
    m_settingSelection = true;
    m_model->setAgents(agents, m_sortColumn, m_sortOrder);
    m_settingSelection = false;
    m_count->setText(agents.size() == 1 ? tr("1 agent") : tr("%1 agents").arg(agents.size()));
    const int row = m_model->rowOf(m_shownId);
    m_noMatch->setVisible(agents.isEmpty());
    m_noMatch->setText(unfiltered ? tr("This database has no agents yet.")
                                  : tr("No agent matches the search and filters."));
    if (row >= 0)
        m_shownAgent = m_model->agent(row);
    restoreSelection();
    if (!m_shownId.isEmpty() && row < 0 && m_editor->pendingCount() == 0) {
        // The filter hides the shown agent and nothing of it is pending: it goes, rather than
        // stay on screen as if selected. (With pending edits it stays, and the count says so.)
        m_shownId.clear();
        m_shownAgent = {};
        m_editor->showAgent({});
    }
    if (m_shownId.isEmpty() && m_model->rowCount() > 0) {
        // Nothing shown yet (a fresh connection): the first agent, so that the panel is
        // never an empty page.
        m_settingSelection = true;
        m_table->selectionModel()->setCurrentIndex(
            m_model->index(0, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_settingSelection = false;
        followSelection();
    }
    showDetail();
    updateToggleState();
    updateBusy();
    Q_EMIT loaded();
}

void AgentsPanel::updateTypes(const QList<Agent> &agents, bool complete)
{
    // A filtered list does not hold every type: then the known ones stay and new ones join.
    QStringList types = complete ? QStringList() : m_types;
    for (const Agent &agent : agents)
        if (!agent.algorithmType.isEmpty() && !types.contains(agent.algorithmType))
            types.append(agent.algorithmType);
    const QString chosen = m_typeFilter->currentData().toString();
    if (!chosen.isEmpty() && !types.contains(chosen))
        types.append(chosen); // the filter in use stays selectable
    std::sort(types.begin(), types.end());
    if (types == m_types && m_typeFilter->count() == types.size() + 1)
        return;
    m_types = types;
    const QSignalBlocker blocker(m_typeFilter);
    m_typeFilter->clear();
    m_typeFilter->addItem(tr("All types"), QString());
    for (const QString &type : std::as_const(m_types))
        m_typeFilter->addItem(type, type);
    m_typeFilter->setCurrentIndex(std::max(0, m_typeFilter->findData(chosen)));
}

void AgentsPanel::applySort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= AgentTableModel::ColumnCount)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    if (AgentTableModel::serverSort(column, nullptr)) {
        loadAgents(); // the server sorts with its fixed keys
        return;
    }
    // No server key (active, layers, version, modified by): sorted here, the server's
    // natural id order breaking ties. A list on its way is sorted when it arrives.
    if (m_agentsRequest >= 0) {
        loadAgents();
        return;
    }
    const QList<Agent> agents = m_model->agents();
    m_settingSelection = true;
    m_model->setAgents(agents, column, order);
    m_settingSelection = false;
    restoreSelection();
}

void AgentsPanel::sortByCurrentColumn()
{
    if (!isVisible())
        return;
    const QModelIndex current = m_table->currentIndex();
    const int column = current.isValid() ? current.column() : AgentTableModel::AlgorithmId;
    QHeaderView *header = m_table->horizontalHeader();
    Qt::SortOrder order = Qt::AscendingOrder;
    if (header->sortIndicatorSection() == column)
        order = header->sortIndicatorOrder() == Qt::AscendingOrder ? Qt::DescendingOrder
                                                                   : Qt::AscendingOrder;
    header->setSortIndicator(column, order); // → applySort
}

void AgentsPanel::restoreSelection()
{
    const int row = m_model->rowOf(m_shownId);
    m_settingSelection = true;
    if (row >= 0) {
        const int column = std::max(0, m_table->currentIndex().column());
        m_table->selectionModel()->setCurrentIndex(m_model->index(row, column),
                                                   QItemSelectionModel::ClearAndSelect |
                                                       QItemSelectionModel::Rows);
        m_table->scrollTo(m_model->index(row, 0));
    } else {
        // The shown agent is filtered out: the editor and the detail keep showing it.
        m_table->selectionModel()->clear();
    }
    m_settingSelection = false;
}

// ---------------------------------------------------------------------------------------------
// Selection: the detail pane and the editor follow

void AgentsPanel::currentRowChanged()
{
    if (m_settingSelection || m_followQueued)
        return;
    // After the mouse press or key is handled: asking about pending edits from inside the
    // view's event would leave it half-way through a click.
    m_followQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_followQueued = false;
        followSelection();
    });
}

void AgentsPanel::followSelection()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return; // nothing selected: keep showing what is shown
    const QString id = m_model->agent(current.row()).algorithmId;
    if (id == m_shownId)
        return;
    if (m_editor->pendingCount() > 0 && !m_editor->confirmDiscard(tr("Switch agent"))) {
        restoreSelection(); // refused: the selection goes back
        return;
    }
    m_shownId = id;
    m_shownAgent = m_model->agent(current.row());
    m_driftKnown = false;
    m_drift = {};
    m_editor->showAgent(id);
    showDetail();
    updateToggleState();
}

bool AgentsPanel::selectAgent(const QString &algorithmId)
{
    const int row = m_model->rowOf(algorithmId);
    if (row < 0)
        return false;
    m_settingSelection = true;
    m_table->selectionModel()->setCurrentIndex(
        m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_settingSelection = false;
    m_table->scrollTo(m_model->index(row, 0));
    followSelection();
    return m_shownId == algorithmId;
}

void AgentsPanel::parametersShown(const Agent &agent, const QList<Parameter> &parameters,
                                  const ConfigDrift &drift)
{
    Q_UNUSED(parameters);
    if (agent.algorithmId != m_shownId)
        return;
    m_shownAgent = agent; // the row as it is now: its config goes with this drift
    m_drift = drift;
    m_driftKnown = true;
    showDetail();
}

void AgentsPanel::showDetail()
{
    if (m_shownId.isEmpty()) {
        const QString connecting = connection().connecting;
        m_detail->showPlaceholder(
            connection().isValid() ? tr("No agent selected")
            : connecting.isEmpty() ? tr("Not connected")
                                   : tr("Connecting…"),
            connection().isValid()
                ? tr("Select an agent in the list to see its configuration and parameters.")
            : connecting.isEmpty() ? tr("Connect to a database (Ctrl+K) to see its agents.")
                                   : tr("%1 The agents appear once it is ready.").arg(connecting));
        return;
    }
    m_detail->showAgent(m_shownAgent, m_driftKnown ? &m_drift : nullptr);
}

// ---------------------------------------------------------------------------------------------
// Toggling active

void AgentsPanel::updateToggleState()
{
    const bool allowed = canToggle();
    m_model->setTogglable(allowed);
    const QModelIndex current = m_table->currentIndex();
    const bool selected = current.isValid();
    m_toggleAction->setEnabled(allowed && selected);
    m_toggleButton->setEnabled(m_toggleAction->isEnabled());
    const QString shortcut = m_toggleAction->shortcut().toString(QKeySequence::NativeText);
    QString why;
    if (connection().isValid() && m_open) {
        if (connection().readOnly)
            why = tr("This connection is read-only: agents cannot be switched on or off.");
        else if (!m_privileges.canToggleAgents)
            why = tr("Role \"%1\" may not switch agents on or off: that needs UPDATE on "
                     "algorithm_agents.is_active and INSERT on algorithm_changelog. Ask an "
                     "administrator for the privileges, or connect with another role.")
                      .arg(m_privileges.role);
    }
    m_readOnlyNote->showMessage(MessageBanner::Tone::Information, why);
    if (!why.isEmpty())
        m_toggleButton->setToolTip(why);
    else if (selected)
        m_toggleButton->setToolTip(
            tr("Switch %1 on or off; asks for a reason, written to the changelog (%2)")
                .arg(m_model->agent(current.row()).algorithmId, shortcut));
    else
        m_toggleButton->setToolTip(tr("Select an agent to switch it on or off (%1)").arg(shortcut));
    m_toggleAction->setToolTip(m_toggleButton->toolTip());
}

void AgentsPanel::toggleSelected()
{
    if (!isVisible())
        return;
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const Agent &agent = m_model->agent(current.row());
    requestToggle(agent.algorithmId, !agent.isActive);
}

void AgentsPanel::requestToggle(const QString &algorithmId, bool active)
{
    if (!canToggle()) {
        Q_EMIT messagePosted(m_readOnlyNote->text());
        return;
    }
    for (const Toggle &toggle : std::as_const(m_toggles))
        if (toggle.algorithmId == algorithmId)
            return; // one at a time per agent
    // The checkbox of another row: that agent becomes the selected one first, so that the
    // question is asked about what the user sees (pending edits of the shown one ask first;
    // keeping them cancels the toggle).
    if (algorithmId != m_shownId && !selectAgent(algorithmId))
        return;
    // Without an audit user id the changelog would record no user: asked once, before.
    ConnectionContext context = connection();
    if (!AuditIdentity::confirm(this, &context,
                                active ? tr("switch %1 on").arg(algorithmId)
                                       : tr("switch %1 off").arg(algorithmId)))
        return;
    storeConnection(context);
    const int row = m_model->rowOf(algorithmId);
    const QString name = row >= 0 ? m_model->agent(row).name : QString();
    const QString label = name.isEmpty() ? algorithmId : tr("%1 (%2)").arg(algorithmId, name);
    ActiveReasonDialog dialog(
        active ? tr("Activate %1").arg(algorithmId) : tr("Deactivate %1").arg(algorithmId),
        active ? tr("Why switch %1 on?").arg(label) : tr("Why switch %1 off?").arg(label), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (!confirmWrite(active ? tr("switch agent %1 on").arg(algorithmId)
                             : tr("switch agent %1 off").arg(algorithmId)))
        return;
    if (!canToggle())
        return; // the connection went while the dialog was open
    clearError();
    const int request =
        m_worker->setActive(algorithmId, active, dialog.reason(), connection().auditUser());
    m_requests.insert(request);
    m_toggles.insert(request, {algorithmId, active});
    m_model->setToggling(algorithmId, true);
    updateBusy();
}

void AgentsPanel::activeSet(int request, const QString &algorithmId, bool active,
                            const DbError &error)
{
    const bool mine = m_requests.remove(request);
    const Toggle toggle = m_toggles.take(request);
    if (!mine) {
        updateBusy();
        return;
    }
    m_model->setToggling(toggle.algorithmId.isEmpty() ? algorithmId : toggle.algorithmId, false);
    if (error.isError()) {
        // The checkbox shows the stored state again (the row never changed).
        QString text = tr("Could not switch %1 %2: %3")
                           .arg(algorithmId, active ? tr("on") : tr("off"), error.toString());
        if (error.sqlState == QLatin1String("42501"))
            text +=
                QLatin1Char('\n') +
                tr("Role \"%1\" lacks the privilege; nothing was changed.").arg(m_privileges.role);
        showError(text);
        m_errorIsLoad = false;
        Q_EMIT messagePosted(tr("%1 was not changed").arg(algorithmId));
        if (error.isConnectionLoss())
            Q_EMIT connectionLost(error);
        updateBusy();
        return;
    }
    Q_EMIT messagePosted(active ? tr("%1 switched on").arg(algorithmId)
                                : tr("%1 switched off").arg(algorithmId));
    loadAgents();
}

// ---------------------------------------------------------------------------------------------
// Busy state, errors, keyboard

QString AgentsPanel::ownBusyText() const
{
    if (m_opening)
        return tr("Connecting the Agents panel to %1…").arg(connection().profileName);
    if (!m_toggles.isEmpty()) {
        const Toggle &toggle = *m_toggles.cbegin();
        return toggle.active ? tr("Switching %1 on…").arg(toggle.algorithmId)
                             : tr("Switching %1 off…").arg(toggle.algorithmId);
    }
    if (!m_requests.isEmpty())
        return tr("Loading the agents…");
    return {};
}

void AgentsPanel::updateBusy()
{
    const QString what = ownBusyText();
    reportBusy(what.isEmpty() ? m_editorBusyText : what);
}

void AgentsPanel::showError(const QString &text)
{
    m_error->showMessage(MessageBanner::Tone::Error, text);
}

void AgentsPanel::clearError()
{
    m_error->clearMessage();
    m_errorIsLoad = false;
}
