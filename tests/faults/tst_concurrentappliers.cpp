// Ten appliers, each making 1,000 edits on parameters the others edit too, while a migration
// takes an exclusive lock on the parameters' table. Each edit increments a value from what its
// applier last read (an edit that meets a newer value is a conflict: nothing written, the
// applier reads again and goes on), through ParameterRepository::apply (the path the editor and the
// CLI use), so a lost update would show as a final value below the number of edits that said they
// committed. Checked: zero lost updates, one changelog row per committed change, current_config
// equal to the parameter rows, and every applier finished (no deadlock left unresolved: a
// deadlock the server breaks is a failed apply, retried).
#include "db/sqldatabase.h"
#include "faulttable.h"
#include "migrations/migrationengine.h"
#include "repositories/parameterrepository.h"
#include "testdatabase.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr int Appliers = 10;
constexpr int EditsEach = 1000;
constexpr int ParameterCount = 4;

const QByteArray AgentSql = R"sql(
INSERT INTO algorithm_agents (algorithm_id, name, algorithm_type, is_active, current_config,
                              default_config)
VALUES ('S1', 'Stress', 'scoring', true, '{"p0": 0, "p1": 0, "p2": 0, "p3": 0}',
        '{"p0": 0, "p1": 0, "p2": 0, "p3": 0}')
)sql";
const QByteArray ParametersSql = R"sql(
INSERT INTO algorithm_parameters (algorithm_id, parameter_name, parameter_type, current_value,
                                  default_value, min_value, max_value, description,
                                  impact_description)
SELECT 'S1', 'p' || g, 'integer', '0', '0', '0', '1000000', 'counter', 'none'
FROM generate_series(0, 3) g
)sql";

struct Tally
{
    int committed[ParameterCount] = {};
    int applied = 0; // applies that committed
    int conflicts = 0;
    int failures = 0; // refused or failed (deadlock, lock timeout): nothing written, retried
    QString error;    // a failure that is not one of those
};

// One applier: its own connection, EditsEach edits (applies) of one or two parameters chosen
// so that appliers overlap, each from the value it last read.
Tally applier(const ConnectionOptions &options, int number)
{
    Tally tally;
    const QString name = u"applier%1"_s.arg(number);
    {
        DbError error;
        QSqlDatabase database = SqlDatabase::open(options, name, &error);
        if (!database.isOpen()) {
            tally.error = error.toString();
            return tally;
        }
        ParameterRepository repository(database);
        QHash<QString, QString> seen;
        const auto reload = [&] {
            DbError loadError;
            for (const Parameter &p : repository.load(u"S1"_s, &loadError))
                seen.insert(p.name, p.currentValue);
            return !loadError.isError();
        };
        if (!reload()) {
            tally.error = u"first load failed"_s;
            return tally;
        }
        int done = 0;
        for (int attempt = 0; attempt < EditsEach; ++attempt) {
            const int first = (number + attempt) % ParameterCount;
            const int second = (first + 1 + number % 2) % ParameterCount;
            QList<int> chosen{first};
            if (attempt % 3 == 0)
                chosen.append(second);
            QList<ParameterChange> changes;
            for (int index : chosen) {
                const QString parameter = u"p%1"_s.arg(index);
                const QString from = seen.value(parameter);
                changes.append({u"S1"_s, parameter, from, QString::number(from.toInt() + 1)});
            }
            DbError error;
            const ApplyResult result =
                repository.apply(changes, u"stress applier %1"_s.arg(number), number, &error);
            if (result.ok) {
                ++done;
                for (int index : chosen)
                    ++tally.committed[index];
                for (const ParameterChange &change : changes)
                    seen.insert(change.name, change.to);
                continue;
            }
            if (!result.conflicts.isEmpty()) {
                ++tally.conflicts;
            } else if (result.retryable && !error.sqlState.startsWith(u"08"_s)) {
                ++tally.failures;
            } else if (error.sqlState == u"40P01"_s || error.sqlState == u"55P03"_s ||
                       error.sqlState == u"40001"_s) {
                ++tally.failures;
            } else {
                tally.error = error.toString();
                break;
            }
            if (!reload()) {
                tally.error = u"reload failed"_s;
                break;
            }
        }
        tally.applied = done;
        if (done == 0 && tally.error.isEmpty())
            tally.error = u"not one of its edits committed"_s;
    }
    SqlDatabase::close(name);
    return tally;
}

} // namespace

class TstConcurrentAppliers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void tenAppliersAndAMigrationLoseNothing();

