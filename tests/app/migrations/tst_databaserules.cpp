// The rules the database keeps by itself (sql/003 onward), whichever client writes: audit of
// every change of a current value or of is_active, the agent's config kept in step, the
// append-only changelog, the change feed, the foreign keys; and that the migrations adopt an
// old application's database without losing a row, leave the demo seed working and verify
// clean. Every check goes through raw SQL, as psql would send it.

#include "db/pgconnection.h"
#include "migrations/migrationengine.h"
#include "sandbox/sandbox.h"
#include "testdatabase.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QTest>

#include <memory>

#include <libpq-fe.h>
#include <poll.h>

using namespace Qt::StringLiterals;

namespace {

const QString Null;

// Empty when the statement succeeded, otherwise the server's error.
QString run(PgConnection &connection, const QByteArray &sql, const QList<QByteArray> &params = {})
{
    const PgResult result = connection.exec(sql, params);
    return result.ok() ? QString() : result.error().toString();
}

bool open(PgConnection &connection, const ConnectionOptions &options, QString *error)
{
    DbError dbError;
    if (connection.open(options, &dbError))
        return true;
    *error = dbError.toString();
    return false;
}

// An agent with one parameter of each type; its current_config matches them.
const QByteArray CreateAgentSql = R"SQL(
WITH agent AS (
    INSERT INTO algorithm_agents (algorithm_id, name, is_active, current_config)
    VALUES ($1::varchar, 'agent ' || $1::varchar, true,
            '{"learning_rate": 0.01, "window_days": 14, "enable_cache": true,
              "strategy": "balanced"}')
    RETURNING algorithm_id
)
INSERT INTO algorithm_parameters (algorithm_id, parameter_name, parameter_type, current_value,
                                  default_value, min_value, max_value)
SELECT agent.algorithm_id, p.*
FROM agent, (VALUES ('learning_rate', 'float', '0.01', '0.01', '0.0001', '1'),
                    ('window_days', 'integer', '14', '30', '1', '365'),
                    ('enable_cache', 'boolean', 'true', 'true', NULL, NULL),
                    ('strategy', 'string', 'balanced', 'balanced', NULL, NULL)) AS p
)SQL";

const QByteArray ChangelogSql =
    "SELECT algorithm_id, user_id, parameter_name, old_value, new_value, reason,"
    " modified_at::text, db_role, source, change_set"
    " FROM algorithm_changelog WHERE algorithm_id = $1 ORDER BY modified_at, id";
const QByteArray ChangelogCountSql = "SELECT count(*) FROM algorithm_changelog";
const QByteArray ParameterValuesSql =
    "SELECT parameter_name, current_value FROM algorithm_parameters"
    " WHERE algorithm_id = $1 ORDER BY parameter_name";
const QByteArray AgentStateSql =
    "SELECT current_config::text, last_modified_by, last_modified_at::text, is_active"
    " FROM algorithm_agents WHERE algorithm_id = $1";

// Notifications that arrived on `connection` within timeoutMs, until `wanted` are there.
QStringList notifications(PgConnection &connection, int wanted, int timeoutMs)
{
    QStringList payloads;
    QElapsedTimer clock;
    clock.start();
    PGconn *conn = connection.handle();
    for (;;) {
        if (!PQconsumeInput(conn))
            return {u"error: "_s + QString::fromUtf8(PQerrorMessage(conn))};
        while (PGnotify *notify = PQnotifies(conn)) {
            payloads.append(QString::fromUtf8(notify->relname) + u' ' +
                            QString::fromUtf8(notify->extra));
            PQfreemem(notify);
        }
        const qint64 left = timeoutMs - clock.elapsed();
        if (payloads.size() >= wanted || left <= 0)
            return payloads;
        pollfd fd{PQsocket(conn), POLLIN, 0};
        poll(&fd, 1, int(qMin<qint64>(left, 100)));
    }
}

QString payload(const QString &algorithmId, const QString &parameter, const QString &changeSet)
{
    QJsonObject object{{u"algorithm_id"_s, algorithmId},
                       {u"parameter_name"_s, parameter},
                       {u"change_set"_s,
                        changeSet.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(changeSet)}};
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// A notification as "channel {compact JSON with sorted keys}", comparable with payload().
QString normalised(const QString &notification)
{
    const qsizetype space = notification.indexOf(u' ');
    const QJsonDocument json = QJsonDocument::fromJson(notification.mid(space + 1).toUtf8());
    if (space < 0 || !json.isObject())
        return notification;
    return notification.left(space) + u' ' + QString::fromUtf8(json.toJson(QJsonDocument::Compact));
}

// The old Node application's tables (001 before it was idempotent, no 002 columns), with data
// that breaks the new rules: orphans and values that would now be refused.
const char OldApplicationSql[] = R"SQL(
CREATE TABLE algorithm_agents (
    id VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50) NOT NULL, name VARCHAR(200), description TEXT,
    file_path VARCHAR(500), algorithm_type VARCHAR(50), esa_layers INTEGER[],
    impact_score INTEGER, is_active BOOLEAN,
    created_at TIMESTAMP DEFAULT now(), updated_at TIMESTAMP DEFAULT now());
CREATE TABLE algorithm_parameters (
    id VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50), parameter_name VARCHAR(100), parameter_type VARCHAR(50),
    current_value TEXT, default_value TEXT, min_value TEXT, max_value TEXT, description TEXT,
    impact_description TEXT, created_at TIMESTAMP DEFAULT now());
CREATE TABLE algorithm_changelog (
    id VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50), user_id INTEGER, parameter_name VARCHAR(100), old_value TEXT,
    new_value TEXT, reason TEXT, modified_at TIMESTAMP DEFAULT now());
