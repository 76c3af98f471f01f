// SchemaSnapshot: the diff of two snapshots built from values (a table missing or unexpected
// is one difference, columns, indexes, constraints, triggers and functions each reported as
// missing, unexpected or different), the JSON cache form, and, against the test cluster, the
// catalog query on two schemas made alike and then apart.
#include "migrations/schemasnapshot.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <functional>

namespace {

using Objects = QList<SchemaObject>;

SchemaObject table(const QString &name, const QString &kind = QStringLiteral("table"))
{
    return {QStringLiteral("table"), name, name, kind, {}};
}

SchemaObject column(const QString &table, const QString &name, const QString &definition)
{
    return {QStringLiteral("column"), table, name, definition, {}};
}

SchemaObject index(const QString &table, const QString &name, const QString &definition)
{
    return {QStringLiteral("index"), table, name, definition, {}};
}

SchemaObject constraint(const QString &table, const QString &name, const QString &definition)
{
    return {QStringLiteral("constraint"), table, name, definition, {}};
}

SchemaObject trigger(const QString &table, const QString &name, const QString &definition)
{
    return {QStringLiteral("trigger"), table, name, definition, {}};
}

SchemaObject function(const QString &name, const QString &definition)
{
    return {QStringLiteral("function"), QString(), name, definition, {}};
}

const QString TouchBody = QStringLiteral(
    "CREATE OR REPLACE FUNCTION touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$"
    "BEGIN NEW.updated_at := now(); RETURN NEW; END$function$\n");

// Two tables with one object of every kind.
Objects base()
{
    return {
        table(QStringLiteral("agents")),
        column(QStringLiteral("agents"), QStringLiteral("id"),
               QStringLiteral("character varying NOT NULL DEFAULT "
                              "(gen_random_uuid())::character varying")),
        column(QStringLiteral("agents"), QStringLiteral("algorithm_id"),
               QStringLiteral("character varying(50) NOT NULL")),
        column(QStringLiteral("agents"), QStringLiteral("impact_score"), QStringLiteral("integer")),
        index(QStringLiteral("agents"), QStringLiteral("agents_pkey"),
              QStringLiteral("CREATE UNIQUE INDEX agents_pkey ON agents USING btree (id)")),
        index(QStringLiteral("agents"), QStringLiteral("agents_active_type_idx"),
              QStringLiteral("CREATE INDEX agents_active_type_idx ON agents USING btree "
                             "(is_active, algorithm_type)")),
        constraint(QStringLiteral("agents"), QStringLiteral("agents_pkey"),
                   QStringLiteral("PRIMARY KEY (id)")),
        constraint(QStringLiteral("agents"), QStringLiteral("agents_impact_score_check"),
                   QStringLiteral("CHECK (((impact_score >= 0) AND (impact_score <= 100)))")),
        trigger(QStringLiteral("agents"), QStringLiteral("agents_touch"),
                QStringLiteral("CREATE TRIGGER agents_touch BEFORE UPDATE ON agents FOR EACH ROW "
                               "EXECUTE FUNCTION touch()")),
        function(QStringLiteral("touch()"), TouchBody),
        table(QStringLiteral("metrics")),
        column(QStringLiteral("metrics"), QStringLiteral("metric_value"),
               QStringLiteral("numeric")),
        index(QStringLiteral("metrics"), QStringLiteral("metrics_recorded_brin"),
              QStringLiteral("CREATE INDEX metrics_recorded_brin ON metrics USING brin "
                             "(recorded_at)")),
    };
}

Objects without(Objects objects, const QString &kind, const QString &table,
                const QString &name = {})
{
    objects.removeIf([&](const SchemaObject &o) {
        return o.kind == kind && o.table == table && (name.isEmpty() || o.name == name);
    });
    return objects;
}

Objects withoutTable(Objects objects, const QString &name)
{
    objects.removeIf([&](const SchemaObject &o) { return o.table == name; });
    return objects;
}

Objects with(Objects objects, const Objects &more)
{
    objects.append(more);
    return objects;
}

Objects redefined(Objects objects, const QString &kind, const QString &table, const QString &name,
                  const QString &definition)
{
    for (SchemaObject &o : objects) {
        if (o.kind == kind && o.table == table && o.name == name)
            o.definition = definition;
    }
    return objects;
}

QByteArray json(const Objects &objects)
{
    QJsonArray array;
    for (const SchemaObject &o : objects)
        array.append(QJsonArray{o.kind, o.table, o.name, o.definition, o.schema});
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

QStringList described(const QList<SchemaDifference> &differences)
{
    QStringList lines;
    for (const SchemaDifference &difference : differences)
        lines.append(difference.describe());
    return lines;
}

} // namespace

class TstSchemaSnapshot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void diff_data();
    void diff();
    void differenceNamesItsObject();
    void jsonRoundTrip();
    void fromJsonRefusesWhatItDidNotWrite_data();
    void fromJsonRefusesWhatItDidNotWrite();
    void catalogSnapshotsOfTwoSchemas();
};

