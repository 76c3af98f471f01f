#pragma once

#include "migrations/schemasnapshot.h"

#include <QAbstractItemModel>

// Verify's differences as a tree: one top-level row per table (functions under "(functions)"),
// its columns, indexes, constraints and triggers below, each with expected vs found.
class VerifyTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column
    {
        Object,
        Change,
        Expected,
        Found,
        ColumnCount
    };

    using QAbstractItemModel::QAbstractItemModel;
    void setDifferences(const QList<SchemaDifference> &differences);
    int differenceCount() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Table
    {
        QString name;
        bool hasSelf = false;            // the table itself is missing, unexpected or differs
        SchemaDifference self;           // then: that difference
        QList<SchemaDifference> objects; // its columns, indexes, constraints, triggers
    };
    QList<Table> m_tables;
};
