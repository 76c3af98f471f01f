// The Metrics panel on the offscreen platform against a migrated, demo-seeded test database
// with hand-made metrics of known shape in 2030 (A5: 100 for twelve hours, six hours without
// data, then 120; A6: a flat 50) and hand-made changes of A5 (one alone, two in a change set):
// buckets and gaps, markers per change set, zoom and its latest-wins, Back and Reset, a
// marker's impact, the parameter filter, the values in effect, overlays, export, a link, and
// follow live (only the newest part read, a selected change kept).
#include "db/sqltimestamp.h"
#include "metrics/metricchartview.h"
#include "metrics/metricspanel.h"
#include "repositoryfixture.h"
#include "workers/metricsworker.h"

#include <QAction>
#include <QFile>
#include <QImage>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

QDateTime utc(const char *text)
{
    QDateTime t = QDateTime::fromString(QString::fromLatin1(text), u"yyyy-MM-dd HH:mm"_s);
    return QDateTime(t.date(), t.time(), Qt::UTC);
}

} // namespace

class TstMetricsPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void bucketsGapsAndMarkers();
    void zoomRebucketsAndTheLatestWins();
    void backAndReset();
    void aMarkersImpact();
    void markersFilterByParameter();
    void valuesInEffectUnderThePointer();
    void overlays();
    void exportsPngSvgAndCsv();
    void aLinkOpensAtTheMoment();
    void anEmptyRangeSaysSo();
    void followLiveAppendsOnlyTheNewest();
    void denseMarkersAreCountedNotPiled();

private:
    bool openOnA5();
    bool waitIdle();
    // ALGOADMIN_GRAB_DIR: a picture of the panel for the README.
    void grab(const QString &name);

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<MetricsPanel> m_panel;
    QString m_aloneId; // the change at 06:00
};

void TstMetricsPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_db = std::make_unique<TestDatabase>(u"metricspanel"_s);
    const QString problem = prepareSeededDatabase(*m_db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(
        m_db->exec("INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value,"
                   " recorded_at)"
                   // ±4 around the level, alternating: each side's mean stays exact
                   " SELECT 'A5', 'hand_latency', CASE WHEN g < 720 THEN 100 ELSE 120 END"
                   "        + (g % 2) * 8 - 4,"
                   "        timestamp '2030-01-01' + (CASE WHEN g < 720 THEN g ELSE g + 360 END)"
                   "        * interval '1 minute'"
                   " FROM generate_series(0, 1439) g"
                   " UNION ALL"
                   " SELECT 'A6', 'hand_latency', 50, timestamp '2030-01-01' + g * interval"
                   " '1 minute' FROM generate_series(0, 1799) g"
                   // Bad data at 03:00:30: left out of the aggregates, counted aside.
                   " UNION ALL SELECT 'A5', 'hand_latency', v, '2030-01-01 03:00:30'"
                   " FROM unnest(ARRAY['NaN', 'Infinity', '-Infinity', NULL]::numeric[]) v")
            .ok());
    QVERIFY(m_db->exec("INSERT INTO algorithm_changelog (id, algorithm_id, user_id, parameter_name,"
                       " old_value, new_value, reason, modified_at, change_set) VALUES"
                       " ('m-alone', 'A5', 3, 'p1', '0', '1', 'first', '2030-01-01 06:00', NULL),"
                       " ('m-set-1', 'A5', 4, 'p1', '1', '2', 'both', '2030-01-01 18:00', 'cs-m'),"
                       " ('m-set-2', 'A5', 4, 'p2', 'a', 'b', 'both', '2030-01-01 18:00', 'cs-m')")
                .ok());
    m_aloneId = u"m-alone"_s;
}

void TstMetricsPanel::init()
{
    m_panel = std::make_unique<MetricsPanel>();
    m_panel->resize(1150, 700);
}

void TstMetricsPanel::cleanup()
{
    m_panel.reset();
}

bool TstMetricsPanel::waitIdle()
{
    return QTest::qWaitFor([this] { return !m_panel->isBusy(); }, 20000);
}

