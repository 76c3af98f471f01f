#include "repositories/agentrepository.h"

#include "repositories/parameterrepository.h"
#include "repositories/repositorysupport.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace RepositorySupport;

namespace {

// $1 ILIKE pattern (already escaped, or NULL for any), $2 type (NULL for any), $3 active only.
// The ORDER BY is appended from the fixed clauses below.
const QByteArray ListSql =
    "SELECT id, algorithm_id, name, description, file_path, algorithm_type,"
    " array_to_json(esa_layers)::text, impact_score, is_active,"
    " to_char(created_at, '" +
    QByteArray(TimestampFormat) + "'), to_char(updated_at, '" + QByteArray(TimestampFormat) +
    "'), current_config::text, default_config::text, version, last_modified_by,"
    " to_char(last_modified_at, '" +
    QByteArray(TimestampFormat) +
    "') FROM algorithm_agents"
    " WHERE ($1::text IS NULL OR algorithm_id ILIKE $1 OR name ILIKE $1"
    "        OR description ILIKE $1)"
    "   AND ($2::text IS NULL OR algorithm_type = $2)"
    "   AND (NOT $3::boolean OR is_active)";
// ListSql's (and AgentSql's) select list, in order.
enum AgentColumn
{
    AgentId,
    AgentAlgorithmId,
    AgentName,
    AgentDescription,
    AgentFilePath,
    AgentAlgorithmType,
    AgentEsaLayers,
    AgentImpactScore,
    AgentIsActive,
    AgentCreatedAt,
    AgentUpdatedAt,
    AgentCurrentConfig,
    AgentDefaultConfig,
    AgentVersion,
    AgentLastModifiedBy,
    AgentLastModifiedAt
};

// Natural order of A1..A30: the letters, then the number.
const QByteArray OrderByAlgorithmId =
    " ORDER BY regexp_replace(algorithm_id, '[0-9]+$', '') %1,"
    " nullif(substring(algorithm_id from '[0-9]+$'), '')::numeric %1 NULLS FIRST, algorithm_id %1";
const QByteArray OrderByName = " ORDER BY name %1 NULLS LAST, algorithm_id";
const QByteArray OrderByType = " ORDER BY algorithm_type %1 NULLS LAST, algorithm_id";
const QByteArray OrderByImpact = " ORDER BY impact_score %1 NULLS LAST, algorithm_id";
const QByteArray OrderByLastModified = " ORDER BY last_modified_at %1 NULLS LAST, algorithm_id";

const QByteArray AgentSql = ListSql.left(ListSql.indexOf(" WHERE ")) + " WHERE algorithm_id = $1";

// Where current_config disagrees with the parameter rows, with exactly the typing of sql/007
// (its type normalisation included): numbers compared as numeric (1.50 = 1.5), booleans by
// their spellings, anything else as a string; a NULL value means the key is absent. A
// current_config that is not a JSON object is drift too (reported as an "extra" entry saying
// so), never an error that would keep the agent from loading. $1 = algorithm_id.
const QByteArray DriftSql = R"SQL(
WITH p AS (
    SELECT parameter_name AS name, current_value AS value,
           translate(btrim(parameter_type, E' \t\n\r\f\x0B'),
                     'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS kind,
           translate(current_value, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                     'abcdefghijklmnopqrstuvwxyz') AS lowered
    FROM algorithm_parameters WHERE algorithm_id = $1
), typed AS (
    SELECT name,
           CASE WHEN value IS NULL THEN NULL
                WHEN kind IN ('integer', 'float', 'number', 'decimal')
                     AND value ~ '^-?[0-9]+(\.[0-9]+)?$' THEN to_jsonb(value::numeric)
                WHEN kind = 'boolean' AND lowered IN ('true', 't', 'yes', 'y', 'on', '1')
                    THEN 'true'::jsonb
                WHEN kind = 'boolean' AND lowered IN ('false', 'f', 'no', 'n', 'off', '0')
                    THEN 'false'::jsonb
                ELSE to_jsonb(value)
           END AS typed
    FROM p
), a AS (
    SELECT current_config AS raw,
           CASE WHEN jsonb_typeof(current_config) = 'object' THEN current_config
                ELSE '{}'::jsonb END AS config
    FROM algorithm_agents WHERE algorithm_id = $1
)
SELECT 'differing', t.name FROM typed t, a
 WHERE jsonb_exists(a.config, t.name) AND (t.typed IS NULL OR a.config -> t.name <> t.typed)
UNION ALL
SELECT 'missing', t.name FROM typed t, a
 WHERE t.typed IS NOT NULL AND NOT jsonb_exists(a.config, t.name)
UNION ALL
SELECT 'extra', k.key FROM a, jsonb_object_keys(a.config) AS k(key)
 WHERE NOT EXISTS (SELECT 1 FROM typed t WHERE t.name = k.key)
UNION ALL
SELECT 'extra', '(current_config is ' || jsonb_typeof(a.raw) || ', not an object)' FROM a
 WHERE a.raw IS NOT NULL AND jsonb_typeof(a.raw) <> 'object'
ORDER BY 1, 2
)SQL";
// DriftSql's select list: the kind ('differing', 'missing', 'extra') and the parameter or key.
enum DriftColumn
{
    DriftKind,
    DriftName
};

// A toggle is a modification of the agent like a parameter change (sql/007): who and when.
const QByteArray SetActiveSql = "UPDATE algorithm_agents SET is_active = $2::boolean,"
                                " updated_at = now(), last_modified_at = now(),"
                                " last_modified_by = NULLIF($3, '')::integer"
                                " WHERE algorithm_id = $1 RETURNING id";

// One row of ListSql's columns.
Agent agentFromRow(const PgResult &result, int row)
{
    auto value = [&](int column) {
        return result.value(row, column); // a null QString for SQL NULL
    };
    Agent a;
    a.id = value(AgentId);
    a.algorithmId = value(AgentAlgorithmId);
    a.name = value(AgentName);
    a.description = value(AgentDescription);
    a.filePath = value(AgentFilePath);
    a.algorithmType = value(AgentAlgorithmType);
    const QJsonArray layers = QJsonDocument::fromJson(value(AgentEsaLayers).toUtf8()).array();
    for (const QJsonValue &layer : layers)
        a.esaLayers.append(layer.toInt());
    a.hasImpactScore = !result.isNull(row, AgentImpactScore);
    a.impactScore = value(AgentImpactScore).toInt();
    a.isActive = value(AgentIsActive) == QLatin1String("t");
    a.createdAt = timestamp(value(AgentCreatedAt));
    a.updatedAt = timestamp(value(AgentUpdatedAt));
    a.currentConfig = QJsonDocument::fromJson(value(AgentCurrentConfig).toUtf8()).object();
    a.defaultConfig = QJsonDocument::fromJson(value(AgentDefaultConfig).toUtf8()).object();
    a.version = value(AgentVersion);
    a.hasLastModifiedBy = !result.isNull(row, AgentLastModifiedBy);
    a.lastModifiedBy = value(AgentLastModifiedBy).toInt();
    a.lastModifiedAt = timestamp(value(AgentLastModifiedAt));
    return a;
}

// % and _ (and the escape itself) match literally.
QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(u'\\', QLatin1String("\\\\"));
    escaped.replace(u'%', QLatin1String("\\%"));
    escaped.replace(u'_', QLatin1String("\\_"));
    return u'%' + escaped + u'%';
}

} // namespace

