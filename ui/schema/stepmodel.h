#pragma once

#include "migrations/migrationengine.h"
#include "migrations/runarchive.h"

#include <QAbstractTableModel>
#include <QHash>

// The steps of a run, filled live: a row appears when its step starts and is updated when it
// finishes; after the run the report's full list (skipped steps included) replaces them, and
// the comparison with the previous run fills the "vs previous" column.
class StepModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Migration,
        Step,
        Statement,
        Location,
        Milliseconds,
        State,
        VersusPrevious,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;
    void clear();
    // Adds the step's row, or updates it when it is already there.
    void updateStep(const StepReport &step);
    void setSteps(const QList<StepReport> &steps);
    void setComparison(const RunComparison &comparison);
    const QList<StepReport> &steps() const { return m_steps; }
    int finishedCount() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    static QString keyOf(const StepReport &step);
    QList<StepReport> m_steps;
    QHash<QString, int> m_rows; // keyOf → row
    RunComparison m_comparison;
};
