#pragma once

#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

class QMenu;
class QTableView;

// Keeps a table's columns within its width, so that it never scrolls sideways: the stretch
// columns share the room the others leave (never less than `stretchMinimum` each), and when
// even that does not fit, the columns of `dropOrder` are hidden one by one, first first, and
// shown again (last hidden first) once there is room. The header's context menu hides or shows
// any column but the first stretch one; those choices are kept in QSettings under `settingsKey`.
// With every stretch column hidden, `fallback` (or the last column shown) takes the room.
class ColumnFitter : public QObject
{
    Q_OBJECT

public:
    ColumnFitter(QTableView *view, QList<int> stretchColumns, int stretchMinimum,
                 QList<int> dropOrder, const QString &settingsKey, int fallback = -1);

    // Hidden for lack of room (not by the user), in the order they went.
    const QList<int> &dropped() const { return m_dropped; }
    bool isUserHidden(int column) const { return m_userHidden.contains(column); }
    void setUserHidden(int column, bool hidden);
    // The header's context menu: a checkable entry per column.
    QMenu *columnMenu(QWidget *parent);
    void fit();

Q_SIGNALS:
    void droppedChanged(const QList<int> &dropped);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    int widthOf(int column) const; // its width, also while hidden
    int neededWidth() const;       // of the visible columns, the stretch ones at their minimum
    void describeDropped();

    QTableView *m_view;
    // The viewport whose resizes it follows, remembered: its events also arrive while the view
    // is being destroyed, when m_view is no longer a QTableView to ask (UBSan found it).
    const QObject *m_viewport;
    QList<int> m_stretch;
    int m_fallback;
    int m_stretchMinimum;
    QList<int> m_dropOrder;
    QString m_settingsKey;
    QList<int> m_dropped;
    QSet<int> m_userHidden;
    QList<int> m_widths; // by column: the width each had when last visible
    bool m_fitting = false;
};