private:
    FaultTable m_table{1};
    QString m_summary;
};

void TstConcurrentAppliers::cleanupTestCase()
{
    m_table.print(u"10 appliers × 1,000 overlapping edits while a migration holds the "
                  u"parameters' table exclusively"_s,
                  "tst_concurrentappliers",
                  m_summary + u"; values equal the committed increments, one changelog row "
                              u"per change, `current_config` equal to the rows"_s,
                  u"no update"_s);
}

void TstConcurrentAppliers::tenAppliersAndAMigrationLoseNothing()
{
    TestDatabase db(u"stress_appliers"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QCOMPARE(migrateDatabase(db.options()).outcome, RunReport::Outcome::Ok);
    QVERIFY(db.exec(AgentSql).ok());
    QVERIFY(db.exec(ParametersSql).ok());

    // The bundled migrations and one more that holds the parameters' table exclusively.
    QTemporaryDir dir;
    const MigrationSet bundled = MigrationSet::bundled();
    for (const Migration &migration : bundled.migrations)
        QVERIFY(QFile::copy(migration.path, dir.filePath(migration.fileName)));
    const QString last = bundled.migrations.last().version;
    const QString next = QString::number(last.toInt() + 1).rightJustified(last.size(), u'0');
    QVERIFY(writeFile(dir.filePath(next + u"_stress_lock.sql"_s),
                      "LOCK TABLE algorithm_parameters IN ACCESS EXCLUSIVE MODE;\n"
                      "SELECT pg_sleep(1);\n"
                      "COMMENT ON TABLE algorithm_parameters IS 'locked once by a stress run';\n"));

    std::atomic<bool> go{false};
    std::vector<std::future<Tally>> runs;
    for (int i = 0; i < Appliers; ++i) {
        runs.push_back(std::async(std::launch::async, [&go, &db, i] {
            while (!go)
                std::this_thread::yield();
            return applier(db.options(), i);
        }));
    }
    go = true;
    QTest::qWait(300); // the appliers are under way when the migration takes its lock
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport migration = engine.migrate();
    QVERIFY2(migration.outcome == RunReport::Outcome::Ok, qPrintable(migration.error.toString()));

    int committed[ParameterCount] = {};
    int changes = 0, applied = 0, conflicts = 0, failures = 0;
    for (std::future<Tally> &run : runs) {
        const Tally tally = run.get();
        QVERIFY2(tally.error.isEmpty(), qPrintable(tally.error));
        for (int i = 0; i < ParameterCount; ++i) {
            committed[i] += tally.committed[i];
            changes += tally.committed[i];
        }
        applied += tally.applied;
        conflicts += tally.conflicts;
        failures += tally.failures;
    }
    qInfo("%d applies: %d committed (%d changes), %d conflicts and %d refusals (deadlock, lock "
          "timeout) wrote nothing",
          Appliers * EditsEach, applied, changes, conflicts, failures);
    m_summary =
        u"of %1 applies %2 commit, %3 meet a newer value (conflict, nothing written), "
        u"%4 break on a deadlock or lock timeout (nothing written)"_s.arg(Appliers * EditsEach)
            .arg(applied)
            .arg(conflicts)
            .arg(failures);
    QCOMPARE(applied + conflicts + failures, Appliers * EditsEach);

    // Zero lost updates: each parameter went up once per committed change of it.
    for (int i = 0; i < ParameterCount; ++i)
        QCOMPARE(db.scalar("SELECT current_value FROM algorithm_parameters"
                           " WHERE algorithm_id = 'S1' AND parameter_name = $1",
                           {"p" + QByteArray::number(i)}),
                 QString::number(committed[i]));
    // One changelog row per committed change, each from the value before it.
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog WHERE algorithm_id = 'S1'"),
             QString::number(changes));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog WHERE algorithm_id = 'S1'"
                       " AND new_value::bigint <> old_value::bigint + 1"),
             u"0"_s);
    // current_config says what the parameter rows say.
    QCOMPARE(
        db.scalar("SELECT count(*) FROM algorithm_parameters p JOIN algorithm_agents a"
                  " USING (algorithm_id) WHERE p.algorithm_id = 'S1'"
                  " AND a.current_config ->> p.parameter_name IS DISTINCT FROM p.current_value"),
        u"0"_s);
    QCOMPARE(db.scalar("SELECT obj_description('algorithm_parameters'::regclass)"),
             u"locked once by a stress run"_s);
    m_table.passed();
}

QTEST_GUILESS_MAIN(TstConcurrentAppliers)
#include "tst_concurrentappliers.moc"