CREATE TABLE algorithm_chat_history (
    id VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50), user_id INTEGER, message TEXT, response TEXT,
    created_at TIMESTAMP DEFAULT now());
CREATE TABLE algorithm_metrics (
    id VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50), metric_name VARCHAR(100), metric_value NUMERIC,
    recorded_at TIMESTAMP DEFAULT now());
CREATE UNIQUE INDEX algorithm_agents_algorithm_id_key ON algorithm_agents (algorithm_id);
CREATE UNIQUE INDEX idx_algorithm_parameters_algorithm_parameter
    ON algorithm_parameters (algorithm_id, parameter_name);

INSERT INTO algorithm_agents (id, algorithm_id, name, is_active, created_at, updated_at)
VALUES ('agent-1', 'A1', 'Lead scoring', true, '2024-01-02 03:04:05', '2024-02-03 04:05:06'),
       ('agent-2', 'A2', 'Feed ranking', false, '2024-03-04 05:06:07', '2024-03-04 05:06:07');
INSERT INTO algorithm_parameters (id, algorithm_id, parameter_name, parameter_type,
                                  current_value, default_value, min_value, max_value,
                                  created_at)
VALUES ('param-1', 'A1', 'threshold', 'float', '0.3', '0.5', '0', '1', '2024-01-02 03:04:05'),
       ('param-2', 'A1', 'window', 'integer', 'abc', '7', '1', '90', '2024-01-02 03:04:05'),
       ('param-3', 'A1', 'rate', 'float', '5', '0.5', '0', '1', '2024-01-02 03:04:05'),
       ('param-4', 'A1', 'mode', 'json', '{}', NULL, NULL, NULL, '2024-01-02 03:04:05'),
       ('param-5', 'A1', 'span', 'integer', '5', '5', '10', '1', '2024-01-02 03:04:05'),
       ('param-6', 'A9', 'ghost', 'integer', '1', '1', NULL, NULL, '2024-01-02 03:04:05'),
       ('param-7', 'A2', 'enabled', 'boolean', 'maybe', 'false', NULL, NULL,
        '2024-03-04 05:06:07');
INSERT INTO algorithm_changelog (id, algorithm_id, user_id, parameter_name, old_value,
                                 new_value, reason, modified_at)
VALUES ('change-1', 'A1', 7, 'threshold', '0.5', '0.3', 'fewer false negatives',
        '2024-04-05 06:07:08'),
       ('change-2', 'A9', 9, 'ghost', '0', '1', 'agent long gone', '2024-05-06 07:08:09');
INSERT INTO algorithm_metrics (id, algorithm_id, metric_name, metric_value, recorded_at)
VALUES ('metric-1', 'A1', 'ctr', 0.125, '2024-04-05 06:07:08'),
       ('metric-2', 'A9', 'ctr', 0.5, '2024-04-05 06:07:08');
INSERT INTO algorithm_chat_history (id, algorithm_id, user_id, message, response, created_at)
VALUES ('chat-1', 'A1', 7, 'why?', 'because', '2024-04-05 06:07:08');
)SQL";

QStringList oldApplicationRows(PgConnection &connection)
{
    QStringList all;
    all << rows(connection, "SELECT id, algorithm_id, name, is_active, created_at::text,"
                            " updated_at::text FROM algorithm_agents ORDER BY id")
        << rows(connection, "SELECT id, algorithm_id, parameter_name, parameter_type,"
                            " current_value, default_value, min_value, max_value,"
                            " created_at::text FROM algorithm_parameters ORDER BY id")
        << rows(connection, "SELECT id, algorithm_id, user_id, parameter_name, old_value,"
                            " new_value, reason, modified_at::text"
                            " FROM algorithm_changelog ORDER BY id")
        << rows(connection, "SELECT id, algorithm_id, metric_name, metric_value,"
                            " recorded_at::text FROM algorithm_metrics ORDER BY id")
        << rows(connection, "SELECT id, algorithm_id, user_id, message, response,"
                            " created_at::text FROM algorithm_chat_history ORDER BY id");
    return all;
}

const QByteArray ForeignKeysSql =
    "SELECT conrelid::regclass::text, conname, convalidated, pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
    " ORDER BY 1";

QStringList expectedForeignKeys(bool parametersValid, bool metricsValid, bool chatValid)
{
    const auto key = [](const char *table, bool valid) {
        return u"%1|%1_algorithm_id_fkey|%2|FOREIGN KEY (algorithm_id) REFERENCES "
               "algorithm_agents(algorithm_id) ON UPDATE CASCADE%3"_s.arg(
                   QLatin1String(table), valid ? u"t"_s : u"f"_s,
                   valid ? QString() : u" NOT VALID"_s);
    };
    return {key("algorithm_chat_history", chatValid), key("algorithm_metrics", metricsValid),
            key("algorithm_parameters", parametersValid)};
}

const QByteArray TriggersSql =
    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    " ORDER BY 1, 2";
const QStringList ExpectedTriggers{
    u"algorithm_agents|algoadmin_audit_agent_active"_s,
    u"algorithm_agents|algoadmin_notify_agent_active"_s,
    u"algorithm_changelog|algoadmin_changelog_append_only"_s,
    u"algorithm_parameters|algoadmin_audit_parameter"_s,
    u"algorithm_parameters|algoadmin_check_parameter"_s,
    u"algorithm_parameters|algoadmin_notify_parameter"_s,
    u"algorithm_parameters|algoadmin_sync_config"_s,
};

} // namespace

