#pragma once

#include <QString>
#include <QStyledItemDelegate>

// Where two values differ: the common head and tail, and what lies between in each.
struct ValueDiff
{
    qsizetype prefix = 0; // characters both start with
    qsizetype suffix = 0; // characters both end with (not overlapping the prefix)
    static ValueDiff of(const QString &oldValue, const QString &newValue);
};

// The Old → new cell: both values with the part that changed highlighted (red on the old,
// green on the new), the common head of long values elided so that the change stays in view;
// NULL shown as such.
class ChangeDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};
