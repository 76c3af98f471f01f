// MetricChartView's painting over and under what Qt Charts draws (the axes, the grid and the
// legend): the min–max bands, the curves, the impact's windows, the change markers, the rubber
// band and the message (metricchartview.cpp keeps the data and the interaction).
#include "metrics/metricchartview.h"

#include "shell/colours.h"

#include <QChart>
#include <QDateTimeAxis>
#include <QPainter>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace {

// Markers closer than this (pixels, on average) are drawn as one plain line per pixel column.
constexpr double MarkerSpacing = 3.0;
// The height of a dense range's marker ticks, pixels.
constexpr qreal RugTicks = 10;

} // namespace

// The min–max band's fill: the curve's colour at 18 % over `background`, opaque (opaque
// spans paint many times faster than translucent ones).
QColor MetricChartView::bandFill(const QColor &colour, const QColor &background)
{
    constexpr double share = 0.18;
    auto mix = [](int a, int b) { return int(std::lround(share * a + (1 - share) * b)); };
    return QColor(mix(colour.red(), background.red()), mix(colour.green(), background.green()),
                  mix(colour.blue(), background.blue()));
}

MetricChartView::PlotMap MetricChartView::plotMap() const
{
    // Read once a paint: the axis' QDateTime bounds are local time, slow to convert per point.
    PlotMap map;
    map.plot = chart()->plotArea();
    map.t0 = double(m_time->min().toMSecsSinceEpoch());
    map.t1 = double(m_time->max().toMSecsSinceEpoch());
    map.v0 = m_values->min();
    map.v1 = m_values->max();
    map.w0 = m_secondValues ? m_secondValues->min() : map.v0;
    map.w1 = m_secondValues ? m_secondValues->max() : map.v1;
    return map;
}

QPointF MetricChartView::PlotMap::operator()(const QPointF &point, bool secondAxis) const
{
    const double low = secondAxis ? w0 : v0;
    const double high = secondAxis ? w1 : v1;
    return {t1 > t0 ? plot.left() + plot.width() * (point.x() - t0) / (t1 - t0) : plot.left(),
            high > low ? plot.bottom() - plot.height() * (point.y() - low) / (high - low)
                       : plot.center().y()};
}

void MetricChartView::drawBackground(QPainter *painter, const QRectF &rect)
{
    // The chart's own background is off (see the constructor): it is painted here, then the
    // bands, and the chart draws its grid, axes and curves over them.
    painter->fillRect(rect, chart()->backgroundBrush());
    const QRectF plot = chart()->plotArea();
    painter->save();
    painter->setClipRect(plot.toAlignedRect());
    // Whole pixels, without antialiasing: neighbouring buckets meet without a seam.
    painter->setRenderHint(QPainter::Antialiasing, false);
    // The theme's background is a gradient (whose color() is black): its first stop.
    const QBrush brush = chart()->backgroundBrush();
    const QColor background = brush.gradient() && !brush.gradient()->stops().isEmpty()
                                  ? brush.gradient()->stops().constFirst().second
                              : brush.style() == Qt::SolidPattern ? brush.color()
                                                                  : QColor(Qt::white);
    const PlotMap toPlot = plotMap();
    for (const Band &band : std::as_const(m_bands)) {
        const QColor fill = bandFill(band.colour, background);
        for (const QRectF &bucket : band.buckets) {
            const QPointF topLeft = toPlot(bucket.topLeft(), band.secondAxis);
            const QPointF bottomRight = toPlot(bucket.bottomRight(), band.secondAxis);
            const int left = int(std::floor(topLeft.x()));
            const int top = int(std::floor(topLeft.y()));
            // At least a pixel wide and tall, so that a narrow or flat bucket shows.
            painter->fillRect(QRect(QPoint(left, top),
                                    QPoint(std::max(left, int(std::floor(bottomRight.x())) - 1),
                                           std::max(top, int(std::floor(bottomRight.y()))))),
                              fill);
        }
    }
    painter->restore();
}

