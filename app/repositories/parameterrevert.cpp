// ParameterRepository's revert and restore (beside parameterrepository.cpp, which holds the
// apply path they write through).
#include "repositories/parameterrepository.h"

#include "repositories/repositorysupport.h"
#include "repositories/timetravel.h"

#include <QHash>

using namespace RepositorySupport;

namespace {

// The rows of a changelog entry or change set ($1), with today's rule and value (is_active:
// the agent's flag).
const QByteArray RevertEntriesSql = R"SQL(
SELECT l.algorithm_id, l.parameter_name, l.old_value, l.new_value,
       CASE WHEN l.parameter_name = 'is_active' THEN a.id IS NOT NULL ELSE p.id IS NOT NULL END,
       p.parameter_type, p.min_value, p.max_value,
       CASE WHEN l.parameter_name = 'is_active' THEN a.is_active::text ELSE p.current_value END,
       l.id
FROM algorithm_changelog l
LEFT JOIN algorithm_parameters p
       ON p.algorithm_id = l.algorithm_id AND p.parameter_name = l.parameter_name
      AND l.parameter_name <> 'is_active'
LEFT JOIN algorithm_agents a
       ON a.algorithm_id = l.algorithm_id AND l.parameter_name = 'is_active'
WHERE l.id = $1 OR l.change_set = $1
ORDER BY l.algorithm_id, l.parameter_name, l.id
)SQL";
// RevertEntriesSql's select list, in order.
enum RevertColumn
{
    RevertAlgorithmId,
    RevertName,
    RevertOldValue,
    RevertNewValue,
    RevertHasParameter,
    RevertType,
    RevertMinValue,
    RevertMaxValue,
    RevertCurrentValue,
    RevertEntryId
};

bool same(const QString &a, const QString &b)
{
    return a == b && a.isNull() == b.isNull();
}

// One changelog row of a revert.
struct Row
{
    QString id;
    QString oldValue;
    QString newValue;
};

// Where the entries of one parameter (ordered by id) start and end, following their chain as
// timetravel.h describes: the old value that leaves more often than it arrives, the new value
// that arrives more often than it leaves. A cycle (none) ends where it began.
struct Chain
{
    QString start;
    QString end;
    bool cycle = false;
};

Chain chainOf(const QList<Row> &rows)
{
    QHash<QPair<bool, QString>, int> balance;
    auto key = [](const QString &value) { return qMakePair(value.isNull(), value); };
    for (const Row &row : rows) {
        ++balance[key(row.newValue)];
        --balance[key(row.oldValue)];
    }
    Chain chain;
    int best = 0;
    for (qsizetype i = rows.size() - 1; i >= 0; --i) { // the largest surplus, then the largest id
        if (const int b = balance.value(key(rows.at(i).newValue)); b > best) {
            best = b;
            chain.end = rows.at(i).newValue;
        }
    }
    chain.cycle = best == 0;
    int worst = 0;
    for (const Row &row : rows) { // the largest deficit, then the smallest id
        if (const int b = balance.value(key(row.oldValue)); b < worst) {
            worst = b;
            chain.start = row.oldValue;
        }
    }
    return chain;
}

DbError failed(const QString &what, const QString &message, const QString &sqlState = {})
{
    DbError failure;
    failure.what = what;
    failure.message = message;
    failure.sqlState = sqlState;
    return failure;
}

} // namespace

// The changes a revert or restore sends, and what it leaves alone.
struct ParameterRepository::Plan
{
    QList<ParameterChange> changes;
    QStringList skipped;
};

ParameterRepository::Plan ParameterRepository::revertPlan(const QString &entryIdOrChangeSet,
                                                          const RevertOptions &options,
                                                          bool checkRules, DbError *error)
{
    const QString what = QStringLiteral("revert");
    ++m_roundTrips;
    const BatchResults batch =
        run(m_database, {{RevertEntriesSql, {text(entryIdOrChangeSet)}}}, what);
    DbError failure = firstError(batch, what);
    if (failure.isError())
        return reported(Plan(), failure, error);
    const PgResult &rows = batch.results.constFirst();
    if (rows.rows() == 0)
        return reported(
            Plan(),
            failed(what,
                   QStringLiteral("no changelog entry or change set %1").arg(entryIdOrChangeSet),
                   QStringLiteral("P0002")),
            error);
    Plan plan;
    for (int first = 0; first < rows.rows();) {
        auto value = [&](int row, int column) { return rows.value(row, column); };
        const QString agent = value(first, RevertAlgorithmId);
        const QString name = value(first, RevertName);
        QList<Row> group;
        int next = first;
        for (; next < rows.rows() && value(next, RevertAlgorithmId) == agent &&
               value(next, RevertName) == name;
             ++next)
            group.append({value(next, RevertEntryId), value(next, RevertOldValue),
                          value(next, RevertNewValue)});
        const bool active = name == QLatin1String(ActiveName);
        const QString current = value(first, RevertCurrentValue);
        if (value(first, RevertHasParameter) != QLatin1String("t"))
            return reported(
                Plan(),
                failed(what, active ? QStringLiteral("there is no agent %1 any more").arg(agent)
                                    : QStringLiteral("algorithm %1 has no parameter "
                                                     "%2 any more")
                                          .arg(agent, name)),
                error);
        const Chain chain = chainOf(group);
        const int at = first;
        first = next;
        if (chain.cycle) {
            plan.skipped.append(QStringLiteral("%1: its entries end where they began").arg(name));
            continue;
        }
        const QString from = options.overrideConflicts ? current : chain.end;
        if (options.overrideConflicts && same(current, chain.start)) {
            plan.skipped.append(QStringLiteral("%1: already holds the old value").arg(name));
            continue;
        }
        // Today's rule, before anything is sent; the trigger stays the backstop.
        if (checkRules && !active) {
            const Validation validation = validateParameterValue(
                chain.start, {agent, name, value(at, RevertType), value(at, RevertMinValue),
                              value(at, RevertMaxValue)});
            if (!validation.ok) {
                failure = failed(what, validation.message, QStringLiteral("23514"));
                failure.hint =
                    QStringLiteral("The old value is outside today's rule; nothing was sent.");
                return reported(Plan(), failure, error);
            }
        }
        plan.changes.append({agent, name, from, chain.start});
    }
    return reported(plan, {}, error);
}

