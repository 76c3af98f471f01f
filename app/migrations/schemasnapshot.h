#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

class PgResult;

// One catalog object of a schema, in a form two schemas can be compared by: its definition
// text is what PostgreSQL prints for it, with the schema's own name taken out.
struct SchemaObject
{
    QString kind; // schema, table, column, index, constraint, trigger, function, extension
    // The table it belongs to (the table itself for kind "table"; empty for schemas, functions
    // and extensions), "schema.table" outside the primary schema.
    QString table;
    QString name;       // functions outside the primary schema: "schema.name(arguments)"
    QString definition; // e.g. "character varying(50) NOT NULL", "CREATE INDEX … USING btree (…)"
    QString schema;     // empty for the primary schema (the live one's search_path names)
};

// A difference between what the migrations define and what the database has.
struct SchemaDifference
{
    enum class Change
    {
        Missing,
        Unexpected,
        Differs
    };
    Change change = Change::Differs;
    SchemaObject expected; // empty for Unexpected
    SchemaObject found;    // empty for Missing

    const SchemaObject &object() const { return change == Change::Unexpected ? found : expected; }
    QString changeName() const; // "missing", "unexpected", "differs"
    QString describe() const;   // one line for reports
};

// Every schema, table, column, index, constraint, trigger, function and extension of a database
// but the system's: the primary schema's under their own names, the others' qualified (what an
// extension brings is compared as the extension and its version).
class SchemaSnapshot
{
public:
    // The catalog query: one statement, $1 = the primary schema's name, or NULL for the
    // session's setting algoadmin.live_schema. Run it with search_path set to pg_catalog only, so
    // that names are printed schema-qualified and normalised away here.
    static const char *catalogQuery();
    // `schemas`: the names to take out of definitions (the scratch schema's and the live one's,
    // since a scratch object may refer to live ones such as extension types).
    static SchemaSnapshot fromResult(const PgResult &result, const QStringList &schemas);
    // For the expected-schema cache.
    QByteArray toJson() const;
    static SchemaSnapshot fromJson(const QByteArray &json, bool *ok);

    bool isEmpty() const { return m_objects.isEmpty(); }
    int tableCount() const;
    const QMap<QString, SchemaObject> &objects() const { return m_objects; }

    // Every object missing from `found`, unexpected in it, or defined differently. A table
    // missing or unexpected as a whole is one difference, not one per column or index. Objects
    // of `found` in a schema `expected` does not have (other than the primary one) are not
    // looked at: the migrations did not make that schema.
    static QList<SchemaDifference> diff(const SchemaSnapshot &expected,
                                        const SchemaSnapshot &found);
    // Whether any table of `a` is a table of `b` too (by name).
    static bool sharesATable(const SchemaSnapshot &a, const SchemaSnapshot &b);

    // An object's key in objects(): kind/schema/table/name (a constraint and an index may
    // share a name).
    static QString keyOf(const SchemaObject &object);

private:
    QMap<QString, SchemaObject> m_objects; // keyed by kind/schema/table/name
};