void TstMetricsPanel::grab(const QString &name)
{
    const QString dir = qEnvironmentVariable("ALGOADMIN_GRAB_DIR");
    if (dir.isEmpty())
        return;
    QTest::qWait(100); // the legend's layout follows the curves a moment later
    QVERIFY(m_panel->grab().save(dir + u'/' + name));
}

bool TstMetricsPanel::openOnA5()
{
    m_panel->show();
    if (!QTest::qWaitForWindowExposed(m_panel.get()))
        return false;
    ConnectionContext context;
    context.profileName = u"test"_s;
    context.options = m_db->options();
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    m_panel->setConnection(context);
    if (!loaded.wait(20000) || !waitIdle())
        return false;
    if (!m_panel->selectAgent(u"A5"_s) || !waitIdle())
        return false;
    if (!m_panel->selectMetric(u"hand_latency"_s) || !waitIdle())
        return false;
    m_panel->showRange(utc("2030-01-01 00:00"), utc("2030-01-02 06:00"));
    return waitIdle();
}

void TstMetricsPanel::bucketsGapsAndMarkers()
{
    QVERIFY(openOnA5());
    for (QAction *action : m_panel->panelActions())
        QVERIFY(action && !action->text().isEmpty());
    MetricChartView *chart = m_panel->chart();
    QCOMPARE(chart->curveCount(), 1);
    const ChartCurve main = chart->curve(0);
    QVERIFY(!main.buckets.isEmpty());
    // At most one bucket a pixel of the plot, every row in one.
    QVERIFY(main.buckets.size() <= qMax(50, int(chart->chart()->plotArea().width())));
    qint64 rows = 0;
    for (const MetricBucket &bucket : main.buckets) {
        rows += bucket.count;
        QVERIFY(bucket.min <= bucket.avg && bucket.avg <= bucket.max);
        QVERIFY(bucket.avg >= 96 && bucket.avg <= 124);
    }
    QCOMPARE(rows, qint64(1440));
    // The six hours without data break the line: two segments, no line across the gap.
    QCOMPARE(chart->segmentCount(0), 2);
    // One marker for the lone change, one for the change set of two.
    const QList<QList<ChangelogEntry>> groups = m_panel->markerGroups();
    QCOMPARE(groups.size(), 2);
    QCOMPARE(groups.at(0).size(), 1);
    QCOMPARE(groups.at(1).size(), 2);
    QCOMPARE(chart->markerCount(), 2);
    QVERIFY(chart->tooltipAt(utc("2030-01-01 18:00")).contains(u"p2: a → b"_s));
    QVERIFY(chart->tooltipAt(utc("2030-01-01 03:00")).contains(u"values"_s));
    // NaN, ±Infinity and NULL change no average and are said in the tooltip.
    qint64 excluded = 0;
    for (const MetricBucket &bucket : main.buckets)
        excluded += bucket.excluded;
    QCOMPARE(excluded, qint64(4));
    const QString bad = chart->tooltipAt(utc("2030-01-01 03:00").addSecs(30));
    QVERIFY2(bad.contains(u"4 not counted"_s), qPrintable(bad));
    QVERIFY(chart->message().isEmpty());
    // As painted: down the plot at 03:00 the band shows in a light tint of the curve's blue
    // (never dark: a gradient theme once made it black), the curve crosses it, and nothing is
    // painted in the gap at 15:00 but the grid.
    const QImage image = chart->image();
    const QRect plot = chart->chart()->plotArea().toRect();
    auto column = [&](const QDateTime &at) {
        QList<QColor> colours;
        const int x = chart->positionOf(at).x();
        for (int y = plot.top() + 12; y < plot.bottom() - 2; ++y) // below the markers' dots
            colours.append(image.pixelColor(x, y));
        return colours;
    };
    int band = 0;
    int curve = 0;
    for (const QColor &c : column(utc("2030-01-01 03:00"))) {
        QVERIFY2(c.lightness() > 90, qPrintable(c.name()));
        band += c.lightness() > 180 && c.lightness() < 250 && c.blue() > c.red() + 15 ? 1 : 0;
        curve += c.lightness() < 170 && c.blue() > c.red() + 60 ? 1 : 0;
    }
    QVERIFY2(band > 20, qPrintable(QString::number(band)));
    QVERIFY(curve > 0);
    for (const QColor &c : column(utc("2030-01-01 15:00")))
        QVERIFY2(qAbs(c.red() - c.blue()) < 12, qPrintable(c.name())); // white or grey grid
    grab(u"metrics-chart.png"_s);
}

