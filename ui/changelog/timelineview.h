#pragma once

#include "repositories/changelogrepository.h"

#include <QWidget>

// The histogram above the rows (Kibana Discover's): the changes of the current filter over
// time, one bar per server-side bucket, coloured by who changed most in it, with the change
// sets as a line of dots. Hover tells a bar's span, counts and top user; a click jumps the rows
// to that time (bucketClicked); a drag across bars selects a time range (rangeSelected).
class TimelineView : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineView(QWidget *parent = nullptr);

    void setTimeline(const ChangelogTimeline &timeline);
    void clear();
    const ChangelogTimeline &timeline() const { return m_timeline; }
    // How many buckets fit the width (the panel asks the server for as many).
    int wantedBuckets() const;
    // The bucket at x, or -1.
    int bucketAt(int x) const;
    QRect barRect(int bucket) const;
    // The colour that marks `user` (stable for a name).
    static QColor userColour(const QString &user);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void bucketClicked(const QDateTime &start, const QDateTime &end);
    void rangeSelected(const QDateTime &from, const QDateTime &to);
    void widthChanged(); // the panel may ask for more or fewer buckets

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRect plotRect() const;

    ChangelogTimeline m_timeline;
    qint64 m_maxChanges = 0;
    int m_pressBucket = -1;
    int m_dragBucket = -1;
};
