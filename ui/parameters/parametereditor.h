#pragma once

#include "editing/lostapply.h"
#include "editing/pendingedits.h"
#include "panel.h"
#include "parametertableview.h"
#include "workers/agentworker.h"

#include <QPointer>
#include <QSet>
#include <QWidget>

#include <utility>

class ApplyDialog;
class ConflictResolution;
class ParameterActions;
class ParameterDelegate;
class ParameterTableModel;
class PreviewDialog;
class QAction;
class MessageBanner;
class QLabel;
class QPushButton;
class QTableView;
class QTimer;
class QUndoStack;

// The parameters of one agent (issue 5, points 2–8): a table with an editor per type that
// never commits a value failing validateParameterValue (the reason and allowed range shown
// inline), pending edits with undo/redo (QUndoStack), reset to default, a bar with
// "N pending changes" and Preview / Apply / Discard, the preview, reason, production and
// conflict dialogs, live refresh from the change feed (a pending edit on a row another client
// changed stays and is marked as conflicting), read-only mode with an explanation.
// Its database work goes through the AgentWorker it is given (owned by the Agents panel).
class ParameterEditor : public QWidget
{
    Q_OBJECT

public:
    ParameterEditor(AgentWorker *worker, QWidget *parent = nullptr);
    ~ParameterEditor() override;

    // The window's connection and what the role may do (privileges.canUpdateParameters false
    // or context.readOnly: editing disabled, with an explanation). Privileges without a role
    // (not known yet: the worker's connection is being reopened, dropping its queued work)
    // also forget the requests in flight; known privileges keep them.
    void setConnection(const ConnectionContext &context, const Privileges &privileges);
    // Shows (loads) `algorithmId`'s parameters; empty = none. The caller has already asked
    // about pending edits of the agent shown before (confirmDiscard) — they are dropped here.
    void showAgent(const QString &algorithmId);
    QString algorithmId() const;
    // Reloads the rows from the database, keeping the pending edits (after a reconnect).
    void reload();

    int pendingCount() const;
    // With pending edits asks "Discard N pending changes to <agent>?" (`what` names the cause:
    // "Switch agent", "Quit"); true when there were none or the user agreed (then dropped).
    // False without asking while an apply or a preview runs (its edits are being written).
    bool confirmDiscard(const QString &what);
    bool isBusy() const;

    // Undo, Redo, Reset row to default, Reset agent to defaults, Preview, Apply, Discard:
    // with shortcuts (Ctrl+Z, Ctrl+Shift+Z, …) for the panel's menu.
    QList<QAction *> editorActions() const;

    // For tests and screenshots.
    ParameterTableModel *model() const { return m_model; }
    QTableView *tableView() const { return m_table; }
    QUndoStack *undoStack() const { return m_undo; }
    QString messageText() const;  // the inline message under the table
    QString readOnlyText() const; // the read-only banner, empty when editable
    QString pendingText() const;  // "N pending changes"
    void preview();
    void apply();
    void discard();
    void resetRow();
    void resetAgent();
    void copySelection();

Q_SIGNALS:
    // Rows arrived for the agent (its current row, the parameters, the drift).
    void parametersShown(const Agent &agent, const QList<Parameter> &parameters,
                         const ConfigDrift &drift);
    void pendingChanged(int count);
    // An apply committed: the agents list shows new last-modified values.
    void changesApplied(const ApplyResult &result);
    void busyChanged(bool busy, const QString &what);
    void connectionLost(const DbError &error);
    void messagePosted(const QString &message);

private:
    void buildActions();
    void buildLayout();
    void updateState();
    void setMessage(const QString &html, bool error);
    bool m_messageIsApplied = false; // the message row says what the last apply did
    void valueChecked(const ParameterRule &rule, const QString &typed, const QString &stored,
                      const Validation &validation, bool refused);
    void valueEdited(const QString &name, const std::optional<PendingEdit> &before,
                     const std::optional<PendingEdit> &after);
    void startApply(const QString &reason);
    void startRequest(int *slot, int request, const QString &what);
    void finishRequest(int *slot);
    bool reportLoss(const DbError &error);
    int userId() const;

    void parametersLoaded(int request, const Agent &agent, const QList<Parameter> &parameters,
                          const ConfigDrift &drift, const DbError &error);
    void simulated(int request, const SimulateResult &result, const DbError &error);
    void applied(int request, const ApplyResult &result, const DbError &error);
    void changeReceived(const ParameterChangeNotice &notice);
    void resolveConflicts();
    void finishResolution();
    bool reloadPending() const;

    AgentWorker *m_worker;
    ConnectionContext m_context;
    Privileges m_privileges;
    bool m_readOnly = true;
    QString m_algorithmId;
    Agent m_agent;
    QStringList m_knownConflicts; // conflicting rows already announced

    ParameterTableModel *m_model;
    ParameterDelegate *m_delegate;
    ParameterTableView *m_table = nullptr;
    QUndoStack *m_undo;
    QTimer *m_reloadTimer;
    QLabel *m_title = nullptr;
    MessageBanner *m_readOnlyBanner = nullptr;
    MessageBanner *m_message = nullptr;
    // The actions, the pending bar and the edits the actions make.
    ParameterActions *m_actions;

    // Requests in flight (0 = none): an answer with another id is stale and dropped.
    int m_loadRequest = 0;
    int m_simulateRequest = 0;
    int m_applyRequest = 0;
    int m_lastPendingCount = 0;
    bool m_reloadAgain = false;           // a change arrived while a load was running
    QList<ParameterChange> m_sentChanges; // of the running simulate or apply
    QString m_applyAgent;
    QString m_lastReason;
    // An apply that lost its connection may have committed: a later conflict caused by that
    // very change set is recognised as ours.
    LostApply m_lost;
    // The conflict dialog of a refused apply and its decisions waiting for a reload.
    ConflictResolution *m_conflicts;

    QPointer<PreviewDialog> m_previewDialog;
    QPointer<ApplyDialog> m_applyDialog;
};
