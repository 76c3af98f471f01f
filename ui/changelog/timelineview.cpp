#include "changelog/timelineview.h"

#include "shell/colours.h"

#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

namespace {

constexpr int BarPixels = 6; // the narrowest bar, gap included
constexpr int AxisHeight = 16;
constexpr int LegendWidth = 170;

QString span(const QDateTime &start, const QDateTime &end)
{
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm");
    return QStringLiteral("%1 – %2").arg(start.toString(format), end.toString(format));
}

} // namespace

TimelineView::TimelineView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("timeline"));
    setMouseTracking(true);
    setFocusPolicy(Qt::NoFocus);
    setAccessibleName(tr("Timeline of changes"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QSize TimelineView::sizeHint() const
{
    return {600, 96};
}

QSize TimelineView::minimumSizeHint() const
{
    return {200, 96};
}

void TimelineView::setTimeline(const ChangelogTimeline &timeline)
{
    m_timeline = timeline;
    m_maxChanges = 0;
    for (const TimelineBucket &bucket : std::as_const(m_timeline.buckets))
        m_maxChanges = std::max(m_maxChanges, bucket.changes);
    m_pressBucket = m_dragBucket = -1;
    update();
}

void TimelineView::clear()
{
    setTimeline({});
}

QRect TimelineView::plotRect() const
{
    return rect().adjusted(4, 4, -LegendWidth, -AxisHeight);
}

int TimelineView::wantedBuckets() const
{
    return std::max(10, plotRect().width() / BarPixels);
}

QRect TimelineView::barRect(int bucket) const
{
    const QRect plot = plotRect();
    const int count = int(m_timeline.buckets.size());
    if (bucket < 0 || bucket >= count || m_maxChanges <= 0)
        return {};
    const double width = double(plot.width()) / count;
    const int left = plot.left() + int(bucket * width);
    const int right = plot.left() + int((bucket + 1) * width) - 1;
    const qint64 changes = m_timeline.buckets.at(bucket).changes;
    const int height = changes == 0 ? 0 : std::max(2, int(plot.height() * changes / m_maxChanges));
    return QRect(QPoint(left, plot.bottom() - height + 1),
                 QPoint(std::max(left, right - 1), plot.bottom()));
}

int TimelineView::bucketAt(int x) const
{
    const QRect plot = plotRect();
    const int count = int(m_timeline.buckets.size());
    if (count == 0 || x < plot.left() || x > plot.right())
        return -1;
    return std::clamp(int(double(x - plot.left()) * count / plot.width()), 0, count - 1);
}

QColor TimelineView::userColour(const QString &user)
{
    if (user.isEmpty())
        return Colours::muted();
    return Colours::series(uint(qHash(user)));
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    const QRect plot = plotRect();
    painter.setPen(palette().mid().color());
    painter.drawLine(plot.bottomLeft() + QPoint(0, 1), plot.bottomRight() + QPoint(0, 1));
    if (m_timeline.buckets.isEmpty()) {
        painter.setPen(Colours::muted());
        painter.drawText(plot, Qt::AlignCenter, tr("No changes to chart"));
        return;
    }
    // The selection being dragged.
    if (m_pressBucket >= 0 && m_dragBucket >= 0 && m_dragBucket != m_pressBucket) {
        const QRect a = barRect(std::min(m_pressBucket, m_dragBucket));
        const QRect b = barRect(std::max(m_pressBucket, m_dragBucket));
        painter.fillRect(QRect(QPoint(a.left(), plot.top()), QPoint(b.right(), plot.bottom())),
                         Colours::of(Colours::Tone::Information).background);
    }
    // Bars coloured by who changed most; change sets as dots, scaled to the same axis.
    QHash<QString, qint64> totals;
    for (int i = 0; i < m_timeline.buckets.size(); ++i) {
        const TimelineBucket &bucket = m_timeline.buckets.at(i);
        if (bucket.changes == 0)
            continue;
        totals[bucket.topUser] += bucket.topUserChanges;
        const QRect bar = barRect(i);
        painter.fillRect(bar, userColour(bucket.topUser));
        if (bucket.changeSets > 0 && m_maxChanges > 0) {
            const int y = plot.bottom() - int(plot.height() * bucket.changeSets / m_maxChanges);
            painter.fillRect(QRect(bar.left(), std::max(plot.top(), y - 1), bar.width(), 2),
                             palette().text().color());
        }
    }
    // The axis: first and last time, the peak.
    painter.setPen(Colours::muted());
    const QRect axis(plot.left(), plot.bottom() + 2, plot.width(), AxisHeight - 2);
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm");
    painter.drawText(axis, Qt::AlignLeft | Qt::AlignVCenter,
                     m_timeline.buckets.constFirst().start.toString(format));
    painter.drawText(axis, Qt::AlignRight | Qt::AlignVCenter,
                     m_timeline.buckets.constLast().end.toString(format));
    // The legend: who changed most, and what the dots mean.
    QList<QPair<qint64, QString>> ranked;
    for (auto it = totals.cbegin(); it != totals.cend(); ++it)
        ranked.append({it.value(), it.key()});
    std::sort(ranked.begin(), ranked.end(), std::greater<>());
    QRect legend(plot.right() + 12, plot.top(), LegendWidth - 16, plot.height() + AxisHeight);
    painter.setPen(palette().text().color());
    const int line = fontMetrics().height();
    painter.drawText(legend.topLeft() + QPoint(0, fontMetrics().ascent()), tr("Most changes by"));
    int y = legend.top() + line;
    for (int i = 0; i < std::min<qsizetype>(3, ranked.size()); ++i, y += line) {
        painter.fillRect(QRect(legend.left(), y + 3, 10, line - 6),
                         userColour(ranked.at(i).second));
        painter.drawText(QPoint(legend.left() + 14, y + fontMetrics().ascent()),
                         ranked.at(i).second.isEmpty() ? tr("unknown") : ranked.at(i).second);
    }
    painter.fillRect(QRect(legend.left(), y + line / 2, 10, 2), palette().text().color());
    painter.drawText(QPoint(legend.left() + 14, y + fontMetrics().ascent()), tr("change sets"));
    y += line;
    painter.setPen(Colours::muted());
    painter.drawText(QPoint(legend.left(), y + fontMetrics().ascent()),
                     tr("highest bar: %1").arg(QLocale().toString(m_maxChanges)));
}

bool TimelineView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int bucket = bucketAt(help->pos().x());
        if (bucket < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const TimelineBucket &b = m_timeline.buckets.at(bucket);
        QString text = tr("%1\n%2 changes in %3 change sets")
                           .arg(span(b.start, b.end), QLocale().toString(b.changes),
                                QLocale().toString(b.changeSets));
        if (b.changes > 0)
            text += tr("\nmost by %1 (%2)")
                        .arg(b.topUser.isEmpty() ? tr("unknown") : b.topUser,
                             QLocale().toString(b.topUserChanges));
        text += tr("\nClick to go there; drag to filter a range");
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_pressBucket = bucketAt(int(event->position().x()));
    m_dragBucket = m_pressBucket;
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_pressBucket < 0 || !(event->buttons() & Qt::LeftButton))
        return;
    const int bucket = bucketAt(int(event->position().x()));
    if (bucket >= 0 && bucket != m_dragBucket) {
        m_dragBucket = bucket;
        update();
    }
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_pressBucket < 0)
        return;
    const int first = std::min(m_pressBucket, m_dragBucket);
    const int last = std::max(m_pressBucket, m_dragBucket);
    m_pressBucket = m_dragBucket = -1;
    update();
    if (first < 0)
        return;
    const TimelineBucket &a = m_timeline.buckets.at(first);
    const TimelineBucket &b = m_timeline.buckets.at(last);
    if (first == last)
        Q_EMIT bucketClicked(a.start, a.end);
    else
        Q_EMIT rangeSelected(a.start, b.end);
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    Q_EMIT widthChanged();
}