void TstMetricsPanel::zoomRebucketsAndTheLatestWins()
{
    QVERIFY(openOnA5());
    MetricChartView *chart = m_panel->chart();
    const qint64 wideWidth = chart->curve(0).bucketSeconds;
    QSignalSpy requested(chart, &MetricChartView::rangeRequested);
    chart->zoomBy(2);
    chart->zoomBy(2);
    QCOMPARE(requested.size(), 2);
    // The old curve stays until the new one arrives.
    QVERIFY(!chart->curve(0).buckets.isEmpty());
    QVERIFY(waitIdle());
    const QDateTime from = chart->rangeFrom();
    const QDateTime to = chart->rangeTo();
    QCOMPARE(from.secsTo(to), qint64(30 * 3600 / 4));
    const ChartCurve zoomed = chart->curve(0);
    QVERIFY(zoomed.bucketSeconds < wideWidth);
    for (const MetricBucket &bucket : zoomed.buckets)
        QVERIFY2(bucket.start >= from && bucket.start < to, qPrintable(bucket.start.toString()));
    // The keys zoom and pan too.
    chart->setFocus();
    QTest::keyClick(chart, Qt::Key_Right);
    QVERIFY(waitIdle());
    QVERIFY(chart->rangeFrom() > from);
}

void TstMetricsPanel::backAndReset()
{
    QVERIFY(openOnA5());
    MetricChartView *chart = m_panel->chart();
    const QDateTime from = chart->rangeFrom();
    const QDateTime to = chart->rangeTo();
    chart->zoomBy(4);
    QVERIFY(waitIdle());
    QVERIFY(chart->rangeFrom() != from);
    QVERIFY(m_panel->back());
    QVERIFY(waitIdle());
    QCOMPARE(chart->rangeFrom(), from);
    QCOMPARE(chart->rangeTo(), to);
    m_panel->resetZoom();
    QVERIFY(waitIdle());
    // The metric's whole range: its first and last rows.
    QCOMPARE(chart->rangeFrom(), utc("2030-01-01 00:00"));
    QVERIFY(chart->rangeTo() > utc("2030-01-02 05:59"));
}

void TstMetricsPanel::aMarkersImpact()
{
    QVERIFY(openOnA5());
    m_panel->setImpactWindow(24 * 3600);
    m_panel->selectMarker(1); // the change set at 18:00: 100 before, 120 after
    QVERIFY(waitIdle());
    const QString text = m_panel->impactText();
    QVERIFY2(text.contains(u"+20.0 %"_s), qPrintable(text));
    QVERIFY2(text.contains(u"720"_s), qPrintable(text));
    QVERIFY2(text.contains(u"unlikely to be noise"_s), qPrintable(text));
    // The lone change at 06:00 is 12 h before: inside a 24 h window, said as a warning.
    QVERIFY2(text.contains(u"Other changes of A5"_s), qPrintable(text));
    // Learn from history: what the parameter's changes did, the newest first.
    QVERIFY2(text.contains(u"Past changes of p1"_s), qPrintable(text));
    const QString past = text.mid(text.indexOf(u"Past changes of p1"_s));
    QVERIFY2(past.indexOf(u"1 → 2"_s) >= 0 && past.indexOf(u"1 → 2"_s) < past.indexOf(u"0 → 1"_s),
             qPrintable(past));
    grab(u"metrics-impact.png"_s);
    QVERIFY(text.contains(u"+20.0 %"_s));
    QCOMPARE(m_panel->selectedMarker(), 1);
    // A narrower window: one hour each side, 60 values each.
    m_panel->setImpactWindow(3600);
    QVERIFY(waitIdle());
    // 17:00–18:00 has no data (the gap): nothing to judge, and no other change in the window.
    const QString narrow = m_panel->impactText();
    QVERIFY2(narrow.contains(u"Too few values"_s), qPrintable(narrow));
    QVERIFY2(!narrow.contains(u"Other changes"_s), qPrintable(narrow));
    // The lone change at 06:00 in a level stretch: within noise.
    m_panel->selectMarker(0);
    QVERIFY(waitIdle());
    QVERIFY2(m_panel->impactText().contains(u"within noise"_s), qPrintable(m_panel->impactText()));
}

