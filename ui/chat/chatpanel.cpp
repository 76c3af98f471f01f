#include "chat/chatpanel.h"

#include "chat/chatagentmodel.h"
#include "chat/chatdetailview.h"
#include "chat/chatfilterbar.h"
#include "chat/chatmessagemodel.h"
#include "chat/highlightdelegate.h"
#include "repositories/chatmarkdown.h"
#include "shell/keyboard.h"
#include "shell/messagebanner.h"
#include "workers/chatworker.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace {

// Ctrl+C in the exchange list copies the exchanges, before any window shortcut can take it.
class CopyFilter : public QObject
{
public:
    CopyFilter(QObject *parent, std::function<void()> copy)
        : QObject(parent)
        , m_copy(std::move(copy))
    {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) {
            auto *key = static_cast<QKeyEvent *>(event);
            if (key->matches(QKeySequence::Copy)) {
                if (event->type() == QEvent::KeyPress)
                    m_copy();
                event->accept();
                return true;
            }
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_copy;
};

} // namespace

ChatPanel::ChatPanel(QWidget *parent)
    : Panel(parent)
    , m_worker(new ChatWorker)
    , m_agents(new ChatAgentModel(this))
    , m_messages(new ChatMessageModel(this))
{
    m_worker->start();
    connect(m_messages, &ChatMessageModel::fetchRequested, this, &ChatPanel::fetchNextPage);
    buildActions();
    buildLayout();
    connectWorker();
    m_detail->showNothing(tr("Not connected."));
}

ChatPanel::~ChatPanel()
{
    m_worker->disconnect(this);
    m_worker->cancelExport();
    m_worker->shutdown();
}

// ---------------------------------------------------------------------------------------------
// Building