class TestDatabaseRules : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void rawUpdateIsAuditedAndSynced_data();
    void rawUpdateIsAuditedAndSynced();
    void unchangedValueWritesNothing();
    void outOfBoundsUpdateIsRefused();
    void badUserIdSettingIsAnError_data();
    void badUserIdSettingIsAnError();
    void changelogIsAppendOnly_data();
    void changelogIsAppendOnly();
    void isActiveToggleIsAudited();
    void changesAreNotifiedAtCommit();
    void foreignKeysRefuseOrphans_data();
    void foreignKeysRefuseOrphans();
    void renamedAlgorithmIdCascades();
    void migrationsCanRunAgain();
    void oldApplicationDatabaseKeepsEveryRow();
    void demoSeedStillWorks();
    void verifyIsCleanAfterMigrate();

private:
    // Creates a fresh agent (see CreateAgentSql); its id, or empty (with a warning) on failure.
    QByteArray newAgent();

    std::unique_ptr<TestDatabase> m_db;
    PgConnection m_conn; // application_name "algoadmin-test"
    PgConnection m_psql; // application_name "psql"
    int m_agents = 0;
};

void TestDatabaseRules::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"dbrules"_s);
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    const RunReport report = migrateDatabase(m_db->options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QString error;
    QVERIFY2(open(m_conn, m_db->options(), &error), qPrintable(error));
    ConnectionOptions psql = m_db->options();
    psql.applicationName = u"psql"_s;
    QVERIFY2(open(m_psql, psql, &error), qPrintable(error));
    QCOMPARE(value(m_psql, "SELECT current_setting('application_name')"), u"psql"_s);
}

void TestDatabaseRules::cleanupTestCase()
{
    m_conn.close();
    m_psql.close();
}

QByteArray TestDatabaseRules::newAgent()
{
    const QByteArray id = "R" + QByteArray::number(++m_agents);
    const QString error = run(m_conn, CreateAgentSql, {id});
    if (!error.isEmpty()) {
        qWarning("creating agent %s: %s", id.constData(), qPrintable(error));
        return {};
    }
    return id;
}

// ---------------------------------------------------------------------------------------------

void TestDatabaseRules::rawUpdateIsAuditedAndSynced_data()
{
    QTest::addColumn<QStringList>("settings"); // algoadmin.* settings, "name=value"
    QTest::addColumn<QString>("application");  // application_name for the transaction
    QTest::addColumn<QString>("parameter");
    QTest::addColumn<QString>("oldValue");
    QTest::addColumn<QString>("newValue");
    QTest::addColumn<QString>("userId");    // expected changelog/agent user ("<null>")
    QTest::addColumn<QString>("reason");    // expected changelog reason
    QTest::addColumn<QString>("changeSet"); // expected changelog change_set
    QTest::addColumn<QString>("source");    // expected changelog source
    QTest::addColumn<QString>("json");      // current_config -> parameter, or <absent>
    QTest::addColumn<QString>("jsonType");

    const QString none = u"<null>"_s;
    QTest::newRow("psql, no settings")
        << QStringList() << u"psql"_s << u"learning_rate"_s << u"0.01"_s << u"0.3"_s << none << none
        << none << u"psql"_s << u"0.3"_s << u"number"_s;
    QTest::newRow("the application, every setting")
        << QStringList{u"user_id=42"_s, u"reason=more recall"_s, u"change_set=cs-1"_s}
        << u"algoadmin"_s << u"window_days"_s << u"14"_s << u"30"_s << u"42"_s << u"more recall"_s
        << u"cs-1"_s << u"algoadmin"_s << u"30"_s << u"number"_s;
    QTest::newRow("empty settings are unset")
        << QStringList{u"user_id="_s, u"reason="_s, u"change_set="_s} << u"psql"_s << u"strategy"_s
        << u"balanced"_s << u"greedy"_s << none << none << none << u"psql"_s << u"\"greedy\""_s
        << u"string"_s;
    QTest::newRow("empty application_name")
        << QStringList{u"user_id= 7 "_s} << u""_s << u"strategy"_s << u"balanced"_s
        << u"conservative"_s << u"7"_s << none << none << none << u"\"conservative\""_s
        << u"string"_s;
    QTest::newRow("boolean spelled off")
        << QStringList{u"user_id=-3"_s} << u"psql"_s << u"enable_cache"_s << u"true"_s << u"off"_s
        << u"-3"_s << none << none << u"psql"_s << u"false"_s << u"boolean"_s;
    QTest::newRow("exact decimal")
        << QStringList() << u"psql"_s << u"learning_rate"_s << u"0.01"_s
        << u"0.1000000000000000000000000000001"_s << none << none << none << u"psql"_s
        << u"0.1000000000000000000000000000001"_s << u"number"_s;
    QTest::newRow("leading zeros")
        << QStringList() << u"psql"_s << u"window_days"_s << u"14"_s << u"007"_s << none << none
        << none << u"psql"_s << u"7"_s << u"number"_s;
    QTest::newRow("NULL removes the key")
        << QStringList{u"change_set=cs-null"_s} << u"psql"_s << u"strategy"_s << u"balanced"_s
        << Null << none << none << u"cs-null"_s << u"psql"_s << u"<absent>"_s << u"<absent>"_s;
}

