#pragma once

#include <QTableView>

class ParameterDelegate;
class ParameterTableModel;

// The parameters table: a cell editor per type (the delegate), Enter on a row edits its
// current value, values sized to be read whole, and the texts sharing what they leave (in a
// narrow window columns go before anything scrolls sideways).
class ParameterTableView : public QTableView
{
    Q_OBJECT

public:
    ParameterTableView(ParameterTableModel *model, ParameterDelegate *delegate,
                       QWidget *parent = nullptr);

    // Sizes the value columns to their contents (after new rows).
    void fitColumns();
    // Widens the current-value column for a pending value wider than it: never shown cut.
    void fitPendingValues();

private:
    void editCurrent(const QModelIndex &index);

    ParameterTableModel *m_model;
};
