#include "runchartview.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QValueAxis>

#include <algorithm>

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
    for (QAbstractAxis *axis : chart()->axes())
        chart()->removeAxis(axis);
    m_categories.clear();
    chart()->setTitle(tr("Step durations appear here after a migrate or rehearse run."));
}

int RunChartView::barSetCount() const
{
    const QList<QAbstractSeries *> series = chart()->series();
    const auto *bars =
        series.isEmpty() ? nullptr : qobject_cast<const QAbstractBarSeries *>(series.first());
    return bars ? int(bars->count()) : 0;
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
    auto *now = new QBarSet(report.rehearsal ? tr("This rehearsal (ms)") : tr("This run (ms)"));
    now->setColor(QColor(0x42, 0x7d, 0xc4));
    now->setSelectedColor(QColor(0xd3, 0x2f, 0x2f));
    QBarSet *previous = nullptr;
    if (comparison.found) {
        previous = new QBarSet(tr("Previous run (ms)"));
        previous->setColor(QColor(0xb0, 0xbe, 0xc5));
    }
    double maxMs = 0;
    // A horizontal series draws its first category at the bottom: fill fastest first.
    for (int i = int(done.size()) - 1; i >= 0; --i) {
        const StepReport &step = done.at(i);
        const StepComparison *c = comparison.find(step.migration, step.step);
        const int bar = int(now->count());
        now->append(step.ms);
        maxMs = std::max(maxMs, step.ms);
        if (anyFlagged ? (c && c->flagged) : i < 3)
            now->selectBar(bar);
        if (previous) {
            const double ms = c ? std::max(0.0, c->previousMs) : 0;
            previous->append(ms);
            maxMs = std::max(maxMs, ms);
        }
        m_categories.prepend(label(step));
    }
    auto *series = new QHorizontalBarSeries;
    if (previous)
        series->append(previous);
    series->append(now);
    series->setBarWidth(previous ? 0.8 : 0.6);
    chart()->addSeries(series);

    auto *steps = new QBarCategoryAxis;
    steps->setTruncateLabels(false); // Qt elides them to "…" whatever the room
    QStringList bottomUp = m_categories;
    std::reverse(bottomUp.begin(), bottomUp.end());
    steps->append(bottomUp);
    chart()->addAxis(steps, Qt::AlignLeft);
    series->attachAxis(steps);
    auto *ms = new QValueAxis;
    ms->setRange(0, maxMs > 0 ? maxMs * 1.05 : 1);
    ms->setLabelFormat(QStringLiteral("%.0f"));
    ms->setTitleText(tr("ms (server time)"));
    ms->applyNiceNumbers();
    chart()->addAxis(ms, Qt::AlignBottom);
    series->attachAxis(ms);

    const QString highlighted =
        anyFlagged ? tr("red: much slower than the previous run") : tr("red: the three slowest");
    chart()->setTitle(
        tr("Slowest %n step(s) of %1 — %2", nullptr, int(done.size()))
            .arg(report.rehearsal ? tr("the rehearsal") : tr("the run"), highlighted));
}
