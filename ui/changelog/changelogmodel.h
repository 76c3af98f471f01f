#pragma once

#include "workers/changelogworker.h"

#include <QAbstractTableModel>
#include <QList>

#include <optional>

// The changelog rows of one filter as a sliding window of keyset pages (STYLE: "fetch on
// demand and keep a bounded window"). Pages come from the worker one round trip each: below
// the window through canFetchMore()/fetchMore() (the view's own scrolling), above it through
// fetchAbove(). When the window would hold more than maxRows(), whole pages leave at the far
// end (rowsDroppedAbove tells the view, which keeps its scroll position), so memory stays
// flat however far the user scrolls. One page request is on its way at a time.
class ChangelogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Time,
        Agent,
        Parameter,
        Change,
        User,
        Role,
        Source,
        Reason,
        ChangeSet,
        ColumnCount
    };
    enum Role
    {
        // Column Change: the old and the new value (QStringList, null = NULL) for the delegate.
        ValuesRole = Qt::UserRole + 1,
        IsNullRole, // the cell's value is SQL NULL
    };

    ChangelogModel(ChangelogWorker *worker, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent = {}) const override;
    void fetchMore(const QModelIndex &parent = {}) override;

    // Empties the window and loads the first page of `filter` in `order` from the newest end
    // (Home), or, with `fromOldest`, the page at the oldest end (End).
    void reset(const ChangelogFilter &filter, ChangelogOrder order, bool fromOldest = false);
    // Empties the window and loads the page that starts at `moment` in `order` (the timeline's
    // jump): rows above it are fetched as the user scrolls up.
    void resetAt(const ChangelogFilter &filter, ChangelogOrder order, const QDateTime &moment);
    void clear(); // no connection: nothing shown, nothing asked
    const ChangelogFilter &filter() const { return m_filter; }
    ChangelogOrder order() const { return m_order; }

    bool canFetchAbove() const { return m_moreAbove && m_pending == Pending::None && m_open; }
    void fetchAbove();
    bool isFetching() const { return m_pending != Pending::None; }
    // The window starts at the very top of the result (nothing above it).
    bool atTop() const { return !m_moreAbove; }
    bool atBottom() const { return !m_moreBelow; }
    // The rows the window keeps at most; a multiple of the page size.
    int maxRows() const { return m_maxRows; }
    int pageSize() const { return m_pageSize; }
    void setWindow(int pageSize, int pages);
    // The first row's place in the whole result (0 = the top), or -1 when not known (after End).
    qint64 firstRowIndex() const { return m_firstIndex; }

    const ChangelogEntry &entry(int row) const { return m_rows.at(row); }
    int rowOf(const QString &id) const; // -1 when not in the window
    // The newest entry of the window (where "new changes" start), when the window holds the
    // newest end of the result.
    std::optional<ChangelogCursor> newestCursor() const;
    // Rows that arrived since the window was loaded (the live feed), newest last: put at the
    // newest end, which must be in the window (else the caller resets).
    void addNewer(const QList<ChangelogEntry> &rowsOldestFirst);
    // A cell as plain text (copy as TSV): NULL as empty, the change as "old → new".
    QString text(const QModelIndex &index) const;
    static QString columnName(int column);

Q_SIGNALS:
    // `count` rows left the top of the window (the view moves its scroll position up by them).
    void rowsDroppedAbove(int count);
    // `count` rows came in above the first row (the view moves its scroll position down).
    void rowsAddedAbove(int count);
    // A page arrived or failed (error set); the view checks whether it wants another.
    void pageArrived(const DbError &error);

private:
    enum class Pending
    {
        None,
        Below,
        Above,
        Reset
    };
    void request(Pending kind, const std::optional<ChangelogCursor> &after, ChangelogOrder order);
    void pageLoaded(int request, const ChangelogPage &page, const DbError &error);
    // Make room for `incoming` rows: whole rows leave the top (bottom) before they come.
    void trimAbove(int incoming);
    void trimBelow(int incoming);
    static ChangelogOrder reversed(ChangelogOrder order);

    ChangelogWorker *m_worker;
    QList<ChangelogEntry> m_rows;
    ChangelogFilter m_filter;
    ChangelogOrder m_order = ChangelogOrder::NewestFirst;
    int m_pageSize = 200;
    int m_maxRows = 2000;
    bool m_open = false; // reset() was called and no clear() since
    bool m_moreAbove = false;
    bool m_moreBelow = false;
    bool m_fromOldest = false;
    qint64 m_firstIndex = 0;
    Pending m_pending = Pending::None;
    int m_request = -1;
};