void TstMetricsPanel::markersFilterByParameter()
{
    QVERIFY(openOnA5());
    m_panel->setHiddenParameters({u"p2"_s});
    QCOMPARE(m_panel->markerGroups().size(), 2);
    QCOMPARE(m_panel->markerGroups().at(1).size(), 1);
    m_panel->setHiddenParameters({u"p1"_s});
    QCOMPARE(m_panel->markerGroups().size(), 1);
    QCOMPARE(m_panel->markerGroups().at(0).constFirst().parameterName, u"p2"_s);
    QCOMPARE(m_panel->chart()->markerCount(), 1);
    m_panel->setHiddenParameters({});
    QCOMPARE(m_panel->chart()->markerCount(), 2);
}

void TstMetricsPanel::valuesInEffectUnderThePointer()
{
    QVERIFY(openOnA5());
    Q_EMIT m_panel->chart()->hovered(utc("2030-01-01 10:00"));
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->inEffectText().contains(u"p1 = 1"_s), 10000);
    QVERIFY(!m_panel->inEffectText().contains(u"p2 = b"_s));
    Q_EMIT m_panel->chart()->hovered(utc("2030-01-01 20:00"));
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->inEffectText().contains(u"p1 = 2"_s), 10000);
    QVERIFY(m_panel->inEffectText().contains(u"p2 = b"_s));
}

void TstMetricsPanel::overlays()
{
    QVERIFY(openOnA5());
    MetricChartView *chart = m_panel->chart();
    m_panel->setCompareAgents({u"A6"_s});
    QVERIFY(waitIdle());
    QCOMPARE(chart->curveCount(), 2);
    bool flat = false;
    for (int slot : chart->curveSlots()) {
        const ChartCurve curve = chart->curve(slot);
        if (curve.label.startsWith(u"A6"_s)) {
            flat = !curve.buckets.isEmpty();
            for (const MetricBucket &bucket : curve.buckets)
                flat = flat && qFuzzyCompare(bucket.avg, 50.0);
        }
    }
    QVERIFY(flat);
    m_panel->setShift(MetricsPanel::Shift::Day);
    QVERIFY(waitIdle());
    QCOMPARE(chart->curveCount(), 3);
    grab(u"metrics-compare.png"_s);
    // Every agent at once: one request, a curve each.
    QStringList everyone;
    for (int i = 1; i <= 30; ++i) {
        if (i != 5)
            everyone.append(u"A%1"_s.arg(i));
    }
    m_panel->setCompareAgents(everyone);
    QVERIFY(waitIdle());
    QCOMPARE(chart->curveCount(), 1 + 1 + 29);
    // … each with a colour of its own (the shifted curve is muted grey).
    QSet<QRgb> colours;
    for (int slot : chart->curveSlots())
        colours.insert(chart->curve(slot).colour.rgb());
    QCOMPARE(colours.size(), chart->curveCount());
    m_panel->setCompareAgents({});
    m_panel->setShift(MetricsPanel::Shift::None);
    QVERIFY(waitIdle());
    QCOMPARE(chart->curveCount(), 1);
}

