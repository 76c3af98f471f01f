// seed-demo: the data it generates is complete, typed, within bounds and consistent.
#include "sandbox/demoseed.h"
#include "migrations/migrationengine.h"
#include "sandbox/sandbox.h"
#include "testdatabase.h"

#include <QTest>

class TstDemoSeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void seedsConsistentData();
    void rerunKeepsAgentsAndAppendsHistory();
    void failureCommitsNothing();

private:
    std::unique_ptr<TestDatabase> m_db;
    DemoSeedOptions m_options;
};

static bool seed(TestDatabase &db, const DemoSeedOptions &options, DbError *error)
{
    PgConnection connection;
    if (!connection.open(db.options(), error))
        return false;
    return runDemoSeed(connection, options, nullptr, error);
}

void TstDemoSeed::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(QStringLiteral("demoseed"));
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    const RunReport report = migrateDatabase(m_db->options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    m_options.changelogRows = 5000;
    m_options.metricRows = 40000;
    m_options.chatRows = 120;
    DbError error;
    QVERIFY2(seed(*m_db, m_options, &error), qPrintable(error.toString()));
}

void TstDemoSeed::seedsConsistentData()
{
    TestDatabase &db = *m_db;
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_agents"), QStringLiteral("30"));
    QCOMPARE(db.scalar("SELECT string_agg(algorithm_id, ',' ORDER BY substr(algorithm_id, 2)::int)"
                       " FROM algorithm_agents"),
             QStringLiteral("A1,A2,A3,A4,A5,A6,A7,A8,A9,A10,A11,A12,A13,A14,A15,A16,A17,A18,A19,"
                            "A20,A21,A22,A23,A24,A25,A26,A27,A28,A29,A30"));
    QCOMPARE(db.scalar("SELECT string_agg(DISTINCT algorithm_type, ',' ORDER BY algorithm_type)"
                       " FROM algorithm_agents"),
             QStringLiteral("optimization,ranking,scoring"));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_agents WHERE name IS NULL OR"
                       " esa_layers IS NULL OR impact_score NOT BETWEEN 0 AND 100"),
             QStringLiteral("0"));
    // 4 to 8 parameters each
    QCOMPARE(db.scalar("SELECT count(*) FROM (SELECT algorithm_id, count(*) c FROM"
                       " algorithm_parameters GROUP BY 1) x WHERE c NOT BETWEEN 4 AND 8"),
             QStringLiteral("0"));
    QCOMPARE(db.scalar("SELECT count(DISTINCT algorithm_id) FROM algorithm_parameters"),
             QStringLiteral("30"));
    // every value parses as its type and lies within its bounds (exact numeric comparison)
    QCOMPARE(db.scalar(R"(
        SELECT count(*) FROM algorithm_parameters p, LATERAL (VALUES (p.current_value),
                                                                     (p.default_value)) v(val)
        WHERE CASE p.parameter_type
              WHEN 'integer' THEN NOT (val ~ '^-?[0-9]+$')
                   OR (p.min_value IS NOT NULL AND val::numeric < p.min_value::numeric)
                   OR (p.max_value IS NOT NULL AND val::numeric > p.max_value::numeric)
              WHEN 'float' THEN NOT (val ~ '^-?[0-9]+(\.[0-9]+)?$')
                   OR (p.min_value IS NOT NULL AND val::numeric < p.min_value::numeric)
                   OR (p.max_value IS NOT NULL AND val::numeric > p.max_value::numeric)
              WHEN 'decimal' THEN NOT (val ~ '^-?[0-9]+(\.[0-9]+)?$')
                   OR (p.min_value IS NOT NULL AND val::numeric < p.min_value::numeric)
                   OR (p.max_value IS NOT NULL AND val::numeric > p.max_value::numeric)
              WHEN 'boolean' THEN val NOT IN ('true', 'false')
              WHEN 'string' THEN val IS NULL
              ELSE true END)"),
             QStringLiteral("0"));
    // configs hold one typed key per parameter, equal to the parameter rows
    QCOMPARE(db.scalar(R"(
        SELECT count(*) FROM algorithm_parameters p JOIN algorithm_agents a USING (algorithm_id)
        WHERE a.current_config -> p.parameter_name IS NULL
           OR a.default_config -> p.parameter_name IS NULL
           OR CASE WHEN p.parameter_type = 'string'
                   THEN a.current_config ->> p.parameter_name <> p.current_value
                   WHEN p.parameter_type = 'boolean'
                   THEN jsonb_typeof(a.current_config -> p.parameter_name) <> 'boolean'
                        OR (a.current_config ->> p.parameter_name) <> p.current_value
                   ELSE jsonb_typeof(a.current_config -> p.parameter_name) <> 'number'
                        OR (a.current_config ->> p.parameter_name)::numeric
                           <> p.current_value::numeric END)"),
             QStringLiteral("0"));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_agents a WHERE (SELECT count(*) FROM"
                       " jsonb_object_keys(a.current_config)) <> (SELECT count(*) FROM"
                       " algorithm_parameters p WHERE p.algorithm_id = a.algorithm_id)"),
             QStringLiteral("0"));
    // history: the requested sizes, with reasons, on real parameters, in the past months
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog"),
             QString::number(m_options.changelogRows));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog c WHERE reason IS NULL OR"
                       " old_value = new_value OR NOT EXISTS (SELECT 1 FROM algorithm_parameters"
                       " p WHERE p.algorithm_id = c.algorithm_id AND p.parameter_name ="
                       " c.parameter_name)"),
             QStringLiteral("0"));
    QVERIFY(db.scalar("SELECT extract(day FROM max(modified_at) - min(modified_at))"
                      " FROM algorithm_changelog")
                .toDouble() > 90);
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_chat_history"),
             QString::number(m_options.chatRows));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_metrics"),
             QString::number(m_options.metricRows));
    QVERIFY(db.scalar("SELECT count(DISTINCT algorithm_id) FROM algorithm_metrics").toInt() == 30);
    QVERIFY(db.scalar("SELECT extract(day FROM max(recorded_at) - min(recorded_at))"
                      " FROM algorithm_metrics")
                .toDouble() > 90);
    // the generated ids are valid UUIDs, as gen_random_uuid() ones would be
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_metrics WHERE id::uuid IS NULL"),
             QStringLiteral("0"));
}

