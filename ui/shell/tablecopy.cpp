#include "tablecopy.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QTableView>

#include <algorithm>
#include <map>
#include <set>

namespace {

QString field(QString text)
{
    if (!text.contains(u'\t') && !text.contains(u'\n') && !text.contains(u'\r') &&
        !text.contains(u'"'))
        return text;
    return u'"' + text.replace(u'"', QStringLiteral("\"\"")) + u'"';
}

// Row → the columns to copy.
std::map<int, std::set<int>> selectedCells(const QTableView *view)
{
    std::map<int, std::set<int>> cells;
    const QItemSelectionModel *selection = view->selectionModel();
    const int columns = view->model()->columnCount(view->rootIndex());
    if (view->selectionBehavior() == QAbstractItemView::SelectRows) {
        QList<int> rows;
        for (const QModelIndex &index : selection->selectedRows())
            rows.append(index.row());
        if (rows.isEmpty() && view->currentIndex().isValid())
            rows.append(view->currentIndex().row());
        for (int row : rows)
            for (int column = 0; column < columns; ++column)
                cells[row].insert(column);
        return cells;
    }
    QModelIndexList indexes = selection->selectedIndexes();
    if (indexes.isEmpty() && view->currentIndex().isValid())
        indexes.append(view->currentIndex());
    for (const QModelIndex &index : std::as_const(indexes))
        cells[index.row()].insert(index.column());
    return cells;
}

class CopyFilter : public QObject
{
public:
    CopyFilter(QTableView *view, TableCopy::CellText text, std::function<void(int)> copied)
        : QObject(view)
        , m_view(view)
        , m_text(std::move(text))
        , m_copied(std::move(copied))
    {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_view &&
            (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) &&
            static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy)) {
            event->accept();
            if (event->type() == QEvent::KeyPress) {
                QApplication::clipboard()->setText(TableCopy::selectionText(m_view, m_text));
                if (m_copied)
                    m_copied(TableCopy::selectedRowCount(m_view));
            }
            return true;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QTableView *m_view;
    TableCopy::CellText m_text;
    std::function<void(int)> m_copied;
};

} // namespace

QString TableCopy::selectionText(const QTableView *view, const CellText &text)
{
    const QHeaderView *header = view->horizontalHeader();
    QStringList lines;
    for (const auto &[row, columnSet] : selectedCells(view)) {
        QList<int> columns(columnSet.cbegin(), columnSet.cend());
        // In the order shown, not the model's.
        std::sort(columns.begin(), columns.end(), [header](int a, int b) {
            return header->visualIndex(a) < header->visualIndex(b);
        });
        QStringList fields;
        for (int column : std::as_const(columns)) {
            const QModelIndex index = view->model()->index(row, column, view->rootIndex());
            fields.append(field(text ? text(index) : index.data().toString()));
        }
        lines.append(fields.join(u'\t'));
    }
    return lines.join(u'\n');
}

int TableCopy::selectedRowCount(const QTableView *view)
{
    return int(selectedCells(view).size());
}

void TableCopy::install(QTableView *view, CellText text, std::function<void(int)> copied)
{
    view->installEventFilter(new CopyFilter(view, std::move(text), std::move(copied)));
}
