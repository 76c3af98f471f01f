#pragma once

#include <QStyledItemDelegate>

// Draws a cell's text wrapped to its column's width, breaking inside a word when it must (a
// long number, a JSON value has no spaces), so that the whole value shows rather than
// "25000…"; sizeHint() is the height that takes. Give the view's vertical header
// QHeaderView::ResizeToContents so that rows grow with it.
class WrappingDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};