void TestDatabaseRules::rawUpdateIsAuditedAndSynced()
{
    QFETCH(QStringList, settings);
    QFETCH(QString, application);
    QFETCH(QString, parameter);
    QFETCH(QString, oldValue);
    QFETCH(QString, newValue);
    QFETCH(QString, userId);
    QFETCH(QString, reason);
    QFETCH(QString, changeSet);
    QFETCH(QString, source);
    QFETCH(QString, json);
    QFETCH(QString, jsonType);

    const QByteArray agent = newAgent();
    QVERIFY(!agent.isEmpty());
    const QString before = value(m_conn, ChangelogCountSql);

    QCOMPARE(run(m_psql, "BEGIN"), QString());
    for (const QString &setting : settings) {
        const qsizetype eq = setting.indexOf(u'=');
        QCOMPARE(run(m_psql, "SELECT set_config('algoadmin.' || $1, $2, true)",
                     {setting.left(eq).toUtf8(), sqlText(setting.mid(eq + 1))}),
                 QString());
    }
    if (application != u"psql"_s)
        QCOMPARE(
            run(m_psql, "SELECT set_config('application_name', $1, true)", {sqlText(application)}),
            QString());
    const QString now = value(m_psql, "SELECT now()::timestamp::text");
    const PgResult update = m_psql.exec("UPDATE algorithm_parameters SET current_value = $3"
                                        " WHERE algorithm_id = $1 AND parameter_name = $2",
                                        {agent, parameter.toUtf8(), sqlText(newValue)});
    QVERIFY2(update.ok(), qPrintable(update.error().toString()));
    QCOMPARE(update.commandTag(), u"UPDATE 1"_s);
    QCOMPARE(run(m_psql, "COMMIT"), QString());

    // Exactly one changelog row, every column right.
    const QString role = value(m_psql, "SELECT session_user");
    const QStringList expected{QString::fromUtf8(agent),
                               userId,
                               parameter,
                               oldValue,
                               newValue.isNull() ? u"<null>"_s : newValue,
                               reason,
                               now,
                               role,
                               source,
                               changeSet};
    QCOMPARE(rows(m_conn, ChangelogSql, {agent}), QStringList{expected.join(u'|')});
    QCOMPARE(value(m_conn, ChangelogCountSql), QString::number(before.toInt() + 1));

    // The agent's config has the typed value; the other keys are as they were.
    QCOMPARE(value(m_conn,
                   "SELECT coalesce((current_config -> $2)::text, '<absent>'),"
                   " coalesce(jsonb_typeof(current_config -> $2), '<absent>'),"
                   " last_modified_by, last_modified_at::text"
                   " FROM algorithm_agents WHERE algorithm_id = $1",
                   {agent, parameter.toUtf8()}),
             json + u'|' + jsonType + u'|' + userId + u'|' + now);
    QCOMPARE(value(m_conn,
                   "SELECT (current_config - $2)::text FROM algorithm_agents"
                   " WHERE algorithm_id = $1",
                   {agent, parameter.toUtf8()}),
             value(m_conn, "SELECT ($1::jsonb - $2)::text",
                   {R"({"learning_rate": 0.01, "window_days": 14, "enable_cache": true,
                        "strategy": "balanced"})",
                    parameter.toUtf8()}));
}

void TestDatabaseRules::unchangedValueWritesNothing()
{
    const QByteArray agent = newAgent();
    QVERIFY(!agent.isEmpty());
    const QString before = value(m_conn, ChangelogCountSql);
    const QStringList state = rows(m_conn, AgentStateSql, {agent});

    QCOMPARE(run(m_psql,
                 "UPDATE algorithm_parameters SET current_value = current_value"
                 " WHERE algorithm_id = $1",
                 {agent}),
             QString());
    QCOMPARE(run(m_psql,
                 "UPDATE algorithm_parameters SET description = 'new words'"
                 " WHERE algorithm_id = $1",
                 {agent}),
             QString());
    QCOMPARE(run(m_psql,
                 "UPDATE algorithm_parameters SET current_value = '14.0'"
                 " WHERE algorithm_id = $1 AND parameter_name = 'learning_rate'"
                 " AND false",
                 {agent}),
             QString());
    QCOMPARE(run(m_psql,
                 "UPDATE algorithm_agents SET is_active = true, name = 'renamed'"
                 " WHERE algorithm_id = $1",
                 {agent}),
             QString());

    QCOMPARE(value(m_conn, ChangelogCountSql), before);
    QCOMPARE(rows(m_conn, AgentStateSql, {agent}), state);
    QCOMPARE(state.value(0).section(u'|', 1, 2), u"<null>|<null>"_s);
}

void TestDatabaseRules::outOfBoundsUpdateIsRefused()
{
    const QByteArray agent = newAgent();
    QVERIFY(!agent.isEmpty());
    const QString before = value(m_conn, ChangelogCountSql);
    const QStringList values = rows(m_conn, ParameterValuesSql, {agent});
    const QStringList state = rows(m_conn, AgentStateSql, {agent});

    const PgResult single =
        m_psql.exec("UPDATE algorithm_parameters SET current_value = '1.5'"
                    " WHERE algorithm_id = $1 AND parameter_name = 'learning_rate'",
                    {agent});
    QVERIFY(!single.ok());
    QCOMPARE(single.error().sqlState, u"23514"_s);
    QCOMPARE(single.error().message,
             u"algorithm %1, parameter learning_rate: 1.5 is above the maximum 1 "
             "(allowed 0.0001 … 1)"_s.arg(QString::fromUtf8(agent)));

    // One bad row among good ones: the statement changes nothing at all.
    const PgResult several =
        m_psql.exec("UPDATE algorithm_parameters SET current_value = CASE parameter_name"
                    " WHEN 'learning_rate' THEN '0.5' WHEN 'window_days' THEN '1000'"
                    " WHEN 'strategy' THEN 'greedy' ELSE current_value END WHERE algorithm_id = $1",
                    {agent});
    QVERIFY(!several.ok());
    QCOMPARE(several.error().sqlState, u"23514"_s);
    QVERIFY2(several.error().message.contains(u"1000 is above the maximum 365"_s),
             qPrintable(several.error().message));

    // A bad default is refused the same way.
    const PgResult defaultValue =
        m_psql.exec("UPDATE algorithm_parameters SET default_value = 'yes please'"
                    " WHERE algorithm_id = $1 AND parameter_name = 'enable_cache'",
                    {agent});
    QCOMPARE(defaultValue.error().sqlState, u"23514"_s);
    QVERIFY2(defaultValue.error().detail.contains(u"default_value"_s),
             qPrintable(defaultValue.error().toString()));

    QCOMPARE(rows(m_conn, ParameterValuesSql, {agent}), values);
    QCOMPARE(rows(m_conn, AgentStateSql, {agent}), state);
    QCOMPARE(value(m_conn, ChangelogCountSql), before);
}

