#include "repositories/changelogrepository.h"

#include "db/copyout.h"
#include "db/linkwatch.h"
#include "db/pgconnection.h"
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/repositorysupport.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

constexpr char kColumns[] =
    "id, algorithm_id, user_id, parameter_name, old_value, new_value, "
    "reason, modified_at::text AS modified_at_text, db_role, source, change_set";
// kColumns in order: what changelogEntryFromRow() reads (MetricsRepository's kMarkers selects
// the same list) and what the CSV export writes.
enum ChangelogColumn
{
    ChangelogId,
    ChangelogAlgorithmId,
    ChangelogUserId,
    ChangelogParameterName,
    ChangelogOldValue,
    ChangelogNewValue,
    ChangelogReason,
    ChangelogModifiedAtText,
    ChangelogDbRole,
    ChangelogSource,
    ChangelogChangeSet,
    ChangelogColumnCount
};
// The export's columns, as csvHeader() names them.
constexpr char kCsvColumns[] = "id, algorithm_id, user_id, parameter_name, old_value, new_value, "
                               "reason, modified_at, db_role, source, change_set";
constexpr char kFrom[] = " FROM algorithm_changelog";
// The export's order: page()'s NewestFirst (the text copy in the select list has another
// name, or ORDER BY would sort by it).
constexpr char kOrder[] = " ORDER BY modified_at DESC NULLS LAST, id DESC";
// Both estimates go in one round trip; the planner's is used when the table was never analyzed.
// As the planner does: the rows per page of the last ANALYZE times the pages there are now, so
// rows added since then count too. -1 when the table was never analyzed.
constexpr char kReltuples[] = "SELECT CASE WHEN relpages > 0 AND reltuples >= 0"
                              " THEN (reltuples / relpages * (pg_relation_size(oid)"
                              " / current_setting('block_size')::int))::bigint ELSE -1 END"
                              " FROM pg_class WHERE oid = 'algorithm_changelog'::regclass";
enum ReltuplesColumn
{
    ReltuplesEstimate
};
constexpr int kCsvProgressEvery = 5000;
constexpr qsizetype kCsvChunkBytes = 256 * 1024;

// One condition of a filter: its SQL with %1 where the value goes, and the value.
struct Condition
{
    const char *sql;
    QString value;
};

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

QList<Condition> conditions(const ChangelogFilter &filter)
{
    QList<Condition> result;
    if (filter.algorithmId)
        result.append({"algorithm_id = %1", *filter.algorithmId});
    if (filter.parameterName)
        result.append({"parameter_name = %1", *filter.parameterName});
    if (filter.userId)
        result.append({"user_id = %1::int", QString::number(*filter.userId)});
    if (filter.dbRole)
        result.append({"db_role = %1", *filter.dbRole});
    if (filter.from.isValid())
        result.append({"modified_at >= %1::timestamp", SqlTimestamp::toSql(filter.from)});
    if (filter.to.isValid())
        result.append({"modified_at < %1::timestamp", SqlTimestamp::toSql(filter.to)});
    if (filter.reasonText)
        result.append({"reason ILIKE %1", likePattern(*filter.reasonText)});
    if (filter.source)
        result.append({"source = %1", *filter.source});
    if (filter.changeSet)
        result.append({"change_set = %1", *filter.changeSet});
    return result;
}

// The conditions' SQL, with $1, $2 … for their values.
QStringList conditionSql(const QList<Condition> &conds)
{
    QStringList parts;
    int n = 0;
    for (const Condition &c : conds)
        parts.append(QString::fromLatin1(c.sql).arg(QLatin1Char('$') + QString::number(++n)));
    return parts;
}

// " WHERE a AND b …", or empty.
QString whereClause(const QStringList &parts)
{
    if (parts.isEmpty())
        return {};
    return QStringLiteral(" WHERE ") + parts.join(QStringLiteral(" AND "));
}

QString whereClause(const QList<Condition> &conds)
{
    return whereClause(conditionSql(conds));
}

QString pqPlaceholder(int n)
{
    return QLatin1Char('$') + QString::number(n);
}

// The second part of a page runs only when the first left room (%1: the limit).
const QString kNeeded = QStringLiteral("(SELECT count(*) FROM first_part) < %1::int");