void TstMetricsPanel::exportsPngSvgAndCsv()
{
    QVERIFY(openOnA5());
    QTemporaryDir dir;
    const QString png = dir.filePath(u"chart.png"_s);
    const QString csv = dir.filePath(u"buckets.csv"_s);
    QVERIFY(m_panel->exportPng(png));
    QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 200);
    const QString svg = dir.filePath(u"chart.svg"_s);
    QVERIFY(m_panel->exportSvg(svg));
    QFile vector(svg);
    QVERIFY(vector.open(QIODevice::ReadOnly));
    const QByteArray svgText = vector.readAll();
    QVERIFY(svgText.contains("<svg"));
    QVERIFY(svgText.contains("<polyline") || svgText.contains("<path"));
    QVERIFY(m_panel->exportCsv(csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QCOMPARE(lines.first(), QByteArray("curve,start,end,min,avg,max,count,excluded"));
    QCOMPARE(lines.size() - 1, m_panel->chart()->curve(0).buckets.size());
    qint64 rows = 0;
    for (qsizetype i = 1; i < lines.size(); ++i)
        rows += lines.at(i).split(',').at(6).toLongLong();
    QCOMPARE(rows, qint64(1440));
}

void TstMetricsPanel::aLinkOpensAtTheMoment()
{
    QVERIFY(openOnA5());
    PanelLink link;
    link.panel = u"metrics"_s;
    link.algorithmId = u"A5"_s;
    link.entryId = m_aloneId;
    link.moment = utc("2030-01-01 06:00");
    QVERIFY(m_panel->showLink(link));
    QVERIFY(waitIdle());
    QCOMPARE(m_panel->chart()->rangeFrom(), utc("2029-12-31 18:00"));
    QCOMPARE(m_panel->chart()->rangeTo(), utc("2030-01-01 18:00"));
    QCOMPARE(m_panel->selectedMarker(), 0);
    QCOMPARE(m_panel->markerGroups().at(0).constFirst().id, m_aloneId);
}

void TstMetricsPanel::anEmptyRangeSaysSo()
{
    QVERIFY(openOnA5());
    m_panel->showRange(utc("2040-01-01 00:00"), utc("2040-01-02 00:00"));
    QVERIFY(waitIdle());
    QVERIFY(m_panel->chart()->curve(0).buckets.isEmpty());
    QVERIFY2(m_panel->chart()->message().contains(u"No data"_s),
             qPrintable(m_panel->chart()->message()));
    QCOMPARE(m_panel->chart()->segmentCount(0), 0);
}

void TstMetricsPanel::followLiveAppendsOnlyTheNewest()
{
    // Last (it adds a change of A5 now, before the 2030 changes the other tests read, and the
    // changelog keeps every row): a metric of its own over the last 50 minutes, at 10.
    const QByteArray now = SqlTimestamp::toSql(MetricsPanel::wallClockNow()).toUtf8();
    QVERIFY(m_db->exec("INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value,"
                       " recorded_at) SELECT 'A5', 'live_latency', 10,"
                       " $1::timestamp - g * interval '1 minute' FROM generate_series(1, 50) g",
                       {now})
                .ok());
    QVERIFY(openOnA5());
    QVERIFY(m_panel->selectMetric(u"live_latency"_s));
    QVERIFY(waitIdle());
    m_panel->setPreset(MetricsPanel::Preset::Hour);
    QVERIFY(waitIdle());
    MetricChartView *chart = m_panel->chart();
    QVERIFY(!chart->curve(0).buckets.isEmpty());
    QCOMPARE(chart->curve(0).buckets.constLast().max, 10.0);
    const QDateTime rangeFrom = chart->rangeFrom();

    QList<MetricSeriesRequest> liveReads;
    int markerAnswers = 0;
    int impactAnswers = 0;
    QObject receiver;
    connect(m_panel->worker(), &MetricsWorker::seriesLoaded, &receiver,
            [&](int, const QList<MetricSeriesRequest> &series) {
                if (series.size() == 1 && series.constFirst().slot == MetricsWorker::MaxSlots - 1)
                    liveReads.append(series.constFirst());
            });
    connect(m_panel->worker(), &MetricsWorker::markersLoaded, &receiver, [&] { ++markerAnswers; });
    connect(m_panel->worker(), &MetricsWorker::impactLoaded, &receiver, [&] { ++impactAnswers; });
    m_panel->setFollowLive(true);
    // A new value and a change arrive while it follows.
    const QByteArray later = SqlTimestamp::toSql(MetricsPanel::wallClockNow()).toUtf8();
    QVERIFY(m_db->exec("INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value,"
                       " recorded_at) VALUES ('A5', 'live_latency', 30, $1::timestamp)",
                       {later})
                .ok());
    QVERIFY(m_db->exec("INSERT INTO algorithm_changelog (id, algorithm_id, user_id, parameter_name,"
                       " old_value, new_value, reason, modified_at, change_set) VALUES"
                       " ('m-live', 'A5', 5, 'p1', '2', '3', 'live', $1::timestamp, 'cs-live')",
                       {later})
                .ok());
    auto liveMarker = [this] {
        const QList<QList<ChangelogEntry>> groups = m_panel->markerGroups();
        for (int i = 0; i < groups.size(); ++i) {
            if (groups.at(i).constFirst().changeSet == u"cs-live"_s)
                return i;
        }
        return -1;
    };
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QList<MetricBucket> buckets = chart->curve(0).buckets;
            return !buckets.isEmpty() && buckets.constLast().max == 30.0 && liveMarker() >= 0;
        },
        3 * MetricsPanel::LiveIntervalMs + 5000));
    // Only the newest part was read: from the last bucket on, not the whole hour again.
    QVERIFY(!liveReads.isEmpty());
    QVERIFY2(liveReads.constFirst().from > rangeFrom.addSecs(50 * 60),
             qPrintable(liveReads.constFirst().from.toString(Qt::ISODate)));
    // The older buckets stayed.
    QCOMPARE(chart->curve(0).buckets.constFirst().max, 10.0);

    // A selected change stays selected while nothing new comes, and its impact is not re-read.
    const int index = liveMarker();
    m_panel->selectMarker(index);
    QVERIFY(QTest::qWaitFor([&] { return impactAnswers == 1; }, 10000));
    const int answersBefore = markerAnswers;
    QVERIFY(QTest::qWaitFor([&] { return markerAnswers >= answersBefore + 2; },
                            3 * MetricsPanel::LiveIntervalMs + 5000));
    QCOMPARE(m_panel->selectedMarker(), index);
    QCOMPARE(impactAnswers, 1);
    m_panel->setFollowLive(false);
    QVERIFY(waitIdle());
}

