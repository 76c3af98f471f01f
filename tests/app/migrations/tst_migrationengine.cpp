// The migration engine against a real PostgreSQL: what migrate, rehearse, status, verify and
// baseline do to a database, checked through the catalog rather than through the engine's own
// reports. Each test function works in its own database.

#include "db/pgconnection.h"
#include "migrations/migrationengine.h"
#include "migrations/sqlsplitter.h"
#include "testdatabase.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <functional>
#include <latch>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;

namespace {

// The runners' advisory lock key, as the engine documents it.
constexpr char AdvisoryLockKey[] = "7101968462031457";

const QByteArray TablesSql = "SELECT relname FROM pg_class WHERE relnamespace = "
                             "'public'::regnamespace AND relkind = 'r' ORDER BY relname";
const QByteArray HistoryVersionsSql =
    "SELECT version FROM algoadmin_schema_history ORDER BY version";
const QByteArray HistoryExistsSql = "SELECT to_regclass('algoadmin_schema_history') IS NOT NULL";

// Runs a script statement by statement on the test's connection; empty, or what failed.
QString execScript(TestDatabase &db, const QString &sql)
{
    const SqlSplitResult split = splitSqlStatements(sql);
    if (!split.ok())
        return split.error;
    for (const SqlStatement &statement : split.statements) {
        const PgResult result = db.exec(statement.text.toUtf8());
        if (!result.ok())
            return statement.text + u": "_s + result.error().toString();
    }
    return {};
}

QStringList appliedIds(const RunReport &report)
{
    QStringList ids;
    for (const MigrationOutcome &m : report.migrations) {
        if (m.state == MigrationOutcome::State::Applied)
            ids.append(m.id);
    }
    return ids;
}

QStringList outcomeStates(const RunReport &report)
{
    QStringList states;
    for (const MigrationOutcome &m : report.migrations)
        states.append(m.id + u'=' + m.stateName());
    return states;
}

QStringList statusStates(const QList<MigrationStatus> &migrations)
{
    QStringList states;
    for (const MigrationStatus &m : migrations)
        states.append(m.version + u'=' + m.stateName());
    return states;
}

QString outcomeName(RunReport::Outcome outcome)
{
    switch (outcome) {
    case RunReport::Outcome::Ok:
        return u"Ok"_s;
    case RunReport::Outcome::Failed:
        return u"Failed"_s;
    case RunReport::Outcome::LockTimeout:
        return u"LockTimeout"_s;
    case RunReport::Outcome::ChangedFiles:
        return u"ChangedFiles"_s;
    case RunReport::Outcome::Cancelled:
        return u"Cancelled"_s;
    case RunReport::Outcome::BadInput:
        break;
    }
    return u"BadInput"_s;
}

// Polls a condition (no fixed sleeps): true as soon as it holds, false after timeoutMs.
bool waitFor(const std::function<bool()> &condition, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!condition()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QThread::msleep(10);
    }
    return true;
}

// The old Node application's schema: 001 as it was before the 002 columns existed, written
// here rather than read from sql/ so that the test does not depend on the file it checks.
const char OldApplicationSchema[] = R"SQL(
CREATE TABLE algorithm_agents (
    id             VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id   VARCHAR(50) NOT NULL,
    name           VARCHAR(200),
    description    TEXT,
    file_path      VARCHAR(500),
    algorithm_type VARCHAR(50),
    esa_layers     INTEGER[],
    impact_score   INTEGER,
    is_active      BOOLEAN,
    created_at     TIMESTAMP DEFAULT now(),
    updated_at     TIMESTAMP DEFAULT now()
);
CREATE TABLE algorithm_parameters (
    id                 VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id       VARCHAR(50),
    parameter_name     VARCHAR(100),
    parameter_type     VARCHAR(50),
    current_value      TEXT,
    default_value      TEXT,
    min_value          TEXT,
    max_value          TEXT,
    description        TEXT,
    impact_description TEXT,
    created_at         TIMESTAMP DEFAULT now()
);
CREATE TABLE algorithm_changelog (
    id             VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id   VARCHAR(50),
    user_id        INTEGER,
    parameter_name VARCHAR(100),
    old_value      TEXT,
    new_value      TEXT,
    reason         TEXT,
    modified_at    TIMESTAMP DEFAULT now()
);
CREATE TABLE algorithm_chat_history (
    id           VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50),
    user_id      INTEGER,
    message      TEXT,
    response     TEXT,
    created_at   TIMESTAMP DEFAULT now()
);
CREATE TABLE algorithm_metrics (
    id           VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50),
    metric_name  VARCHAR(100),
    metric_value NUMERIC,
    recorded_at  TIMESTAMP DEFAULT now()
);
CREATE UNIQUE INDEX algorithm_agents_algorithm_id_key ON algorithm_agents (algorithm_id);
CREATE INDEX idx_algorithm_agents_active_type ON algorithm_agents (is_active, algorithm_type);
CREATE UNIQUE INDEX idx_algorithm_parameters_algorithm_parameter
    ON algorithm_parameters (algorithm_id, parameter_name);
CREATE INDEX idx_algorithm_changelog_algorithm_modified
    ON algorithm_changelog (algorithm_id, modified_at DESC);
CREATE INDEX idx_algorithm_changelog_modified ON algorithm_changelog (modified_at DESC);
CREATE INDEX idx_algorithm_changelog_user ON algorithm_changelog (user_id);
CREATE INDEX idx_algorithm_chat_history_algorithm_created
    ON algorithm_chat_history (algorithm_id, created_at DESC);
CREATE INDEX idx_algorithm_metrics_algorithm_metric_recorded
    ON algorithm_metrics (algorithm_id, metric_name, recorded_at);
CREATE INDEX idx_algorithm_metrics_recorded_brin ON algorithm_metrics USING brin (recorded_at);

INSERT INTO algorithm_agents (id, algorithm_id, name, algorithm_type, esa_layers, impact_score,
                              is_active, created_at, updated_at)
VALUES ('agent-1', 'A1', 'Lead scoring', 'scoring', '{1,2,3}', 80, true,
        '2024-01-02 03:04:05', '2024-02-03 04:05:06'),
       ('agent-2', 'A2', 'Feed ranking', 'ranking', NULL, 35, false,
        '2024-03-04 05:06:07', '2024-03-04 05:06:07');
INSERT INTO algorithm_parameters (id, algorithm_id, parameter_name, parameter_type, current_value,
                                  default_value, min_value, max_value, created_at)
VALUES ('param-1', 'A1', 'threshold', 'float', '0.3', '0.5', '0', '1', '2024-01-02 03:04:05'),
       ('param-2', 'A1', 'window', 'integer', '14', '7', '1', '90', '2024-01-02 03:04:05'),
       ('param-3', 'A2', 'enabled', 'boolean', 'true', 'false', NULL, NULL,
        '2024-03-04 05:06:07');
INSERT INTO algorithm_changelog (id, algorithm_id, user_id, parameter_name, old_value, new_value,
                                 reason, modified_at)
VALUES ('change-1', 'A1', 7, 'threshold', '0.5', '0.3', 'too many false negatives',
        '2024-04-05 06:07:08'),
       ('change-2', 'A1', 9, 'window', '7', '14', 'seasonality', '2024-05-06 07:08:09');
)SQL";

// What the old application's rows look like, to compare before and after.
QStringList oldApplicationData(TestDatabase &db)
{
    QStringList data;
    data << rows(db, "SELECT id, algorithm_id, name, algorithm_type, esa_layers::text,"
                     " impact_score, is_active, created_at::text, updated_at::text"
                     " FROM algorithm_agents ORDER BY id")
         << rows(db, "SELECT id, algorithm_id, parameter_name, parameter_type, current_value,"
                     " default_value, min_value, max_value, created_at::text"
                     " FROM algorithm_parameters ORDER BY id")
         << rows(db, "SELECT id, algorithm_id, user_id, parameter_name, old_value, new_value,"
                     " reason, modified_at::text FROM algorithm_changelog ORDER BY id");
    return data;
}

const QStringList OldApplicationRows{
    u"agent-1|A1|Lead scoring|scoring|{1,2,3}|80|t|2024-01-02 03:04:05|2024-02-03 04:05:06"_s,
    u"agent-2|A2|Feed ranking|ranking|<null>|35|f|2024-03-04 05:06:07|2024-03-04 05:06:07"_s,
    u"param-1|A1|threshold|float|0.3|0.5|0|1|2024-01-02 03:04:05"_s,
    u"param-2|A1|window|integer|14|7|1|90|2024-01-02 03:04:05"_s,
    u"param-3|A2|enabled|boolean|true|false|<null>|<null>|2024-03-04 05:06:07"_s,
    u"change-1|A1|7|threshold|0.5|0.3|too many false negatives|2024-04-05 06:07:08"_s,
    u"change-2|A1|9|window|7|14|seasonality|2024-05-06 07:08:09"_s,
};

// How many rows each of the five tables holds.
const QByteArray RowCountsSql = "SELECT (SELECT count(*) FROM algorithm_agents) || ' agents, '"
                                " || (SELECT count(*) FROM algorithm_parameters) || ' parameters, '"
                                " || (SELECT count(*) FROM algorithm_changelog) || ' changes, '"
                                " || (SELECT count(*) FROM algorithm_chat_history) || ' chats, '"
                                " || (SELECT count(*) FROM algorithm_metrics) || ' metrics'";

// Each difference of a verify as "change kind name", sorted.
QStringList differenceNames(const VerifyReport &report)
{
    QStringList described;
    for (const SchemaDifference &difference : report.differences)
        described.append(difference.changeName() + u' ' + difference.object().kind + u' ' +
                         difference.object().name);
    described.sort();
    return described;
}

QByteArray bundledFile(const QString &fileName)
{
    QFile file(sourceDir() + u"/sql/"_s + fileName);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// 1-based lines of the top-level statements of a bundled file: those starting at column 0
// with CREATE or ALTER (the files' own layout; continuation lines are indented).
QList<int> statementLines(const QByteArray &contents)
{
    QList<int> lines;
    const QList<QByteArray> all = contents.split('\n');
    for (int i = 0; i < all.size(); ++i) {
        if (all.at(i).startsWith("CREATE ") || all.at(i).startsWith("ALTER "))
            lines.append(i + 1);
    }
    return lines;
}

} // namespace

class TestMigrationEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void migrateEmptyDatabaseMatchesDesign();
    void migrateEmptyDatabaseAppliesEveryBundledMigration();
    void secondMigrateAppliesNothing();
    void failingMigrationLeavesNothingBehind_data();
    void failingMigrationLeavesNothingBehind();
    void concurrentRunnersApplyEachMigrationOnce();
    void lockHeldElsewhereGivesUpAndNamesHolder_data();
    void lockHeldElsewhereGivesUpAndNamesHolder();
    void changedFileIsRefused();
    void verifyCleanAfterMigrate();
    void verifyUsesItsCacheAndStillFindsDrift();
    void verifyReportsDrift_data();
    void verifyReportsDrift();
    void rehearseLeavesNothing();
    void rehearseOfFailingMigrationLeavesNothing();
    void baselineAdoptsOldApplicationDatabase_data();
    void baselineAdoptsOldApplicationDatabase();
    void migrateUpgradesOldApplicationDatabase();
    void baselineThenMigrateAppliesTheRestAndKeepsEveryRow();
    void baselineOfEmptyDatabase();
    void versionsOrderNumericallyAndMissingFilesShow();
    void verifyOfUnmigratedDatabase();
    void noTransactionMigrationRuns();
    void noTransactionMigrationFailingMidway();
    void migrationChangingSearchPathIsRecorded();
    void concurrentIndexInTransactionalFileFailsCleanly();
    void transactionControlIsRefusedBeforeRunning_data();
    void transactionControlIsRefusedBeforeRunning();
    void roundTripsStayConstant_data();
    void roundTripsStayConstant();
    void cancelStopsRunningStatement();
    void cancelWhileWaitingForRunnersLock();
    void cancelAfterEverythingCommittedIsNotReportedAsCancelled();
    void statementTimeoutFailsTheMigration();
    void stepCallbacksFireInOrder();
    void aSlowStepIsReportedWhileItRuns();
    void badMigrationDirectoryIsAnError_data();
    void badMigrationDirectoryIsAnError();

private:
    QTemporaryDir m_cache; // verify's expected-schema cache, private to this run
};

