#pragma once

#include "panel.h"
#include "workers/agentworker.h"

#include <QSet>

class AgentDetailView;
class AgentListFilter;
class AgentTableModel;
class AgentTableView;
class AgentToggle;
class MessageBanner;
class ParameterEditor;
class QAction;
class QSplitter;
class QTimer;

// The Agents panel (issue 5, point 1 and the frame around the parameters): the agents table
// with search, type filter, active-only toggle and sortable columns; toggling active asks for a
// reason and is audited; a detail pane with description, file path, current_config beside
// default_config as a readable JSON diff and a drift badge; the ParameterEditor of the selected
// agent below. Owns the AgentWorker and its thread; AgentListFilter holds what the list shows,
// AgentToggle the switching on and off.
class AgentsPanel : public Panel
{
    Q_OBJECT

public:
    explicit AgentsPanel(QWidget *parent = nullptr);
    ~AgentsPanel() override;

    QString panelId() const override { return QStringLiteral("agents"); }
    QString panelTitle() const override { return tr("Agents"); }
    void setConnection(const ConnectionContext &context) override;
    void refresh() override; // reloads the list and the shown agent, keeping pending edits
    void cancel() override;
    bool isBusy() const override;
    QList<QAction *> panelActions() const override;
    bool confirmDiscardPending(const QString &what) override;
    // An agent (and one of its parameters) from another panel's link.
    bool showLink(const PanelLink &link) override;

    // Selects an agent as if clicked (for tests and --screenshot); false if not listed.
    bool selectAgent(const QString &algorithmId);
    ParameterEditor *parameterEditor() const;

    // The agent the detail pane and the editor show (empty: none).
    QString shownAgent() const { return m_shownId; }
    // Whether the role and the connection allow switching agents on and off.
    bool canToggle() const;

private:
    // Asks the production confirmation and stores the audit user id it asks for (both
    // Panel's, protected) on the way of a switch.
    friend class AgentToggle;

    void buildLayout();
    void buildActions();
    QList<QAction *> ownActions() const; // without the editor's
    void connectWorker();
    void connectEditor();
    void connectToggle();

    void openConnection();
    void loadAgents();
    void applySort(int column, Qt::SortOrder order);
    void restoreSelection();
    bool selectLinkedAgent(const QString &algorithmId);
    void currentRowChanged();
    void followSelection();
    void showDetail();
    void updateToggleState();
    void updateBusy();
    QString ownBusyText() const;
    void showError(const QString &text);
    void clearError();

    void connectionOpened(const Privileges &privileges);
    void connectionFailed(const DbError &error);
    void agentsLoaded(int request, const QList<Agent> &agents, const DbError &error);
    void parametersShown(const Agent &agent, const QList<Parameter> &parameters,
                         const ConfigDrift &drift);

    AgentWorker *m_worker = nullptr;
    AgentTableModel *m_model = nullptr;
    ParameterEditor *m_editor = nullptr;
    AgentListFilter *m_filter = nullptr;
    AgentToggle *m_toggle = nullptr;

    // Connection state. m_conninfo is of the last valid connection, to tell a new one from the
    // same one coming back.
    QString m_conninfo;
    bool m_opening = false; // the worker is opening the connection
    bool m_open = false;    // it has been opened (after a loss it reopens by itself)
    Privileges m_privileges;

    // List requests of this panel on their way (the editor and the toggle count their own).
    QSet<int> m_requests;
    int m_agentsRequest = -1; // the latest list request: older answers are dropped
    QString m_editorBusyText;

    // What is shown.
    QString m_shownId;
    Agent m_shownAgent;
    ConfigDrift m_drift;
    bool m_driftKnown = false;
    bool m_settingSelection = false; // selection changed by code, not by the user
    bool m_followQueued = false;
    bool m_errorIsLoad = false; // the error banner is about loading the list

    QTimer *m_changeReload = nullptr;

    QAction *m_parametersAction = nullptr; // focus the parameter editor
    QAction *m_separator = nullptr;        // between the panel's actions and the editor's
    QAction *m_historyAction = nullptr;    // the selected parameter's changelog (Ctrl+H)
    QString m_linkedParameter;             // a link's parameter, selected once it is shown
    QString m_linkedAgent; // a link's agent hidden by the search: selected once the list came

    MessageBanner *m_error = nullptr;
    AgentTableView *m_table = nullptr;
    AgentDetailView *m_detail = nullptr;
    QSplitter *m_topSplitter = nullptr;
    QSplitter *m_mainSplitter = nullptr;
};
