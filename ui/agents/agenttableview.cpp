#include "agenttableview.h"

#include "agenttablemodel.h"
#include "shell/columnfitter.h"
#include "shell/tablecopy.h"

#include <QHeaderView>

AgentTableView::AgentTableView(AgentTableModel *model, QWidget *parent)
    : QTableView(parent)
{
    setObjectName(QStringLiteral("agentsView"));
    setModel(model);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setWordWrap(false);
    setAlternatingRowColors(true);
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    // The agents' checkbox copies as true/false.
    TableCopy::install(
        this, [model](const QModelIndex &index) { return model->text(index); },
        [this](int rows) { Q_EMIT rowsCopied(rows); });
    QHeaderView *header = horizontalHeader();
    header->setHighlightSections(false);
    header->setMinimumSectionSize(36);
    // Wide enough for the demo data's values; the name takes what is left.
    for (const auto &[column, width] : {std::pair{AgentTableModel::AlgorithmId, 46},
                                        {AgentTableModel::Name, 170},
                                        {AgentTableModel::Type, 86},
                                        {AgentTableModel::Active, 48},
                                        {AgentTableModel::ImpactScore, 52},
                                        {AgentTableModel::EsaLayers, 70},
                                        {AgentTableModel::Version, 56},
                                        {AgentTableModel::LastModifiedBy, 84},
                                        {AgentTableModel::LastModifiedAt, 116}})
        header->resizeSection(column, width);
    // Never a sideways scroll: what does not fit goes, the columns the detail pane repeats
    // first (issue 10: "Modified at" needed scrolling at 1,052 px).
    new ColumnFitter(this, {AgentTableModel::Name}, 150,
                     {AgentTableModel::LastModifiedBy, AgentTableModel::EsaLayers,
                      AgentTableModel::Version, AgentTableModel::LastModifiedAt,
                      AgentTableModel::Type, AgentTableModel::ImpactScore},
                     QStringLiteral("agents/hiddenColumns"));
}
