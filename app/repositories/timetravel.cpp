#include "repositories/timetravel.h"

#include "db/sqltimestamp.h"
#include "repositories/repositorysupport.h"

using namespace RepositorySupport;

namespace {

// The moment: configAt's ($1 agent, $2 moment; entries at or before it count) ...
const QByteArray AtMoment =
    "WITH RECURSIVE m AS (SELECT $1::text AS agent, $2::timestamp AS at, false AS strict)";
// ... or configBefore's ($1 an entry id; entries strictly before its modified_at count).
const QByteArray BeforeEntry =
    "WITH RECURSIVE m AS (SELECT algorithm_id::text AS agent,"
    " coalesce(modified_at, '-infinity'::timestamp) AS at, true AS strict"
    " FROM algorithm_changelog WHERE id = $1)";

// The rule of timetravel.h, after one of the two moments above. Only the groups of tied
// entries that decide are read: per name the last group at or before the moment (kind 1) and
// the one before it (kind 0, for a cycle), or, when there is none, the first group after the
// moment (kind 2). Each is found by a probe of idx_algorithm_changelog_parameter_at (010),
// whose expression `coalesce(modified_at, '-infinity')` the conditions repeat, so that the
// cost follows the agent's number of parameters, not the length of its history. `logged`
// walks the same index from name to name (a skip scan) for the names only the changelog has.
const QByteArray ConfigSql = R"SQL(,
logged AS (
    SELECT (SELECT min(l.parameter_name)::text FROM algorithm_changelog l
            WHERE l.algorithm_id = (SELECT agent FROM m)) AS name
    UNION ALL
    SELECT (SELECT min(l.parameter_name)::text FROM algorithm_changelog l
            WHERE l.algorithm_id = (SELECT agent FROM m) AND l.parameter_name > logged.name)
    FROM logged WHERE logged.name IS NOT NULL
),
names AS (
    SELECT p.parameter_name::text AS name, p.current_value AS now_value, true AS exists_now,
           p.created_at
    FROM m JOIN algorithm_parameters p ON p.algorithm_id = m.agent
    WHERE p.parameter_name IS NOT NULL
    UNION ALL
    SELECT 'is_active', a.is_active::text, true, NULL::timestamp
    FROM m JOIN algorithm_agents a ON a.algorithm_id = m.agent
    UNION ALL
    SELECT l.name, NULL::text, false, NULL::timestamp
    FROM m CROSS JOIN logged l
    WHERE l.name IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM algorithm_parameters p
                      WHERE p.algorithm_id = m.agent AND p.parameter_name = l.name)
      AND NOT (l.name = 'is_active'
               AND EXISTS (SELECT 1 FROM algorithm_agents a WHERE a.algorithm_id = m.agent))
),
b AS (
    SELECT n.name, t.last_at, t.next_at, t.newest_at,
           (SELECT max(coalesce(l.modified_at, '-infinity'::timestamp))
            FROM algorithm_changelog l
            WHERE l.algorithm_id = m.agent AND l.parameter_name = n.name
              AND coalesce(l.modified_at, '-infinity'::timestamp) < t.last_at) AS prev_at
    FROM m CROSS JOIN names n
    CROSS JOIN LATERAL (
        SELECT (SELECT max(coalesce(l.modified_at, '-infinity'::timestamp))
                FROM algorithm_changelog l
                WHERE l.algorithm_id = m.agent AND l.parameter_name = n.name
                  AND coalesce(l.modified_at, '-infinity'::timestamp) <= m.at
                  AND (NOT m.strict OR coalesce(l.modified_at, '-infinity'::timestamp) < m.at))
                   AS last_at,
               (SELECT min(coalesce(l.modified_at, '-infinity'::timestamp))
                FROM algorithm_changelog l
                WHERE l.algorithm_id = m.agent AND l.parameter_name = n.name
                  AND coalesce(l.modified_at, '-infinity'::timestamp) >= m.at
                  AND (m.strict OR coalesce(l.modified_at, '-infinity'::timestamp) > m.at))
                   AS next_at,
               (SELECT max(coalesce(l.modified_at, '-infinity'::timestamp))
                FROM algorithm_changelog l
                WHERE l.algorithm_id = m.agent AND l.parameter_name = n.name) AS newest_at) t
),
g AS (
    SELECT x.id, b.name, x.old_value, x.new_value, x.at,
           CASE WHEN x.at = b.last_at THEN 1 WHEN x.at = b.prev_at THEN 0 ELSE 2 END AS kind,
           x.at = b.newest_at AS newest
    FROM m CROSS JOIN b
    CROSS JOIN LATERAL (
        SELECT l.id::text AS id, l.old_value, l.new_value,
               coalesce(l.modified_at, '-infinity'::timestamp) AS at
        FROM algorithm_changelog l
        WHERE l.algorithm_id = m.agent AND l.parameter_name = b.name
          AND coalesce(l.modified_at, '-infinity'::timestamp) = ANY (ARRAY[
              b.last_at, b.prev_at, CASE WHEN b.last_at IS NULL THEN b.next_at END])) x
),
d AS (
    SELECT name, kind, v, sum(s) AS balance
    FROM (SELECT name, kind, new_value AS v, 1 AS s FROM g
          UNION ALL SELECT name, kind, old_value, -1 FROM g) x
    GROUP BY name, kind, v
),
ends AS (
    SELECT DISTINCT ON (g.name, g.kind) g.name, g.kind, g.new_value AS v, g.id
    FROM g JOIN d ON d.name = g.name AND d.kind = g.kind AND d.v IS NOT DISTINCT FROM g.new_value
    WHERE d.balance > 0 AND g.kind IN (0, 1)
    ORDER BY g.name, g.kind, d.balance DESC, g.id DESC
),
starts AS (
    SELECT DISTINCT ON (g.name) g.name, g.old_value AS v, g.id
    FROM g JOIN d ON d.name = g.name AND d.kind = g.kind AND d.v IS NOT DISTINCT FROM g.old_value
    WHERE d.balance < 0 AND g.kind = 2
    ORDER BY g.name, d.balance, g.id
),
cyc AS (
    SELECT DISTINCT ON (g.name, g.kind) g.name, g.kind, g.old_value AS v, g.id
    FROM g JOIN names n ON n.name = g.name
    WHERE g.kind IN (1, 2)
    ORDER BY g.name, g.kind,
             (g.newest AND n.exists_now AND g.old_value IS NOT DISTINCT FROM n.now_value) DESC,
             g.id
)
SELECT n.name, n.now_value, n.exists_now,
       n.created_at IS NULL
           OR CASE WHEN m.strict THEN n.created_at < m.at ELSE n.created_at <= m.at END,
       w.value_then, v.change_id, m.at::text,
       EXISTS (SELECT 1 FROM algorithm_agents a WHERE a.algorithm_id = m.agent), m.agent
