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
};

// Where the next page starts: the last row of the previous page. Exact (microseconds kept).
struct ChangelogCursor
{
    QString modifiedAt; // the server's text of the row's modified_at
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

    // Up to `limit` rows ordered by (modified_at DESC, id DESC) strictly after `after`. Rows
    // inserted later (modified_at = now()) sort before any cursor and never shift later pages.
    std::optional<ChangelogPage> page(const ChangelogFilter &filter,
                                      const std::optional<ChangelogCursor> &after, int limit,
                                      DbError *error);
    // The planner's row estimate (EXPLAIN), or pg_class.reltuples when unfiltered: one round
    // trip, never a count(*). -1 on failure.
    qint64 estimateCount(const ChangelogFilter &filter, DbError *error);
    // Writes the matching rows as RFC 4180 CSV (header line, CRLF line ends, fields quoted when
    // they hold a quote, comma, CR or LF) in page order, streaming them from the server in
    // single-row mode: memory stays flat whatever the row count, and the whole export is one
    // statement (one snapshot, one transaction), which transaction pooling keeps on one server
    // connection. `progress` gets the rows
    // written so far every few thousand rows and at the end; returning false cancels (then the
    // export returns false with error "cancelled"). Returns the rows written, or -1.
    qint64 exportCsv(const ChangelogFilter &filter, QIODevice *out,
                     const std::function<bool(qint64 rowsWritten)> &progress, DbError *error);

    // The CSV header (the column names, in entry order) and one record, without line end.
    static QByteArray csvHeader();
    static QByteArray csvRecord(const QStringList &fields);

private:
    QSqlDatabase m_database;
};