// One part of a page (the dated rows or the undated ones): its rows in keyset order, limited.
// `part` numbers it for the outer ORDER BY that puts the parts in sequence.
QByteArray pagePart(QStringList where, const QString &after, const QString &needed, int part,
                    const char *order, const QString &limit)
{
    if (!after.isEmpty())
        where.append(after);
    if (!needed.isEmpty())
        where.append(needed.arg(limit));
    return "(SELECT " + QByteArray(kColumns) + ", " + QByteArray::number(part) +
           " AS part, modified_at AS sort_at" + kFrom + whereClause(where).toUtf8() + order +
           " LIMIT " + limit.toUtf8() + "::int)";
}

QList<QByteArray> pqValues(const QList<Condition> &conds)
{
    QList<QByteArray> values;
    for (const Condition &c : conds)
        values.append(c.value.toUtf8());
    return values;
}

} // namespace

ChangelogEntry changelogEntryFromRow(const PgResult &r, int row)
{
    auto text = [&](int column) { return r.value(row, column); }; // a null QString for NULL
    ChangelogEntry e;
    e.id = text(ChangelogId);
    e.algorithmId = text(ChangelogAlgorithmId);
    if (!r.isNull(row, ChangelogUserId))
        e.userId = text(ChangelogUserId).toInt();
    e.parameterName = text(ChangelogParameterName);
    e.oldValue = text(ChangelogOldValue);
    e.newValue = text(ChangelogNewValue);
    e.reason = text(ChangelogReason);
    e.modifiedAtText = text(ChangelogModifiedAtText);
    e.modifiedAt = SqlTimestamp::fromSql(e.modifiedAtText);
    e.dbRole = text(ChangelogDbRole);
    e.source = text(ChangelogSource);
    e.changeSet = text(ChangelogChangeSet);
    return e;
}

ChangelogRepository::ChangelogRepository(const QSqlDatabase &database)
    : m_database(database)
{}

ChangelogRepository::~ChangelogRepository() = default;

std::optional<ChangelogPage> ChangelogRepository::page(const ChangelogFilter &filter,
                                                       const std::optional<ChangelogCursor> &after,
                                                       int limit, DbError *error,
                                                       ChangelogOrder order)
{
    const QString what = QStringLiteral("read a page of the changelog");
    const QList<Condition> conds = conditions(filter);
    const QStringList where = conditionSql(conds);
    QList<QByteArray> values = pqValues(conds);
    // The dated rows and the undated ones are two parts, each in an order that the
    // (modified_at DESC) index and the primary key give as they are (modified_at DESC NULLS
    // LAST is not one of them): the dated part bounded by a row comparison that the index
    // scan starts from, the undated one by id. A cursor in the undated rows skips the dated
    // part (NewestFirst: they are all before it) or starts in it (OldestFirst).
    const bool newest = order == ChangelogOrder::NewestFirst;
    const bool undatedCursor = after && after->modifiedAt.isNull();
    QString datedAfter;
    QString undatedAfter;
    if (after && !undatedCursor) {
        values.append(after->modifiedAt.toUtf8());
        values.append(after->id.toUtf8());
        datedAfter = QStringLiteral("(modified_at, id) %1 ($%2::timestamp, $%3)")
                         .arg(newest ? QLatin1String("<") : QLatin1String(">"))
                         .arg(values.size() - 1)
                         .arg(values.size());
    } else if (undatedCursor) {
        values.append(after->id.toUtf8());
        undatedAfter = QStringLiteral("id %1 $%2")
                           .arg(newest ? QLatin1String("<") : QLatin1String(">"))
                           .arg(values.size());
    }
    values.append(QByteArray::number(qMax(0, limit)));
    const QString limitValue = pqPlaceholder(int(values.size()));
    const bool withDated = newest ? !undatedCursor : true;
    const bool withUndated = newest ? true : (!after || undatedCursor);
    const char *datedOrder =
        newest ? " ORDER BY modified_at DESC, id DESC" : " ORDER BY modified_at, id";
    const char *undatedOrder = newest ? " ORDER BY id DESC" : " ORDER BY id";
    QByteArrayList parts; // in page order
    QStringList dated = where;
    dated.append(QStringLiteral("modified_at IS NOT NULL"));
    QStringList undated = where;
    undated.append(QStringLiteral("modified_at IS NULL"));
    if (newest && withDated)
        parts.append(pagePart(dated, datedAfter, {}, 0, datedOrder, limitValue));
    if (withUndated)
        parts.append(pagePart(undated, undatedAfter, parts.isEmpty() ? QString() : kNeeded,
                              int(parts.size()), undatedOrder, limitValue));
    if (!newest && withDated)
        parts.append(pagePart(dated, datedAfter, parts.isEmpty() ? QString() : kNeeded,
                              int(parts.size()), datedOrder, limitValue));
    // The first part is computed once (the CTE); the second runs only when the first did not
    // fill the page (kNeeded, a one-time filter), so a page deep in the dated rows never
    // touches the undated ones. UNION ALL keeps no order of its own: the outer sort (of at
    // most 2 × limit rows) does.
    const QByteArray direction = newest ? " DESC" : "";
    const QByteArray sql = parts.size() == 1
                               ? parts.constFirst()
                               : "WITH first_part AS MATERIALIZED " + parts.at(0) +
                                     " SELECT * FROM (SELECT * FROM first_part UNION ALL " +
                                     parts.at(1) + ") p ORDER BY part, sort_at" + direction +
                                     ", id" + direction + " LIMIT " + limitValue.toUtf8() + "::int";
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, {{sql, values}}, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(std::optional<ChangelogPage>(), failure, error);
    const PgResult &result = batch.results.constFirst();
    ChangelogPage page;
    page.entries.reserve(result.rows());
    for (int row = 0; row < result.rows(); ++row)
        page.entries.append(changelogEntryFromRow(result, row));
    if (limit > 0 && page.entries.size() == limit)
        page.next = ChangelogCursor::after(page.entries.constLast());
    return RepositorySupport::reported(std::optional<ChangelogPage>(page), {}, error);
}

