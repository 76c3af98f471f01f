#include "parametertableview.h"

#include "parameterdelegate.h"
#include "parametertablemodel.h"
#include "shell/columnfitter.h"
#include "shell/keyboard.h"

#include <QFontMetrics>
#include <QHeaderView>
#include <algorithm>

ParameterTableView::ParameterTableView(ParameterTableModel *model, ParameterDelegate *delegate,
                                       QWidget *parent)
    : QTableView(parent)
    , m_model(model)
{
    setObjectName(QStringLiteral("parametersTable"));
    setModel(m_model);
    setItemDelegate(delegate);
    setSelectionBehavior(QAbstractItemView::SelectItems);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                    QAbstractItemView::AnyKeyPressed);
    setAlternatingRowColors(true);
    Keyboard::setUpView(this);
    setWordWrap(false);
    setTabKeyNavigation(false); // Tab leaves the table for the bar's buttons
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    horizontalHeader()->setHighlightSections(false);
    setColumnWidth(ParameterTableModel::Name, 190);
    setColumnWidth(ParameterTableModel::Type, 80);
    setColumnWidth(ParameterTableModel::Current, 120);
    setColumnWidth(ParameterTableModel::Default, 90);
    setColumnWidth(ParameterTableModel::Min, 70);
    setColumnWidth(ParameterTableModel::Max, 70);
    // The two texts share what the values leave (the description was narrow while the impact
    // took everything); in a narrow window they go, the impact first, then the default and
    // bounds, before anything scrolls sideways (the name's tooltip has all of them).
    new ColumnFitter(this, {ParameterTableModel::Description, ParameterTableModel::Impact}, 110,
                     {ParameterTableModel::Impact, ParameterTableModel::Type,
                      ParameterTableModel::Description, ParameterTableModel::Default,
                      ParameterTableModel::Max, ParameterTableModel::Min},
                     QStringLiteral("parameters/hiddenColumns"), ParameterTableModel::Name);
    // Enter on a row edits its current value (F2 and typing do so through the edit triggers).
    connect(this, &QTableView::activated, this, &ParameterTableView::editCurrent);
}

void ParameterTableView::fitColumns()
{
    // Values must be readable whole (a 64-bit integer, a precise decimal); the texts get the rest.
    for (int column = ParameterTableModel::Name; column <= ParameterTableModel::Max; ++column) {
        resizeColumnToContents(column);
        const int minimum = column == ParameterTableModel::Current ? 120 : 60;
        setColumnWidth(column, std::clamp(columnWidth(column) + 12, minimum, 280));
    }
}

void ParameterTableView::fitPendingValues()
{
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    int wanted = 0;
    for (int row = 0; row < m_model->rowCount(); ++row)
        wanted = std::max(wanted,
                          metrics.horizontalAdvance(
                              m_model->index(row, ParameterTableModel::Current).data().toString()));
    wanted = std::min(wanted + 20, 280);
    if (wanted > columnWidth(ParameterTableModel::Current))
        setColumnWidth(ParameterTableModel::Current, wanted);
}

void ParameterTableView::editCurrent(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    const QModelIndex value = m_model->index(index.row(), ParameterTableModel::Current);
    if (!(m_model->flags(value) & Qt::ItemIsEditable))
        return;
    setCurrentIndex(value);
    edit(value);
}
