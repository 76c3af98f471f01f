#pragma once

#include "migrations/migration.h"
#include "migrations/migrationengine.h"

#include <QAbstractTableModel>
#include <QHash>

// The migrations of the chosen set and their state in the database: applied (when, by whom,
// how long), pending, changed on disk (the applied file's checksum differs) or missing on disk.
class MigrationListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Version,
        Name,
        State,
        AppliedAt,
        AppliedBy,
        Milliseconds,
        Steps,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;
    // `set` gives each migration's number of steps.
    void setMigrations(const QList<MigrationStatus> &migrations, const MigrationSet &set = {});
    const QList<MigrationStatus> &migrations() const { return m_migrations; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString stateText(const MigrationStatus &migration);

private:
    QList<MigrationStatus> m_migrations;
    QHash<QString, int> m_steps; // by version
};