void TestDatabaseRules::badUserIdSettingIsAnError_data()
{
    QTest::addColumn<QString>("userId");
    QTest::newRow("name") << u"bob"_s;
    QTest::newRow("decimal") << u"1.5"_s;
    QTest::newRow("beyond integer") << u"2147483648"_s;
}

void TestDatabaseRules::badUserIdSettingIsAnError()
{
    QFETCH(QString, userId);
    const QByteArray agent = newAgent();
    QVERIFY(!agent.isEmpty());
    const QString before = value(m_conn, ChangelogCountSql);
    const QStringList values = rows(m_conn, ParameterValuesSql, {agent});

    QCOMPARE(run(m_psql, "BEGIN"), QString());
    QCOMPARE(run(m_psql, "SELECT set_config('algoadmin.user_id', $1, true)", {userId.toUtf8()}),
             QString());
    const PgResult update =
        m_psql.exec("UPDATE algorithm_parameters SET current_value = '20'"
                    " WHERE algorithm_id = $1 AND parameter_name = 'window_days'",
                    {agent});
    QCOMPARE(run(m_psql, "ROLLBACK"), QString());
    QVERIFY(!update.ok());
    QCOMPARE(update.error().sqlState, u"22023"_s);
    QCOMPARE(update.error().message,
             u"the setting algoadmin.user_id must be an integer user id, not \"%1\""_s.arg(userId));
    QCOMPARE(rows(m_conn, ParameterValuesSql, {agent}), values);
    QCOMPARE(value(m_conn, ChangelogCountSql), before);
}

void TestDatabaseRules::changelogIsAppendOnly_data()
{
    QTest::addColumn<QByteArray>("statement");
    QTest::addColumn<QString>("operation");
    QTest::newRow("update") << QByteArray("UPDATE algorithm_changelog SET reason = 'rewritten'")
                            << u"UPDATE"_s;
    QTest::newRow("update of no row")
        << QByteArray("UPDATE algorithm_changelog SET reason = 'x' WHERE false") << u"UPDATE"_s;
    QTest::newRow("delete") << QByteArray("DELETE FROM algorithm_changelog") << u"DELETE"_s;
    QTest::newRow("delete one") << QByteArray("DELETE FROM algorithm_changelog WHERE id = 'keep'")
                                << u"DELETE"_s;
    QTest::newRow("truncate") << QByteArray("TRUNCATE algorithm_changelog") << u"TRUNCATE"_s;
}

void TestDatabaseRules::changelogIsAppendOnly()
{
    QFETCH(QByteArray, statement);
    QFETCH(QString, operation);
    // Inserting stays possible, by anyone.
    QCOMPARE(run(m_psql, "INSERT INTO algorithm_changelog (id, algorithm_id, parameter_name,"
                         " old_value, new_value, reason) SELECT 'keep', 'R0', 'p', '1', '2',"
                         " 'original' WHERE NOT EXISTS (SELECT 1 FROM algorithm_changelog"
                         " WHERE id = 'keep')"),
             QString());
    const QString all = rows(m_conn, "SELECT string_agg(id || '|' || coalesce(reason, ''), ','"
                                     " ORDER BY id) FROM algorithm_changelog")
                            .join(u'\n');
    const QString count = value(m_conn, ChangelogCountSql);

    const PgResult result = m_psql.exec(statement);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().sqlState, u"42501"_s);
    QCOMPARE(result.error().message,
             u"public.algorithm_changelog is append-only: %1 is not allowed"_s.arg(operation));

    QCOMPARE(value(m_conn, ChangelogCountSql), count);
    QCOMPARE(rows(m_conn, "SELECT string_agg(id || '|' || coalesce(reason, ''), ','"
                          " ORDER BY id) FROM algorithm_changelog")
                 .join(u'\n'),
             all);
}