FROM m CROSS JOIN names n
LEFT JOIN b ON b.name = n.name
LEFT JOIN ends e1 ON e1.name = n.name AND e1.kind = 1
LEFT JOIN ends e0 ON e0.name = n.name AND e0.kind = 0
LEFT JOIN starts s2 ON s2.name = n.name
LEFT JOIN cyc c1 ON c1.name = n.name AND c1.kind = 1
LEFT JOIN cyc c2 ON c2.name = n.name AND c2.kind = 2
CROSS JOIN LATERAL (
    SELECT CASE WHEN b.last_at IS NOT NULL THEN
                    CASE WHEN e1.id IS NOT NULL THEN e1.v WHEN e0.id IS NOT NULL THEN e0.v
                         ELSE c1.v END
                WHEN b.next_at IS NOT NULL THEN
                    CASE WHEN s2.id IS NOT NULL THEN s2.v ELSE c2.v END
                ELSE n.now_value END AS value_then) w
CROSS JOIN LATERAL (
    SELECT CASE WHEN b.last_at IS NULL THEN NULL
                WHEN e1.id IS NOT NULL THEN e1.id
                ELSE (SELECT g.id FROM g WHERE g.name = n.name AND g.kind = 1
                      ORDER BY (g.new_value IS NOT DISTINCT FROM w.value_then) DESC, g.id DESC
                      LIMIT 1) END AS change_id) v