void ChatPanel::buildActions()
{
    m_findAction = new QAction(tr("&Search all agents"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setIcon(Icons::action(QStringLiteral("find")));
    connect(m_findAction, &QAction::triggered, this, [this] {
        if (!isVisible())
            return;
        m_filterBar->searchEdit()->setFocus(Qt::ShortcutFocusReason);
        m_filterBar->searchEdit()->selectAll();
    });
    m_copyAction = new QAction(tr("&Copy exchange as Markdown"), this);
    m_copyAction->setIcon(Icons::action(QStringLiteral("copy")));
    m_copyAction->setToolTip(tr("Ctrl+C in the list of exchanges"));
    connect(m_copyAction, &QAction::triggered, this, &ChatPanel::copyExchange);
    m_exportAction = new QAction(tr("&Export conversation…"), this);
    m_exportAction->setIcon(Icons::action(QStringLiteral("export")));
    m_exportAction->setToolTip(tr("Write the shown conversation to a Markdown file"));
    m_exportAction->setEnabled(false);
    connect(m_exportAction, &QAction::triggered, this, &ChatPanel::exportConversation);
    addActions({m_findAction});
}

QList<QAction *> ChatPanel::panelActions() const
{
    return {m_findAction, m_copyAction, m_exportAction};
}

void ChatPanel::buildLayout()
{
    m_filterBar = new ChatFilterBar(m_findAction, m_exportAction, this);
    connect(m_filterBar, &ChatFilterBar::changed, this, &ChatPanel::reload);
    connect(m_filterBar, &ChatFilterBar::timeInvalid, this, [this](bool invalid) {
        if (invalid)
            m_error->showMessage(MessageBanner::Tone::Warning,
                                 tr("A time reads YYYY-MM-DD, YYYY-MM-DD HH:MM or "
                                    "YYYY-MM-DD HH:MM:SS (UTC)."));
        else if (m_error->tone() == MessageBanner::Tone::Warning)
            m_error->clearMessage();
    });
    m_error = new MessageBanner(this);
    m_error->setObjectName(QStringLiteral("errorLabel"));

    m_exportBar = new QWidget(this);
    auto *exportLayout = new QHBoxLayout(m_exportBar);
    exportLayout->setContentsMargins(0, 0, 0, 0);
    m_exportLabel = new QLabel(m_exportBar);
    m_exportLabel->setObjectName(QStringLiteral("exportProgress"));
    auto *cancelExport = new QPushButton(tr("Cancel export"), m_exportBar);
    cancelExport->setObjectName(QStringLiteral("cancelExport"));
    connect(cancelExport, &QPushButton::clicked, this, &ChatPanel::cancel);
    exportLayout->addWidget(m_exportLabel, 1);
    exportLayout->addWidget(cancelExport);
    m_exportBar->hide();

    m_agentView = new QTableView(this);
    m_agentView->setObjectName(QStringLiteral("chatAgentsView"));
    m_agentView->setModel(m_agents);
    m_agentView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_agentView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_agentView->verticalHeader()->hide();
    m_agentView->horizontalHeader()->setSectionResizeMode(ChatAgentModel::Agent,
                                                          QHeaderView::Stretch);
    m_agentView->horizontalHeader()->setSectionResizeMode(ChatAgentModel::Messages,
                                                          QHeaderView::ResizeToContents);
    m_agentView->setWordWrap(false);
    connect(m_agentView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ChatPanel::agentRowChanged);

    m_exchangeView = new QTableView(this);
    m_exchangeView->setObjectName(QStringLiteral("chatExchangesView"));
    m_exchangeView->setModel(m_messages);
    m_highlight = new HighlightDelegate(m_exchangeView);
    m_exchangeView->setItemDelegate(m_highlight);
    m_exchangeView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_exchangeView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_exchangeView->verticalHeader()->hide();
    // Fixed row heights: the view never measures a row's text, so long messages cost nothing.
    m_exchangeView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_exchangeView->setWordWrap(false);
    m_exchangeView->setTextElideMode(Qt::ElideRight);
    QHeaderView *header = m_exchangeView->horizontalHeader();
    // Widths from the font, not ResizeToContents: that measures every row the model holds.
    const QFontMetrics metrics(m_exchangeView->font());
    const int padding = 3 * metrics.averageCharWidth();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->resizeSection(ChatMessageModel::Time,
                          metrics.horizontalAdvance(QStringLiteral("2026-12-31 23:59:59")) +
                              padding);
    header->resizeSection(ChatMessageModel::Agent,
                          metrics.horizontalAdvance(QStringLiteral("Agent A30")) + padding);
    header->resizeSection(ChatMessageModel::User,
                          metrics.horizontalAdvance(QStringLiteral("User 999")) + padding);
    header->setSectionResizeMode(ChatMessageModel::Message, QHeaderView::Stretch);
    header->setSectionResizeMode(ChatMessageModel::Response, QHeaderView::Stretch);
    m_exchangeView->setColumnHidden(ChatMessageModel::Agent, true);
    m_exchangeView->installEventFilter(new CopyFilter(this, [this] { copyExchange(); }));
    connect(m_exchangeView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ChatPanel::exchangeChanged);

    m_detail = new ChatDetailView(this);
    m_detail->setObjectName(QStringLiteral("chatDetail"));

    auto *right = new QSplitter(Qt::Vertical, this);
    right->setObjectName(QStringLiteral("chatRightSplitter"));
    right->addWidget(m_exchangeView);
    right->addWidget(m_detail);
    right->setStretchFactor(0, 2);
    right->setStretchFactor(1, 3);
    right->setChildrenCollapsible(false);
    right->setSizes({280, 420});

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("chatSplitter"));
    m_splitter->addWidget(m_agentView);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 4);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setSizes({260, 1000});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_error);
    layout->addWidget(m_exportBar);
    layout->addWidget(m_splitter, 1);

    Keyboard::setUpView(m_agentView);
    Keyboard::setUpView(m_exchangeView);
    QLineEdit *search = m_filterBar->searchEdit();
    Keyboard::enterResultsOnDown(search, m_exchangeView);
    Keyboard::cyclePanes(this, {search, m_agentView, m_exchangeView, m_detail});
    setTabOrder(m_filterBar, m_agentView);
    setTabOrder(m_agentView, m_exchangeView);
    setTabOrder(m_exchangeView, m_detail);
}