void TstSchemaSnapshot::diff_data()
{
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<QByteArray>("found");
    QTest::addColumn<QStringList>("differences");

    const Objects b = base();
    const QString agents = QStringLiteral("agents");
    QTest::newRow("identical") << json(b) << json(b) << QStringList();
    QTest::newRow("both empty") << json({}) << json({}) << QStringList();
    QTest::newRow("same objects in another order")
        << json(b) << json(Objects(b.crbegin(), b.crend())) << QStringList();

    // Tables: one difference for the whole table, not one per column or index.
    QTest::newRow("missing table") << json(b) << json(withoutTable(b, QStringLiteral("metrics")))
                                   << QStringList{QStringLiteral("table metrics: missing (expected "
                                                                 "table)")};
    QTest::newRow("everything missing")
        << json(b) << json({})
        << QStringList{QStringLiteral("function touch(): missing (expected %1)").arg(TouchBody),
                       QStringLiteral("table agents: missing (expected table)"),
                       QStringLiteral("table metrics: missing (expected table)")};
    QTest::newRow("unexpected table")
        << json(b)
        << json(with(b,
                     {table(QStringLiteral("extra")),
                      column(QStringLiteral("extra"), QStringLiteral("x"), QStringLiteral("text")),
                      index(QStringLiteral("extra"), QStringLiteral("extra_x_idx"),
                            QStringLiteral("CREATE INDEX extra_x_idx ON extra USING btree (x)"))}))
        << QStringList{QStringLiteral("table extra: unexpected (found table)")};
    QTest::newRow("table became a view")
        << json(b)
        << json(redefined(b, QStringLiteral("table"), agents, agents, QStringLiteral("view")))
        << QStringList{QStringLiteral("table agents: expected table, found view")};

    // Columns.
    QTest::newRow("extra column")
        << json(b)
        << json(with(b, {column(agents, QStringLiteral("note"), QStringLiteral("text"))}))
        << QStringList{QStringLiteral("column agents.note: unexpected (found text)")};
    QTest::newRow("missing column")
        << json(b)
        << json(without(b, QStringLiteral("column"), agents, QStringLiteral("impact_score")))
        << QStringList{QStringLiteral("column agents.impact_score: missing (expected integer)")};
    QTest::newRow("changed type")
        << json(b)
        << json(redefined(b, QStringLiteral("column"), agents, QStringLiteral("impact_score"),
                          QStringLiteral("bigint")))
        << QStringList{
               QStringLiteral("column agents.impact_score: expected integer, found bigint")};
    QTest::newRow("changed nullability")
        << json(b)
        << json(redefined(b, QStringLiteral("column"), agents, QStringLiteral("impact_score"),
                          QStringLiteral("integer NOT NULL")))
        << QStringList{QStringLiteral(
               "column agents.impact_score: expected integer, found integer NOT NULL")};
    QTest::newRow("changed length")
        << json(b)
        << json(redefined(b, QStringLiteral("column"), agents, QStringLiteral("algorithm_id"),
                          QStringLiteral("character varying(100) NOT NULL")))
        << QStringList{QStringLiteral("column agents.algorithm_id: expected character varying(50) "
                                      "NOT NULL, found character varying(100) NOT NULL")};
    QTest::newRow("changed default")
        << json(b)
        << json(redefined(b, QStringLiteral("column"), agents, QStringLiteral("impact_score"),
                          QStringLiteral("integer DEFAULT 0")))
        << QStringList{QStringLiteral(
               "column agents.impact_score: expected integer, found integer DEFAULT 0")};

    // Indexes, constraints, triggers, functions.
    QTest::newRow("missing index")
        << json(b)
        << json(without(b, QStringLiteral("index"), agents,
                        QStringLiteral("agents_active_type_idx")))
        << QStringList{QStringLiteral("index agents.agents_active_type_idx: missing (expected "
                                      "CREATE INDEX agents_active_type_idx ON agents USING btree "
                                      "(is_active, algorithm_type))")};
    QTest::newRow("index of another method")
        << json(b)
        << json(
               redefined(b, QStringLiteral("index"), QStringLiteral("metrics"),
                         QStringLiteral("metrics_recorded_brin"),
                         QStringLiteral("CREATE INDEX metrics_recorded_brin ON metrics USING btree "
                                        "(recorded_at)")))
        << QStringList{QStringLiteral(
               "index metrics.metrics_recorded_brin: expected CREATE INDEX metrics_recorded_brin "
               "ON "
               "metrics USING brin (recorded_at), found CREATE INDEX metrics_recorded_brin ON "
               "metrics USING btree (recorded_at)")};
    QTest::newRow("unexpected index")
        << json(b)
        << json(with(b, {index(agents, QStringLiteral("agents_name_idx"),
                               QStringLiteral("CREATE INDEX agents_name_idx ON agents USING btree "
                                              "(name)"))}))
        << QStringList{
               QStringLiteral("index agents.agents_name_idx: unexpected (found CREATE INDEX "
                              "agents_name_idx ON agents USING btree (name))")};
    QTest::newRow("missing constraint")
        << json(b)
        << json(without(b, QStringLiteral("constraint"), agents,
                        QStringLiteral("agents_impact_score_check")))
        << QStringList{QStringLiteral("constraint agents.agents_impact_score_check: missing "
                                      "(expected CHECK (((impact_score >= 0) AND (impact_score <= "
                                      "100))))")};
    QTest::newRow("missing trigger")
        << json(b) << json(without(b, QStringLiteral("trigger"), agents))
        << QStringList{
               QStringLiteral("trigger agents.agents_touch: missing (expected CREATE TRIGGER "
                              "agents_touch BEFORE UPDATE ON agents FOR EACH ROW EXECUTE "
                              "FUNCTION touch())")};
    const QString changedBody =
        QString(TouchBody).replace(QStringLiteral("now()"), QStringLiteral("clock_timestamp()"));
    QTest::newRow("function body differs")
        << json(b)
        << json(redefined(b, QStringLiteral("function"), QString(), QStringLiteral("touch()"),
                          changedBody))
        << QStringList{QStringLiteral("function touch(): expected %1, found %2")
                           .arg(TouchBody, changedBody)};
    QTest::newRow("missing function")
        << json(b) << json(without(b, QStringLiteral("function"), QString()))
        << QStringList{QStringLiteral("function touch(): missing (expected %1)").arg(TouchBody)};
    QTest::newRow("unexpected overload")
        << json(b)
        << json(with(b, {function(QStringLiteral("touch(integer)"), QStringLiteral("x"))}))
        << QStringList{QStringLiteral("function touch(integer): unexpected (found x)")};

    // Several at once: what is expected in key order (kind, table, name), then what is not.
    QTest::newRow("several")
        << json(b)
        << json(with(redefined(without(withoutTable(b, QStringLiteral("metrics")),
                                       QStringLiteral("index"), agents,
                                       QStringLiteral("agents_active_type_idx")),
                               QStringLiteral("column"), agents, QStringLiteral("impact_score"),
                               QStringLiteral("bigint")),
                     {column(agents, QStringLiteral("note"), QStringLiteral("text"))}))
        << QStringList{
               QStringLiteral("column agents.impact_score: expected integer, found bigint"),
               QStringLiteral("index agents.agents_active_type_idx: missing (expected CREATE INDEX "
                              "agents_active_type_idx ON agents USING btree (is_active, "
                              "algorithm_type))"),
               QStringLiteral("table metrics: missing (expected table)"),
               QStringLiteral("column agents.note: unexpected (found text)")};
}

