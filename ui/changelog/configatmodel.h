#pragma once

#include "repositories/timetravel.h"

#include <QAbstractTableModel>

// An agent's configuration at a moment beside today's, key by key: the keys that differ first
// marked (changed since, created since, gone since), then the rest.
class ConfigAtModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Key,
        Then,
        Now,
        State,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setConfig(const ConfigAt &config);
    const ConfigAt &config() const { return m_config; }
    int changedCount() const;
    static QString stateText(const ConfigAtEntry &entry);

private:
    ConfigAt m_config;
};
