#pragma once

#include "repositories/metricsrepository.h"

#include <QChartView>
#include <QDateTime>
#include <QList>
#include <QMap>

#include <functional>
#include <optional>

class QAbstractSeries;
class QDateTimeAxis;
class QValueAxis;

// One curve of the chart: a metric's buckets (oldest first, empty buckets absent) and how to
// draw them.
struct ChartCurve
{
    QString label; // the legend's entry
    QList<MetricBucket> buckets;
    qint64 bucketSeconds = 1; // the width the buckets were asked with
    bool band = false;        // the min–max band around the average (the main curve)
    bool secondAxis = false;  // a value axis of its own, on the right
    QColor colour;
};

// The metric chart: every use of Qt Charts stays in this class, so that a move to Qt Graphs
// touches one place. Qt Charts lays out the axes, the grid and the legend; the data is painted
// by this class over them (see m_lines and m_bands: far faster than Qt Charts' own series for
// thousands of points). Curves are drawn as the bucket averages, broken into segments where
// data is missing (never a line across a gap), the main one with its min–max band; change
// markers, the impact's before/after windows and a message for an empty range are painted over
// the plot.
// The user zooms with the rubber band (drag), the wheel and + / −, pans with a middle-button or
// Ctrl drag and the arrow keys; each asks for a new range (rangeRequested) and the old curves
// stay until new ones are set.
class MetricChartView : public QChartView
{
    Q_OBJECT

public:
    explicit MetricChartView(QWidget *parent = nullptr);

    // The time axis' range.
    void setRange(const QDateTime &from, const QDateTime &to);
    QDateTime rangeFrom() const { return m_from; }
    QDateTime rangeTo() const { return m_to; }

    // Replaces the curve of `slot` (0 is the main one).
    void setCurve(int slot, const ChartCurve &curve);
    void clearCurves();
    // Change markers at `moments`, oldest first; `describe(i)` gives marker i's tooltip when the
    // pointer is on it (asked then, not for every marker up front).
    void setMarkers(const QList<QDateTime> &moments);
    void setMarkerText(std::function<QString(int)> describe);
    // Replaces every curve at once (one rebuild of the plot, however many).
    void setCurves(const QMap<int, ChartCurve> &curves);
    void setSelectedMarker(int index); // -1: none
    // Shades [before, change) and [change, after); invalid times: no shading.
    void setWindows(const QDateTime &before, const QDateTime &change, const QDateTime &after);
    // Said in the middle of the plot when there is nothing to draw ("No data in this range").
    void setMessage(const QString &message);

    // Zooms the time axis by `factor` (> 1 in) around `around` (the middle when invalid), or
    // moves it by `fraction` of its width; both ask for the new range.
    void zoomBy(double factor, const QDateTime &around = {});
    void panBy(double fraction);

    // The plot as an image, at the widget's size (PNG export; tests).
    QImage image();
    // The plot as SVG (vector) on `device`, titled `title`.
    bool writeSvg(QIODevice *device, const QString &title);

    // For tests and the CSV export.
    int curveCount() const { return int(m_curves.size()); }
    QList<int> curveSlots() const { return m_curves.keys(); }
    ChartCurve curve(int slot) const { return m_curves.value(slot); }
    int segmentCount(int slot) const;
    int markerCount() const { return int(m_markers.size()); }
    QString message() const { return m_message; }
    // The tooltip text the chart shows at `at` (a bucket's or a marker's).
    QString tooltipAt(const QDateTime &at) const;
    // The x position of a time in the view's coordinates.
    QPoint positionOf(const QDateTime &at) const;

    // Gap rule: a segment breaks where the next bucket starts more than this many bucket
    // widths (or three typical spacings, when larger) after the previous one.
    static constexpr double GapWidths = 2.5;

Q_SIGNALS:
    // The user zoomed or panned to [from, to).
    void rangeRequested(const QDateTime &from, const QDateTime &to);
    // The pointer is over the plot at `at` (for the values in effect then).
    void hovered(const QDateTime &at);
    void markerActivated(int index);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void drawBackground(QPainter *painter, const QRectF &rect) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void leaveEvent(QEvent *event) override;

private:
    void rebuild();
    void addCurveSeries(int slot, const ChartCurve &curve);
    QDateTime timeAt(qreal x) const;
    qreal xOf(const QDateTime &at) const;
    // Places points of the series' coordinates on the plot, by the time axis and the value
    // axis (the second one for `secondAxis`), as they are when it is made.
    struct PlotMap
    {
        QRectF plot;
        double t0 = 0, t1 = 0, v0 = 0, v1 = 0, w0 = 0, w1 = 0;
        QPointF operator()(const QPointF &point, bool secondAxis) const;
    };
    PlotMap plotMap() const;
    // The min–max band's colour (metricchartpaint.cpp).
    static QColor bandFill(const QColor &colour, const QColor &background = Qt::white);
    int markerNear(qreal x) const;
    // The markers within the pick distance of x: [first, last), by index.
    std::pair<int, int> markersNear(qreal x) const;
    void requestRange(const QDateTime &from, const QDateTime &to);

    QDateTimeAxis *m_time = nullptr;
    QValueAxis *m_values = nullptr;
    QValueAxis *m_secondValues = nullptr;
    QMap<int, ChartCurve> m_curves;
    QMap<int, int> m_segments;
    // The min–max bands, painted by drawBackground under the curves and the grid: a bucket's
    // span from its min to its max each, in the series' coordinates (x in ms as the time axis
    // has them: left the bucket's start, right its end), in an opaque light colour. Measured
    // (bench_metrics): 1,000 such rectangles paint in ~2 ms; translucent they took 50–80 ms
    // (one-pixel spans blend slowly), and a QAreaSeries through the minima and maxima ~170 ms.
    struct Band
    {
        QList<QRectF> buckets;
        QColor colour;
        bool secondAxis = false;
    };
    QList<Band> m_bands;
    // The curves, painted by drawForeground: the segments' bucket averages as polylines and
    // lone buckets as dots, in the series' coordinates. Qt Charts' own line series took ~75 ms
    // to take 30 curves of 1,000 points (each point placed again per axis, a hit-test outline
    // stroked per series); the chart keeps the axes, the grid and the legend.
    struct Line
    {
        QList<QPolygonF> runs;
        QList<QPointF> singles;
        QColor colour;
        qreal width = 1;
        bool secondAxis = false;
    };
    QMap<int, Line> m_lines; // by slot
    QList<QDateTime> m_markers;
    std::function<QString(int)> m_describeMarker;
    int m_selectedMarker = -1;
    QDateTime m_from;
    QDateTime m_to;
    QDateTime m_windowBefore;
    QDateTime m_windowChange;
    QDateTime m_windowAfter;
    QString m_message;
    // A drag: the rubber band (left button) or a pan (middle button, or Ctrl).
    std::optional<QPointF> m_dragStart;
    bool m_panning = false;
    qreal m_dragNow = 0;
};
