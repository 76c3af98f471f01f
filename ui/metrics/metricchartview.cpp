#include "metrics/metricchartview.h"

#include "shell/colours.h"

#include <QAreaSeries>
#include <QChart>
#include <QDateTimeAxis>
#include <QKeyEvent>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QScatterSeries>
#include <QSvgGenerator>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr double WheelZoom = 1.25;
constexpr double KeyPan = 0.25;
constexpr int MarkerPickPixels = 5;
// The narrowest range a zoom goes to: one second a bucket, a few buckets.
constexpr qint64 MinRangeMs = 10 * 1000;

// The runs of buckets with no gap between them (see GapWidths). Buckets without a finite
// value (all excluded) break a run too.
QList<QList<const MetricBucket *>> segments(const ChartCurve &curve)
{
    QList<QList<const MetricBucket *>> runs;
    QList<qint64> spacings;
    for (qsizetype i = 1; i < curve.buckets.size(); ++i)
        spacings.append(curve.buckets.at(i - 1).start.secsTo(curve.buckets.at(i).start));
    double typical = 0;
    if (!spacings.isEmpty()) {
        std::nth_element(spacings.begin(), spacings.begin() + spacings.size() / 2, spacings.end());
        typical = double(spacings.at(spacings.size() / 2));
    }
    const double limit =
        std::max(MetricChartView::GapWidths * double(std::max<qint64>(1, curve.bucketSeconds)),
                 3.0 * typical);
    QList<const MetricBucket *> run;
    const MetricBucket *previous = nullptr;
    for (const MetricBucket &bucket : curve.buckets) {
        const bool finite = bucket.count > 0 && std::isfinite(bucket.avg);
        const bool gap = previous && double(previous->start.secsTo(bucket.start)) > limit;
        if ((!finite || gap) && !run.isEmpty()) {
            runs.append(run);
            run.clear();
        }
        if (finite)
            run.append(&bucket);
        previous = &bucket;
    }
    if (!run.isEmpty())
        runs.append(run);
    return runs;
}

QString number(double value)
{
    if (std::isnan(value))
        return QStringLiteral("—");
    return QLocale().toString(value, 'g', 6);
}

} // namespace

MetricChartView::MetricChartView(QWidget *parent)
    : QChartView(new QChart, parent)
    , m_time(new QDateTimeAxis)
    , m_values(new QValueAxis)
{
    setRenderHint(QPainter::Antialiasing);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setRubberBand(QChartView::NoRubberBand);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    chart()->setMargins(QMargins(4, 4, 4, 4));
    m_time->setFormat(QStringLiteral("MMM d HH:mm"));
    m_time->setTickCount(7);
    m_values->setLabelFormat(QStringLiteral("%.4g"));
    chart()->addAxis(m_time, Qt::AlignBottom);
    chart()->addAxis(m_values, Qt::AlignLeft);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    setRange(now.addDays(-1), now);
}

void MetricChartView::setRange(const QDateTime &from, const QDateTime &to)
{
    if (!from.isValid() || !to.isValid() || from >= to)
        return;
    m_from = from;
    m_to = to;
    // The axis shows the tables' wall clock as it is (UTC spec, see sqltimestamp.h).
    m_time->setRange(QDateTime(from.date(), from.time()), QDateTime(to.date(), to.time()));
    const qint64 span = from.secsTo(to);
    m_time->setFormat(span <= 2 * 86400    ? QStringLiteral("HH:mm")
                      : span <= 90 * 86400 ? QStringLiteral("MMM d")
                                           : QStringLiteral("yyyy-MM-dd"));
    viewport()->update();
}

void MetricChartView::setCurve(int slot, const ChartCurve &curve)
{
    m_curves.insert(slot, curve);
    rebuild();
}

void MetricChartView::removeCurve(int slot)
{
    if (m_curves.remove(slot))
        rebuild();
}

void MetricChartView::clearCurves()
{
    m_curves.clear();
    rebuild();
}

void MetricChartView::setMarkers(const QList<ChartMarker> &markers)
{
    m_markers = markers;
    m_selectedMarker = -1;
    viewport()->update();
}

