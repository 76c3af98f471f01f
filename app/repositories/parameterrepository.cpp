#include "repositories/parameterrepository.h"

#include "repositories/repositorysupport.h"
#include "repositories/timetravel.h"

#include <QHash>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

using namespace RepositorySupport;

namespace {

const QByteArray LoadSql =
    "SELECT id, algorithm_id, parameter_name, parameter_type, current_value, default_value,"
    " min_value, max_value, description, impact_description,"
    " to_char(created_at, '" +
    QByteArray(TimestampFormat) +
    "') FROM algorithm_parameters WHERE algorithm_id = $1 ORDER BY parameter_name";
// LoadSql's select list, in order.
enum ParameterColumn
{
    ParameterId,
    ParameterAlgorithmId,
    ParameterName,
    ParameterType,
    ParameterCurrentValue,
    ParameterDefaultValue,
    ParameterMinValue,
    ParameterMaxValue,
    ParameterDescription,
    ParameterImpactDescription,
    ParameterCreatedAt
};

// $1 algorithm ids, $2 names, $3 expected (from) values, $4 new values. Only rows that still
// hold the expected value are written (the lost-update guard); RETURNING says which.
const QByteArray UpdateSql = R"SQL(
UPDATE algorithm_parameters p
SET current_value = r.to_value
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     AS r(algorithm_id, parameter_name, from_value, to_value)
WHERE p.algorithm_id = r.algorithm_id
  AND p.parameter_name = r.parameter_name
  AND p.current_value IS NOT DISTINCT FROM r.from_value
RETURNING p.algorithm_id, p.parameter_name, r.from_value, p.current_value
)SQL";
// UpdateSql's RETURNING list, in order.
enum UpdatedColumn
{
    UpdatedAlgorithmId,
    UpdatedName,
    UpdatedOldValue,
    UpdatedNewValue
};

// Each row of `rows` (a FROM item giving r(algorithm_id, parameter_name, from_value)) with what
// the parameter holds now and the newest changelog row that explains it (who, when, why);
// `where` filters. ConflictsSql and LatestChangesSql are this one query on different rows.
QByteArray withNewestChange(const char *rows, const char *where)
{
    return QByteArray(R"SQL(
SELECT r.algorithm_id, r.parameter_name, r.from_value, p.current_value, p.id IS NULL,
       c.user_id, c.db_role, to_char(c.modified_at, ')SQL") +
           RepositorySupport::TimestampFormat + R"SQL('), c.reason, c.change_set
FROM )SQL" +
           rows + R"SQL(
LEFT JOIN algorithm_parameters p
       ON p.algorithm_id = r.algorithm_id AND p.parameter_name = r.parameter_name
LEFT JOIN LATERAL (
    SELECT l.user_id, l.db_role, l.modified_at, l.reason, l.change_set
    FROM algorithm_changelog l
    WHERE l.algorithm_id = r.algorithm_id AND l.parameter_name = r.parameter_name
    ORDER BY l.modified_at DESC, l.id DESC
    LIMIT 1) c ON true
)SQL" + where +
           R"SQL(
ORDER BY r.algorithm_id, r.parameter_name
)SQL";
}

// Run after UpdateSql in the same transaction, with a fresh snapshot: the requested rows ($1
// agents, $2 names, $3 the `from` values) this transaction did not write (their xmin is not
// ours: the value had moved) or that do not exist.
const QByteArray ConflictsSql = withNewestChange(
    "unnest($1::text[], $2::text[], $3::text[]) AS r(algorithm_id, parameter_name, from_value)",
    "WHERE p.id IS NULL OR p.xmin IS DISTINCT FROM xid(pg_current_xact_id_if_assigned())");
// ConflictsSql's select list, in order (LatestChangesSql's too).
enum ConflictColumn
{
    ConflictAlgorithmId,
    ConflictName,
    ConflictExpected,
    ConflictActual,
    ConflictMissing,
    ConflictUserId,
    ConflictDbRole,
    ConflictModifiedAt,
    ConflictReason,
    ConflictChangeSet
};

