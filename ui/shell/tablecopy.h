#pragma once

#include <QModelIndex>
#include <QString>

#include <functional>

class QTableView;

// The one "copy selection as TSV" of every table.
namespace TableCopy {

using CellText = std::function<QString(const QModelIndex &)>;

// The selection of `view` (or its current cell) as tab-separated text: rows top to bottom,
// columns in the order shown (a whole-row selection copies every column, also one hidden for
// lack of room). A field holding a tab, a line break or a double quote is quoted the way
// spreadsheets read a paste ("a""b"). `text` gives a cell's text (default: its display text).
QString selectionText(const QTableView *view, const CellText &text = {});
// How many rows selectionText() copies.
int selectedRowCount(const QTableView *view);

// Ctrl+C (QKeySequence::Copy) in `view` copies selectionText() to the clipboard, before any
// window shortcut can take the key, then calls `copied` with the number of rows.
void install(QTableView *view, CellText text = {}, std::function<void(int rows)> copied = {});

} // namespace TableCopy
