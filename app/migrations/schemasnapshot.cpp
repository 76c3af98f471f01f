#include "migrations/schemasnapshot.h"

#include "db/pgconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

// One query whatever the schema's size: every relation of every schema that is not the system's
// and, joined to it, its columns, indexes, constraints and triggers, plus the schemas' functions
// and extensions. The last column names the schema, empty for the primary one ($1, or the
// session's algoadmin.live_schema), whose names stay unqualified. What belongs to an extension
// is left out: the extension compares as its name and version. The first branch's columns are
// text: a UNION takes its column types from the branches in order, and with relname (type name)
// first, a function's key, name and argument types, was cut to 63 bytes, so that two overloads
// could share one key.
static const char CatalogQuery[] = R"SQL(
WITH ns AS (
    SELECT n.oid,
           CASE WHEN n.nspname = coalesce($1, current_setting('algoadmin.live_schema', true))
                THEN '' ELSE n.nspname::text END AS label
    FROM pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND n.nspname !~ '^pg_(toast_)?temp_'
      AND NOT EXISTS (SELECT 1 FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid
                        AND e.deptype = 'e')
),
rel AS (
    SELECT c.oid, c.relname, c.relkind, ns.label,
           CASE WHEN ns.label = '' THEN c.relname::text
                ELSE ns.label || '.' || c.relname END AS qualified
    FROM pg_class c
    JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND c.relname NOT IN ('algoadmin_schema_history', 'algoadmin_schema_progress')
      AND NOT EXISTS (SELECT 1 FROM pg_depend e
                      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                        AND e.deptype = 'e')
)
SELECT 'schema'::text, ''::text, ns.label, 'schema', ns.label
FROM ns WHERE ns.label <> ''
UNION ALL
SELECT 'table', r.qualified, r.qualified,
       CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table'
                      WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      ELSE 'foreign table' END, r.label
FROM rel r
UNION ALL
SELECT 'column', r.qualified, a.attname,
       format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''), r.label
FROM rel r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
UNION ALL
SELECT 'index', r.qualified, i.relname, pg_get_indexdef(i.oid), r.label
FROM rel r
JOIN pg_index x ON x.indrelid = r.oid
JOIN pg_class i ON i.oid = x.indexrelid
UNION ALL
SELECT 'constraint', r.qualified, con.conname, pg_get_constraintdef(con.oid), r.label
FROM rel r
JOIN pg_constraint con ON con.conrelid = r.oid
UNION ALL
SELECT 'trigger', r.qualified, t.tgname, pg_get_triggerdef(t.oid), r.label
FROM rel r
JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
UNION ALL
SELECT 'function', '',
       CASE WHEN ns.label = '' THEN '' ELSE ns.label || '.' END
       || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       pg_get_functiondef(p.oid), ns.label
FROM pg_proc p
JOIN ns ON ns.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
UNION ALL
SELECT 'extension', '', x.extname, 'version ' || x.extversion, ns.label
FROM pg_extension x
JOIN ns ON ns.oid = x.extnamespace
)SQL";

const char *SchemaSnapshot::catalogQuery()
{
    return CatalogQuery;
}

QString SchemaSnapshot::keyOf(const SchemaObject &object)
{
    return object.kind + QLatin1Char('/') + object.schema + QLatin1Char('/') + object.table +
           QLatin1Char('/') + object.name;
}

SchemaSnapshot SchemaSnapshot::fromResult(const PgResult &result, const QStringList &schemas)
{
    // The catalog prints names qualified with their schema; drop it so that the same
    // definition in the shadow schema and in the live one compares equal.
    QStringList alternatives;
    for (const QString &schema : schemas) {
        alternatives << QRegularExpression::escape(schema)
                     << QRegularExpression::escape(
                            QLatin1Char('"') +
                            QString(schema).replace(QLatin1Char('"'), QLatin1String("\"\"")) +
                            QLatin1Char('"'));
    }
    const QRegularExpression qualifier(
        QStringLiteral("(?<![\\w\"])(%1)\\.").arg(alternatives.join(QLatin1Char('|'))));
    SchemaSnapshot snapshot;
    for (int row = 0; row < result.rows(); ++row) {
        SchemaObject object{result.value(row, 0), result.value(row, 1), result.value(row, 2),
                            result.value(row, 3), result.value(row, 4)};
        object.definition.replace(qualifier, QString());
        object.name.replace(qualifier, QString()); // function keys carry argument types
        snapshot.m_objects.insert(keyOf(object), object);
    }
    return snapshot;
}