void TstDemoSeed::rerunKeepsAgentsAndAppendsHistory()
{
    TestDatabase &db = *m_db;
    db.exec("UPDATE algorithm_agents SET name = 'Renamed by hand' WHERE algorithm_id = 'A3'");
    const QString parameters = db.scalar("SELECT count(*) FROM algorithm_parameters");
    DbError error;
    QVERIFY2(seed(db, m_options, &error), qPrintable(error.toString()));
    QCOMPARE(db.scalar("SELECT name FROM algorithm_agents WHERE algorithm_id = 'A3'"),
             QStringLiteral("Renamed by hand"));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_agents"), QStringLiteral("30"));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_parameters"), parameters);
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog"),
             QString::number(2 * m_options.changelogRows));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_metrics"),
             QString::number(2 * m_options.metricRows));
    QCOMPARE(db.scalar("SELECT count(*) - count(DISTINCT id) FROM algorithm_metrics"),
             QStringLiteral("0"));
}

void TstDemoSeed::failureCommitsNothing()
{
    // An unmigrated database: the seed fails on a missing table and must leave nothing.
    TestDatabase db(QStringLiteral("demoseed_fail"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(db.exec("CREATE TABLE algorithm_agents (algorithm_id varchar(50) UNIQUE, name text,"
                    " description text, file_path text, algorithm_type text, esa_layers int[],"
                    " impact_score int, is_active bool, version text, created_at timestamp,"
                    " updated_at timestamp)")
                .ok());
    DbError error;
    QVERIFY(!seed(db, m_options, &error));
    QVERIFY(error.isError());
    QVERIFY2(error.message.contains(QLatin1String("algorithm_parameters")),
             qPrintable(error.toString()));
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_agents"), QStringLiteral("0"));
}

QTEST_GUILESS_MAIN(TstDemoSeed)
#include "tst_demoseed.moc"
