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
#include <QSqlQuery>
#include <QVariant>

namespace {

constexpr char kColumns[] =
    "id, algorithm_id, user_id, parameter_name, old_value, new_value, "
    "reason, modified_at::text AS modified_at_text, db_role, source, change_set";
// kColumns in order: what changelogEntryFromQuery() reads (MetricsRepository's kMarkers selects
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

int shape(const ChangelogFilter &filter, bool withCursor)
{
    return (filter.algorithmId ? 1 : 0) | (filter.parameterName ? 2 : 0) | (filter.userId ? 4 : 0) |
           (filter.dbRole ? 8 : 0) | (filter.from.isValid() ? 16 : 0) |
           (filter.to.isValid() ? 32 : 0) | (filter.reasonText ? 64 : 0) | (withCursor ? 128 : 0);
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

QString qtPlaceholder(int)
{
    return QStringLiteral("?");
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

ChangelogEntry changelogEntryFromQuery(const QSqlQuery &q)
{
    auto text = [&](int i) { return q.isNull(i) ? QString() : q.value(i).toString(); };
    ChangelogEntry e;
    e.id = text(ChangelogId);
    e.algorithmId = text(ChangelogAlgorithmId);
    if (!q.isNull(ChangelogUserId))
        e.userId = q.value(ChangelogUserId).toInt();
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

// Qt Sql turns the empty string into NULL nowhere, but make the null/empty split explicit.
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

QSqlQuery *ChangelogRepository::preparedPage(const ChangelogFilter &filter, bool withCursor,
                                             DbError *error)
{
    const int key = shape(filter, withCursor);
    auto it = m_pageQueries.find(key);
    if (it != m_pageQueries.end())
        return it->get();
    std::optional<ChangelogCursor> cursorShape;
    if (withCursor)
        cursorShape = ChangelogCursor{};
    const QString sql = QStringLiteral("SELECT ") + QLatin1String(kColumns) + QLatin1String(kFrom) +
                        whereClause(conditions(filter), cursorShape, qtPlaceholder) +
                        QLatin1String(kOrder) + QStringLiteral(" LIMIT ?");
    auto query = std::make_shared<QSqlQuery>(m_database);
    query->setForwardOnly(true);
    if (!query->prepare(sql)) {
        RepositorySupport::report(
            SqlDatabase::toDbError(m_database, query->lastError(),
                                   QStringLiteral("prepare the changelog page query")),
            error);
        return nullptr;
    }
    m_pageQueries.insert(key, query);
    return query.get();
}

std::optional<ChangelogPage> ChangelogRepository::page(const ChangelogFilter &filter,
                                                       const std::optional<ChangelogCursor> &after,
                                                       int limit, DbError *error)
{
    QSqlQuery *query = preparedPage(filter, after.has_value(), error);
    if (!query)
        return std::nullopt;
    int n = 0;
    for (const Condition &c : conditions(filter))
        query->bindValue(n++, c.value);
    if (after) {
        query->bindValue(n++, after->modifiedAt);
        query->bindValue(n++, after->id);
    }
    query->bindValue(n++, qMax(0, limit));
    if (!query->exec()) {
        RepositorySupport::report(
            SqlDatabase::toDbError(m_database, query->lastError(),
                                   QStringLiteral("read a page of the changelog")),
            error);
        return std::nullopt;
    }
    ChangelogPage result;
    while (query->next())
        result.entries.append(changelogEntryFromQuery(*query));
    query->finish();
    if (limit > 0 && result.entries.size() == limit)
        result.next = ChangelogCursor::after(result.entries.constLast());
    return result;
}

qint64 ChangelogRepository::estimateCount(const ChangelogFilter &filter, DbError *error)
{
    const QList<Condition> conds = conditions(filter);
    if (conds.isEmpty()) {
        if (!m_reltuples) {
            m_reltuples = std::make_shared<QSqlQuery>(m_database);
            m_reltuples->setForwardOnly(true);
            if (!m_reltuples->prepare(QString::fromLatin1(kReltuples))) {
                RepositorySupport::report(
                    SqlDatabase::toDbError(m_database, m_reltuples->lastError(),
                                           QStringLiteral("prepare the row estimate")),
                    error);
                m_reltuples.reset();
                return -1;
            }
        }
        if (!m_reltuples->exec() || !m_reltuples->next()) {
            RepositorySupport::report(
                SqlDatabase::toDbError(m_database, m_reltuples->lastError(),
                                       QStringLiteral("estimate the changelog rows")),
                error);
            return -1;
        }
        const qint64 reltuples = m_reltuples->value(ReltuplesEstimate).toLongLong();
        m_reltuples->finish();
        // -1: never analyzed; the planner's estimate below still works then.
        if (reltuples >= 0)
            return reltuples;
    }
    // EXPLAIN cannot be PREPAREd (Qt Sql's way of binding), so it goes through libpq's
    // extended protocol on the same connection, still with bound values.
    PGconn *conn = SqlDatabase::nativeHandle(m_database);
    if (!conn) {
        RepositorySupport::report({QStringLiteral("estimate the changelog rows"),
                                   {},
                                   QStringLiteral("the connection is not open"),
                                   {},
                                   {},
                                   {}},
                                  error);
        return -1;
    }
    const QByteArray sql = "EXPLAIN (FORMAT JSON) SELECT 1" + QByteArray(kFrom) +
                           whereClause(conds, std::nullopt, pqPlaceholder).toUtf8();
    const QList<QByteArray> values = pqValues(conds);
    QList<const char *> raw;
    for (const QByteArray &v : values)
        raw.append(v.constData());
    PgResult result(PQexecParams(conn, sql.constData(), int(raw.size()), nullptr, raw.constData(),
                                 nullptr, nullptr, 0));
    if (!result.ok() || result.rows() < 1) {
        RepositorySupport::report(result.error(QStringLiteral("estimate the changelog rows")),
                                  error);
        return -1;
    }
    const QJsonDocument plan = QJsonDocument::fromJson(result.rawValue(0, 0));
    return qint64(plan.array()
                      .at(0)
                      .toObject()
                      .value(QLatin1String("Plan"))
                      .toObject()
                      .value(QLatin1String("Plan Rows"))
                      .toDouble());
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
    const QByteArray sql = "SELECT " + QByteArray(kColumns) + kFrom +
                           whereClause(conds, std::nullopt, pqPlaceholder).toUtf8() + kOrder;
    const QList<QByteArray> values = pqValues(conds);
    QList<const char *> raw;
    for (const QByteArray &v : values)
        raw.append(v.constData());
    // Qt Sql's forward-only queries (single-row mode too) leave their final empty result with
    // libpq until the driver's next statement; take it, or libpq refuses to send ours.
    while (PGresult *pending = PQgetResult(conn))
        PQclear(pending);
    // Single-row mode: libpq hands over each row as it arrives instead of collecting the whole
    // result, so memory stays flat for millions of rows, in one statement and one snapshot.
    if (!PQsendQueryParams(conn, sql.constData(), int(raw.size()), nullptr, raw.constData(),
                           nullptr, nullptr, 0) ||
        !PQsetSingleRowMode(conn)) {
        const QString message = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
        while (PGresult *pending = PQgetResult(conn))
            PQclear(pending);
        return fail(message);
    }

    qint64 written = 0;
    bool cancelled = false;
    bool writeFailed = false;
    DbError serverError;
    if (out->write(csvHeader() + "\r\n") < 0)
        writeFailed = true;
    while (PGresult *next = PQgetResult(conn)) {
        PgResult r(next);
        if (r.status() == PGRES_SINGLE_TUPLE && !cancelled && !writeFailed) {
            QStringList fields;
            fields.reserve(ChangelogColumnCount);
            for (int c = 0; c < ChangelogColumnCount; ++c)
                fields.append(nullable(r, 0, c));
            if (out->write(csvRecord(fields) + "\r\n") < 0) {
                writeFailed = true;
            } else if (++written % kCsvProgressEvery == 0 && progress && !progress(written)) {
                cancelled = true;
            }
            // Stop the server sending the rest; the loop drains what is already on its way.
            if (cancelled || writeFailed) {
                StatementCanceller(conn).cancel();
            }
        } else if (r.status() == PGRES_FATAL_ERROR && !cancelled && !writeFailed) {
            serverError = r.error(what);
        }
    }
    if (writeFailed)
        return fail(QStringLiteral("could not write: %1").arg(out->errorString()));
    if (cancelled)
        return fail(QStringLiteral("cancelled"));
    if (serverError.isError()) {
        RepositorySupport::report(serverError, error);
        return -1;
    }
    // The last report, unless the loop just made it.
    if (progress && (written == 0 || written % kCsvProgressEvery != 0))
        progress(written);
    return written;
}
