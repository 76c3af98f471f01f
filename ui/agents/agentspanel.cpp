#include "agentspanel.h"

#include "agentdetailview.h"
#include "agentlistfilter.h"
#include "agenttablemodel.h"
#include "agenttableview.h"
#include "agenttoggle.h"
#include "parameters/parametereditor.h"
#include "parameters/parametertablemodel.h"
#include "shell/keyboard.h"
#include "shell/messagebanner.h"
#include "shell/tablecopy.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

// Several changes from the feed (one apply of many parameters) reload the list once.
static constexpr int ChangeReloadMs = 500;

AgentsPanel::AgentsPanel(QWidget *parent)
    : Panel(parent)
    , m_worker(new AgentWorker)
    , m_model(new AgentTableModel(this))
    , m_changeReload(new QTimer(this))
{
    m_worker->start();
    m_editor = new ParameterEditor(m_worker, this);
    m_editor->setObjectName(QStringLiteral("parameterEditor"));

    m_changeReload->setSingleShot(true);
    m_changeReload->setInterval(ChangeReloadMs);
    connect(m_changeReload, &QTimer::timeout, this, &AgentsPanel::loadAgents);

    buildLayout();
    buildActions();
    connectWorker();
    connectEditor();
    connectToggle();
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
    m_historyAction = new QAction(tr("Parameter &history"), this);
    m_historyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    m_historyAction->setIcon(Icons::action(QStringLiteral("changelog")));
    m_historyAction->setToolTip(
        tr("The changelog of the selected parameter (or of the agent when none is selected)"));
    connect(m_historyAction, &QAction::triggered, this, [this] {
        if (!isVisible() || m_shownId.isEmpty())
            return;
        QString parameter;
        const QModelIndex current = m_editor->tableView()->currentIndex();
        if (current.isValid())
            parameter = current.siblingAtColumn(ParameterTableModel::Name).data().toString();
        Q_EMIT linkActivated({QStringLiteral("changelog"), m_shownId, parameter, {}, {}, {}});
    });
    m_separator = new QAction(this);
    m_separator->setSeparator(true);
    // So that the shortcuts also work when the panel stands alone (tests, --screenshot); the
    // main window adds them to itself as well.
    addActions(ownActions());
}

QList<QAction *> AgentsPanel::ownActions() const
{
    return {m_filter->findAction(), m_parametersAction, m_historyAction, m_toggle->action(),
            m_filter->sortAction()};
}

QList<QAction *> AgentsPanel::panelActions() const
{
    QList<QAction *> actions = ownActions();
    const QList<QAction *> editor = m_editor->editorActions();
    if (!editor.isEmpty()) {
        actions.append(m_separator);
        actions.append(editor);
    }
    return actions;
}

void AgentsPanel::buildLayout()
{
    m_table = new AgentTableView(m_model, this);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &AgentsPanel::currentRowChanged);
    m_filter = new AgentListFilter(m_table, this);
    connect(m_filter, &AgentListFilter::changed, this, &AgentsPanel::loadAgents);
    connect(m_filter, &AgentListFilter::sortChanged, this, &AgentsPanel::applySort);
    m_toggle = new AgentToggle(this, m_worker, m_model, m_table);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter->searchEdit(), 1);
    filterRow->addWidget(m_filter->typeFilter());
    filterRow->addWidget(m_filter->activeOnly());
    filterRow->addSpacing(12);
    filterRow->addWidget(m_toggle->button());
    filterRow->addSpacing(12);
    filterRow->addWidget(m_filter->countLabel());

    m_error = new MessageBanner(this);
    m_error->setObjectName(QStringLiteral("errorLabel"));

    // The detail pane.
    m_detail = new AgentDetailView(this);
    const auto copied = [this](int rows) {
        Q_EMIT messagePosted(rows == 1 ? tr("Copied 1 row") : tr("Copied %1 rows").arg(rows));
    };
    connect(m_table, &AgentTableView::rowsCopied, this, copied);
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
    layout->addWidget(m_toggle->note());
    layout->addWidget(m_error);
    layout->addWidget(m_mainSplitter, 1);

    QLineEdit *search = m_filter->searchEdit();
    Keyboard::setUpView(m_table);
    Keyboard::setUpView(m_detail->diffView());
    Keyboard::enterResultsOnDown(search, m_table);
    // F6: the search row, the agents, the detail, the parameters.
    Keyboard::cyclePanes(this, {search, m_table, m_detail->diffView(), m_editor});
    setTabOrder(search, m_filter->typeFilter());
    setTabOrder(m_filter->typeFilter(), m_filter->activeOnly());
    setTabOrder(m_filter->activeOnly(), m_toggle->button());
    setTabOrder(m_toggle->button(), m_table);
    setTabOrder(m_table, m_detail->diffView());
    setTabOrder(m_detail->diffView(), m_editor);
}

