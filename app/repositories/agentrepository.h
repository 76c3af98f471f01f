#pragma once

#include "db/dberror.h"
#include "repositories/parameterrepository.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

// One row of algorithm_agents, every column (001 and 002). Null columns are null QStrings,
// invalid QDateTimes, empty lists/objects; `hasImpactScore`/`hasLastModifiedBy` tell a null
// integer from 0.
struct Agent
{
    QString id;
    QString algorithmId;
    QString name;
    QString description;
    QString filePath;
    QString algorithmType;
    QList<int> esaLayers;
    int impactScore = 0;
    bool hasImpactScore = false;
    bool isActive = false; // NULL reads as false
    QDateTime createdAt;
    QDateTime updatedAt;
    QJsonObject currentConfig;
    QJsonObject defaultConfig;
    QString version;
    int lastModifiedBy = 0;
    bool hasLastModifiedBy = false;
    QDateTime lastModifiedAt;
};

struct AgentFilter
{
    // Sort keys are fixed SQL expressions chosen by enum, never text from the caller.
    enum Sort
    {
        ByAlgorithmId, // natural order: A2 before A10
        ByName,
        ByType,
        ByImpactScore,
        ByLastModified
    };

    QString text;            // substring of algorithm_id, name or description, any case
    QString type;            // exact algorithm_type; empty = any
    bool activeOnly = false; // only is_active = true
    Sort sort = ByAlgorithmId;
    bool descending = false;
};

// Where an agent's current_config disagrees with its parameter rows, compared exactly on the
// server with the typing of sql/007 (numbers as numeric, booleans, strings; a NULL value = key
// absent).
struct ConfigDrift
{
    QStringList differing; // parameters whose config entry differs from the row's value
    QStringList missing;   // parameters with a value but no config entry
    QStringList extra;     // config keys with no parameter row
    bool isDrifted() const
    {
        return !differing.isEmpty() || !missing.isEmpty() || !extra.isEmpty();
    }
};

// One agent as the Agents panel shows it: its row, its parameters and the drift between them.
struct AgentDetail
{
    bool found = false; // the agent exists
    Agent agent;
    QList<Parameter> parameters;
    ConfigDrift drift;
};

// Reads and toggles agents on one named QPSQL connection (use it on that connection's thread).
// Every operation is one round trip (a libpq pipeline on the connection's handle).
class AgentRepository
{
public:
    explicit AgentRepository(QSqlDatabase database);

    // The agents matching `filter`, sorted; one query. On failure returns {} and sets `error`.
    QList<Agent> list(const AgentFilter &filter, DbError *error);
    // The agent, its parameters and the drift: one round trip (three statements, one batch).
    AgentDetail loadDetail(const QString &algorithmId, DbError *error);
    // Sets is_active in one transaction whose changelog row (written by the audit trigger)
    // carries `reason` and `userId`. `error` is set when the agent does not exist or the
    // database refuses (e.g. 42501 without the privilege); nothing is written then.
    void setActive(const QString &algorithmId, bool active, const QString &reason, int userId,
                   DbError *error);

    // Round trips made by this repository so far (each pipeline batch counts one).
    int roundTrips() const { return m_roundTrips; }

private:
    QSqlDatabase m_database;
    int m_roundTrips = 0;
};