void ChatPanel::connectWorker()
{
    connect(m_worker, &ChatWorker::connectionOpened, this, [this] {
        if (!connection().isValid())
            return;
        m_opening = false;
        m_open = true;
        m_error->clearMessage();
        loadAgents();
    });
    connect(m_worker, &ChatWorker::connectionFailed, this, [this](const DbError &error) {
        if (!connection().isValid())
            return;
        m_opening = false;
        m_open = false;
        failed(tr("Could not open the connection for the chat"), error);
        finishLoad();
    });
    connect(m_worker, &ChatWorker::agentsLoaded, this, &ChatPanel::agentsLoaded);
    connect(m_worker, &ChatWorker::pageLoaded, this, &ChatPanel::pageLoaded);
    connect(m_worker, &ChatWorker::exportProgress, this, [this](int request, qint64 rows) {
        if (request != m_exportRequest)
            return;
        m_exportRows = rows;
        m_exportLabel->setText(tr("Exporting to %1: %2 exchanges written…")
                                   .arg(m_exportPath, QLocale().toString(rows)));
        updateBusy();
    });
    connect(m_worker, &ChatWorker::exportFinished, this, &ChatPanel::exportFinished);
}

// ---------------------------------------------------------------------------------------------
// Connection

void ChatPanel::setConnection(const ConnectionContext &context)
{
    const bool same = context.isValid() && context.options.toConninfo() == m_conninfo;
    storeConnection(context);
    m_agentsRequest = -1;
    m_pageRequest = -1;
    if (m_exportRequest >= 0) {
        m_worker->cancelExport();
        m_exportRequest = -1;
        m_exportBar->hide();
    }
    m_open = false;
    m_filterBar->stopDebounce();
    m_error->clearMessage();
    m_messages->pageFailed();
    if (!context.isValid()) {
        m_opening = false;
        m_worker->clearConnection();
        m_agents->setAgents({});
        m_messages->reset({});
        m_messages->appendPage({});
        m_detail->showNothing(context.connecting.isEmpty() ? tr("Not connected.")
                                                           : context.connecting);
        updateCount();
        updateBusy();
        return;
    }
    if (!same) {
        m_conninfo = context.options.toConninfo();
        m_loadedSent = false;
        m_selectedAgent.clear();
        m_agents->setAgents({});
        m_messages->reset({});
        m_messages->appendPage({});
        m_detail->showNothing(tr("Loading…"));
    }
    openConnection();
}

void ChatPanel::openConnection()
{
    m_opening = true;
    m_open = false;
    m_worker->setConnection(connection().options);
    updateBusy();
}

void ChatPanel::refresh()
{
    if (!connection().isValid() || m_opening)
        return;
    if (!m_open) {
        openConnection();
        return;
    }
    loadAgents();
}

void ChatPanel::cancel()
{
    if (m_exportRequest >= 0)
        m_worker->cancelExport();
    if (!isBusy())
        return;
    m_worker->cancel();
    Q_EMIT messagePosted(tr("Cancelling…"));
}

bool ChatPanel::isBusy() const
{
    return m_opening || m_agentsRequest >= 0 || m_pageRequest >= 0 || m_exportRequest >= 0;
}

// ---------------------------------------------------------------------------------------------
// Loading

void ChatPanel::loadAgents()
{
    if (!m_open)
        return;
    m_agentsRequest = m_worker->loadAgents();
    updateBusy();
}

void ChatPanel::agentsLoaded(int request, const QList<ChatAgent> &agents, const DbError &error)
{
    if (request != m_agentsRequest)
        return; // a newer request or connection wins
    m_agentsRequest = -1;
    if (error.isError()) {
        failed(tr("Could not count the messages of the agents"), error);
        updateBusy();
        finishLoad();
        return;
    }
    m_settingAgent = true;
    m_agents->setAgents(agents);
    int row = m_agents->rowOf(m_selectedAgent);
    if (row < 0) {
        // The first agent that has something to read.
        for (int r = 0; r < agents.size() && row < 0; ++r) {
            if (agents.at(r).messageCount > 0)
                row = r;
        }
        if (row < 0 && !agents.isEmpty())
            row = 0;
    }
    if (row >= 0) {
        m_selectedAgent = m_agents->agent(row).algorithmId;
        m_agentView->setCurrentIndex(m_agents->index(row, ChatAgentModel::Agent));
    }
    m_settingAgent = false;
    m_exportAction->setEnabled(!m_selectedAgent.isEmpty());
    reload();
    if (agents.isEmpty()) {
        m_detail->showNothing(tr("There are no agents."));
        finishLoad();
    }
}