// Fails the transaction (so that the COMMIT after it rolls back) unless this transaction wrote
// every one of the $3 requested rows. The client reports the conflicts read just before; the
// message is the backstop's own.
const QByteArray GuardSql = R"SQL(
SELECT CASE WHEN count(*) = $3::int THEN 'ok'
            ELSE ('algoadmin apply refused: ' || ($3::int - count(*)) || ' of ' || $3
                  || ' parameters no longer hold the value the edit started from')::int::text
       END
FROM unnest($1::text[], $2::text[]) AS r(algorithm_id, parameter_name)
JOIN algorithm_parameters p
  ON p.algorithm_id = r.algorithm_id AND p.parameter_name = r.parameter_name
WHERE p.xmin = xid(pg_current_xact_id_if_assigned())
)SQL";

// The is_active changes of an apply, before its parameters ($1 agents, $2 expected, $3 new
// values, $4 the audit user for last_modified_by): only agents that still hold the expected
// value are written, as AgentRepository::setActive writes a toggle.
const QByteArray ActiveUpdateSql = R"SQL(
UPDATE algorithm_agents a
SET is_active = r.to_value::boolean, updated_at = now(), last_modified_at = now(),
    last_modified_by = NULLIF($4, '')::integer
FROM unnest($1::text[], $2::text[], $3::text[]) AS r(algorithm_id, from_value, to_value)
WHERE a.algorithm_id = r.algorithm_id
  AND a.is_active IS NOT DISTINCT FROM r.from_value::boolean
RETURNING a.algorithm_id, 'is_active', r.from_value, a.is_active::text
)SQL";

// Right after ActiveUpdateSql (before the parameters' update, whose config sync also writes
// the agents' rows): the requested agents ($1, expected $2) this transaction did not write.
// ConflictsSql's columns.
const QByteArray ActiveConflictsSql = QByteArray(R"SQL(
SELECT r.algorithm_id, 'is_active', r.from_value, a.is_active::text, a.id IS NULL,
       c.user_id, c.db_role, to_char(c.modified_at, ')SQL") +
                                      RepositorySupport::TimestampFormat + R"SQL('),
       c.reason, c.change_set
FROM unnest($1::text[], $2::text[]) AS r(algorithm_id, from_value)
LEFT JOIN algorithm_agents a ON a.algorithm_id = r.algorithm_id
LEFT JOIN LATERAL (
    SELECT l.user_id, l.db_role, l.modified_at, l.reason, l.change_set
    FROM algorithm_changelog l
    WHERE l.algorithm_id = r.algorithm_id AND l.parameter_name = 'is_active'
    ORDER BY l.modified_at DESC NULLS LAST, l.id DESC
    LIMIT 1) c ON true
WHERE a.id IS NULL OR a.xmin IS DISTINCT FROM xid(pg_current_xact_id_if_assigned())
ORDER BY r.algorithm_id
)SQL";

// Fails the transaction unless the audit trigger wrote an is_active row of this change set
// for each of the $2 agents of $1 (every is_active change sent differs from its `from`).
const QByteArray ActiveGuardSql = R"SQL(
SELECT CASE WHEN count(DISTINCT l.algorithm_id) = $2::int THEN 'ok'
            ELSE ('algoadmin apply refused: ' || ($2::int - count(DISTINCT l.algorithm_id))
                  || ' of ' || $2 || ' agents no longer hold the is_active the edit started from')::int::text
       END
FROM algorithm_changelog l
WHERE l.change_set = nullif(current_setting('algoadmin.change_set', true), '')
  AND l.parameter_name = 'is_active' AND l.algorithm_id = ANY($1::text[])
)SQL";

// What each of the named parameters ($2) of agent $1 holds now, with no `from`; a name the agent
// lacks comes back missing.
const QByteArray LatestChangesSql =
    withNewestChange("(SELECT $1::text, name, NULL::text FROM unnest($2::text[]) AS name)"
                     " AS r(algorithm_id, parameter_name, from_value)",
                     "");

const QByteArray ConfigsSql = "SELECT algorithm_id, coalesce(current_config, '{}')::text"
                              " FROM algorithm_agents WHERE algorithm_id = ANY($1::text[])"
                              " ORDER BY algorithm_id";
