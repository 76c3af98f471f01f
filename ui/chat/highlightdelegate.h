#pragma once

#include <QStyledItemDelegate>

// Draws a cell's one-line text with every case-insensitive occurrence of a term marked in the
// match colour (the Chat panel's search). Without a term it draws as the styled delegate does.
class HighlightDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void setTerm(const QString &term) { m_term = term; }
    const QString &term() const { return m_term; }

    // Where `term` occurs in `text` (case-insensitive): start and length of each occurrence.
    static QList<QPair<int, int>> matches(const QString &text, const QString &term);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

private:
    QString m_term;
};