qint64 ChangelogRepository::estimateCount(const ChangelogFilter &filter, DbError *error)
{
    const QString what = QStringLiteral("estimate the changelog rows");
    const QList<Condition> conds = conditions(filter);
    // EXPLAIN takes bound values in the extended protocol like any statement (never PREPAREd).
    const QByteArray explain =
        "EXPLAIN (FORMAT JSON) SELECT 1" + QByteArray(kFrom) + whereClause(conds).toUtf8();
    QList<PipelineCommand> commands;
    using After = PipelineCommand::After;
    if (conds.isEmpty())
        commands.append({kReltuples, {}, After::Nothing});
    commands.append({explain, pqValues(conds), After::Sync});
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, commands, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(qint64(-1), failure, error);
    if (conds.isEmpty()) {
        const PgResult &reltuples = batch.results.constFirst();
        const qint64 estimate =
            reltuples.rows() > 0 ? reltuples.value(0, ReltuplesEstimate).toLongLong() : -1;
        // -1: never analyzed; the planner's estimate still works then.
        if (estimate >= 0)
            return RepositorySupport::reported(estimate, {}, error);
    }
    const PgResult &result = batch.results.constLast();
    if (result.rows() < 1)
        return RepositorySupport::reported(
            qint64(-1), {what, {}, QStringLiteral("EXPLAIN gave no plan"), {}, {}, {}}, error);
    const QJsonDocument plan = QJsonDocument::fromJson(result.rawValue(0, 0));
    return RepositorySupport::reported(qint64(plan.array()
                                                  .at(0)
                                                  .toObject()
                                                  .value(QLatin1String("Plan"))
                                                  .toObject()
                                                  .value(QLatin1String("Plan Rows"))
                                                  .toDouble()),
                                       {}, error);
}

QByteArray ChangelogRepository::csvHeader()
{
    return "id,algorithm_id,user_id,parameter_name,old_value,new_value,reason,modified_at,"
           "db_role,source,change_set";
}