ChatFilter ChatPanel::currentFilter() const
{
    return m_filterBar->filter(m_selectedAgent);
}

void ChatPanel::reload()
{
    m_filterBar->stopDebounce();
    if (!m_open)
        return;
    const ChatFilter filter = currentFilter();
    const bool searching = !filter.text.isEmpty();
    m_highlight->setTerm(filter.text);
    m_exchangeView->setColumnHidden(ChatMessageModel::Agent, !searching);
    // While the search covers every agent, none is shown as chosen; after it, the chosen one is.
    m_settingAgent = true;
    const int agentRow = m_agents->rowOf(m_selectedAgent);
    if (searching)
        m_agentView->selectionModel()->clear();
    else if (agentRow >= 0 && m_agentView->currentIndex().row() != agentRow)
        m_agentView->setCurrentIndex(m_agents->index(agentRow, ChatAgentModel::Agent));
    m_settingAgent = false;
    m_messages->reset(filter);
    if (filter.algorithmId.isEmpty() && !searching) {
        m_messages->appendPage({}); // no agent to show
        m_pageRequest = -1;
        updateCount();
        updateBusy();
        return;
    }
    m_detail->showNothing(tr("Loading…"));
    m_pageRequest = m_worker->loadPage(filter, std::nullopt, PageSize);
    updateCount();
    updateBusy();
}

void ChatPanel::fetchNextPage()
{
    if (!m_open) {
        m_messages->pageFailed();
        return;
    }
    m_pageRequest = m_worker->loadPage(m_messages->filter(), m_messages->nextCursor(), PageSize);
    updateBusy();
}

void ChatPanel::pageLoaded(int request, const ChatPage &page, const DbError &error)
{
    if (request != m_pageRequest)
        return; // overtaken by a newer filter
    m_pageRequest = -1;
    if (error.isError()) {
        m_messages->pageFailed();
        failed(tr("Could not read the chat"), error);
        updateBusy();
        finishLoad();
        return;
    }
    if (m_error->tone() == MessageBanner::Tone::Error)
        m_error->clearMessage();
    const bool first = m_messages->rowCount() == 0;
    m_messages->appendPage(page);
    if (first) {
        if (m_messages->rowCount() > 0)
            m_exchangeView->setCurrentIndex(m_messages->index(0, ChatMessageModel::Message));
        else
            m_detail->showNothing(m_messages->filter().text.isEmpty()
                                      ? tr("No exchanges match.")
                                      : tr("No message or response of any agent contains “%1”.")
                                            .arg(m_messages->filter().text));
    }
    updateCount();
    updateBusy();
    finishLoad();
}

void ChatPanel::finishLoad()
{
    if (m_loadedSent)
        return;
    m_loadedSent = true;
    Q_EMIT loaded();
}

// ---------------------------------------------------------------------------------------------
// Selection

bool ChatPanel::selectAgent(const QString &algorithmId)
{
    const int row = m_agents->rowOf(algorithmId);
    if (row < 0)
        return false;
    m_agentView->setCurrentIndex(m_agents->index(row, ChatAgentModel::Agent));
    return true;
}

QString ChatPanel::shownAgent() const
{
    return m_messages->filter().algorithmId;
}

void ChatPanel::agentRowChanged()
{
    if (m_settingAgent)
        return;
    const QModelIndex current = m_agentView->currentIndex();
    if (!current.isValid())
        return;
    m_selectedAgent = m_agents->agent(current.row()).algorithmId;
    m_exportAction->setEnabled(true);
    // Choosing an agent reads its conversation: the search across every agent ends.
    m_filterBar->clearSearch();
    reload();
}

void ChatPanel::exchangeChanged()
{
    const QModelIndex current = m_exchangeView->currentIndex();
    if (!current.isValid()) {
        m_detail->showNothing(QString());
        return;
    }
    m_detail->showExchange(m_messages->message(current.row()), m_messages->filter().text);
}

