#pragma once

#include "migrationengine.h"
#include "runarchive.h"

#include <QChartView>

// A horizontal bar chart of a run's slowest steps (at most maxSteps(), slowest on top), with
// the previous run's time of each step next to it when there is one. Steps that became much
// slower (RunComparison) are drawn in red; without a previous run the three slowest are.
class RunChartView : public QChartView
{
    Q_OBJECT

public:
    explicit RunChartView(QWidget *parent = nullptr);

    void clear();
    void setRun(const RunReport &report, const RunComparison &comparison);
    static int maxSteps() { return 15; }
    // For tests: the categories shown, slowest first, and the number of bar sets.
    QStringList categories() const { return m_categories; }
    int barSetCount() const;

private:
    QStringList m_categories;
};
