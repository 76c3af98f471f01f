#include "repositories/changelogrepository.h"

#include "db/pgconnection.h"
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "db/statementcanceller.h"
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
constexpr char kFrom[] = " FROM algorithm_changelog";
// The keyset order, on the table's timestamp (the text copy in the select list has another
// name, or ORDER BY would sort by it: text, not indexable).
constexpr char kOrder[] = " ORDER BY modified_at DESC, id DESC";
constexpr char kCursor[] = "(modified_at, id) < (%1::timestamp, %2)";
constexpr char kLimit[] = " LIMIT %1::int";
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
    return result;
}

// "WHERE a AND b …" with placeholders from `placeholder(n)` (n from 1), or empty.
QString whereClause(const QList<Condition> &conds, const std::optional<ChangelogCursor> &cursor,
                    const std::function<QString(int)> &placeholder)
{
    QStringList parts;
    int n = 0;
    for (const Condition &c : conds)
        parts.append(QString::fromLatin1(c.sql).arg(placeholder(++n)));
    if (cursor) {
        const QString first = placeholder(++n);
        const QString second = placeholder(++n);
        parts.append(QString::fromLatin1(kCursor).arg(first, second));
    }
    if (parts.isEmpty())
        return {};
    return QStringLiteral(" WHERE ") + parts.join(QStringLiteral(" AND "));
}

QString pqPlaceholder(int n)
{
    return QLatin1Char('$') + QString::number(n);
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

namespace {

// NULL and '' both export as an empty field, but keep the split explicit.
QString nullable(const PgResult &r, int row, int column)
{
    return r.isNull(row, column) ? QString() : r.value(row, column);
}

QByteArray csvField(const QString &value)
{
    QByteArray bytes = value.toUtf8();
    if (bytes.contains('"') || bytes.contains(',') || bytes.contains('\r') ||
        bytes.contains('\n')) {
        bytes.replace("\"", "\"\"");
        return '"' + bytes + '"';
    }
    return bytes;
}

} // namespace

ChangelogRepository::ChangelogRepository(const QSqlDatabase &database)
    : m_database(database)
{}

ChangelogRepository::~ChangelogRepository() = default;

std::optional<ChangelogPage> ChangelogRepository::page(const ChangelogFilter &filter,
                                                       const std::optional<ChangelogCursor> &after,
                                                       int limit, DbError *error)
{
    const QString what = QStringLiteral("read a page of the changelog");
    const QList<Condition> conds = conditions(filter);
    QList<QByteArray> values = pqValues(conds);
    if (after) {
        values.append(after->modifiedAt.toUtf8());
        values.append(after->id.toUtf8());
    }
    values.append(QByteArray::number(qMax(0, limit)));
    const QByteArray sql =
        "SELECT " + QByteArray(kColumns) + kFrom +
        whereClause(conds, after, pqPlaceholder).toUtf8() + kOrder +
        QString::fromLatin1(kLimit).arg(pqPlaceholder(int(values.size()))).toUtf8();
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
    const QByteArray explain = "EXPLAIN (FORMAT JSON) SELECT 1" + QByteArray(kFrom) +
                               whereClause(conds, std::nullopt, pqPlaceholder).toUtf8();
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

QByteArray ChangelogRepository::csvRecord(const QStringList &fields)
{
    QByteArray line;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i)
            line += ',';
        line += csvField(fields.at(i));
    }
    return line;
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
    const QList<Condition> conds = conditions(filter);
    PipelineCommand select("SELECT " + QByteArray(kColumns) + kFrom +
                               whereClause(conds, std::nullopt, pqPlaceholder).toUtf8() + kOrder,
                           pqValues(conds));
    // Single-row mode: libpq hands over each row as it arrives instead of collecting the whole
    // result, so memory stays flat for millions of rows, in one statement and one snapshot.
    // A cursor fetched in chunks would pay a round trip per chunk for the same.
    select.singleRow = true;

    qint64 written = 0;
    bool cancelled = false;
    bool writeFailed = false;
    DbError serverError;
    if (out->write(csvHeader() + "\r\n") < 0)
        writeFailed = true;
    DbError connectionError;
    const bool ran = RepositorySupport::stream(
        m_database, {select},
        [&](int, const PgResult &r) {
            // Rows come one per result; a whole result (should single-row mode not have been
            // taken) is written the same way.
            const bool rows = r.status() == PGRES_SINGLE_TUPLE || r.status() == PGRES_TUPLES_OK;
            if (rows && !cancelled && !writeFailed) {
                for (int row = 0; row < r.rows() && !cancelled && !writeFailed; ++row) {
                    QStringList fields;
                    fields.reserve(ChangelogColumnCount);
                    for (int c = 0; c < ChangelogColumnCount; ++c)
                        fields.append(nullable(r, row, c));
                    if (out->write(csvRecord(fields) + "\r\n") < 0)
                        writeFailed = true;
                    else if (++written % kCsvProgressEvery == 0 && progress && !progress(written))
                        cancelled = true;
                }
                // Stop the server sending the rest; the pipeline drains what is on its way.
                if (cancelled || writeFailed)
                    StatementCanceller(conn).cancel();
            } else if (!r.ok() && r.status() != PGRES_PIPELINE_ABORTED && !cancelled &&
                       !writeFailed && !serverError.isError()) {
                serverError = r.error(what);
            }
        },
        what, &connectionError);
    if (writeFailed)
        return fail(QStringLiteral("could not write: %1").arg(out->errorString()));
    if (cancelled)
        return fail(QStringLiteral("cancelled"));
    if (!ran)
        return RepositorySupport::reported(qint64(-1), connectionError, error);
    if (serverError.isError())
        return RepositorySupport::reported(qint64(-1), serverError, error);
    // The last report, unless the loop just made it.
    if (progress && (written == 0 || written % kCsvProgressEvery != 0))
        progress(written);
    return RepositorySupport::reported(written, {}, error);
}