void TestMigrationEngine::initTestCase()
{
    // verify caches replays in the user's cache directory: keep this run's to itself.
    QVERIFY(m_cache.isValid());
    qputenv("XDG_CACHE_HOME", QFile::encodeName(m_cache.path()));
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::migrateEmptyDatabaseMatchesDesign()
{
    TestDatabase db(u"design"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    // DESIGN.md's 001 and 002 alone: what later migrations add is checked elsewhere.
    QTemporaryDir dir;
    const QString design = designMigrationsDir(dir);
    QVERIFY(!design.isEmpty());

    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(design));
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(appliedIds(report),
             QStringList({u"001_algorithm_tables"_s, u"002_add_missing_columns"_s}));

    // Tables: exactly the five of DESIGN.md, plus the engine's history.
    QCOMPARE(rows(db, TablesSql),
             QStringList({u"algoadmin_schema_history"_s, u"algorithm_agents"_s,
                          u"algorithm_changelog"_s, u"algorithm_chat_history"_s,
                          u"algorithm_metrics"_s, u"algorithm_parameters"_s}));

    // Columns, in order, with type, nullability and default, as DESIGN.md describes them.
    const QString id = u"id|character varying|not null|(gen_random_uuid())::character varying"_s;
    const QString varchar50 = u"|character varying(50)|null|<null>"_s;
    const QString varchar100 = u"|character varying(100)|null|<null>"_s;
    const QString text = u"|text|null|<null>"_s;
    const QString integer = u"|integer|null|<null>"_s;
    const QString stamp = u"|timestamp without time zone|null|now()"_s;
    const QMap<QString, QStringList> expectedColumns{
        {u"algorithm_agents"_s,
         {id, u"algorithm_id|character varying(50)|not null|<null>"_s,
          u"name|character varying(200)|null|<null>"_s, u"description"_s + text,
          u"file_path|character varying(500)|null|<null>"_s, u"algorithm_type"_s + varchar50,
          u"esa_layers|integer[]|null|<null>"_s, u"impact_score"_s + integer,
          u"is_active|boolean|null|<null>"_s, u"created_at"_s + stamp, u"updated_at"_s + stamp,
          // 002
          u"current_config|jsonb|null|<null>"_s, u"default_config|jsonb|null|<null>"_s,
          u"version"_s + varchar50, u"last_modified_by"_s + integer,
          u"last_modified_at|timestamp without time zone|null|<null>"_s}},
        {u"algorithm_parameters"_s,
         {id, u"algorithm_id"_s + varchar50, u"parameter_name"_s + varchar100,
          u"parameter_type"_s + varchar50, u"current_value"_s + text, u"default_value"_s + text,
          u"min_value"_s + text, u"max_value"_s + text, u"description"_s + text,
          u"impact_description"_s + text, u"created_at"_s + stamp}},
        {u"algorithm_changelog"_s,
         {id, u"algorithm_id"_s + varchar50, u"user_id"_s + integer,
          u"parameter_name"_s + varchar100, u"old_value"_s + text, u"new_value"_s + text,
          u"reason"_s + text, u"modified_at"_s + stamp}},
        {u"algorithm_chat_history"_s,
         {id, u"algorithm_id"_s + varchar50, u"user_id"_s + integer, u"message"_s + text,
          u"response"_s + text, u"created_at"_s + stamp}},
        {u"algorithm_metrics"_s,
         {id, u"algorithm_id"_s + varchar50, u"metric_name"_s + varchar100,
          u"metric_value|numeric|null|<null>"_s, u"recorded_at"_s + stamp}},
    };
    QStringList expected;
    for (auto it = expectedColumns.cbegin(); it != expectedColumns.cend(); ++it) {
        for (const QString &column : it.value())
            expected.append(it.key() + u'.' + column);
    }
    const QStringList columns = rows(
        db, "SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod),"
            " CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END,"
            " pg_get_expr(d.adbin, d.adrelid)"
            " FROM pg_class c"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            " LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
            " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
            "   AND c.relname <> 'algoadmin_schema_history'"
            " ORDER BY c.relname, a.attnum");
    QCOMPARE(columns, expected);

    // Indexes by what they are (table, unique, method, key columns with DESC), not by name:
    // the nine of DESIGN.md and the five primary keys, nothing else.
    QStringList expectedIndexes{
        u"algorithm_agents|unique|btree|algorithm_id"_s,
        u"algorithm_agents|-|btree|is_active, algorithm_type"_s,
        u"algorithm_parameters|unique|btree|algorithm_id, parameter_name"_s,
        u"algorithm_changelog|-|btree|algorithm_id, modified_at DESC"_s,
        u"algorithm_changelog|-|btree|modified_at DESC"_s,
        u"algorithm_changelog|-|btree|user_id"_s,
        u"algorithm_chat_history|-|btree|algorithm_id, created_at DESC"_s,
        u"algorithm_metrics|-|btree|algorithm_id, metric_name, recorded_at"_s,
        u"algorithm_metrics|-|brin|recorded_at"_s,
    };
    for (const QString &table : expectedColumns.keys())
        expectedIndexes.append(table + u"|primary|btree|id"_s);
    expectedIndexes.sort();
    QStringList indexes = rows(
        db,
        "SELECT c.relname,"
        " CASE WHEN x.indisprimary THEN 'primary' WHEN x.indisunique THEN 'unique' ELSE '-' END,"
        " am.amname,"
        " (SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true)"
        "         || CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END, ', '"
        "         ORDER BY k)"
        "  FROM generate_series(1, x.indnkeyatts) k)"
        " || CASE WHEN x.indpred IS NULL THEN '' ELSE ' WHERE …' END"
        " FROM pg_index x"
        " JOIN pg_class c ON c.oid = x.indrelid"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " JOIN pg_am am ON am.oid = i.relam"
        " WHERE c.relnamespace = 'public'::regnamespace"
        "   AND c.relname <> 'algoadmin_schema_history'");
    indexes.sort();
    QCOMPARE(indexes, expectedIndexes);
    // The index that verify's drift test drops by name.
    QCOMPARE(value(db, "SELECT indexdef FROM pg_indexes WHERE indexname = $1",
                   {"idx_algorithm_changelog_user"}),
             u"CREATE INDEX idx_algorithm_changelog_user ON public.algorithm_changelog "
             "USING btree (user_id)"_s);

    // Constraints: the primary keys only (uniqueness is the indexes' job).
    QStringList constraints = rows(db, "SELECT conrelid::regclass::text, pg_get_constraintdef(oid)"
                                       " FROM pg_constraint"
                                       " WHERE connamespace = 'public'::regnamespace"
                                       "   AND conrelid <> 'algoadmin_schema_history'::regclass");
    constraints.sort();
    QStringList expectedConstraints;
    for (const QString &table : expectedColumns.keys())
        expectedConstraints.append(table + u"|PRIMARY KEY (id)"_s);
    QCOMPARE(constraints, expectedConstraints);

    // The history: one row per file, checksum = sha-256 of the file, by this role.
    const QString role = value(db, "SELECT current_user");
    QCOMPARE(role, u"postgres"_s);
    const QStringList files{u"001_algorithm_tables.sql"_s, u"002_add_missing_columns.sql"_s};
    QStringList expectedHistory;
    for (const QString &file : files) {
        const QByteArray contents = bundledFile(file);
        QVERIFY2(!contents.isEmpty(), qPrintable(file));
        expectedHistory.append(u"%1|%2|%3|%4|migrate"_s.arg(
            file.left(3), file.mid(4).chopped(4),
            QString::fromLatin1(
                QCryptographicHash::hash(contents, QCryptographicHash::Sha256).toHex()),
            role));
    }
    QCOMPARE(rows(db, "SELECT version, name, checksum, applied_by, kind"
                      " FROM algoadmin_schema_history ORDER BY version"),
             expectedHistory);
    for (const QString &row : rows(db, "SELECT checksum FROM algoadmin_schema_history"))
        QVERIFY2(QRegularExpression(u"^[0-9a-f]{64}$"_s).match(row).hasMatch(), qPrintable(row));
    QCOMPARE(value(db, "SELECT count(*) FROM algoadmin_schema_history WHERE total_ms < 0"
                       " OR applied_at > now() OR applied_at < now() - interval '5 minutes'"),
             u"0"_s);

    // steps: one entry per statement, numbered, at the statement's line, each with a time.
    for (const QString &file : files) {
        const QList<int> lines = statementLines(bundledFile(file));
        QCOMPARE(lines.size(), file.startsWith(u"001"_s) ? 14 : 1);
        const QStringList steps =
            rows(db,
                 "SELECT e.ordinality, e.value ->> 'step', e.value ->> 'line',"
                 " e.value ->> 'summary', (e.value ->> 'ms')::numeric >= 0"
                 " FROM algoadmin_schema_history h,"
                 " jsonb_array_elements(h.steps) WITH ORDINALITY e"
                 " WHERE h.version = $1 ORDER BY e.ordinality",
                 {file.left(3).toUtf8()});
        QCOMPARE(steps.size(), lines.size());
        for (int i = 0; i < steps.size(); ++i) {
            const QStringList fields = steps.at(i).split(u'|');
            QCOMPARE(fields.value(1), QString::number(i + 1));
            QCOMPARE(fields.value(2), QString::number(lines.at(i)));
            QCOMPARE(fields.value(4), u"t"_s); // ms present and >= 0
        }
        if (file.startsWith(u"001"_s)) {
            QCOMPARE(steps.first().split(u'|').value(3), u"CREATE TABLE algorithm_agents"_s);
            QCOMPARE(steps.last().split(u'|').value(3),
                     u"CREATE INDEX idx_algorithm_metrics_recorded_brin"_s);
        } else {
            QCOMPARE(steps.first().split(u'|').value(3), u"ALTER TABLE algorithm_agents"_s);
        }
    }
    // total_ms is the sum of the steps, give or take rounding.
    QCOMPARE(value(db, "SELECT count(*) FROM algoadmin_schema_history h WHERE abs(h.total_ms -"
                       " (SELECT sum((e ->> 'ms')::numeric) FROM jsonb_array_elements(h.steps) e))"
                       " > 0.01 * jsonb_array_length(h.steps)"),
             u"0"_s);

    // The report agrees with the history.
    QCOMPARE(report.steps.size(), 15);
    for (const StepReport &step : report.steps) {
        QCOMPARE(step.state, StepReport::State::Done);
        QVERIFY2(step.ms >= 0, qPrintable(step.summary));
    }
    QCOMPARE(report.steps.first().line, 4);
    QCOMPARE(report.steps.first().fileName, u"001_algorithm_tables.sql"_s);
}

void TestMigrationEngine::migrateEmptyDatabaseAppliesEveryBundledMigration()
{
    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    const QStringList ids = migrationIds(bundled);
    // The bundled set still starts with DESIGN.md's two migrations, byte for byte the files
    // that the design tests run on their own.
    QVERIFY2(ids.size() >= 2, qPrintable(ids.join(u", "_s)));
    QCOMPARE(ids.mid(0, 2), QStringList({u"001_algorithm_tables"_s, u"002_add_missing_columns"_s}));
    QTemporaryDir dir;
    const MigrationSet design = MigrationSet::fromDirectory(designMigrationsDir(dir));
    QVERIFY2(design.ok(), qPrintable(design.error));
    QCOMPARE(migrationIds(design), ids.mid(0, 2));
    for (int i = 0; i < 2; ++i)
        QCOMPARE(bundled.migrations.at(i).checksum, design.migrations.at(i).checksum);

    TestDatabase db(u"bundled"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    EngineSettings settings;
    settings.useExpectedSchemaCache = false; // a full replay of every migration
    MigrationEngine engine(db.options(), bundled, settings);
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(outcomeStates(report), withState(ids, u"applied"_s));
    QCOMPARE(report.steps.size(), statementCount(bundled));
    for (int i = 0; i < report.migrations.size(); ++i)
        QCOMPARE(report.migrations.at(i).steps, int(bundled.migrations.at(i).statements.size()));
    for (const StepReport &step : report.steps)
        QCOMPARE(step.stateName(), u"done"_s);

    // Later migrations add no table: still the five of DESIGN.md and the history.
    QCOMPARE(rows(db, TablesSql),
             QStringList({u"algoadmin_schema_history"_s, u"algorithm_agents"_s,
                          u"algorithm_changelog"_s, u"algorithm_chat_history"_s,
                          u"algorithm_metrics"_s, u"algorithm_parameters"_s}));
    QStringList expectedHistory;
    for (const Migration &migration : bundled.migrations)
        expectedHistory.append(migration.version + u'|' + migration.name + u'|' +
                               QString::fromLatin1(migration.checksum) + u"|migrate"_s);
    QCOMPARE(rows(db, "SELECT version, name, checksum, kind FROM algoadmin_schema_history"
                      " ORDER BY version"),
             expectedHistory);

    // The replay of every migration in a scratch schema matches the live one exactly.
    const VerifyReport verify = engine.verify();
    QVERIFY2(!verify.error.isError(), qPrintable(verify.error.toString()));
    QCOMPARE(differenceNames(verify), QStringList());
    QVERIFY(verify.clean());
    QVERIFY(!verify.expectedFromCache);
    QCOMPARE(verify.expectedTables, 5);
    QCOMPARE(statusStates(verify.migrations), withState(migrationVersions(bundled), u"applied"_s));
}

void TestMigrationEngine::secondMigrateAppliesNothing()
{
    TestDatabase db(u"idempotent"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));

    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    MigrationEngine engine(db.options(), bundled);
    const RunReport first = engine.migrate();
    QVERIFY2(first.outcome == RunReport::Outcome::Ok, qPrintable(first.error.toString()));
    QCOMPARE(first.migrations.size(), bundled.migrations.size());

    QCOMPARE(execScript(db, u"INSERT INTO algorithm_agents (id, algorithm_id, name)"
                            " VALUES ('keep-me', 'A7', 'kept');"
                            "INSERT INTO algorithm_metrics (algorithm_id, metric_name,"
                            " metric_value) VALUES ('A7', 'ctr', 0.125);"_s),
             QString());
    const QStringList historyBefore =
        rows(db, "SELECT version, checksum, applied_at, total_ms, steps::text"
                 " FROM algoadmin_schema_history ORDER BY version");

    const RunReport second = engine.migrate();
    QVERIFY2(second.outcome == RunReport::Outcome::Ok, qPrintable(second.error.toString()));
    QVERIFY(second.migrations.isEmpty());
    QVERIFY(second.steps.isEmpty());
    QCOMPARE(second.alreadyApplied, migrationIds(bundled));
    QVERIFY(second.changed.isEmpty());
    QVERIFY(!second.error.isError());

    QCOMPARE(rows(db, "SELECT id, algorithm_id, name FROM algorithm_agents"),
             QStringList{u"keep-me|A7|kept"_s});
    QCOMPARE(rows(db, "SELECT algorithm_id, metric_name, metric_value FROM algorithm_metrics"),
             QStringList{u"A7|ctr|0.125"_s});
    QCOMPARE(rows(db, "SELECT version, checksum, applied_at, total_ms, steps::text"
                      " FROM algoadmin_schema_history ORDER BY version"),
             historyBefore);
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::failingMigrationLeavesNothingBehind_data()
{
    QTest::addColumn<QByteArray>("failing"); // 002's text
    QTest::addColumn<QString>("where");      // file:line of the failing statement
    QTest::addColumn<QString>("sqlState");

    QTest::newRow("single-line statement") << "-- 002: a table, a row, then a failure\n"
                                              "CREATE TABLE two (id int);\n"
                                              "INSERT INTO two (id) VALUES (1);\n"
                                              "SELECT 1 / 0;\n"
                                              "CREATE TABLE two_after (id int);\n"_ba
                                           << u"002_two.sql:4"_s << u"22012"_s;
    QTest::newRow("second line of a multi-line statement")
        << "-- 002: a table, then a statement failing on its second line\n"
           "CREATE TABLE two (id int);\n"
           "\n"
           "INSERT INTO two (id)\n"
           "    SELECT no_such_column\n"
           "    FROM two;\n"
           "CREATE TABLE two_after (id int);\n"_ba
        << u"002_two.sql:5"_s << u"42703"_s;
    QTest::newRow("syntax error deep in a statement") << "CREATE TABLE two (id int);\n"
                                                         "/* a comment\n"
                                                         "   of two lines */\n"
                                                         "CREATE TABLE two_b (\n"
                                                         "    id   int,\n"
                                                         "    name text,,\n"
                                                         "    note text\n"
                                                         ");\n"_ba
                                                      << u"002_two.sql:6"_s << u"42601"_s;
    // The server counts the error position in characters; U+1F600 is one character (two UTF-16
    // code units), and the error is on the line right after it.
    QTest::newRow("character outside the BMP before the failing line")
        << "CREATE TABLE two (id int);\n"
           "SELECT '\xF0\x9F\x98\x80',\n"
           "no_such_column FROM two;\n"_ba
        << u"002_two.sql:3"_s << u"42703"_s;
}

void TestMigrationEngine::failingMigrationLeavesNothingBehind()
{
    QFETCH(QByteArray, failing);
    QFETCH(QString, where);
    QFETCH(QString, sqlState);

    TestDatabase db(u"failing"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_one.sql"_s), "CREATE TABLE one (id int);\n"));
    QVERIFY(writeFile(dir.filePath(u"002_two.sql"_s), failing));
    QVERIFY(writeFile(dir.filePath(u"003_three.sql"_s), "CREATE TABLE three (id int);\n"));

    MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    {
        MigrationEngine engine(db.options(), set);
        const RunReport report = engine.migrate();
        QCOMPARE(outcomeName(report.outcome), u"Failed"_s);
        QCOMPARE(outcomeStates(report),
                 QStringList({u"001_one=applied"_s, u"002_two=failed"_s, u"003_three=not run"_s}));
        QCOMPARE(report.error.where, where);
        QCOMPARE(report.error.sqlState, sqlState);
        QVERIFY2(report.error.what.contains(u"002_two"_s), qPrintable(report.error.what));
        QVERIFY(!report.error.message.isEmpty());
        // The failing step is marked, the later migration's steps never ran.
        int failedSteps = 0;
        for (const StepReport &step : report.steps) {
            failedSteps += step.state == StepReport::State::Failed;
            if (step.migration == u"003_three"_s)
                QVERIFY(step.state != StepReport::State::Done);
        }
        QCOMPARE(failedSteps, 1);
    }
    QCOMPARE(rows(db, TablesSql), QStringList({u"algoadmin_schema_history"_s, u"one"_s}));
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList{u"001"_s});

    // Fixed in place: the rest runs.
    QVERIFY(writeFile(dir.filePath(u"002_two.sql"_s),
                      "CREATE TABLE two (id int);\nINSERT INTO two (id) VALUES (1);\n"));
    set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    MigrationEngine engine(db.options(), set);
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(report.alreadyApplied, QStringList{u"001_one"_s});
    QCOMPARE(outcomeStates(report), QStringList({u"002_two=applied"_s, u"003_three=applied"_s}));
    QCOMPARE(rows(db, TablesSql),
             QStringList({u"algoadmin_schema_history"_s, u"one"_s, u"three"_s, u"two"_s}));
    QCOMPARE(rows(db, "SELECT id FROM two"), QStringList{u"1"_s});
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList({u"001"_s, u"002"_s, u"003"_s}));
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::concurrentRunnersApplyEachMigrationOnce()
{
    TestDatabase db(u"concurrent"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // No IF NOT EXISTS anywhere: a migration run twice fails, an object created twice fails.
    QVERIFY(writeFile(dir.filePath(u"001_created.sql"_s),
                      "CREATE TABLE created (version text PRIMARY KEY);\n"
                      "INSERT INTO created VALUES ('001');\n"));
    for (int n = 2; n <= 20; ++n) {
        const QByteArray version = QByteArray::number(n).rightJustified(3, '0');
        QVERIFY(
            writeFile(dir.filePath(u"%1_table_%2.sql"_s.arg(QString::fromLatin1(version)).arg(n)),
                      "CREATE TABLE t_" + version +
                          " (id int);\n"
                          "SELECT pg_sleep(0.01);\n"
                          "INSERT INTO created VALUES ('" +
                          version + "');\n"));
    }
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    QCOMPARE(set.migrations.size(), 20);

    EngineSettings settings;
    settings.lockTimeoutMs = 30000; // the second runner waits for the first one
    RunReport reports[2];
    std::latch start(2);
    std::thread runners[2];
    for (int i = 0; i < 2; ++i) {
        runners[i] = std::thread([&, i] {
            MigrationEngine engine(db.options(), set, settings);
            start.arrive_and_wait();
            reports[i] = engine.migrate();
        });
    }
    for (std::thread &runner : runners)
        runner.join();

    int applied = 0;
    for (const RunReport &report : reports) {
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        // Each runner either applied what was pending or found it already applied.
        QCOMPARE(report.migrations.size() + report.alreadyApplied.size(), 20);
        QCOMPARE(appliedIds(report).size(), report.migrations.size());
        applied += int(report.migrations.size());
    }
    QCOMPARE(applied, 20);
    QCOMPARE(value(db, "SELECT count(*) || '/' || count(DISTINCT version)"
                       " FROM algoadmin_schema_history"),
             u"20/20"_s);
    QCOMPARE(value(db, "SELECT count(*) || '/' || count(DISTINCT version) FROM created"),
             u"20/20"_s);
    QCOMPARE(value(db, "SELECT count(*) FROM pg_class WHERE relname LIKE 't\\_0%'"
                       " AND relkind = 'r'"),
             u"19"_s);
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::lockHeldElsewhereGivesUpAndNamesHolder_data()
{
    QTest::addColumn<bool>("advisory");
    QTest::newRow("table lock") << false;
    QTest::newRow("runners' advisory lock") << true;
}

void TestMigrationEngine::lockHeldElsewhereGivesUpAndNamesHolder()
{
    QFETCH(bool, advisory);

    TestDatabase db(u"lock"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_x.sql"_s), "CREATE TABLE x (id int);\n"));
    if (!advisory) {
        const RunReport report =
            migrateDatabase(db.options(), MigrationSet::fromDirectory(dir.path()));
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    }
    QVERIFY(writeFile(dir.filePath(u"002_alter_x.sql"_s), "CREATE TABLE before_alter (id int);\n"
                                                          "ALTER TABLE x ADD COLUMN note text;\n"));
    const QStringList tablesBefore = rows(db, TablesSql);

    // The holder: its own session, recognisable by its application name.
    ConnectionOptions holderOptions = db.options();
    holderOptions.applicationName = u"tst-lock-holder"_s;
    PgConnection holder;
    DbError holderError;
    QVERIFY2(holder.open(holderOptions, &holderError), qPrintable(holderError.toString()));
    if (advisory) {
        QVERIFY(holder.exec("SELECT pg_advisory_lock($1::bigint)", {AdvisoryLockKey}).ok());
    } else {
        QVERIFY(holder.exec("BEGIN").ok());
        QVERIFY(holder.exec("LOCK TABLE x").ok());
    }
    const int holderPid = holder.backendPid();
    QVERIFY(holderPid > 0);

    EngineSettings settings;
    settings.lockTimeoutMs = 800;
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()), settings);
    QList<LockWait> waits;
    EngineCallbacks callbacks;
    callbacks.lockWaitObserved = [&](const LockWait &wait) { waits.append(wait); };
    engine.setCallbacks(callbacks);
    QElapsedTimer clock;
    clock.start();
    const RunReport report = engine.migrate();
    const qint64 elapsed = clock.elapsed();
    QVERIFY(holder.exec(advisory ? "SELECT pg_advisory_unlock_all()" : "ROLLBACK").ok());

    QCOMPARE(outcomeName(report.outcome), u"LockTimeout"_s);
    QCOMPARE(report.error.sqlState, u"55P03"_s);
    QVERIFY2(elapsed < 4000, qPrintable(QString::number(elapsed)));
    QVERIFY2(elapsed >= 800, qPrintable(QString::number(elapsed)));
    QVERIFY(!report.lockHolders.isEmpty());
    QCOMPARE(report.lockHolders.first().pid, holderPid);
    QCOMPARE(report.lockHolders.first().application, u"tst-lock-holder"_s);
    QCOMPARE(report.lockHolders.first().role, u"postgres"_s);
    if (!advisory) {
        QCOMPARE(report.error.where, u"002_alter_x.sql:2"_s);
        QCOMPARE(outcomeStates(report), QStringList{u"002_alter_x=failed"_s});
    }

    QVERIFY(!waits.isEmpty());
    for (const LockWait &wait : std::as_const(waits)) {
        QVERIFY2(wait.remainingMs >= 0 && wait.remainingMs <= 800,
                 qPrintable(QString::number(wait.remainingMs)));
        QVERIFY(wait.waitedMs >= 0);
        QCOMPARE(wait.holders.size(), 1);
        QCOMPARE(wait.holders.first().pid, holderPid);
        if (advisory) {
            QCOMPARE(wait.migration, QString());
        } else {
            QCOMPARE(wait.migration, u"002_alter_x"_s);
            QCOMPARE(wait.step, 2);
        }
    }

    // Nothing committed.
    QCOMPARE(rows(db, TablesSql), tablesBefore);
    if (advisory) {
        QCOMPARE(value(db, HistoryExistsSql), u"f"_s);
    } else {
        QCOMPARE(rows(db, HistoryVersionsSql), QStringList{u"001"_s});
        QCOMPARE(value(db, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'x'::regclass"
                           " AND attname = 'note'"),
                 u"0"_s);
    }
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::changedFileIsRefused()
{
    TestDatabase db(u"changed"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_a.sql"_s), "CREATE TABLE a (id int);\n"));
    QVERIFY(writeFile(dir.filePath(u"002_b.sql"_s), "CREATE TABLE b (id int);\n"));
    {
        const RunReport report =
            migrateDatabase(db.options(), MigrationSet::fromDirectory(dir.path()));
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    }
    // An applied file edited, and a new migration added at the same time.
    QVERIFY(writeFile(dir.filePath(u"001_a.sql"_s), "CREATE TABLE a (id bigint);\n"));
    QVERIFY(writeFile(dir.filePath(u"003_c.sql"_s), "CREATE TABLE c (id int);\n"));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));

    const StatusReport status = engine.status();
    QVERIFY2(!status.error.isError(), qPrintable(status.error.toString()));
    QVERIFY(status.historyExists);
    QCOMPARE(statusStates(status.migrations),
             QStringList({u"001=changed"_s, u"002=applied"_s, u"003=pending"_s}));
    QVERIFY(status.hasChanged());

    const RunReport report = engine.migrate();
    QCOMPARE(outcomeName(report.outcome), u"ChangedFiles"_s);
    QCOMPARE(report.changed, QStringList{u"001_a"_s});
    QVERIFY(report.migrations.isEmpty());
    QVERIFY(report.steps.isEmpty());
    QVERIFY(report.error.isError());
    QVERIFY2(report.error.message.contains(u"001_a"_s), qPrintable(report.error.message));
    QCOMPARE(rows(db, TablesSql), QStringList({u"a"_s, u"algoadmin_schema_history"_s, u"b"_s}));
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList({u"001"_s, u"002"_s}));

    const VerifyReport verify = engine.verify();
    QVERIFY(verify.hasChanged());
    QVERIFY(!verify.clean());
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::verifyCleanAfterMigrate()
{
    TestDatabase db(u"verifyclean"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    EngineSettings settings;
    settings.useExpectedSchemaCache = false; // a full replay every time
    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    MigrationEngine engine(db.options(), bundled, settings);
    const RunReport run = engine.migrate();
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));

    const VerifyReport report = engine.verify();
    QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
    QStringList described;
    for (const SchemaDifference &difference : report.differences)
        described.append(difference.describe());
    QCOMPARE(described, QStringList());
    QVERIFY(report.clean());
    QVERIFY(!report.hasChanged());
    QVERIFY(!report.expectedFromCache);
    QCOMPARE(report.expectedTables, 5);
    // The live catalog and the scratch one: two queries whatever the size. Five round trips:
    // set-up with the live catalog, the scratch database's statement and the live extensions,
    // CREATE DATABASE, the replay with its catalog (on the scratch database), DROP DATABASE.
    QCOMPARE(report.catalogQueries, 2);
    QVERIFY2(report.roundTrips <= 5, qPrintable(QString::number(report.roundTrips)));
    QCOMPARE(statusStates(report.migrations), withState(migrationVersions(bundled), u"applied"_s));
    // Verify drops its scratch database and leaves nothing in the live one.
    QCOMPARE(leftoverScratch(db), u"0"_s);
    QCOMPARE(value(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'algoadmin_%'"),
             u"0"_s);
}

void TestMigrationEngine::verifyUsesItsCacheAndStillFindsDrift()
{
    // A cache of its own, so that the first verify here is certainly a replay.
    QTemporaryDir cache;
    QVERIFY(cache.isValid());
    const QByteArray previous = qgetenv("XDG_CACHE_HOME");
    qputenv("XDG_CACHE_HOME", QFile::encodeName(cache.path()));
    const auto restore = qScopeGuard([&] { qputenv("XDG_CACHE_HOME", previous); });

    TestDatabase db(u"verifycache"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    MigrationEngine engine(db.options(), MigrationSet::bundled());
    const RunReport run = engine.migrate();
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));

    const VerifyReport replayed = engine.verify();
    QVERIFY2(!replayed.error.isError(), qPrintable(replayed.error.toString()));
    QVERIFY(!replayed.expectedFromCache);
    QVERIFY(replayed.clean());
    QCOMPARE(replayed.catalogQueries, 2);

    const VerifyReport cached = engine.verify();
    QVERIFY2(!cached.error.isError(), qPrintable(cached.error.toString()));
    QVERIFY(cached.expectedFromCache);
    QVERIFY(cached.clean());
    QCOMPARE(cached.catalogQueries, 1);
    QCOMPARE(cached.roundTrips, 1);
    QCOMPARE(cached.expectedTables, 5);

    // Drift is found against the cached expectation too.
    QVERIFY(db.exec("DROP INDEX idx_algorithm_changelog_user").ok());
    const VerifyReport drifted = engine.verify();
    QVERIFY(drifted.expectedFromCache);
    QCOMPARE(drifted.differences.size(), 1);
    QCOMPARE(drifted.differences.first().changeName(), u"missing"_s);
    QCOMPARE(drifted.differences.first().object().name, u"idx_algorithm_changelog_user"_s);

    // A cache file that is not what verify wrote is replayed over, not trusted.
    QDirIterator files(cache.path(), {u"*.json"_s}, QDir::Files, QDirIterator::Subdirectories);
    int damaged = 0;
    while (files.hasNext()) {
        QVERIFY(writeFile(files.next(), "{ not json"));
        ++damaged;
    }
    QCOMPARE(damaged, 1);
    const VerifyReport afterDamage = engine.verify();
    QVERIFY2(!afterDamage.error.isError(), qPrintable(afterDamage.error.toString()));
    QVERIFY(!afterDamage.expectedFromCache);
    QCOMPARE(afterDamage.differences.size(), 1);
    QCOMPARE(afterDamage.differences.first().object().name, u"idx_algorithm_changelog_user"_s);
}

void TestMigrationEngine::verifyReportsDrift_data()
{
    QTest::addColumn<QString>("drift");
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("table");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("found");

    QTest::newRow("dropped index")
        << u"DROP INDEX idx_algorithm_changelog_user"_s << u"missing"_s << u"index"_s
        << u"algorithm_changelog"_s << u"idx_algorithm_changelog_user"_s
        << u"CREATE INDEX idx_algorithm_changelog_user ON algorithm_changelog USING btree "
           "(user_id)"_s
        << QString();
    QTest::newRow("changed column type")
        << u"ALTER TABLE algorithm_metrics ALTER COLUMN metric_value TYPE double precision"_s
        << u"differs"_s << u"column"_s << u"algorithm_metrics"_s << u"metric_value"_s
        << u"numeric"_s << u"double precision"_s;
    QTest::newRow("column added by hand")
        << u"ALTER TABLE algorithm_agents ADD COLUMN notes_by_hand text"_s << u"unexpected"_s
        << u"column"_s << u"algorithm_agents"_s << u"notes_by_hand"_s << QString() << u"text"_s;
    QTest::newRow("default dropped")
        << u"ALTER TABLE algorithm_changelog ALTER COLUMN modified_at DROP DEFAULT"_s
        << u"differs"_s << u"column"_s << u"algorithm_changelog"_s << u"modified_at"_s
        << u"timestamp without time zone DEFAULT now()"_s << u"timestamp without time zone"_s;
    QTest::newRow("NOT NULL added")
        << u"ALTER TABLE algorithm_parameters ALTER COLUMN parameter_name SET NOT NULL"_s
        << u"differs"_s << u"column"_s << u"algorithm_parameters"_s << u"parameter_name"_s
        << u"character varying(100)"_s << u"character varying(100) NOT NULL"_s;
    QTest::newRow("table created by hand")
        << u"CREATE TABLE made_by_hand (id int PRIMARY KEY, note text)"_s << u"unexpected"_s
        << u"table"_s << u"made_by_hand"_s << u"made_by_hand"_s << QString() << u"table"_s;
}

void TestMigrationEngine::verifyReportsDrift()
{
    QFETCH(QString, drift);
    QFETCH(QString, change);
    QFETCH(QString, kind);
    QFETCH(QString, table);
    QFETCH(QString, name);
    QFETCH(QString, expected);
    QFETCH(QString, found);

    TestDatabase db(u"verifydrift"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    MigrationEngine engine(db.options(), MigrationSet::bundled());
    const RunReport run = engine.migrate();
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));
    QCOMPARE(execScript(db, drift), QString());

    const VerifyReport report = engine.verify();
    QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
    QStringList described;
    for (const SchemaDifference &difference : report.differences)
        described.append(difference.describe());
    QCOMPARE(described.size(), 1);
    const SchemaDifference &difference = report.differences.first();
    QCOMPARE(difference.changeName(), change);
    QCOMPARE(difference.object().kind, kind);
    QCOMPARE(difference.object().table, table);
    QCOMPARE(difference.object().name, name);
    QCOMPARE(difference.expected.definition, expected);
    QCOMPARE(difference.found.definition, found);
    QVERIFY(!report.clean());
    QVERIFY(!report.hasChanged());
    QVERIFY2(report.catalogQueries <= 2, qPrintable(QString::number(report.catalogQueries)));
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::rehearseLeavesNothing()
{
    TestDatabase db(u"rehearse"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    MigrationEngine engine(db.options(), bundled);

    const RunReport report = engine.rehearse();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QVERIFY(report.rehearsal);
    QCOMPARE(outcomeStates(report), withState(migrationIds(bundled), u"rolled back"_s));
    QCOMPARE(report.steps.size(), statementCount(bundled));
    for (const StepReport &step : report.steps) {
        QCOMPARE(step.stateName(), u"done"_s);
        QVERIFY2(step.ms >= 0, qPrintable(step.summary));
    }
    QCOMPARE(report.roundTrips, 2);

    // Nothing left: at most the (empty) history table.
    QStringList tables = rows(db, TablesSql);
    tables.removeAll(u"algoadmin_schema_history"_s);
    QCOMPARE(tables, QStringList());
    if (value(db, HistoryExistsSql) == u"t"_s)
        QCOMPARE(value(db, "SELECT count(*) FROM algoadmin_schema_history"), u"0"_s);
    QCOMPARE(value(db, "SELECT count(*) FROM pg_class WHERE relnamespace ="
                       " 'public'::regnamespace AND relname LIKE 'algorithm%'"),
             u"0"_s);
    // Nor any of the functions (and so triggers) of the later migrations.
    QCOMPARE(value(db, "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"),
             u"0"_s);

    const StatusReport status = engine.status();
    QVERIFY2(!status.error.isError(), qPrintable(status.error.toString()));
    QCOMPARE(statusStates(status.migrations), withState(migrationVersions(bundled), u"pending"_s));
}

void TestMigrationEngine::rehearseOfFailingMigrationLeavesNothing()
{
    TestDatabase db(u"rehearsefail"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_r1.sql"_s), "CREATE TABLE r1 (id int);\n"));
    QVERIFY(writeFile(dir.filePath(u"002_r2.sql"_s), "CREATE TABLE r2 (id int);\n"
                                                     "SELECT 1 / 0;\n"));
    QVERIFY(writeFile(dir.filePath(u"003_r3.sql"_s), "CREATE TABLE r3 (id int);\n"));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));

    const RunReport report = engine.rehearse();
    QCOMPARE(outcomeName(report.outcome), u"Failed"_s);
    QVERIFY(report.rehearsal);
    QCOMPARE(report.error.where, u"002_r2.sql:2"_s);
    QCOMPARE(report.error.sqlState, u"22012"_s);
    QStringList steps;
    for (const StepReport &step : report.steps)
        steps.append(u"%1/%2 %3"_s.arg(step.migration).arg(step.step).arg(step.stateName()));
    QCOMPARE(steps, QStringList({u"001_r1/1 done"_s, u"002_r2/1 done"_s, u"002_r2/2 failed"_s,
                                 u"003_r3/1 skipped"_s}));
    // 001 ran and was rolled back like everything else; 003 never ran.
    QCOMPARE(outcomeStates(report),
             QStringList({u"001_r1=rolled back"_s, u"002_r2=failed"_s, u"003_r3=not run"_s}));
    QStringList tables = rows(db, TablesSql);
    tables.removeAll(u"algoadmin_schema_history"_s);
    QCOMPARE(tables, QStringList());
    if (value(db, HistoryExistsSql) == u"t"_s)
        QCOMPARE(rows(db, HistoryVersionsSql), QStringList());
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::baselineAdoptsOldApplicationDatabase_data()
{
    QTest::addColumn<bool>("laterColumns"); // the old application's later code added 002's
    QTest::newRow("tables only") << false;
    QTest::newRow("tables and the later columns") << true;
}

void TestMigrationEngine::baselineAdoptsOldApplicationDatabase()
{
    QFETCH(bool, laterColumns);

    TestDatabase db(u"baseline"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QCOMPARE(execScript(db, QString::fromUtf8(OldApplicationSchema)), QString());
    if (laterColumns) {
        QCOMPARE(execScript(db, u"ALTER TABLE algorithm_agents ADD COLUMN current_config jsonb,"
                                " ADD COLUMN default_config jsonb,"
                                " ADD COLUMN version varchar(50),"
                                " ADD COLUMN last_modified_by integer,"
                                " ADD COLUMN last_modified_at timestamp"_s),
                 QString());
    }
    QCOMPARE(oldApplicationData(db), OldApplicationRows);

    // DESIGN.md's 001 and 002: what the old application's database may already have.
    QTemporaryDir dir;
    const QString design = designMigrationsDir(dir);
    QVERIFY(!design.isEmpty());
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(design));
    const BaselineReport baseline = engine.baseline();
    QVERIFY2(!baseline.error.isError(), qPrintable(baseline.error.toString()));
    const QStringList both{u"001_algorithm_tables"_s, u"002_add_missing_columns"_s};
    QCOMPARE(baseline.adopted, laterColumns ? both : QStringList{both.first()});
    QCOMPARE(baseline.pending, laterColumns ? QStringList() : QStringList{both.last()});
    QCOMPARE(baseline.alreadyApplied, QStringList());
    QCOMPARE(rows(db, "SELECT version, kind, total_ms FROM algoadmin_schema_history"
                      " ORDER BY version"),
             laterColumns ? QStringList({u"001|baseline|0"_s, u"002|baseline|0"_s})
                          : QStringList{u"001|baseline|0"_s});
    QCOMPARE(oldApplicationData(db), OldApplicationRows);
    // Baseline ran nothing: no 002 column unless it was there before.
    QCOMPARE(value(db, "SELECT count(*) FROM pg_attribute WHERE attrelid ="
                       " 'algorithm_agents'::regclass AND attname = 'current_config'"),
             laterColumns ? u"1"_s : u"0"_s);

    const StatusReport status = engine.status();
    QCOMPARE(statusStates(status.migrations),
             QStringList({u"001=applied"_s, laterColumns ? u"002=applied"_s : u"002=pending"_s}));
    QCOMPARE(status.migrations.first().kind, u"baseline"_s);

    const RunReport run = engine.migrate();
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));
    QCOMPARE(run.alreadyApplied, laterColumns ? both : QStringList{both.first()});
    QCOMPARE(outcomeStates(run),
             laterColumns ? QStringList() : QStringList{u"002_add_missing_columns=applied"_s});
    QCOMPARE(run.steps.size(), laterColumns ? 0 : 1);

    const VerifyReport verify = engine.verify();
    QVERIFY2(!verify.error.isError(), qPrintable(verify.error.toString()));
    QStringList described;
    for (const SchemaDifference &difference : verify.differences)
        described.append(difference.describe());
    QCOMPARE(described, QStringList());
    QVERIFY(verify.clean());
    QCOMPARE(oldApplicationData(db), OldApplicationRows);
    QCOMPARE(value(db, "SELECT count(*) FROM algorithm_agents WHERE current_config IS NULL"),
             u"2"_s);
}

void TestMigrationEngine::migrateUpgradesOldApplicationDatabase()
{
    TestDatabase db(u"oldmigrate"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QCOMPARE(execScript(db, QString::fromUtf8(OldApplicationSchema)), QString());

    const QString countsBefore = value(db, RowCountsSql);

    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    MigrationEngine engine(db.options(), bundled);
    const RunReport run = engine.migrate();
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));
    QCOMPARE(outcomeStates(run), withState(migrationIds(bundled), u"applied"_s));
    QCOMPARE(oldApplicationData(db), OldApplicationRows);
    QCOMPARE(value(db, RowCountsSql), countsBefore);
    QStringList history;
    for (const QString &version : migrationVersions(bundled))
        history.append(version + u"|migrate"_s);
    QCOMPARE(rows(db, "SELECT version, kind FROM algoadmin_schema_history ORDER BY version"),
             history);
    const VerifyReport verify = engine.verify();
    QVERIFY2(!verify.error.isError(), qPrintable(verify.error.toString()));
    QCOMPARE(differenceNames(verify), QStringList());
}