void TstSchemaSnapshot::diff()
{
    QFETCH(QByteArray, expected);
    QFETCH(QByteArray, found);
    QFETCH(QStringList, differences);
    bool ok = false;
    const SchemaSnapshot expectedSnapshot = SchemaSnapshot::fromJson(expected, &ok);
    QVERIFY(ok);
    const SchemaSnapshot foundSnapshot = SchemaSnapshot::fromJson(found, &ok);
    QVERIFY(ok);
    QCOMPARE(described(SchemaSnapshot::diff(expectedSnapshot, foundSnapshot)), differences);
    // Nothing differs from itself.
    QVERIFY(SchemaSnapshot::diff(foundSnapshot, foundSnapshot).isEmpty());
}

void TstSchemaSnapshot::differenceNamesItsObject()
{
    bool ok = false;
    const SchemaSnapshot expected = SchemaSnapshot::fromJson(json(base()), &ok);
    QVERIFY(ok);
    const SchemaSnapshot found = SchemaSnapshot::fromJson(
        json(with(
            redefined(without(base(), QStringLiteral("index"), QStringLiteral("agents"),
                              QStringLiteral("agents_pkey")),
                      QStringLiteral("column"), QStringLiteral("agents"),
                      QStringLiteral("impact_score"), QStringLiteral("bigint")),
            {column(QStringLiteral("agents"), QStringLiteral("note"), QStringLiteral("text"))})),
        &ok);
    QVERIFY(ok);
    const QList<SchemaDifference> differences = SchemaSnapshot::diff(expected, found);
    QCOMPARE(differences.size(), 3);

    const SchemaDifference &differs = differences.at(0);
    QCOMPARE(differs.change, SchemaDifference::Change::Differs);
    QCOMPARE(differs.changeName(), QStringLiteral("differs"));
    QCOMPARE(differs.object().name, QStringLiteral("impact_score"));
    QCOMPARE(differs.expected.definition, QStringLiteral("integer"));
    QCOMPARE(differs.found.definition, QStringLiteral("bigint"));

    const SchemaDifference &missing = differences.at(1);
    QCOMPARE(missing.change, SchemaDifference::Change::Missing);
    QCOMPARE(missing.changeName(), QStringLiteral("missing"));
    QCOMPARE(missing.object().kind, QStringLiteral("index"));
    QCOMPARE(missing.object().name, QStringLiteral("agents_pkey"));
    QVERIFY(missing.found.name.isEmpty());

    const SchemaDifference &unexpected = differences.at(2);
    QCOMPARE(unexpected.change, SchemaDifference::Change::Unexpected);
    QCOMPARE(unexpected.changeName(), QStringLiteral("unexpected"));
    QCOMPARE(unexpected.object().name, QStringLiteral("note"));
    QVERIFY(unexpected.expected.name.isEmpty());
}

