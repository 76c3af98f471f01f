#pragma once

#include "db/dberror.h"
#include "db/pgconnection.h"
#include "editing/parametervalidation.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

// One row of algorithm_parameters, every column, plus what the app derives from it.
// Null columns are null QStrings.
struct Parameter
{
    QString id;
    QString algorithmId;
    QString name;
    QString type;
    QString currentValue;
    QString defaultValue;
    QString minValue;
    QString maxValue;
    QString description;
    QString impactDescription;
    QDateTime createdAt;

    ParameterKind kind = ParameterKind::Unknown;
    bool valueValid = true; // the stored current value passes validateParameterValue
    QString problem;        // why not, in the database's words; empty when valid

    ParameterRule rule() const { return {algorithmId, name, type, minValue, maxValue}; }
};

// An edit: set `to` where the user saw `from` (null = SQL NULL). Refused as a conflict when the
// stored value is no longer `from`.
struct ParameterChange
{
    QString algorithmId;
    QString name;
    QString from;
    QString to;
};

// A change that was (or, for simulate, would be) made.
struct AppliedChange
{
    QString algorithmId;
    QString name;
    QString oldValue;
    QString newValue;
};

// A change refused because the stored value is not the one the user started from.
struct ParameterConflict
{
    QString algorithmId;
    QString name;
    QString expected;     // the `from` of the change
    QString actual;       // the value stored now (null when the parameter does not exist)
    bool missing = false; // no such parameter
    // The newest changelog row of that parameter: who set it, when, why (empty if none).
    int userId = 0;
    bool hasUserId = false;
    QString dbRole;
    QDateTime modifiedAt;
    QString reason;
    QString changeSet;

    QString toString() const; // one line for a message box or the CLI
};

// An agent's current_config before and after, read inside the transaction.
struct ConfigDiff
{
    QString algorithmId;
    QJsonObject before;
    QJsonObject after;
};

struct ApplyResult
{
    bool ok = false;
    // The change_set written on every changelog row of this apply (kept after a lost
    // connection, so that the caller can look up whether it committed).
    QString changeSet;
    QList<AppliedChange> changes;
    QList<ParameterConflict> conflicts;
    // The connection failed (or the request was never sent): applying again is safe. Whether a
    // COMMIT whose answer was lost went through is unknown — changeSet finds it in the
    // changelog, and a repeat shows such an edit as a conflict, never a second write.
    bool retryable = false;
    int roundTrips = 0;
};

struct SimulateResult
{
    bool ok = false; // the statements would succeed (no conflict, no error)
    QList<AppliedChange> changes;
    QList<ParameterConflict> conflicts;
    QList<ConfigDiff> configs; // one per affected agent (empty after a database error)
    int roundTrips = 0;
};

// Parameters of the agents, on one named QPSQL connection (use it on that connection's
// thread). Writes go through libpq pipelines on the connection's handle so that an apply is
// one round trip whatever the number of changes.
class ParameterRepository
{
public:
    explicit ParameterRepository(QSqlDatabase database);

    // The agent's parameters by name; one round trip.
    QList<Parameter> load(const QString &algorithmId, DbError *error);
    // load()'s statement ($1 = algorithm_id) and the parameters of its result, for a batch
    // that reads more than the parameters (AgentRepository::loadDetail).
    static const QByteArray &loadSql();
    static QList<Parameter> fromResult(const PgResult &result);

    // The value each of `names` holds now with the newest changelog row that explains it (who,
    // when, why), as conflicts without a `from`; one read-only round trip.
    QList<ParameterConflict> latestChanges(const QString &algorithmId, const QStringList &names,
                                           DbError *error);
    // The pure check of an edited value (validateParameterValue), no SQL.
    static Validation validate(const QString &value, const Parameter &parameter);

    // Runs exactly what apply runs, reads the configs before and after, and rolls back: nothing
    // persists. One round trip. `error` is e.g. 23514 for a value out of bounds.
    SimulateResult simulate(const QList<ParameterChange> &changes, const QString &reason,
                            int userId, DbError *error);
    // All or nothing, one round trip: every change whose stored value is still its `from` is
    // written, audited with `reason`, `userId` and one fresh change set, and the configs follow;
    // if any is not (a conflict) or the database refuses one, nothing is written.
    // `error` says why nothing was written (the database refused, a conflict as 40001, or the
    // connection failed: then see ApplyResult::retryable and changeSet).
    ApplyResult apply(const QList<ParameterChange> &changes, const QString &reason, int userId,
                      DbError *error);
    // An apply of the default values of `names` (empty = all the agent's parameters); 2 round
    // trips (load + apply).
    ApplyResult resetToDefault(const QString &algorithmId, const QStringList &names,
                               const QString &reason, int userId, DbError *error);
    // Applies the old values of a changelog entry (its id) or of every entry of a change set
    // again, provided each parameter still holds the entry's new value (else a conflict), and
    // each old value passes today's rule (checked before anything is sent). 2 round trips.
    ApplyResult revert(const QString &entryIdOrChangeSet, const QString &reason, int userId,
                       DbError *error);

    // Round trips made by this repository so far (each pipeline batch counts one).
    int roundTrips() const { return m_roundTrips; }

private:
    struct Batch;
    Batch runChanges(const QList<ParameterChange> &changes, const QString &reason, int userId,
                     const QString &changeSet, bool simulate);

    QSqlDatabase m_database;
    int m_roundTrips = 0;
};