ORDER BY n.name <> 'is_active', n.name
)SQL";
// ConfigSql's select list, in order.
enum ConfigColumn
{
    ConfigName,
    ConfigNowValue,
    ConfigExistsNow,
    ConfigExistedThen,
    ConfigValueThen,
    ConfigChangeId,
    ConfigMoment,
    ConfigAgentExists,
    ConfigAgent
};

} // namespace

TimeTravelRepository::TimeTravelRepository(const QSqlDatabase &database)
    : m_database(database)
{}

std::optional<ConfigAt> TimeTravelRepository::configAt(const QString &algorithmId,
                                                       const QDateTime &moment, DbError *error)
{
    if (!moment.isValid()) {
        DbError failure;
        failure.what = QStringLiteral("time travel");
        failure.message = QStringLiteral("no moment given");
        return reported(std::optional<ConfigAt>(), failure, error);
    }
    return configAt(algorithmId, SqlTimestamp::toSql(moment), error);
}

std::optional<ConfigAt> TimeTravelRepository::configAt(const QString &algorithmId,
                                                       const QString &momentText, DbError *error)
{
    std::optional<ConfigAt> result =
        read(AtMoment + ConfigSql, {text(algorithmId), text(momentText)},
             QStringLiteral("time travel"), error);
    if (result && result->algorithmId.isEmpty()) {
        DbError failure;
        failure.what = QStringLiteral("time travel");
        failure.message = QStringLiteral("there is no agent %1").arg(algorithmId);
        failure.sqlState = QStringLiteral("P0002");
        return reported(std::optional<ConfigAt>(), failure, error);
    }
    return result;
}

std::optional<ConfigAt> TimeTravelRepository::configBefore(const QString &entryId, DbError *error)
{
    std::optional<ConfigAt> result =
        read(BeforeEntry + ConfigSql, {text(entryId)}, QStringLiteral("time travel"), error);
    if (result && result->algorithmId.isEmpty()) {
        DbError failure;
        failure.what = QStringLiteral("time travel");
        failure.message =
            QStringLiteral("there is no changelog entry %1 of an existing agent").arg(entryId);
        failure.sqlState = QStringLiteral("P0002");
        return reported(std::optional<ConfigAt>(), failure, error);
    }
    return result;
}

std::optional<ConfigAt> TimeTravelRepository::read(const QByteArray &sql,
                                                   const QList<QByteArray> &params,
                                                   const QString &what, DbError *error)
{
    const BatchResults batch = run(m_database, {{sql, params}}, what);
    const DbError failure = firstError(batch, what);
    if (failure.isError())
        return reported(std::optional<ConfigAt>(), failure, error);
    const PgResult &rows = batch.results.constFirst();
    ConfigAt config;
    for (int row = 0; row < rows.rows(); ++row) {
        auto value = [&](int column) {
            return rows.value(row, column); // a null QString for SQL NULL
        };
        if (row == 0) {
            // An agent that is gone (only its changelog left) counts as unknown.
            if (value(ConfigAgentExists) == QLatin1String("t"))
                config.algorithmId = value(ConfigAgent);
            config.momentText = value(ConfigMoment);
            config.moment = SqlTimestamp::fromSql(config.momentText);
        }
        ConfigAtEntry entry;
        entry.name = value(ConfigName);
        entry.valueNow = value(ConfigNowValue);
        entry.existsNow = value(ConfigExistsNow) == QLatin1String("t");
        entry.existedThen = value(ConfigExistedThen) == QLatin1String("t");
        if (entry.existedThen) {
            entry.valueThen = value(ConfigValueThen);
            entry.lastChangeId = value(ConfigChangeId);
        }
        config.entries.append(entry);
    }
    return reported(std::optional<ConfigAt>(config), {}, error);
}