void TestMigrationEngine::baselineThenMigrateAppliesTheRestAndKeepsEveryRow()
{
    TestDatabase db(u"oldbaseline"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QCOMPARE(execScript(db, QString::fromUtf8(OldApplicationSchema)), QString());
    QCOMPARE(oldApplicationData(db), OldApplicationRows);
    const QString countsBefore = value(db, RowCountsSql);
    QCOMPARE(countsBefore, u"2 agents, 3 parameters, 2 changes, 0 chats, 0 metrics"_s);

    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    const QStringList ids = migrationIds(bundled);
    QVERIFY2(ids.size() > 2, qPrintable(ids.join(u", "_s)));
    const QStringList rest = ids.mid(1); // 002 onward

    // Baseline adopts the tables the old application made (001), nothing after it.
    MigrationEngine engine(db.options(), bundled);
    const BaselineReport baseline = engine.baseline();
    QVERIFY2(!baseline.error.isError(), qPrintable(baseline.error.toString()));
    QCOMPARE(baseline.adopted, QStringList{ids.first()});
    QCOMPARE(baseline.pending, rest);
    QCOMPARE(oldApplicationData(db), OldApplicationRows);

    // migrate applies 002 onward, every one, and keeps every row.
    const RunReport run = engine.migrate();
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));
    QCOMPARE(run.alreadyApplied, QStringList{ids.first()});
    QCOMPARE(outcomeStates(run), withState(rest, u"applied"_s));
    QCOMPARE(run.steps.size(),
             statementCount(bundled) - int(bundled.migrations.first().statements.size()));
    QCOMPARE(oldApplicationData(db), OldApplicationRows);
    QCOMPARE(value(db, RowCountsSql), countsBefore);
    // The old history rows predate the audit columns: they stay empty.
    QCOMPARE(value(db, "SELECT count(*) FROM algorithm_changelog"
                       " WHERE db_role IS NULL AND source IS NULL AND change_set IS NULL"),
             u"2"_s);
    QStringList history{bundled.migrations.first().version + u"|baseline"_s};
    for (const QString &version : migrationVersions(bundled).mid(1))
        history.append(version + u"|migrate"_s);
    QCOMPARE(rows(db, "SELECT version, kind FROM algoadmin_schema_history ORDER BY version"),
             history);

    EngineSettings noCache;
    noCache.useExpectedSchemaCache = false;
    const VerifyReport verify = MigrationEngine(db.options(), bundled, noCache).verify();
    QVERIFY2(!verify.error.isError(), qPrintable(verify.error.toString()));
    QCOMPARE(differenceNames(verify), QStringList());
    QVERIFY(verify.clean());
}

