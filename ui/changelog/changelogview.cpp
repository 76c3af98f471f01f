#include "changelog/changelogview.h"

#include "changelog/changedelegate.h"
#include "changelog/changelogmodel.h"
#include "shell/keyboard.h"
#include "shell/tablecopy.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QScrollBar>

ChangelogView::ChangelogView(ChangelogModel *model, QWidget *parent)
    : QTableView(parent)
    , m_model(model)
{
    setObjectName(QStringLiteral("changelogTable"));
    setModel(model);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setWordWrap(false);
    setAlternatingRowColors(true);
    // Row by row: the window's additions and drops above are whole rows to scroll by.
    setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    verticalHeader()->hide();
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    horizontalHeader()->setSectionsClickable(true);
    horizontalHeader()->setSortIndicatorShown(true);
    horizontalHeader()->setSortIndicator(ChangelogModel::Time, Qt::DescendingOrder);
    horizontalHeader()->setStretchLastSection(true);
    setItemDelegateForColumn(ChangelogModel::Change, new ChangeDelegate(this));
    const QFontMetrics metrics = fontMetrics();
    const auto chars = [&](int n) { return metrics.horizontalAdvance(QLatin1Char('0')) * n + 16; };
    setColumnWidth(ChangelogModel::Time, chars(19));
    setColumnWidth(ChangelogModel::Agent, chars(6));
    setColumnWidth(ChangelogModel::Parameter, chars(16));
    setColumnWidth(ChangelogModel::Change, chars(22));
    setColumnWidth(ChangelogModel::User, chars(6));
    setColumnWidth(ChangelogModel::Role, chars(9));
    setColumnWidth(ChangelogModel::Source, chars(12));
    setColumnWidth(ChangelogModel::Reason, chars(26));
    setColumnWidth(ChangelogModel::ChangeSet, chars(9));
    Keyboard::setUpView(this);
    TableCopy::install(
        this, [model](const QModelIndex &index) { return model->text(index); },
        [this](int rows) { Q_EMIT rowsCopied(rows); });

    connect(model, &ChangelogModel::rowsDroppedAbove, this, [this](int rows) { shiftBy(-rows); });
    connect(model, &ChangelogModel::rowsAddedAbove, this, [this](int rows) {
        // At the very top the new rows show (the user sees them arrive); below it the rows
        // in view stay where they are.
        if (verticalScrollBar()->value() > 0 || currentIndex().isValid())
            shiftBy(rows);
    });
    connect(model, &ChangelogModel::pageArrived, this, [this](const DbError &error) {
        if (!error.isError())
            fetchAhead();
    });
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &ChangelogView::fetchAhead);
}

void ChangelogView::shiftBy(int rows)
{
    // The range follows the new row count only after a layout: do it now.
    updateGeometries();
    QScrollBar *bar = verticalScrollBar();
    bar->setValue(std::max(0, bar->value() + rows));
}

void ChangelogView::fetchAhead()
{
    if (m_model->isFetching() || m_model->rowCount() == 0)
        return;
    const int first = verticalScrollBar()->value();
    const int visible = std::max(1, viewport()->height() / std::max(1, rowHeight(0)));
    const int margin = m_model->pageSize();
    if (m_model->canFetchMore() && first + visible + margin > m_model->rowCount())
        m_model->fetchMore();
    else if (m_model->canFetchAbove() && first < margin)
        m_model->fetchAbove();
}

void ChangelogView::keyPressEvent(QKeyEvent *event)
{
    const bool home = event->key() == Qt::Key_Home && !(event->modifiers() & Qt::ShiftModifier);
    const bool end = event->key() == Qt::Key_End && !(event->modifiers() & Qt::ShiftModifier);
    if (home) {
        event->accept();
        Q_EMIT jumpToStartRequested();
        return;
    }
    if (end) {
        event->accept();
        Q_EMIT jumpToEndRequested();
        return;
    }
    QTableView::keyPressEvent(event);
}