QByteArray SchemaSnapshot::toJson() const
{
    QJsonArray array;
    for (const SchemaObject &object : m_objects)
        array.append(
            QJsonArray{object.kind, object.table, object.name, object.definition, object.schema});
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

SchemaSnapshot SchemaSnapshot::fromJson(const QByteArray &json, bool *ok)
{
    SchemaSnapshot snapshot;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    *ok = error.error == QJsonParseError::NoError && document.isArray();
    if (!*ok)
        return snapshot;
    for (const QJsonValue &value : document.array()) {
        const QJsonArray item = value.toArray();
        if (item.size() != 5) {
            *ok = false;
            return {};
        }
        const SchemaObject object{item.at(0).toString(), item.at(1).toString(),
                                  item.at(2).toString(), item.at(3).toString(),
                                  item.at(4).toString()};
        snapshot.m_objects.insert(keyOf(object), object);
    }
    return snapshot;
}

int SchemaSnapshot::tableCount() const
{
    int count = 0;
    for (const SchemaObject &object : m_objects)
        count += object.kind == QLatin1String("table");
    return count;
}

QList<SchemaDifference> SchemaSnapshot::diff(const SchemaSnapshot &expected,
                                             const SchemaSnapshot &found)
{
    // A table missing or unexpected as a whole is one difference, not one per column.
    const auto tableIn = [](const SchemaSnapshot &snapshot, const SchemaObject &object) {
        return snapshot.m_objects.contains(
            keyOf({QStringLiteral("table"), object.table, object.table, {}, object.schema}));
    };
    // Only the schemas the migrations make are theirs to check: the primary one, and the
    // others the expected schema has. Other schemas of the database are someone else's.
    QSet<QString> schemas{QString()};
    for (const SchemaObject &object : expected.m_objects)
        schemas.insert(object.schema);
    // A schema missing as a whole is one difference, not one per object in it.
    const auto schemaIn = [](const SchemaSnapshot &snapshot, const SchemaObject &object) {
        return object.schema.isEmpty() || object.kind == QLatin1String("schema") ||
               snapshot.m_objects.contains(
                   keyOf({QStringLiteral("schema"), {}, object.schema, {}, object.schema}));
    };
    QList<SchemaDifference> differences;
    for (auto it = expected.m_objects.cbegin(); it != expected.m_objects.cend(); ++it) {
        const SchemaObject &object = it.value();
        const auto other = found.m_objects.constFind(it.key());
        if (other == found.m_objects.cend()) {
            if (!schemaIn(found, object))
                continue;
            if (object.kind == QLatin1String("table") || object.table.isEmpty() ||
                tableIn(found, object))
                differences.append({SchemaDifference::Change::Missing, object, {}});
        } else if (other->definition != object.definition) {
            differences.append({SchemaDifference::Change::Differs, object, *other});
        }
    }
    for (auto it = found.m_objects.cbegin(); it != found.m_objects.cend(); ++it) {
        const SchemaObject &object = it.value();
        if (expected.m_objects.contains(it.key()) || !schemas.contains(object.schema))
            continue;
        if (object.kind == QLatin1String("table") || object.table.isEmpty() ||
            tableIn(expected, object))
            differences.append({SchemaDifference::Change::Unexpected, {}, object});
    }
    return differences;
}

bool SchemaSnapshot::sharesATable(const SchemaSnapshot &a, const SchemaSnapshot &b)
{
    for (auto it = a.m_objects.cbegin(); it != a.m_objects.cend(); ++it) {
        if (it->kind == QLatin1String("table") && b.m_objects.contains(it.key()))
            return true;
    }
    return false;
}

QString SchemaDifference::changeName() const
{
    switch (change) {
    case Change::Missing:
        return QStringLiteral("missing");
    case Change::Unexpected:
        return QStringLiteral("unexpected");
    case Change::Differs:
        break;
    }
    return QStringLiteral("differs");
}

QString SchemaDifference::describe() const
{
    const SchemaObject &o = object();
    QString subject = o.kind == QLatin1String("table") || o.table.isEmpty()
                          ? QStringLiteral("%1 %2").arg(o.kind, o.name)
                          : QStringLiteral("%1 %2.%3").arg(o.kind, o.table, o.name);
    switch (change) {
    case Change::Missing:
        return QStringLiteral("%1: missing (expected %2)").arg(subject, expected.definition);
    case Change::Unexpected:
        return QStringLiteral("%1: unexpected (found %2)").arg(subject, found.definition);
    case Change::Differs:
        break;
    }
    return QStringLiteral("%1: expected %2, found %3")
        .arg(subject, expected.definition, found.definition);
}
