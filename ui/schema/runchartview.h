#pragma once

#include "migrations/migrationengine.h"
#include "migrations/runarchive.h"

#include <QChartView>

// A horizontal bar chart of a run's slowest steps (at most maxSteps(), slowest on top), with
// the previous run's time of each step as a light bar behind it when there is one. Steps that
// became much slower (RunComparison) are drawn in red; without any, the three slowest are when
// there are more than three. The legend names each colour.
class RunChartView : public QChartView
{
    Q_OBJECT

public:
    explicit RunChartView(QWidget *parent = nullptr);

    void clear();
    void setRun(const RunReport &report, const RunComparison &comparison);
    static int maxSteps() { return 15; }
    // For tests: the categories shown, slowest first; the number of runs shown (this one, and
    // the previous); the time axis' tick labels; the legend's entries with their colours.
    QStringList categories() const { return m_categories; }
    int barSetCount() const;
    QStringList tickLabels() const;
    QList<std::pair<QString, QColor>> legend() const;

private:
    QStringList m_categories;
    int m_setCount = 0;
};
