#pragma once

#include "db/pgconnection.h"
#include "repositories/repositorysupport.h"

#include <limits>

// What metricsrepository.cpp and metricimpacts.cpp share (private to them), and the statements
// bench_metrics runs through psql to time the same SQL.

// SQL: `column` holds a finite value. numeric orders -Infinity < finite < Infinity < NaN, and a
// NULL compares to nothing, so NaN, ±Infinity and NULL are all left out.
#define ALGOADMIN_FINITE(column) column " > '-Infinity' AND " column " < 'Infinity'"

// The changes: c(agent, t, change_set, entry_id, k), k naming the change in the results. Three
// ways, by the values given ($1..$8 in every statement that starts with this head):
//  - an entry: $1 agent, $2 t, $5 and $6 its change set and id (may be NULL); $7 NULL; k $6;
//  - a change set: $1 NULL, $5 the change set: a row per agent, t its entries' earliest
//    modified_at, k the change set;
//  - a parameter's history: $1 agent, $7 parameter, $8 limit: its `limit` newest dated
//    entries, k their ids.
// p: $3 window seconds, $4 metrics (text[], empty = all).
#define ALGOADMIN_IMPACT_HEAD                                                                      \
    "WITH RECURSIVE c AS ("                                                                        \
    " SELECT $1::text AS agent, $2::timestamp AS t, $5::text AS change_set, $6::text AS entry_id," \
    " coalesce($6::text, '') AS k"                                                                 \
    " WHERE $1::text IS NOT NULL AND $7::text IS NULL"                                             \
    " UNION ALL"                                                                                   \
    " SELECT algorithm_id, min(modified_at), $5::text, NULL::text, $5::text"                       \
    " FROM algorithm_changelog"                                                                    \
    " WHERE $1::text IS NULL AND change_set = $5::text GROUP BY algorithm_id"                      \
    " UNION ALL"                                                                                   \
    " SELECT * FROM (SELECT algorithm_id, modified_at, change_set, id, id"                         \
    "  FROM algorithm_changelog WHERE $7::text IS NOT NULL AND algorithm_id = $1::text"            \
    "  AND parameter_name = $7::text AND modified_at IS NOT NULL"                                  \
    "  ORDER BY modified_at DESC, id DESC LIMIT $8::int) AS h),"                                   \
    " p AS (SELECT make_interval(secs => $3::float8) AS w, $4::text[] AS wanted),"

