#include "runresulttabs.h"

#include "lockwaitview.h"
#include "runchartview.h"
#include "stepmodel.h"
#include "verifyview.h"

#include <QHeaderView>
#include <QTableView>
#include <QTimer>
#include <utility>

// How often live step results are applied to the table (see flushSteps()).
static constexpr int StepFlushMs = 50;

RunResultTabs::RunResultTabs(QWidget *parent)
    : QTabWidget(parent)
    , m_steps(new StepModel(this))
    , m_stepFlush(new QTimer(this))
    , m_stepsView(new QTableView(this))
    , m_lockView(new LockWaitView(this))
    , m_chart(new RunChartView(this))
    , m_verifyView(new VerifyView(this))
{
    m_stepFlush->setSingleShot(true);
    m_stepFlush->setInterval(StepFlushMs);
    connect(m_stepFlush, &QTimer::timeout, this, &RunResultTabs::flushSteps);

    m_stepsView->setObjectName(QStringLiteral("stepsView"));
    m_stepsView->setModel(m_steps);
    m_stepsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_stepsView->setWordWrap(false);
    m_stepsView->verticalHeader()->hide();
    QHeaderView *stepHeader = m_stepsView->horizontalHeader();
    stepHeader->setSectionResizeMode(StepModel::Statement, QHeaderView::Stretch);
    for (const auto &[column, width] : {std::pair{StepModel::Migration, 190},
                                        {StepModel::Step, 45},
                                        {StepModel::Location, 210},
                                        {StepModel::Milliseconds, 75},
                                        {StepModel::State, 70},
                                        {StepModel::VersusPrevious, 120}})
        stepHeader->resizeSection(column, width);
    m_chart->setObjectName(QStringLiteral("chartView"));

    addTab(m_stepsView, tr("Steps"));
    addTab(m_lockView, tr("Lock"));
    addTab(m_chart, tr("Chart"));
    addTab(m_verifyView, tr("Verify"));
}

int RunResultTabs::finishedSteps() const
{
    return m_steps->finishedCount();
}

void RunResultTabs::clear()
{
    m_queuedSteps.clear();
    m_steps->clear();
    m_verifyView->clear();
    m_chart->clear();
    m_lockView->clear();
}

void RunResultTabs::startRun()
{
    m_queuedSteps.clear();
    m_steps->clear();
    m_chart->clear();
    m_lockView->clear();
    setCurrentIndex(0);
}

// A whole run's results can arrive in one burst (a migrate is one round trip): applied one
// by one, each with its relayout and status-bar update, they would hold the GUI thread for
// the whole burst. Collected and applied together at most every StepFlushMs, the table still
// fills live.
void RunResultTabs::queueStep(const StepReport &step)
{
    m_queuedSteps.append(step);
    if (!m_stepFlush->isActive())
        m_stepFlush->start();
}

void RunResultTabs::flushSteps()
{
    if (m_queuedSteps.isEmpty())
        return;
    bool anyFinished = false;
    for (const StepReport &step : std::exchange(m_queuedSteps, {})) {
        m_steps->updateStep(step);
        anyFinished = anyFinished || step.state == StepReport::State::Done ||
                      step.state == StepReport::State::Failed;
    }
    m_stepsView->scrollToBottom();
    if (anyFinished && m_lockView->isWaiting()) {
        // The lock came free: back to the steps.
        m_lockView->clear();
        setTabText(indexOf(m_lockView), tr("Lock"));
        setCurrentWidget(m_stepsView);
    }
    Q_EMIT stepsFlushed(m_steps->finishedCount());
}

bool RunResultTabs::isWaitingForLock() const
{
    return m_lockView->isWaiting();
}

void RunResultTabs::showLockWait(const LockWait &wait)
{
    if (!m_lockView->isWaiting()) {
        setTabText(indexOf(m_lockView), tr("Lock (waiting)"));
        setCurrentWidget(m_lockView);
    }
    m_lockView->showWait(wait);
}

void RunResultTabs::finishRun(const RunReport &report)
{
    m_lockView->clear();
    setTabText(indexOf(m_lockView), tr("Lock"));
    if (currentWidget() == m_lockView)
        setCurrentWidget(m_stepsView);
    m_stepFlush->stop();
    flushSteps();
    for (const StepReport &step : report.steps)
        m_steps->updateStep(step);
}

void RunResultTabs::showComparison(const RunReport &report, const RunComparison &comparison)
{
    m_steps->setComparison(comparison);
    m_chart->setRun(report, comparison);
}

void RunResultTabs::showChart()
{
    setCurrentWidget(m_chart);
}

void RunResultTabs::showVerify(const VerifyReport &report)
{
    m_verifyView->setReport(report);
    setCurrentWidget(m_verifyView);
}