void MetricChartView::setSelectedMarker(int index)
{
    m_selectedMarker = index;
    viewport()->update();
}

void MetricChartView::setWindows(const QDateTime &before, const QDateTime &change,
                                 const QDateTime &after)
{
    m_windowBefore = before;
    m_windowChange = change;
    m_windowAfter = after;
    viewport()->update();
}

void MetricChartView::setMessage(const QString &message)
{
    m_message = message;
    viewport()->update();
}

int MetricChartView::segmentCount(int slot) const
{
    return m_segments.value(slot);
}

void MetricChartView::rebuild()
{
    chart()->removeAllSeries();
    m_segments.clear();
    if (m_secondValues) {
        chart()->removeAxis(m_secondValues);
        delete m_secondValues;
        m_secondValues = nullptr;
    }
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    for (auto it = m_curves.cbegin(); it != m_curves.cend(); ++it) {
        if (it->secondAxis)
            continue;
        for (const MetricBucket &bucket : it->buckets) {
            if (bucket.count == 0)
                continue;
            const double lo = it->band ? bucket.min : bucket.avg;
            const double hi = it->band ? bucket.max : bucket.avg;
            if (std::isfinite(lo))
                low = std::min(low, lo);
            if (std::isfinite(hi))
                high = std::max(high, hi);
        }
    }
    if (!std::isfinite(low)) {
        low = 0;
        high = 1;
    } else if (low == high) {
        low -= 1;
        high += 1;
    }
    const double pad = (high - low) * 0.05;
    m_values->setRange(low - pad, high + pad);
    for (auto it = m_curves.cbegin(); it != m_curves.cend(); ++it)
        addCurveSeries(it.key(), it.value());
    viewport()->update();
}

void MetricChartView::addCurveSeries(int slot, const ChartCurve &curve)
{
    QValueAxis *values = m_values;
    if (curve.secondAxis) {
        if (!m_secondValues) {
            m_secondValues = new QValueAxis;
            m_secondValues->setLabelFormat(QStringLiteral("%.4g"));
            m_secondValues->setLinePenColor(curve.colour);
            chart()->addAxis(m_secondValues, Qt::AlignRight);
        }
        double low = std::numeric_limits<double>::infinity();
        double high = -low;
        for (const MetricBucket &bucket : curve.buckets) {
            if (bucket.count > 0 && std::isfinite(bucket.avg)) {
                low = std::min(low, bucket.avg);
                high = std::max(high, bucket.avg);
            }
        }
        if (!std::isfinite(low)) {
            low = 0;
            high = 1;
        } else if (low == high) {
            low -= 1;
            high += 1;
        }
        m_secondValues->setRange(low - (high - low) * 0.05, high + (high - low) * 0.05);
        values = m_secondValues;
    }
    auto attach = [&](QAbstractSeries *series, bool inLegend) {
        chart()->addSeries(series);
        series->attachAxis(m_time);
        series->attachAxis(values);
        for (QLegendMarker *marker : chart()->legend()->markers(series))
            marker->setVisible(inLegend);
    };
    auto msecs = [](const QDateTime &t) {
        return double(QDateTime(t.date(), t.time()).toMSecsSinceEpoch());
    };
    const QList<QList<const MetricBucket *>> runs = segments(curve);
    m_segments.insert(slot, int(runs.size()));
    QScatterSeries *singles = nullptr;
    bool legendShown = false;
    const qint64 halfWidthMs = std::max<qint64>(1, curve.bucketSeconds) * 500;
    for (const QList<const MetricBucket *> &run : runs) {
        if (run.size() == 1) {
            if (!singles) {
                singles = new QScatterSeries;
                singles->setName(curve.label);
                singles->setColor(curve.colour);
                singles->setBorderColor(curve.colour);
                singles->setMarkerSize(6);
            }
            singles->append(msecs(run.first()->start) + double(halfWidthMs), run.first()->avg);
            continue;
        }
        QList<QPointF> avg;
        QList<QPointF> min;
        QList<QPointF> max;
        avg.reserve(run.size());
        for (const MetricBucket *bucket : run) {
            const double x = msecs(bucket->start) + double(halfWidthMs); // the bucket's middle
            avg.append({x, bucket->avg});
            if (curve.band) {
                min.append({x, bucket->min});
                max.append({x, bucket->max});
            }
        }
        if (curve.band) {
            auto *upper = new QLineSeries;
            auto *lower = new QLineSeries;
            upper->replace(max);
            lower->replace(min);
            auto *area = new QAreaSeries(upper, lower);
            QColor fill = curve.colour;
            fill.setAlpha(50);
            area->setBrush(fill);
            area->setPen(Qt::NoPen);
            area->setName(tr("%1 min–max").arg(curve.label));
            attach(area, !legendShown);
        }
        auto *line = new QLineSeries;
        line->setName(curve.label);
        line->setPen(QPen(curve.colour, curve.band ? 2.0 : 1.5));
        line->replace(avg);
        attach(line, !legendShown);
        legendShown = true;
    }
    if (singles)
        attach(singles, !legendShown);
}