void TestDatabaseRules::isActiveToggleIsAudited()
{
    const QByteArray agent = newAgent();
    QVERIFY(!agent.isEmpty());
    const QString config = value(m_conn,
                                 "SELECT current_config::text FROM algorithm_agents"
                                 " WHERE algorithm_id = $1",
                                 {agent});

    QCOMPARE(run(m_psql, "BEGIN"), QString());
    QCOMPARE(run(m_psql, "SELECT set_config('algoadmin.user_id', '5', true),"
                         " set_config('algoadmin.reason', 'pause', true),"
                         " set_config('algoadmin.change_set', 'cs-active', true)"),
             QString());
    const QString now = value(m_psql, "SELECT now()::timestamp::text");
    QCOMPARE(run(m_psql, "UPDATE algorithm_agents SET is_active = false WHERE algorithm_id = $1",
                 {agent}),
             QString());
    QCOMPARE(run(m_psql, "COMMIT"), QString());
    // Unchanged: nothing more. Then to NULL (unknown), which is a change.
    QCOMPARE(run(m_psql, "UPDATE algorithm_agents SET is_active = false WHERE algorithm_id = $1",
                 {agent}),
             QString());
    QCOMPARE(run(m_psql, "UPDATE algorithm_agents SET is_active = NULL WHERE algorithm_id = $1",
                 {agent}),
             QString());

    const QStringList changes = rows(m_conn, ChangelogSql, {agent});
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes.at(0), u"%1|5|is_active|true|false|pause|%2|postgres|psql|cs-active"_s.arg(
                                QString::fromUtf8(agent), now));
    QVERIFY2(changes.at(1).startsWith(QString::fromUtf8(agent) +
                                      u"|<null>|is_active|false|<null>|<null>|"_s),
             qPrintable(changes.at(1)));
    // is_active is not a parameter: the config is untouched.
    QCOMPARE(value(m_conn,
                   "SELECT current_config::text FROM algorithm_agents"
                   " WHERE algorithm_id = $1",
                   {agent}),
             config);
}

void TestDatabaseRules::changesAreNotifiedAtCommit()
{
    const QByteArray agent = newAgent();
    QVERIFY(!agent.isEmpty());
    const QString id = QString::fromUtf8(agent);
    PgConnection listener;
    QString error;
    QVERIFY2(open(listener, m_db->options(), &error), qPrintable(error));
    QCOMPARE(run(listener, "LISTEN algoadmin_changes"), QString());
    const QString channel = u"algoadmin_changes "_s;

    // Nothing before the commit, the payload after it.
    QCOMPARE(run(m_psql, "BEGIN"), QString());
    QCOMPARE(run(m_psql, "SELECT set_config('algoadmin.change_set', 'cs-notify', true)"),
             QString());
    QCOMPARE(run(m_psql,
                 "UPDATE algorithm_parameters SET current_value = '60'"
                 " WHERE algorithm_id = $1 AND parameter_name = 'window_days'",
                 {agent}),
             QString());
    QCOMPARE(run(listener, "SELECT 1"), QString());
    QCOMPARE(notifications(listener, 1, 0), QStringList());
    QCOMPARE(run(m_psql, "COMMIT"), QString());
    QStringList received = notifications(listener, 1, 10000);
    QCOMPARE(received.size(), 1);
    QCOMPARE(normalised(received.first()), channel + payload(id, u"window_days"_s, u"cs-notify"_s));

    // A rolled-back change, and one that changes nothing, are never announced: the next
    // notification is the committed is_active toggle after them.
    QCOMPARE(run(m_psql, "BEGIN"), QString());
    QCOMPARE(run(m_psql,
                 "UPDATE algorithm_parameters SET current_value = '0.5'"
                 " WHERE algorithm_id = $1 AND parameter_name = 'learning_rate'",
                 {agent}),
             QString());
    QCOMPARE(run(m_psql, "ROLLBACK"), QString());
    QCOMPARE(run(m_psql,
                 "UPDATE algorithm_parameters SET current_value = '60'"
                 " WHERE algorithm_id = $1 AND parameter_name = 'window_days'",
                 {agent}),
             QString());
    QCOMPARE(run(m_psql, "UPDATE algorithm_agents SET is_active = false WHERE algorithm_id = $1",
                 {agent}),
             QString());
    received = notifications(listener, 1, 10000);
    QCOMPARE(received.size(), 1);
    QCOMPARE(normalised(received.first()), channel + payload(id, u"is_active"_s, Null));

    // Two parameters in one transaction: two notifications, delivered together at commit.
    QCOMPARE(run(m_psql,
                 "UPDATE algorithm_parameters SET current_value = CASE parameter_name"
                 " WHEN 'strategy' THEN 'greedy' ELSE 'false' END"
                 " WHERE algorithm_id = $1"
                 " AND parameter_name IN ('strategy', 'enable_cache')",
                 {agent}),
             QString());
    received = notifications(listener, 2, 10000);
    for (QString &notification : received)
        notification = normalised(notification);
    received.sort();
    QCOMPARE(received, QStringList({channel + payload(id, u"enable_cache"_s, Null),
                                    channel + payload(id, u"strategy"_s, Null)}));
    QCOMPARE(notifications(listener, 1, 0), QStringList());
}

void TestDatabaseRules::foreignKeysRefuseOrphans_data()
{
    QTest::addColumn<QByteArray>("insert"); // $1 = algorithm_id
    QTest::newRow("parameter") << QByteArray(
        "INSERT INTO algorithm_parameters (algorithm_id, parameter_name, parameter_type,"
        " current_value) VALUES ($1, 'orphan', 'integer', '1')");
    QTest::newRow("metric") << QByteArray("INSERT INTO algorithm_metrics (algorithm_id,"
                                          " metric_name, metric_value) VALUES ($1, 'ctr', 0.1)");
    QTest::newRow("chat") << QByteArray("INSERT INTO algorithm_chat_history (algorithm_id,"
                                        " message) VALUES ($1, 'hello')");
}

void TestDatabaseRules::foreignKeysRefuseOrphans()
{
    QFETCH(QByteArray, insert);
    const PgResult orphan = m_psql.exec(insert, {"NO-SUCH-AGENT"});
    QVERIFY(!orphan.ok());
    QCOMPARE(orphan.error().sqlState, u"23503"_s);
    QCOMPARE(value(m_conn, "SELECT (SELECT count(*) FROM algorithm_parameters WHERE algorithm_id"
                           " = 'NO-SUCH-AGENT') + (SELECT count(*) FROM algorithm_metrics WHERE"
                           " algorithm_id = 'NO-SUCH-AGENT') + (SELECT count(*) FROM"
                           " algorithm_chat_history WHERE algorithm_id = 'NO-SUCH-AGENT')"),
             u"0"_s);
    // The same row for an existing agent is fine.
    const QByteArray agent = newAgent();
    QVERIFY(!agent.isEmpty());
    QCOMPARE(run(m_psql, insert, {agent}), QString());
}

