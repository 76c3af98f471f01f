#include "wrappingdelegate.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QHeaderView>
#include <QPainter>
#include <QTableView>
#include <QTextLayout>

#include <cmath>

namespace {

QTextOption wrapping(Qt::Alignment alignment)
{
    QTextOption option(alignment);
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    return option;
}

int textMargin(const QStyleOptionViewItem &option)
{
    const QStyle *style = option.widget ? option.widget->style() : QApplication::style();
    return style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, option.widget) + 1;
}

// The height of `text` laid out in `width` pixels.
qreal wrappedHeight(const QString &text, const QFont &font, qreal width, Qt::Alignment alignment)
{
    QTextLayout layout(text, font);
    layout.setTextOption(wrapping(alignment));
    layout.beginLayout();
    qreal height = 0;
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        height += line.height();
    }
    layout.endLayout();
    return height;
}

} // namespace

void WrappingDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear(); // the style draws the background, selection and focus; the text is ours
    const QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    if (text.isEmpty())
        return;
    const int margin = textMargin(opt);
    const QRect rect = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, opt.widget)
                           .adjusted(margin, 1, -margin, -1);
    const QPalette::ColorGroup group = !(opt.state & QStyle::State_Enabled) ? QPalette::Disabled
                                       : (opt.state & QStyle::State_Active) ? QPalette::Normal
                                                                            : QPalette::Inactive;
    painter->save();
    painter->setClipRect(rect);
    painter->setFont(opt.font);
    painter->setPen(opt.palette.color(
        group, (opt.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text));
    // Vertically centred like a one-line cell when it fits, from the top when it wraps.
    const qreal height = wrappedHeight(text, opt.font, rect.width(), opt.displayAlignment);
    QRectF area = rect;
    if (height < rect.height())
        area.setTop(rect.top() + (rect.height() - height) / 2);
    painter->drawText(area, text, wrapping(opt.displayAlignment & Qt::AlignHorizontal_Mask));
    painter->restore();
}

QSize WrappingDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    int width = opt.rect.width();
    if (const auto *table = qobject_cast<const QTableView *>(opt.widget))
        width = table->columnWidth(index.column());
    if (width <= 0 || opt.text.isEmpty())
        return size;
    const int margin = textMargin(opt);
    const qreal height = wrappedHeight(opt.text, opt.font, width - 2 * margin - 1,
                                       opt.displayAlignment & Qt::AlignHorizontal_Mask);
    size.setHeight(std::max(size.height(), int(std::ceil(height)) + 4));
    return size;
}
