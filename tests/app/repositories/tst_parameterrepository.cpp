// ParameterRepository against a real, demo-seeded database: load with kinds and invalid stored
// values flagged; apply all-or-nothing in one round trip, audited with one change set; simulate
// that leaves every byte as it was; conflicts instead of lost updates, from two connections
// and under load from two threads; revert, reset to default; a read-only role; a connection
// killed in the middle of an apply.
#include "repositories/agentrepository.h"
#include "repositories/changelogrepository.h"
#include "repositories/metricsrepository.h"
#include "repositories/parameterrepository.h"
#include "repositories/privileges.h"
#include "repositoryfixture.h"

#include <QAtomicInt>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cstdio>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

const QByteArray ValueSql = "SELECT current_value FROM algorithm_parameters"
                            " WHERE algorithm_id = $1 AND parameter_name = $2";
const QByteArray ChangelogCountSql = "SELECT count(*) FROM algorithm_changelog";

QString currentValue(TestDatabase &db, const char *agent, const char *name)
{
    return db.scalar(ValueSql, {agent, name});
}

const Parameter *find(const QList<Parameter> &parameters, const QString &name)
{
    for (const Parameter &p : parameters)
        if (p.name == name)
            return &p;
    return nullptr;
}

// Counts the round trips of `operation` on the wire: libpq's protocol trace of the connection,
// as the number of runs of client messages (F) that the server answered (B). A pipeline
// writes its whole batch before it reads, so one batch is one run.
template <typename Operation>
int wireRoundTrips(PGconn *conn, Operation operation, QString *trace = nullptr)
{
    QTemporaryDir dir;
    const QByteArray path = dir.filePath(u"trace"_s).toLocal8Bit();
    FILE *file = std::fopen(path.constData(), "w");
    if (!file)
        return -1;
    PQtrace(conn, file);
    PQsetTraceFlags(conn, PQTRACE_SUPPRESS_TIMESTAMPS);
    operation();
    PQuntrace(conn);
    std::fclose(file);
    QFile in(QString::fromLocal8Bit(path));
    if (!in.open(QIODevice::ReadOnly))
        return -1;
    int runs = 0;
    char previous = 0;
    const QList<QByteArray> lines = in.readAll().split('\n');
    for (const QByteArray &line : lines) {
        // Statement texts span lines: only message lines ("F\t…", "B\t…") count.
        if (line.size() < 2 || line.at(1) != '\t' || (line.at(0) != 'F' && line.at(0) != 'B'))
            continue;
        if (line.at(0) == 'F' && previous != 'F')
            ++runs;
        previous = line.at(0);
        if (trace)
            *trace += QString::fromUtf8(line.left(40)) + u'\n';
    }
    return runs;
}

} // namespace

class TstParameterRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadReadsKindsAndFlagsInvalidValues();
    void validateIsThePureCheck();
    void applyWritesAuditedValuesInOneRoundTrip();
    void simulateChangesNothing();
    void conflictingAppliesLoseNothing();
    void concurrentAppliesFromTwoThreads();
    void revertEntryAndChangeSet();
    void resetToDefault();
    void repeatedEditsOfOneParameterMerge();
    void applyAfterAForwardOnlyRead();
    void readOnlyRole();
    void connectionKilledMidApply();
    void roundTripsOnTheWire();
};

