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
// More markers than this within the pick distance get a count for a tooltip.
constexpr int DenseMarkers = 3;
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
    chart()->setBackgroundVisible(false); // drawBackground paints it, under the bands
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

void MetricChartView::clearCurves()
{
    m_curves.clear();
    rebuild();
}

void MetricChartView::setCurves(const QMap<int, ChartCurve> &curves)
{
    m_curves = curves;
    rebuild();
}

void MetricChartView::setMarkers(const QList<QDateTime> &moments)
{
    m_markers = moments;
    m_selectedMarker = -1;
    viewport()->update();
}

void MetricChartView::setMarkerText(std::function<QString(int)> describe)
{
    m_describeMarker = std::move(describe);
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
    m_bands.clear();
    m_lines.clear();
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
    // The legend's entries: series without points (the curves are painted by drawForeground,
    // the bands by drawBackground; see m_lines).
    auto legendEntry = [&](QAbstractSeries *series) {
        chart()->addSeries(series);
        series->attachAxis(m_time);
        series->attachAxis(values);
    };
    // x as the time axis has it: the wall clock read as local time (see setRange). Converting
    // each point through the local time zone is slow (a millisecond per thousand points), so
    // when the zone's offset is the same at both ends of the curve it is applied as a constant
    // (a daylight-saving change inside a range of a year or more is then off by an hour, less
    // than a pixel at that width).
    auto localMs = [](const QDateTime &t) {
        return QDateTime(t.date(), t.time()).toMSecsSinceEpoch();
    };
    std::optional<qint64> offset;
    if (!curve.buckets.isEmpty()) {
        const QDateTime &first = curve.buckets.constFirst().start;
        const QDateTime &last = curve.buckets.constLast().start;
        const qint64 atFirst = localMs(first) - first.toMSecsSinceEpoch();
        if (atFirst == localMs(last) - last.toMSecsSinceEpoch())
            offset = atFirst;
    }
    auto msecs = [&](const QDateTime &t) {
        return double(offset ? t.toMSecsSinceEpoch() + *offset : localMs(t));
    };
    const QList<QList<const MetricBucket *>> runs = segments(curve);
    m_segments.insert(slot, int(runs.size()));
    Line line;
    line.colour = curve.colour;
    // Overlays thinner: 30 curves of 1,000 points paint in about half the time at 1 px.
    line.width = curve.band ? 2.0 : 1.0;
    line.secondAxis = curve.secondAxis;
    const qint64 halfWidthMs = std::max<qint64>(1, curve.bucketSeconds) * 500;
    for (const QList<const MetricBucket *> &run : runs) {
        QPolygonF points;
        points.reserve(run.size());
        for (const MetricBucket *bucket : run) // at the bucket's middle
            points.append({msecs(bucket->start) + double(halfWidthMs), bucket->avg});
        if (points.size() == 1)
            line.singles.append(points.constFirst());
        else
            line.runs.append(points);
    }
    auto *entry = new QLineSeries;
    entry->setName(curve.label);
    entry->setPen(QPen(curve.colour, line.width));
    legendEntry(entry);
    m_lines.insert(slot, line);
    if (curve.band) {
        Band band{{}, curve.colour, curve.secondAxis};
        const qint64 widthMs = std::max<qint64>(1, curve.bucketSeconds) * 1000;
        for (const QList<const MetricBucket *> &run : runs) {
            for (const MetricBucket *bucket : run) {
                if (!std::isfinite(bucket->min) || !std::isfinite(bucket->max))
                    continue;
                const double x = msecs(bucket->start);
                band.buckets.append(
                    QRectF(QPointF(x, bucket->max), QPointF(x + double(widthMs), bucket->min)));
            }
        }
        if (!band.buckets.isEmpty()) {
            // The band is drawn by hand (drawForeground); the area series is its legend swatch.
            // It does not own the line it spans: as its child the line goes with it
            // (LeakSanitizer found one left behind on every rebuild).
            auto *upper = new QLineSeries;
            auto *area = new QAreaSeries(upper);
            upper->setParent(area);
            area->setBrush(bandFill(curve.colour));
            area->setPen(Qt::NoPen);
            area->setName(tr("%1 min–max").arg(curve.label));
            legendEntry(area);
            m_bands.append(band);
        }
    }
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

std::pair<int, int> MetricChartView::markersNear(qreal x) const
{
    // The markers are in time order: two binary searches, whatever their number.
    const QDateTime from = timeAt(x - MarkerPickPixels);
    const QDateTime to = timeAt(x + MarkerPickPixels);
    const auto first = std::lower_bound(m_markers.cbegin(), m_markers.cend(), from);
    const auto last = std::upper_bound(first, m_markers.cend(), to);
    return {int(first - m_markers.cbegin()), int(last - m_markers.cbegin())};
}

int MetricChartView::markerNear(qreal x) const
{
    const auto [first, last] = markersNear(x);
    int best = -1;
    qreal bestDistance = MarkerPickPixels + 1;
    for (int i = first; i < last; ++i) {
        const qreal distance = std::abs(xOf(m_markers.at(i)) - x);
        if (distance < bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

QString MetricChartView::tooltipAt(const QDateTime &at) const
{
    const auto [first, last] = markersNear(xOf(at));
    if (last - first > DenseMarkers) {
        // Too many to tell apart here: say how many, and how to see each.
        return tr("<b>%1 changes</b> between %2 and %3<br>Zoom in to see each one.")
            .arg(QLocale().toString(last - first),
                 m_markers.at(first).toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                 m_markers.at(last - 1).toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    }
    const int marker = markerNear(xOf(at));
    if (marker >= 0)
        return m_describeMarker ? m_describeMarker(marker) : QString();
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
