#pragma once

#include <QTableView>

class AgentTableModel;

// The agents table: whole rows selected, columns sized for the demo data's values with the
// name taking what is left, and in a narrow window the columns the detail pane repeats hidden
// before anything scrolls sideways. Ctrl+C copies the selection as TSV (the Active checkbox as
// true/false) and says how many rows (rowsCopied).
class AgentTableView : public QTableView
{
    Q_OBJECT

public:
    explicit AgentTableView(AgentTableModel *model, QWidget *parent = nullptr);

Q_SIGNALS:
    void rowsCopied(int rows);
};