void TstMetricsPanel::denseMarkersAreCountedNotPiled()
{
    // 20,000 changes over a day (one every 4.32 s), as a whole range of a busy agent has: the
    // chart paints them and names how many are under the pointer; a lone one far off keeps its
    // own tooltip.
    MetricChartView chart;
    chart.resize(900, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QDateTime from = utc("2031-01-01 00:00");
    chart.setRange(from, from.addDays(2));
    QList<QDateTime> moments;
    for (int i = 0; i < 20000; ++i)
        moments.append(from.addMSecs(qint64(i) * 4320));
    moments.append(from.addDays(1).addSecs(18 * 3600)); // alone, 18 h after the rest
    chart.setMarkers(moments);
    int asked = -1;
    chart.setMarkerText([&asked](int index) {
        asked = index;
        return u"marker %1"_s.arg(index);
    });
    const QString dense = chart.tooltipAt(from.addSecs(12 * 3600));
    QVERIFY2(dense.contains(u"changes"_s) && dense.contains(u"Zoom in"_s), qPrintable(dense));
    QCOMPARE(asked, -1); // not one marker's text: a count
    QCOMPARE(chart.tooltipAt(moments.constLast()), u"marker 20000"_s);
    QCOMPARE(asked, 20000);
    const QImage image = chart.image();
    // The dense part is a rug of ticks along the top (the marker colour left of the middle),
    // not a wall of lines over the curves; the empty second day before the lone marker has
    // none.
    const QRect plot = chart.chart()->plotArea().toRect();
    auto markerColumns = [&](int left, int right, int y = -1) {
        int columns = 0;
        for (int x = left; x < right; ++x) {
            const QColor c = image.pixelColor(x, y < 0 ? plot.top() + 5 : y);
            columns += c.red() > c.blue() + 40 ? 1 : 0;
        }
        return columns;
    };
    QCOMPARE(
        markerColumns(plot.left() + 10, plot.left() + plot.width() / 2 - 10, plot.center().y()), 0);
    QVERIFY(markerColumns(plot.left() + 10, plot.left() + plot.width() / 2 - 10) >
            plot.width() / 4);
    QCOMPARE(
        markerColumns(plot.left() + plot.width() / 2 + 10, plot.left() + plot.width() * 7 / 8 - 10),
        0);
}

QTEST_MAIN(TstMetricsPanel)
#include "tst_metricspanel.moc"