void TestMigrationEngine::baselineOfEmptyDatabase()
{
    TestDatabase db(u"baselineempty"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const MigrationSet bundled = MigrationSet::bundled();
    QVERIFY2(bundled.ok(), qPrintable(bundled.error));
    const QStringList ids = migrationIds(bundled);
    MigrationEngine engine(db.options(), bundled);
    const BaselineReport nothing = engine.baseline();
    QVERIFY2(!nothing.error.isError(), qPrintable(nothing.error.toString()));
    QCOMPARE(nothing.adopted, QStringList());
    QCOMPARE(nothing.pending, ids);
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList());
    QCOMPARE(rows(db, TablesSql), QStringList{u"algoadmin_schema_history"_s});

    // --to records regardless of what is there.
    const BaselineReport forced = engine.baseline(u"001"_s);
    QVERIFY2(!forced.error.isError(), qPrintable(forced.error.toString()));
    QCOMPARE(forced.adopted, QStringList{u"001_algorithm_tables"_s});
    QCOMPARE(forced.pending, ids.mid(1));
    QCOMPARE(rows(db, "SELECT version, kind FROM algoadmin_schema_history"),
             QStringList{u"001|baseline"_s});

    const BaselineReport unknown = engine.baseline(u"042"_s);
    QVERIFY(unknown.error.isError());
    QVERIFY2(unknown.error.message.contains(u"042"_s), qPrintable(unknown.error.message));
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList{u"001"_s});
}