void MetricChartView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    const QRectF plot = chart()->plotArea();
    painter->save();
    painter->setClipRect(plot.toAlignedRect());
    auto shade = [&](const QDateTime &from, const QDateTime &to, const QColor &colour) {
        if (!from.isValid() || !to.isValid())
            return;
        QColor fill = colour;
        fill.setAlpha(40);
        painter->fillRect(QRectF(QPointF(xOf(from), plot.top()), QPointF(xOf(to), plot.bottom())),
                          fill);
    };
    shade(m_windowBefore, m_windowChange, Colours::chartPrevious());
    shade(m_windowChange, m_windowAfter, Colours::caution());
    // The curves: each run of buckets joined by lines, a lone bucket a dot; the main curve
    // (slot 0) last, on top.
    const PlotMap toPlot = plotMap();
    const QList<int> lineSlots = m_lines.keys();
    for (auto slot = lineSlots.crbegin(); slot != lineSlots.crend(); ++slot) {
        const Line &line = m_lines[*slot];
        painter->setPen(QPen(line.colour, line.width));
        painter->setBrush(Qt::NoBrush);
        // Separate segments rather than one polyline: a polyline of 1,000 points is stroked as
        // one outline with a join at every point, tens of times slower (as Qt Charts does).
        QList<QLineF> segments;
        for (const QPolygonF &run : line.runs) {
            QPointF previous = toPlot(run.constFirst(), line.secondAxis);
            for (qsizetype i = 1; i < run.size(); ++i) {
                const QPointF next = toPlot(run.at(i), line.secondAxis);
                segments.append(QLineF(previous, next));
                previous = next;
            }
        }
        painter->drawLines(segments);
        painter->setPen(Qt::NoPen);
        painter->setBrush(line.colour);
        for (const QPointF &point : line.singles)
            painter->drawEllipse(toPlot(point, line.secondAxis), 3.0, 3.0);
    }
    // The change markers: a dashed line and a dot each while they are apart; where they are
    // denser than one per MarkerSpacing pixels (a busy agent's whole range has tens of
    // thousands), a rug along the top instead: a short opaque tick per pixel column that has
    // any, in one drawLines call, so that the curves stay visible and the paint cheap.
    const auto visibleFirst = std::lower_bound(m_markers.cbegin(), m_markers.cend(), m_from);
    const auto visibleLast = std::upper_bound(visibleFirst, m_markers.cend(), m_to);
    const qsizetype visible = visibleLast - visibleFirst;
    if (visible > 0 && double(visible) * MarkerSpacing > plot.width()) {
        QList<bool> column(qsizetype(plot.width()) + 2, false);
        QList<QLineF> lines;
        for (auto it = visibleFirst; it != visibleLast; ++it) {
            const qsizetype c =
                std::clamp<qsizetype>(qsizetype(xOf(*it) - plot.left()), 0, column.size() - 1);
            if (column.at(c))
                continue;
            column[c] = true;
            const qreal x = plot.left() + qreal(c) + 0.5;
            lines.append(QLineF(x, plot.top(), x, plot.top() + RugTicks));
        }
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->setPen(QPen(Colours::caution(), 1.0));
        painter->drawLines(lines);
        painter->setRenderHint(QPainter::Antialiasing, true);
    } else {
        for (auto it = visibleFirst; it != visibleLast; ++it) {
            const qreal x = xOf(*it);
            painter->setPen(QPen(Colours::caution(), 1.0, Qt::DashLine));
            painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
            painter->setBrush(Colours::caution());
            painter->drawEllipse(QPointF(x, plot.top() + 4), 3.5, 3.5);
        }
    }
    if (m_selectedMarker >= 0 && m_selectedMarker < m_markers.size()) {
        const qreal x = xOf(m_markers.at(m_selectedMarker));
        painter->setPen(QPen(Colours::chartHighlight(), 2.0));
        painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter->setBrush(Colours::chartHighlight());
        painter->drawEllipse(QPointF(x, plot.top() + 4), 3.5, 3.5);
    }
    if (m_dragStart) {
        const QRectF band(QPointF(std::min(m_dragStart->x(), m_dragNow), plot.top()),
                          QPointF(std::max(m_dragStart->x(), m_dragNow), plot.bottom()));
        if (m_panning) {
            painter->setPen(QPen(Colours::muted(), 1, Qt::DotLine));
            painter->drawLine(QPointF(m_dragNow, plot.top()), QPointF(m_dragNow, plot.bottom()));
        } else {
            QColor fill = Colours::chartSeries();
            fill.setAlpha(50);
            painter->fillRect(band, fill);
        }
    }
    if (!m_message.isEmpty()) {
        painter->setPen(Colours::muted());
        painter->drawText(plot, Qt::AlignCenter | Qt::TextWordWrap, m_message);
    }
    painter->restore();
}
