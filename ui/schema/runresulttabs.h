#pragma once

#include "migrations/migrationengine.h"
#include "migrations/runarchive.h"

#include <QTabWidget>

class LockWaitView;
class QTableView;
class QTimer;
class RunChartView;
class StepModel;
class VerifyView;

// The Schema panel's results: the steps of a run filled live, the lock a step waits for
// (the tab comes forward while it waits), the chart of step durations against the previous
// run, and verify's differences.
class RunResultTabs : public QTabWidget
{
    Q_OBJECT

public:
    explicit RunResultTabs(QWidget *parent = nullptr);

    QTableView *stepsView() const { return m_stepsView; }
    int finishedSteps() const;
    // Everything shown goes (another set or database).
    void clear();
    // A migrate or rehearse starts: its steps arrive live.
    void startRun();
    // A step started or finished; applied to the table with others, at most every 50 ms.
    void queueStep(const StepReport &step);
    bool isWaitingForLock() const;
    void showLockWait(const LockWait &wait);
    // The run ended: what arrived live goes in first, then the report's final state of every
    // step; the lock tab is done with.
    void finishRun(const RunReport &report);
    // The run compared with the previous one (in the steps and the chart).
    void showComparison(const RunReport &report, const RunComparison &comparison);
    void showChart();
    void showVerify(const VerifyReport &report);

Q_SIGNALS:
    // Queued steps went into the table: `finished` of them are done or failed.
    void stepsFlushed(int finished);

private:
    void flushSteps();
    void lockDone();

    StepModel *m_steps;
    QTimer *m_stepFlush;
    QList<StepReport> m_queuedSteps; // arrived, not yet in the table (see flushSteps())
    QTableView *m_stepsView;
    LockWaitView *m_lockView;
    RunChartView *m_chart;
    VerifyView *m_verifyView;
};
