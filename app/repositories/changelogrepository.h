#pragma once

#include "db/dberror.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <optional>

class PgResult;
class QIODevice;

// One row of algorithm_changelog.
struct ChangelogEntry
{
    QString id;
    QString algorithmId;
    std::optional<int> userId;
    QString parameterName;
    QString oldValue; // null QString = SQL NULL, for every text column
    QString newValue;
    QString reason;
    QDateTime modifiedAt; // UTC spec, the stored wall-clock value (see sqltimestamp.h)
    QString dbRole;
    QString source;
    QString changeSet;
    QString modifiedAtText; // the server's exact text (microseconds), for cursors
};

// The entry of `row` of a result that selects id, algorithm_id, user_id, parameter_name,
// old_value, new_value, reason, modified_at::text, db_role, source, change_set.
ChangelogEntry changelogEntryFromRow(const PgResult &result, int row);

// Every set member narrows the result; unset members do not filter.
struct ChangelogFilter
{
    std::optional<QString> algorithmId;   // equal
    std::optional<QString> parameterName; // equal
    std::optional<int> userId;            // equal
    std::optional<QString> dbRole;        // equal
    QDateTime from;                       // modified_at >= from (when valid)
    QDateTime to;                         // modified_at < to (when valid)
    std::optional<QString> reasonText;    // reason contains it, case-insensitively (ILIKE)
    std::optional<QString> source;        // equal
    std::optional<QString> changeSet;     // equal
};

// The two keyset orders. NewestFirst: modified_at DESC NULLS LAST, id DESC; OldestFirst: its
// exact reverse (modified_at ASC NULLS FIRST, id ASC). Rows with a NULL modified_at (old
// databases) are the oldest.
enum class ChangelogOrder
{
    NewestFirst,
    OldestFirst
};

// Where the next page starts: the last row of the previous page. Exact (microseconds kept).
struct ChangelogCursor
{
    QString modifiedAt; // the server's text of the row's modified_at; null QString = NULL time
    QString id;
    static ChangelogCursor after(const ChangelogEntry &entry)
    {
        return {entry.modifiedAtText, entry.id};
    }
};

struct ChangelogPage
{
    QList<ChangelogEntry> entries;
    std::optional<ChangelogCursor> next; // set when the page was full (there may be more)
};

// One bar of the timeline: the filtered rows with start <= modified_at < end. The server's
// edges have microseconds; start and end keep milliseconds (the next bar's start is this end).
struct TimelineBucket
{
    QDateTime start;
    QDateTime end;
    qint64 changes = 0;
    qint64 changeSets = 0; // distinct non-NULL change sets among them
    QString topUser;       // who changed most: "user 7", else the db_role, else "unknown"
    qint64 topUserChanges = 0;
};

struct ChangelogTimeline
{
    QDateTime first; // the buckets' range: the filter's from/to when set, else the rows' min/max
    QDateTime last;  // (invalid, and no buckets, when no dated row matches)
    QList<TimelineBucket> buckets; // every bucket, empty ones included, oldest first
    qint64 undated = 0;            // matching rows with a NULL modified_at (in no bucket)
};

struct ChangelogDetail
{
    QList<ChangelogEntry> changeSet;        // every entry of the entry's change set, oldest first;
                                            // empty when it has none
    QList<ChangelogEntry> parameterHistory; // this algorithm+parameter_name's entries, oldest
                                            // first: the `historyLimit` newest of them
    bool historyTruncated = false;          // there are older ones than parameterHistory holds
};

// Distinct values for the filter boxes.
struct ChangelogFacets
{
    QStringList agents;  // algorithm_agents.algorithm_id, in natural order (A2 before A10)
    QStringList roles;   // db_role and source: from the newest 10,000 rows, 10,000 undated ones
    QStringList sources; // and a 1% page sample (TABLESAMPLE SYSTEM): complete for recent
                         // history, may miss a value seen only in a few old rows
    QList<int> users;    // every distinct user_id (a loose index scan, at most 1,000)
};

// Reads algorithm_changelog on one named Qt Sql connection (use it on that connection's
// thread only). Every read is one round trip of unnamed statements with bound values
// (RepositorySupport::run), so it works through a pooler in transaction pooling.
class ChangelogRepository
{
public:
    explicit ChangelogRepository(const QSqlDatabase &database);
    ~ChangelogRepository();
    ChangelogRepository(const ChangelogRepository &) = delete;
    ChangelogRepository &operator=(const ChangelogRepository &) = delete;

    // Up to `limit` rows in `order` strictly after `after` (a cursor of the same order). Rows
    // with a NULL modified_at come last (NewestFirst) or first (OldestFirst) and are paged over
    // like the others. In NewestFirst, rows inserted later (modified_at = now()) sort before any
    // cursor and never shift later pages. One round trip; each part an index scan.
    std::optional<ChangelogPage> page(const ChangelogFilter &filter,
                                      const std::optional<ChangelogCursor> &after, int limit,
                                      DbError *error,
                                      ChangelogOrder order = ChangelogOrder::NewestFirst);
    // A histogram of the filtered rows over time in `maxBuckets` (>= 1) equal buckets over
    // [first, last], computed by the server in one query.
    std::optional<ChangelogTimeline> timeline(const ChangelogFilter &filter, int maxBuckets,
                                              DbError *error);
    // `entry`'s change set and its parameter's history, one round trip.
    std::optional<ChangelogDetail> detail(const ChangelogEntry &entry, int historyLimit,
                                          DbError *error);
    // The filter boxes' choices, one round trip.
    std::optional<ChangelogFacets> facets(DbError *error);
    // The names of `algorithmId`'s parameters, those in its changelog, and "is_active", sorted;
    // one round trip. Empty on failure.
    QStringList parameterNames(const QString &algorithmId, DbError *error);
    // The planner's row estimate (EXPLAIN), or pg_class.reltuples when unfiltered: one round
    // trip, never a count(*). -1 on failure.
    qint64 estimateCount(const ChangelogFilter &filter, DbError *error);
    // Writes the matching rows as CSV in page order: the header line, then the server's own
    // CSV (COPY … TO STDOUT WITH (FORMAT csv), as psql's \copy writes it: LF line ends, a
    // field quoted when it holds a quote, comma, CR or LF, NULL as an empty field and '' as
    // ""), streamed as it comes, so memory stays flat whatever the row count. One statement
    // (one snapshot) in a read-only transaction, which transaction pooling keeps on one server
    // connection. `progress` gets the rows written so far every few thousand rows and at the
    // end; returning false cancels (then the export returns -1 with error "cancelled").
    // Returns the rows written, or -1.
    qint64 exportCsv(const ChangelogFilter &filter, QIODevice *out,
                     const std::function<bool(qint64 rowsWritten)> &progress, DbError *error);

    // The CSV header: the column names, in entry order, without line end.
    static QByteArray csvHeader();

private:
    QSqlDatabase m_database;
};
