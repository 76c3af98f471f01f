#include "runchartview.h"

#include "shell/colours.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QHorizontalStackedBarSeries>
#include <QLegendMarker>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

RunChartView::RunChartView(QWidget *parent)
    : QChartView(new QChart, parent)
{
    setRenderHint(QPainter::Antialiasing);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    chart()->setMargins(QMargins(4, 4, 4, 4));
    clear();
}

void RunChartView::clear()
{
    chart()->removeAllSeries();
    // removeAxis gives the axis back to us: it is ours to delete (LeakSanitizer found them).
    for (QAbstractAxis *axis : chart()->axes()) {
        chart()->removeAxis(axis);
        delete axis;
    }
    m_categories.clear();
    chart()->setTitle(tr("Step durations appear here after a migrate or rehearse run."));
}

int RunChartView::barSetCount() const
{
    return chart()->series().isEmpty() ? 0 : m_setCount;
}

static QString label(const StepReport &step)
{
    QString summary = step.summary;
    if (summary.size() > 34)
        summary = summary.left(33) + QChar(0x2026);
    return QStringLiteral("%1:%2  %3").arg(step.migration.left(3)).arg(step.step).arg(summary);
}

void RunChartView::setRun(const RunReport &report, const RunComparison &comparison)
{
    clear();
    QList<StepReport> done;
    for (const StepReport &step : report.steps) {
        if (step.state == StepReport::State::Done)
            done.append(step);
    }
    if (done.isEmpty()) {
        chart()->setTitle(tr("No step finished in this run."));
        return;
    }
    std::stable_sort(done.begin(), done.end(),
                     [](const StepReport &a, const StepReport &b) { return a.ms > b.ms; });
    if (done.size() > maxSteps())
        done.resize(maxSteps());

    bool anyFlagged = false;
    for (const StepReport &step : done) {
        const StepComparison *c = comparison.find(step.migration, step.step);
        anyFlagged = anyFlagged || (c && c->flagged);
    }
    // Red: the steps much slower than the previous run; without any, the three slowest, when
    // there are more than three to tell apart. The red bars are a set of their own, so that
    // the legend's swatch matches them.
    const bool markSlowest = !anyFlagged && done.size() > 3;
    auto *plain = new QBarSet(report.rehearsal ? tr("This rehearsal (ms)") : tr("This run (ms)"));
    plain->setColor(Colours::chartSeries());
    auto *marked =
        new QBarSet(anyFlagged ? tr("Much slower than the previous run") : tr("The three slowest"));
    marked->setColor(Colours::chartHighlight());
    QBarSet *previous = nullptr;
    if (comparison.found) {
        previous = new QBarSet(tr("Previous run (ms)"));
        previous->setColor(Colours::chartPrevious());
    }
    double maxMs = 0;
    // A horizontal series draws its first category at the bottom: fill fastest first.
    for (int i = int(done.size()) - 1; i >= 0; --i) {
        const StepReport &step = done.at(i);
        const StepComparison *c = comparison.find(step.migration, step.step);
        const bool red = anyFlagged ? (c && c->flagged) : (markSlowest && i < 3);
        plain->append(red ? 0 : step.ms);
        marked->append(red ? step.ms : 0);
        maxMs = std::max(maxMs, step.ms);
        if (previous) {
            const double ms = c ? std::max(0.0, c->previousMs) : 0;
            previous->append(ms);
            maxMs = std::max(maxMs, ms);
        }
        m_categories.prepend(label(step));
    }
    m_setCount = previous ? 2 : 1;
    // The previous run as a wide light bar behind this run's: both read against one scale.
    QHorizontalBarSeries *before = nullptr;
    if (previous) {
        before = new QHorizontalBarSeries;
        before->append(previous);
        before->setBarWidth(0.8);
        chart()->addSeries(before);
    }
    auto *current = new QHorizontalStackedBarSeries;
    current->append(plain);
    if (anyFlagged || markSlowest)
        current->append(marked);
    else
        delete marked;
    current->setBarWidth(previous ? 0.4 : 0.6);
    chart()->addSeries(current);

    auto *steps = new QBarCategoryAxis;
    steps->setTruncateLabels(false); // Qt elides them to "…" whatever the room
    QStringList bottomUp = m_categories;
    std::reverse(bottomUp.begin(), bottomUp.end());
    steps->append(bottomUp);
    chart()->addAxis(steps, Qt::AlignLeft);
    auto *ms = new QValueAxis;
    ms->setRange(0, maxMs > 0 ? maxMs * 1.05 : 1);
    ms->setTitleText(tr("ms (server time)"));
    ms->applyNiceNumbers();
    // As many decimals as the ticks need to differ (0 0.5 1 1.5 2, not 0 1 1 2 2).
    const double interval = (ms->max() - ms->min()) / std::max(1, ms->tickCount() - 1);
    const int decimals = interval >= 1 ? 0 : int(std::ceil(-std::log10(interval) - 1e-9));
    ms->setLabelFormat(QStringLiteral("%.%1f").arg(std::clamp(decimals, 0, 6)));
    chart()->addAxis(ms, Qt::AlignBottom);
    for (QAbstractSeries *series : chart()->series()) {
        series->attachAxis(steps);
        series->attachAxis(ms);
    }

    QString title = tr("Slowest %n step(s) of %1", nullptr, int(done.size()))
                        .arg(report.rehearsal ? tr("the rehearsal") : tr("the run"));
    if (anyFlagged)
        title += tr(" — red: much slower than the previous run");
    else if (markSlowest)
        title += tr(" — red: the three slowest");
    chart()->setTitle(title);
}

QStringList RunChartView::tickLabels() const
{
    QStringList labels;
    for (QAbstractAxis *axis : chart()->axes(Qt::Horizontal)) {
        const auto *value = qobject_cast<QValueAxis *>(axis);
        if (!value)
            continue;
        const int count = value->tickCount();
        for (int i = 0; i < count; ++i) {
            const double tick = value->min() + (value->max() - value->min()) * i / (count - 1);
            labels.append(QString::asprintf(value->labelFormat().toLatin1().constData(), tick));
        }
    }
    return labels;
}

QList<std::pair<QString, QColor>> RunChartView::legend() const
{
    QList<std::pair<QString, QColor>> entries;
    for (QLegendMarker *marker : chart()->legend()->markers())
        entries.append({marker->label(), marker->brush().color()});
    return entries;
}