// ConfigsSql's select list.
enum ConfigColumn
{
    ConfigAlgorithmId,
    ConfigJson
};

// One change per parameter, in first-seen order: from the first edit's `from` (what the user
// saw) to the last edit's `to`.
QList<ParameterChange> deduplicated(const QList<ParameterChange> &changes)
{
    QList<ParameterChange> result;
    QHash<QPair<QString, QString>, qsizetype> seen;
    for (const ParameterChange &change : changes) {
        const auto key = qMakePair(change.algorithmId, change.name);
        if (const auto it = seen.constFind(key); it != seen.cend()) {
            result[*it].to = change.to;
            continue;
        }
        seen.insert(key, result.size());
        result.append(change);
    }
    // An is_active change to the value it starts from writes no changelog row (the audit
    // trigger's WHEN), which ActiveGuardSql counts: there is nothing to write.
    result.removeIf([](const ParameterChange &change) {
        return change.name == QLatin1String(ActiveName) && change.from == change.to &&
               change.from.isNull() == change.to.isNull();
    });
    return result;
}

QJsonObject jsonObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QList<AppliedChange> appliedChanges(const PgResult &result)
{
    QList<AppliedChange> changes;
    for (int row = 0; row < result.rows(); ++row) {
        auto value = [&](int column) {
            return result.value(row, column); // a null QString for SQL NULL
        };
        changes.append({value(UpdatedAlgorithmId), value(UpdatedName), value(UpdatedOldValue),
                        value(UpdatedNewValue)});
    }
    return changes;
}

QList<ParameterConflict> conflicts(const PgResult &result)
{
    QList<ParameterConflict> list;
    for (int row = 0; row < result.rows(); ++row) {
        auto value = [&](int column) {
            return result.value(row, column); // a null QString for SQL NULL
        };
        ParameterConflict conflict;
        conflict.algorithmId = value(ConflictAlgorithmId);
        conflict.name = value(ConflictName);
        conflict.expected = value(ConflictExpected);
        conflict.actual = value(ConflictActual);
        conflict.missing = value(ConflictMissing) == QLatin1String("t");
        conflict.hasUserId = !result.isNull(row, ConflictUserId);
        conflict.userId = value(ConflictUserId).toInt();
        conflict.dbRole = value(ConflictDbRole);
        conflict.modifiedAt = timestamp(value(ConflictModifiedAt));
        conflict.reason = value(ConflictReason);
        conflict.changeSet = value(ConflictChangeSet);
        list.append(conflict);
    }
    return list;
}

QString shown(const QString &value)
{
    return value.isNull() ? QStringLiteral("NULL") : u'"' + value + u'"';
}

} // namespace

QString ParameterConflict::toString() const
{
    if (missing)
        return QStringLiteral("algorithm %1, parameter %2: no such parameter any more")
            .arg(algorithmId, name);
    QString text = QStringLiteral("algorithm %1, parameter %2: now %3, not %4")
                       .arg(algorithmId, name, shown(actual), shown(expected));
    if (modifiedAt.isValid() || hasUserId || !dbRole.isEmpty()) {
        text += QStringLiteral(" (set by user %1, role %2, at %3")
                    .arg(hasUserId ? QString::number(userId) : QStringLiteral("unknown"),
                         dbRole.isEmpty() ? QStringLiteral("unknown") : dbRole,
                         modifiedAt.toString(Qt::ISODateWithMs));
        if (!reason.isEmpty())
            text += QStringLiteral(": ") + reason;
        text += u')';
    }
    return text;
}

ParameterRepository::ParameterRepository(QSqlDatabase database)
    : m_database(std::move(database))
{}

const QByteArray &ParameterRepository::loadSql()
{
    return LoadSql;
}

