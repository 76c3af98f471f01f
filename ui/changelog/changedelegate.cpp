#include "changelog/changedelegate.h"

#include "changelog/changelogmodel.h"
#include "shell/colours.h"

#include <QApplication>
#include <QPainter>

ValueDiff ValueDiff::of(const QString &oldValue, const QString &newValue)
{
    ValueDiff diff;
    const qsizetype shorter = std::min(oldValue.size(), newValue.size());
    while (diff.prefix < shorter && oldValue.at(diff.prefix) == newValue.at(diff.prefix))
        ++diff.prefix;
    while (diff.suffix < shorter - diff.prefix &&
           oldValue.at(oldValue.size() - 1 - diff.suffix) ==
               newValue.at(newValue.size() - 1 - diff.suffix))
        ++diff.suffix;
    return diff;
}

namespace {

// Values shorter than this are shown whole, without a highlight: the change is plain to see.
constexpr qsizetype ShortValue = 12;
// Characters of common text kept on each side of a change in a long value.
constexpr qsizetype Context = 8;

struct Fragment
{
    QString text;
    QColor background; // invalid: none
    bool muted = false;
};

// One value's fragments: the head (elided to its last Context characters), the changed part,
// the tail (elided likewise).
QList<Fragment> fragments(const QString &value, const ValueDiff &diff, const QColor &highlight)
{
    if (value.isNull())
        return {{QStringLiteral("NULL"), {}, true}};
    const QString flat = QString(value).replace(QLatin1Char('\n'), QStringLiteral("⏎"));
    if (flat.size() <= ShortValue)
        return {{flat, {}, false}};
    QList<Fragment> parts;
    QString head = flat.left(diff.prefix);
    if (head.size() > Context)
        head = QStringLiteral("…") + head.right(Context);
    const qsizetype middleLength = flat.size() - diff.prefix - diff.suffix;
    QString tail = flat.right(diff.suffix);
    if (tail.size() > Context)
        tail = tail.left(Context) + QStringLiteral("…");
    if (!head.isEmpty())
        parts.append({head, {}, false});
    if (middleLength > 0)
        parts.append({flat.mid(diff.prefix, middleLength), highlight, false});
    if (!tail.isEmpty())
        parts.append({tail, {}, false});
    return parts;
}

} // namespace

void ChangeDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                           const QModelIndex &index) const
{
    const QStringList values = index.data(ChangelogModel::ValuesRole).toStringList();
    if (values.size() != 2) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The background and selection as any cell, without its text.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QString oldValue = values.at(0);
    const QString newValue = values.at(1);
    const ValueDiff diff =
        oldValue.isNull() || newValue.isNull() ? ValueDiff{} : ValueDiff::of(oldValue, newValue);
    QList<Fragment> parts = fragments(oldValue, diff, Colours::of(Colours::Tone::Error).background);
    parts.append({QStringLiteral(" → "), {}, true});
    parts.append(fragments(newValue, diff, Colours::of(Colours::Tone::Positive).background));

    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorRole textRole = selected ? QPalette::HighlightedText : QPalette::Text;
    const QRect rect = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget);
    painter->save();
    painter->setClipRect(rect);
    QFont italic = opt.font;
    italic.setItalic(true);
    int x = rect.left();
    for (const Fragment &part : std::as_const(parts)) {
        painter->setFont(part.muted && part.text == QLatin1String("NULL") ? italic : opt.font);
        const QFontMetrics metrics(painter->font());
        const int width = metrics.horizontalAdvance(part.text);
        const QRect box(x, rect.top(), width, rect.height());
        if (part.background.isValid() && !selected)
            painter->fillRect(box.adjusted(0, 2, 0, -2), part.background);
        painter->setPen(part.muted && !selected ? Colours::muted()
                                                : opt.palette.color(QPalette::Active, textRole));
        painter->drawText(box, int(Qt::AlignVCenter | Qt::AlignLeft), part.text);
        x += width;
        if (x > rect.right())
            break;
    }
    painter->restore();
}
