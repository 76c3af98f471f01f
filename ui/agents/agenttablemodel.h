#pragma once

#include "repositories/agentrepository.h"

#include <QAbstractTableModel>
#include <QList>
#include <QSet>

// The agents list as the server sent it (already filtered and, for the columns with a server
// sort key, sorted). Columns without a server sort key are sorted here, stably, so that ties
// keep the server's natural algorithm_id order. The Active column is a checkbox: checking it
// does not change the row but asks for a toggle (activeToggleRequested); the row changes when
// the list is reloaded from the database.
class AgentTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        AlgorithmId,
        Name,
        Type,
        Active,
        ImpactScore,
        EsaLayers,
        Version,
        LastModifiedBy,
        LastModifiedAt,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // Replaces the rows; `clientSortColumn` >= 0 sorts them here by that column (one of those
    // serverSort() has no key for).
    void setAgents(const QList<Agent> &agents, int clientSortColumn = -1,
                   Qt::SortOrder order = Qt::AscendingOrder);
    const QList<Agent> &agents() const { return m_agents; }
    const Agent &agent(int row) const { return m_agents.at(row); }
    int rowOf(const QString &algorithmId) const; // -1 when not listed

    // Whether the Active checkbox may be used (the role may toggle agents).
    void setTogglable(bool togglable);
    // A toggle of this agent is on its way: its checkbox shows partially checked.
    void setToggling(const QString &algorithmId, bool toggling);

    // The server's sort key of a column; false for the columns sorted here.
    static bool serverSort(int column, AgentFilter::Sort *sort);
    // A cell as plain text for copying (the checkbox as true/false).
    QString text(const QModelIndex &index) const;

Q_SIGNALS:
    void activeToggleRequested(const QString &algorithmId, bool active);

private:
    QList<Agent> m_agents;
    QSet<QString> m_toggling;
    bool m_togglable = false;
};
