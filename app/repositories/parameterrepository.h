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
// stored value is no longer `from`. The name "is_active" (ActiveName) sets the agent's
// algorithm_agents.is_active instead ("true", "false" or null), audited like a toggle but in
// the apply's transaction and change set.
struct ParameterChange
{
    QString algorithmId;
    QString name;
    QString from;
    QString to;
};

// The name of a change of the agent's active flag (what the audit trigger writes as
// parameter_name); an agent's parameter of that name cannot be edited through apply.
inline constexpr char ActiveName[] = "is_active";

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
    // revert/restore: what was left alone, one "parameter: why" each (e.g. created after the
    // moment, deleted since, already holding the old value).
    QStringList skipped;
    int roundTrips = 0;
};

struct SimulateResult
{
    bool ok = false; // the statements would succeed (no conflict, no error)
    QList<AppliedChange> changes;
    QList<ParameterConflict> conflicts;
    QList<ConfigDiff> configs; // one per affected agent (empty after a database error)
    QStringList skipped;       // as ApplyResult::skipped
    int roundTrips = 0;
};

// How a revert or restore treats a parameter that no longer holds the value it expects.
struct RevertOptions
{
    // false: such a parameter is a conflict (reported, nothing written). true (the knowing
    // override): the old value is written over whatever is there now.
    bool overrideConflicts = false;
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
    // again — parameters and is_active, in one transaction and one new change set — provided
    // each still holds the entry's new value (else a conflict, nothing written; with
    // options.overrideConflicts the old value is written from whatever is there now). Entries
    // of one parameter in the change set are ordered by their chain (timetravel.h): back to
    // the first one's old value; a chain that ends where it began is skipped. Each old value
    // must pass today's rule (checked before anything is sent: 23514). 2 round trips (3 when
    // an override meets a value changed between the read and the write). An unknown entry or
    // change set: SQLSTATE P0002, nothing sent after the read.
    ApplyResult revert(const QString &entryIdOrChangeSet, const QString &reason, int userId,
                       const RevertOptions &options, DbError *error);
    ApplyResult revert(const QString &entryIdOrChangeSet, const QString &reason, int userId,
                       DbError *error)
    {
        return revert(entryIdOrChangeSet, reason, userId, RevertOptions(), error);
    }
    // The preview of revert(): exactly what it would run, through simulate() (rolled back),
    // so today's bounds and types are re-checked by the database (a value now out of bounds
    // is `error` 23514 with the database's message). Conflicts are in the result. 2 round
    // trips.
    SimulateResult simulateRevert(const QString &entryIdOrChangeSet, const RevertOptions &options,
                                  DbError *error);
    // Restores the agent to what it was at `moment` (TimeTravelRepository::configAt's rule):
    // every parameter and is_active whose value differs is written through apply (one
    // transaction, one change set), from what configAt read as now. Parameters created after
    // the moment, or deleted since, are left alone and listed in `skipped`. A conflict means
    // a value changed between the read and the write (with the override: written anyway).
    // 2 round trips (3 with an override that meets a conflict). Unknown agent: P0002.
    ApplyResult restore(const QString &algorithmId, const QDateTime &moment, const QString &reason,
                        int userId, const RevertOptions &options, DbError *error);
    // The preview of restore(), through simulate(); 2 round trips.
    SimulateResult simulateRestore(const QString &algorithmId, const QDateTime &moment,
                                   DbError *error);

    // Round trips made by this repository so far (each pipeline batch counts one).
    int roundTrips() const { return m_roundTrips; }

private:
    struct Batch;
    struct Plan;
    Plan revertPlan(const QString &entryIdOrChangeSet, const RevertOptions &options,
                    bool checkRules, DbError *error);
    Plan restorePlan(const QString &algorithmId, const QDateTime &moment, DbError *error);
    // A plan's changes through apply()/simulate(), once more from the values now there when
    // the override meets a conflict; `failure` set by the plan means nothing is sent.
    ApplyResult applyPlan(Plan plan, const QString &reason, int userId,
                          const RevertOptions &options, DbError *failure);
    SimulateResult simulatePlan(Plan plan, const RevertOptions &options, DbError *failure);
    Batch runChanges(const QList<ParameterChange> &changes, const QString &reason, int userId,
                     const QString &changeSet, bool simulate);

    QSqlDatabase m_database;
    int m_roundTrips = 0;
};
