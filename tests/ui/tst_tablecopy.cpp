// TableCopy: the one "copy selection as TSV" — rows in order, columns in the order shown,
// awkward fields quoted, whole rows with every column, Ctrl+C on the view.
#include "shell/tablecopy.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TstTableCopy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cellsInTheOrderShown();
    void awkwardFieldsAreQuoted();
    void wholeRowsCopyHiddenColumnsToo();
    void currentCellWithoutSelection();
    void ctrlCCopiesAndCounts();

private:
    QStandardItemModel m_model;
    std::unique_ptr<QTableView> m_view;
};

void TstTableCopy::init()
{
    m_model.clear();
    m_model.setColumnCount(3);
    const QList<QStringList> rows = {{u"a1"_s, u"b1"_s, u"c1"_s},
                                     {u"a2"_s, u"tab\there"_s, u"line\nbreak"_s},
                                     {u"a3"_s, u"say \"hi\""_s, u"c3"_s}};
    for (const QStringList &row : rows) {
        QList<QStandardItem *> items;
        for (const QString &text : row)
            items.append(new QStandardItem(text));
        m_model.appendRow(items);
    }
    m_view = std::make_unique<QTableView>();
    m_view->setModel(&m_model);
}

void TstTableCopy::cellsInTheOrderShown()
{
    m_view->horizontalHeader()->moveSection(2, 0); // shown: c, a, b
    m_view->selectionModel()->select(m_model.index(0, 0), QItemSelectionModel::Select);
    m_view->selectionModel()->select(m_model.index(0, 2), QItemSelectionModel::Select);
    QCOMPARE(TableCopy::selectionText(m_view.get()), u"c1\ta1"_s);
    QCOMPARE(TableCopy::selectedRowCount(m_view.get()), 1);
}

void TstTableCopy::awkwardFieldsAreQuoted()
{
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->selectRow(1);
    m_view->selectionModel()->select(m_model.index(2, 0),
                                     QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(TableCopy::selectionText(m_view.get()),
             u"a2\t\"tab\there\"\t\"line\nbreak\"\na3\t\"say \"\"hi\"\"\"\tc3"_s);
    QCOMPARE(TableCopy::selectedRowCount(m_view.get()), 2);
}

void TstTableCopy::wholeRowsCopyHiddenColumnsToo()
{
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setColumnHidden(1, true); // a narrow window hid it
    m_view->selectRow(0);
    QCOMPARE(TableCopy::selectionText(m_view.get()), u"a1\tb1\tc1"_s);
    // A cell's text can come from elsewhere (a checkbox as true/false).
    QCOMPARE(TableCopy::selectionText(
                 m_view.get(), [](const QModelIndex &i) { return i.data().toString().toUpper(); }),
             u"A1\tB1\tC1"_s);
}

void TstTableCopy::currentCellWithoutSelection()
{
    m_view->selectionModel()->setCurrentIndex(m_model.index(2, 2), QItemSelectionModel::NoUpdate);
    QCOMPARE(TableCopy::selectionText(m_view.get()), u"c3"_s);
}

void TstTableCopy::ctrlCCopiesAndCounts()
{
    int copiedRows = -1;
    TableCopy::install(m_view.get(), {}, [&](int rows) { copiedRows = rows; });
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    m_view->setFocus();
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->selectRow(0);
    QApplication::clipboard()->clear();
    QTest::keyClick(m_view.get(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), u"a1\tb1\tc1"_s);
    QCOMPARE(copiedRows, 1);
}

QTEST_MAIN(TstTableCopy)
#include "tst_tablecopy.moc"
