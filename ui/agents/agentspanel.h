#pragma once

#include "workers/agentworker.h"
#include "panel.h"

#include <QHash>
#include <QSet>

class AgentDetailView;
class AgentTableModel;
class ColumnFitter;
class MessageBanner;
class ParameterEditor;
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;

// The Agents panel (issue 5, point 1 and the frame around the parameters): the agents table
// with search, type filter, active-only toggle and sortable columns; toggling active asks for a
// reason and is audited; a detail pane with description, file path, current_config beside
// default_config as a readable JSON diff and a drift badge; the ParameterEditor of the selected
// agent below. Owns the AgentWorker and its thread.
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

    // Selects an agent as if clicked (for tests and --screenshot); false if not listed.
    bool selectAgent(const QString &algorithmId);
    ParameterEditor *parameterEditor() const;

    // The agent the detail pane and the editor show (empty: none).
    QString shownAgent() const { return m_shownId; }
    // Whether the role and the connection allow switching agents on and off.
    bool canToggle() const;

private:
    struct Toggle
    {
        QString algorithmId;
        bool active = false;
    };

    void buildActions();
    void buildLayout();
    void connectWorker();
    void connectEditor();

    void openConnection();
    void loadAgents();
    void applySort(int column, Qt::SortOrder order);
    void sortByCurrentColumn();
    void updateTypes(const QList<Agent> &agents, bool complete);
    void restoreSelection();
    void currentRowChanged();
    void followSelection();
    void showDetail();
    void updateToggleState();
    void updateBusy();
    QString ownBusyText() const;
    void showError(const QString &text);
    void clearError();

    void toggleSelected();
    void requestToggle(const QString &algorithmId, bool active);

    void connectionOpened(const Privileges &privileges);
    void connectionFailed(const DbError &error);
    void agentsLoaded(int request, const QList<Agent> &agents, const DbError &error);
    void activeSet(int request, const QString &algorithmId, bool active, const DbError &error);
    void parametersShown(const Agent &agent, const QList<Parameter> &parameters,
                         const ConfigDrift &drift);

    AgentWorker *m_worker = nullptr;
    AgentTableModel *m_model = nullptr;
    ParameterEditor *m_editor = nullptr;

    // Connection state. m_conninfo is of the last valid connection, to tell a new one from the
    // same one coming back.
    QString m_conninfo;
    bool m_opening = false; // the worker is opening the connection
    bool m_open = false;    // it has been opened (after a loss it reopens by itself)
    Privileges m_privileges;

    // Requests of this panel on their way (the editor counts its own).
    QSet<int> m_requests;
    int m_agentsRequest = -1; // the latest list request: older answers are dropped
    QHash<int, Toggle> m_toggles;
    QString m_editorBusyText;

    // What is shown.
    int m_sortColumn = 0;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    QStringList m_types;
    QString m_shownId;
    Agent m_shownAgent;
    ConfigDrift m_drift;
    bool m_driftKnown = false;
    bool m_settingSelection = false; // selection changed by code, not by the user
    bool m_followQueued = false;
    bool m_errorIsLoad = false; // the error banner is about loading the list

    QTimer *m_searchDebounce = nullptr;
    QTimer *m_changeReload = nullptr;
    // Change sets the editor applied: their notices are covered by the reload after the apply.

    QAction *m_findAction = nullptr;
    QAction *m_toggleAction = nullptr;
    QAction *m_sortAction = nullptr;
    QAction *m_parametersAction = nullptr; // focus the parameter editor
    QLabel *m_noMatch = nullptr;           // over the table when no agent matches
    QAction *m_separator = nullptr;        // between the panel's actions and the editor's

    QLineEdit *m_search = nullptr;
    QComboBox *m_typeFilter = nullptr;
    QCheckBox *m_activeOnly = nullptr;
    QPushButton *m_toggleButton = nullptr;
    QLabel *m_count = nullptr;
    MessageBanner *m_readOnlyNote = nullptr;
    MessageBanner *m_error = nullptr;
    QTableView *m_table = nullptr;
    AgentDetailView *m_detail = nullptr;
    ColumnFitter *m_columns = nullptr;
    QSplitter *m_topSplitter = nullptr;
    QSplitter *m_mainSplitter = nullptr;

};
