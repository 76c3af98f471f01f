#include "chat/chatagentmodel.h"

#include "shell/colours.h"

#include <QLocale>

void ChatAgentModel::setAgents(const QList<ChatAgent> &agents)
{
    beginResetModel();
    m_agents = agents;
    endResetModel();
}

int ChatAgentModel::rowOf(const QString &algorithmId) const
{
    for (int row = 0; row < m_agents.size(); ++row) {
        if (m_agents.at(row).algorithmId == algorithmId)
            return row;
    }
    return -1;
}

int ChatAgentModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_agents.size());
}

int ChatAgentModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChatAgentModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChatAgent &agent = m_agents.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == Agent)
            return agent.name.isEmpty() ? agent.algorithmId
                                        : agent.algorithmId + QStringLiteral(" · ") + agent.name;
        return QLocale().toString(agent.messageCount);
    case Qt::ToolTipRole:
        return tr("%1: %Ln message(s)", nullptr, int(qMin<qint64>(agent.messageCount, INT_MAX)))
            .arg(agent.algorithmId);
    case Qt::TextAlignmentRole:
        if (index.column() == Messages)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (agent.messageCount == 0)
            return Colours::muted();
        return {};
    case Qt::UserRole:
        return agent.algorithmId;
    default:
        return {};
    }
}

QVariant ChatAgentModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Agent:
        return tr("Agent");
    case Messages:
        return tr("Messages");
    default:
        return {};
    }
}