void TstParameterRepository::loadReadsKindsAndFlagsInvalidValues()
{
    TestDatabase db(u"params_load"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    // A legacy value the trigger would refuse today (written with triggers off, as a superuser).
    QVERIFY(db.exec("SET session_replication_role = replica").ok());
    QVERIFY(db.exec("UPDATE algorithm_parameters SET current_value = '5000'"
                    " WHERE algorithm_id = 'A1' AND parameter_name = 'window_days'")
                .ok());
    QVERIFY(db.exec("SET session_replication_role = origin").ok());
    Connection connection(db.options(), u"load"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ParameterRepository repository(connection.database());
    DbError error;
    const QList<Parameter> parameters = repository.load(u"A1"_s, &error);
    QVERIFY2(!error.isError(), qPrintable(error.toString()));
    QCOMPARE(repository.roundTrips(), 1);
    QCOMPARE(QString::number(parameters.size()),
             db.scalar("SELECT count(*) FROM algorithm_parameters WHERE algorithm_id = 'A1'"));
    const Parameter *rate = find(parameters, u"learning_rate"_s);
    QVERIFY(rate);
    QCOMPARE(rate->kind, ParameterKind::Decimal);
    QCOMPARE(rate->type, u"float"_s);
    QCOMPARE(rate->currentValue, u"0.02"_s);
    QCOMPARE(rate->defaultValue, u"0.01"_s);
    QCOMPARE(rate->minValue, u"0.0001"_s);
    QCOMPARE(rate->maxValue, u"1"_s);
    QVERIFY(!rate->description.isEmpty());
    QVERIFY(!rate->impactDescription.isEmpty());
    QVERIFY(rate->createdAt.isValid());
    QVERIFY(rate->valueValid);
    QCOMPARE(find(parameters, u"enable_cache"_s)->kind, ParameterKind::Boolean);
    QCOMPARE(find(parameters, u"max_iterations"_s)->kind, ParameterKind::Integer);
    const Parameter *window = find(parameters, u"window_days"_s);
    QCOMPARE(window->kind, ParameterKind::Integer);
    QVERIFY(!window->valueValid);
    QCOMPARE(
        window->problem,
        u"algorithm A1, parameter window_days: 5000 is above the maximum 365 (allowed 1 … 365)"_s);
    QVERIFY(repository.load(u"NOPE"_s, &error).isEmpty());
    QVERIFY(!error.isError());
}

void TstParameterRepository::validateIsThePureCheck()
{
    Parameter p;
    p.algorithmId = u"A1"_s;
    p.name = u"learning_rate"_s;
    p.type = u"float"_s;
    p.minValue = u"0.0001"_s;
    p.maxValue = u"1"_s;
    QVERIFY(ParameterRepository::validate(u"0.3"_s, p).ok);
    QVERIFY(ParameterRepository::validate(u"1"_s, p).ok);
    const Validation refused = ParameterRepository::validate(u"1.5"_s, p);
    QVERIFY(!refused.ok);
    QCOMPARE(
        refused.message,
        u"algorithm A1, parameter learning_rate: 1.5 is above the maximum 1 (allowed 0.0001 … 1)"_s);
}

void TstParameterRepository::applyWritesAuditedValuesInOneRoundTrip()
{
    TestDatabase db(u"params_apply"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Connection connection(db.options(), u"apply"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ParameterRepository repository(connection.database());
    const int before = db.scalar(ChangelogCountSql).toInt();
    DbError resultError;
    const ApplyResult result = repository.apply(
        {{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s},
         {u"A1"_s, u"window_days"_s, u"60"_s, u"90"_s},
         {u"A2"_s, u"enable_cache"_s, db.scalar(ValueSql, {"A2", "enable_cache"}), u"false"_s}},
        u"tune for the sale"_s, 17, &resultError);
    QVERIFY2(result.ok, qPrintable(resultError.toString()));
    QCOMPARE(result.roundTrips, 1);
    QVERIFY(!result.changeSet.isEmpty());
    QVERIFY(result.conflicts.isEmpty());
    QCOMPARE(result.changes.size(), 3);
    QCOMPARE(currentValue(db, "A1", "learning_rate"), u"0.05"_s);
    QCOMPARE(currentValue(db, "A1", "window_days"), u"90"_s);
    QCOMPARE(currentValue(db, "A2", "enable_cache"), u"false"_s);
    // Exactly one audited row per change, one shared change set.
    QCOMPARE(db.scalar(ChangelogCountSql).toInt(), before + 3);
    QCOMPARE(rows(db,
                  "SELECT algorithm_id, parameter_name, old_value, new_value, reason, user_id,"
                  " db_role = current_user FROM algorithm_changelog WHERE change_set = $1"
                  " ORDER BY algorithm_id, parameter_name",
                  {result.changeSet.toUtf8()}),
             QStringList({u"A1|learning_rate|0.02|0.05|tune for the sale|17|t"_s,
                          u"A1|window_days|60|90|tune for the sale|17|t"_s,
                          u"A2|enable_cache|true|false|tune for the sale|17|t"_s}));
    // The configs followed.
    QCOMPARE(rows(db, "SELECT current_config->>'learning_rate', current_config->>'window_days',"
                      " last_modified_by FROM algorithm_agents WHERE algorithm_id = 'A1'"),
             QStringList{u"0.05|90|17"_s});
    QCOMPARE(db.scalar("SELECT current_config->'enable_cache' FROM algorithm_agents"
                       " WHERE algorithm_id = 'A2'"),
             u"false"_s);
    // A value out of bounds: the database refuses (23514), nothing of the batch is written.
    DbError refusedError;
    const ApplyResult refused =
        repository.apply({{u"A1"_s, u"learning_rate"_s, u"0.05"_s, u"0.07"_s},
                          {u"A1"_s, u"window_days"_s, u"90"_s, u"999"_s}},
                         u"too far"_s, 17, &refusedError);
    QVERIFY(!refused.ok);
    QCOMPARE(refused.roundTrips, 1);
    QCOMPARE(refusedError.sqlState, u"23514"_s);
    QVERIFY2(refusedError.message.contains(u"999 is above the maximum 365"_s),
             qPrintable(refusedError.toString()));
    QVERIFY(!refused.retryable);
    QCOMPARE(currentValue(db, "A1", "learning_rate"), u"0.05"_s);
    QCOMPARE(db.scalar(ChangelogCountSql).toInt(), before + 3);
    // The connection is usable afterwards (the failed transaction was ended).
    DbError error;
    QCOMPARE(repository.load(u"A1"_s, &error).isEmpty(), false);
    QVERIFY2(!error.isError(), qPrintable(error.toString()));
    QCOMPARE(repository.roundTrips(), 3);
}

void TstParameterRepository::simulateChangesNothing()
{
    TestDatabase db(u"params_simulate"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Connection connection(db.options(), u"simulate"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ParameterRepository repository(connection.database());
    const QString checksum = db.scalar(ChecksumSql);
    QVERIFY(!checksum.isEmpty());

    DbError simulatedError;
    const SimulateResult simulated =
        repository.simulate({{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s},
                             {u"A1"_s, u"window_days"_s, u"60"_s, u"90"_s}},
                            u"what if"_s, 5, &simulatedError);
    QVERIFY2(simulated.ok, qPrintable(simulatedError.toString()));
    QCOMPARE(simulated.roundTrips, 1);
    QCOMPARE(simulated.changes.size(), 2);
    QCOMPARE(simulated.changes.at(0).oldValue, u"0.02"_s);
    QCOMPARE(simulated.changes.at(0).newValue, u"0.05"_s);
    QCOMPARE(simulated.configs.size(), 1);
    const ConfigDiff &diff = simulated.configs.constFirst();
    QCOMPARE(diff.algorithmId, u"A1"_s);
    QCOMPARE(diff.before.value(u"learning_rate"_s).toDouble(), 0.02);
    QCOMPARE(diff.after.value(u"learning_rate"_s).toDouble(), 0.05);
    QCOMPARE(diff.before.value(u"window_days"_s).toInt(), 60);
    QCOMPARE(diff.after.value(u"window_days"_s).toInt(), 90);
    QCOMPARE(db.scalar(ChecksumSql), checksum);

    // Out of bounds: the database's own error, still nothing persists.
    DbError refusedError;
    const SimulateResult refused = repository.simulate(
        {{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"5"_s}}, u"what if"_s, 5, &refusedError);
    QVERIFY(!refused.ok);
    QCOMPARE(refused.roundTrips, 1);
    QCOMPARE(refusedError.sqlState, u"23514"_s);
    QVERIFY2(refusedError.message.contains(u"5 is above the maximum 1"_s),
             qPrintable(refusedError.toString()));
    QCOMPARE(db.scalar(ChecksumSql), checksum);

    // A stale `from` shows as a conflict.
    DbError staleError;
    const SimulateResult stale = repository.simulate(
        {{u"A1"_s, u"learning_rate"_s, u"0.5"_s, u"0.05"_s}}, u"what if"_s, 5, &staleError);
    QVERIFY(!stale.ok);
    QCOMPARE(stale.conflicts.size(), 1);
    QCOMPARE(stale.conflicts.constFirst().actual, u"0.02"_s);
    QCOMPARE(db.scalar(ChecksumSql), checksum);
    // The connection is clean afterwards.
    DbError appliedError;
    const ApplyResult applied = repository.apply(
        {{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s}}, u"for real"_s, 5, &appliedError);
    QVERIFY2(applied.ok, qPrintable(appliedError.toString()));
    QVERIFY(db.scalar(ChecksumSql) != checksum);
}

void TstParameterRepository::conflictingAppliesLoseNothing()
{
    TestDatabase db(u"params_conflict"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Connection first(db.options(), u"first"_s);
    Connection second(db.options(), u"second"_s);
    QVERIFY2(first.ok() && second.ok(), qPrintable(first.error() + second.error()));
    ParameterRepository alice(first.database());
    ParameterRepository bob(second.database());
    // Both start from what they loaded: 0.02.
    DbError wonError;
    const ApplyResult won = alice.apply({{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s}},
                                        u"alice tunes"_s, 1, &wonError);
    QVERIFY2(won.ok, qPrintable(wonError.toString()));
    const int after = db.scalar(ChangelogCountSql).toInt();
    DbError lostError;
    const ApplyResult lost = bob.apply({{u"A1"_s, u"window_days"_s, u"60"_s, u"14"_s},
                                        {u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.1"_s}},
                                       u"bob tunes"_s, 2, &lostError);
    QVERIFY(!lost.ok);
    QCOMPARE(lost.roundTrips, 1);
    QVERIFY(lost.changeSet.isEmpty());
    QCOMPARE(lostError.sqlState, u"40001"_s);
    QCOMPARE(lost.conflicts.size(), 1);
    const ParameterConflict &conflict = lost.conflicts.constFirst();
    QCOMPARE(conflict.name, u"learning_rate"_s);
    QCOMPARE(conflict.expected, u"0.02"_s);
    QCOMPARE(conflict.actual, u"0.05"_s);
    QVERIFY(conflict.hasUserId);
    QCOMPARE(conflict.userId, 1);
    QCOMPARE(conflict.dbRole, db.scalar("SELECT current_user"));
    QCOMPARE(conflict.reason, u"alice tunes"_s);
    QCOMPARE(conflict.changeSet, won.changeSet);
    QVERIFY(conflict.modifiedAt.isValid());
    QVERIFY(qAbs(conflict.modifiedAt.secsTo(QDateTime::currentDateTime())) < 120);
    QVERIFY2(conflict.toString().contains(u"\"0.05\""_s), qPrintable(conflict.toString()));
    QVERIFY2(lostError.detail.contains(u"alice tunes"_s), qPrintable(lostError.toString()));
    // Nothing of bob's batch, alice's value kept.
    QCOMPARE(currentValue(db, "A1", "learning_rate"), u"0.05"_s);
    QCOMPARE(currentValue(db, "A1", "window_days"), u"60"_s);
    QCOMPARE(db.scalar(ChangelogCountSql).toInt(), after);
    // A parameter that does not exist is a conflict too.
    DbError missingError;
    const ApplyResult missing =
        bob.apply({{u"A1"_s, u"no_such"_s, u"1"_s, u"2"_s}}, u"bob"_s, 2, &missingError);
    QVERIFY(!missing.ok);
    QCOMPARE(missing.conflicts.size(), 1);
    QVERIFY(missing.conflicts.constFirst().missing);
    // Bob reloads and applies on top: fine.
    DbError retriedError;
    const ApplyResult retried = bob.apply({{u"A1"_s, u"learning_rate"_s, u"0.05"_s, u"0.1"_s}},
                                          u"bob tunes"_s, 2, &retriedError);
    QVERIFY2(retried.ok, qPrintable(retriedError.toString()));
    QCOMPARE(currentValue(db, "A1", "learning_rate"), u"0.1"_s);
}

void TstParameterRepository::concurrentAppliesFromTwoThreads()
{
    TestDatabase db(u"params_threads"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    const ConnectionOptions options = db.options();
    const int before = db.scalar(ChangelogCountSql).toInt();
    struct Tally
    {
        int applies = 0;
        int committedApplies = 0;
        int committedChanges = 0;
        int conflicts = 0;
        QString error;
    };
    Tally tallies[2];
    auto work = [&options](int thread, Tally *tally) {
        const QString name = u"worker%1"_s.arg(thread);
        {
            Connection connection(options, name);
            if (!connection.ok()) {
                tally->error = connection.error();
                return;
            }
            ParameterRepository repository(connection.database());
            const QStringList agents{u"A1"_s, u"A2"_s, u"A3"_s};
            QHash<QString, QList<Parameter>> known;
            DbError error;
            for (const QString &agent : agents)
                known.insert(agent, repository.load(agent, &error));
            QRandomGenerator random(quint32(thread + 1));
            for (int attempt = 0; tally->applies < 500 && attempt < 100000; ++attempt) {
                const QString agent = agents.at(random.bounded(int(agents.size())));
                QList<ParameterChange> changes;
                for (const Parameter &p : known.value(agent)) {
                    if (p.kind != ParameterKind::Integer || random.bounded(2) == 0)
                        continue;
                    // Inside the bounds: the point is conflicts, not refusals.
                    const qint64 low = p.minValue.isEmpty() ? 0 : p.minValue.toLongLong();
                    QString to;
                    do {
                        to = QString::number(low + random.bounded(30));
                    } while (to == p.currentValue);
                    changes.append({agent, p.name, p.currentValue, to});
                }
                if (changes.isEmpty())
                    continue;
                DbError resultError;
                const ApplyResult result =
                    repository.apply(changes, u"load test"_s, 100 + thread, &resultError);
                ++tally->applies;
                if (result.ok) {
                    ++tally->committedApplies;
                    tally->committedChanges += int(result.changes.size());
                } else if (!result.conflicts.isEmpty()) {
                    ++tally->conflicts;
                } else {
                    tally->error = resultError.toString();
                    return;
                }
                // What the next edit starts from: this thread's view, refreshed (a conflict
                // leaves it stale otherwise).
                known.insert(agent, repository.load(agent, &error));
            }
        }
    };
    std::unique_ptr<QThread> one(QThread::create(work, 0, &tallies[0]));
    std::unique_ptr<QThread> two(QThread::create(work, 1, &tallies[1]));
    one->start();
    two->start();
    QVERIFY(one->wait(QDeadlineTimer(300000)));
    QVERIFY(two->wait(QDeadlineTimer(300000)));
    QVERIFY2(tallies[0].error.isEmpty(), qPrintable(tallies[0].error));
    QVERIFY2(tallies[1].error.isEmpty(), qPrintable(tallies[1].error));
    const int committed = tallies[0].committedChanges + tallies[1].committedChanges;
    QCOMPARE(tallies[0].applies + tallies[1].applies, 1000);
    QVERIFY(committed > 0);
    qInfo("applies %d + %d, committed %d + %d, conflicts %d + %d", tallies[0].applies,
          tallies[1].applies, tallies[0].committedApplies, tallies[1].committedApplies,
          tallies[0].conflicts, tallies[1].conflicts);
    QCOMPARE(db.scalar(ChangelogCountSql).toInt(), before + committed);
    QCOMPARE(db.scalar("SELECT count(DISTINCT change_set) FROM algorithm_changelog"
                       " WHERE change_set IS NOT NULL")
                 .toInt(),
             tallies[0].committedApplies + tallies[1].committedApplies);
    // Every agent's config holds every numeric parameter's current value.
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_parameters p"
                       " JOIN algorithm_agents a USING (algorithm_id)"
                       " WHERE lower(p.parameter_type) IN ('integer', 'float', 'number', 'decimal')"
                       "   AND (a.current_config->>p.parameter_name)::numeric"
                       "       IS DISTINCT FROM p.current_value::numeric"),
             u"0"_s);
    // And the last changelog row of each parameter ends at its current value.
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_parameters p"
                       " JOIN LATERAL (SELECT new_value FROM algorithm_changelog l"
                       "   WHERE l.algorithm_id = p.algorithm_id"
                       "     AND l.parameter_name = p.parameter_name AND l.change_set IS NOT NULL"
                       "   ORDER BY modified_at DESC, id DESC LIMIT 1) l ON true"
                       " WHERE l.new_value IS DISTINCT FROM p.current_value"),
             u"0"_s);
}

void TstParameterRepository::revertEntryAndChangeSet()
{
    TestDatabase db(u"params_revert"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Connection connection(db.options(), u"revert"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ParameterRepository repository(connection.database());
    DbError firstError;
    const ApplyResult first = repository.apply({{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s},
                                                {u"A1"_s, u"window_days"_s, u"60"_s, u"90"_s}},
                                               u"try"_s, 3, &firstError);
    QVERIFY2(first.ok, qPrintable(firstError.toString()));
    const QString entry = db.scalar("SELECT id FROM algorithm_changelog WHERE change_set = $1"
                                    " AND parameter_name = 'learning_rate'",
                                    {first.changeSet.toUtf8()});
    QVERIFY(!entry.isEmpty());

    // One entry.
    DbError entryRevertError;
    const ApplyResult entryRevert =
        repository.revert(entry, u"undo the rate"_s, 4, &entryRevertError);
    QVERIFY2(entryRevert.ok, qPrintable(entryRevertError.toString()));
    QCOMPARE(entryRevert.roundTrips, 2);
    QCOMPARE(currentValue(db, "A1", "learning_rate"), u"0.02"_s);
    QCOMPARE(currentValue(db, "A1", "window_days"), u"90"_s);
    QCOMPARE(rows(db,
                  "SELECT parameter_name, old_value, new_value, reason, user_id"
                  " FROM algorithm_changelog WHERE change_set = $1",
                  {entryRevert.changeSet.toUtf8()}),
             QStringList{u"learning_rate|0.05|0.02|undo the rate|4"_s});

    // The whole change set: learning_rate no longer holds 0.05, so a conflict, nothing written.
    const int count = db.scalar(ChangelogCountSql).toInt();
    DbError setConflictError;
    const ApplyResult setConflict =
        repository.revert(first.changeSet, u"undo all"_s, 4, &setConflictError);
    QVERIFY(!setConflict.ok);
    QCOMPARE(setConflict.conflicts.size(), 1);
    QCOMPARE(setConflict.conflicts.constFirst().actual, u"0.02"_s);
    QCOMPARE(setConflict.conflicts.constFirst().reason, u"undo the rate"_s);
    QCOMPARE(currentValue(db, "A1", "window_days"), u"90"_s);
    QCOMPARE(db.scalar(ChangelogCountSql).toInt(), count);

    // A change set that still holds: both back.
    DbError secondError;
    const ApplyResult second = repository.apply({{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.1"_s},
                                                 {u"A1"_s, u"window_days"_s, u"90"_s, u"120"_s}},
                                                u"again"_s, 3, &secondError);
    QVERIFY2(second.ok, qPrintable(secondError.toString()));
    DbError setRevertError;
    const ApplyResult setRevert =
        repository.revert(second.changeSet, u"undo again"_s, 4, &setRevertError);
    QVERIFY2(setRevert.ok, qPrintable(setRevertError.toString()));
    QCOMPARE(currentValue(db, "A1", "learning_rate"), u"0.02"_s);
    QCOMPARE(currentValue(db, "A1", "window_days"), u"90"_s);
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog WHERE change_set = $1",
                       {setRevert.changeSet.toUtf8()}),
             u"2"_s);

    // Today's bounds: window_days may no longer go back to 60; refused before sending.
    QVERIFY(db.exec("UPDATE algorithm_parameters SET min_value = '70', default_value = '70'"
                    " WHERE algorithm_id = 'A1' AND parameter_name = 'window_days'")
                .ok());
    const QString firstWindow = db.scalar("SELECT id FROM algorithm_changelog WHERE change_set = $1"
                                          " AND parameter_name = 'window_days'",
                                          {first.changeSet.toUtf8()});
    // (window_days is 90 now, as that entry's new value: only the bound stops it.)
    DbError outOfBoundsError;
    const ApplyResult outOfBounds = repository.revert(firstWindow, u"undo"_s, 4, &outOfBoundsError);
    QVERIFY(!outOfBounds.ok);
    QCOMPARE(outOfBounds.roundTrips, 1);
    QCOMPARE(outOfBoundsError.sqlState, u"23514"_s);
    QVERIFY2(outOfBoundsError.message.contains(u"60 is below the minimum 70"_s),
             qPrintable(outOfBoundsError.toString()));
    QCOMPARE(currentValue(db, "A1", "window_days"), u"90"_s);

    DbError unknownError;
    const ApplyResult unknown = repository.revert(u"no-such-entry"_s, u"x"_s, 4, &unknownError);
    QVERIFY(!unknown.ok);
    QVERIFY(unknownError.message.contains(u"no-such-entry"_s));
}

// Two edits of one parameter in one apply are one change: from what the user first saw to
// the last value typed, not a conflict with the user's own intermediate value.
void TstParameterRepository::repeatedEditsOfOneParameterMerge()
{
    TestDatabase db(u"params_merge"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Connection connection(db.options(), u"merge"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ParameterRepository repository(connection.database());
    const QString start = currentValue(db, "A1", "window_days");
    DbError resultError;
    const ApplyResult result = repository.apply({{u"A1"_s, u"window_days"_s, start, u"61"_s},
                                                 {u"A1"_s, u"window_days"_s, u"61"_s, u"62"_s}},
                                                u"two edits of one value"_s, 4, &resultError);
    QVERIFY2(result.ok, qPrintable(resultError.toString()));
    QCOMPARE(currentValue(db, "A1", "window_days"), u"62"_s);
    QCOMPARE(rows(db, "SELECT old_value, new_value FROM algorithm_changelog WHERE change_set = $1",
                  {result.changeSet.toUtf8()}),
             QStringList{start + u"|62"_s});
}

// A forward-only Qt Sql read on the same connection (as the changelog and chat pages do)
// leaves libpq with unread results; an apply right after must still work.
void TstParameterRepository::applyAfterAForwardOnlyRead()
{
    TestDatabase db(u"params_afterread"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Connection connection(db.options(), u"afterread"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ChangelogRepository changelog(connection.database());
    DbError error;
    QVERIFY2(changelog.page({}, std::nullopt, 10, &error).has_value(),
             qPrintable(error.toString()));
    MetricsRepository metrics(connection.database());
    DbError metricsError;
    metrics.metricNames(u"A1"_s, &metricsError);
    QVERIFY2(!metricsError.isError(), qPrintable(metricsError.toString()));
    ParameterRepository repository(connection.database());
    const QString start = currentValue(db, "A1", "window_days");
    DbError resultError;
    const ApplyResult result = repository.apply({{u"A1"_s, u"window_days"_s, start, u"63"_s}},
                                                u"after a read"_s, 4, &resultError);
    QVERIFY2(result.ok, qPrintable(resultError.toString()));
    QCOMPARE(currentValue(db, "A1", "window_days"), u"63"_s);
}

void TstParameterRepository::resetToDefault()
{
    TestDatabase db(u"params_reset"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Connection connection(db.options(), u"reset"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ParameterRepository repository(connection.database());
    DbError oneError;
    const ApplyResult one = repository.resetToDefault(u"A1"_s, {u"learning_rate"_s},
                                                      u"back to default"_s, 9, &oneError);
    QVERIFY2(one.ok, qPrintable(oneError.toString()));
    QCOMPARE(one.roundTrips, 2);
    QCOMPARE(currentValue(db, "A1", "learning_rate"), u"0.01"_s);
    QCOMPARE(currentValue(db, "A1", "window_days"), u"60"_s);
    QCOMPARE(rows(db,
                  "SELECT parameter_name, old_value, new_value, reason, user_id"
                  " FROM algorithm_changelog WHERE change_set = $1",
                  {one.changeSet.toUtf8()}),
             QStringList{u"learning_rate|0.02|0.01|back to default|9"_s});

    DbError allError;
    const ApplyResult all = repository.resetToDefault(u"A1"_s, {}, u"all defaults"_s, 9, &allError);
    QVERIFY2(all.ok, qPrintable(allError.toString()));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_parameters WHERE algorithm_id = 'A1'"
                       " AND current_value IS DISTINCT FROM default_value"),
             u"0"_s);
    QVERIFY(all.changes.size() >= 1);
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog WHERE change_set = $1",
                       {all.changeSet.toUtf8()})
                 .toInt(),
             int(all.changes.size()));
    QCOMPARE(db.scalar("SELECT current_config->>'window_days' FROM algorithm_agents"
                       " WHERE algorithm_id = 'A1'"),
             u"30"_s);

    // A legacy default outside the rule: refused before sending, nothing written.
    QVERIFY(db.exec("SET session_replication_role = replica").ok());
    QVERIFY(db.exec("UPDATE algorithm_parameters SET default_value = '0'"
                    " WHERE algorithm_id = 'A1' AND parameter_name = 'window_days'")
                .ok());
    QVERIFY(db.exec("SET session_replication_role = origin").ok());
    const int count = db.scalar(ChangelogCountSql).toInt();
    DbError legacyError;
    const ApplyResult legacy =
        repository.resetToDefault(u"A1"_s, {u"window_days"_s}, u"x"_s, 9, &legacyError);
    QVERIFY(!legacy.ok);
    QCOMPARE(legacy.roundTrips, 1);
    QCOMPARE(legacyError.sqlState, u"23514"_s);
    QVERIFY2(legacyError.message.contains(u"0 is below the minimum 1"_s),
             qPrintable(legacyError.toString()));
    QCOMPARE(db.scalar(ChangelogCountSql).toInt(), count);

    DbError unknownError;
    const ApplyResult unknown =
        repository.resetToDefault(u"A1"_s, {u"nope"_s}, u"x"_s, 9, &unknownError);
    QVERIFY(!unknown.ok);
    QVERIFY(unknownError.message.contains(u"nope"_s));
}

void TstParameterRepository::readOnlyRole()
{
    TestDatabase db(u"params_readonly"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    const QByteArray role =
        "algoadmin_ro_" + QByteArray::number(QCoreApplication::applicationPid());
    db.exec("DROP ROLE IF EXISTS " + role);
    QVERIFY(db.exec("CREATE ROLE " + role + " LOGIN").ok());
    QVERIFY(db.exec("GRANT CONNECT ON DATABASE " + db.name().toUtf8() + " TO " + role).ok());
    QVERIFY(db.exec("GRANT USAGE ON SCHEMA public TO " + role).ok());
    QVERIFY(db.exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role).ok());
    {
        Connection owner(db.options(), u"owner"_s);
        QVERIFY2(owner.ok(), qPrintable(owner.error()));
        DbError error;
        const Privileges all = readPrivileges(owner.database(), &error);
        QVERIFY2(!error.isError(), qPrintable(error.toString()));
        QVERIFY(all.canUpdateParameters);
        QVERIFY(all.canToggleAgents);
        QCOMPARE(all.role, db.scalar("SELECT current_user"));

        ConnectionOptions options = db.options();
        options.user = QString::fromUtf8(role);
        Connection readOnly(options, u"readonly"_s);
        QVERIFY2(readOnly.ok(), qPrintable(readOnly.error()));
        const Privileges none = readPrivileges(readOnly.database(), &error);
        QVERIFY2(!error.isError(), qPrintable(error.toString()));
        QVERIFY(!none.canUpdateParameters);
        QVERIFY(!none.canToggleAgents);
        QCOMPARE(none.role, QString::fromUtf8(role));

        ParameterRepository repository(readOnly.database());
        QVERIFY(!repository.load(u"A1"_s, &error).isEmpty()); // reading still works
        const QString checksum = db.scalar(ChecksumSql);
        DbError refusedError;
        const ApplyResult refused =
            repository.apply({{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s}},
                             u"not allowed"_s, 1, &refusedError);
        QVERIFY(!refused.ok);
        QCOMPARE(refusedError.sqlState, u"42501"_s);
        QVERIFY2(refusedError.message.contains(u"permission denied"_s),
                 qPrintable(refusedError.toString()));
        QVERIFY(refused.conflicts.isEmpty());
        QVERIFY2(refusedError.hint.contains(u"nothing was written"_s),
                 qPrintable(refusedError.toString()));
        qInfo("%s", qPrintable(refusedError.toString()));
        QCOMPARE(db.scalar(ChecksumSql), checksum);
    }
    db.exec("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM " + role);
    db.exec("REVOKE ALL ON SCHEMA public FROM " + role);
    db.exec("REVOKE ALL ON DATABASE " + db.name().toUtf8() + " FROM " + role);
    db.exec("DROP ROLE IF EXISTS " + role);
}

void TstParameterRepository::connectionKilledMidApply()
{
    TestDatabase db(u"params_killed"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    // A third connection holds learning_rate's row lock.
    PgConnection holder;
    DbError error;
    QVERIFY2(holder.open(db.options(), &error), qPrintable(error.toString()));
    QVERIFY(holder.exec("BEGIN").ok());
    QVERIFY(holder
                .exec("SELECT 1 FROM algorithm_parameters WHERE algorithm_id = 'A1'"
                      " AND parameter_name = 'learning_rate' FOR UPDATE")
                .ok());
    const QString checksum = db.scalar(ChecksumSql);

    ConnectionOptions options = db.options();
    options.lockTimeoutMs = 60000;
    QAtomicInt pid;
    ApplyResult result;
    DbError resultError;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        Connection connection(options, u"victim"_s);
        if (!connection.ok()) {
            resultError.message = connection.error();
            pid.storeRelease(-1);
            return;
        }
        pid.storeRelease(PQbackendPID(SqlDatabase::nativeHandle(connection.database())));
        ParameterRepository repository(connection.database());
        result = repository.apply({{u"A1"_s, u"window_days"_s, u"60"_s, u"90"_s},
                                   {u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s}},
                                  u"killed"_s, 1, &resultError);
    }));
    worker->start();
    QTRY_VERIFY_WITH_TIMEOUT(pid.loadAcquire() != 0, 10000);
    QVERIFY2(pid.loadAcquire() > 0, qPrintable(resultError.message));
    const QByteArray victim = QByteArray::number(pid.loadAcquire());
    // Wait until the apply waits on the lock, then kill its backend.
    QTRY_COMPARE_WITH_TIMEOUT(
        db.scalar("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", {victim}),
        u"Lock"_s, 10000);
    QCOMPARE(db.scalar("SELECT pg_terminate_backend($1::int)", {victim}), u"t"_s);
    QVERIFY(worker->wait(QDeadlineTimer(30000)));
    QVERIFY(!result.ok);
    QVERIFY(resultError.isError());
    qInfo("%s", qPrintable(resultError.toString()));
    QVERIFY2(result.retryable, qPrintable(resultError.toString()));
    QVERIFY2(resultError.hint.contains(u"apply again"_s), qPrintable(resultError.toString()));
    QVERIFY(holder.exec("ROLLBACK").ok());
    // Nothing half-written: window_days (updated before the wait) was rolled back too.
    QCOMPARE(db.scalar(ChecksumSql), checksum);
    QCOMPARE(currentValue(db, "A1", "window_days"), u"60"_s);
}

void TstParameterRepository::roundTripsOnTheWire()
{
    TestDatabase db(u"params_wire"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Connection connection(db.options(), u"wire"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    PGconn *conn = SqlDatabase::nativeHandle(connection.database());
    QVERIFY(conn);
    ParameterRepository parameters(connection.database());
    AgentRepository agents(connection.database());
    DbError error;
    QString trace;
    QCOMPARE(wireRoundTrips(conn, [&] { QVERIFY(!agents.list({}, &error).isEmpty()); }), 1);
    QCOMPARE(wireRoundTrips(conn, [&] { QVERIFY(!parameters.load(u"A1"_s, &error).isEmpty()); }),
             1);
    QString privilegesTrace;
    const int privilegesTrips = wireRoundTrips(
        conn, [&] { readPrivileges(connection.database(), &error); }, &privilegesTrace);
    QVERIFY2(privilegesTrips == 1, qPrintable(privilegesTrace));
    const QList<ParameterChange> changes{
        {u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s},
        {u"A1"_s, u"window_days"_s, u"60"_s, u"90"_s},
        {u"A1"_s, u"decay"_s, db.scalar(ValueSql, {"A1", "decay"}), u"0.5"_s}};
    QCOMPARE(
        wireRoundTrips(conn, [&] { QVERIFY(parameters.simulate(changes, u"w"_s, 1, nullptr).ok); }),
        1);
    // Also when the database refuses: the batch ends the transaction itself.
    QCOMPARE(
        wireRoundTrips(conn,
                       [&] {
                           QVERIFY(!parameters
                                        .simulate({{u"A1"_s, u"window_days"_s, u"60"_s, u"9999"_s}},
                                                  u"w"_s, 1, nullptr)
                                        .ok);
                       }),
        1);
    ApplyResult applied;
    DbError appliedError;
    const int applyTrips = wireRoundTrips(
        conn, [&] { applied = parameters.apply(changes, u"w"_s, 1, &appliedError); }, &trace);
    QVERIFY2(applied.ok, qPrintable(appliedError.toString()));
    QCOMPARE(applyTrips, 1);
    QCOMPARE(applied.roundTrips, 1);
    // A conflict and a refusal cost no more.
    QCOMPARE(
        wireRoundTrips(conn, [&] { QVERIFY(!parameters.apply(changes, u"w"_s, 1, nullptr).ok); }),
        1);
    QCOMPARE(wireRoundTrips(conn,
                            [&] {
                                QVERIFY(
                                    !parameters
                                         .apply({{u"A1"_s, u"window_days"_s, u"90"_s, u"9999"_s}},
                                                u"w"_s, 1, nullptr)
                                         .ok);
                            }),
             1);
    QCOMPARE(
        wireRoundTrips(
            conn, [&] { QVERIFY(parameters.revert(applied.changeSet, u"w"_s, 1, nullptr).ok); }),
        2);
    QCOMPARE(
        wireRoundTrips(
            conn, [&] { QVERIFY(parameters.resetToDefault(u"A1"_s, {}, u"w"_s, 1, nullptr).ok); }),
        2);
    QCOMPARE(wireRoundTrips(conn,
                            [&] {
                                agents.setActive(u"A1"_s, false, u"w"_s, 1, &error);
                                QVERIFY(!error.isError());
                            }),
             1);
    qInfo("apply on the wire:\n%s", qPrintable(trace));
}

QTEST_GUILESS_MAIN(TstParameterRepository)
#include "tst_parameterrepository.moc"