void TestMigrationEngine::versionsOrderNumericallyAndMissingFilesShow()
{
    TestDatabase db(u"ordering"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"8_log.sql"_s),
                      "CREATE TABLE log (n serial PRIMARY KEY, version text);\n"
                      "INSERT INTO log (version) VALUES ('8');\n"));
    QVERIFY(writeFile(dir.filePath(u"10_ten.sql"_s), "INSERT INTO log (version) VALUES ('10');\n"));
    QVERIFY(writeFile(dir.filePath(u"9_nine.sql"_s), "INSERT INTO log (version) VALUES ('9');\n"));
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    {
        MigrationEngine engine(db.options(), set);
        const RunReport report = engine.migrate();
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        QCOMPARE(appliedIds(report), QStringList({u"8_log"_s, u"9_nine"_s, u"10_ten"_s}));
    }
    QCOMPARE(rows(db, "SELECT version FROM log ORDER BY n"),
             QStringList({u"8"_s, u"9"_s, u"10"_s}));

    QVERIFY(QFile::remove(dir.filePath(u"9_nine.sql"_s)));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const StatusReport status = engine.status();
    QVERIFY2(!status.error.isError(), qPrintable(status.error.toString()));
    QCOMPARE(statusStates(status.migrations),
             QStringList({u"8=applied"_s, u"9=missing file"_s, u"10=applied"_s}));
    QVERIFY(!status.hasChanged());
    QCOMPARE(status.migrations.at(1).fileName, u"9_nine.sql"_s);
    QCOMPARE(status.migrations.at(1).appliedBy, u"postgres"_s);
}

void TestMigrationEngine::verifyOfUnmigratedDatabase()
{
    TestDatabase db(u"verifyempty"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));

    // Not migrated at all: said as such (issue 12), not as every object missing.
    QTemporaryDir dir;
    const QString design = designMigrationsDir(dir);
    QVERIFY(!design.isEmpty());
    for (const MigrationSet &set : {MigrationSet::fromDirectory(design), MigrationSet::bundled()}) {
        const VerifyReport report = MigrationEngine(db.options(), set).verify();
        QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
        QVERIFY(report.nothingApplied);
        QCOMPARE(differenceNames(report), QStringList());
        QVERIFY(report.clean());
    }
    QCOMPARE(value(db, HistoryExistsSql), u"f"_s); // verify only reads

    // One of DESIGN.md's tables made by hand, no history: compared against 001 and 002, with
    // one difference per missing table, not one per column or index.
    QVERIFY(db.exec("CREATE TABLE algorithm_agents (algorithm_id varchar(50) PRIMARY KEY)").ok());
    const VerifyReport report =
        MigrationEngine(db.options(), MigrationSet::fromDirectory(design)).verify();
    QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
    QVERIFY(!report.nothingApplied);
    const QStringList names = differenceNames(report);
    for (const QString &table : {u"algorithm_changelog"_s, u"algorithm_chat_history"_s,
                                 u"algorithm_metrics"_s, u"algorithm_parameters"_s}) {
        QCOMPARE(names.count(u"missing table "_s + table), 1);
        for (const SchemaDifference &difference : report.differences) {
            QVERIFY2(difference.object().table != table ||
                         difference.object().kind == QLatin1String("table"),
                     qPrintable(difference.describe()));
        }
    }
    QVERIFY(!report.clean());
    QCOMPARE(report.expectedTables, 5);
    QCOMPARE(value(db, HistoryExistsSql), u"f"_s);
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::noTransactionMigrationRuns()
{
    TestDatabase db(u"notx"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_t.sql"_s),
                      "CREATE TABLE t (a int, b int);\n"
                      "INSERT INTO t SELECT g, g % 7 FROM generate_series(1, 1000) g;\n"));
    QVERIFY(writeFile(dir.filePath(u"002_t_index.sql"_s),
                      "-- algoadmin:no-transaction\n"
                      "-- built without blocking writers\n"
                      "CREATE INDEX CONCURRENTLY idx_t_a ON t (a);\n"
                      "CREATE INDEX CONCURRENTLY idx_t_b ON t (b);\n"));
    QVERIFY(writeFile(dir.filePath(u"003_u.sql"_s), "CREATE TABLE u (id int);\n"));
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    QVERIFY(set.migrations.at(0).transactional);
    QVERIFY(!set.migrations.at(1).transactional);

    MigrationEngine engine(db.options(), set);
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(outcomeStates(report),
             QStringList({u"001_t=applied"_s, u"002_t_index=applied"_s, u"003_u=applied"_s}));
    QCOMPARE(report.steps.size(), 5);
    for (const StepReport &step : report.steps) {
        QCOMPARE(step.stateName(), u"done"_s);
        QVERIFY(step.ms >= 0);
    }
    QCOMPARE(report.steps.at(2).line, 3);
    QCOMPARE(report.steps.at(3).line, 4);
    QCOMPARE(rows(db, "SELECT i.relname, x.indisvalid FROM pg_index x"
                      " JOIN pg_class i ON i.oid = x.indexrelid"
                      " WHERE x.indrelid = 't'::regclass ORDER BY 1"),
             QStringList({u"idx_t_a|t"_s, u"idx_t_b|t"_s}));
    QCOMPARE(rows(db, "SELECT version, jsonb_array_length(steps) FROM algoadmin_schema_history"
                      " ORDER BY version"),
             QStringList({u"001|2"_s, u"002|2"_s, u"003|1"_s}));
    // verify replays it inside its rolled-back transaction all the same.
    const VerifyReport verify = engine.verify();
    QVERIFY2(!verify.error.isError(), qPrintable(verify.error.toString()));
    QCOMPARE(verify.differences.size(), 0);
    QVERIFY(verify.clean());
}