void TestDatabaseRules::renamedAlgorithmIdCascades()
{
    const QByteArray agent = newAgent();
    QVERIFY(!agent.isEmpty());
    const QByteArray renamed = agent + "-renamed";
    QCOMPARE(run(m_conn,
                 "INSERT INTO algorithm_metrics (algorithm_id, metric_name, metric_value)"
                 " VALUES ($1, 'ctr', 0.1), ($1, 'ctr', 0.2)",
                 {agent}),
             QString());
    QCOMPARE(run(m_conn,
                 "INSERT INTO algorithm_chat_history (algorithm_id, message)"
                 " VALUES ($1, 'hello')",
                 {agent}),
             QString());
    QCOMPARE(run(m_conn,
                 "UPDATE algorithm_parameters SET current_value = '21'"
                 " WHERE algorithm_id = $1 AND parameter_name = 'window_days'",
                 {agent}),
             QString());
    // A value the rules would refuse, left from before them (written with triggers off):
    // renaming must not re-check it.
    QCOMPARE(run(m_conn, "SET session_replication_role = replica"), QString());
    QCOMPARE(run(m_conn,
                 "INSERT INTO algorithm_parameters (algorithm_id, parameter_name,"
                 " parameter_type, current_value, min_value, max_value)"
                 " VALUES ($1, 'legacy', 'integer', 'abc', '10', '1')",
                 {agent}),
             QString());
    QCOMPARE(run(m_conn, "RESET session_replication_role"), QString());
    const QString changelog = value(m_conn, ChangelogCountSql);
    const QStringList history = rows(m_conn, ChangelogSql, {agent});
    QCOMPARE(history.size(), 1);
    const QStringList values = rows(m_conn, ParameterValuesSql, {agent});

    QCOMPARE(run(m_psql, "UPDATE algorithm_agents SET algorithm_id = $2 WHERE algorithm_id = $1",
                 {agent, renamed}),
             QString());

    QCOMPARE(rows(m_conn, ParameterValuesSql, {renamed}), values);
    QCOMPARE(value(m_conn,
                   "SELECT (SELECT count(*) FROM algorithm_parameters WHERE algorithm_id = $1)"
                   " || '|' || (SELECT count(*) FROM algorithm_metrics WHERE algorithm_id = $1)"
                   " || '|' || (SELECT count(*) FROM algorithm_chat_history"
                   " WHERE algorithm_id = $1)",
                   {agent}),
             u"0|0|0"_s);
    QCOMPARE(value(m_conn,
                   "SELECT (SELECT count(*) FROM algorithm_parameters WHERE algorithm_id = $1)"
                   " || '|' || (SELECT count(*) FROM algorithm_metrics WHERE algorithm_id = $1)"
                   " || '|' || (SELECT count(*) FROM algorithm_chat_history"
                   " WHERE algorithm_id = $1)",
                   {renamed}),
             u"5|2|1"_s);
    // History keeps the old name and gains nothing: a rename is not a value change.
    QCOMPARE(value(m_conn, ChangelogCountSql), changelog);
    QCOMPARE(rows(m_conn, ChangelogSql, {agent}), history);
    // An agent that still has rows cannot be deleted.
    const PgResult remove =
        m_psql.exec("DELETE FROM algorithm_agents WHERE algorithm_id = $1", {renamed});
    QCOMPARE(remove.error().sqlState, u"23503"_s);
}

void TestDatabaseRules::migrationsCanRunAgain()
{
    // Each statement of 003 onward, run a second time on the migrated database: no error, no
    // duplicate object.
    const MigrationSet set = MigrationSet::bundled();
    QVERIFY2(set.ok(), qPrintable(set.error));
    const QStringList foreignKeys = rows(m_conn, ForeignKeysSql);
    QCOMPARE(foreignKeys, expectedForeignKeys(true, true, true));
    QCOMPARE(rows(m_conn, TriggersSql), ExpectedTriggers);
    int statements = 0;
    for (const Migration &migration : set.migrations) {
        if (migration.versionNumber() < 3)
            continue;
        for (const SqlStatement &statement : migration.statements) {
            QCOMPARE(run(m_conn, statement.text.toUtf8()), QString());
            ++statements;
        }
    }
    QVERIFY(statements > 0);
    QCOMPARE(rows(m_conn, ForeignKeysSql), foreignKeys);
    QCOMPARE(rows(m_conn, TriggersSql), ExpectedTriggers);
    QCOMPARE(value(m_conn, "SELECT count(*) FROM pg_indexes WHERE indexname ="
                           " 'idx_algorithm_changelog_change_set'"),
             u"1"_s);
}