qint64 ChangelogRepository::exportCsv(const ChangelogFilter &filter, QIODevice *out,
                                      const std::function<bool(qint64 rowsWritten)> &progress,
                                      DbError *error)
{
    const QString what = QStringLiteral("export the changelog as CSV");
    auto fail = [&](const QString &message) {
        RepositorySupport::report({what, {}, message, {}, {}, {}}, error);
        return qint64(-1);
    };
    PGconn *conn = SqlDatabase::nativeHandle(m_database);
    if (!conn)
        return fail(QStringLiteral("the connection is not open"));
    if (!out || !out->isWritable())
        return fail(QStringLiteral("the output is not writable"));
    // The server writes the CSV (COPY), as psql's \copy has it do: no row passes through a
    // result or a string here. COPY binds no values, so the filter's go into settings of the
    // transaction (bound, as everywhere) and its conditions read them with current_setting().
    const QList<Condition> conds = conditions(filter);
    QStringList parts;
    QByteArray settings = "SELECT true";
    QList<QByteArray> values;
    for (const Condition &c : conds) {
        const QString name = QStringLiteral("algoadmin.export_%1").arg(values.size() + 1);
        parts.append(
            QString::fromLatin1(c.sql).arg(QStringLiteral("current_setting('%1')").arg(name)));
        values.append(c.value.toUtf8());
        settings += ", set_config('" + name.toLatin1() + "', " +
                    pqPlaceholder(int(values.size())).toLatin1() + ", true)";
    }
    const QByteArray copy = "COPY (SELECT " + QByteArray(kCsvColumns) + kFrom +
                            whereClause(parts).toUtf8() + kOrder + ") TO STDOUT WITH (FORMAT csv)";
    using After = PipelineCommand::After;
    const RepositorySupport::BatchResults begun = RepositorySupport::run(
        m_database, {{"BEGIN READ ONLY", {}, After::Nothing}, {settings, values, After::Sync}},
        what);
    DbError failure = RepositorySupport::firstError(begun, what);
    bool abandoned = false; // given up on a silent path: nothing more is sent on it
    auto end = [&] {
        // Read only: nothing to keep. After a lost connection there is nothing to end.
        if (PQstatus(conn) == CONNECTION_OK && !abandoned)
            RepositorySupport::run(m_database, {{"ROLLBACK", {}, After::Sync}}, what);
    };
    if (failure.isError()) {
        end();
        return RepositorySupport::reported(qint64(-1), failure, error);
    }

    qint64 written = 0;
    bool cancelled = false;
    // The lines go out in chunks: a write per row would cost more than the row itself.
    QByteArray chunk = csvHeader() + '\n';
    chunk.reserve(kCsvChunkBytes + 64 * 1024);
    bool writeFailed = false;
    auto flush = [&] {
        writeFailed = writeFailed || out->write(chunk) < 0;
        chunk.resize(0);
        return !writeFailed;
    };
    PgResult final;
    std::optional<LinkWatch> watch;
    if (const std::optional<ConnectionOptions> options = SqlDatabase::connectionOptions(m_database))
        watch.emplace(*options, PQbackendPID(conn));
    const bool ran = CopyOut::run(
        conn, copy,
        [&](const char *data, int size) {
            chunk.append(data, size);
            if (chunk.size() >= kCsvChunkBytes && !flush())
                return false;
            if (++written % kCsvProgressEvery == 0 && progress) {
                if (!flush())
                    return false;
                if (!progress(written)) {
                    cancelled = true;
                    return false;
                }
            }
            return true;
        },
        &final, &failure,
        [&watch](qint64 quietMs) { return watch ? watch->tick(quietMs) : QString(); });
    if (!ran && PQstatus(conn) == CONNECTION_OK) {
        SqlDatabase::abandon(m_database); // gave up on a silent path
        abandoned = true;
    }
    if (ran && final.ok())
        flush();
    end();
    if (writeFailed)
        return fail(QStringLiteral("could not write: %1").arg(out->errorString()));
    if (cancelled)
        return fail(QStringLiteral("cancelled"));
    if (!ran)
        return RepositorySupport::reported(qint64(-1), failure, error);
    if (!final.ok())
        return RepositorySupport::reported(qint64(-1), final.error(what), error);
    // The last report, unless the loop just made it.
    if (progress && (written == 0 || written % kCsvProgressEvery != 0))
        progress(written);
    return RepositorySupport::reported(written, {}, error);
}