ParameterRepository::Plan ParameterRepository::restorePlan(const QString &algorithmId,
                                                           const QDateTime &moment, DbError *error)
{
    ++m_roundTrips;
    TimeTravelRepository travel(m_database);
    DbError failure;
    const std::optional<ConfigAt> config = travel.configAt(algorithmId, moment, &failure);
    if (!config)
        return reported(Plan(), failure, error);
    Plan plan;
    for (const ConfigAtEntry &entry : config->entries) {
        if (!entry.existsNow)
            plan.skipped.append(QStringLiteral("%1: deleted since").arg(entry.name));
        else if (!entry.existedThen)
            plan.skipped.append(QStringLiteral("%1: created after the moment").arg(entry.name));
        else if (entry.changedSince())
            plan.changes.append({algorithmId, entry.name, entry.valueNow, entry.valueThen});
    }
    return reported(plan, {}, error);
}

namespace {

// The knowing override: the changes again, each from what the conflicts found there now.
// False when there is nothing to retry (a parameter is missing).
bool fromConflicts(QList<ParameterChange> *changes, const QList<ParameterConflict> &conflicts)
{
    if (conflicts.isEmpty())
        return false;
    for (const ParameterConflict &conflict : conflicts) {
        if (conflict.missing)
            return false;
        for (ParameterChange &change : *changes)
            if (change.algorithmId == conflict.algorithmId && change.name == conflict.name)
                change.from = conflict.actual;
    }
    return true;
}

} // namespace

ApplyResult ParameterRepository::applyPlan(Plan plan, const QString &reason, int userId,
                                           const RevertOptions &options, DbError *failure)
{
    ApplyResult result;
    if (!failure->isError()) {
        result = apply(plan.changes, reason, userId, failure);
        // The override: a value that moved between the read and the write is taken as it is.
        if (!result.ok && options.overrideConflicts &&
            fromConflicts(&plan.changes, result.conflicts))
            result = apply(plan.changes, reason, userId, failure);
    }
    result.skipped = plan.skipped;
    return result;
}

SimulateResult ParameterRepository::simulatePlan(Plan plan, const RevertOptions &options,
                                                 DbError *failure)
{
    SimulateResult result;
    if (!failure->isError()) {
        result = simulate(plan.changes, QString(), NoUserId, failure);
        if (!result.ok && !failure->isError() && options.overrideConflicts &&
            fromConflicts(&plan.changes, result.conflicts))
            result = simulate(plan.changes, QString(), NoUserId, failure);
    }
    result.skipped = plan.skipped;
    return result;
}

ApplyResult ParameterRepository::revert(const QString &entryIdOrChangeSet, const QString &reason,
                                        int userId, const RevertOptions &options, DbError *error)
{
    const int before = m_roundTrips;
    DbError failure;
    ApplyResult result = applyPlan(revertPlan(entryIdOrChangeSet, options, true, &failure), reason,
                                   userId, options, &failure);
    result.roundTrips = m_roundTrips - before;
    return reported(result, failure, error);
}

SimulateResult ParameterRepository::simulateRevert(const QString &entryIdOrChangeSet,
                                                   const RevertOptions &options, DbError *error)
{
    const int before = m_roundTrips;
    DbError failure;
    SimulateResult result =
        simulatePlan(revertPlan(entryIdOrChangeSet, options, false, &failure), options, &failure);
    result.roundTrips = m_roundTrips - before;
    return reported(result, failure, error);
}

ApplyResult ParameterRepository::restore(const QString &algorithmId, const QDateTime &moment,
                                         const QString &reason, int userId,
                                         const RevertOptions &options, DbError *error)
{
    const int before = m_roundTrips;
    DbError failure;
    ApplyResult result =
        applyPlan(restorePlan(algorithmId, moment, &failure), reason, userId, options, &failure);
    result.roundTrips = m_roundTrips - before;
    return reported(result, failure, error);
}

SimulateResult ParameterRepository::simulateRestore(const QString &algorithmId,
                                                    const QDateTime &moment, DbError *error)
{
    const int before = m_roundTrips;
    DbError failure;
    SimulateResult result = simulatePlan(restorePlan(algorithmId, moment, &failure), {}, &failure);
    result.roundTrips = m_roundTrips - before;
    return reported(result, failure, error);
}