QList<Parameter> ParameterRepository::fromResult(const PgResult &result)
{
    QList<Parameter> parameters;
    parameters.reserve(result.rows());
    for (int row = 0; row < result.rows(); ++row) {
        auto value = [&](int column) {
            return result.value(row, column); // a null QString for SQL NULL
        };
        Parameter p;
        p.id = value(ParameterId);
        p.algorithmId = value(ParameterAlgorithmId);
        p.name = value(ParameterName);
        p.type = value(ParameterType);
        p.currentValue = value(ParameterCurrentValue);
        p.defaultValue = value(ParameterDefaultValue);
        p.minValue = value(ParameterMinValue);
        p.maxValue = value(ParameterMaxValue);
        p.description = value(ParameterDescription);
        p.impactDescription = value(ParameterImpactDescription);
        p.createdAt = timestamp(value(ParameterCreatedAt));
        p.kind = parameterKind(p.type);
        const Validation validation = validateParameterValue(p.currentValue, p.rule());
        p.valueValid = validation.ok;
        p.problem = validation.message;
        parameters.append(p);
    }
    return parameters;
}

QList<Parameter> ParameterRepository::load(const QString &algorithmId, DbError *error)
{
    ++m_roundTrips;
    const BatchResults batch =
        run(m_database, {{LoadSql, {text(algorithmId)}}}, QStringLiteral("load parameters"));
    const DbError failure = firstError(batch, QStringLiteral("load parameters"));
    if (failure.isError()) {
        report(failure, error);
        return {};
    }
    const QList<Parameter> parameters = fromResult(batch.results.constFirst());
    report({}, error);
    return parameters;
}

QList<ParameterConflict> ParameterRepository::latestChanges(const QString &algorithmId,
                                                            const QStringList &names,
                                                            DbError *error)
{
    ++m_roundTrips;
    const BatchResults batch =
        run(m_database, {{LatestChangesSql, {text(algorithmId), textArray(names)}}},
            QStringLiteral("read the newest changes"));
    const DbError failure = firstError(batch, QStringLiteral("read the newest changes"));
    report(failure, error);
    return failure.isError() ? QList<ParameterConflict>() : conflicts(batch.results.constFirst());
}

Validation ParameterRepository::validate(const QString &value, const Parameter &parameter)
{
    return validateParameterValue(value, parameter.rule());
}

// The audited write of a simulate or an apply, and where each statement is in it.
struct ParameterRepository::Batch
{
    AuditedWriteResults write;
    int update = -1;
    int conflicts = -1;
    int guard = -1;
    int before = -1;
    int after = -1;
    int activeUpdate = -1; // the is_active changes, when there are any
    int activeConflicts = -1;
    int activeGuard = -1;

    QList<AppliedChange> changes() const
    {
        QList<AppliedChange> list;
        if (activeUpdate >= 0 && write.statement(activeUpdate).ok())
            list = appliedChanges(write.statement(activeUpdate));
        if (write.statement(update).ok())
            list += appliedChanges(write.statement(update));
        return list;
    }
    QList<ParameterConflict> conflictList() const
    {
        QList<ParameterConflict> list;
        if (activeConflicts >= 0 && write.statement(activeConflicts).ok())
            list = ::conflicts(write.statement(activeConflicts));
        if (write.statement(this->conflicts).ok())
            list += ::conflicts(write.statement(conflicts));
        return list;
    }
};