namespace {

// The timeline in one statement. `b`: the range (the filter's from/to, else the rows' min and
// max) and the bucket width in microseconds, rounded up by one so that the buckets cover the
// last row. `g` (%5, one of the two below): the rows' groups by bucket start, user, role and
// change set; `w` (changes and the top user) and `sets` (distinct change sets) work on its
// groups only. Every bucket index is then joined, so that empty buckets come too. %1: the
// filter's conditions (" AND …"); $N+1 from, $N+2 to, $N+3 buckets (%2, %3, %4).
constexpr char kTimeline[] = R"sql(
WITH r AS (
    SELECT coalesce(%2::timestamp, min(modified_at)) AS lo,
           coalesce(%3::timestamp, max(modified_at)) AS hi
    FROM algorithm_changelog WHERE modified_at IS NOT NULL %1),
b AS (
    SELECT lo, hi, stride_us, stride_us * interval '1 microsecond' AS stride
    FROM (SELECT lo, hi,
                 floor(extract(epoch FROM hi - lo) * 1000000)::bigint / %4::int + 1 AS stride_us
          FROM r WHERE hi IS NOT NULL AND hi >= lo) x),
%5,
w AS (
    SELECT s, coalesce('user ' || user_id, db_role, 'unknown') AS who, sum(n) AS n
    FROM g GROUP BY 1, 2),
sets AS (SELECT s, count(DISTINCT change_set) AS sets FROM g GROUP BY s),
per AS (
    SELECT (extract(epoch FROM w.s - b.lo) * 1000000)::bigint / b.stride_us AS i,
           sum(w.n) AS changes, min(sets.sets) AS sets,
           (array_agg(w.who ORDER BY w.n DESC, w.who))[1] AS top, max(w.n) AS top_n
    FROM w JOIN sets USING (s), b GROUP BY 1)
SELECT i, (b.lo + (i * b.stride_us) * interval '1 microsecond')::text,
       (b.lo + ((i + 1) * b.stride_us) * interval '1 microsecond')::text,
       coalesce(per.changes, 0), coalesce(per.sets, 0), per.top, coalesce(per.top_n, 0),
       b.lo::text, b.hi::text,
       (SELECT count(*) FROM algorithm_changelog WHERE modified_at IS NULL %1)
FROM (SELECT 1) one
LEFT JOIN b ON true
LEFT JOIN generate_series(0, %4::int - 1) i ON b.lo IS NOT NULL
LEFT JOIN per USING (i)
ORDER BY i
)sql";
// `g` for a filter on the time range only (the whole history, typically): one range of the
// covering index idx_algorithm_changelog_modified_cover (010) per bucket, read by an
// index-only scan, so that neither a row's values nor date_bin per row cost anything.
constexpr char kTimelinePerBucket[] = R"sql(g AS (
    SELECT b.lo + k.i * b.stride AS s, x.user_id, x.db_role, x.change_set, x.n
    FROM b CROSS JOIN generate_series(0, %2::int - 1) k(i)
    CROSS JOIN LATERAL (
        SELECT c.user_id, c.db_role, c.change_set, count(*) AS n
        FROM algorithm_changelog c
        WHERE c.modified_at >= b.lo + k.i * b.stride
          AND c.modified_at < b.lo + (k.i + 1) * b.stride %1
        GROUP BY 1, 2, 3) x))sql";
// `g` for any other filter: one pass over the rows the filter's indexes find, a hash aggregate
// by bucket (date_bin keeps the per-row work to integer arithmetic).
constexpr char kTimelineScan[] = R"sql(g AS (
    SELECT date_bin(b.stride, c.modified_at, b.lo) AS s, c.user_id, c.db_role, c.change_set,
           count(*) AS n
    FROM algorithm_changelog c, b WHERE c.modified_at IS NOT NULL %1
    GROUP BY 1, 2, 3, 4))sql";
constexpr char kNoJit[] = "SELECT set_config('jit', 'off', true)";
enum TimelineColumn
{
    TimelineIndex,
    TimelineStart,
    TimelineEnd,
    TimelineChanges,
    TimelineChangeSets,
    TimelineTopUser,
    TimelineTopUserChanges,
    TimelineFirst,
    TimelineLast,
    TimelineUndated
};

// The change set oldest first (the partial change_set index), and the parameter's newest
// `historyLimit` + 1 entries (the extra one only tells that there are more), put oldest first.
constexpr char kChangeSet[] = "SELECT %1 FROM algorithm_changelog WHERE change_set = $1"
                              " ORDER BY modified_at NULLS FIRST, id";
constexpr char kHistory[] =
    "SELECT * FROM (SELECT %1, modified_at AS sort_at FROM algorithm_changelog"
    " WHERE algorithm_id = $1 AND parameter_name = $2"
    " ORDER BY modified_at DESC NULLS LAST, id DESC LIMIT $3::int + 1) h"
    " ORDER BY sort_at NULLS FIRST, id";