void ChatPanel::updateCount()
{
    const int rows = m_messages->rowCount();
    QString text;
    if (m_messages->filter().text.isEmpty())
        text = tr("%1 exchanges").arg(QLocale().toString(rows));
    else
        text = tr("%1 matches in every agent").arg(QLocale().toString(rows));
    if (!m_messages->isComplete())
        text += tr(" (more as you scroll)");
    m_filterBar->setCount(text);
}

// ---------------------------------------------------------------------------------------------
// Copy and export

QString ChatPanel::selectionMarkdown() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_exchangeView->selectionModel()->selectedRows())
        rows.append(index.row());
    if (rows.isEmpty() && m_exchangeView->currentIndex().isValid())
        rows.append(m_exchangeView->currentIndex().row());
    std::sort(rows.begin(), rows.end());
    QStringList parts;
    for (int row : rows)
        parts.append(ChatMarkdown::exchange(m_messages->message(row)));
    return parts.join(QLatin1Char('\n'));
}

void ChatPanel::copyExchange()
{
    const QString text = selectionMarkdown();
    if (text.isEmpty())
        return;
    QApplication::clipboard()->setText(text);
    const int rows = int(m_exchangeView->selectionModel()->selectedRows().size());
    Q_EMIT messagePosted(rows > 1 ? tr("Copied %1 exchanges as Markdown").arg(rows)
                                  : tr("Copied the exchange as Markdown"));
}

void ChatPanel::exportConversation()
{
    if (m_selectedAgent.isEmpty() || isExporting())
        return;
    const QString suggested = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) +
                              QStringLiteral("/chat-%1.md").arg(m_selectedAgent);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export conversation"), suggested,
                                                      tr("Markdown (*.md);;All files (*)"));
    if (!path.isEmpty())
        exportTo(path);
}

void ChatPanel::exportTo(const QString &path)
{
    if (!m_open || m_selectedAgent.isEmpty() || isExporting())
        return;
    // The selected agent's conversation under the user and time filters (not the search).
    ChatFilter filter = currentFilter();
    filter.text.clear();
    filter.algorithmId = m_selectedAgent;
    const int row = m_agents->rowOf(m_selectedAgent);
    const QString name = row >= 0 ? m_agents->agent(row).name : QString();
    m_exportPath = path;
    m_exportRows = 0;
    m_exportRequest =
        m_worker->exportConversation(filter, path, ChatMarkdown::title(m_selectedAgent, name));
    m_exportLabel->setText(tr("Exporting to %1…").arg(path));
    m_exportBar->show();
    m_exportAction->setEnabled(false);
    updateBusy();
}

void ChatPanel::exportFinished(int request, qint64 rows, const DbError &error)
{
    if (request != m_exportRequest)
        return;
    m_exportRequest = -1;
    m_exportBar->hide();
    m_exportAction->setEnabled(!m_selectedAgent.isEmpty());
    if (error.isError()) {
        if (error.message == QStringLiteral("cancelled") || error.sqlState == "57014")
            Q_EMIT messagePosted(tr("Export cancelled; nothing was written"));
        else
            failed(tr("Could not export the conversation"), error);
    } else {
        Q_EMIT messagePosted(
            tr("Exported %1 exchanges to %2").arg(QLocale().toString(rows), m_exportPath));
    }
    updateBusy();
}

// ---------------------------------------------------------------------------------------------

void ChatPanel::failed(const QString &text, const DbError &error)
{
    m_error->showMessage(MessageBanner::Tone::Error,
                         (text + QStringLiteral(": ") + error.toString()).toHtmlEscaped());
    if (error.isConnectionLoss())
        Q_EMIT connectionLost(error);
}

void ChatPanel::updateBusy()
{
    QString what;
    if (m_exportRequest >= 0)
        what =
            tr("Exporting the conversation (%1 exchanges)…").arg(QLocale().toString(m_exportRows));
    else if (m_opening)
        what = tr("Opening the chat…");
    else if (m_agentsRequest >= 0)
        what = tr("Counting messages…");
    else if (m_pageRequest >= 0)
        what = tr("Reading the chat…");
    reportBusy(what);
}