AgentRepository::AgentRepository(QSqlDatabase database)
    : m_database(std::move(database))
{}

QList<Agent> AgentRepository::list(const AgentFilter &filter, DbError *error)
{
    QByteArray order;
    switch (filter.sort) {
    case AgentFilter::ByAlgorithmId:
        order = OrderByAlgorithmId;
        break;
    case AgentFilter::ByName:
        order = OrderByName;
        break;
    case AgentFilter::ByType:
        order = OrderByType;
        break;
    case AgentFilter::ByImpactScore:
        order = OrderByImpact;
        break;
    case AgentFilter::ByLastModified:
        order = OrderByLastModified;
        break;
    }
    order.replace("%1", filter.descending ? "DESC" : "ASC");
    const QString pattern = filter.text.isEmpty() ? QString() : likePattern(filter.text);
    const QString type = filter.type.isEmpty() ? QString() : filter.type;
    ++m_roundTrips;
    const BatchResults batch =
        run(m_database,
            {{ListSql + order, {text(pattern), text(type), filter.activeOnly ? "true" : "false"}}},
            QStringLiteral("list agents"));
    const DbError failure = firstError(batch, QStringLiteral("list agents"));
    if (failure.isError()) {
        report(failure, error);
        return {};
    }
    const PgResult &result = batch.results.constFirst();
    QList<Agent> agents;
    agents.reserve(result.rows());
    for (int row = 0; row < result.rows(); ++row)
        agents.append(agentFromRow(result, row));
    report({}, error);
    return agents;
}

AgentDetail AgentRepository::loadDetail(const QString &algorithmId, DbError *error)
{
    AgentDetail detail;
    ++m_roundTrips;
    using After = PipelineCommand::After;
    // One segment: a failing (or cancelled) statement skips the rest instead of letting them
    // wait for the same lock again.
    const BatchResults batch =
        run(m_database,
            {{AgentSql, {text(algorithmId)}, After::Nothing},
             {ParameterRepository::loadSql(), {text(algorithmId)}, After::Nothing},
             {DriftSql, {text(algorithmId)}, After::Sync}},
            QStringLiteral("load agent"));
    const DbError failure = firstError(batch, QStringLiteral("load agent"));
    if (failure.isError())
        return reported(detail, failure, error);
    const PgResult &agent = batch.results.at(0);
    detail.found = agent.rows() == 1;
    if (detail.found)
        detail.agent = agentFromRow(agent, 0);
    detail.parameters = ParameterRepository::fromResult(batch.results.at(1));
    const PgResult &drift = batch.results.at(2);
    for (int row = 0; row < drift.rows(); ++row) {
        const QString kind = drift.value(row, DriftKind);
        QStringList &list = kind == QLatin1String("differing") ? detail.drift.differing
                            : kind == QLatin1String("missing") ? detail.drift.missing
                                                               : detail.drift.extra;
        list.append(drift.value(row, DriftName));
    }
    return reported(detail, failure, error);
}

void AgentRepository::setActive(const QString &algorithmId, bool active, const QString &reason,
                                int userId, DbError *error)
{
    // One round trip: after an error the transaction is aborted and the COMMIT rolls it back.
    // A toggle has no change set of its own (NULL).
    ++m_roundTrips;
    const AuditedWriteResults write = runAuditedWrite(
        m_database,
        {{SetActiveSql, {text(algorithmId), active ? "true" : "false", userIdSetting(userId)}}},
        reason, userId, QString(), AuditedEnd::Commit, QStringLiteral("set agent active"));
    DbError failure = firstError(write.batch, QStringLiteral("set agent active"));
    if (!failure.isError() && write.statement(0).rows() == 0) {
        failure.what = QStringLiteral("set agent active");
        failure.message = QStringLiteral("there is no agent %1").arg(algorithmId);
    }
    if (!failure.isError() && write.end().commandTag() != QLatin1String("COMMIT"))
        failure = write.end().error(QStringLiteral("set agent active"));
    report(failure, error);
}
