#pragma once

#include "agentworker.h"
#include "panel.h"

class ParameterEditor;
class QThread;

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
};