void TstSchemaSnapshot::jsonRoundTrip()
{
    bool ok = false;
    const SchemaSnapshot snapshot = SchemaSnapshot::fromJson(json(base()), &ok);
    QVERIFY(ok);
    QVERIFY(!snapshot.isEmpty());
    QCOMPARE(snapshot.tableCount(), 2);
    QCOMPARE(snapshot.objects().size(), base().size());
    const SchemaSnapshot again = SchemaSnapshot::fromJson(snapshot.toJson(), &ok);
    QVERIFY(ok);
    QCOMPARE(again.toJson(), snapshot.toJson());
    QVERIFY(SchemaSnapshot::diff(snapshot, again).isEmpty());
    // Keyed by kind/schema/table/name: a constraint and an index may share a name.
    QVERIFY(snapshot.objects().contains(QStringLiteral("index//agents/agents_pkey")));
    QVERIFY(snapshot.objects().contains(QStringLiteral("constraint//agents/agents_pkey")));

    const SchemaSnapshot empty = SchemaSnapshot::fromJson("[]", &ok);
    QVERIFY(ok);
    QVERIFY(empty.isEmpty());
    QCOMPARE(empty.tableCount(), 0);
}

void TstSchemaSnapshot::fromJsonRefusesWhatItDidNotWrite_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("not JSON") << QByteArray("[[\"table\"");
    QTest::newRow("an object") << QByteArray("{}");
    QTest::newRow("an item of three") << QByteArray("[[\"table\",\"t\",\"t\"]]");
    QTest::newRow("an item of four") << QByteArray("[[\"table\",\"t\",\"t\",\"table\"]]");
    QTest::newRow("an item of six") << QByteArray("[[\"table\",\"t\",\"t\",\"table\",\"\",\"x\"]]");
    QTest::newRow("empty") << QByteArray();
}