// Natural order: A2 before A10.
constexpr char kAgents[] =
    "SELECT algorithm_id FROM algorithm_agents ORDER BY length(algorithm_id), algorithm_id";
// No index on db_role or source: the newest rows and up to as many undated ones (both by the
// modified_at index) and a 1% sample of the table's pages, so that the cost stays bounded on a
// large table.
constexpr char kRolesSources[] = R"sql(
WITH s AS (
    (SELECT db_role, source FROM algorithm_changelog WHERE modified_at IS NOT NULL
     ORDER BY modified_at DESC LIMIT 10000)
    UNION ALL
    (SELECT db_role, source FROM algorithm_changelog WHERE modified_at IS NULL LIMIT 10000)
    UNION ALL
    (SELECT db_role, source FROM algorithm_changelog TABLESAMPLE SYSTEM (1)))
SELECT DISTINCT 0 AS kind, db_role AS value FROM s WHERE db_role IS NOT NULL
UNION
SELECT DISTINCT 1, source FROM s WHERE source IS NOT NULL
ORDER BY 1, 2
)sql";
enum RolesSourcesColumn
{
    FacetKind,
    FacetValue
};
// A loose index scan of the user_id index: one probe per distinct user.
constexpr char kUsers[] = R"sql(
WITH RECURSIVE u(v) AS (
    (SELECT user_id FROM algorithm_changelog WHERE user_id IS NOT NULL ORDER BY user_id LIMIT 1)
    UNION ALL
    SELECT (SELECT user_id FROM algorithm_changelog WHERE user_id > u.v ORDER BY user_id LIMIT 1)
    FROM u WHERE u.v IS NOT NULL)
SELECT v FROM u WHERE v IS NOT NULL LIMIT 1000
)sql";
constexpr char kParameterNames[] =
    "SELECT name FROM (SELECT parameter_name AS name FROM algorithm_parameters"
    " WHERE algorithm_id = $1 UNION SELECT parameter_name FROM algorithm_changelog"
    " WHERE algorithm_id = $1 AND parameter_name IS NOT NULL UNION SELECT 'is_active') n"
    " ORDER BY name";

QList<ChangelogEntry> entries(const PgResult &result, int skip = 0)
{
    QList<ChangelogEntry> list;
    list.reserve(qMax(0, result.rows() - skip));
    for (int row = skip; row < result.rows(); ++row)
        list.append(changelogEntryFromRow(result, row));
    return list;
}

} // namespace

