#pragma once

#include "migrations/migrationengine.h"

#include <QAbstractTableModel>

// The sessions holding the lock a step waits for, as the last observation showed them.
class LockHolderModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Pid,
        Role,
        Application,
        State,
        Since,
        Query,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;
    // Rows of the same pid are updated in place, others inserted or removed, so that a view
    // refreshed every second keeps its selection and scroll position.
    void setHolders(const QList<LockHolder> &holders);
    const QList<LockHolder> &holders() const { return m_holders; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<LockHolder> m_holders;
};