void TstSchemaSnapshot::fromJsonRefusesWhatItDidNotWrite()
{
    QFETCH(QByteArray, json);
    bool ok = true;
    const SchemaSnapshot snapshot = SchemaSnapshot::fromJson(json, &ok);
    QVERIFY(!ok);
    QVERIFY(snapshot.isEmpty());
}

void TstSchemaSnapshot::catalogSnapshotsOfTwoSchemas()
{
    TestDatabase db(QStringLiteral("schemasnapshot"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const auto run = [&](const QByteArray &sql, const QList<QByteArray> &params = {}) {
        const PgResult result = db.exec(sql, params);
        if (!result.ok())
            qWarning("%s: %s", sql.constData(), qPrintable(result.error().toString()));
        return result;
    };
    // The same objects in two schemas: what the migrations make and what a database has.
    for (const QByteArray &schema : {QByteArray("snap_expected"), QByteArray("snap_found")}) {
        const QList<QByteArray> ddl = {
            "CREATE SCHEMA " + schema,
            "CREATE TABLE " + schema +
                ".agents (id varchar PRIMARY KEY DEFAULT gen_random_uuid()::varchar,"
                " algorithm_id varchar(50) NOT NULL UNIQUE, impact_score integer,"
                " weight integer CHECK (weight >= 0), label text, n serial)",
            "CREATE INDEX agents_weight_idx ON " + schema + ".agents (weight)",
            "CREATE FUNCTION " + schema +
                ".touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
            "CREATE TRIGGER agents_touch BEFORE UPDATE ON " + schema +
                ".agents FOR EACH ROW EXECUTE FUNCTION " + schema + ".touch()",
            "CREATE VIEW " + schema + ".active AS SELECT id, algorithm_id FROM " + schema +
                ".agents",
        };
        for (const QByteArray &statement : ddl)
            QVERIFY(run(statement).ok());
    }
    // As the engine runs it: only pg_catalog on the path, so every name comes out qualified
    // and fromResult() takes the schema's name out.
    QVERIFY(run("SET search_path = pg_catalog").ok());
    const auto whole = [&](const QByteArray &schema) {
        const PgResult result = run(SchemaSnapshot::catalogQuery(), {schema});
        return result.ok() ? SchemaSnapshot::fromResult(result, {QString::fromUtf8(schema)})
                           : SchemaSnapshot();
    };
    // Every schema is read: the primary one's names plain, the other's qualified.
    const SchemaSnapshot both = whole("snap_expected");
    QCOMPARE(both.tableCount(), 4); // the table and the view, twice
    // Here the two schemas of one database stand for the same schema in two databases: each
    // compared as the primary one, without the other.
    const auto snapshot = [&](const QByteArray &schema) {
        QJsonArray primary;
        for (const QJsonValue &item : QJsonDocument::fromJson(whole(schema).toJson()).array()) {
            if (item.toArray().at(4).toString().isEmpty())
                primary.append(item);
        }
        bool ok = false;
        return SchemaSnapshot::fromJson(QJsonDocument(primary).toJson(), &ok);
    };
    const SchemaSnapshot expected = snapshot("snap_expected");
    QCOMPARE(expected.tableCount(), 2);
    const auto definition = [&](const QString &key) {
        return both.objects().value(key).definition;
    };
    QCOMPARE(definition(QStringLiteral("table//active/active")), QStringLiteral("view"));
    QCOMPARE(definition(QStringLiteral("column//agents/algorithm_id")),
             QStringLiteral("character varying(50) NOT NULL"));
    QCOMPARE(definition(QStringLiteral("table/snap_found/snap_found.active/snap_found.active")),
             QStringLiteral("view"));
    QCOMPARE(definition(QStringLiteral("schema/snap_found//snap_found")), QStringLiteral("schema"));
    QCOMPARE(definition(QStringLiteral("function/snap_found//snap_found.touch()")).left(40),
             QStringLiteral("CREATE OR REPLACE FUNCTION snap_found.to"));
    QCOMPARE(definition(QStringLiteral("column//agents/n")),
             QStringLiteral("integer NOT NULL DEFAULT nextval('agents_n_seq'::regclass)"));
    QCOMPARE(definition(QStringLiteral("index//agents/agents_weight_idx")),
             QStringLiteral("CREATE INDEX agents_weight_idx ON agents USING btree (weight)"));
    QCOMPARE(definition(QStringLiteral("constraint//agents/agents_weight_check")),
             QStringLiteral("CHECK ((weight >= 0))"));
    QCOMPARE(definition(QStringLiteral("trigger//agents/agents_touch")),
             QStringLiteral("CREATE TRIGGER agents_touch BEFORE UPDATE ON agents FOR EACH ROW "
                            "EXECUTE FUNCTION touch()"));
    QVERIFY(expected.objects().contains(QStringLiteral("function///touch()")));
    QVERIFY(!definition(QStringLiteral("function///touch()")).contains(QLatin1String("snap_")));

    QCOMPARE(described(SchemaSnapshot::diff(expected, snapshot("snap_found"))), QStringList());

    // Then apart: a changed type, a changed nullability, a dropped index and view, a new column.
    for (const QByteArray &statement :
         {QByteArray("ALTER TABLE snap_found.agents ALTER COLUMN impact_score TYPE bigint"),
          QByteArray("ALTER TABLE snap_found.agents ALTER COLUMN label SET NOT NULL"),
          QByteArray("DROP INDEX snap_found.agents_weight_idx"),
          QByteArray("DROP VIEW snap_found.active"),
          QByteArray("ALTER TABLE snap_found.agents ADD COLUMN note text")})
        QVERIFY(run(statement).ok());
    QCOMPARE(described(SchemaSnapshot::diff(expected, snapshot("snap_found"))),
             QStringList({
                 QStringLiteral("column agents.impact_score: expected integer, found bigint"),
                 QStringLiteral("column agents.label: expected text, found text NOT NULL"),
                 QStringLiteral("index agents.agents_weight_idx: missing (expected CREATE INDEX "
                                "agents_weight_idx ON agents USING btree (weight))"),
                 QStringLiteral("table active: missing (expected view)"),
                 QStringLiteral("column agents.note: unexpected (found text)"),
             }));
}

QTEST_MAIN(TstSchemaSnapshot)
#include "tst_schemasnapshot.moc"