void TestMigrationEngine::noTransactionMigrationFailingMidway()
{
    TestDatabase db(u"notxfail"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_nt.sql"_s), "-- algoadmin:no-transaction\n"
                                                     "CREATE TABLE n1 (a int);\n"
                                                     "CREATE INDEX CONCURRENTLY n1_a ON n1 (a);\n"
                                                     "SELECT 1 / 0;\n"
                                                     "CREATE TABLE n2 (a int);\n"));
    QVERIFY(writeFile(dir.filePath(u"002_after.sql"_s), "CREATE TABLE after_nt (a int);\n"));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QCOMPARE(outcomeName(report.outcome), u"Failed"_s);
    QCOMPARE(report.error.where, u"001_nt.sql:4"_s);
    QCOMPARE(report.error.sqlState, u"22012"_s);
    // Each statement committed by itself: the report says so, and the progress table which
    // (tst_migrationresume resumes such runs).
    QVERIFY2(report.error.hint.contains(u"stay committed"_s), qPrintable(report.error.hint));
    QCOMPARE(outcomeStates(report), QStringList({u"001_nt=failed"_s, u"002_after=not run"_s}));
    QCOMPARE(rows(db, TablesSql),
             QStringList({u"algoadmin_schema_history"_s, u"algoadmin_schema_progress"_s, u"n1"_s}));
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList());
    QCOMPARE(statusStates(engine.status().migrations),
             QStringList({u"001=partial"_s, u"002=pending"_s}));
}

void TestMigrationEngine::migrationChangingSearchPathIsRecorded()
{
    // pg_dump output starts by emptying search_path and qualifies every name; psql runs such a
    // file as it is. The engine's own bookkeeping must not depend on the migration's settings.
    TestDatabase db(u"searchpath"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_dump.sql"_s),
                      "SELECT pg_catalog.set_config('search_path', '', false);\n"
                      "CREATE TABLE public.dumped (id integer);\n"));
    QVERIFY(writeFile(dir.filePath(u"002_after.sql"_s),
                      "CREATE TABLE public.after_dump (id integer);\n"));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(outcomeStates(report), QStringList({u"001_dump=applied"_s, u"002_after=applied"_s}));
    QCOMPARE(rows(db, TablesSql),
             QStringList({u"after_dump"_s, u"algoadmin_schema_history"_s, u"dumped"_s}));
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList({u"001"_s, u"002"_s}));
}

void TestMigrationEngine::concurrentIndexInTransactionalFileFailsCleanly()
{
    TestDatabase db(u"cictx"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // No marker: this file runs in a transaction, where CONCURRENTLY is not allowed.
    QVERIFY(writeFile(dir.filePath(u"001_t.sql"_s), "CREATE TABLE t (a int);\n"
                                                    "CREATE INDEX CONCURRENTLY idx_t_a ON t (a);\n"
                                                    "CREATE TABLE t_after (a int);\n"));
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    QVERIFY(set.migrations.first().transactional);

    MigrationEngine engine(db.options(), set);
    const RunReport report = engine.migrate();
    // Either refused up front or failed by the server: never applied, never half-applied.
    QVERIFY2(report.outcome == RunReport::Outcome::Failed ||
                 report.outcome == RunReport::Outcome::BadInput,
             qPrintable(outcomeName(report.outcome) + u": "_s + report.error.toString()));
    QVERIFY(report.error.isError());
    QCOMPARE(report.error.where, u"001_t.sql:2"_s);
    if (report.outcome == RunReport::Outcome::Failed)
        QCOMPARE(report.error.sqlState, u"25001"_s);
    QStringList tables = rows(db, TablesSql);
    tables.removeAll(u"algoadmin_schema_history"_s);
    QCOMPARE(tables, QStringList());
    QCOMPARE(value(db, "SELECT to_regclass('idx_t_a') IS NULL"), u"t"_s);
    if (value(db, HistoryExistsSql) == u"t"_s)
        QCOMPARE(rows(db, HistoryVersionsSql), QStringList());
}

void TestMigrationEngine::transactionControlIsRefusedBeforeRunning_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("where");
    QTest::newRow("COMMIT") << "CREATE TABLE t (a int);\nCOMMIT;\nCREATE TABLE u (a int);\n"_ba
                            << u"001_t.sql:2"_s;
    QTest::newRow("BEGIN; ... COMMIT")
        << "-- wraps itself\nBEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n"_ba << u"001_t.sql:2"_s;
    QTest::newRow("lower-case rollback")
        << "CREATE TABLE t (a int);\n\n  rollback;\n"_ba << u"001_t.sql:3"_s;
}

void TestMigrationEngine::transactionControlIsRefusedBeforeRunning()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, where);

    TestDatabase db(u"txcontrol"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_t.sql"_s), contents));
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));

    MigrationEngine engine(db.options(), set);
    const RunReport report = engine.migrate();
    QCOMPARE(outcomeName(report.outcome), u"BadInput"_s);
    QCOMPARE(report.error.where, where);
    QVERIFY(!report.error.hint.isEmpty());
    QCOMPARE(report.roundTrips, 0); // refused before connecting
    QCOMPARE(rows(db, TablesSql), QStringList());
    QCOMPARE(value(db, HistoryExistsSql), u"f"_s);
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::roundTripsStayConstant_data()
{
    QTest::addColumn<int>("statements");
    QTest::newRow("10 statements") << 10;
    QTest::newRow("300 statements") << 300;
}

void TestMigrationEngine::roundTripsStayConstant()
{
    QFETCH(int, statements);

    TestDatabase db(u"roundtrips"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray sql = "CREATE TABLE counter (n int);\n";
    for (int i = 2; i <= statements; ++i) {
        sql += i % 2 ? "INSERT INTO counter VALUES (" + QByteArray::number(i) + ");\n"
                     : "CREATE TABLE t_" + QByteArray::number(i) + " (id int);\n";
    }
    QVERIFY(writeFile(dir.filePath(u"001_many.sql"_s), sql));
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY2(set.ok(), qPrintable(set.error));
    QCOMPARE(set.migrations.first().statements.size(), statements);

    MigrationEngine engine(db.options(), set);
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(report.roundTrips, 1); // set-up and every migration in one batch
    QCOMPARE(report.steps.size(), statements);
    double sum = 0;
    for (int i = 0; i < report.steps.size(); ++i) {
        const StepReport &step = report.steps.at(i);
        QCOMPARE(step.stateName(), u"done"_s);
        QVERIFY2(step.ms >= 0, qPrintable(QString::number(i)));
        QCOMPARE(step.step, i + 1);
        QCOMPARE(step.line, i + 1);
        sum += step.ms;
    }
    QVERIFY(qAbs(report.serverMs - sum) < 0.001);
    QCOMPARE(value(db, "SELECT count(*) FROM counter"), QString::number((statements - 1) / 2));
    QCOMPARE(value(db, "SELECT jsonb_array_length(steps) FROM algoadmin_schema_history"),
             QString::number(statements));

    // Status and verify stay constant as well.
    const StatusReport status = engine.status();
    QCOMPARE(status.roundTrips, 1);
    EngineSettings noCache;
    noCache.useExpectedSchemaCache = false;
    const VerifyReport verify = MigrationEngine(db.options(), set, noCache).verify();
    QVERIFY2(!verify.error.isError(), qPrintable(verify.error.toString()));
    // Set-up, the scratch database's statement, CREATE DATABASE, the replay, DROP DATABASE.
    QCOMPARE(verify.roundTrips, 5);
    QCOMPARE(verify.catalogQueries, 2);
    QVERIFY(verify.clean());
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::cancelStopsRunningStatement()
{
    TestDatabase db(u"cancel"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_slow.sql"_s), "CREATE TABLE c1 (id int);\n"
                                                       "SELECT pg_sleep(30);\n"
                                                       "CREATE TABLE c2 (id int);\n"));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    std::atomic<bool> sleeping{false};
    std::atomic<bool> finished{false};
    EngineCallbacks callbacks;
    callbacks.stepStarted = [&](const StepReport &step) {
        if (step.step == 2)
            sleeping = true;
    };
    engine.setCallbacks(callbacks);

    RunReport report;
    QElapsedTimer clock;
    clock.start();
    std::thread runner([&] {
        report = engine.migrate();
        finished = true;
    });
    // Joins the runner whatever happens below, cancelling first if it still runs.
    const auto join = qScopeGuard([&] {
        if (!finished)
            engine.cancel();
        runner.join();
    });
    QVERIFY(waitFor([&] { return sleeping.load(); }, 10000));
    // The statement really runs on the server before it is cancelled.
    QVERIFY(waitFor(
        [&] {
            return value(db, "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                             " current_database() AND wait_event = 'PgSleep'") == u"1"_s;
        },
        10000));
    QVERIFY(!finished);
    engine.cancel();
    QVERIFY(waitFor([&] { return finished.load(); }, 10000));
    const qint64 elapsed = clock.elapsed();

    QCOMPARE(outcomeName(report.outcome), u"Cancelled"_s);
    QVERIFY2(elapsed < 10000, qPrintable(QString::number(elapsed)));
    QCOMPARE(report.error.sqlState, u"57014"_s);
    QCOMPARE(outcomeStates(report), QStringList{u"001_slow=rolled back"_s});
    QCOMPARE(value(db, "SELECT to_regclass('c1') IS NULL AND to_regclass('c2') IS NULL"), u"t"_s);
    if (value(db, HistoryExistsSql) == u"t"_s)
        QCOMPARE(rows(db, HistoryVersionsSql), QStringList());
}

void TestMigrationEngine::cancelWhileWaitingForRunnersLock()
{
    TestDatabase db(u"cancellock"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    PgConnection holder;
    DbError holderError;
    QVERIFY2(holder.open(db.options(), &holderError), qPrintable(holderError.toString()));
    QVERIFY(holder.exec("SELECT pg_advisory_lock($1::bigint)", {AdvisoryLockKey}).ok());

    EngineSettings settings;
    settings.lockTimeoutMs = 20000; // only the cancel may end this wait early
    MigrationEngine engine(db.options(), MigrationSet::bundled(), settings);
    std::atomic<bool> waiting{false};
    std::atomic<bool> finished{false};
    EngineCallbacks callbacks;
    callbacks.lockWaitObserved = [&](const LockWait &) { waiting = true; };
    engine.setCallbacks(callbacks);

    RunReport report;
    QElapsedTimer clock;
    std::thread runner([&] {
        report = engine.migrate();
        finished = true;
    });
    const auto join = qScopeGuard([&] {
        if (!finished)
            engine.cancel();
        holder.exec("SELECT pg_advisory_unlock_all()");
        runner.join();
    });
    QVERIFY(waitFor([&] { return waiting.load(); }, 10000));
    clock.start();
    engine.cancel();
    QVERIFY(waitFor([&] { return finished.load(); }, 10000));
    const qint64 elapsed = clock.elapsed();

    QCOMPARE(outcomeName(report.outcome), u"Cancelled"_s);
    QVERIFY2(elapsed < 3000, qPrintable(QString::number(elapsed)));
    QCOMPARE(report.error.sqlState, u"57014"_s);
    QCOMPARE(value(db, HistoryExistsSql), u"f"_s);
    QCOMPARE(rows(db, TablesSql), QStringList());
}

void TestMigrationEngine::cancelAfterEverythingCommittedIsNotReportedAsCancelled()
{
    // A cancel that arrives when the server has already committed the whole batch (the client
    // is still reading results) stops nothing: the report must say what happened, that the
    // migration was applied, not that the run was cancelled and rolled back.
    TestDatabase db(u"latecancel"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_a.sql"_s), "CREATE TABLE a (id int);\n"
                                                    "CREATE TABLE b (id int);\n"));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    bool cancelled = false;
    bool committedFirst = false;
    EngineCallbacks callbacks;
    callbacks.stepFinished = [&](const StepReport &step) {
        if (step.step != 1 || cancelled)
            return;
        // The server runs the batch without waiting for this client: wait for its commit.
        committedFirst = waitFor(
            [&] {
                return value(db, "SELECT count(*) FROM algoadmin_schema_history"
                                 " WHERE version = '001'") == u"1"_s;
            },
            5000);
        std::thread([&] { engine.cancel(); }).join();
        cancelled = true;
    };
    engine.setCallbacks(callbacks);
    const RunReport report = engine.migrate();
    QVERIFY(cancelled);
    QVERIFY(committedFirst);
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList{u"001"_s});
    QCOMPARE(rows(db, TablesSql), QStringList({u"a"_s, u"algoadmin_schema_history"_s, u"b"_s}));
    QCOMPARE(outcomeStates(report), QStringList{u"001_a=applied"_s});
    QCOMPARE(outcomeName(report.outcome), u"Ok"_s);
    QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
}

void TestMigrationEngine::statementTimeoutFailsTheMigration()
{
    TestDatabase db(u"stmttimeout"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_slow.sql"_s), "CREATE TABLE s1 (id int);\n"
                                                       "SELECT pg_sleep(10);\n"
                                                       "CREATE TABLE s2 (id int);\n"));
    EngineSettings settings;
    settings.statementTimeoutMs = 300;
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()), settings);
    QElapsedTimer clock;
    clock.start();
    const RunReport report = engine.migrate();
    const qint64 elapsed = clock.elapsed();

    // The server cancelled it, not the user: a failure, named as the server names it.
    QCOMPARE(outcomeName(report.outcome), u"Failed"_s);
    QVERIFY2(elapsed < 3000, qPrintable(QString::number(elapsed)));
    QCOMPARE(report.error.sqlState, u"57014"_s);
    QCOMPARE(report.error.where, u"001_slow.sql:2"_s);
    QVERIFY2(report.error.message.contains(u"statement timeout"_s),
             qPrintable(report.error.message));
    QCOMPARE(outcomeStates(report), QStringList{u"001_slow=failed"_s});
    QCOMPARE(value(db, "SELECT to_regclass('s1') IS NULL AND to_regclass('s2') IS NULL"), u"t"_s);
    QCOMPARE(rows(db, HistoryVersionsSql), QStringList());
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::stepCallbacksFireInOrder()
{
    TestDatabase db(u"callbacks"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(dir.filePath(u"001_first.sql"_s), "CREATE TABLE a (id int);\n"
                                                        "INSERT INTO a VALUES (1);\n"
                                                        "CREATE INDEX a_id ON a (id);\n"));
    QVERIFY(writeFile(dir.filePath(u"002_second.sql"_s), "-- second\n"
                                                         "CREATE TABLE b (id int);\n"
                                                         "DROP TABLE a;\n"));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    QStringList events;
    QList<double> finishedMs;
    const Qt::HANDLE caller = QThread::currentThreadId();
    bool otherThread = false;
    EngineCallbacks callbacks;
    callbacks.stepStarted = [&](const StepReport &step) {
        otherThread |= QThread::currentThreadId() != caller;
        events.append(u"start %1/%2 %3:%4 %5"_s.arg(step.migration)
                          .arg(step.step)
                          .arg(step.fileName)
                          .arg(step.line)
                          .arg(step.summary));
    };
    callbacks.stepFinished = [&](const StepReport &step) {
        otherThread |= QThread::currentThreadId() != caller;
        events.append(
            u"finish %1/%2 %3"_s.arg(step.migration).arg(step.step).arg(step.stateName()));
        finishedMs.append(step.ms);
    };
    engine.setCallbacks(callbacks);
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(events, QStringList({
                         u"start 001_first/1 001_first.sql:1 CREATE TABLE a"_s,
                         u"finish 001_first/1 done"_s,
                         u"start 001_first/2 001_first.sql:2 INSERT INTO a"_s,
                         u"finish 001_first/2 done"_s,
                         u"start 001_first/3 001_first.sql:3 CREATE INDEX a_id"_s,
                         u"finish 001_first/3 done"_s,
                         u"start 002_second/1 002_second.sql:2 CREATE TABLE b"_s,
                         u"finish 002_second/1 done"_s,
                         u"start 002_second/2 002_second.sql:3 DROP TABLE a"_s,
                         u"finish 002_second/2 done"_s,
                     }));
    QVERIFY(!otherThread); // the callbacks run on the calling thread
    QCOMPARE(finishedMs.size(), 5);
    for (int i = 0; i < finishedMs.size(); ++i) {
        QVERIFY2(finishedMs.at(i) >= 0, qPrintable(QString::number(i)));
        QCOMPARE(finishedMs.at(i), report.steps.at(i).ms);
    }
}