void TestDatabaseRules::oldApplicationDatabaseKeepsEveryRow()
{
    TestDatabase db(u"rulesoldapp"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    PgConnection connection;
    QString error;
    QVERIFY2(open(connection, db.options(), &error), qPrintable(error));
    const SqlSplitResult split = splitSqlStatements(QString::fromUtf8(OldApplicationSql));
    QVERIFY2(split.ok(), qPrintable(split.error));
    for (const SqlStatement &statement : split.statements)
        QCOMPARE(run(connection, statement.text.toUtf8()), QString());
    const QStringList before = oldApplicationRows(connection);
    QCOMPARE(before.size(), 2 + 7 + 2 + 2 + 1);

    const RunReport report = migrateDatabase(db.options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(oldApplicationRows(connection), before);
    // Orphans keep their keys unvalidated; a clean table gets a validated one.
    QCOMPARE(rows(connection, ForeignKeysSql), expectedForeignKeys(false, false, true));
    QCOMPARE(rows(connection, TriggersSql), ExpectedTriggers);

    // The rules hold for new writes all the same.
    QCOMPARE(connection
                 .exec("INSERT INTO algorithm_metrics (algorithm_id, metric_name)"
                       " VALUES ('A9', 'ctr')")
                 .error()
                 .sqlState,
             u"23503"_s);
    QCOMPARE(connection
                 .exec("UPDATE algorithm_parameters SET current_value = '2'"
                       " WHERE id = 'param-3'")
                 .error()
                 .sqlState,
             u"23514"_s);
    // A legacy row can be repaired value by value: its other, still invalid value is not
    // re-checked.
    QCOMPARE(run(connection, "UPDATE algorithm_parameters SET current_value = '42'"
                             " WHERE id = 'param-2'"),
             QString());
    QCOMPARE(run(connection, "UPDATE algorithm_parameters SET default_value = 'true'"
                             " WHERE id = 'param-7'"),
             QString());
    QCOMPARE(run(connection, "UPDATE algorithm_parameters SET description = 'still odd'"
                             " WHERE id IN ('param-4', 'param-5', 'param-6')"),
             QString());
    // A broken rule accepts no value until it is fixed.
    const PgResult broken = connection.exec("UPDATE algorithm_parameters SET current_value = '6'"
                                            " WHERE id = 'param-5'");
    QCOMPARE(broken.error().message,
             u"algorithm A1, parameter span: the minimum 10 is above the maximum 1"_s);
    QCOMPARE(run(connection, "UPDATE algorithm_parameters SET min_value = '1', max_value = '10',"
                             " current_value = '6' WHERE id = 'param-5'"),
             QString());
    // The changes were audited, the orphan's too.
    QCOMPARE(run(connection, "UPDATE algorithm_parameters SET current_value = '2'"
                             " WHERE id = 'param-6'"),
             QString());
    QCOMPARE(rows(connection, "SELECT algorithm_id, parameter_name, old_value, new_value"
                              " FROM algorithm_changelog WHERE db_role IS NOT NULL"
                              " ORDER BY parameter_name"),
             QStringList({u"A9|ghost|1|2"_s, u"A1|span|5|6"_s, u"A1|window|abc|42"_s}));
}

void TestDatabaseRules::demoSeedStillWorks()
{
    TestDatabase db(u"rulesdemo"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const RunReport report = migrateDatabase(db.options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    PgConnection connection;
    QString error;
    QVERIFY2(open(connection, db.options(), &error), qPrintable(error));
    DemoSeedOptions options;
    options.changelogRows = 400;
    options.metricRows = 3000;
    options.chatRows = 30;
    for (int round = 1; round <= 2; ++round) {
        DbError seedError;
        QVERIFY2(runDemoSeed(connection, options, nullptr, &seedError),
                 qPrintable(seedError.toString()));
        // The seed writes history itself and changes no current value: the triggers add none.
        QCOMPARE(value(connection, ChangelogCountSql),
                 QString::number(round * options.changelogRows));
        QCOMPARE(value(connection, "SELECT count(*) FROM algorithm_metrics"),
                 QString::number(round * options.metricRows));
    }
    QCOMPARE(value(connection, "SELECT count(*) FROM algorithm_agents"), u"30"_s);
    QCOMPARE(rows(connection, ForeignKeysSql), expectedForeignKeys(true, true, true));
    // And an edit on top of the seeded data is audited as any other.
    QCOMPARE(run(connection, "UPDATE algorithm_parameters SET current_value = '0.05'"
                             " WHERE algorithm_id = 'A1' AND parameter_name = 'learning_rate'"),
             QString());
    QCOMPARE(value(connection, ChangelogCountSql), QString::number(2 * options.changelogRows + 1));
    QCOMPARE(value(connection, "SELECT current_config -> 'learning_rate' FROM algorithm_agents"
                               " WHERE algorithm_id = 'A1'"),
             u"0.05"_s);
}

void TestDatabaseRules::verifyIsCleanAfterMigrate()
{
    TestDatabase db(u"rulesverify"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    EngineSettings settings;
    settings.useExpectedSchemaCache = false; // a real replay in the scratch schema
    MigrationEngine engine(db.options(), MigrationSet::bundled(), settings);
    const RunReport run = engine.migrate();
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));

    const VerifyReport report = engine.verify();
    QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
    QStringList described;
    for (const SchemaDifference &difference : report.differences)
        described.append(difference.describe());
    QCOMPARE(described, QStringList());
    QVERIFY(report.clean());
    QVERIFY(!report.expectedFromCache);
    QCOMPARE(report.expectedTables, 5);
    // The scratch replay had the same functions, triggers and keys as the live schema.
    PgConnection connection;
    QString error;
    QVERIFY2(open(connection, db.options(), &error), qPrintable(error));
    QCOMPARE(rows(connection, TriggersSql), ExpectedTriggers);
    QCOMPARE(rows(connection, ForeignKeysSql), expectedForeignKeys(true, true, true));
    QCOMPARE(leftoverScratch(db), u"0"_s);
}

QTEST_GUILESS_MAIN(TestDatabaseRules)
#include "tst_databaserules.moc"
