#pragma once

#include "repositories/changelogrepository.h"

#include <QWidget>

// A parameter's values over time as a step line (each value holds until the next change), the
// selected entry marked. Values that are not numbers (strings, booleans) are drawn as levels,
// one per distinct value in order of first appearance, labelled.
class HistoryChart : public QWidget
{
    Q_OBJECT

public:
    explicit HistoryChart(QWidget *parent = nullptr);

    // `history` oldest first; `selectedId` marks an entry.
    void setHistory(const QList<ChangelogEntry> &history, const QString &selectedId,
                    bool truncated);
    void clear();
    int pointCount() const { return int(m_points.size()); }

    QSize sizeHint() const override { return {320, 120}; }
    QSize minimumSizeHint() const override { return {160, 90}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Point
    {
        QDateTime time;
        double level = 0;
        QString value;
        bool selected = false;
        QString text; // tooltip
    };
    QList<Point> m_points;
    QStringList m_levels; // non-numeric: the distinct values, bottom to top
    bool m_truncated = false;
    QRect plotRect() const;
    QPointF position(int index) const;
};