// Results come back at the end of each migration and whenever the server's output buffer fills,
// not after each statement: a slow step after fast ones is named by the server (pg_stat_activity)
// while it runs, before any result of its migration has arrived, and the fast ones are reported
// finished then, their times following with their results.
void TestMigrationEngine::aSlowStepIsReportedWhileItRuns()
{
    TestDatabase db(u"slow_step"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray sql;
    for (int i = 0; i < 20; ++i)
        sql += "CREATE TABLE fast" + QByteArray::number(i) + " (id int);\n";
    sql += "SELECT pg_sleep(2);\nCREATE TABLE after_sleep (id int);\n";
    QVERIFY(writeFile(dir.filePath(u"001_slow.sql"_s), sql));
    MigrationEngine engine(db.options(), MigrationSet::fromDirectory(dir.path()));
    QHash<int, double> finishedMs; // each step's last report: -1 until its time is back
    int finishedBefore = -1;       // steps reported finished when the slow one was reported
    QString sleepingThen;          // what the server said our backend was doing then
    EngineCallbacks callbacks;
    callbacks.stepStarted = [&](const StepReport &step) {
        if (step.step != 21 || finishedBefore >= 0)
            return;
        finishedBefore = int(finishedMs.size());
        sleepingThen = value(db, "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                                 " current_database() AND wait_event = 'PgSleep'");
    };
    callbacks.stepFinished = [&](const StepReport &step) {
        QCOMPARE(step.state, StepReport::State::Done);
        finishedMs[step.step] = step.ms;
    };
    engine.setCallbacks(callbacks);
    const RunReport report = engine.migrate();
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(sleepingThen, u"1"_s);
    // The fast steps before it had finished on the server and were reported so.
    QCOMPARE(finishedBefore, 20);
    // Each step's time came with its result in the end.
    QCOMPARE(int(finishedMs.size()), 22);
    for (auto it = finishedMs.cbegin(); it != finishedMs.cend(); ++it) {
        QVERIFY2(it.value() >= 0, qPrintable(QString::number(it.key())));
        QCOMPARE(it.value(), report.steps.at(it.key() - 1).ms);
    }
    QVERIFY(report.steps.at(20).ms >= 2000);
    for (const StepReport &step : report.steps)
        QCOMPARE(step.state, StepReport::State::Done);
}

// ---------------------------------------------------------------------------------------------

void TestMigrationEngine::badMigrationDirectoryIsAnError_data()
{
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QStringList>("contents");
    QTest::addColumn<QStringList>("errorParts"); // all must appear in the error

    QTest::newRow("misnamed .sql file") << QStringList({u"001_ok.sql"_s, u"add-columns.sql"_s})
                                        << QStringList({u"SELECT 1;"_s, u"SELECT 2;"_s})
                                        << QStringList({u"add-columns.sql"_s, u"NNN_name.sql"_s});
    QTest::newRow("version without a name")
        << QStringList({u"001.sql"_s}) << QStringList({u"SELECT 1;"_s})
        << QStringList({u"001.sql"_s, u"NNN_name.sql"_s});
    QTest::newRow("two files with the same version")
        << QStringList({u"001_a.sql"_s, u"002_b.sql"_s, u"002_c.sql"_s})
        << QStringList({u"SELECT 1;"_s, u"SELECT 2;"_s, u"SELECT 3;"_s})
        << QStringList({u"002_b.sql"_s, u"002_c.sql"_s, u"same version"_s});
    QTest::newRow("same version number written differently")
        << QStringList({u"001_a.sql"_s, u"1_b.sql"_s})
        << QStringList({u"SELECT 1;"_s, u"SELECT 2;"_s})
        << QStringList({u"001_a.sql"_s, u"1_b.sql"_s, u"same version"_s});
    QTest::newRow("unterminated dollar quote")
        << QStringList({u"001_a.sql"_s, u"002_fn.sql"_s})
        << QStringList(
               {u"SELECT 1;"_s, u"SELECT 1;\n\nDO $body$\nBEGIN\n    RAISE NOTICE 'x';\nEND;\n"_s})
        << QStringList({u"002_fn.sql:3:"_s, u"$body$"_s});
    QTest::newRow("empty directory")
        << QStringList() << QStringList() << QStringList({u"no NNN_name.sql files"_s});
}

void TestMigrationEngine::badMigrationDirectoryIsAnError()
{
    QFETCH(QStringList, names);
    QFETCH(QStringList, contents);
    QFETCH(QStringList, errorParts);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int i = 0; i < names.size(); ++i)
        QVERIFY(writeFile(dir.filePath(names.at(i)), contents.at(i).toUtf8()));
    // Files that are not .sql are not migrations and never an error.
    QVERIFY(writeFile(dir.filePath(u"README.md"_s), "notes"));

    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY(!set.ok());
    for (const QString &part : errorParts)
        QVERIFY2(set.error.contains(part), qPrintable(set.error));

    // The engine refuses the set without connecting anywhere.
    ConnectionOptions nowhere;
    nowhere.database = u"host=127.0.0.1 port=1 dbname=nowhere connect_timeout=1"_s;
    MigrationEngine engine(nowhere, set);
    const RunReport report = engine.migrate();
    QCOMPARE(outcomeName(report.outcome), u"BadInput"_s);
    QCOMPARE(report.error.message, set.error);
    QCOMPARE(report.roundTrips, 0);
    QCOMPARE(engine.verify().error.message, set.error);
    QCOMPARE(engine.status().error.message, set.error);
}

QTEST_GUILESS_MAIN(TestMigrationEngine)
#include "tst_migrationengine.moc"