void AgentsPanel::connectWorker()
{
    connect(m_worker, &AgentWorker::connectionOpened, this, &AgentsPanel::connectionOpened);
    connect(m_worker, &AgentWorker::connectionFailed, this, &AgentsPanel::connectionFailed);
    connect(m_worker, &AgentWorker::agentsLoaded, this, &AgentsPanel::agentsLoaded);
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

void AgentsPanel::connectToggle()
{
    connect(m_toggle, &AgentToggle::sent, this, [this] {
        clearError();
        updateBusy();
    });
    connect(m_toggle, &AgentToggle::switched, this, &AgentsPanel::loadAgents);
    connect(m_toggle, &AgentToggle::failed, this, [this](const QString &text) {
        showError(text);
        m_errorIsLoad = false;
    });
    connect(m_toggle, &AgentToggle::busyChanged, this, &AgentsPanel::updateBusy);
    connect(m_toggle, &AgentToggle::messagePosted, this, &Panel::messagePosted);
    connect(m_toggle, &AgentToggle::connectionLost, this, &Panel::connectionLost);
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
    m_toggle->forget();
    m_open = false;
    m_changeReload->stop();
    m_filter->stopDebounce();
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
        m_filter->clearCount();
        showDetail();
        updateToggleState();
        updateBusy();
        return;
    }
    if (!same) {
        m_conninfo = context.options.toConninfo();
        m_filter->reset();
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
    return m_opening || !m_requests.isEmpty() || m_toggle->isBusy() || m_editor->isBusy();
}

bool AgentsPanel::confirmDiscardPending(const QString &what)
{
    return m_editor->confirmDiscard(what);
}

bool AgentsPanel::canToggle() const
{
    return m_toggle->isAllowed();
}

// ---------------------------------------------------------------------------------------------
// The list

void AgentsPanel::loadAgents()
{
    m_filter->stopDebounce();
    m_changeReload->stop();
    if (!m_open)
        return;
    m_agentsRequest = m_worker->loadAgents(m_filter->filter());
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
    m_settingSelection = true;
    m_model->setAgents(agents, m_filter->sortColumn(), m_filter->sortOrder());
    m_settingSelection = false;
    m_filter->showResult(agents);
    const int row = m_model->rowOf(m_shownId);
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
    if (!m_linkedAgent.isEmpty())
        selectLinkedAgent(std::exchange(m_linkedAgent, QString()));
    showDetail();
    updateToggleState();
    updateBusy();
    Q_EMIT loaded();
}

void AgentsPanel::applySort(int column, Qt::SortOrder order)
{
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

bool AgentsPanel::showLink(const PanelLink &link)
{
    if (link.algorithmId.isEmpty())
        return false;
    m_linkedParameter = link.parameterName;
    if (m_model->rowOf(link.algorithmId) < 0 && !m_filter->filter().text.isEmpty()) {
        // Hidden by the search: the link wins over it, and the agent is selected once the
        // list without the search has come.
        m_linkedAgent = link.algorithmId;
        m_filter->searchEdit()->clear();
        loadAgents();
        return true;
    }
    return selectLinkedAgent(link.algorithmId);
}

bool AgentsPanel::selectLinkedAgent(const QString &algorithmId)
{
    if (!selectAgent(algorithmId)) {
        Q_EMIT messagePosted(tr("%1 is not in the list of agents").arg(algorithmId));
        m_linkedParameter.clear();
        return false;
    }
    m_editor->tableView()->setFocus(Qt::OtherFocusReason);
    return true;
}

void AgentsPanel::parametersShown(const Agent &agent, const QList<Parameter> &parameters,
                                  const ConfigDrift &drift)
{
    Q_UNUSED(parameters);
    if (agent.algorithmId != m_shownId)
        return;
    if (!m_linkedParameter.isEmpty()) {
        auto *model = qobject_cast<ParameterTableModel *>(m_editor->tableView()->model());
        const int row = model ? model->rowOf(m_linkedParameter) : -1;
        if (row >= 0)
            m_editor->tableView()->setCurrentIndex(model->index(row, ParameterTableModel::Current));
        m_linkedParameter.clear();
    }
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

void AgentsPanel::updateToggleState()
{
    m_toggle->updateState(m_open, m_privileges);
}

// ---------------------------------------------------------------------------------------------
// Busy state, errors, keyboard

QString AgentsPanel::ownBusyText() const
{
    if (m_opening)
        return tr("Connecting the Agents panel to %1…").arg(connection().profileName);
    if (m_toggle->isBusy())
        return m_toggle->busyText();
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
