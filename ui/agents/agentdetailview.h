#pragma once

#include "repositories/agentrepository.h"

#include <QFrame>

class ConfigDiffModel;
class QLabel;
class QTableView;

// The Agents panel's detail pane: the shown agent's title, facts, description and file, its
// current_config beside default_config key by key, and the drift badge (whether current_config
// agrees with the parameter rows).
class AgentDetailView : public QFrame
{
    Q_OBJECT

public:
    explicit AgentDetailView(QWidget *parent = nullptr);

    // No agent: a title and a line saying why ("No agent selected", "Connecting…").
    void showPlaceholder(const QString &title, const QString &text);
    // `drift` null while the parameters (which tell it) have not arrived.
    void showAgent(const Agent &agent, const ConfigDrift *drift);
    QTableView *diffView() const;

private:
    void showDrift(const ConfigDrift *drift);

    ConfigDiffModel *m_diff = nullptr;
    QLabel *m_detailTitle = nullptr;
    QLabel *m_detailMeta = nullptr;
    QLabel *m_driftBadge = nullptr;
    QLabel *m_detailDescription = nullptr;
    QLabel *m_detailPath = nullptr;
    QLabel *m_diffSummary = nullptr;
    QTableView *m_diffView = nullptr;
};