namespace MetricSql {

// First in each read's batch, for the rest of the batch (a batch is one implicit transaction,
// ended by its one Sync; `true` makes the settings local to it, so a pooler's server connection
// keeps nothing). These reads are aggregates over an index range of at most a series
// (bench_metrics measured each):
//  - JIT off: compiling them cost 10–60 ms (a whole-range series or an impact passes
//    jit_above_cost) and saved less; a server without the setting skips it;
//  - work_mem at least 32 MB: a whole-range series sorts 100,000 rows, which spilled to disk
//    at the default 4 MB (a fifth of its time). One sort at a time: the batch runs in order.
inline constexpr char ReadSettings[] =
    "SELECT set_config('jit', 'off', true),"
    " set_config('work_mem', greatest(pg_size_bytes(current_setting('work_mem')),"
    " 32 * 1024 * 1024) / 1024 || 'kB', true)"
    " WHERE current_setting('jit', true) IS NOT NULL";

// RepositorySupport::run for the metrics' reads: `commands` in one implicit transaction (one
// snapshot), after ReadSettings; the results keep the commands' indexes.
inline RepositorySupport::BatchResults run(const QSqlDatabase &database,
                                           QList<PipelineCommand> commands, const QString &what)
{
    for (PipelineCommand &command : commands)
        command.after = PipelineCommand::After::Nothing;
    if (!commands.isEmpty())
        commands.last().after = PipelineCommand::After::Sync;
    commands.prepend(PipelineCommand(ReadSettings, {}, PipelineCommand::After::Nothing));
    RepositorySupport::BatchResults batch = RepositorySupport::run(database, commands, what);
    if (!batch.results.isEmpty())
        batch.results.removeFirst();
    return batch;
}

// $1 bucket width in seconds; the origin is `from`, so bucket k starts at from + k * width.
// Only finite values are aggregated (ALGOADMIN_FINITE); the rest of each bucket's rows are counted
// as excluded, and a bucket of excluded rows only still comes, with NULL aggregates.
// clang-format off
// Grouped on the bucket's timestamp (as text only in the result): sorting 100,000 rows on the
// text form took a quarter longer.
inline constexpr char Series[] =
    "SELECT b::text,"
    " min(metric_value) FILTER (WHERE " ALGOADMIN_FINITE("metric_value") ")::float8,"
    " avg(metric_value) FILTER (WHERE " ALGOADMIN_FINITE("metric_value") ")::float8,"
    " max(metric_value) FILTER (WHERE " ALGOADMIN_FINITE("metric_value") ")::float8,"
    " count(*) FILTER (WHERE " ALGOADMIN_FINITE("metric_value") "),"
    " count(*) - count(*) FILTER (WHERE " ALGOADMIN_FINITE("metric_value") ")"
    " FROM (SELECT date_bin(make_interval(secs => $1::float8), recorded_at, $2::timestamp) AS b,"
    "  metric_value FROM algorithm_metrics"
    "  WHERE algorithm_id = $3 AND metric_name = $4"
    "  AND recorded_at >= $5::timestamp AND recorded_at < $6::timestamp) AS r"
    " GROUP BY b ORDER BY b";
// clang-format on
// The columns changelogEntryFromRow() reads, in its ChangelogColumn order.
inline constexpr char Markers[] =
    "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text AS modified_at_text, db_role, source, change_set"
    " FROM algorithm_changelog"
    " WHERE algorithm_id = $1 AND modified_at >= $2::timestamp AND modified_at < $3::timestamp"
    " ORDER BY modified_at, id";
// The first and last recorded_at of a metric: two index probes.
inline constexpr char Extent[] =
    "SELECT min(recorded_at)::text, max(recorded_at)::text"
    " FROM algorithm_metrics WHERE algorithm_id = $1 AND metric_name = $2";

// Per agent and metric, the two windows' finite values: means, medians, counts, excluded rows,
// and the Mann-Whitney U statistic's z on the server. Ranks are over both windows' finite
// values with ties averaged (rank() + (ties - 1) / 2); U1 = R1 - n1 (n1 + 1) / 2; the
// variance n1 n2 / 12 ((n + 1) - Σ(t³ - t) / (n (n - 1))) (each of a tie group's t rows adds
// t² - 1); z = sign(U1 - n1 n2 / 2) max(|U1 - n1 n2 / 2| - 0.5, 0) / σ, the continuity
// correction scipy's asymptotic method applies. z is 0 when every value ties (σ = 0) and NULL
// when a side is empty. The agent's metric names come from a skip scan of the
// (algorithm_id, metric_name, recorded_at) index, only when $4 is empty.
// clang-format off
inline constexpr char Impacts[] = ALGOADMIN_IMPACT_HEAD
    " known(agent, name) AS ("
    " SELECT c.agent, (SELECT min(metric_name) FROM algorithm_metrics WHERE algorithm_id = c.agent)"
    " FROM (SELECT DISTINCT agent FROM c) AS c"
    " UNION ALL"
    " SELECT k.agent, (SELECT min(metric_name) FROM algorithm_metrics"
    "  WHERE algorithm_id = k.agent AND metric_name > k.name)"
    " FROM known k WHERE k.name IS NOT NULL),"
    " names AS ("
    " SELECT agent, name FROM known WHERE name IS NOT NULL AND cardinality($4::text[]) = 0"
    " UNION"
    " SELECT DISTINCT c.agent, u.name FROM c, unnest($4::text[]) AS u(name)),"
    // Each change and metric with its window's bounds, materialized so that the metrics' index
    // is searched on agent, name and time at once (joined to names and c apart, the planner
    // searched on agent and name only and filtered the whole series: 25 ms instead of 1).
    " pairs AS MATERIALIZED ("
    " SELECT c.k, n.agent, n.name, c.t, c.t - p.w AS lo, c.t + p.w AS hi"
    " FROM names n JOIN c ON c.agent = n.agent CROSS JOIN p),"
    " vals AS ("
    " SELECT q.k, q.agent, q.name, m.recorded_at >= q.t AS after,"
    "  CASE WHEN " ALGOADMIN_FINITE("m.metric_value") " THEN m.metric_value END AS x"
    " FROM pairs q JOIN algorithm_metrics m ON m.algorithm_id = q.agent"
    "  AND m.metric_name = q.name AND m.recorded_at >= q.lo AND m.recorded_at < q.hi),"
    " ranked AS ("
    " SELECT k, agent, name, after, x,"
    "  rank() OVER (PARTITION BY k, agent, name, x IS NULL ORDER BY x)"
    "  + (count(*) OVER (PARTITION BY k, agent, name, x) - 1) / 2.0 AS r,"
    "  count(*) OVER (PARTITION BY k, agent, name, x) AS ties"
    " FROM vals),"
    " s AS ("
    " SELECT k, agent, name,"
    "  avg(x) FILTER (WHERE NOT after)::float8 AS mean1,"
    "  percentile_cont(0.5) WITHIN GROUP (ORDER BY x::float8) FILTER (WHERE NOT after) AS med1,"
    "  count(x) FILTER (WHERE NOT after)::float8 AS n1,"
    "  avg(x) FILTER (WHERE after)::float8 AS mean2,"
    "  percentile_cont(0.5) WITHIN GROUP (ORDER BY x::float8) FILTER (WHERE after) AS med2,"
    "  count(x) FILTER (WHERE after)::float8 AS n2,"
    "  count(*) FILTER (WHERE NOT after AND x IS NULL) AS e1,"
    "  count(*) FILTER (WHERE after AND x IS NULL) AS e2,"
    "  coalesce(sum(r) FILTER (WHERE NOT after AND x IS NOT NULL), 0)::float8 AS r1,"
    "  coalesce(sum(ties * ties - 1) FILTER (WHERE x IS NOT NULL), 0)::float8 AS tie"
    " FROM ranked GROUP BY k, agent, name),"
    " u AS ("
    " SELECT s.*, s.r1 - s.n1 * (s.n1 + 1) / 2 - s.n1 * s.n2 / 2 AS d,"
    "  CASE WHEN s.n1 + s.n2 > 1 THEN s.n1 * s.n2 / 12"
    "   * ((s.n1 + s.n2 + 1) - s.tie / ((s.n1 + s.n2) * (s.n1 + s.n2 - 1))) END AS v"
    " FROM s)"
    " SELECT n.name, n.agent, c.k,"
    " coalesce(u.mean1, 0), coalesce(u.med1, 0), coalesce(u.n1, 0)::bigint,"
    " coalesce(u.mean2, 0), coalesce(u.med2, 0), coalesce(u.n2, 0)::bigint,"
    " coalesce(u.e1, 0), coalesce(u.e2, 0),"
    " CASE WHEN u.n1 > 0 AND u.n2 > 0 THEN"
    "  CASE WHEN u.v > 0 THEN sign(u.d) * greatest(abs(u.d) - 0.5, 0) / sqrt(u.v) ELSE 0 END"
    " END AS z"
    " FROM names n JOIN c ON c.agent = n.agent"
    " LEFT JOIN u ON u.k = c.k AND u.agent = n.agent AND u.name = n.name"
    " ORDER BY c.t DESC, c.k, n.name, n.agent";
// clang-format on
// The agents' other changelog entries in [t - w, t + w): not the entry, not its change set.
// Selects changelogEntryFromRow()'s columns plus the agent's row in c.
inline constexpr char OthersInWindow[] = ALGOADMIN_IMPACT_HEAD
    " o AS (SELECT 0)"
    " SELECT l.id, l.algorithm_id, l.user_id, l.parameter_name, l.old_value, l.new_value,"
    " l.reason, l.modified_at::text, l.db_role, l.source, l.change_set, c.k"
    " FROM c CROSS JOIN p JOIN algorithm_changelog l ON l.algorithm_id = c.agent"
    " AND l.modified_at >= c.t - p.w AND l.modified_at < c.t + p.w"
    " WHERE l.id IS DISTINCT FROM c.entry_id"
    " AND (c.change_set IS NULL OR l.change_set IS DISTINCT FROM c.change_set)"
    " ORDER BY l.modified_at, l.id";

// The double of a float8 column, NaN for NULL.
inline double nanOr(const PgResult &r, int row, int column)
{
    return r.isNull(row, column) ? std::numeric_limits<double>::quiet_NaN()
                                 : r.value(row, column).toDouble();
}

} // namespace MetricSql
