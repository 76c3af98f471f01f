#pragma once

#include "agentworker.h"
#include "panel.h"

#include <QWidget>

class QAction;

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
    // or context.readOnly: editing disabled, with an explanation).
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
    bool confirmDiscard(const QString &what);
    bool isBusy() const;

    // Undo, Redo, Reset row to default, Reset agent to defaults, Preview, Apply, Discard:
    // with shortcuts (Ctrl+Z, Ctrl+Shift+Z, …) for the panel's menu.
    QList<QAction *> editorActions() const;

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
};