ParameterRepository::Batch ParameterRepository::runChanges(const QList<ParameterChange> &changes,
                                                           const QString &reason, int userId,
                                                           const QString &changeSet, bool simulate)
{
    QStringList agents, names, froms, tos;
    QStringList activeAgents, activeFroms, activeTos;
    QStringList agentSet;
    for (const ParameterChange &change : changes) {
        if (!agentSet.contains(change.algorithmId))
            agentSet.append(change.algorithmId);
        if (change.name == QLatin1String(ActiveName)) {
            activeAgents.append(change.algorithmId);
            activeFroms.append(change.from);
            activeTos.append(change.to);
            continue;
        }
        agents.append(change.algorithmId);
        names.append(change.name);
        froms.append(change.from);
        tos.append(change.to);
    }
    const QByteArray agentArray = textArray(agents);
    const QByteArray nameArray = textArray(names);
    const QByteArray fromArray = textArray(froms);
    const QByteArray toArray = textArray(tos);

    Batch batch;
    QList<PipelineCommand> statements;
    if (simulate) {
        batch.before = int(statements.size());
        statements.append(PipelineCommand{ConfigsSql, {textArray(agentSet)}});
    }
    // is_active first: its conflicts are read before the parameters' config sync writes the
    // agents' rows too.
    if (!activeAgents.isEmpty()) {
        batch.activeUpdate = int(statements.size());
        statements.append(PipelineCommand{ActiveUpdateSql,
                                          {textArray(activeAgents), textArray(activeFroms),
                                           textArray(activeTos), userIdSetting(userId)}});
        batch.activeConflicts = int(statements.size());
        statements.append(
            PipelineCommand{ActiveConflictsSql, {textArray(activeAgents), textArray(activeFroms)}});
    }
    batch.update = int(statements.size());
    statements.append(PipelineCommand{UpdateSql, {agentArray, nameArray, fromArray, toArray}});
    batch.conflicts = int(statements.size());
    statements.append(PipelineCommand{ConflictsSql, {agentArray, nameArray, fromArray}});
    if (simulate) {
        batch.after = int(statements.size());
        statements.append(PipelineCommand{ConfigsSql, {textArray(agentSet)}});
    } else {
        batch.guard = int(statements.size());
        statements.append(
            PipelineCommand{GuardSql, {agentArray, nameArray, QByteArray::number(agents.size())}});
        if (!activeAgents.isEmpty()) {
            batch.activeGuard = int(statements.size());
            statements.append(PipelineCommand{
                ActiveGuardSql,
                {textArray(activeAgents), QByteArray::number(activeAgents.size())}});
        }
    }
    // A simulate rolls back: the triggers run (bounds, audit rows, configs), nothing persists.
    ++m_roundTrips;
    batch.write = runAuditedWrite(m_database, statements, reason, userId, changeSet,
                                  simulate ? AuditedEnd::Rollback : AuditedEnd::Commit,
                                  simulate ? QStringLiteral("simulate") : QStringLiteral("apply"));
    return batch;
}

SimulateResult ParameterRepository::simulate(const QList<ParameterChange> &changes,
                                             const QString &reason, int userId, DbError *error)
{
    SimulateResult result;
    const QList<ParameterChange> unique = deduplicated(changes);
    if (unique.isEmpty()) {
        result.ok = true;
        return reported(result, {}, error);
    }
    const int before = m_roundTrips;
    const Batch batch = runChanges(unique, reason, userId,
                                   QUuid::createUuid().toString(QUuid::WithoutBraces), true);
    result.roundTrips = m_roundTrips - before;
    const BatchResults &r = batch.write.batch;
    const DbError failure = firstError(r, QStringLiteral("simulate"));
    if (r.ok) {
        result.changes = batch.changes();
        result.conflicts = batch.conflictList();
        const PgResult &beforeRows = batch.write.statement(batch.before);
        const PgResult &afterRows = batch.write.statement(batch.after);
        if (beforeRows.ok() && afterRows.ok()) {
            for (int row = 0; row < beforeRows.rows(); ++row) {
                ConfigDiff diff{beforeRows.value(row, ConfigAlgorithmId),
                                jsonObject(beforeRows.value(row, ConfigJson)),
                                {}};
                for (int other = 0; other < afterRows.rows(); ++other) {
                    if (afterRows.value(other, ConfigAlgorithmId) == diff.algorithmId)
                        diff.after = jsonObject(afterRows.value(other, ConfigJson));
                }
                result.configs.append(diff);
            }
        }
    }
    result.ok = !failure.isError() && result.conflicts.isEmpty();
    return reported(result, failure, error);
}

