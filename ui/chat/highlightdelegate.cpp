#include "chat/highlightdelegate.h"

#include "shell/colours.h"

#include <QApplication>
#include <QPainter>
#include <QTextLayout>

QList<QPair<int, int>> HighlightDelegate::matches(const QString &text, const QString &term)
{
    QList<QPair<int, int>> found;
    if (term.isEmpty())
        return found;
    for (qsizetype at = text.indexOf(term, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(term, at + term.size(), Qt::CaseInsensitive))
        found.append({int(at), int(term.size())});
    return found;
}

void HighlightDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    if (m_term.isEmpty() || !text.contains(m_term, Qt::CaseInsensitive)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The background, focus and selection as usual, the text drawn here.
    opt.text.clear();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QRect rect =
        style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget).adjusted(2, 0, -2, 0);
    const QString shown = opt.fontMetrics.elidedText(text, Qt::ElideRight, rect.width());
    QTextLayout layout(shown, opt.font);
    QList<QTextLayout::FormatRange> formats;
    const Colours::Set mark = Colours::of(Colours::Tone::Warning);
    for (const auto &[start, length] : matches(shown, m_term)) {
        QTextLayout::FormatRange range;
        range.start = start;
        range.length = length;
        range.format.setBackground(mark.background.darker(108));
        range.format.setForeground(mark.text);
        range.format.setFontWeight(QFont::DemiBold);
        formats.append(range);
    }
    layout.setFormats(formats);
    layout.beginLayout();
    QTextLine line = layout.createLine();
    line.setLineWidth(rect.width());
    layout.endLayout();
    const bool selected = opt.state & QStyle::State_Selected;
    painter->save();
    painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
    const qreal y = rect.top() + (rect.height() - line.height()) / 2;
    painter->setClipRect(rect);
    layout.draw(painter, QPointF(rect.left(), y));
    painter->restore();
}