QDateTime MetricChartView::timeAt(qreal x) const
{
    const QRectF plot = chart()->plotArea();
    if (plot.width() <= 0)
        return m_from;
    const double fraction = (x - plot.left()) / plot.width();
    return m_from.addMSecs(qint64(double(m_from.msecsTo(m_to)) * fraction));
}

qreal MetricChartView::xOf(const QDateTime &at) const
{
    const QRectF plot = chart()->plotArea();
    const double span = double(m_from.msecsTo(m_to));
    if (span <= 0)
        return plot.left();
    return plot.left() + plot.width() * double(m_from.msecsTo(at)) / span;
}

QPoint MetricChartView::positionOf(const QDateTime &at) const
{
    const QRectF plot = chart()->plotArea();
    return mapFromScene(QPointF(xOf(at), plot.center().y()));
}

int MetricChartView::markerNear(qreal x) const
{
    int best = -1;
    qreal bestDistance = MarkerPickPixels + 1;
    for (int i = 0; i < m_markers.size(); ++i) {
        const qreal distance = std::abs(xOf(m_markers.at(i).at) - x);
        if (distance < bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

QString MetricChartView::tooltipAt(const QDateTime &at) const
{
    const int marker = markerNear(xOf(at));
    if (marker >= 0)
        return m_markers.at(marker).tooltip;
    const ChartCurve main = m_curves.value(m_curves.isEmpty() ? 0 : m_curves.firstKey());
    for (const MetricBucket &bucket : main.buckets) {
        const QDateTime end = bucket.end.isValid()
                                  ? bucket.end
                                  : bucket.start.addSecs(std::max<qint64>(1, main.bucketSeconds));
        if (at < bucket.start || at >= end)
            continue;
        const QLocale locale;
        QString text = QStringLiteral("<b>%1</b><br>%2 – %3<br>")
                           .arg(main.label.toHtmlEscaped(),
                                bucket.start.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                                end.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        text += tr("min %1 · avg %2 · max %3<br>%4 values")
                    .arg(number(bucket.min), number(bucket.avg), number(bucket.max),
                         locale.toString(bucket.count));
        if (bucket.excluded > 0)
            text += tr("<br>%1 not counted (NaN, ±Infinity or NULL)")
                        .arg(locale.toString(bucket.excluded));
        return text;
    }
    return {};
}

void MetricChartView::requestRange(const QDateTime &from, const QDateTime &to)
{
    QDateTime start = from;
    QDateTime end = to;
    if (start.msecsTo(end) < MinRangeMs) {
        const QDateTime middle = start.addMSecs(start.msecsTo(end) / 2);
        start = middle.addMSecs(-MinRangeMs / 2);
        end = middle.addMSecs(MinRangeMs / 2);
    }
    setRange(start, end);
    Q_EMIT rangeRequested(start, end);
}

void MetricChartView::zoomBy(double factor, const QDateTime &around)
{
    if (factor <= 0 || !m_from.isValid())
        return;
    const QDateTime centre = around.isValid() ? around : m_from.addMSecs(m_from.msecsTo(m_to) / 2);
    const double left = double(centre.msecsTo(m_from)) / factor;
    const double right = double(centre.msecsTo(m_to)) / factor;
    requestRange(centre.addMSecs(qint64(left)), centre.addMSecs(qint64(right)));
}

void MetricChartView::panBy(double fraction)
{
    const qint64 shift = qint64(double(m_from.msecsTo(m_to)) * fraction);
    requestRange(m_from.addMSecs(shift), m_to.addMSecs(shift));
}

QImage MetricChartView::image()
{
    QImage image(size() * devicePixelRatioF(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(devicePixelRatioF());
    image.fill(Qt::white);
    QPainter painter(&image);
    render(&painter);
    return image;
}

bool MetricChartView::writeSvg(QIODevice *device, const QString &title)
{
    QSvgGenerator generator;
    generator.setOutputDevice(device);
    generator.setSize(size());
    generator.setViewBox(rect());
    generator.setTitle(title);
    QPainter painter;
    if (!painter.begin(&generator))
        return false;
    render(&painter);
    return painter.end();
}

void MetricChartView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0)
        return;
    const QPointF scene = mapToScene(event->position().toPoint());
    zoomBy(std::pow(WheelZoom, steps), timeAt(scene.x()));
    event->accept();
}

void MetricChartView::mousePressEvent(QMouseEvent *event)
{
    const QPointF scene = mapToScene(event->position().toPoint());
    if (!chart()->plotArea().contains(scene))
        return QChartView::mousePressEvent(event);
    if (event->button() == Qt::LeftButton && !(event->modifiers() & Qt::ControlModifier)) {
        const int marker = markerNear(scene.x());
        if (marker >= 0) {
            setSelectedMarker(marker);
            Q_EMIT markerActivated(marker);
            return;
        }
    }
    m_panning = event->button() == Qt::MiddleButton ||
                (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ControlModifier));
    if (event->button() == Qt::LeftButton || m_panning) {
        m_dragStart = scene;
        m_dragNow = scene.x();
    }
}

void MetricChartView::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF scene = mapToScene(event->position().toPoint());
    if (m_dragStart) {
        m_dragNow = scene.x();
        viewport()->update();
        return;
    }
    if (!chart()->plotArea().contains(scene)) {
        QToolTip::hideText();
        return;
    }
    const QDateTime at = timeAt(scene.x());
    const QString text = tooltipAt(at);
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
    Q_EMIT hovered(at);
}

void MetricChartView::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_dragStart)
        return QChartView::mouseReleaseEvent(event);
    const qreal start = m_dragStart->x();
    const qreal end = mapToScene(event->position().toPoint()).x();
    m_dragStart.reset();
    viewport()->update();
    if (std::abs(end - start) < 4)
        return; // a click
    if (m_panning) {
        const QRectF plot = chart()->plotArea();
        panBy((start - end) / std::max<qreal>(1, plot.width()));
    } else {
        requestRange(timeAt(std::min(start, end)), timeAt(std::max(start, end)));
    }
}

void MetricChartView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(2);
        return;
    case Qt::Key_Minus:
        zoomBy(0.5);
        return;
    case Qt::Key_Left:
        if (event->modifiers() & Qt::AltModifier)
            break; // Back, the panel's
        panBy(-KeyPan);
        return;
    case Qt::Key_Right:
        panBy(KeyPan);
        return;
    default:
        break;
    }
    QChartView::keyPressEvent(event);
}

void MetricChartView::leaveEvent(QEvent *event)
{
    QToolTip::hideText();
    QChartView::leaveEvent(event);
}

void MetricChartView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    const QRectF plot = chart()->plotArea();
    painter->save();
    painter->setClipRect(plot);
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
    for (int i = 0; i < m_markers.size(); ++i) {
        const qreal x = xOf(m_markers.at(i).at);
        const bool selected = i == m_selectedMarker;
        painter->setPen(QPen(selected ? Colours::chartHighlight() : Colours::caution(),
                             selected ? 2.0 : 1.0, selected ? Qt::SolidLine : Qt::DashLine));
        painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter->setBrush(selected ? Colours::chartHighlight() : Colours::caution());
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
