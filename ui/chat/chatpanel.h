#pragma once

#include "panel.h"
#include "repositories/chatrepository.h"

class ChatAgentModel;
class ChatDetailView;
class ChatFilterBar;
class ChatMessageModel;
class ChatWorker;
class HighlightDelegate;
class MessageBanner;
class QAction;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;
class QWidget;

// The Chat panel (issue 13, point 11): the agents with their message counts on the left; the
// selected agent's exchanges newest first, fetched a keyset page at a time as the list
// scrolls; the selected exchange in full below, its response rendered as Markdown. Filters by
// user and time, a search across every agent with the matches marked, copy an exchange as
// Markdown (Ctrl+C), export the conversation as a Markdown file. Owns the ChatWorker.
class ChatPanel : public Panel
{
    Q_OBJECT

public:
    explicit ChatPanel(QWidget *parent = nullptr);
    ~ChatPanel() override;

    QString panelId() const override { return QStringLiteral("chat"); }
    QString panelTitle() const override { return tr("Chat"); }
    void setConnection(const ConnectionContext &context) override;
    void refresh() override;
    void cancel() override;
    bool isBusy() const override;
    QList<QAction *> panelActions() const override;

    // Selects an agent as if clicked; false if not listed.
    bool selectAgent(const QString &algorithmId);
    // The agent whose conversation is shown (empty while searching every agent or none).
    QString shownAgent() const;
    // The filter the exchanges are shown for.
    ChatFilter currentFilter() const;
    // The selected exchanges as Markdown, oldest last (what Ctrl+C copies); empty for none.
    QString selectionMarkdown() const;
    // Exports the current conversation to `path` as the export action does after its dialog.
    void exportTo(const QString &path);
    bool isExporting() const { return m_exportRequest >= 0; }

    static constexpr int PageSize = 100;

private:
    void buildLayout();
    void buildActions();
    void connectWorker();

    void openConnection();
    void loadAgents();
    void reload(); // the first page of the current filter
    void fetchNextPage();
    void agentsLoaded(int request, const QList<ChatAgent> &agents, const DbError &error);
    void pageLoaded(int request, const ChatPage &page, const DbError &error);
    void agentRowChanged();
    void exchangeChanged();
    void copyExchange();
    void exportConversation();
    void exportFinished(int request, qint64 rows, const DbError &error);
    void updateCount();
    void updateBusy();
    void failed(const QString &text, const DbError &error);
    void finishLoad();

    ChatWorker *m_worker = nullptr;
    ChatAgentModel *m_agents = nullptr;
    ChatMessageModel *m_messages = nullptr;
    HighlightDelegate *m_highlight = nullptr;

    QString m_conninfo;
    bool m_opening = false;
    bool m_open = false;
    bool m_loadedSent = false;
    int m_agentsRequest = -1;
    int m_pageRequest = -1;
    int m_exportRequest = -1;
    qint64 m_exportRows = 0;
    QString m_exportPath;
    QString m_selectedAgent;     // the agent chosen in the list (kept across reloads)
    bool m_settingAgent = false; // the agent selection is changed by code

    MessageBanner *m_error = nullptr;
    ChatFilterBar *m_filterBar = nullptr;
    QTableView *m_agentView = nullptr;
    QTableView *m_exchangeView = nullptr;
    ChatDetailView *m_detail = nullptr;
    QWidget *m_exportBar = nullptr;
    QLabel *m_exportLabel = nullptr;
    QSplitter *m_splitter = nullptr;

    QAction *m_findAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_exportAction = nullptr;
};
