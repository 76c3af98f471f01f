#pragma once

#include "repositories/chatrepository.h"

#include <QAbstractTableModel>

// The Chat panel's agents: id and name, and how many messages each has.
class ChatAgentModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Agent,
        Messages,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setAgents(const QList<ChatAgent> &agents);
    const ChatAgent &agent(int row) const { return m_agents.at(row); }
    int rowOf(const QString &algorithmId) const; // -1 when not listed

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<ChatAgent> m_agents;
};