ApplyResult ParameterRepository::apply(const QList<ParameterChange> &changes, const QString &reason,
                                       int userId, DbError *error)
{
    ApplyResult result;
    DbError failure;
    const QList<ParameterChange> unique = deduplicated(changes);
    if (unique.isEmpty()) {
        result.ok = true;
        return reported(result, failure, error);
    }
    result.changeSet = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const int before = m_roundTrips;
    const Batch batch = runChanges(unique, reason, userId, result.changeSet, false);
    result.roundTrips = m_roundTrips - before;
    const BatchResults &r = batch.write.batch;
    if (!r.ok && r.error.sqlState == QLatin1String("22021"))
        return reported(result, r.error, error); // refused before sending (a NUL): see Pipeline
    if (!r.ok) {
        // The server rolls back a transaction whose connection is gone before its COMMIT;
        // whether a COMMIT whose answer never arrived went through, the change set tells.
        // Applying again is safe either way: an edit that did commit no longer finds its
        // `from` value and comes back as a conflict, never as a second write.
        failure = r.error;
        failure.hint =
            QStringLiteral("The connection was lost during the apply; the database keeps it "
                           "whole or not at all (change set %1 in the changelog if it "
                           "committed). Reconnect and apply again: the edits are kept, and an "
                           "edit that is already in place, or that someone else made "
                           "meanwhile, is shown as a conflict, never overwritten.")
                .arg(result.changeSet);
        result.retryable = true;
        return reported(result, failure, error);
    }
    result.conflicts = batch.conflictList();
    const PgResult &end = batch.write.end();
    const bool committed = end.ok() && end.commandTag() == QLatin1String("COMMIT");
    if (committed) {
        result.ok = true;
        result.changes = batch.changes();
        return reported(result, failure, error);
    }
    result.changeSet.clear();
    if (!result.conflicts.isEmpty()) {
        failure.what = QStringLiteral("apply");
        failure.message =
            QStringLiteral("%1 parameter(s) were changed by someone else meanwhile; nothing "
                           "was written")
                .arg(result.conflicts.size());
        failure.detail = result.conflicts.constFirst().toString();
        failure.hint = QStringLiteral(
            "Reload the parameters, check the other values, then edit and apply again.");
        failure.sqlState = QStringLiteral("40001");
        return reported(result, failure, error);
    }
    failure = firstError(r, QStringLiteral("apply"));
    if (!failure.isError())
        failure = end.error(QStringLiteral("apply"));
    if (failure.sqlState == QLatin1String("42501") && failure.hint.isEmpty())
        failure.hint = QStringLiteral(
            "This database role may read the parameters but not change them; nothing was "
            "written. Connect as a role with UPDATE on algorithm_parameters.current_value.");
    return reported(result, failure, error);
}

ApplyResult ParameterRepository::resetToDefault(const QString &algorithmId,
                                                const QStringList &names, const QString &reason,
                                                int userId, DbError *error)
{
    const int before = m_roundTrips;
    DbError failure;
    const QList<Parameter> parameters = load(algorithmId, &failure);
    if (failure.isError()) {
        ApplyResult result;
        result.roundTrips = m_roundTrips - before;
        return reported(result, failure, error);
    }
    QList<ParameterChange> changes;
    QSet<QString> wanted(names.cbegin(), names.cend());
    for (const Parameter &p : parameters) {
        if (!names.isEmpty() && !wanted.remove(p.name))
            continue;
        if (p.currentValue == p.defaultValue && p.currentValue.isNull() == p.defaultValue.isNull())
            continue;
        // A legacy default that today's rule refuses is reported before anything is sent.
        const Validation validation = validateParameterValue(p.defaultValue, p.rule());
        if (!validation.ok) {
            ApplyResult refused;
            failure.what = QStringLiteral("reset to default");
            failure.message = validation.message;
            failure.sqlState = QStringLiteral("23514");
            failure.hint =
                QStringLiteral("The default value is outside today's rule; nothing was sent.");
            refused.roundTrips = m_roundTrips - before;
            return reported(refused, failure, error);
        }
        changes.append({p.algorithmId, p.name, p.currentValue, p.defaultValue});
    }
    ApplyResult result;
    if (!wanted.isEmpty()) {
        failure.what = QStringLiteral("reset to default");
        failure.message = QStringLiteral("algorithm %1 has no parameter %2")
                              .arg(algorithmId, QStringList(wanted.values()).join(u", "));
    } else {
        result = apply(changes, reason, userId, &failure);
    }
    result.roundTrips = m_roundTrips - before;
    return reported(result, failure, error);
}