std::optional<ChangelogTimeline> ChangelogRepository::timeline(const ChangelogFilter &filter,
                                                               int maxBuckets, DbError *error)
{
    const QString what = QStringLiteral("compute the changelog timeline");
    const QList<Condition> conds = conditions(filter);
    QStringList andConds;
    for (const QString &c : conditionSql(conds))
        andConds.append(QStringLiteral("AND ") + c);
    QList<QByteArray> values = pqValues(conds);
    values.append(RepositorySupport::text(SqlTimestamp::toSql(filter.from)));
    values.append(RepositorySupport::text(SqlTimestamp::toSql(filter.to)));
    values.append(QByteArray::number(qMax(1, maxBuckets)));
    const int n = int(values.size());
    ChangelogFilter timeOnly;
    timeOnly.from = filter.from;
    timeOnly.to = filter.to;
    const bool perBucket = conditions(timeOnly).size() == conds.size();
    const QString g =
        perBucket
            ? QString::fromLatin1(kTimelinePerBucket).arg(andConds.join(u' '), pqPlaceholder(n))
            : QString::fromLatin1(kTimelineScan).arg(andConds.join(u' '));
    const QByteArray sql = QString::fromLatin1(kTimeline)
                               .arg(andConds.join(u' '), pqPlaceholder(n - 2), pqPlaceholder(n - 1),
                                    pqPlaceholder(n), g)
                               .toUtf8();
    // JIT compiling this one-off plan costs more than it saves (seconds on 1M rows, against
    // about one second for the query): off for this statement only, as set_config(…, true)
    // lasts until the Sync that ends the implicit transaction.
    using After = PipelineCommand::After;
    const RepositorySupport::BatchResults batch = RepositorySupport::run(
        m_database, {{kNoJit, {}, After::Nothing}, {sql, values, After::Sync}}, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(std::optional<ChangelogTimeline>(), failure, error);
    const PgResult &r = batch.results.constLast();
    ChangelogTimeline timeline;
    for (int row = 0; row < r.rows(); ++row) {
        timeline.undated = r.value(row, TimelineUndated).toLongLong();
        if (r.isNull(row, TimelineIndex))
            continue; // no dated row: the one row carries only the undated count
        timeline.first = SqlTimestamp::fromSql(r.value(row, TimelineFirst));
        timeline.last = SqlTimestamp::fromSql(r.value(row, TimelineLast));
        TimelineBucket bucket;
        bucket.start = SqlTimestamp::fromSql(r.value(row, TimelineStart));
        bucket.end = SqlTimestamp::fromSql(r.value(row, TimelineEnd));
        bucket.changes = r.value(row, TimelineChanges).toLongLong();
        bucket.changeSets = r.value(row, TimelineChangeSets).toLongLong();
        bucket.topUser = r.value(row, TimelineTopUser);
        bucket.topUserChanges = r.value(row, TimelineTopUserChanges).toLongLong();
        timeline.buckets.append(bucket);
    }
    return RepositorySupport::reported(std::optional<ChangelogTimeline>(timeline), {}, error);
}

std::optional<ChangelogDetail> ChangelogRepository::detail(const ChangelogEntry &entry,
                                                           int historyLimit, DbError *error)
{
    const QString what = QStringLiteral("read the detail of changelog entry %1").arg(entry.id);
    const int limit = qMax(0, historyLimit);
    using After = PipelineCommand::After;
    QList<PipelineCommand> commands;
    const bool withSet = !entry.changeSet.isNull();
    if (withSet)
        commands.append({QString::fromLatin1(kChangeSet).arg(QLatin1String(kColumns)).toUtf8(),
                         {entry.changeSet.toUtf8()},
                         After::Nothing});
    commands.append({QString::fromLatin1(kHistory).arg(QLatin1String(kColumns)).toUtf8(),
                     {RepositorySupport::text(entry.algorithmId),
                      RepositorySupport::text(entry.parameterName), QByteArray::number(limit)},
                     After::Sync});
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, commands, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(std::optional<ChangelogDetail>(), failure, error);
    ChangelogDetail detail;
    if (withSet)
        detail.changeSet = entries(batch.results.constFirst());
    const PgResult &history = batch.results.constLast();
    detail.historyTruncated = history.rows() > limit;
    detail.parameterHistory = entries(history, detail.historyTruncated ? 1 : 0);
    return RepositorySupport::reported(std::optional<ChangelogDetail>(detail), {}, error);
}

std::optional<ChangelogFacets> ChangelogRepository::facets(DbError *error)
{
    const QString what = QStringLiteral("read the changelog's filter choices");
    using After = PipelineCommand::After;
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database,
                               {{kAgents, {}, After::Nothing},
                                {kRolesSources, {}, After::Nothing},
                                {kUsers, {}, After::Sync}},
                               what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(std::optional<ChangelogFacets>(), failure, error);
    ChangelogFacets facets;
    const PgResult &agents = batch.results.at(0);
    for (int row = 0; row < agents.rows(); ++row)
        facets.agents.append(agents.value(row, 0));
    const PgResult &rolesSources = batch.results.at(1);
    for (int row = 0; row < rolesSources.rows(); ++row)
        (rolesSources.value(row, FacetKind) == QLatin1String("0") ? facets.roles : facets.sources)
            .append(rolesSources.value(row, FacetValue));
    const PgResult &users = batch.results.at(2);
    for (int row = 0; row < users.rows(); ++row)
        facets.users.append(users.value(row, 0).toInt());
    return RepositorySupport::reported(std::optional<ChangelogFacets>(facets), {}, error);
}

QStringList ChangelogRepository::parameterNames(const QString &algorithmId, DbError *error)
{
    const QString what = QStringLiteral("list the parameter names of %1").arg(algorithmId);
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, {{kParameterNames, {algorithmId.toUtf8()}}}, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(QStringList(), failure, error);
    QStringList names;
    const PgResult &r = batch.results.constFirst();
    for (int row = 0; row < r.rows(); ++row)
        names.append(r.value(row, 0));
    return RepositorySupport::reported(names, {}, error);
}
